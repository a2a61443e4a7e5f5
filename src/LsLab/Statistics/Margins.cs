using System.Globalization;

namespace LsLab.Statistics;

/// <summary>One margin or threshold a verdict uses: its name, value, unit and the reason for that value.</summary>
public sealed record Margin(string Name, double Value, string Unit, string Why);

/// <summary>
/// Every margin and threshold the claims use, in one table the report prints (methods section).
/// Values are in the unit the evidence is computed in: accuracy as a fraction of test examples
/// (0.005 = 0.5 points), ECE as an absolute calibration error, BLEU in BLEU points, MI in nats.
/// </summary>
public static class Margins
{
    /// <summary>Equivalence margin for "label smoothing changes accuracy little" (Table 2).</summary>
    public static readonly Margin AccuracyEquivalence = new("accuracy.equivalence", 0.005, "accuracy, fraction (0.005 = 0.5 points)",
        "Table 2 \"changes accuracy little\": the paper's own LS−hard gaps are −0.1…+0.6 points; ±0.5 points is the regime notes' margin, and a paired 10k-example interval (≈ ±0.3 points) can fit inside it.");

    /// <summary>Equivalence margin for the distillation experiments' accuracy claims.</summary>
    public static readonly Margin DistillationAccuracyEquivalence = new("distillation.accuracy.equivalence", 0.005, "accuracy, fraction (0.005 = 0.5 points)",
        "\"no better\" / \"at least as accurate\" claims of the distillation experiments: the same half-point as Table 2, so one accuracy scale is used throughout.");

    /// <summary>Equivalence margin for "label smoothing calibrates about as well as temperature scaling".</summary>
    public static readonly Margin EceEquivalence = new("ece.equivalence", 0.015, "ECE (absolute, 15 bins)",
        "\"LS calibrates about as well as TS\": wide enough that the paper's own LS−TS gaps (0.003 CIFAR-100, 0.013 ImageNet) count as equivalent, narrow against the baseline−TS gaps it must tell apart (0.05–0.13).");

    /// <summary>Fitted temperature above which a baseline counts as over-confident (where LS ≈ TS is judged).</summary>
    public static readonly Margin OverconfidentTemperature = new("calibration.overconfident.temperature", 1.2, "fitted temperature T",
        "LS ≈ TS is only judged where the baseline is over-confident (validation-fitted T ≥ 1.2, with TS lowering ECE by a paired interval below 0; the paper's baselines had 1.9 and 1.4); a model more accurate than LS's confidence cap is under-confident and LS raises its ECE by design.");

    /// <summary>Equivalence margin for "temperature changes beam-search BLEU little" (Figure 4).</summary>
    public static readonly Margin BleuEquivalence = new("bleu.equivalence", 0.5, "BLEU points",
        "Figure 4: in the paper temperature moves beam-search BLEU by at most about half a point, so ±0.5 BLEU is \"changes BLEU little\".");

    /// <summary>How far above log 2 the late label-smoothed mutual information may be (Figure 6).</summary>
    public static readonly Margin MiNearLog2 = new("mi.near-log2", 0.1, "nats above log 2 (0.693)",
        "Figure 6: the late label-smoothed value is \"just above log 2\"; 0.1 nats (≈ 15 % of log 2) allows the estimator's small-sample bias at a few hundred examples per class.");

    /// <summary>Fraction of the paper's effect below which a difference in the right direction is only "partly".</summary>
    public static readonly Margin PartlyEffectFraction = new("difference.partly.fraction", 0.5, "fraction of the paper's effect",
        "A difference in the claimed direction whose whole 95% interval lies below half the paper's effect is \"partly\": the direction reproduces, the size does not.");

    /// <summary>Coverage of the interval every verdict uses.</summary>
    public static readonly Margin IntervalLevel = new("interval.level", 0.95, "coverage",
        "Every verdict uses the 95% percentile interval (issue 13's bar); equivalence needs all of it inside ±margin.");

    /// <summary>Coverage of the TOST interval reported beside equivalence verdicts.</summary>
    public static readonly Margin TostLevel = new("tost.level", 0.90, "coverage",
        "Two one-sided tests at 5% ⇔ the 90% interval inside ±margin; reported beside the (stricter) 95% verdict.");

    /// <summary>Bootstrap resamples per interval.</summary>
    public static readonly Margin Resamples = new("bootstrap.resamples", Bootstrap.DefaultResamples, "resamples",
        "At 2,000 resamples the Monte-Carlo error of the 2.5%/97.5% endpoints is a few percent of the interval's width.");

    /// <summary>Seeds per cell in the full profile.</summary>
    public static readonly Margin FullProfileSeeds = new("seeds.full", 3, "seeds",
        "Full profile: at least 3 seeds for every cell a claim rests on, so the interval includes seed-to-seed noise (hierarchical bootstrap).");

    /// <summary>Significance level of the McNemar test reported beside accuracy intervals.</summary>
    public static readonly Margin McNemarAlpha = new("mcnemar.alpha", 0.05, "p-value",
        "McNemar's exact test for paired accuracy is reported beside the interval; p < 0.05 is called a significant difference (the verdict itself rests on the interval).");

    /// <summary>All rows, in the order the report prints them.</summary>
    public static IReadOnlyList<Margin> All { get; } = new[]
    {
        AccuracyEquivalence, DistillationAccuracyEquivalence, EceEquivalence, OverconfidentTemperature, BleuEquivalence, MiNearLog2,
        PartlyEffectFraction, IntervalLevel, TostLevel, Resamples, FullProfileSeeds, McNemarAlpha,
    };

    /// <summary>The row named <paramref name="name"/>.</summary>
    public static Margin Get(string name) => All.FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"no margin named '{name}'; known: {string.Join(", ", All.Select(m => m.Name))}.");

    /// <summary>Column headers for <see cref="Rows"/>.</summary>
    public static IReadOnlyList<string> Columns { get; } = new[] { "name", "value", "unit", "why" };

    /// <summary>The table as formatted cells (name, value, unit, why), for a report table.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Rows() =>
        All.Select(m => (IReadOnlyList<string>)new[] { m.Name, m.Value.ToString("G6", CultureInfo.InvariantCulture), m.Unit, m.Why }).ToList();
}
