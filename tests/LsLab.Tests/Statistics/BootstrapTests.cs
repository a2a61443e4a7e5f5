using LsLab.Statistics;

namespace LsLab.Tests.Statistics;

public class BootstrapTests
{
    /// <summary>Correct (1) / wrong (0) for n examples at the given accuracy, with example difficulty shared across seeds and arms.</summary>
    static double[] Correct(double[] difficulty, double accuracy, int seed)
    {
        var rng = new Random(seed);
        return difficulty.Select(d => rng.NextDouble() < accuracy + 0.3 * (d - 0.5) ? 1.0 : 0.0).ToArray();
    }

    static double[] Difficulty(int n, int seed = 1)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
    }

    static double Width(BootstrapDistribution d) { var (lo, hi) = d.Interval(); return hi - lo; }

    [Fact]
    public void Hierarchical_interval_is_wider_than_the_example_only_interval_when_seeds_vary()
    {
        var diff = Difficulty(400);
        // Seed-to-seed swings of ±4 points in arm A, none in B: only resampling seeds can see them.
        var a = new[] { 0.70, 0.78, 0.74, 0.66, 0.82 }.Select((acc, s) => Correct(diff, acc, 10 + s)).ToArray();
        var b = Enumerable.Range(0, 5).Select(s => Correct(diff, 0.74, 20 + s)).ToArray();
        var hier = Bootstrap.Hierarchical(a, b, pairedSeeds: false, resamples: 1000, seed: 4);
        // Example-only: average each example over seeds, then the one-level paired bootstrap.
        double[] Pool(double[][] m) => Enumerable.Range(0, m[0].Length).Select(i => m.Average(r => r[i])).ToArray();
        var flat = Bootstrap.Paired(Pool(a), Pool(b), resamples: 1000, seed: 4);
        Assert.Equal(flat.Estimate, hier.Estimate, 1e-12);
        Assert.True(Width(hier) > 1.3 * Width(flat), $"hierarchical width {Width(hier)} vs example-only {Width(flat)}");
    }

    [Fact]
    public void Hierarchical_with_one_seed_equals_the_one_level_paired_bootstrap()
    {
        var diff = Difficulty(300);
        var a = Correct(diff, 0.8, 1);
        var b = Correct(diff, 0.75, 2);
        var one = Bootstrap.Paired(a.Length, Bootstrap.Mean(a), Bootstrap.Mean(b), 700, 13);
        var hier = Bootstrap.Hierarchical(new[] { a }, new[] { b }, pairedSeeds: true, 700, 13);
        Assert.Equal(one.Resampled, hier.Resampled);
        Assert.Equal(one.Estimate, hier.Estimate);
        var fast = Bootstrap.Paired(a, b, 700, 13);
        Assert.Equal(one.Interval().Low, fast.Interval().Low, 1e-12);
        Assert.Equal(one.Interval().High, fast.Interval().High, 1e-12);
    }

    [Fact]
    public void Pairing_on_examples_narrows_the_interval_of_correlated_predictions()
    {
        var diff = Difficulty(1000);
        var a = Correct(diff, 0.80, 1);
        // B agrees with A on 95 % of examples: the paired interval must be much narrower than an unpaired one would be.
        var rng = new Random(3);
        var b = a.Select(v => rng.NextDouble() < 0.05 ? 1 - v : v).ToArray();
        var paired = Bootstrap.Paired(a, b, 1000, 2);
        double seUnpaired = Math.Sqrt(2 * 0.8 * 0.2 / a.Length);
        Assert.True(Width(paired) < 0.5 * 2 * 1.96 * seUnpaired, $"paired width {Width(paired)} vs unpaired {2 * 1.96 * seUnpaired}");
    }

    [Fact]
    public void Interval_of_a_mean_has_the_normal_theory_width_and_is_seed_deterministic()
    {
        var rng = new Random(5);
        var v = Enumerable.Range(0, 2000).Select(_ => rng.NextDouble()).ToArray(); // uniform: sd = 1/√12
        var d = Bootstrap.Interval(v, 2000, 1);
        double expected = 2 * 1.96 / Math.Sqrt(12 * v.Length);
        Assert.InRange(Width(d), 0.9 * expected, 1.1 * expected);
        Assert.True(d.Interval().Low < d.Estimate && d.Estimate < d.Interval().High);
        Assert.Equal(d.Resampled, Bootstrap.Interval(v, 2000, 1).Resampled);
        Assert.NotEqual(d.Resampled, Bootstrap.Interval(v, 2000, 2).Resampled);
    }

    [Fact]
    public void Ordering_gap_is_positive_only_when_the_whole_order_holds()
    {
        var diff = Difficulty(3000);
        var arms = new[] { 0.90, 0.80, 0.70 }.Select((acc, i) => Correct(diff, acc, 30 + i)).ToArray();
        IReadOnlyList<Func<int[], double>> Arm(double[] v) => new[] { Bootstrap.Mean(v) };
        var right = Bootstrap.Ordering(3000, arms.Select(Arm).ToArray(), resamples: 500, seed: 1);
        var wrong = Bootstrap.Ordering(3000, new[] { arms[0], arms[2], arms[1] }.Select(Arm).ToArray(), resamples: 500, seed: 1);
        Assert.True(right.Interval().Low > 0);
        Assert.True(wrong.Interval().High < 0);
        Assert.Equal(Math.Min(arms[0].Average() - arms[1].Average(), arms[1].Average() - arms[2].Average()), right.Estimate, 1e-12);
    }

    [Fact]
    public void Trend_finds_a_falling_metric_and_a_flat_one()
    {
        var diff = Difficulty(4000);
        var x = new[] { 0.0, 0.1, 0.2, 0.3 };
        var falling = x.Select((a, i) => Correct(diff, 0.85 - 0.5 * a, 40 + i)).ToArray();
        var flat = x.Select((_, i) => Correct(diff, 0.8, 50 + i)).ToArray();
        var f = Trend.Bootstrap(x, falling, 500, 1);
        var g = Trend.Bootstrap(x, flat, 500, 1);
        Assert.InRange(f.Estimate, -0.65, -0.35);
        Assert.True(f.Interval().High < 0);
        var (lo, hi) = g.Interval();
        Assert.True(lo < 0 && hi > 0, $"flat slope interval [{lo}, {hi}]");
    }

    [Fact]
    public void McNemar_counts_discordant_pairs_and_hand_computed_p()
    {
        var a = new[] { true, true, true, false, false, true, true, false };
        var b = new[] { true, false, false, false, true, false, true, false };
        var r = McNemar.Exact(a, b);
        Assert.Equal((3, 1), (r.OnlyA, r.OnlyB));
        // X ~ Bin(4, ½): P(X ≤ 1) = 5/16, two-sided 10/16.
        Assert.Equal(10.0 / 16, r.PValue, 1e-12);
        Assert.Equal(2 * Math.Pow(0.5, 20), McNemar.ExactP(0, 20), 1e-15);
        Assert.InRange(McNemar.ExactP(4000, 4300), 1e-5, 0.05); // large n: no underflow
    }

    [Fact]
    public void Evidence_carries_both_intervals_and_counts()
    {
        var diff = Difficulty(500);
        var e = Bootstrap.Paired(Correct(diff, 0.8, 1), Correct(diff, 0.8, 2), 400, 0).ToEvidence(ClaimKind.Equivalence, "accuracy", 0.005);
        Assert.Equal(500, e.Examples);
        Assert.Equal(400, e.Resamples);
        Assert.True(e.CiLow < e.Ci90Low && e.Ci90High < e.CiHigh);
        Assert.Equal(0.005, e.Margin);
        Assert.Contains("500 test examples", e.Method);
    }
}

