using System.Globalization;
using LsLab.Experiments;

namespace LsLab.Statistics;

/// <summary>A verdict and the sentence that justifies it; <see cref="MoreData"/> is the power check's factor when the data were too few.</summary>
public sealed record Decision(Verdict Verdict, string Why)
{
    /// <summary>About how many times more examples (or seeds) an inconclusive claim needs; null otherwise.</summary>
    public double? MoreData { get; init; }
}

/// <summary>
/// The one function that turns a claim and its evidence into a verdict, for every experiment and
/// every profile. All intervals are the evidence's 95 % interval [CiLow, CiHigh].
/// <para><b>Difference</b> (claimed sign of A − B; "oriented" = multiplied by that sign):</para>
/// <list type="bullet">
/// <item>interval above 0 (oriented): <b>Reproduced</b>, or <b>Partly</b> when the paper reports an effect and
///   the whole interval lies below <see cref="Margins.PartlyEffectFraction"/> (½) of it — direction right, size not;</item>
/// <item>interval below 0: <b>NotReproduced</b> (a clear effect the other way);</item>
/// <item>interval contains 0 and lies below the paper's effect: <b>NotReproduced</b> — the data could have seen an
///   effect the paper's size and did not;</item>
/// <item>interval contains 0 otherwise: <b>Inconclusive</b>, with the power check (how much more data would
///   shrink the half-width to half the paper's effect, or to |estimate| when the paper gives none).</item>
/// </list>
/// <para><b>Trend</b>: the same rules on the OLS slope. <b>Ordering</b>: the same rules on the smallest
/// consecutive gap of the claimed order (positive ⇔ the order holds), with no paper effect.</para>
/// <para><b>Equivalence</b> (margin m): interval inside (−m, +m): <b>Reproduced</b>; interval entirely outside
/// (CiLow ≥ m or CiHigh ≤ −m): <b>NotReproduced</b>; otherwise <b>Inconclusive</b> with the power check
/// (half-width needed: m − |estimate|). Never Partly. The 90 % interval (TOST at 5 %) is reported in the why-text.</para>
/// <para><b>Non-inferiority</b> (margin m, A − B with positive = A better): CiLow &gt; −m: <b>Reproduced</b>;
/// CiHigh ≤ −m: <b>NotReproduced</b> (A is worse by more than the margin); otherwise <b>Inconclusive</b> with the
/// power check (half-width needed: estimate + m).</para>
/// <para><b>Smoke runs</b> (tiny profile): always Inconclusive, "smoke run". Interval contains 0 ⇒ never Reproduced,
/// for difference, trend and ordering alike. With one seed the why-text says the interval is example-level only.</para>
/// </summary>
public static class Verdicts
{
    /// <summary>The why-text of every smoke-run verdict.</summary>
    public const string SmokeWhy = "smoke run (tiny profile, a plumbing check of a few steps): not evidence either way";

    /// <summary>Decides with smoke = (profile is Tiny), so every command and profile marks tiny runs the same way.</summary>
    public static Decision Decide(ClaimRule rule, ClaimEvidence evidence, Profile profile) => Decide(rule, evidence, profile == Profile.Tiny);

    /// <summary>Decides a claim from its evidence by the rules in the class summary.</summary>
    public static Decision Decide(ClaimRule rule, ClaimEvidence evidence, bool smoke = false)
    {
        if (rule.Kind != evidence.Kind) throw new ArgumentException($"claim rule is {rule.Kind} but the evidence is {evidence.Kind}.");
        if (smoke) return new Decision(Verdict.Inconclusive, SmokeWhy);
        if (!double.IsFinite(evidence.Estimate) || !double.IsFinite(evidence.CiLow) || !double.IsFinite(evidence.CiHigh))
            return new Decision(Verdict.Inconclusive, $"no finite estimate or interval for {evidence.Metric}");
        var d = rule.Kind switch
        {
            ClaimKind.Equivalence => Equivalence(rule, evidence),
            ClaimKind.NonInferiority => NonInferiority(rule, evidence),
            _ => Signed(rule, evidence),
        };
        return evidence.Seeds <= 1 ? d with { Why = d.Why + "; one seed: the interval covers test-example noise only" } : d;
    }

    /// <summary>
    /// A report claim decided by the rules above: verdict and why from <see cref="Decide(ClaimRule, ClaimEvidence, bool)"/>,
    /// the evidence attached (with the rule's margin filled in for equivalence claims, so results.json carries it).
    /// </summary>
    public static Claim ToClaim(string statement, string paperValue, string ourValue, ClaimRule rule, ClaimEvidence evidence, bool smoke = false)
    {
        var e = evidence with { Margin = evidence.Margin ?? (rule.Kind is ClaimKind.Equivalence or ClaimKind.NonInferiority ? rule.Margin?.Value : null) };
        var (verdict, why) = Decide(rule, e, smoke);
        return new Claim(statement, paperValue, ourValue, verdict, why) { Evidence = e };
    }

