using System.Runtime.Intrinsics;
using LsLab.Calibration;
using static TorchSharp.torch;

namespace LsLab.Tests.Calibration;

public class StreamingCalibrationTests
{
    /// <summary>Over-confident random logits [n,k] with a signal on the label, as float32.</summary>
    static (float[] Z, int[] Y) Random(int n, int k, int seed)
    {
        var rng = new Random(seed);
        var z = new float[n * k];
        var y = new int[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = rng.Next(k);
            for (int j = 0; j < k; j++) z[i * k + j] = (float)(rng.NextDouble() * 8 - 4);
            z[i * k + y[i]] += (float)(rng.NextDouble() * 6);
        }
        return (z, y);
    }

    static Predictions Reference(float[] z, int k, int[] y) => Predictions.FromLogits(z.Select(v => (double)v).ToArray(), k, y);

    static void AssertSame(Predictions p, StreamingCalibration s, double tol)
    {
        Assert.Equal(p.N, s.Count);
        Assert.Equal(Metrics.Accuracy(p), s.Accuracy(), 1e-12);
        Assert.Equal(Metrics.Ece(p, s.Bins), s.Ece(), tol);
        Assert.Equal(Metrics.CalibrationError(p, new CalibrationSettings(s.Bins, Norm: GapNorm.Max)).Value, s.Mce(), tol);
        Assert.Equal(Metrics.CalibrationError(p, new CalibrationSettings(s.Bins, Norm: GapNorm.L2)).Value, s.Rmsce(), tol);
        Assert.Equal(Metrics.Nll(p), s.Nll(), tol);
        Assert.Equal(Metrics.Brier(p), s.Brier(), tol);
        var expected = Metrics.Reliability(p, s.Bins);
        var got = s.Reliability();
        Assert.Equal(expected.Select(b => b.Count), got.Select(b => b.Count));
    }

    // Class counts on both sides of the vector width (8 floats): scalar rows, a masked tail, exact multiples, wide rows.
    [Theory]
    [InlineData(2, 5000)]
    [InlineData(10, 9000)]
    [InlineData(16, 3000)]
    [InlineData(37, 3000)]
    [InlineData(1000, 300)]
    public void Float_batches_of_any_width_match_the_double_metrics(int k, int n)
    {
        var (z, y) = Random(n, k, k);
        var s = new StreamingCalibration(k);
        for (int start = 0; start < n; start += 2500)
        {
            int len = Math.Min(2500, n - start);
            s.Add(z.AsSpan(start * k, len * k), y.AsSpan(start, len));
        }
        AssertSame(Reference(z, k, y), s, 1e-6);
    }

    [Fact]
    public void Double_input_long_labels_and_tensors_give_the_same_answer()
    {
        int k = 12, n = 6000;
        var (z, y) = Random(n, k, 3);
        var zd = z.Select(v => (double)v).ToArray();
        var p = Reference(z, k, y);

        var d = new StreamingCalibration(k);
        d.Add(zd, y.Select(v => (long)v).ToArray());
        AssertSame(p, d, 1e-12); // float64 all the way: agrees with Metrics to rounding

        Engine.Initialize();
        using var scope = NewDisposeScope();
        var t = new StreamingCalibration(k);
        t.Add(tensor(z, new long[] { n, k }), tensor(y.Select(v => (long)v).ToArray()));
        AssertSame(p, t, 1e-6);

        var one = new StreamingCalibration(k, threads: 1);
        one.Add(z, y);
        Assert.Equal(t.Ece(), one.Ece(), 1e-12);
        Assert.Equal(t.Nll(), one.Nll(), 1e-12);
    }

    [Fact]
    public void Merge_equals_one_accumulator_over_everything()
    {
        int k = 10;
        var (z, y) = Random(4000, k, 5);
        var all = new StreamingCalibration(k);
        all.Add(z, y);
        var a = new StreamingCalibration(k);
        var b = new StreamingCalibration(k);
        a.Add(z.AsSpan(0, 1500 * k), y.AsSpan(0, 1500));
        b.Add(z.AsSpan(1500 * k), y.AsSpan(1500));
        a.Merge(b);
        Assert.Equal(all.Count, a.Count);
        Assert.Equal(all.Ece(), a.Ece(), 1e-12);
        Assert.Equal(all.Brier(), a.Brier(), 1e-12);
        Assert.Throws<LsLabException>(() => a.Merge(new StreamingCalibration(k + 1)));
    }

