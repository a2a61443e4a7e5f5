using TorchSharp;
using static TorchSharp.torch;

namespace LsLab.Translation;

/// <summary>How a hypothesis' log-probability is normalised by its length before ranking.</summary>
public enum LengthPenalty
{
    /// <summary>Raw log-probability.</summary>
    None,
    /// <summary>GNMT (Wu et al. 2016), as tensor2tensor: score = log p / ((5 + len) / 6)^α.</summary>
    Gnmt,
    /// <summary>fairseq style: score = log p / len^α.</summary>
    Power,
}

/// <summary>
/// Decoding settings. Length <c>len</c> counts generated tokens including the final EOS. The
/// temperature divides the logits before the log-softmax used for scoring. PAD and BOS are never
/// generated. A hypothesis that reaches the maximum length without EOS ends there.
/// </summary>
public sealed record DecodeOptions
{
    /// <summary>Beam size k.</summary>
    public int Beam { get; init; } = 4;
    /// <summary>How hypotheses of different lengths are compared (GNMT by default).</summary>
    public LengthPenalty Penalty { get; init; } = LengthPenalty.Gnmt;
    /// <summary>Length-penalty exponent α_len (0.6 = tensor2tensor's default).</summary>
    public double LengthAlpha { get; init; } = 0.6;
    /// <summary>Temperature dividing the logits before scoring.</summary>
    public double Temperature { get; init; } = 1.0;
    /// <summary>Fixed maximum output length; when null, ⌊a·|source| + b⌋ with <see cref="MaxLengthA"/>, <see cref="MaxLengthB"/> (|source| includes its EOS).</summary>
    public int? MaxLength { get; init; }
    /// <summary>Slope a of the default maximum length ⌊a·|source| + b⌋.</summary>
    public double MaxLengthA { get; init; } = 1.5;
    /// <summary>Offset b of the default maximum length ⌊a·|source| + b⌋.</summary>
    public int MaxLengthB { get; init; } = 10;
    /// <summary>Hypotheses returned per sentence (at most the beam size).</summary>
    public int NBest { get; init; } = 1;
    /// <summary>Sentences decoded together.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Checks every setting (one clear message per bad value) and returns this.</summary>
    public DecodeOptions Validate()
    {
        if (Beam < 1) throw new LsLabException($"beam must be at least 1, got {Beam}.");
        if (NBest < 1 || NBest > Beam) throw new LsLabException($"n-best must be between 1 and the beam size {Beam}, got {NBest}.");
        if (!(Temperature > 0) || double.IsInfinity(Temperature)) throw new LsLabException($"temperature must be positive, got {Temperature}.");
        if (LengthAlpha < 0) throw new LsLabException($"length-penalty α must be ≥ 0, got {LengthAlpha}.");
        if (MaxLength is < 1) throw new LsLabException($"max length must be positive, got {MaxLength}.");
        if (BatchSize < 1) throw new LsLabException($"batch size must be positive, got {BatchSize}.");
        return this;
    }

    /// <summary>The divisor of the log-probability for a hypothesis of <paramref name="length"/> tokens.</summary>
    public double LengthDivisor(int length) => Penalty switch
    {
        LengthPenalty.Gnmt => Math.Pow((5.0 + length) / 6.0, LengthAlpha),
        LengthPenalty.Power => Math.Pow(length, LengthAlpha),
        _ => 1.0,
    };

    /// <summary>The maximum output length for a source of <paramref name="sourceLength"/> tokens, capped by the model's positions.</summary>
    public int MaxLengthFor(int sourceLength, int modelPositions) =>
        Math.Max(1, Math.Min(MaxLength ?? (int)Math.Floor(MaxLengthA * sourceLength + MaxLengthB), modelPositions));
}

/// <summary>One output: tokens without BOS/EOS, total log-probability (EOS included), length-normalised score.</summary>
public sealed record Hypothesis(int[] Tokens, double LogProb, double Score, bool EndedWithEos);