    /// <summary>
    /// The report's guarantee, checked on every claim an experiment returns: it has evidence; a reproduced
    /// equivalence claim's interval lies inside ±margin, a reproduced non-inferiority claim's above −margin, and a
    /// reproduced difference, trend or ordering claim's interval excludes 0. A claim that breaks it is a bug (thrown).
    /// </summary>
    public static void CheckConsistent(Claim c)
    {
        var e = c.Evidence ?? throw new InvalidOperationException($"claim '{c.Statement}' has no evidence: every claim must be decided by Verdicts.");
        if (c.Verdict != Verdict.Reproduced) return;
        double m = e.Margin ?? double.NaN;
        bool ok = e.Kind switch
        {
            ClaimKind.Equivalence => e.CiLow > -m && e.CiHigh < m,
            ClaimKind.NonInferiority => e.CiLow > -m,
            _ => e.CiLow > 0 || e.CiHigh < 0,
        };
        if (!ok) throw new InvalidOperationException($"claim '{c.Statement}' is reproduced but its {e.Kind} interval [{F(e.CiLow)}, {F(e.CiHigh)}] (margin {F(m)}) does not support it.");
    }

    /// <summary>
    /// A claim that could not be judged because its comparison does not exist in this run (for example no
    /// over-confident baseline, or no overlap of two sweeps): Inconclusive, with evidence whose estimate and
    /// interval are NaN so results.json still carries every field.
    /// </summary>
    public static Claim Unjudged(string statement, string paperValue, string ourValue, ClaimRule rule, string why, int seeds, int examples) =>
        new(statement, paperValue, ourValue, Verdict.Inconclusive, why)
        {
            Evidence = new ClaimEvidence(rule.Kind, rule.Metric, double.NaN, double.NaN, double.NaN)
            {
                Margin = rule.Margin?.Value, Seeds = seeds, Examples = examples, SelectedOn = "none", Method = "not computed: " + why,
            },
        };

    /// <summary>
    /// Of several cells' intervals for one claim that must hold in every cell, the one it is judged on: the
    /// weakest for the claim — lowest lower end for an increase or non-inferiority, highest upper end for a
    /// decrease, and for equivalence the interval reaching furthest from 0.
    /// </summary>
    public static (string Cell, BootstrapDistribution D) Weakest(IEnumerable<(string Cell, BootstrapDistribution D)> cells, ClaimRule rule) => rule.Kind switch
    {
        ClaimKind.Equivalence => cells.MaxBy(c => Math.Max(Math.Abs(c.D.Interval().Low), Math.Abs(c.D.Interval().High))),
        ClaimKind.Difference or ClaimKind.Trend when rule.Direction == Direction.Decrease => cells.MaxBy(c => c.D.Interval().High),
        _ => cells.MinBy(c => c.D.Interval().Low),
    };

    static Decision Signed(ClaimRule rule, ClaimEvidence e)
    {
        double s = rule.Kind == ClaimKind.Ordering || rule.Direction == Direction.Increase ? 1 : -1;
        double est = s * e.Estimate, lo = Math.Min(s * e.CiLow, s * e.CiHigh), hi = Math.Max(s * e.CiLow, s * e.CiHigh);
        double? paper = rule.Kind == ClaimKind.Ordering || rule.PaperEffect is null ? null : Math.Abs(rule.PaperEffect.Value);
        string what = rule.Kind switch
        {
            ClaimKind.Trend => $"slope of {e.Metric}",
            ClaimKind.Ordering => $"smallest gap of the claimed order in {e.Metric}",
            _ => $"difference in {e.Metric}",
        };
        string iv = $"{what} {F(e.Estimate)}, 95% interval [{F(e.CiLow)}, {F(e.CiHigh)}]";
        string claimed = rule.Kind == ClaimKind.Ordering ? "the claimed order" : $"the claimed direction ({(s > 0 ? "positive" : "negative")})";

        if (lo > 0)
        {
            double fraction = Margins.PartlyEffectFraction.Value;
            if (paper is double p && hi < fraction * p)
                return new Decision(Verdict.Partly, $"{iv} excludes 0 in {claimed}, but lies below {F(fraction)} of the paper's effect {F(p)}: the direction reproduces, the size does not");
            return new Decision(Verdict.Reproduced, $"{iv} excludes 0 in {claimed}");
        }
        if (hi < 0) return new Decision(Verdict.NotReproduced, $"{iv} excludes 0 against {claimed}");
        if (paper is double pe && hi < pe)
            return new Decision(Verdict.NotReproduced, $"{iv} contains 0 and excludes the paper's effect {F(pe)}: an effect that large would have been seen");
        // Telling 0 from the paper's effect needs an interval narrower than that effect (half-width < effect / 2);
        // without a paper effect, the interval must shrink below the estimate itself.
        double target = paper is double pp ? pp / 2 : Math.Abs(est);
        var (hint, factor) = Power.Hint(e, target, paper is null ? "|estimate|" : "half the paper's effect");
        return new Decision(Verdict.Inconclusive, $"{iv} contains 0: {hint}") { MoreData = factor };
    }

