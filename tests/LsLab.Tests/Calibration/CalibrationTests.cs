using System.Text.Json;
using LsLab.Calibration;
using LsLab.Data;

namespace LsLab.Tests.Calibration;

public class CalibrationTests
{
    static string Fixture(string f) => Path.Combine(AppContext.BaseDirectory, "Calibration", "Fixtures", f);

    static (double[] Logits, int[] Labels, JsonElement Ref) Reference()
    {
        var z = Npy.Read(Fixture("cal_logits.npy"));
        var y = Npy.Read(Fixture("cal_labels.npy"));
        var r = JsonDocument.Parse(File.ReadAllText(Fixture("calibration_reference.json"))).RootElement;
        return (z.Values, y.Values.Select(v => (int)v).ToArray(), r);
    }

    [Fact]
    public void Metrics_match_the_numpy_reference_to_1e_6()
    {
        var (z, y, r) = Reference();
        var p = Predictions.FromLogits(z, 10, y);
        Assert.Equal(r.GetProperty("ece15").GetDouble(), Metrics.Ece(p), 1e-6);
        Assert.Equal(r.GetProperty("mce15").GetDouble(), Metrics.CalibrationError(p, new CalibrationSettings(Norm: GapNorm.Max)).Value, 1e-6);
        Assert.Equal(r.GetProperty("brier").GetDouble(), Metrics.Brier(p), 1e-6);
        Assert.Equal(r.GetProperty("nll").GetDouble(), Metrics.Nll(p), 1e-6);
        Assert.Equal(r.GetProperty("accuracy").GetDouble(), Metrics.Accuracy(p), 1e-12);
    }

    [Fact]
    public void Temperature_matches_PyTorch_LBFGS_to_1e_4_and_lowers_ECE()
    {
        var (z, y, r) = Reference();
        var ts = TemperatureScaling.Fit(z, 10, y);
        Assert.Equal(r.GetProperty("temperature").GetDouble(), ts.Temperature, 1e-4);
        Assert.Equal(r.GetProperty("nll_at_t").GetDouble(), ts.FittedNll, 1e-6);
        var after = Predictions.FromLogits(ts.Transform(z, 10), 10, y);
        Assert.Equal(r.GetProperty("ece15_at_t").GetDouble(), Metrics.Ece(after), 1e-5);
    }

    [Fact]
    public void Streaming_accumulator_equals_the_batch_metrics()
    {
        var (z, y, _) = Reference();
        var s = new StreamingCalibration(10);
        var zf = z.Select(v => (float)v).ToArray();
        for (int start = 0; start < y.Length; start += 700)
        {
            int len = Math.Min(700, y.Length - start);
            s.Add(zf.AsSpan(start * 10, len * 10), y.AsSpan(start, len));
        }
        var p = Predictions.FromLogits(zf.Select(v => (double)v).ToArray(), 10, y);
        Assert.Equal(y.Length, s.Count);
        // float32 input: the streaming path subtracts the max in float, so agree to float precision.
        Assert.Equal(Metrics.Ece(p), s.Ece(), 1e-7);
        Assert.Equal(Metrics.Nll(p), s.Nll(), 1e-7);
        Assert.Equal(Metrics.Brier(p), s.Brier(), 1e-7);
        Assert.Equal(Metrics.Accuracy(p), s.Accuracy(), 1e-12);
    }

    [Fact]
    public void Hand_computed_ECE_with_confidence_exactly_one_in_the_last_bin()
    {
        // Four examples, 2 classes, given as probabilities.
        // conf 1.0 correct → last bin (14/15, 1]; conf 0.6 wrong and 0.6 correct → bin 8 ((8/15, 9/15]); conf 0.95 correct → last bin.
        var probs = new double[] { 1.0, 0.0, 0.6, 0.4, 0.4, 0.6, 0.05, 0.95 };
        var labels = new[] { 0, 1, 1, 1 };
        var p = Predictions.FromProbabilities(probs, 2, labels);
        var bins = Metrics.Reliability(p);
        Assert.Equal(15, bins.Count);
        Assert.Equal(2, bins[14].Count);        // 1.0 and 0.95 share the last bin, no phantom 16th bin
        Assert.Equal(2, bins[8].Count);
        Assert.Equal(4, bins.Sum(b => b.Count));
        // bin 8: conf 0.6, acc 0.5 → gap 0.1, weight 1/2; bin 14: conf 0.975, acc 1 → gap 0.025, weight 1/2.
        Assert.Equal(0.5 * 0.1 + 0.5 * 0.025, Metrics.Ece(p), 12);
        Assert.Equal(0.1, Metrics.CalibrationError(p, new CalibrationSettings(Norm: GapNorm.Max)).Value, 12);
        Assert.Equal(Math.Sqrt(0.5 * 0.01 + 0.5 * 0.025 * 0.025), Metrics.CalibrationError(p, new CalibrationSettings(Norm: GapNorm.L2)).Value, 12);
        // Brier: (0+0) + (0.36+0.36) + (0.16+0.16) + (0.0025+0.0025) → 1.045 / 4.
        Assert.Equal(1.045 / 4, Metrics.Brier(p), 12);
    }

