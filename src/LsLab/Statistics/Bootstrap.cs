namespace LsLab.Statistics;

/// <summary>
/// Bootstrap intervals over test examples (and over seeds when there are several), seeded and
/// reproducible: resample indices come from <see cref="SplitMix64"/>, the interval is the
/// percentile interval with numpy's default (linear) quantile rule.
///
/// A metric is a function of the example indices of one resample (<c>Func&lt;int[], double&gt;</c>), so any
/// metric works (ECE, corpus BLEU, …); <see cref="Mean"/> turns per-example values (correct 0/1, NLL,
/// Brier, per-sentence chrF) into such a function that needs one pass and no copy.
///
/// Every resample draws one index vector over the test examples and applies it to every arm and
/// every seed: all of them were scored on the same test set, so pairing is automatic, and the
/// test set's own sampling noise is counted once (not averaged away across seeds).
/// </summary>
public static class Bootstrap
{
    /// <summary>Resamples used when the caller does not say (see <see cref="Margins.Resamples"/>).</summary>
    public const int DefaultResamples = 2000;

    /// <summary>Added to the seed for the seed-resampling stream, so example indices do not depend on the number of seeds.</summary>
    public const ulong SeedStreamOffset = 0xD1B54A32D192ED03UL;

    /// <summary>The mean of per-example values over a resample's indices (the fast path for accuracy, NLL, Brier, per-sentence scores).</summary>
    public static Func<int[], double> Mean(double[] perExample) => idx =>
    {
        double s = 0;
        foreach (int j in idx) s += perExample[j];
        return s / idx.Length;
    };

    /// <summary>The indices of every resample (row r = resample r), exactly as the intervals below draw them.</summary>
    public static int[][] Indices(int n, int resamples, int seed = 0)
    {
        var rng = new SplitMix64(unchecked((ulong)(long)seed));
        var rows = new int[resamples][];
        for (int r = 0; r < resamples; r++) { rows[r] = new int[n]; rng.Fill(rows[r], n); }
        return rows;
    }

    /// <summary>One-sample interval of any metric over <paramref name="n"/> test examples.</summary>
    public static BootstrapDistribution Interval(int n, Func<int[], double> metric, int resamples = DefaultResamples, int seed = 0) =>
        Statistic(n, new[] { new[] { metric } }, v => v[0], true, resamples, seed);

    /// <summary>One-sample interval of the mean of per-example values.</summary>
    public static BootstrapDistribution Interval(double[] perExample, int resamples = DefaultResamples, int seed = 0) =>
        Interval(perExample.Length, Mean(perExample), resamples, seed);

    /// <summary>Paired interval of metric(A) − metric(B), both computed on the same resampled test examples.</summary>
    public static BootstrapDistribution Paired(int n, Func<int[], double> a, Func<int[], double> b, int resamples = DefaultResamples, int seed = 0) =>
        Statistic(n, new[] { new[] { a }, new[] { b } }, v => v[0] - v[1], true, resamples, seed);

    /// <summary>Paired interval of mean(A) − mean(B) for per-example values (same draws as the general overload, one pass per resample).</summary>
    public static BootstrapDistribution Paired(double[] a, double[] b, int resamples = DefaultResamples, int seed = 0)
    {
        if (a.Length != b.Length) throw new ArgumentException($"paired bootstrap needs the same test examples on both sides ({a.Length} vs {b.Length} values).");
        var d = new double[a.Length];
        for (int i = 0; i < d.Length; i++) d[i] = a[i] - b[i];
        return Interval(d, resamples, seed);
    }

    /// <summary>
    /// Two-level interval of metric(A) − metric(B) with several seeds per arm: each resample draws
    /// seeds with replacement (the same seed positions for both arms when <paramref name="pairedSeeds"/>,
    /// i.e. seed i of A and seed i of B share initialisation or data order), then one example-index
    /// vector used by every drawn seed. An arm's value is the mean of its drawn seeds' metrics.
    /// With one seed per arm it equals <see cref="Paired(int, Func{int[], double}, Func{int[], double}, int, int)"/>.
    /// </summary>
    public static BootstrapDistribution Hierarchical(int n, IReadOnlyList<Func<int[], double>> seedsA, IReadOnlyList<Func<int[], double>> seedsB,
        bool pairedSeeds = true, int resamples = DefaultResamples, int seed = 0) =>
        Statistic(n, new[] { seedsA, seedsB }, v => v[0] - v[1], pairedSeeds, resamples, seed);

