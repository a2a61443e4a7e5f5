using System.Globalization;
using System.Net;
using System.Text;
using LsLab.Experiments;
using LsLab.Statistics;

namespace LsLab.Reporting;

/// <summary>
/// The small inline SVG a claim card draws from its evidence: the 95 % interval as a bar with caps, the
/// estimate as a dot, 0 as a dashed line, for equivalence claims the ±margin band in green and for
/// non-inferiority claims the band from −margin up.
/// </summary>
public static class IntervalPlot
{
    /// <summary>Size of the SVG in pixels (it sits in a claim card beside the numbers).</summary>
    public const int Width = 180, Height = 24;

    static string N(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    static string G(double v) => v.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>The SVG element (no XML prologue), coloured by verdict; null when the evidence has no finite interval.</summary>
    public static string? Svg(ClaimEvidence e, Verdict verdict)
    {
        if (!double.IsFinite(e.Estimate) || !double.IsFinite(e.CiLow) || !double.IsFinite(e.CiHigh)) return null;
        double m = e.Kind is ClaimKind.Equivalence or ClaimKind.NonInferiority && e.Margin is double mm && mm > 0 ? mm : 0;
        bool oneSided = e.Kind == ClaimKind.NonInferiority;
        double lo = new[] { e.CiLow, e.Estimate, 0, -m }.Min(), hi = new[] { e.CiHigh, e.Estimate, 0, oneSided ? 0 : m }.Max();
        double pad = hi > lo ? 0.08 * (hi - lo) : 1;
        lo -= pad; hi += pad;
        const double left = 6, right = Width - 6, axisY = 9;
        double X(double v) => left + (v - lo) / (hi - lo) * (right - left);
        string colour = verdict switch
        {
            Verdict.Reproduced => "#1b7f3b", Verdict.Partly => "#a66f00", Verdict.NotReproduced => "#b3261e", _ => "#555",
        };
        string label = $"{e.Metric}: estimate {G(e.Estimate)}, 95% interval [{G(e.CiLow)}, {G(e.CiHigh)}]" + MarginText(e, ", margin ");
        var sb = new StringBuilder();
        sb.Append($"<svg class=\"interval\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{WebUtility.HtmlEncode(label)}\">");
        sb.Append($"<title>{WebUtility.HtmlEncode(label)}</title>");
        sb.Append($"<line x1=\"{N(left)}\" y1=\"{N(axisY)}\" x2=\"{N(right)}\" y2=\"{N(axisY)}\" stroke=\"#ccc\" stroke-width=\"1\"/>");
        if (m > 0)
            sb.Append($"<rect class=\"margin\" x=\"{N(X(-m))}\" y=\"{N(axisY - 7)}\" width=\"{N((oneSided ? right : X(m)) - X(-m))}\" height=\"14\" fill=\"#d8f0dc\"/>");
        sb.Append($"<line class=\"zero\" x1=\"{N(X(0))}\" y1=\"1\" x2=\"{N(X(0))}\" y2=\"17\" stroke=\"#444\" stroke-width=\"1\" stroke-dasharray=\"2,2\"/>");
        sb.Append($"<text x=\"{N(X(0))}\" y=\"23.5\" font-size=\"7\" text-anchor=\"middle\" fill=\"#444\">0</text>");
        double x0 = X(e.CiLow), x1 = X(e.CiHigh);
        sb.Append($"<line class=\"ci\" x1=\"{N(x0)}\" y1=\"{N(axisY)}\" x2=\"{N(x1)}\" y2=\"{N(axisY)}\" stroke=\"{colour}\" stroke-width=\"3\"/>");
        sb.Append($"<line x1=\"{N(x0)}\" y1=\"{N(axisY - 4)}\" x2=\"{N(x0)}\" y2=\"{N(axisY + 4)}\" stroke=\"{colour}\" stroke-width=\"2\"/>");
        sb.Append($"<line x1=\"{N(x1)}\" y1=\"{N(axisY - 4)}\" x2=\"{N(x1)}\" y2=\"{N(axisY + 4)}\" stroke=\"{colour}\" stroke-width=\"2\"/>");
        sb.Append($"<circle class=\"estimate\" cx=\"{N(X(e.Estimate))}\" cy=\"{N(axisY)}\" r=\"4\" fill=\"#fff\" stroke=\"{colour}\" stroke-width=\"2\"/>");
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>The interval in a few characters for a card: estimate [low, high], margin, examples and seeds.</summary>
    public static string ShortText(ClaimEvidence e)
    {
        string margin = MarginText(e, " ");
        return $"{G(e.Estimate)} [{G(e.CiLow)}, {G(e.CiHigh)}]{margin} · n={e.Examples} · {(e.Seeds == 1 ? "1 seed" : $"{e.Seeds} seeds")}";
    }

    /// <summary>A one-line text form of the same interval, for the markdown report and the card's details.</summary>
    public static string Text(ClaimEvidence e)
    {
        string what = e.Kind switch
        {
            ClaimKind.Trend => "slope of ", ClaimKind.Ordering => "smallest gap in ", _ => "difference in ",
        };
        string margin = MarginText(e, ", margin ");
        string seeds = e.Seeds == 1 ? "1 seed" : $"{e.Seeds} seeds";
        return $"{what}{e.Metric} {G(e.Estimate)} [{G(e.CiLow)}, {G(e.CiHigh)}]{margin}; {e.Examples} examples, {seeds}";
    }

    /// <summary>"±m" for equivalence, "&gt; −m" for non-inferiority, nothing otherwise.</summary>
    static string MarginText(ClaimEvidence e, string prefix) => e.Margin is double m
        ? e.Kind switch { ClaimKind.Equivalence => $"{prefix}±{G(m)}", ClaimKind.NonInferiority => $"{prefix}> −{G(m)}", _ => "" }
        : "";
}