    static double MarginOf(ClaimRule rule, ClaimEvidence e)
    {
        double m = rule.Margin?.Value ?? e.Margin ?? throw new ArgumentException($"{rule.Kind} claim on {e.Metric} has no margin.");
        if (!(m > 0)) throw new ArgumentException($"{rule.Kind} margin must be > 0, got {m}.");
        return m;
    }

    static Decision NonInferiority(ClaimRule rule, ClaimEvidence e)
    {
        double m = MarginOf(rule, e);
        string iv = $"difference in {e.Metric} {F(e.Estimate)}, 95% interval [{F(e.CiLow)}, {F(e.CiHigh)}], non-inferiority margin −{F(m)}{(rule.Margin is null ? "" : $" ({rule.Margin.Name})")}";
        if (e.CiLow > -m) return new Decision(Verdict.Reproduced, $"{iv}: the whole interval lies above −margin");
        if (e.CiHigh <= -m) return new Decision(Verdict.NotReproduced, $"{iv}: the whole interval lies below −margin, worse by more than the margin");
        double target = e.Estimate + m;
        if (target <= 0)
            return new Decision(Verdict.Inconclusive, $"{iv}: the estimate itself is below −margin; more data would more likely show inferiority");
        var (hint, factor) = Power.Hint(e, target, "estimate + margin");
        return new Decision(Verdict.Inconclusive, $"{iv}: the interval reaches below −margin; {hint}") { MoreData = factor };
    }

    static Decision Equivalence(ClaimRule rule, ClaimEvidence e)
    {
        double m = MarginOf(rule, e);
        string iv = $"difference in {e.Metric} {F(e.Estimate)}, 95% interval [{F(e.CiLow)}, {F(e.CiHigh)}], margin ±{F(m)}{(rule.Margin is null ? "" : $" ({rule.Margin.Name})")}";
        string tost = e.Ci90Low is double l90 && e.Ci90High is double h90
            ? $"; TOST at 5% (90% interval [{F(l90)}, {F(h90)}]) {(l90 > -m && h90 < m ? "passes" : "fails")}" : "";
        if (e.CiLow > -m && e.CiHigh < m) return new Decision(Verdict.Reproduced, $"{iv}: inside the margin{tost}");
        if (e.CiLow >= m || e.CiHigh <= -m) return new Decision(Verdict.NotReproduced, $"{iv}: entirely outside the margin, a real difference{tost}");
        double target = m - Math.Abs(e.Estimate);
        if (target <= 0)
            return new Decision(Verdict.Inconclusive, $"{iv}: the estimate itself is beyond the margin; more data would more likely show a difference than equivalence{tost}");
        var (hint, factor) = Power.Hint(e, target, "margin − |estimate|");
        return new Decision(Verdict.Inconclusive, $"{iv}: not inside the margin; {hint}{tost}") { MoreData = factor };
    }

    internal static string F(double v) => v.ToString("G3", CultureInfo.InvariantCulture);
}

/// <summary>
/// The power check: an interval's half-width shrinks as 1/√n, so reaching a target half-width needs
/// about (half-width / target)² times the data — that many more test examples, or (when seed-to-seed
/// noise dominates the interval) that many more seeds.
/// </summary>
public static class Power
{
    /// <summary>(halfWidth / target)², the factor of more data needed; +∞ when the target is 0.</summary>
    public static double Factor(double halfWidth, double target) => target > 0 ? Math.Pow(halfWidth / target, 2) : double.PositiveInfinity;

    /// <summary>A sentence saying how many examples (and seeds) would bring the 95 % half-width down to <paramref name="target"/>.</summary>
    public static (string Text, double? Factor) Hint(ClaimEvidence e, double target, string targetName)
    {
        double hw = e.HalfWidth;
        if (!(target > 0)) return ($"the estimate is 0, so no amount of data would show an effect of that size; half-width {Verdicts.F(hw)}", null);
        double f = Factor(hw, target);
        if (f <= 1) return ($"the half-width {Verdicts.F(hw)} is already below {targetName} {Verdicts.F(target)}; the interval is lopsided, so more data should settle it", f);
        string examples = e.Examples > 0 ? $", ≈ {Math.Ceiling(e.Examples * f):F0} test examples instead of {e.Examples}" : "";
        string seeds = e.Seeds > 1 ? $" (or ≈ {Math.Ceiling(e.Seeds * f):F0} seeds instead of {e.Seeds} if seed noise dominates)" : "";
        return ($"underpowered — half-width {Verdicts.F(hw)} vs {targetName} {Verdicts.F(target)}: about {f:F1}× the data{examples}{seeds}", f);
    }
}
