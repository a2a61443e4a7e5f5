using LsLab.Translation;
using static TorchSharp.torch;

namespace LsLab.Tests.Translation;

public class TokenMetricsTests
{
    public TokenMetricsTests() => Engine.Initialize();

    [Fact]
    public void Ece_hand_computed_with_bin_edges()
    {
        // 15 bins of width 1/15. Confidences 0.2 (bin 3), 0.9 and 1.0 (bin 14), 1/15 exactly (bin 0: (0, 1/15]).
        float[] conf = { 0.2f, 0.2f, 0.9f, 1.0f, 1f / 15 };
        bool[] ok = { true, false, true, true, false };
        // bin 3: acc 0.5, conf 0.2 → 2/5·0.3; bin 14: acc 1, conf 0.95 → 2/5·0.05; bin 0: acc 0, conf 1/15 → 1/5·1/15.
        double expected = 0.4 * 0.3 + 0.4 * 0.05 + 0.2 / 15;
        Assert.Equal(expected, TopLabelEce.Compute(conf, ok), 1e-6);
        Assert.Equal(0.0, TopLabelEce.Compute(new[] { 1f, 1f }, new[] { true, true }), 12);
    }

    [Fact]
    public void Fitted_temperature_recovers_the_temperature_the_labels_were_drawn_at()
    {
        manual_seed(11);
        const int n = 20000, v = 8;
        var logits = randn(n, v) * 3;
        using var g = new Generator(5);
        var labels = multinomial((logits / 2.0).softmax(-1), 1, generator: g).squeeze(1);
        using var p = TokenPredictions.FromLogits(logits, labels);
        double t = p.FitTemperature();
        Assert.InRange(t, 1.9, 2.1);
        Assert.True(p.Nll(t) < p.Nll(1.0) && p.Nll(t) < p.Nll(3.0));
        var s = p.Score(t);
        Assert.Equal(n, s.Tokens);
        Assert.True(s.Ece < 0.02, $"ECE at the fitted temperature {s.Ece}");
        Assert.True(p.Score(1.0).Ece > 0.1);   // T = 1 is over-confident here
        Assert.Equal(p.Score(1.0).Accuracy, p.Score(t).Accuracy, 12); // temperature never changes the argmax
    }
}
