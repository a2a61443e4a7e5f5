using LsLab.Calibration;

namespace LsLab.Tests.Calibration;

/// <summary>
/// The cross-validated λ of the K×K fits (matrix, Dirichlet) includes the path's limit λ = ∞: with many classes and few
/// rows per class it must be chosen and must not over-fit; with enough rows and real off-diagonal structure it must not be.
/// </summary>
public sealed class LambdaPathTests
{
    /// <summary>Rows whose true class probabilities are softmax(z*), observed as <paramref name="mix"/>(z*) (the miscalibration).</summary>
    internal static (double[] Z, int[] Y) Make(int n, int k, int seed, Func<double[], double[]> mix)
    {
        var rng = new Random(seed);
        var z = new double[n * k];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            var t = new double[k];
            int c = rng.Next(k);
            for (int j = 0; j < k; j++) t[j] = 0.8 * Gauss(rng) + (j == c ? 2.0 : 0);
            var p = CalMath.SoftmaxRows(t, k);
            double u = rng.NextDouble(), acc = 0;
            y[i] = k - 1;
            for (int j = 0; j < k; j++) { acc += p[j]; if (u < acc) { y[i] = j; break; } }
            mix(t).CopyTo(z, i * k);
        }
        return (z, y);
    }

    static double Gauss(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    [Theory]
    [InlineData("matrix")]
    [InlineData("dirichlet")]
    [InlineData("dirichlet-l2")]
    public void Few_rows_per_class_choose_the_limit_and_do_not_over_fit(string method)
    {
        const int k = 30;
        Func<double[], double[]> overConfident = t => t.Select(v => 2.5 * v).ToArray();
        var (zf, yf) = Make(300, k, 1, overConfident); // 10 rows per class for 930 parameters
        var (ze, ye) = Make(6000, k, 2, overConfident);
        var cv = LinearCalibrator.Fit(method, zf, k, yf);
        Assert.True(double.IsPositiveInfinity(cv.Lambda), $"λ = {cv.Lambda}; {string.Join(", ", cv.Report!.Details)}");
        Assert.True(cv.Report!.Success && cv.Report.Converged, cv.Report.Message);
        Assert.Contains("∞", cv.Describe());
        double nllCv = CalMath.Nll(cv.Transform(ze, k), k, ye);
        double nllEdge = CalMath.Nll(LinearCalibrator.Fit(method, zf, k, yf, new LinearFitOptions(Lambda: 10)).Transform(ze, k), k, ye);
        double nllTs = CalMath.Nll(TemperatureScaling.Fit(zf, k, yf).Transform(ze, k), k, ye);
        Console.WriteLine($"{method}: held-out NLL λ = ∞ {nllCv:F4}, λ = 10 {nllEdge:F4}, TS {nllTs:F4}");
        // The old grid's strongest member over-fits here; the limit's K free scales cost about K/(2N) = 0.05 nats over TS.
        Assert.True(nllCv < nllEdge - 0.05, $"held-out NLL at λ = ∞ {nllCv:F4} vs λ = 10 {nllEdge:F4}");
        Assert.True(nllCv <= nllTs + 0.1, $"held-out NLL at λ = ∞ {nllCv:F4} vs temperature scaling {nllTs:F4}");
        if (method == "dirichlet-l2")
        {
            // L2 towards TS at λ = ∞ is temperature scaling itself.
            var pTs = CalMath.SoftmaxRows(TemperatureScaling.Fit(zf, k, yf).Transform(ze, k), k);
            var pCv = CalMath.SoftmaxRows(cv.Transform(ze, k), k);
            for (int i = 0; i < pTs.Length; i++) Assert.Equal(pTs[i], pCv[i], 1e-9);
        }
        else
        {
            for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) if (i != j) Assert.Equal(0.0, cv.Weights[i * k + j]);
            Assert.All(cv.Bias, b => Assert.Equal(0.0, b));
        }
        // Saved and rebuilt, λ = ∞ survives and the map is the same.
        var back = LinearCalibrator.FromState(cv.State());
        Assert.True(double.IsPositiveInfinity(back.Lambda));
        Assert.Equal(cv.Transform(ze, k), back.Transform(ze, k));
    }

    [Fact]
    public void Enough_rows_and_off_diagonal_structure_choose_a_finite_lambda()
    {
        const int k = 4;
        // Classes 0 and 1 are swapped in the observed logits: only a full W can undo it.
        Func<double[], double[]> swapped = t => new[] { t[1], t[0], t[2], t[3] }.Select(v => 1.5 * v).ToArray();
        var (zf, yf) = Make(3000, k, 3, swapped);
        var (ze, ye) = Make(6000, k, 4, swapped);
        var cv = LinearCalibrator.Fit("matrix", zf, k, yf);
        Assert.True(double.IsFinite(cv.Lambda), $"λ = {cv.Lambda}; {string.Join(", ", cv.Report!.Details)}");
        double nllCv = CalMath.Nll(cv.Transform(ze, k), k, ye);
        double nllVector = CalMath.Nll(LinearCalibrator.Fit("vector", zf, k, yf).Transform(ze, k), k, ye);
        Assert.True(nllCv < nllVector - 0.1, $"held-out NLL matrix {nllCv:F4} vs vector scaling {nllVector:F4}");
    }
}
