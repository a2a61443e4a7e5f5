using LsLab.Calibration;
using LsLab.Statistics;
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
    TokenPredictions(double[] logits, int[] labels, int k, int[]? sentence = null)
    {
        Logits = logits; Labels = labels; K = k;
        Sentence = sentence ?? Enumerable.Range(0, labels.Length).ToArray();
    }

    /// <summary>Logits [N, K] row-major.</summary>
    public double[] Logits { get; }
    /// <summary>True next tokens [N].</summary>
    public int[] Labels { get; }
    /// <summary>Target vocabulary size.</summary>
    public int K { get; }
    /// <summary>Number of target tokens N.</summary>
    public int Count => Labels.Length;
    /// <summary>The sentence each token belongs to, ascending (tokens of one sentence are consecutive); each token its own "sentence" when unknown.</summary>
    public int[] Sentence { get; }
    /// <summary>Number of sentences (units of resampling).</summary>
    public int Sentences => Sentence.Length == 0 ? 0 : Sentence[^1] + 1;

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
        var sentence = new List<int>();
        var data = pairs.Select(p => (translator.EncodeSource(p.Source), translator.EncodeTarget(p.Target))).ToList();
        for (int i = 0; i < data.Count; i += batchSize)
        {
            using var scope = NewDisposeScope();
            var part = data.Skip(i).Take(batchSize).ToList();
            using var batch = TranslationBatch.Make(part.Select(p => p.Item1).ToList(), part.Select(p => p.Item2).ToList());
            var z = model.Forward(batch.Source, batch.TargetIn);
            var keep = batch.TargetOut.ne(Bpe.Pad).reshape(-1).nonzero().squeeze(1);
            long width = batch.TargetOut.shape[1];
            sentence.AddRange(keep.ToCpuArray<long>().Select(pos => i + (int)(pos / width)));
            logits.AddRange(z.reshape(-1, z.shape[^1]).index_select(0, keep).to_type(ScalarType.Float64).ToCpuArray<double>());
            labels.AddRange(batch.TargetOut.reshape(-1).index_select(0, keep).to_type(ScalarType.Int32).ToCpuArray<int>());
        }
        return new TokenPredictions(logits.ToArray(), labels.ToArray(), model.Config.TargetVocab, sentence.ToArray());
    }

    /// <summary>
    /// Token NLL at temperature T as a metric of resampled <em>sentences</em> (indices into 0..Sentences−1): the
    /// tokens of one sentence are not independent, so intervals resample whole sentences, as BLEU's do.
    /// </summary>
    public Func<int[], double> NllOfSentences(double temperature)
    {
        var nll = PerExample.Nll(At(temperature));
        var (sum, count) = PerSentence(nll.Select(v => new[] { v }).ToArray(), 1);
        return idx => { double s = 0, n = 0; foreach (int j in idx) { s += sum[j][0]; n += count[j]; } return s / n; };
    }

    /// <summary>Top-label ECE (equal-width bins, as <see cref="Metrics.Ece"/>) at temperature T as a metric of resampled sentences.</summary>
    public Func<int[], double> EceOfSentences(double temperature, int bins = 15)
    {
        // ECE = Σ_b |Σ_{i in b} (confidence_i − correct_i)| / n: one signed gap per bin and token is enough.
        var (conf, correct) = HistogramBinning.TopLabel(At(temperature));
        var perToken = new double[conf.Length][];
        for (int i = 0; i < conf.Length; i++)
        {
            perToken[i] = new double[bins];
            perToken[i][Metrics.EqualWidthBin(conf[i], bins)] = conf[i] - correct[i];
        }
        var (sum, count) = PerSentence(perToken, bins);
        return idx =>
        {
            var gap = new double[bins];
            double n = 0;
            foreach (int j in idx) { n += count[j]; for (int b = 0; b < bins; b++) gap[b] += sum[j][b]; }
            return gap.Sum(Math.Abs) / n;
        };
    }

    /// <summary>Per-sentence sums of per-token vectors, and each sentence's token count.</summary>
    (double[][] Sum, int[] Count) PerSentence(double[][] perToken, int width)
    {
        var sum = Enumerable.Range(0, Sentences).Select(_ => new double[width]).ToArray();
        var count = new int[Sentences];
        for (int i = 0; i < perToken.Length; i++)
        {
            count[Sentence[i]]++;
            for (int c = 0; c < width; c++) sum[Sentence[i]][c] += perToken[i][c];
        }
        return (sum, count);
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
