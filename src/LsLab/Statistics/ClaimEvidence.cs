namespace LsLab.Statistics;

/// <summary>What a claim asserts: a signed difference, equivalence within a margin, an ordering of several settings, or a trend over a sweep axis.</summary>
public enum ClaimKind { Difference, Equivalence, Ordering, Trend }

/// <summary>
/// The statistical evidence a verdict rests on, as saved in results.json: the estimate of the claimed
/// quantity with its 95 % interval, the margin (equivalence claims), how many seeds and test examples,
/// and which split any choice (α, T, epoch) was made on.
/// </summary>
public sealed record ClaimEvidence(ClaimKind Kind, string Metric, double Estimate, double CiLow, double CiHigh)
{
    /// <summary>Equivalence margin (same unit as the estimate); null for other kinds.</summary>
    public double? Margin { get; init; }
    public int Seeds { get; init; } = 1;
    /// <summary>Test examples the interval resamples over.</summary>
    public int Examples { get; init; }
    /// <summary>Split on which α, T, epoch or checkpoint were selected ("validation"; "none" when nothing was selected).</summary>
    public string SelectedOn { get; init; } = "validation";
}
