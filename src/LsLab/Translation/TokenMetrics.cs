using static TorchSharp.torch;

namespace LsLab.Translation;

/// <summary>Teacher-forced next-token quality at one temperature: NLL (nats per token), top-1 accuracy, ECE.</summary>
public sealed record TokenScore(double Temperature, double Nll, double Accuracy, double Ece, long Tokens);

/// <summary>
/// Next-token predictions of a translator given the correct prefix (teacher forcing), as in the
/// paper's Transformer calibration: every non-padding target position (EOS included) is one
/// prediction. Logits are collected once, then scored at any temperature.
/// </summary>
public sealed class TokenPredictions : IDisposable
{
    TokenPredictions(Tensor logits, Tensor labels) { Logits = logits; Labels = labels; }

    /// <summary>Predictions from logits [N, V] and labels [N] computed elsewhere (copies both).</summary>
    public static TokenPredictions FromLogits(Tensor logits, Tensor labels)
    {
        if (logits.dim() != 2 || labels.dim() != 1 || logits.shape[0] != labels.shape[0])
            throw new ArgumentException($"expected logits [N,V] and labels [N], got [{string.Join(",", logits.shape)}] and [{string.Join(",", labels.shape)}].");
        return new TokenPredictions(logits.detach().to_type(ScalarType.Float32).clone().DetachFromDisposeScope(),
            labels.to_type(ScalarType.Int64).clone().DetachFromDisposeScope());
    }

    /// <summary>Logits [N, V] (float32, CPU) of every target position.</summary>
    public Tensor Logits { get; }
    /// <summary>True next tokens [N] (int64).</summary>
    public Tensor Labels { get; }
    public long Count => Labels.shape[0];

    /// <summary>Runs the model in eval mode over <paramref name="pairs"/> and keeps the logits of all target positions.</summary>
    public static TokenPredictions Collect(Translator translator, IReadOnlyList<SentencePair> pairs, int batchSize = 64)
    {
        var model = translator.Model;
        model.eval();
        using var _ = no_grad();
        var logits = new List<Tensor>();
        var labels = new List<Tensor>();
        var data = pairs.Select(p => (translator.EncodeSource(p.Source), translator.EncodeTarget(p.Target))).ToList();
        for (int i = 0; i < data.Count; i += batchSize)
        {
            using var scope = NewDisposeScope();
            var part = data.Skip(i).Take(batchSize).ToList();
            using var batch = TranslationBatch.Make(part.Select(p => p.Item1).ToList(), part.Select(p => p.Item2).ToList());
            var z = model.Forward(batch.Source, batch.TargetIn);
            var keep = batch.TargetOut.ne(Bpe.Pad).reshape(-1).nonzero().squeeze(1);
            logits.Add(z.reshape(-1, z.shape[^1]).index_select(0, keep).MoveToOuterDisposeScope());
            labels.Add(batch.TargetOut.reshape(-1).index_select(0, keep).MoveToOuterDisposeScope());
        }
        if (logits.Count == 0) throw new ArgumentException("No sentence pairs to score.");
        var result = new TokenPredictions(cat(logits, 0), cat(labels, 0));
        foreach (var t in logits.Concat(labels)) t.Dispose();
        return result;
    }

    /// <summary>Mean NLL of the labels under softmax(logits / T).</summary>
    public double Nll(double temperature)
    {
        using var scope = NewDisposeScope();
        return nn.functional.cross_entropy(Logits / temperature, Labels).item<float>();
    }

    /// <summary>NLL, accuracy and ECE (<paramref name="bins"/> equal-width bins, top-label) at temperature T.</summary>
    public TokenScore Score(double temperature = 1.0, int bins = 15)
    {
        using var scope = NewDisposeScope();
        var scaled = Logits / temperature;
        double nll = nn.functional.cross_entropy(scaled, Labels).item<float>();
        var (conf, pred) = scaled.softmax(-1).max(1);
        var correct = pred.eq(Labels);
        double acc = correct.to_type(ScalarType.Float64).mean().item<double>();
        double ece = TopLabelEce.Compute(conf.data<float>().ToArray(), correct.data<bool>().ToArray(), bins);
        return new TokenScore(temperature, nll, acc, ece, Count);
    }

    /// <summary>
    /// The temperature minimising NLL, by golden-section search over log T in [0.05, 20]
    /// (NLL is convex in 1/T, hence unimodal in log T).
    /// </summary>
    public double FitTemperature(double lo = 0.05, double hi = 20, int iterations = 60)
    {
        double a = Math.Log(lo), b = Math.Log(hi), g = (Math.Sqrt(5) - 1) / 2;
        double c = b - g * (b - a), d = a + g * (b - a);
        double fc = Nll(Math.Exp(c)), fd = Nll(Math.Exp(d));
        for (int i = 0; i < iterations; i++)
        {
            if (fc < fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = Nll(Math.Exp(c)); }
            else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = Nll(Math.Exp(d)); }
        }
        return Math.Exp((a + b) / 2);
    }

    public void Dispose()
    {
        Logits.Dispose();
        Labels.Dispose();
    }
}

/// <summary>
/// Expected calibration error (Guo et al. 2017) of top-label predictions: Σ_m |B_m|/n · |acc(B_m) − conf(B_m)|
/// over M equal-width confidence bins ((m−1)/M, m/M]; a confidence of exactly 1 falls in the last bin.
/// Kept here until the shared calibration code lands in LsLab.Calibration.
/// </summary>
public static class TopLabelEce
{
    public static double Compute(IReadOnlyList<float> confidence, IReadOnlyList<bool> correct, int bins = 15)
    {
        if (confidence.Count != correct.Count) throw new ArgumentException($"{confidence.Count} confidences but {correct.Count} correctness flags.");
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), "at least one bin.");
        if (confidence.Count == 0) return double.NaN;
        var n = new long[bins];
        var sumConf = new double[bins];
        var sumAcc = new double[bins];
        for (int i = 0; i < confidence.Count; i++)
        {
            double c = confidence[i];
            int m = Math.Clamp((int)Math.Ceiling(c * bins) - 1, 0, bins - 1);
            n[m]++;
            sumConf[m] += c;
            if (correct[i]) sumAcc[m] += 1;
        }
        double ece = 0;
        for (int m = 0; m < bins; m++)
            if (n[m] > 0) ece += Math.Abs(sumAcc[m] - sumConf[m]) / confidence.Count;
        return ece;
    }
}
