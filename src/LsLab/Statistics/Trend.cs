namespace LsLab.Statistics;

/// <summary>
/// A metric's trend over a sweep axis (α, n, temperature, epoch): the ordinary-least-squares slope of
/// metric against axis value, with a bootstrap interval that resamples the test examples (one index
/// vector for every sweep point, as they share the test set) and, with several seeds, the seeds.
/// </summary>
public static class Trend
{
    /// <summary>OLS slope of <paramref name="y"/> on <paramref name="x"/>: Σ(x−x̄)(y−ȳ) / Σ(x−x̄)².</summary>
    public static double Slope(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count || x.Count < 2) throw new ArgumentException($"a slope needs at least two (x, y) points of equal count ({x.Count}, {y.Count}).");
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < x.Count; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); }
        if (sxx == 0) throw new ArgumentException("a slope needs at least two distinct sweep values.");
        return sxy / sxx;
    }

    /// <summary>Slope with its bootstrap distribution; <paramref name="points"/>[p] is the metric at sweep value x[p] (any metric of example indices).</summary>
    public static BootstrapDistribution Bootstrap(IReadOnlyList<double> x, int n, IReadOnlyList<Func<int[], double>> points, int resamples = Statistics.Bootstrap.DefaultResamples, int seed = 0) =>
        Bootstrap(x, n, points.Select(p => (IReadOnlyList<Func<int[], double>>)new[] { p }).ToArray(), true, resamples, seed);

    /// <summary>Slope from per-example values, <paramref name="perExample"/>[p][i] at sweep value x[p] (e.g. 0/1 correct at each α).</summary>
    public static BootstrapDistribution Bootstrap(IReadOnlyList<double> x, double[][] perExample, int resamples = Statistics.Bootstrap.DefaultResamples, int seed = 0) =>
        Bootstrap(x, Statistics.Bootstrap.CommonLength(perExample), perExample.Select(Statistics.Bootstrap.Mean).ToArray(), resamples, seed);

    /// <summary>Slope with several seeds per sweep point, <paramref name="points"/>[p][s]; seeds paired across points by position when <paramref name="pairedSeeds"/>.</summary>
    public static BootstrapDistribution Bootstrap(IReadOnlyList<double> x, int n, IReadOnlyList<IReadOnlyList<Func<int[], double>>> points, bool pairedSeeds,
        int resamples = Statistics.Bootstrap.DefaultResamples, int seed = 0)
    {
        if (x.Count != points.Count) throw new ArgumentException($"{x.Count} sweep values but {points.Count} sweep points.");
        var xs = x.ToArray();
        return Statistics.Bootstrap.Statistic(n, points, v => Slope(xs, v), pairedSeeds, resamples, seed);
    }
}
