using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using LsLab.Experiments;
using LsLab.Runs;
using LsLab.Statistics;

namespace LsLab.Reporting;

/// <summary>Facts about how a report was made, printed at its top.</summary>
public sealed record ReportInfo(string Profile, DateTime StartedUtc, double Seconds, string Machine, string Command);

/// <summary>
/// Writes the reproduction report: report/index.html (one self-contained page: inline CSS, inline SVG
/// figures and interval plots, PNG thumbnails as data URIs; no scripts, no network requests) and
/// report/README.md with the same content (PNG figures, thumbnails and interval SVGs copied beside it).
/// Layout, for a reader: one card per claim (verdict badge, the paper's number beside ours, the
/// 95 % interval drawn small, a thumbnail of the experiment's first figure, details folded), then each
/// experiment's findings, folded tables and large figures, then the methods (interval method, verdict
/// rules, the margins table).
/// </summary>
public static partial class Report
{
    /// <summary>Writes report/index.html and report/README.md (with their figures) into <paramref name="reportDir"/>; returns the path of index.html.</summary>
    public static string Write(string reportDir, IReadOnlyList<ExperimentResult> results, ReportInfo info)
    {
        Directory.CreateDirectory(reportDir);
        var figDir = Path.Combine(reportDir, "figures");
        Directory.CreateDirectory(figDir);
        AtomicFile.WriteAllText(Path.Combine(reportDir, "index.html"), Html(results, info));
        AtomicFile.WriteAllText(Path.Combine(reportDir, "README.md"), Markdown(results, info, figDir));
        return Path.Combine(reportDir, "index.html");
    }

    static string E(string s) => WebUtility.HtmlEncode(s);
    static string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    static string VerdictClass(Verdict v) => v switch
    {
        Verdict.Reproduced => "ok", Verdict.Partly => "partly", Verdict.NotReproduced => "no", _ => "unclear",
    };

    /// <summary>The verdict as the report writes it.</summary>
    internal static string VerdictText(Verdict v) => v switch
    {
        Verdict.Reproduced => "reproduced", Verdict.Partly => "partly", Verdict.NotReproduced => "not reproduced", _ => "inconclusive",
    };

    /// <summary>Every claim with its experiment, its number in the report, and the experiment's first figure (1-based number in the report, or 0).</summary>
    static List<(int Number, ExperimentResult Result, Claim Claim, int Figure)> NumberedClaims(IReadOnlyList<ExperimentResult> results)
    {
        var list = new List<(int, ExperimentResult, Claim, int)>();
        int fig = 0, n = 0;
        foreach (var r in results)
        {
            int first = r.Figures.Count > 0 ? fig + 1 : 0;
            foreach (var c in r.Claims) list.Add((++n, r, c, first));
            fig += r.Figures.Count;
        }
        return list;
    }

    static string Summary(IReadOnlyList<ExperimentResult> results)
    {
        var claims = results.SelectMany(r => r.Claims).ToList();
        var counts = Enum.GetValues<Verdict>().Select(v => (v, claims.Count(c => c.Verdict == v))).Where(x => x.Item2 > 0);
        return $"{claims.Count} claims: " + string.Join(", ", counts.Select(x => $"{x.Item2} {VerdictText(x.v)}"));
    }

