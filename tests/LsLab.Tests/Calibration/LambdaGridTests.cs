using LsLab.Calibration;

namespace LsLab.Tests.Calibration;

/// <summary>
/// The cross-validated λ of the full affine calibrators when the best λ lies on an edge of the default grid: the path
/// goes on beyond that edge, and the held-out NLL of the extended choice is no worse than the old edge choice's.
/// </summary>
public sealed class LambdaGridTests
{
    /// <summary>
    /// Logits like the numpy data: z ~ N(0, 1), the label's logit + <paramref name="signal"/>, all × 1.8, then the
    /// classes' columns permuted by <paramref name="permute"/> (a confusion only a full matrix can undo).
    /// </summary>
    static (double[] Z, int[] Y) Make(int n, int k, int seed, double signal = 2.5, bool permute = false)
    {
        var r = new Random(seed);
        var z = new double[n * k];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % k;
            for (int j = 0; j < k; j++)
            {
                double g = Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
                z[i * k + (permute ? (j + 1) % k : j)] = 1.8 * (g + (j == y[i] ? signal : 0));
            }
        }
        return (z, y);
    }

    static double HeldOutNll(LinearCalibrator c, (double[] Z, int[] Y) test, int k) => CalMath.Nll(c.Transform(test.Z, k), k, test.Y);

    [Theory]
    [InlineData("matrix")]
    [InlineData("dirichlet")]
    [InlineData("dirichlet-l2")]
    public void Strong_edge_extends_the_grid_and_is_no_worse_held_out(string method)
    {
        // 30 classes, 10 fit rows per class: the 930-parameter full map over-fits unless λ is far above the default grid's 10.
        const int k = 30;
        var fit = Make(300, k, 1);
        var test = Make(20_000, k, 2);
        var old = LinearCalibrator.Fit(method, fit.Z, k, fit.Y, new LinearFitOptions(ExtendGrid: false));
        Assert.Equal(LinearFitOptions.DefaultGrid.Max(), old.Lambda); // the case is a strong-edge case for the default grid
        var cal = LinearCalibrator.Fit(method, fit.Z, k, fit.Y);
        var d = cal.Report!.Details;
        Assert.True(cal.Lambda > LinearFitOptions.DefaultGrid.Max(), $"λ = {cal.Lambda}");
        Assert.True(d["lambdaGridExtended"] >= 1);
        Assert.True(d.ContainsKey("cvNll[λ=100]"));
        Assert.True(d[$"cvNll[λ={cal.Lambda:G3}]"] < d["cvNll[λ=10]"]);
        Assert.True(cal.Report.Success, cal.Report.Message);
        double nllNew = HeldOutNll(cal, test, k), nllOld = HeldOutNll(old, test, k);
        Assert.True(nllNew <= nllOld, $"{method}: held-out NLL {nllNew} at λ = {cal.Lambda} above {nllOld} at λ = 10");
        Assert.True(cal.Report.FinalNll <= d["temperatureScalingNll"] + 1e-12);
    }

    [Fact]
    public void Weak_edge_extends_the_grid_downwards()
    {
        // A permuted confusion and 600 rows per class for 30 parameters: the weakest default λ is best, so weaker ones are tried.
        const int k = 5;
        var fit = Make(3000, k, 3, signal: 1.5, permute: true);
        var old = LinearCalibrator.Fit("matrix", fit.Z, k, fit.Y, new LinearFitOptions(ExtendGrid: false));
        Assert.Equal(LinearFitOptions.DefaultGrid.Min(), old.Lambda);
        var cal = LinearCalibrator.Fit("matrix", fit.Z, k, fit.Y);
        var d = cal.Report!.Details;
        Assert.True(d.ContainsKey("cvNll[λ=0.001]"));
        Assert.True(d["lambdaGridExtended"] >= 1);
        Assert.True(cal.Lambda <= LinearFitOptions.DefaultGrid.Min());
        Assert.Equal(d.Where(p => p.Key.StartsWith("cvNll")).Min(p => p.Value), d[$"cvNll[λ={cal.Lambda:G3}]"]);
    }
}