    [Fact]
    public void Confidence_one_goes_in_the_last_bin_and_empty_bins_are_NaN()
    {
        var s = new StreamingCalibration(3);
        // softmax of (200, 0, 0) is exactly 1.0 in float64: last bin, not a 16th one.
        s.Add(new float[] { 200, 0, 0, 0, 0, 0 }, new[] { 0, 1 });
        var bins = s.Reliability();
        Assert.Equal(15, bins.Count);
        Assert.Equal(1, bins[14].Count);
        Assert.Equal(1.0, bins[14].MeanConfidence);
        Assert.Equal(1, bins[4].Count); // confidence 1/3 is in (4/15, 5/15]
        Assert.True(double.IsNaN(bins[0].Accuracy));
        // (200,0,0) correct with conf 1 → gap 0; (0,0,0) argmax 0 ≠ label 1, conf 1/3 → gap 1/3; each weight 1/2.
        Assert.Equal(0.5 / 3, s.Ece(), 12);
        Assert.Equal(1.0 / 3, s.Mce(), 12);
        Assert.StartsWith("ECE[15 bins, equal-width, top-label, L1] = ", s.Summary()[3].ToString());
    }

    [Fact]
    public void Bad_batches_throw_a_clear_error_and_change_nothing()
    {
        var s = new StreamingCalibration(10);
        var (z, y) = Random(5000, 10, 9);
        s.Add(z, y);
        double ece = s.Ece();

        var nan = (float[])z.Clone();
        nan[4321 * 10 + 7] = float.NaN; // not the row maximum: still caught
        Assert.Contains("row 4321", Assert.Throws<LsLabException>(() => s.Add(nan, y)).Message);
        var inf = (float[])z.Clone();
        inf[17 * 10 + 2] = float.PositiveInfinity;
        Assert.Contains("NaN or infinite", Assert.Throws<LsLabException>(() => s.Add(inf, y)).Message);
        var bad = (int[])y.Clone();
        bad[4999] = 10;
        Assert.Contains("label 10 at index 4999 is out of range 0..9", Assert.Throws<LsLabException>(() => s.Add(z, bad)).Message);
        Assert.Contains("length mismatch", Assert.Throws<LsLabException>(() => s.Add(z.AsSpan(1), y)).Message);
        var wide = new float[1000 * 40];
        wide[999 * 40 + 39] = float.NaN;
        Assert.Contains("row 999", Assert.Throws<LsLabException>(() => new StreamingCalibration(40).Add(wide, new int[1000])).Message);

        Assert.Equal(5000, s.Count);
        Assert.Equal(ece, s.Ece());
        Assert.Throws<LsLabException>(() => new StreamingCalibration(10).Ece());
    }

    [Fact]
    public void Vectorised_exp_is_within_2e_7_of_Math_Exp_and_handles_the_edges()
    {
        var rng = new Random(11);
        double worst = 0;
        for (int i = 0; i < 200_000; i++)
        {
            var x = Vector256.Create(Enumerable.Range(0, 8).Select(_ => -(float)(rng.NextDouble() * 87)).ToArray());
            var e = StreamingCalibration.ExpNonPositive(x);
            for (int j = 0; j < 8; j++) worst = Math.Max(worst, Math.Abs(e[j] - Math.Exp(x[j])) / Math.Exp(x[j]));
        }
        Assert.True(worst < 2e-7, $"max relative error {worst}");
        var edge = StreamingCalibration.ExpNonPositive(Vector256.Create(0f, -1e-30f, -87.3f, -88f, -1000f, float.NegativeInfinity, float.NaN, -0.5f));
        Assert.Equal(1f, edge[0]);
        Assert.Equal(1f, edge[1]);
        Assert.Equal(Math.Exp(-87.3), edge[2], 1e-43);
        Assert.Equal(0f, edge[3]);
        Assert.Equal(0f, edge[4]);
        Assert.Equal(0f, edge[5]);
        Assert.True(float.IsNaN(edge[6]));
        Assert.Equal(Math.Exp(-0.5), edge[7], 1e-7);
    }

    [Fact]
    public void Labels_far_below_the_maximum_keep_NLL_exact()
    {
        // Label logit 100 and 1000 below the max: p underflows in float32, but NLL uses the logits.
        var z = new float[] { 100, 0, 0, 1000, 0, 0 };
        var s = new StreamingCalibration(3);
        s.Add(z, new[] { 1, 2 });
        var p = Reference(z, 3, new[] { 1, 2 });
        Assert.Equal((100 + Math.Log(1 + 2 * Math.Exp(-100)) + 690.7755278982137) / 2, s.Nll(), 9); // second row: capped like Metrics
        Assert.Equal(Metrics.Nll(p), s.Nll(), 9);
        Assert.Equal(Metrics.Brier(p), s.Brier(), 12);
        Assert.Equal(0, s.Accuracy());
    }
}