    /// <summary>A small PNG (width ≤ <paramref name="width"/>) of a figure, for card thumbnails; null when the file is missing or unreadable.</summary>
    static byte[]? Thumbnail(string pngPath, int width = 160)
    {
        if (!File.Exists(pngPath)) return null;
        try
        {
            using var src = SkiaSharp.SKBitmap.Decode(pngPath);
            if (src is null || src.Width == 0) return null;
            int w = Math.Min(width, src.Width), h = Math.Max(1, (int)Math.Round(src.Height * (double)w / src.Width));
            using var small = src.Resize(new SkiaSharp.SKImageInfo(w, h), new SkiaSharp.SKSamplingOptions(SkiaSharp.SKFilterMode.Linear, SkiaSharp.SKMipmapMode.Linear));
            if (small is null) return null;
            using var image = SkiaSharp.SKImage.FromBitmap(small);
            using var data = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            return data.ToArray();
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    const string Css = """
        *{box-sizing:border-box}
        body{font-family:system-ui,-apple-system,"DejaVu Sans",sans-serif;max-width:1200px;margin:1.5em auto;padding:0 1em;color:#222;line-height:1.4}
        h1{font-size:1.5em;margin:.2em 0}h2{margin-top:1.6em;border-bottom:2px solid #ddd;padding-bottom:.2em}h3{margin:1.2em 0 .4em}h2#claims{margin-top:.8em}
        p,li,td,th,summary,figcaption,caption{overflow-wrap:anywhere}
        table{border-collapse:collapse;margin:.8em 0;font-size:.88em;table-layout:fixed;width:100%;max-width:100%}
        th,td{border:1px solid #ccc;padding:.25em .45em;text-align:left;vertical-align:top;overflow-wrap:anywhere;word-break:break-word}
        th{background:#f3f3f3}caption{caption-side:bottom;font-size:.85em;color:#555;text-align:left;padding-top:.3em}
        code{overflow-wrap:anywhere;white-space:pre-wrap}
        .meta{color:#555;font-size:.9em}.theirs{color:#555;font-style:italic}
        .summary{font-weight:600}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,30em),1fr));gap:.45em}
        .card{display:grid;grid-template-columns:84px minmax(0,1fr);gap:.5em;border:1px solid #ddd;border-left:6px solid #999;border-radius:4px;padding:.35em .5em;break-inside:avoid;page-break-inside:avoid;min-width:0}
        .card.nothumb{grid-template-columns:minmax(0,1fr)}
        .card.ok{border-left-color:#1b7f3b}.card.partly{border-left-color:#d69e00}.card.no{border-left-color:#b3261e}.card.unclear{border-left-color:#888}
        .thumb img{width:84px;height:auto;max-height:64px;object-fit:contain;object-position:left top;border:1px solid #eee;display:block}
        .cbody{min-width:0}
        .claim{margin:0;font-weight:600;font-size:.92em;display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
        .exp{font-weight:400;color:#666;font-size:.85em}
        .nums{margin:.15em 0;font-size:.8em;display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:.8em;line-height:1.25}
        .nums span{display:-webkit-box;-webkit-line-clamp:1;-webkit-box-orient:vertical;overflow:hidden}
        .iv{display:flex;flex-wrap:wrap;align-items:center;gap:0 .6em;font-size:.76em;color:#444;line-height:1.25}
        .iv svg{flex:none;max-width:100%;height:auto}
        .noiv{color:#777}
        .iv details{margin:0}.iv details[open]{flex-basis:100%}
        .badge{display:inline-block;font-size:.75em;font-weight:700;padding:.05em .5em;border-radius:1em;margin-right:.3em;white-space:nowrap;color:#fff;background:#777}
        .badge.ok{background:#1b7f3b}.badge.partly{background:#a66f00}.badge.no{background:#b3261e}.badge.unclear{background:#666}
        details{margin:.3em 0}details summary{cursor:pointer;color:#235;font-size:.85em}
        .card details p{font-size:.85em;margin:.3em 0}
        table.kv{font-size:.8em}table.kv th{width:8em}
        table.margins th:nth-child(1){width:22%}table.margins th:nth-child(2){width:8%}table.margins th:nth-child(3){width:18%}
        figure{margin:1.2em 0;break-inside:avoid;page-break-inside:avoid}figure svg{width:100%;max-width:900px;height:auto;border:1px solid #eee}figcaption{font-size:.9em;color:#444}
        @media print{
          body{max-width:none;margin:0;font-size:10.5pt}
          .claim,.nums span{display:block;-webkit-line-clamp:unset;overflow:visible}
          details::details-content{content-visibility:visible;display:contents}
          .badge{-webkit-print-color-adjust:exact;print-color-adjust:exact}
          a{color:inherit;text-decoration:none}
          h2{break-after:avoid}
        }
        """;

    /// <summary>The report as one self-contained HTML page.</summary>
    public static string Html(IReadOnlyList<ExperimentResult> results, ReportInfo info)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.Append("<title>LsLab report: When Does Label Smoothing Help?</title><style>").Append(Css).Append("</style></head><body>");
        sb.Append("<h1>When Does Label Smoothing Help? — LsLab reproduction</h1>");
        sb.Append($"<p class=\"meta\">LsLab {E(LsLabVersion.Current)}; profile <b>{E(info.Profile)}</b>; started {info.StartedUtc:yyyy-MM-dd HH:mm} UTC; {info.Seconds / 60:F1} minutes; {E(info.Machine)}. Command: <code>{E(info.Command)}</code></p>");
        sb.Append("<p class=\"meta\">Müller, Kornblith &amp; Hinton (NeurIPS 2019). Numbers marked <span class=\"theirs\">paper</span> are the paper's; all others were measured by this run. ")
          .Append("Bars: 95% bootstrap interval, dot: estimate, dashed: 0, green band: equivalence margin (<a href=\"#methods\">methods</a>).</p>");

        sb.Append($"<h2 id=\"claims\">Claims at a glance</h2><p class=\"summary\">{E(Summary(results))}</p><div class=\"cards\">");
        var thumbs = new Dictionary<int, string?>();
        foreach (var (number, r, c, figure) in NumberedClaims(results))
        {
            string? thumb = null;
            if (figure > 0)
            {
                if (!thumbs.TryGetValue(figure, out thumb))
                {
                    var bytes = Thumbnail(r.Figures[0].PngPath);
                    thumbs[figure] = thumb = bytes is null ? null : "data:image/png;base64," + Convert.ToBase64String(bytes);
                }
            }
            sb.Append(CardHtml(number, r, c, figure, thumb));
        }
        sb.Append("</div>");

        int fig = 0;
        foreach (var r in results)
        {
            sb.Append($"<h2 id=\"{E(r.Name)}\">{E(r.Title)}</h2>");
            foreach (var f in r.Findings) sb.Append($"<p>{E(f)}</p>");
            if (r.Tables.Count > 0)
            {
                sb.Append($"<details class=\"tables\"><summary>Tables ({r.Tables.Count}): {E(string.Join("; ", r.Tables.Select(t => Shorten(t.Title, 80))))}</summary>");
                foreach (var t in r.Tables) sb.Append(TableHtml(t));
                sb.Append("</details>");
            }
            foreach (var f in r.Figures)
            {
                fig++;
                string svg = File.Exists(f.SvgPath) ? InlineSvg(File.ReadAllText(f.SvgPath), $"f{fig}") : $"<p>(figure file missing: {E(f.SvgPath)})</p>";
                sb.Append($"<figure id=\"fig{fig}\">{svg}<figcaption><b>Figure {fig}.</b> {E(f.Title)}. {E(f.Caption)}</figcaption></figure>");
            }
        }

        sb.Append("<h2 id=\"methods\">Methods</h2>");
        foreach (var p in MethodParagraphs(results)) sb.Append($"<p>{E(p)}</p>");
        sb.Append(TableHtml(MarginsTable(), "margins"));
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    static string Shorten(string s, int max) => s.Length <= max ? s : s[..(max - 1)].TrimEnd() + "…";

    static string CardHtml(int number, ExperimentResult r, Claim c, int figure, string? thumb)
    {
        string cls = VerdictClass(c.Verdict);
        var sb = new StringBuilder($"<article class=\"card {cls}{(thumb is null ? " nothumb" : "")}\" id=\"claim-{number}\">");
        if (thumb is not null)
            sb.Append($"<a class=\"thumb\" href=\"#fig{figure}\"><img src=\"{thumb}\" alt=\"Thumbnail of figure {figure}: {E(r.Figures[0].Title)}\"></a>");
        sb.Append("<div class=\"cbody\">");
        sb.Append($"<p class=\"claim\" title=\"{E(c.Statement)}\"><span class=\"badge {cls}\">{VerdictText(c.Verdict)}</span>{E(c.Statement)} <a class=\"exp\" href=\"#{E(r.Name)}\">{E(r.Name)}</a></p>");
        sb.Append($"<p class=\"nums\"><span class=\"theirs\">paper: {E(c.PaperValue)}</span><span class=\"ours\">ours: {E(c.OurValue)}</span></p>");
        var e = c.Evidence;
        var svg = e is null ? null : IntervalPlot.Svg(e, c.Verdict);
        // The interval, its text and the folded details share one row; an opened details takes a row of its own.
        if (e is not null && svg is not null) sb.Append($"<div class=\"iv\">{svg}<span title=\"{E(IntervalPlot.Text(e))}\">{E(IntervalPlot.ShortText(e))}</span>");
        else sb.Append($"<div class=\"iv\"><span class=\"noiv\">{(e is null ? "no interval: verdict not on the statistics layer" : "no interval: " + E(Shorten(e.Method ?? "not computed", 90)))}</span>");
        sb.Append($"<details><summary>why, all numbers</summary><p><b>{E(c.Statement)}</b></p><p><b>{VerdictText(c.Verdict)}:</b> {E(c.Why)}</p>");
        sb.Append($"<p class=\"theirs\">paper: {E(c.PaperValue)}</p><p>ours: {E(c.OurValue)}</p>");
        if (e is not null)
        {
            sb.Append("<table class=\"kv\"><tbody>");
            foreach (var (k, v) in EvidenceRows(e)) sb.Append($"<tr><th>{E(k)}</th><td>{E(v)}</td></tr>");
            sb.Append("</tbody></table>");
        }
        sb.Append("</details></div></div></article>");
        return sb.ToString();
    }

    /// <summary>The evidence as (field, value) rows, in results.json's vocabulary.</summary>
    static IEnumerable<(string, string)> EvidenceRows(ClaimEvidence e)
    {
        yield return ("kind", e.Kind.ToString().ToLowerInvariant());
        yield return ("metric", e.Metric);
        yield return ("estimate", G(e.Estimate));
        yield return ("95% interval", $"[{G(e.CiLow)}, {G(e.CiHigh)}]");
        if (e.Ci90Low is double l && e.Ci90High is double h) yield return ("90% interval", $"[{G(l)}, {G(h)}]");
        if (e.Margin is double m) yield return ("margin", e.Kind == ClaimKind.NonInferiority ? $"> −{G(m)} (non-inferiority)" : $"±{G(m)}");
        if (e.PValue is double p) yield return ("p-value", G(p));
        yield return ("seeds", e.Seeds.ToString(CultureInfo.InvariantCulture));
        yield return ("examples", e.Examples.ToString(CultureInfo.InvariantCulture));
        yield return ("selected on", e.SelectedOn);
        if (e.Method is not null) yield return ("method", e.Method);
    }

    static ReportTable MarginsTable() => new("Margins and thresholds used by the verdicts", Margins.Columns, Margins.Rows(),
        "Every margin or threshold a claim uses, in one table (src/LsLab/Statistics/Margins.cs).");

    static IEnumerable<string> MethodParagraphs(IReadOnlyList<ExperimentResult> results)
    {
        yield return "Intervals: paired bootstrap over the test examples — each resample draws one set of example indices (SplitMix64, seeded) and scores both arms on it, so comparisons on the same test set are paired; with several seeds, a hierarchical bootstrap first resamples seeds (paired by seed index when arms share seeds), then examples. The interval is the 95% percentile interval; equivalence also reports the 90% interval (two one-sided tests at 5%).";
        yield return "Verdicts (one function for every experiment and profile, src/LsLab/Statistics/Verdicts.cs): a difference, trend or ordering is reproduced only if its 95% interval excludes 0 in the claimed direction (partly if the whole interval is below half the paper's effect), not reproduced if it excludes 0 the other way or if it contains 0 but excludes the paper's effect, and inconclusive otherwise, with the number of examples or seeds that would be needed (half-width ∝ 1/√n). An equivalence is reproduced only if the whole 95% interval lies inside ±margin, not reproduced if it lies entirely outside, inconclusive otherwise. Tiny-profile runs are smoke runs: always inconclusive. α, temperature, epoch and checkpoint are chosen on the validation split only.";
        var methods = results.SelectMany(r => r.Claims).Select(c => c.Evidence?.Method).OfType<string>().Distinct().ToList();
        if (methods.Count > 0) yield return "Interval methods in this report: " + string.Join("; ", methods) + ".";
        int without = results.SelectMany(r => r.Claims).Count(c => c.Evidence is null);
        if (without > 0) yield return $"{without} claim(s) carry no interval yet: their verdicts come from the experiment's own rule, shown in their why-text.";
    }

    static string TableHtml(ReportTable t, string? cssClass = null)
    {
        var sb = new StringBuilder(cssClass is null ? "<table><thead><tr>" : $"<table class=\"{cssClass}\"><thead><tr>");
        foreach (var c in t.Columns) sb.Append($"<th>{E(c)}</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in t.Rows)
        {
            sb.Append("<tr>");
            foreach (var cell in row) sb.Append($"<td>{E(cell)}</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody>");
        sb.Append($"<caption><b>{E(t.Title)}</b>{(t.Note is null ? "" : ". " + E(t.Note))}</caption></table>");
        return sb.ToString();
    }

    [GeneratedRegex(@"\bid=""([^""]+)""")] private static partial Regex IdRe();
    [GeneratedRegex(@"url\(#([^)]+)\)")] private static partial Regex UrlRe();
    [GeneratedRegex(@"href=""#([^""]+)""")] private static partial Regex HrefRe();

    /// <summary>Strips the XML prologue and prefixes ids so several SVGs can live in one page.</summary>
    public static string InlineSvg(string svg, string prefix)
    {
        int start = svg.IndexOf("<svg", StringComparison.Ordinal);
        if (start < 0) return "<p>(not an SVG)</p>";
        svg = svg[start..];
        svg = IdRe().Replace(svg, m => $"id=\"{prefix}-{m.Groups[1].Value}\"");
        svg = UrlRe().Replace(svg, m => $"url(#{prefix}-{m.Groups[1].Value})");
        svg = HrefRe().Replace(svg, m => $"href=\"#{prefix}-{m.Groups[1].Value}\"");
        return svg;
    }

    /// <summary>The report as markdown; figures are copied into <paramref name="figDir"/>.</summary>
    public static string Markdown(IReadOnlyList<ExperimentResult> results, ReportInfo info, string figDir)
    {
        static string Cell(string s) => s.Replace("|", "\\|").Replace("\n", " ");
        var sb = new StringBuilder();
        sb.AppendLine("# When Does Label Smoothing Help? — LsLab reproduction").AppendLine();
        sb.AppendLine($"LsLab {LsLabVersion.Current}, profile **{info.Profile}**, started {info.StartedUtc:yyyy-MM-dd HH:mm} UTC, {info.Seconds / 60:F1} minutes, {info.Machine}. Command: `{info.Command}`.").AppendLine();
        sb.AppendLine("Numbers marked *paper* are the paper's; all others were measured by this run. Interval plots: bar = 95% bootstrap interval, dot = estimate, dashed = 0, green band = equivalence margin (see Methods).").AppendLine();
        sb.AppendLine("## Claims at a glance").AppendLine();
        sb.AppendLine($"**{Summary(results)}**").AppendLine();

        // Figures are copied once, under the same names the figure sections use.
        var figNames = new List<string?>();
        foreach (var f in results.SelectMany(r => r.Figures))
        {
            string? name = null;
            if (File.Exists(f.PngPath))
            {
                name = $"fig{figNames.Count + 1}-{Path.GetFileName(f.PngPath)}";
                File.Copy(f.PngPath, Path.Combine(figDir, name), overwrite: true);
            }
            figNames.Add(name);
        }
        var thumbs = new Dictionary<int, string?>();
        foreach (var (number, r, c, figure) in NumberedClaims(results))
        {
            sb.AppendLine($"### {number}. {VerdictBadge(c.Verdict)} {c.Statement}").AppendLine();
            if (figure > 0)
            {
                if (!thumbs.TryGetValue(figure, out var thumb))
                {
                    var bytes = Thumbnail(r.Figures[0].PngPath);
                    thumb = bytes is null ? null : $"thumb-fig{figure}.png";
                    if (bytes is not null) File.WriteAllBytes(Path.Combine(figDir, thumb!), bytes);
                    thumbs[figure] = thumb;
                }
                if (thumb is not null) sb.AppendLine($"<a href=\"#figure-{figure}\"><img src=\"figures/{thumb}\" width=\"96\" align=\"right\" alt=\"Thumbnail of figure {figure}\"></a>").AppendLine();
            }
            sb.AppendLine($"- experiment: {r.Name}; verdict: **{VerdictText(c.Verdict)}**");
            sb.AppendLine($"- paper: *{c.PaperValue}*");
            sb.AppendLine($"- ours: {c.OurValue}");
            var svg = c.Evidence is null ? null : IntervalPlot.Svg(c.Evidence, c.Verdict);
            if (c.Evidence is not null && svg is not null)
            {
                var name = $"claim-{number}-interval.svg";
                File.WriteAllText(Path.Combine(figDir, name), svg);
                sb.AppendLine($"- interval: ![interval of claim {number}](figures/{name}) {IntervalPlot.Text(c.Evidence)}");
            }
            else sb.AppendLine($"- interval: none ({(c.Evidence is null ? "this claim's verdict is not on the statistics layer" : c.Evidence.Method ?? "not computed")})");
            sb.AppendLine().AppendLine("<details><summary>why and all numbers</summary>").AppendLine();
            sb.AppendLine($"{VerdictText(c.Verdict)}: {c.Why}").AppendLine();
            if (c.Evidence is not null)
                foreach (var (k, v) in EvidenceRows(c.Evidence)) sb.AppendLine($"- {k}: {v}");
            sb.AppendLine().AppendLine("</details>").AppendLine();
        }

        int fig = 0;
        foreach (var r in results)
        {
            sb.AppendLine().AppendLine($"## {r.Title}").AppendLine();
            foreach (var f in r.Findings) sb.AppendLine(f).AppendLine();
            if (r.Tables.Count > 0)
            {
                sb.AppendLine($"<details><summary>Tables ({r.Tables.Count})</summary>").AppendLine();
                foreach (var t in r.Tables)
                {
                    sb.AppendLine($"**{t.Title}**").AppendLine();
                    sb.AppendLine("| " + string.Join(" | ", t.Columns.Select(Cell)) + " |");
                    sb.AppendLine("|" + string.Concat(t.Columns.Select(_ => "---|")));
                    foreach (var row in t.Rows) sb.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
                    if (t.Note is not null) sb.AppendLine().AppendLine($"_{t.Note}_");
                    sb.AppendLine();
                }
                sb.AppendLine("</details>").AppendLine();
            }
            foreach (var f in r.Figures)
            {
                fig++;
                sb.AppendLine($"<a id=\"figure-{fig}\"></a>").AppendLine();
                if (figNames[fig - 1] is string name) sb.AppendLine($"![Figure {fig}: {f.Title}](figures/{name})").AppendLine();
                sb.AppendLine($"*Figure {fig}. {f.Title}. {f.Caption}*").AppendLine();
            }
        }

        sb.AppendLine().AppendLine("## Methods").AppendLine();
        foreach (var p in MethodParagraphs(results)) sb.AppendLine(p).AppendLine();
        var mt = MarginsTable();
        sb.AppendLine($"**{mt.Title}**").AppendLine();
        sb.AppendLine("| " + string.Join(" | ", mt.Columns.Select(Cell)) + " |");
        sb.AppendLine("|" + string.Concat(mt.Columns.Select(_ => "---|")));
        foreach (var row in mt.Rows) sb.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
        return sb.ToString();
    }

    static string VerdictBadge(Verdict v) => v switch
    {
        Verdict.Reproduced => "✅", Verdict.Partly => "🟡", Verdict.NotReproduced => "❌", _ => "⚪",
    } + $" [{VerdictText(v)}]";
}
