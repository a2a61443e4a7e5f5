using LsLab.Translation;
using static TorchSharp.torch;

namespace LsLab.Tests.Translation;

public class TranslationLossTests
{
    public TranslationLossTests() => Engine.Initialize();

    [Fact]
    public void Label_smoothed_loss_ignores_padding_positions_hand_computed()
    {
        // 2 sentences × 3 positions × V = 5; sentence 2's last position is padding.
        var rng = new Random(3);
        var z = Enumerable.Range(0, 30).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
        long[] labels = { 4, 2, Bpe.Eos, 3, Bpe.Eos, Bpe.Pad };
        const double alpha = 0.1;
        const int V = 5;
        double sum = 0;
        int kept = 0;
        for (int i = 0; i < 6; i++)
        {
            if (labels[i] == Bpe.Pad) continue;
            var row = z.Skip(i * V).Take(V).ToArray();
            double lse = Math.Log(row.Sum(Math.Exp));
            // Smoothed target: α/K to every class, 1 − α + α/K to the true one.
            for (int k = 0; k < V; k++)
            {
                double q = alpha / V + (k == labels[i] ? 1 - alpha : 0);
                sum -= q * (row[k] - lse);
            }
            kept++;
        }
        double expected = sum / kept;
        var logits = tensor(z, new long[] { 2, 3, V });
        var y = tensor(labels, new long[] { 2, 3 });
        double actual = TranslatorTraining.Loss(logits, y, alpha).item<double>();
        Assert.Equal(expected, actual, 1e-10);
        // Whatever the logits at the padding position, the loss does not move.
        var changed = logits.clone();
        changed[1, 2] = tensor(new double[] { 50, -30, 7, 0, 100 });
        Assert.Equal(actual, TranslatorTraining.Loss(changed, y, alpha).item<double>(), 1e-12);
        // Same value as the project's PyTorch-checked loss.
        Assert.Equal(actual, LsLab.Losses.LabelSmoothing.Loss(logits.reshape(6, V), y.reshape(6), alpha, Bpe.Pad).item<double>(), 1e-10);
    }
}

public class TranslatorTrainingTests
{
    public TranslatorTrainingTests() => Engine.Initialize();

    static TranslatorOptions Tiny(double alpha = 0.1, int epochs = 2) => new()
    {
        CorpusSize = 200, Validation = 20, Test = 20, Seed = 1, Alpha = alpha, Epochs = epochs, BatchSize = 32, LearningRate = 2e-3, WarmupSteps = 5,
        SourceVocab = 120, TargetVocab = 120, Model = new() { DModel = 32, Heads = 2, FeedForward = 64, EncoderLayers = 2, DecoderLayers = 2 }, MaxPieces = 40,
    };

    static string TempDir() => Path.Combine(Path.GetTempPath(), $"lslab-mt-{Guid.NewGuid():N}");

    [Fact]
    public void Trains_resumes_exactly_and_refuses_another_configuration()
    {
        string a = TempDir(), b = TempDir();
        try
        {
            var o = Tiny(epochs: 3);
            var straight = TranslatorTraining.Fit(o, a);
            Assert.True(straight.Finished);
            Assert.True(straight.History[^1].TrainLoss < straight.History[0].TrainLoss);
            Assert.True(straight.History[^1].ValidationLoss < straight.History[0].ValidationLoss);
            Assert.True(TranslatorTraining.IsComplete(a));

            // Killed during epoch 3 (after epoch 2's checkpoint), then resumed: same history, same weights.
            Assert.Throws<OperationCanceledException>(() => TranslatorTraining.Fit(o, b, new KillAtStep(o.Epochs, epochsDone: 2)));
            Assert.False(File.Exists(Path.Combine(b, "model.dat")));
            var resumed = TranslatorTraining.Fit(o, b);
            Assert.Equal(3, resumed.EpochsDone);
            Assert.Equal(straight.History.Select(h => h.TrainLoss), resumed.History.Select(h => h.TrainLoss));
            using var ta = Translator.Load(a);
            using var tb = Translator.Load(b);
            foreach (var ((name, pa), (_, pb)) in ta.Model.named_parameters().Zip(tb.Model.named_parameters()))
                Assert.True(pa.eq(pb).all().item<bool>(), $"{name}: max |Δ| {(pa - pb).abs().max().item<float>()}");
            Assert.Empty(Directory.GetFiles(Path.Combine(b, "checkpoint"), "*.tmp"));

            var e = Assert.Throws<LsLabException>(() => TranslatorTraining.Fit(o with { Alpha = 0 }, a));
            Assert.Contains("different configuration", e.Message);
        }
        finally
        {
            if (Directory.Exists(a)) Directory.Delete(a, true);
            if (Directory.Exists(b)) Directory.Delete(b, true);
        }
    }

    /// <summary>Throws (as a kill would stop the process) at the first step after <paramref name="epochsDone"/> epochs.</summary>
    sealed class KillAtStep(int epochs, int epochsDone) : LsLab.Training.IProgressReporter, LsLab.Training.IProgressTask
    {
        long _limit, _steps;
        public void Run(string title, long totalSteps, Action<LsLab.Training.IProgressTask> work)
        {
            _limit = totalSteps / epochs * epochsDone;
            work(this);
        }
        public void Advance(long steps, string? status = null)
        {
            _steps += steps;
            if (steps > 0 && _steps > _limit) throw new OperationCanceledException();
        }
        public void Log(string line) { }
    }
}
