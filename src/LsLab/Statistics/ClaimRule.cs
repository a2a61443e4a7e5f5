namespace LsLab.Statistics;

/// <summary>The sign a difference or trend claims: metric(A) − metric(B) (or the slope) is positive, or negative.</summary>
public enum Direction
{
    /// <summary>Positive difference or slope.</summary>
    Increase,
    /// <summary>Negative difference or slope.</summary>
    Decrease,
}

/// <summary>
/// A claim of the paper as data: its kind, its metric, and what is needed to judge it — the claimed
/// direction (difference, trend), the margin (equivalence), optionally the paper's own effect in the
/// same unit (which sets the power check's target). Judged by <see cref="Verdicts.Decide(ClaimRule, ClaimEvidence, bool)"/>.
/// </summary>
public sealed record ClaimRule(ClaimKind Kind, string Metric)
{
    /// <summary>Claimed sign of the difference A − B or of the slope (ignored for equivalence and ordering).</summary>
    public Direction Direction { get; init; } = Direction.Increase;
    /// <summary>Equivalence margin (|difference| &lt; Margin.Value is "no effect") or non-inferiority margin (difference &gt; −Margin.Value).</summary>
    public Margin? Margin { get; init; }
    /// <summary>The paper's effect, same unit as the evidence (its sign is ignored: the direction says it).</summary>
    public double? PaperEffect { get; init; }

    /// <summary>"A − B has this sign"; <paramref name="paperEffect"/> is the paper's size of A − B, if it reports one.</summary>
    public static ClaimRule Difference(string metric, Direction direction, double? paperEffect = null) =>
        new(ClaimKind.Difference, metric) { Direction = direction, PaperEffect = paperEffect };

    /// <summary>"A and B differ by less than the margin" (changes little, about as well, no better).</summary>
    public static ClaimRule Equivalence(string metric, Margin margin) => new(ClaimKind.Equivalence, metric) { Margin = margin };

    /// <summary>
    /// "A is at least as good as B": A − B (oriented so that positive means A is better) &gt; −margin. Also "B is no better
    /// than A" — a claim that holds whether A and B are equal or A is clearly better, which equivalence would reject.
    /// </summary>
    public static ClaimRule NonInferiority(string metric, Margin margin) => new(ClaimKind.NonInferiority, metric) { Margin = margin };

    /// <summary>"Arm 0 &gt; arm 1 &gt; …": evidence is the smallest consecutive gap (<see cref="Bootstrap.Ordering"/>).</summary>
    public static ClaimRule Ordering(string metric) => new(ClaimKind.Ordering, metric);

    /// <summary>"The metric rises (falls) along the sweep axis"; evidence is the OLS slope (<see cref="Trend.Bootstrap(IReadOnlyList{double}, double[][], int, int)"/>).</summary>
    public static ClaimRule Trend(string metric, Direction direction, double? paperSlope = null) =>
        new(ClaimKind.Trend, metric) { Direction = direction, PaperEffect = paperSlope };
}
