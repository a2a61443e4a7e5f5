using LsLab.Calibration;
using Xunit;

namespace LsLab.Tests.Calibration;

/// <summary>The radix sort behind every sort-based estimator against LINQ's stable comparison sort.</summary>
public class OrderTests
{
    static int[] Reference(double[] f) =>
        Enumerable.Range(0, f.Length).OrderBy(i => f[i] == 0 ? 0.0 : f[i]).ThenBy(i => i).ToArray();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(50_000)]
    public void Order_is_ascending_with_ties_by_index(int n)
    {
        var rng = new Random(n + 3);
        // Confidences as models print them (many ties after rounding), full-range doubles, and the edge values.
        var f = new double[n];
        for (int i = 0; i < n; i++)
            f[i] = (i % 4) switch
            {
                0 => Math.Round(rng.NextDouble(), 3),
                1 => rng.NextDouble(),
                2 => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-300, 300)),
                _ => new[] { 0.0, -0.0, 1.0, -1.0, double.Epsilon, -double.Epsilon, double.MaxValue, double.NegativeInfinity, double.PositiveInfinity, 1e-300 }[rng.Next(10)],
            };
        Assert.Equal(Reference(f), Estimators.Order(f));
    }

    [Fact]
    public void Nan_sorts_first_like_Array_Sort_and_all_equal_scores_keep_index_order()
    {
        var f = new[] { 0.5, double.NaN, 0.2, double.NaN, 0.5 };
        Assert.Equal(new[] { 1, 3, 2, 0, 4 }, Estimators.Order(f));
        var same = Enumerable.Repeat(0.7, 5000).ToArray();
        Assert.Equal(Enumerable.Range(0, 5000), Estimators.Order(same));
    }
}
