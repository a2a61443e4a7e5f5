using System.Text.Json;
using LsLab.Losses;
using static TorchSharp.torch;

namespace LsLab.Tests.Losses;

public class LabelSmoothingTests
{
    public LabelSmoothingTests() => Engine.Initialize();

    static JsonElement Fixture()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Losses", "Fixtures", "losses_reference.json");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    [Fact]
    public void Matches_PyTorch_reference_cases()
    {
        int checkedCases = 0;
        foreach (var c in Fixture().GetProperty("cases").EnumerateArray())
        {
            int n = c.GetProperty("n").GetInt32(), k = c.GetProperty("k").GetInt32();
            var logits = tensor(c.GetProperty("logits").EnumerateArray().Select(v => v.GetSingle()).ToArray(), new long[] { n, k });
            double expected = c.GetProperty("loss").GetDouble();
            double actual;
            if (c.GetProperty("kind").GetString() == "label_smoothing")
            {
                var targets = tensor(c.GetProperty("targets").EnumerateArray().Select(v => v.GetInt64()).ToArray());
                double alpha = c.GetProperty("alpha").GetDouble();
                var ig = c.GetProperty("ignore_index");
                long? ignore = ig.ValueKind == JsonValueKind.Null ? null : ig.GetInt64();
                actual = LabelSmoothing.Loss(logits.to_type(ScalarType.Float64), targets, alpha, ignore).item<double>();
                // And libtorch's own implementation, reached through TorchSharp, agrees.
                var viaTorch = nn.functional.cross_entropy(logits.to_type(ScalarType.Float64), targets, ignore_index: ignore ?? -100, label_smoothing: alpha).item<double>();
                Assert.Equal(expected, viaTorch, 1e-5);
            }
            else
            {
                var q = tensor(c.GetProperty("soft_targets").EnumerateArray().Select(v => v.GetSingle()).ToArray(), new long[] { n, k });
                actual = SoftTargetCrossEntropy.Loss(logits.to_type(ScalarType.Float64), q.to_type(ScalarType.Float64)).item<double>();
            }
            Assert.True(Math.Abs(expected - actual) < 1e-5, $"case {checkedCases}: expected {expected}, got {actual}");
            checkedCases++;
        }
        Assert.True(checkedCases >= 9);
    }

    [Fact]
    public void Hand_computed_case_gives_alpha_over_K_to_every_class()
    {
        // logits (0, ln 2, ln 3) ⇒ p = (1/6, 2/6, 3/6); true class 2; α = 0.3, K = 3.
        // Smoothed target: (0.1, 0.1, 0.8). Loss = −Σ q log p.
        var logits = tensor(new double[] { 0, Math.Log(2), Math.Log(3) }, new long[] { 1, 3 });
        var y = tensor(new long[] { 2 });
        double expected = -(0.1 * Math.Log(1.0 / 6) + 0.1 * Math.Log(2.0 / 6) + 0.8 * Math.Log(3.0 / 6));
        Assert.Equal(expected, LabelSmoothing.Loss(logits, y, 0.3).item<double>(), 1e-12);
        var q = LabelSmoothing.Targets(y, 3, 0.3);
        Assert.Equal(new[] { 0.1f, 0.1f, 0.8f }, q.data<float>().ToArray().Select(v => (float)Math.Round(v, 6)).ToArray());
    }

    [Fact]
    public void Ignored_targets_contribute_nothing()
    {
        var logits = randn(6, 5, dtype: ScalarType.Float64);
        var y = tensor(new long[] { 1, 0, 4, 0, 2, 3 });
        var withIgnore = LabelSmoothing.Loss(logits, y, 0.1, ignoreIndex: 0).item<double>();
        var keep = tensor(new long[] { 0, 2, 4, 5 });
        var onlyKept = LabelSmoothing.Loss(logits.index_select(0, keep), y.index_select(0, keep), 0.1).item<double>();
        Assert.Equal(onlyKept, withIgnore, 1e-12);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void Alpha_out_of_range_is_rejected_with_the_option_named(double alpha)
    {
        var e = Assert.Throws<LsLabException>(() => LabelSmoothing.Loss(zeros(2, 3), tensor(new long[] { 0, 1 }), alpha));
        Assert.Contains("alpha must be in [0, 1)", e.Message);
    }
}
