using System.Text.Json;
using LsLab.Statistics;

namespace LsLab.Tests.Statistics;

/// <summary>
/// The bootstrap against bench/reference/statistics_reference.py, which regenerates the same resample
/// indices from the seed (SplitMix64) and computes the intervals with numpy alone.
/// </summary>
public class BootstrapReferenceTests
{
    const double Tol = 1e-6;

    static JsonElement Case(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Statistics", "Fixtures", "statistics_reference.json");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty(name);
    }

    static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    static void AssertMatches(JsonElement expected, BootstrapDistribution actual)
    {
        Assert.Equal(expected.GetProperty("estimate").GetDouble(), actual.Estimate, Tol);
        var ci95 = Doubles(expected.GetProperty("ci95"));
        var ci90 = Doubles(expected.GetProperty("ci90"));
        var (lo, hi) = actual.Interval(0.95);
        var (lo90, hi90) = actual.Interval(0.90);
        Assert.Equal(ci95[0], lo, Tol);
        Assert.Equal(ci95[1], hi, Tol);
        Assert.Equal(ci90[0], lo90, Tol);
        Assert.Equal(ci90[1], hi90, Tol);
        Assert.Equal(expected.GetProperty("share_above_zero").GetDouble(), actual.ShareAbove(0), Tol);
    }

    [Fact]
    public void Resample_indices_are_the_documented_SplitMix64_stream()
    {
        var c = Case("paired_mean");
        var expected = c.GetProperty("first_indices").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var first = Bootstrap.Indices(c.GetProperty("a").GetArrayLength(), 1, c.GetProperty("seed").GetInt32())[0];
        Assert.Equal(expected, first.Take(expected.Length).ToArray());
    }

    [Fact]
    public void Paired_difference_of_means_matches_numpy_by_both_paths()
    {
        var c = Case("paired_mean");
        var (a, b) = (Doubles(c.GetProperty("a")), Doubles(c.GetProperty("b")));
        int resamples = c.GetProperty("resamples").GetInt32(), seed = c.GetProperty("seed").GetInt32();
        AssertMatches(c, Bootstrap.Paired(a, b, resamples, seed));
        AssertMatches(c, Bootstrap.Paired(a.Length, Bootstrap.Mean(a), Bootstrap.Mean(b), resamples, seed));
        Assert.Equal(resamples, Bootstrap.Paired(a, b, resamples, seed).Resamples);
    }

    [Fact]
    public void Paired_difference_of_a_ratio_metric_matches_numpy()
    {
        var c = Case("paired_ratio");
        var (na, nb, den) = (Doubles(c.GetProperty("num_a")), Doubles(c.GetProperty("num_b")), Doubles(c.GetProperty("den")));
        Func<int[], double> Ratio(double[] num) => idx => idx.Sum(i => num[i]) / idx.Sum(i => den[i]);
        AssertMatches(c, Bootstrap.Paired(den.Length, Ratio(na), Ratio(nb), c.GetProperty("resamples").GetInt32(), c.GetProperty("seed").GetInt32()));
    }

    [Fact]
    public void One_sample_interval_of_a_mean_matches_numpy()
    {
        var c = Case("one_sample_mean");
        AssertMatches(c, Bootstrap.Interval(Doubles(c.GetProperty("values")), c.GetProperty("resamples").GetInt32(), c.GetProperty("seed").GetInt32()));
    }

    [Fact]
    public void Hierarchical_bootstrap_matches_numpy_with_paired_and_unpaired_seeds()
    {
        var c = Case("hierarchical");
        var a = c.GetProperty("a").EnumerateArray().Select(Doubles).ToArray();
        var b = c.GetProperty("b").EnumerateArray().Select(Doubles).ToArray();
        int resamples = c.GetProperty("resamples").GetInt32(), seed = c.GetProperty("seed").GetInt32();
        var paired = Bootstrap.Hierarchical(a, b, pairedSeeds: true, resamples, seed);
        var unpaired = Bootstrap.Hierarchical(a, b, pairedSeeds: false, resamples, seed);
        AssertMatches(c.GetProperty("paired"), paired);
        AssertMatches(c.GetProperty("unpaired"), unpaired);
        Assert.Equal(3, paired.Seeds);
    }

    [Fact]
    public void Trend_slope_and_interval_match_numpy()
    {
        var c = Case("trend");
        var x = Doubles(c.GetProperty("x"));
        var points = c.GetProperty("points").EnumerateArray().Select(Doubles).ToArray();
        Assert.Equal(c.GetProperty("slope").GetDouble(), Trend.Slope(x, points.Select(p => p.Average()).ToArray()), 1e-12);
        AssertMatches(c, Trend.Bootstrap(x, points, c.GetProperty("resamples").GetInt32(), c.GetProperty("seed").GetInt32()));
    }

    [Fact]
    public void McNemar_exact_p_matches_scipy_binomtest()
    {
        int n = 0;
        foreach (var c in Case("mcnemar").EnumerateArray())
        {
            int onlyA = c.GetProperty("only_a").GetInt32(), onlyB = c.GetProperty("only_b").GetInt32();
            Assert.Equal(c.GetProperty("p").GetDouble(), McNemar.ExactP(onlyA, onlyB), 1e-10);
            n++;
        }
        Assert.True(n >= 8);
    }
}
