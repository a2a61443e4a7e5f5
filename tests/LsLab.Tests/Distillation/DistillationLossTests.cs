using System.Text.Json;
using LsLab.Distillation;
using LsLab.Losses;
using static TorchSharp.torch;

namespace LsLab.Tests.Distillation;

public class DistillationLossTests
{
    public DistillationLossTests() => Engine.Initialize();

    static JsonElement Fixture() => JsonDocument.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "Distillation", "Fixtures", "distillation_reference.json"))).RootElement;

    static Tensor Matrix(JsonElement e, string name, int n, int k) =>
        tensor(e.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray(), new long[] { n, k });

    [Fact]
    public void Matches_PyTorch_loss_and_gradient_for_every_mode_temperature_and_beta()
    {
        var root = Fixture();
        var inputs = root.GetProperty("inputs").EnumerateArray().ToArray();
        int checkedCases = 0, checkedGrads = 0;
        var temperatures = new HashSet<double>();
        var betas = new HashSet<double>();
        foreach (var c in root.GetProperty("cases").EnumerateArray())
        {
            var inp = inputs[c.GetProperty("input").GetInt32()];
            int n = inp.GetProperty("n").GetInt32(), k = inp.GetProperty("k").GetInt32();
            var s = Matrix(inp, "student", n, k).requires_grad_(true);
            var t = Matrix(inp, "teacher", n, k);
            var y = tensor(inp.GetProperty("labels").EnumerateArray().Select(v => v.GetInt64()).ToArray());
            double T = c.GetProperty("temperature").GetDouble(), beta = c.GetProperty("beta").GetDouble();
            var mode = c.GetProperty("mode").GetString() switch { "hinton" => SoftTerm.Hinton, "paper" => SoftTerm.Paper, _ => SoftTerm.Logits };
            var loss = DistillationLoss.Loss(s, t, y, T, beta, mode);
            string what = $"case {checkedCases} ({mode}, n={n}, k={k}, T={T}, β={beta})";
            Assert.True(Math.Abs(loss.item<double>() - c.GetProperty("loss").GetDouble()) < 1e-5, $"{what}: loss {loss.item<double>()} vs {c.GetProperty("loss").GetDouble()}");
            Assert.True(Math.Abs(DistillationLoss.Soft(s, t, T, mode).item<double>() - c.GetProperty("soft").GetDouble()) < 1e-5, $"{what}: soft term");
            if (c.GetProperty("grad").ValueKind == JsonValueKind.Array)
            {
                loss.backward();
                var expected = c.GetProperty("grad").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                var actual = s.grad!.data<double>().ToArray();
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"{what}: gradient {i}: {actual[i]} vs {expected[i]}");
                checkedGrads++;
            }
            temperatures.Add(T);
            betas.Add(beta);
            checkedCases++;
        }
        Assert.Equal(81, checkedCases);
        Assert.True(checkedGrads >= 50);
        Assert.Superset(new HashSet<double> { 1, 2, 4, 16 }, temperatures);
        Assert.Superset(new HashSet<double> { 0, 0.6, 1 }, betas);
    }

    [Fact]
    public void Float32_logits_agree_with_the_float64_reference()
    {
        var inp = Fixture().GetProperty("inputs")[1];
        int n = inp.GetProperty("n").GetInt32(), k = inp.GetProperty("k").GetInt32();
        var s = Matrix(inp, "student", n, k);
        var t = Matrix(inp, "teacher", n, k);
        var y = tensor(inp.GetProperty("labels").EnumerateArray().Select(v => v.GetInt64()).ToArray());
        double d64 = DistillationLoss.Loss(s, t, y, 4, 0.6).item<double>();
        double d32 = DistillationLoss.Loss(s.to_type(ScalarType.Float32), t.to_type(ScalarType.Float32), y, 4, 0.6).item<float>();
        Assert.True(Math.Abs(d64 - d32) < 1e-5 * Math.Max(1, d64));
    }

    [Fact]
    public void Hand_computed_case_with_T2_and_beta_0_6()
    {
        // Student logits (0, 0) → p_student = (1/2, 1/2) at any temperature.
        // Teacher logits (2·ln 3, 0) → at T=2: softmax(ln 3, 0) = (3/4, 1/4).
        // KL(q‖p) = 3/4·ln(3/2) + 1/4·ln(1/2); CE(student, label 0) = ln 2.
        var s = tensor(new double[] { 0, 0 }, new long[] { 1, 2 });
        var t = tensor(new double[] { 2 * Math.Log(3), 0 }, new long[] { 1, 2 });
        var y = tensor(new long[] { 0 });
        double kl = 0.75 * Math.Log(1.5) + 0.25 * Math.Log(0.5);
        Assert.Equal(0.4 * Math.Log(2) + 0.6 * 4 * kl, DistillationLoss.Loss(s, t, y, 2, 0.6, SoftTerm.Hinton).item<double>(), 12);
        Assert.Equal(0.4 * Math.Log(2) + 0.6 * kl, DistillationLoss.Loss(s, t, y, 2, 0.6, SoftTerm.Paper).item<double>(), 12);
        Assert.Equal(0.4 * Math.Log(2) + 0.6 * 0.5 * Math.Pow(2 * Math.Log(3), 2) / 2, DistillationLoss.Loss(s, t, y, 2, 0.6, SoftTerm.Logits).item<double>(), 12);
        // β=0 ignores the teacher; β=1 ignores the labels.
        Assert.Equal(Math.Log(2), DistillationLoss.Loss(s, t, y, 2, 0, SoftTerm.Hinton).item<double>(), 12);
        Assert.Equal(4 * kl, DistillationLoss.Loss(s, t, tensor(new long[] { 1 }), 2, 1, SoftTerm.Hinton).item<double>(), 12);
    }

    [Fact]
    public void Logit_matching_is_the_high_temperature_limit_of_Hinton_distillation()
    {
        // Hinton et al. 2015 §2.1: for zero-mean logits, T²·KL(p_t(T) ‖ p_s(T)) → (1/2K)·Σ_k (z_s − z_t)² as T → ∞.
        var s = tensor(new double[] { 1.0, -0.5, 0.3, -0.8, 2.0, -1.0, 0.5, -1.5 }, new long[] { 2, 4 });
        var t = tensor(new double[] { -1.2, 0.7, 1.5, -1.0, 0.4, 0.1, -0.9, 0.4 }, new long[] { 2, 4 });
        s = s - s.mean(new long[] { 1 }, keepdim: true);
        t = t - t.mean(new long[] { 1 }, keepdim: true);
        double limit = DistillationLoss.LogitSquaredError(s, t).item<double>();
        double at1000 = DistillationLoss.Soft(s, t, 1000, SoftTerm.Hinton).item<double>();
        Assert.True(Math.Abs(at1000 - limit) < 1e-3 * limit, $"T=1000: {at1000} vs limit {limit}");
        Assert.True(Math.Abs(DistillationLoss.Soft(s, t, 2, SoftTerm.Hinton).item<double>() - limit) > 1e-2 * limit);
    }

    [Fact]
    public void KL_is_zero_when_student_equals_teacher_and_is_batch_mean_not_elementwise_mean()
    {
        var z = tensor(new double[] { 1, -2, 0.5, 3, 0, 0, 2, 2, -1, 4, 1, 0 }, new long[] { 4, 3 });
        Assert.Equal(0, DistillationLoss.KlBatchMean(z, z).item<double>(), 12);
        // Duplicating the batch leaves batchmean unchanged; adding classes would change an elementwise mean.
        var s = tensor(new double[] { 0, 1, 2 }, new long[] { 1, 3 });
        var t = tensor(new double[] { 2, 1, 0 }, new long[] { 1, 3 });
        double one = DistillationLoss.KlBatchMean(s, t).item<double>();
        Assert.Equal(one, DistillationLoss.KlBatchMean(cat(new[] { s, s }, 0), cat(new[] { t, t }, 0)).item<double>(), 12);
        var q = t.softmax(1).data<double>().ToArray();
        var p = s.softmax(1).data<double>().ToArray();
        Assert.Equal(q.Zip(p, (a, b) => a * Math.Log(a / b)).Sum(), one, 12);
    }

    [Fact]
    public void Equivalent_smoothing_matches_PyTorch_and_equals_alpha_for_smoothed_targets()
    {
        foreach (var c in Fixture().GetProperty("equivalent_smoothing").EnumerateArray())
        {
            int n = c.GetProperty("n").GetInt32(), k = c.GetProperty("k").GetInt32();
            var t = Matrix(c, "teacher", n, k);
            var y = tensor(c.GetProperty("labels").EnumerateArray().Select(v => v.GetInt64()).ToArray());
            Assert.Equal(c.GetProperty("gamma").GetDouble(), DistillationLoss.EquivalentSmoothing(t, y, c.GetProperty("temperature").GetDouble()), 9);
        }
        // A "teacher" whose T=1 outputs are exactly the label-smoothed targets has γ = α (the paper: γ = α for LS).
        foreach (var alpha in new[] { 0.0, 0.15, 0.3, 0.75 })
        {
            var labels = tensor(new long[] { 0, 3, 9, 2, 2, 7 });
            var logits = LabelSmoothing.Targets(labels, 10, alpha).to_type(ScalarType.Float64).clamp_min(1e-300).log();
            Assert.Equal(alpha, DistillationLoss.EquivalentSmoothing(logits, labels, 1), 6);
        }
        // Higher temperature spreads more mass on wrong classes.
        var tl = tensor(new double[] { 5, 1, 0, 4, 0, 2 }, new long[] { 2, 3 });
        var tlab = tensor(new long[] { 0, 0 });
        Assert.True(DistillationLoss.EquivalentSmoothing(tl, tlab, 4) > DistillationLoss.EquivalentSmoothing(tl, tlab, 1));
    }

    [Fact]
    public void Bad_temperature_or_beta_name_the_option()
    {
        var z = zeros(2, 3);
        var y = tensor(new long[] { 0, 1 });
        Assert.Contains("--temperature", Assert.Throws<LsLabException>(() => DistillationLoss.Loss(z, z, y, 0, 0.5)).Message);
        Assert.Contains("--beta", Assert.Throws<LsLabException>(() => DistillationLoss.Loss(z, z, y, 1, 1.5)).Message);
    }
}
