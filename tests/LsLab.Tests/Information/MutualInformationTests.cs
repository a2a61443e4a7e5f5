using LsLab.Information;
using LsLab.Runs;
using LsLab.Training;
using static TorchSharp.torch;

namespace LsLab.Tests.Information;

public class MutualInformationTests
{
    public MutualInformationTests() => Engine.Initialize();

    /// <summary>Draws y_x,l = means[x] + σ·ε for L draws and one outer draw per example.</summary>
    static MiEstimate Synthetic(double[] means, double sigma, int draws, int seed)
    {
        var rng = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var d = means.Select(m => Enumerable.Range(0, draws).Select(_ => m + sigma * Normal()).ToArray()).ToArray();
        var outer = means.Select(m => m + sigma * Normal()).ToArray();
        return MutualInformation.Estimate(d, outer);
    }

    /// <summary>
    /// I(X;Y) for X uniform on N points and Y|x ~ N(m_x, σ²), by numerical integration:
    /// h(Y) − h(Y|X) with h(Y|X) = ½·log(2πeσ²) and h(Y) = −∫ p log p on a fine grid.
    /// </summary>
    static double ExactMi(double[] means, double sigma)
    {
        double lo = means.Min() - 10 * sigma, hi = means.Max() + 10 * sigma;
        int steps = 40000;
        double dy = (hi - lo) / steps, h = 0;
        for (int i = 0; i <= steps; i++)
        {
            double y = lo + i * dy, p = 0;
            foreach (var m in means) p += Math.Exp(-(y - m) * (y - m) / (2 * sigma * sigma));
            p /= means.Length * Math.Sqrt(2 * Math.PI) * sigma;
            if (p > 0) h -= p * Math.Log(p) * dy;
        }
        return h - 0.5 * Math.Log(2 * Math.PI * Math.E * sigma * sigma);
    }

    [Fact]
    public void Well_separated_examples_give_log_N()
    {
        var means = Enumerable.Range(0, 600).Select(i => 100.0 * i).ToArray();
        var e = Synthetic(means, 1, 5, 1);
        Assert.Equal(Math.Log(600), e.Mi, 6);
        Assert.Equal(Math.Log(600), e.UpperBound, 12);
        Assert.InRange(e.Sigma2, 0.7, 1.3);
    }

    [Fact]
    public void Identical_examples_give_about_zero()
    {
        var e = Synthetic(new double[600], 1, 5, 2);
        Assert.InRange(e.Mi, -0.03, 0.03);
        // The two readings are biased by about ∓1/(2L) = ∓0.1; their mean is what we report.
        Assert.InRange(e.MiFresh, -0.15, -0.05);
        Assert.InRange(e.MiInSample, 0.05, 0.15);
        Assert.Equal(0.5 * (e.MiFresh + e.MiInSample), e.Mi, 12);
    }

    [Fact]
    public void Two_separated_clusters_give_log_2()
    {
        var means = Enumerable.Range(0, 600).Select(i => i < 300 ? -50.0 : 50.0).ToArray();
        var e = Synthetic(means, 1, 5, 3);
        Assert.InRange(e.Mi, Math.Log(2) - 0.03, Math.Log(2) + 0.03);
    }