public class PerExampleTests
{
    [Fact]
    public void Per_example_means_equal_the_calibration_metrics()
    {
        var rng = new Random(7);
        int n = 300, k = 5;
        var logits = Enumerable.Range(0, n * k).Select(_ => 3 * rng.NextDouble()).ToArray();
        var labels = Enumerable.Range(0, n).Select(_ => rng.Next(k)).ToArray();
        var p = LsLab.Calibration.Predictions.FromLogits(logits, k, labels);
        Assert.Equal(LsLab.Calibration.Metrics.Accuracy(p), PerExample.Correct(p).Average(), 1e-12);
        Assert.Equal(LsLab.Calibration.Metrics.Nll(p), PerExample.Nll(p).Average(), 1e-12);
        Assert.Equal(LsLab.Calibration.Metrics.Brier(p), PerExample.Brier(p).Average(), 1e-12);
        var ece = PerExample.Metric(p, x => LsLab.Calibration.Metrics.Ece(x));
        Assert.Equal(LsLab.Calibration.Metrics.Ece(p), ece(Enumerable.Range(0, n).ToArray()), 1e-12);
        var d = Bootstrap.Interval(n, ece, 50, 0);
        // ECE is biased upwards on resamples, so its percentile interval need not contain the estimate; it must still be a real interval.
        Assert.True(d.Interval().Low < d.Interval().High);
        Assert.Equal(50, d.Resamples);
    }
}