    [Fact]
    public void One_example_absent_classes_and_equal_mass_bins_work()
    {
        var one = Predictions.FromLogits(new double[] { 2, 0, 0 }, 3, new[] { 0 });
        Assert.Equal(1 - Metrics.Reliability(one).Single(b => b.Count == 1).MeanConfidence, Metrics.Ece(one), 12);
        // Class 2 never appears in the labels: class-wise error still defined.
        var p = Predictions.FromLogits(new double[] { 3, 0, 0, 0, 3, 0, 2, 1, 0, 0, 2, 1 }, 3, new[] { 0, 1, 0, 1 });
        var cw = Metrics.CalibrationError(p, new CalibrationSettings(ClassWise: true));
        Assert.True(cw.Value is >= 0 and <= 1);
        Assert.StartsWith("CWCE[15 bins, equal-width, class-wise", cw.Name);
        var em = Metrics.Reliability(p, 2, Binning.EqualMass);
        Assert.Equal(new[] { 2, 2 }, em.Select(b => b.Count));
        Assert.Equal("ECE[15 bins, equal-width, top-label, L1]", new CalibrationSettings().Name);
    }

    [Fact]
    public void Bad_input_names_the_problem()
    {
        Assert.Contains("NaN", Assert.Throws<LsLabException>(() => Predictions.FromLogits(new[] { double.NaN, 0 }, 2, new[] { 0 })).Message);
        Assert.Contains("length mismatch", Assert.Throws<LsLabException>(() => Predictions.FromLogits(new double[] { 1, 2, 3 }, 2, new[] { 0 })).Message);
        Assert.Contains("sums to", Assert.Throws<LsLabException>(() => Predictions.FromProbabilities(new[] { 0.5, 0.2 }, 2, new[] { 0 })).Message);
        Assert.Contains("out of range", Assert.Throws<LsLabException>(() => Predictions.FromLogits(new double[] { 1, 2 }, 2, new[] { 2 })).Message);
    }

    [Fact]
    public void Bootstrap_interval_contains_the_estimate_and_is_seeded()
    {
        var (z, y, _) = Reference();
        var p = Predictions.FromLogits(z, 10, y);
        var (lo, hi) = Metrics.Bootstrap(p, x => Metrics.Ece(x), 50, seed: 1);
        Assert.InRange(Metrics.Ece(p), lo, hi);
        Assert.Equal((lo, hi), Metrics.Bootstrap(p, x => Metrics.Ece(x), 50, seed: 1));
        Assert.True(hi - lo is > 0 and < 0.1);
    }

    [Fact]
    public void Vector_scaling_does_not_do_worse_than_temperature_scaling_on_its_fit_data()
    {
        var (z, y, _) = Reference();
        var ts = TemperatureScaling.Fit(z, 10, y);
        var vs = VectorScaling.Fit(z, 10, y, iterations: 200);
        double nllTs = Metrics.Nll(Predictions.FromLogits(ts.Transform(z, 10), 10, y));
        double nllVs = Metrics.Nll(Predictions.FromLogits(vs.Transform(z, 10), 10, y));
        Assert.True(nllVs <= nllTs + 1e-9, $"vector {nllVs} vs temperature {nllTs}");
    }

    [Fact]
    public void Temperature_outside_the_initial_window_is_still_found()
    {
        // softmax(c z / (c T)) = softmax(z / T): the optimal temperature of c·z is c·T*, here ≈ 5656 and ≈ 0.0057, outside the first window [e^-4, e^4].
        var (z, y, r) = Reference();
        double t = r.GetProperty("temperature").GetDouble();
        foreach (var c in new[] { 1000.0, 1e-3 })
        {
            var ts = TemperatureScaling.Fit(z.Select(v => v * c).ToArray(), 10, y);
            Assert.Equal(t * c, ts.Temperature, t * c * 1e-4);
        }
    }

    [Fact]
    public void Tensor_overloads_match_the_array_functions()
    {
        Engine.Initialize();
        using var scope = TorchSharp.torch.NewDisposeScope();
        var (z, y, r) = Reference();
        var zt = TorchSharp.torch.tensor(z.Select(v => (float)v).ToArray(), new long[] { y.Length, 10 });
        var yt = TorchSharp.torch.tensor(y.Select(v => (long)v).ToArray());
        var p = Predictions.FromLogits(zt, yt);
        var q = Predictions.FromLogits(z.Select(v => (double)(float)v).ToArray(), 10, y);
        Assert.Equal(Metrics.Ece(q), Metrics.Ece(p), 12);
        var ts = TemperatureScaling.Fit(zt, yt);
        Assert.Equal(r.GetProperty("temperature").GetDouble(), ts.Temperature, 1e-3); // float32 logits: close to the float64 optimum
        Assert.Equal(Metrics.Ece(Predictions.FromLogits(ts.Transform(zt), yt)), Metrics.Ece(Predictions.FromLogits(zt, yt, ts.Temperature)), 6);
        Assert.Contains("out of range", Assert.Throws<LsLabException>(() => Predictions.FromLogits(zt, yt + 10)).Message);
        Assert.Contains("length mismatch", Assert.Throws<LsLabException>(() => Predictions.FromLogits(zt, yt[..5])).Message);
    }
}