/// <summary>Greedy and beam-search decoding of a <see cref="Seq2SeqTransformer"/>, batched over sentences.</summary>
public static class Decoder
{
    /// <summary>Log-probabilities at temperature T, with PAD and BOS made impossible.</summary>
    static Tensor Scores(Tensor logits, double temperature)
    {
        var logp = (temperature == 1.0 ? logits : logits.Times(1.0 / temperature)).to_type(ScalarType.Float64).log_softmax(-1);
        return logp.IndexFillMinusInfinity_(1, Native.Engine.ToDevice(tensor(new long[] { Bpe.Pad, Bpe.Bos })));
    }

    static Tensor Pad(IReadOnlyList<int[]> rows)
    {
        int len = Math.Max(1, rows.Max(r => r.Length));
        var data = new long[rows.Count * len];
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < rows[i].Length; j++) data[i * len + j] = rows[i][j];
        return Native.Engine.ToDevice(tensor(data, new long[] { rows.Count, len }));
    }

    /// <summary>Greedy decoding: the most probable token at each step until EOS or the maximum length.</summary>
    public static IReadOnlyList<Hypothesis> Greedy(Seq2SeqTransformer model, IReadOnlyList<int[]> sources, DecodeOptions options)
    {
        options = options.Validate();
        var result = new List<Hypothesis>(sources.Count);
        model.eval();
        using var _ = no_grad();
        for (int start = 0; start < sources.Count; start += options.BatchSize)
        {
            var batch = sources.Skip(start).Take(options.BatchSize).ToList();
            result.AddRange(GreedyBatch(model, batch, options));
        }
        return result;
    }

    static List<Hypothesis> GreedyBatch(Seq2SeqTransformer model, List<int[]> batch, DecodeOptions o)
    {
        int n = batch.Count;
        var maxLens = batch.Select(s => o.MaxLengthFor(s.Length, model.Config.MaxPositions)).ToArray();
        var tokens = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
        var logProb = new double[n];
        var ended = new bool[n];
        var done = new bool[n];
        var last = Enumerable.Repeat((long)Bpe.Bos, n).ToArray();
        using var outer = NewDisposeScope();
        var (memory, blocked) = model.Encode(Pad(batch));
        using var state = model.Start(memory, blocked);
        for (int t = 0; t < maxLens.Max() && !done.All(d => d); t++)
        {
            using var scope = NewDisposeScope();
            var logp = Scores(model.Step(state, Native.Engine.ToDevice(tensor(last))), o.Temperature);
            var (best, arg) = logp.max(1);
            var bestV = best.ToCpuArray<double>();
            var argV = arg.ToCpuArray<long>();
            for (int i = 0; i < n; i++)
            {
                if (done[i]) { last[i] = Bpe.Pad; continue; }
                int tok = (int)argV[i];
                logProb[i] += bestV[i];
                if (tok == Bpe.Eos) { ended[i] = true; done[i] = true; }
                else { tokens[i].Add(tok); if (t + 1 >= maxLens[i]) done[i] = true; }
                last[i] = tok;
            }
        }
        return Enumerable.Range(0, n).Select(i =>
        {
            int len = tokens[i].Count + (ended[i] ? 1 : 0);
            return new Hypothesis(tokens[i].ToArray(), logProb[i], logProb[i] / o.LengthDivisor(len), ended[i]);
        }).ToList();
    }

    /// <summary>
    /// Beam search, batched over sentences. Each step extends the k live hypotheses of a sentence by
    /// every token and keeps the 2k best by total log-probability: an EOS candidate among the top k
    /// ends a hypothesis (ranked by its length-normalised score), and the best k others stay live.
    /// A sentence stops when k hypotheses have ended and no live one can still beat the worst of
    /// them (its log-probability can only fall and the length divisor is largest at the maximum
    /// length), or at its maximum length. Returns the n best ended hypotheses per sentence, best first.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<Hypothesis>> Beam(Seq2SeqTransformer model, IReadOnlyList<int[]> sources, DecodeOptions options)
    {
        options = options.Validate();
        var result = new List<IReadOnlyList<Hypothesis>>(sources.Count);
        model.eval();
        using var _ = no_grad();
        for (int start = 0; start < sources.Count; start += options.BatchSize)
        {
            var batch = sources.Skip(start).Take(options.BatchSize).ToList();
            result.AddRange(BeamBatch(model, batch, options));
        }
        return result;
    }

    static List<IReadOnlyList<Hypothesis>> BeamBatch(Seq2SeqTransformer model, List<int[]> batch, DecodeOptions o)
    {
        int n = batch.Count, k = o.Beam, rows = n * k;
        int vocab = model.Config.TargetVocab;
        int take = Math.Min(2 * k, k * vocab);
        var maxLens = batch.Select(s => o.MaxLengthFor(s.Length, model.Config.MaxPositions)).ToArray();
        var seqs = Enumerable.Range(0, rows).Select(_ => new List<int>()).ToArray();
        var scores = new double[rows];
        for (int r = 0; r < rows; r++) scores[r] = r % k == 0 ? 0 : double.NegativeInfinity;
        var last = Enumerable.Repeat((long)Bpe.Bos, rows).ToArray();
        var finished = Enumerable.Range(0, n).Select(_ => new List<Hypothesis>()).ToArray();
        var done = new bool[n];

        using var outer = NewDisposeScope();
        var (memory, blocked) = model.Encode(Pad(batch));
        using var state = model.Start(memory.repeat_interleave(k, 0), blocked.repeat_interleave(k, 0));
        for (int t = 0; t < maxLens.Max() && !done.All(d => d); t++)
        {
            using var scope = NewDisposeScope();
            var logp = Scores(model.Step(state, Native.Engine.ToDevice(tensor(last))), o.Temperature);
            var total = logp.Plus(Native.Engine.ToDevice(tensor(scores, ScalarType.Float64)).unsqueeze(1));
            var (vals, idx) = total.view(n, k * vocab).topk(take, 1);
            var valsV = vals.ToCpuArray<double>();
            var idxV = idx.ToCpuArray<long>();

            var newSeqs = new List<int>[rows];
            var newScores = new double[rows];
            var parents = new long[rows];
            var newLast = new long[rows];
            for (int b = 0; b < n; b++)
            {
                int alive = 0;
                if (!done[b])
                {
                    bool atMax = t + 1 >= maxLens[b];
                    for (int c = 0; c < take; c++)
                    {
                        double s = valsV[b * take + c];
                        if (double.IsNegativeInfinity(s)) break;
                        long flat = idxV[b * take + c];
                        int parent = b * k + (int)(flat / vocab), tok = (int)(flat % vocab);
                        if (tok == Bpe.Eos)
                        {
                            if (c < k) finished[b].Add(new Hypothesis(seqs[parent].ToArray(), s, s / o.LengthDivisor(t + 1), true));
                        }
                        else if (alive < k)
                        {
                            var seq = new List<int>(seqs[parent]) { tok };
                            if (atMax) finished[b].Add(new Hypothesis(seq.ToArray(), s, s / o.LengthDivisor(t + 1), false));
                            else
                            {
                                int row = b * k + alive;
                                newSeqs[row] = seq; newScores[row] = s; parents[row] = parent; newLast[row] = tok;
                            }
                            alive++;
                        }
                    }
                    finished[b].Sort((x, y) => y.Score.CompareTo(x.Score));
                    if (finished[b].Count > k) finished[b].RemoveRange(k, finished[b].Count - k);
                    if (atMax) { done[b] = true; alive = 0; }
                    else
                    {
                        double bestAlive = alive > 0 ? newScores[b * k] : double.NegativeInfinity;
                        if (alive == 0) done[b] = true;
                        else if (finished[b].Count >= k && finished[b][k - 1].Score >= bestAlive / o.LengthDivisor(maxLens[b]))
                            done[b] = true;
                    }
                }
                for (int j = done[b] ? 0 : alive; j < k; j++)
                {
                    int row = b * k + j;
                    newSeqs[row] = new List<int>(); newScores[row] = double.NegativeInfinity; parents[row] = b * k; newLast[row] = Bpe.Pad;
                }
            }
            state.Reorder(Native.Engine.ToDevice(tensor(parents)));
            seqs = newSeqs; scores = newScores; last = newLast;
        }
        return finished.Select(f => (IReadOnlyList<Hypothesis>)f.Take(o.NBest).ToList()).ToList();
    }
}