    [Theory]
    [InlineData(8.0)]
    [InlineData(2.0)]
    public void At_the_quick_profiles_N_300_collapsed_classes_are_estimated_without_a_downward_bias(double separation)
    {
        // The quick profile's probe (N = 300, L = 5) after a full collapse: every example sits at its class's mean, classes
        // ±separation/2 apart in units of σ. The truth is I(C;Y): log 2 when the classes are apart (8σ), less when they
        // overlap (2σ). Averaged over 40 repetitions the estimate is within 0.02 of it, so a reading below log 2 means the
        // two classes' logit differences overlap, not that the estimator is biased down at this N.
        var means = Enumerable.Range(0, 300).Select(i => i < 150 ? -separation / 2 : separation / 2).ToArray();
        double exact = ExactMi(new[] { -separation / 2, separation / 2 }, 1);
        double mean = Enumerable.Range(0, 40).Select(s => Synthetic(means, 1, 5, 300 + s).Mi).Average();
        Assert.True(Math.Abs(mean - exact) < 0.02, $"separation {separation}σ: estimate {mean:F4} vs exact {exact:F4}");
        if (separation < 4) Assert.True(exact < Math.Log(2) - 0.2, $"overlapping classes carry less than log 2: {exact:F4}");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(8.0)]
    public void Partly_overlapping_examples_match_numerical_integration(double spacing)
    {
        // 100 examples spaced `spacing`σ apart, L = 5 as in the paper, averaged over 20 repetitions.
        var means = Enumerable.Range(0, 100).Select(i => spacing * i).ToArray();
        double exact = ExactMi(means, 1);
        var estimates = Enumerable.Range(0, 20).Select(s => Synthetic(means, 1, 5, 100 + s)).ToArray();
        double mean = estimates.Average(e => e.Mi);
        Assert.True(Math.Abs(mean - exact) < 0.04, $"spacing {spacing}: estimate {mean:F4} vs exact {exact:F4}");
        if (spacing <= 2) // overlapping examples: the two readings bracket the truth
            Assert.True(estimates.Average(e => e.MiFresh) < exact && estimates.Average(e => e.MiInSample) > exact);
        // With many draws μ_x is accurate: the in-sample reading (averaged over the 400 draws) converges to I.
        var many = Synthetic(means, 1, 400, 7);
        Assert.True(Math.Abs(many.MiInSample - exact) < 0.03 && Math.Abs(many.MiFresh - exact) < 0.2, $"L=400: {many} vs {exact}");
        Assert.InRange(exact, 0.1, Math.Log(100));
    }

    [Fact]
    public void Never_exceeds_log_N_and_stays_near_or_above_zero()
    {
        var rng = new Random(5);
        for (int trial = 0; trial < 30; trial++)
        {
            int n = 4 + rng.Next(200);
            double scale = Math.Pow(10, rng.NextDouble() * 4 - 2);
            var means = Enumerable.Range(0, n).Select(_ => scale * rng.NextDouble()).ToArray();
            var e = Synthetic(means, 1, 2 + rng.Next(6), trial);
            Assert.True(e.Mi <= Math.Log(n) + 1e-9, $"trial {trial}: Î {e.Mi} > log N {Math.Log(n)}");
            Assert.True(e.MiInSample <= Math.Log(n) + 1e-9 && e.MiFresh <= Math.Log(n) + 1e-9);
            Assert.True(e.Mi >= -0.1, $"trial {trial}: Î {e.Mi} far below 0");
        }
    }

