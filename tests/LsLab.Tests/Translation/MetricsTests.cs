using LsLab.Translation;
using static TorchSharp.torch;

namespace LsLab.Tests.Translation;

public class TokenMetricsTests
{
    public TokenMetricsTests() => Engine.Initialize();

    [Fact]
    public void Fitted_temperature_recovers_the_temperature_the_labels_were_drawn_at()
    {
        manual_seed(11);
        const int n = 8000, v = 8;
        var logits = randn(n, v) * 3;
        using var g = new Generator(5);
        var labels = multinomial((logits / 2.0).softmax(-1), 1, generator: g).squeeze(1);
        var p = TokenPredictions.FromLogits(logits, labels);
        double t = p.FitTemperature();
        Assert.InRange(t, 1.9, 2.1);
        Assert.True(p.Nll(t) < p.Nll(1.0) && p.Nll(t) < p.Nll(3.0));
        var s = p.Score(t);
        Assert.Equal(n, s.Tokens);
        Assert.True(s.Ece < 0.02, $"ECE at the fitted temperature {s.Ece}");
        Assert.True(p.Score(1.0).Ece > 0.1);   // T = 1 is over-confident here
        Assert.Equal(p.Score(1.0).Accuracy, p.Score(t).Accuracy, 12); // temperature never changes the argmax
    }

    [Fact]
    public void Sentence_resampled_nll_and_ece_equal_the_whole_set_values_on_all_sentences_and_move_with_the_draw()
    {
        manual_seed(12);
        var logits = randn(300, 6) * 2;
        var labels = randint(0, 6, 300);
        var p = TokenPredictions.FromLogits(logits, labels);
        var all = Enumerable.Range(0, p.Sentences).ToArray();
        Assert.Equal(300, p.Sentences); // without sentence boundaries every token is its own unit
        foreach (double t in new[] { 0.7, 1.0, 1.6 })
        {
            Assert.Equal(p.Nll(t), p.NllOfSentences(t)(all), 9);
            Assert.Equal(p.Score(t).Ece, p.EceOfSentences(t)(all), 9);
        }
        // A draw of the first half equals the metric of those tokens alone.
        var half = Enumerable.Range(0, 150).ToArray();
        var sub = TokenPredictions.FromLogits(logits[..150], labels[..150]);
        Assert.Equal(sub.Nll(1.0), p.NllOfSentences(1.0)(half), 9);
        Assert.Equal(sub.Score(1.0).Ece, p.EceOfSentences(1.0)(half), 9);
    }
}
