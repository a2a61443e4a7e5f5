namespace LsLab.Statistics;

/// <summary>The discordant pairs of two classifiers on the same test examples and McNemar's exact p-value.</summary>
/// <param name="OnlyA">Examples A gets right and B gets wrong.</param>
/// <param name="OnlyB">Examples B gets right and A gets wrong.</param>
/// <param name="PValue">Two-sided exact p-value of "A and B are equally accurate".</param>
public sealed record McNemarResult(int OnlyA, int OnlyB, double PValue)
{
    /// <summary>Pairs on which the two classifiers disagree (the test's sample size).</summary>
    public int Discordant => OnlyA + OnlyB;
}

/// <summary>
/// McNemar's exact test for paired accuracy: under "A and B are equally accurate" each discordant
/// example is A's with probability ½, so OnlyA ~ Binomial(OnlyA + OnlyB, ½). The two-sided p-value is
/// min(1, 2·P(X ≤ min(OnlyA, OnlyB))), equal to scipy.stats.binomtest(OnlyA, OnlyA + OnlyB, 0.5).pvalue.
/// </summary>
public static class McNemar
{
    /// <summary>Counts the discordant pairs of two correct/incorrect vectors and tests them.</summary>
    public static McNemarResult Exact(IReadOnlyList<bool> correctA, IReadOnlyList<bool> correctB)
    {
        if (correctA.Count != correctB.Count) throw new ArgumentException($"McNemar's test needs the same test examples for both ({correctA.Count} vs {correctB.Count}).");
        int onlyA = 0, onlyB = 0;
        for (int i = 0; i < correctA.Count; i++)
        {
            if (correctA[i] && !correctB[i]) onlyA++;
            else if (!correctA[i] && correctB[i]) onlyB++;
        }
        return new McNemarResult(onlyA, onlyB, ExactP(onlyA, onlyB));
    }

    /// <summary>Two-sided exact p-value for discordant counts <paramref name="onlyA"/> and <paramref name="onlyB"/> (1 when there are none).</summary>
    public static double ExactP(int onlyA, int onlyB)
    {
        if (onlyA < 0 || onlyB < 0) throw new ArgumentException($"discordant counts must be ≥ 0, got {onlyA} and {onlyB}.");
        int n = onlyA + onlyB, k = Math.Min(onlyA, onlyB);
        if (n == 0 || 2 * k == n) return 1.0;
        // log P(X = i) for i = 0..k, summed with log-sum-exp so large n does not underflow.
        double logC = 0, logHalfN = n * Math.Log(0.5), max = double.NegativeInfinity;
        var terms = new double[k + 1];
        for (int i = 0; i <= k; i++)
        {
            if (i > 0) logC += Math.Log(n - i + 1) - Math.Log(i);
            terms[i] = logC + logHalfN;
            max = Math.Max(max, terms[i]);
        }
        double sum = 0;
        foreach (var t in terms) sum += Math.Exp(t - max);
        return Math.Min(1.0, 2 * Math.Exp(max + Math.Log(sum)));
    }
}
