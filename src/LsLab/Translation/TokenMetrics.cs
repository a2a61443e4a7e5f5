using LsLab.Calibration;
using static TorchSharp.torch;

namespace LsLab.Translation;

/// <summary>Teacher-forced next-token quality at one temperature: NLL (nats per token), top-1 accuracy, ECE.</summary>
public sealed record TokenScore(double Temperature, double Nll, double Accuracy, double Ece, long Tokens);

/// <summary>
/// Next-token predictions of a translator given the correct prefix (teacher forcing), as in the
/// paper's Transformer calibration: every non-padding target position (EOS included) is one
/// prediction over the target vocabulary. Logits are collected once, then scored at any
/// temperature with the shared calibration code (<see cref="LsLab.Calibration"/>: ECE with 15
/// equal-width bins, top-label; temperature fitted by held-out NLL).
/// </summary>
public sealed class TokenPredictions
{
    TokenPredictions(double[] logits, int[] labels, int k) { Logits = logits; Labels = labels; K = k; }

    /// <summary>Logits [N, K] row-major.</summary>
    public double[] Logits { get; }
    /// <summary>True next tokens [N].</summary>
    public int[] Labels { get; }
    /// <summary>Target vocabulary size.</summary>
    public int K { get; }
    /// <summary>Number of target tokens N.</summary>
    public int Count => Labels.Length;

    /// <summary>Predictions from logits [N, V] and labels [N] computed elsewhere.</summary>
    public static TokenPredictions FromLogits(Tensor logits, Tensor labels)
    {
        if (logits.dim() != 2 || labels.dim() != 1 || logits.shape[0] != labels.shape[0])
            throw new ArgumentException($"expected logits [N,V] and labels [N], got [{string.Join(",", logits.shape)}] and [{string.Join(",", labels.shape)}].");
        using var scope = NewDisposeScope();
        return new TokenPredictions(logits.detach().to_type(ScalarType.Float64).contiguous().ToCpuArray<double>(),
            labels.to_type(ScalarType.Int32).ToCpuArray<int>(), (int)logits.shape[1]);
    }

    /// <summary>Runs the model in eval mode over <paramref name="pairs"/> and keeps the logits of all target positions.</summary>
    public static TokenPredictions Collect(Translator translator, IReadOnlyList<SentencePair> pairs, int batchSize = 64)
    {
        if (pairs.Count == 0) throw new ArgumentException("No sentence pairs to score.");
        var model = translator.Model;
        model.eval();
        using var _ = no_grad();
        var logits = new List<double>();
        var labels = new List<int>();
        var data = pairs.Select(p => (translator.EncodeSource(p.Source), translator.EncodeTarget(p.Target))).ToList();
        for (int i = 0; i < data.Count; i += batchSize)
        {
            using var scope = NewDisposeScope();
            var part = data.Skip(i).Take(batchSize).ToList();
            using var batch = TranslationBatch.Make(part.Select(p => p.Item1).ToList(), part.Select(p => p.Item2).ToList());
            var z = model.Forward(batch.Source, batch.TargetIn);
            var keep = batch.TargetOut.ne(Bpe.Pad).reshape(-1).nonzero().squeeze(1);
            logits.AddRange(z.reshape(-1, z.shape[^1]).index_select(0, keep).to_type(ScalarType.Float64).ToCpuArray<double>());
            labels.AddRange(batch.TargetOut.reshape(-1).index_select(0, keep).to_type(ScalarType.Int32).ToCpuArray<int>());
        }
        return new TokenPredictions(logits.ToArray(), labels.ToArray(), model.Config.TargetVocab);
    }

    /// <summary>Softmax(logits / T) as calibration predictions.</summary>
    public Predictions At(double temperature) => Predictions.FromLogits(Logits, K, Labels, temperature);

    /// <summary>Mean NLL (nats per token) of the labels under softmax(logits / T).</summary>
    public double Nll(double temperature) => TemperatureScaling.NllAt(Logits, K, Labels, temperature);

    /// <summary>NLL, accuracy and ECE (<paramref name="bins"/> equal-width bins, top-label) at temperature T.</summary>
    public TokenScore Score(double temperature = 1.0, int bins = 15)
    {
        var p = At(temperature);
        return new TokenScore(temperature, Metrics.Nll(p), Metrics.Accuracy(p), Metrics.Ece(p, bins), Count);
    }

    /// <summary>The temperature minimising NLL on these predictions (temperature scaling, Guo et al. 2017).</summary>
    public double FitTemperature() => TemperatureScaling.Fit(Logits, K, Labels).Temperature;
}
