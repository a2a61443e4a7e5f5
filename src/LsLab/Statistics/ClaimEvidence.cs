using System.Text.Json.Serialization;

namespace LsLab.Statistics;

/// <summary>
/// What a claim asserts: a signed difference, equivalence within a margin, non-inferiority ("at least as good",
/// "no better" read from the other side: A − B &gt; −margin), an ordering of several settings, or a trend over a sweep axis.
/// </summary>
public enum ClaimKind
{
    /// <summary>metric(A) − metric(B) has the claimed sign.</summary>
    Difference,
    /// <summary>metric(A) − metric(B) lies within ±margin.</summary>
    Equivalence,
    /// <summary>metric(A) − metric(B) lies above −margin.</summary>
    NonInferiority,
    /// <summary>Several settings are ordered as claimed.</summary>
    Ordering,
    /// <summary>The metric moves the claimed way along a sweep axis.</summary>
    Trend,
}

/// <summary>
/// The statistical evidence a verdict rests on, as saved in results.json: the estimate of the claimed
/// quantity with its 95 % interval, the margin (equivalence claims), how many seeds and test examples,
/// and which split any choice (α, T, epoch) was made on.
/// Made by <see cref="BootstrapDistribution.ToEvidence"/>; judged by <see cref="Verdicts.Decide(ClaimRule, ClaimEvidence, bool)"/>.
/// </summary>
public sealed record ClaimEvidence(ClaimKind Kind, string Metric, double Estimate, double CiLow, double CiHigh)
{
    /// <summary>Equivalence or non-inferiority margin (same unit as the estimate); null for other kinds.</summary>
    public double? Margin { get; init; }
    /// <summary>Seeds per arm the interval includes.</summary>
    public int Seeds { get; init; } = 1;
    /// <summary>Test examples the interval resamples over.</summary>
    public int Examples { get; init; }
    /// <summary>Split on which α, T, epoch or checkpoint were selected ("validation"; "none" when nothing was selected).</summary>
    public string SelectedOn { get; init; } = "validation";

    /// <summary>The 90 % interval (two one-sided tests at 5 % pass ⇔ it lies inside ±margin); null when not computed.</summary>
    public double? Ci90Low { get; init; }
    /// <summary>Upper end of the 90 % interval.</summary>
    public double? Ci90High { get; init; }
    /// <summary>Bootstrap resamples behind the interval (null when the interval came from elsewhere).</summary>
    public int? Resamples { get; init; }
    /// <summary>How the interval was made, in words, for the report's methods section.</summary>
    public string? Method { get; init; }
    /// <summary>A p-value reported beside the interval (e.g. McNemar's exact test for paired accuracy); verdicts do not use it.</summary>
    public double? PValue { get; init; }

    /// <summary>Half the 95 % interval's width.</summary>
    [JsonIgnore]
    public double HalfWidth => (CiHigh - CiLow) / 2;
}