    /// <summary>Hierarchical interval of mean(A) − mean(B) from per-example values, <c>a[seed][example]</c>.</summary>
    public static BootstrapDistribution Hierarchical(double[][] a, double[][] b, bool pairedSeeds = true, int resamples = DefaultResamples, int seed = 0)
    {
        int n = CommonLength(a.Concat(b));
        return Hierarchical(n, a.Select(Mean).ToArray(), b.Select(Mean).ToArray(), pairedSeeds, resamples, seed);
    }

    /// <summary>
    /// Interval of the smallest consecutive gap, min over i of metric(arm i) − metric(arm i+1), for a
    /// claimed order "arm 0 &gt; arm 1 &gt; …" (list the arms highest first; negate a lower-is-better
    /// metric). Positive throughout the interval ⇔ the whole order holds jointly.
    /// </summary>
    public static BootstrapDistribution Ordering(int n, IReadOnlyList<IReadOnlyList<Func<int[], double>>> armsHighToLow,
        bool pairedSeeds = true, int resamples = DefaultResamples, int seed = 0)
    {
        if (armsHighToLow.Count < 2) throw new ArgumentException("an ordering needs at least two arms.");
        return Statistic(n, armsHighToLow, v =>
        {
            double min = double.PositiveInfinity;
            for (int i = 0; i + 1 < v.Length; i++) min = Math.Min(min, v[i] - v[i + 1]);
            return min;
        }, pairedSeeds, resamples, seed);
    }

    /// <summary>
    /// The engine behind every interval: <paramref name="arms"/>[a][s] is arm a's metric for seed s;
    /// <paramref name="statistic"/> maps the arms' values (mean over their seeds) to the claimed quantity.
    /// Its value on the full test set with all seeds is the estimate.
    /// </summary>
    public static BootstrapDistribution Statistic(int n, IReadOnlyList<IReadOnlyList<Func<int[], double>>> arms, Func<double[], double> statistic,
        bool pairedSeeds = true, int resamples = DefaultResamples, int seed = 0)
    {
        if (n < 1) throw new ArgumentException($"bootstrap needs at least one test example, got {n}.");
        if (resamples < 2) throw new ArgumentException($"bootstrap resamples must be ≥ 2, got {resamples}.");
        if (arms.Count == 0 || arms.Any(a => a.Count == 0)) throw new ArgumentException("every arm needs at least one seed.");
        if (pairedSeeds && arms.Any(a => a.Count != arms[0].Count))
            throw new ArgumentException($"paired seeds need the same number of seeds in every arm ({string.Join(", ", arms.Select(a => a.Count))}); pass pairedSeeds: false.");

        int k = arms.Count;
        var values = new double[k];
        var all = Enumerable.Range(0, n).ToArray();
        for (int a = 0; a < k; a++) values[a] = arms[a].Average(m => m(all));
        double estimate = statistic(values);

        var exampleRng = new SplitMix64(unchecked((ulong)(long)seed));
        var seedRng = new SplitMix64(unchecked((ulong)(long)seed + SeedStreamOffset));
        var idx = new int[n];
        var drawn = new int[arms.Max(a => a.Count)];
        var dist = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            exampleRng.Fill(idx, n);
            if (pairedSeeds) DrawSeeds(seedRng, drawn, arms[0].Count);
            for (int a = 0; a < k; a++)
            {
                int s = arms[a].Count;
                if (!pairedSeeds) DrawSeeds(seedRng, drawn, s);
                double sum = 0;
                for (int j = 0; j < s; j++) sum += arms[a][drawn[j]](idx);
                values[a] = sum / s;
            }
            dist[r] = statistic(values);
            if (double.IsNaN(dist[r])) throw new ArgumentException($"the statistic is NaN on bootstrap resample {r}; the metric must be defined on every resample.");
        }
        return new BootstrapDistribution(estimate, dist, n, arms.Min(a => a.Count));
    }

    /// <summary>Seeds drawn with replacement; with one seed nothing is drawn, so the stream matches the one-level bootstrap.</summary>
    static void DrawSeeds(SplitMix64 rng, int[] into, int count)
    {
        if (count == 1) { into[0] = 0; return; }
        for (int j = 0; j < count; j++) into[j] = rng.NextIndex(count);
    }

    internal static int CommonLength(IEnumerable<double[]> rows)
    {
        var lengths = rows.Select(r => r.Length).Distinct().ToList();
        if (lengths.Count != 1) throw new ArgumentException($"every seed and arm must be scored on the same test examples (lengths {string.Join(", ", lengths)}).");
        return lengths[0];
    }

    /// <summary>numpy's default ("linear") quantile of sorted values.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        double pos = q * (sorted.Count - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}