    [Fact]
    public void Log_sum_exp_keeps_huge_logits_finite_and_deterministic_networks_give_log_N()
    {
        var means = Enumerable.Range(0, 50).Select(i => 1e6 + 1e4 * i).ToArray();
        var e = Synthetic(means, 1e-3, 5, 9);
        Assert.Equal(Math.Log(50), e.Mi, 6);
        var exact = means.Select(m => new[] { m, m, m }).ToArray();
        Assert.Equal(Math.Log(50), MutualInformation.Estimate(exact, means).Mi, 6);
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => MutualInformation.Estimate(new[] { new double[] { 1 }, new double[] { 2 } }, new double[] { 1, 2 }));
        Assert.Throws<ArgumentException>(() => MutualInformation.Estimate(new[] { new double[] { 1, 2 }, new double[] { 2, 3 } }, new double[] { 1 }));
        Assert.Throws<ArgumentException>(() => MutualInformation.Estimate(new[] { new double[] { 1, double.NaN }, new double[] { 2, 3 } }, new double[] { 1, 2 }));
    }

    [Fact]
    public void Classes_parse_by_index_or_name()
    {
        var names = new[] { "T-shirt/top", "Trouser", "Pullover" };
        Assert.Equal((0, 2), MiSettings.ParseClasses("0,2", names));
        Assert.Equal((1, 0), MiSettings.ParseClasses("trouser, T-shirt/top", names));
        Assert.Contains("no class named", Assert.Throws<LsLabException>(() => MiSettings.ParseClasses("0,Dog", names)).Message);
        Assert.Contains("out of range", Assert.Throws<LsLabException>(() => MiSettings.ParseClasses("0,7", names)).Message);
        Assert.Contains("two classes", Assert.Throws<LsLabException>(() => MiSettings.ParseClasses("0", names)).Message);
    }

    [Fact]
    public void Probe_on_a_trained_model_and_tracking_through_the_trainer()
    {
        using var data = TestData.BlobSplits(train: 300);
        var settings = new MiSettings(0, 1, Examples: 40, Draws: 3);
        var o = new TrainOptions { Dataset = "blobs", Model = "mlp-small", Width = 16, Epochs = 2, BatchSize = 32, LearningRate = 0.05, Seed = 1 };
        var samples = Path.Combine(Path.GetTempPath(), $"lslab-mi-{Guid.NewGuid():N}");
        using var objective = new MiTrackingObjective(o.Alpha, settings, samples);
        using var model = TrainingRun.CreateModel(o, data.Train);
        var state = new Trainer(o) { Objective = objective }.Fit(model, data);
        // Each epoch's raw readings are saved, and re-estimate exactly the recorded value (also as a resample of all examples).
        try
        {
            foreach (var m in state.History)
            {
                var sample = MiSample.Load(Path.Combine(samples, $"e{m.Epoch}.npy"));
                Assert.Equal(40, sample.Examples);
                Assert.Equal(m.Extra[MiTracker.Key], sample.Estimate().Mi, 12);
                Assert.Equal(m.Extra[MiTracker.Key], sample.Estimate(Enumerable.Range(0, 40).ToArray()), 12);
            }
        }
        finally { Directory.Delete(samples, true); }
        Assert.All(state.History, m => Assert.InRange(m.Extra[MiTracker.Key], -0.2, Math.Log(40) + 1e-9));
        Assert.All(state.History, m => Assert.Equal(0.5 * (m.Extra["mi_fresh"] + m.Extra["mi_in_sample"]), m.Extra[MiTracker.Key], 12));
        Assert.Equal(2, MiTracker.Curve(state).Count);

        // Tiny input noise leaves every example distinguishable (Î ≈ log N); huge noise drowns them (Î ≈ 0).
        using (var quiet = LogitDifferenceProbe.Create(data.Train, settings, (x, g) => x + randn(x.shape, generator: g) * 1e-4))
            Assert.InRange(quiet.Measure(model).Mi, Math.Log(40) - 0.05, Math.Log(40) + 1e-9);
        using (var loud = LogitDifferenceProbe.Create(data.Train, settings, (x, g) => x + randn(x.shape, generator: g) * 1e3))
            Assert.InRange(loud.Measure(model).Mi, -0.1, 0.1);

        // The probe leaves the model's mode alone and gives the same value twice (seeded augmentation).
        using var probe = LogitDifferenceProbe.Create(data.Train, settings);
        model.train();
        var a = probe.Measure(model);
        Assert.True(model.training);
        Assert.Equal(a, probe.Measure(model));
        Assert.Equal(40, probe.Examples.Count);
        var labels = probe.Examples.Labels.data<long>().ToArray();
        Assert.Equal(20, labels.Count(l => l == 0));
        Assert.Equal(20, labels.Count(l => l == 1));

        Assert.Contains("--n", Assert.Throws<LsLabException>(() => LogitDifferenceProbe.Create(data.Train, settings with { Examples = 1000 })).Message);
    }

    [Fact]
    public void A_file_that_is_not_probe_readings_is_one_clear_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lslab-mi-bad-{Guid.NewGuid():N}.npy");
        try
        {
            LsLab.Data.Npy.Write(path, new double[] { 1, 2, 3, 4 }, 4);
            Assert.Contains("[N, L+1]", Assert.Throws<LsLabException>(() => MiSample.Load(path)).Message);
        }
        finally { File.Delete(path); }
    }
}