/// <summary>
/// The bootstrap distribution of a statistic: the estimate (on the full test set, all seeds), the
/// sorted resample values, and how many test examples and seeds went in.
/// </summary>
public sealed class BootstrapDistribution
{
    readonly double[] _sorted;

    /// <summary>A distribution from the full-data <paramref name="estimate"/> and the <paramref name="resampled"/> values (copied and sorted).</summary>
    public BootstrapDistribution(double estimate, double[] resampled, int examples, int seeds)
    {
        Estimate = estimate;
        _sorted = (double[])resampled.Clone();
        Array.Sort(_sorted);
        Examples = examples;
        Seeds = seeds;
    }

    /// <summary>The statistic on the full test set (all seeds).</summary>
    public double Estimate { get; }
    /// <summary>The resample values, sorted ascending.</summary>
    public IReadOnlyList<double> Resampled => _sorted;
    /// <summary>Number of resamples.</summary>
    public int Resamples => _sorted.Length;
    /// <summary>Test examples each resample draws from.</summary>
    public int Examples { get; }
    /// <summary>Seeds per arm (the smallest arm when they differ).</summary>
    public int Seeds { get; }

    /// <summary>Percentile interval at <paramref name="level"/> (0.95 → the 2.5 % and 97.5 % quantiles).</summary>
    public (double Low, double High) Interval(double level = 0.95)
    {
        double a = (1 - level) / 2;
        return (Bootstrap.Quantile(_sorted, a), Bootstrap.Quantile(_sorted, 1 - a));
    }

    /// <summary>
    /// Two one-sided tests at 5 %: true when the 90 % interval lies inside (−margin, +margin). Reported beside
    /// the verdict, which uses the stricter 95 % interval (<see cref="Verdicts"/>).
    /// </summary>
    public bool TostEquivalent(double margin)
    {
        var (lo, hi) = Interval(0.90);
        return lo > -margin && hi < margin;
    }

    /// <summary>Share of resamples strictly above <paramref name="value"/> (e.g. how often A beats B).</summary>
    public double ShareAbove(double value) => _sorted.Count(v => v > value) / (double)_sorted.Length;

    /// <summary>The evidence record for results.json: estimate, 95 % and 90 % intervals, counts and method.</summary>
    public ClaimEvidence ToEvidence(ClaimKind kind, string metric, double? margin = null, string selectedOn = "validation")
    {
        var (lo, hi) = Interval(0.95);
        var (lo90, hi90) = Interval(0.90);
        return new ClaimEvidence(kind, metric, Estimate, lo, hi)
        {
            Margin = margin, Seeds = Seeds, Examples = Examples, SelectedOn = selectedOn,
            Ci90Low = lo90, Ci90High = hi90, Resamples = Resamples,
            Method = Seeds > 1
                ? $"hierarchical bootstrap ({Resamples} resamples: {Seeds} seeds, then {Examples} test examples, paired across arms), 95% percentile interval"
                : $"bootstrap over {Examples} test examples (paired across arms), {Resamples} resamples, 95% percentile interval; one seed, so seed-to-seed noise is not in the interval",
        };
    }
}
