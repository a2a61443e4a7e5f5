using LsLab.Translation;
using static TorchSharp.torch;

namespace LsLab.Tests.Translation;

public class DecodingTests
{
    public DecodingTests() => Engine.Initialize();

    static Seq2SeqTransformer Model(int srcVocab, int tgtVocab, int seed, int d = 32)
    {
        manual_seed(seed);
        var m = new Seq2SeqTransformer(new TransformerConfig
        {
            SourceVocab = srcVocab, TargetVocab = tgtVocab, DModel = d, Heads = 2, FeedForward = 2 * d,
            EncoderLayers = 2, DecoderLayers = 2, Dropout = 0.1, MaxPositions = 64,
        });
        // Random weights give near-uniform next-token distributions; sharpen them so decoding choices matter.
        using (no_grad())
            foreach (var (name, p) in m.named_parameters())
                if (name.Contains("tgt_embed")) p.mul_(4);
        m.eval();
        return m;
    }

    static List<int[]> Sources(int n, int vocab, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ =>
            Enumerable.Range(0, rng.Next(2, 9)).Select(_ => rng.Next(4, vocab)).Append(Bpe.Eos).ToArray()).ToList();
    }

    /// <summary>
    /// Total log-probability of each whole output (tokens, then EOS when it ended) under one
    /// teacher-forced full forward pass of all outputs as a batch (no incremental cache involved).
    /// </summary>
    static double[] SequenceLogProbs(Seq2SeqTransformer m, int[] src, IReadOnlyList<(int[] Tokens, bool Eos)> outputs, double temperature)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var targets = outputs.Select(o => o.Eos ? o.Tokens.Append(Bpe.Eos).ToArray() : o.Tokens).ToList();
        int t = targets.Max(x => x.Length), n = targets.Count;
        var tin = new long[n * t];
        for (int i = 0; i < n; i++)
        {
            tin[i * t] = Bpe.Bos;
            for (int j = 0; j + 1 < targets[i].Length; j++) tin[i * t + j + 1] = targets[i][j];
        }
        var srcT = tensor(src.Select(x => (long)x).ToArray()).unsqueeze(0).expand(n, src.Length);
        var logp = (m.Forward(srcT, tensor(tin, new long[] { n, t })).to_type(ScalarType.Float64) / temperature).log_softmax(-1);
        var flat = logp.data<double>().ToArray();
        long v = logp.shape[2];
        return targets.Select((y, i) => y.Select((tok, j) => flat[(i * t + j) * v + tok]).Sum()).ToArray();
    }

    [Fact]
    public void Incremental_steps_give_the_same_logits_as_the_full_forward_pass()
    {
        using var m = Model(12, 15, 1);
        var src = tensor(new long[] { 5, 6, 7, 2, 8, 9, 10, 2 }, new long[] { 2, 4 });
        var tin = tensor(new long[] { 1, 4, 5, 6, 7, 1, 8, 9, 10, 11 }, new long[] { 2, 5 });
        using var _ = no_grad();
        var full = m.Forward(src, tin);
        var (memory, blocked) = m.Encode(src);
        using var state = m.Start(memory, blocked);
        for (int t = 0; t < 5; t++)
        {
            var step = m.Step(state, tin[TensorIndex.Colon, t]);
            Assert.True(step.allclose(full[TensorIndex.Colon, t], rtol: 1e-4, atol: 1e-5), $"position {t}");
        }
    }

    [Fact]
    public void Beam_of_one_equals_greedy()
    {
        using var m = Model(20, 16, 2);
        var sources = Sources(12, 20, 3);
        foreach (double temperature in new[] { 1.0, 0.6, 1.7 })
        {
            var o = new DecodeOptions { Beam = 1, Penalty = LengthPenalty.None, Temperature = temperature, MaxLength = 12, BatchSize = 5 };
            var greedy = Decoder.Greedy(m, sources, o);
            var beam = Decoder.Beam(m, sources, o);
            for (int i = 0; i < sources.Count; i++)
            {
                Assert.Equal(greedy[i].Tokens, beam[i][0].Tokens);
                Assert.Equal(greedy[i].EndedWithEos, beam[i][0].EndedWithEos);
                Assert.Equal(greedy[i].LogProb, beam[i][0].LogProb, 1e-9);
            }
            Assert.Contains(greedy, h => h.Tokens.Length > 1);
        }
    }

    static IEnumerable<(int[] Tokens, bool Eos)> AllOutputs(int[] alphabet, int maxLength)
    {
        // Every sequence of 0..maxLength−1 tokens followed by EOS, and every sequence of maxLength tokens without EOS.
        var prefixes = new List<int[]> { Array.Empty<int>() };
        for (int len = 0; len <= maxLength; len++)
        {
            foreach (var p in prefixes) if (len < maxLength) yield return (p, true); else yield return (p, false);
            if (len < maxLength) prefixes = prefixes.SelectMany(p => alphabet.Select(a => p.Append(a).ToArray())).ToList();
        }
    }

    [Theory]
    [InlineData(LengthPenalty.None, 0.0, 1.0)]
    [InlineData(LengthPenalty.Gnmt, 0.6, 1.0)]
    [InlineData(LengthPenalty.Power, 1.0, 0.7)]
    public void Wide_beam_finds_the_brute_force_optimum(LengthPenalty penalty, double lengthAlpha, double temperature)
    {
        // Target vocabulary: PAD, BOS, EOS, UNK, a, b. Generable tokens: EOS, UNK, a, b.
        using var m = Model(9, 6, 4);
        const int maxLength = 4;
        int[] alphabet = { Bpe.Unk, 4, 5 };
        // Wide enough that nothing is ever pruned: all 3^4 = 81 prefixes stay live, and at the last step all
        // 27 × 4 = 108 candidates rank within the top k (an EOS candidate only ends a hypothesis within the top k).
        const int beam = 128;
        var o = new DecodeOptions { Beam = beam, NBest = 5, Penalty = penalty, LengthAlpha = lengthAlpha, Temperature = temperature, MaxLength = maxLength };
        var sources = Sources(3, 9, 5);
        var beamResult = Decoder.Beam(m, sources, o);
        for (int i = 0; i < sources.Count; i++)
        {
            var outputs = AllOutputs(alphabet, maxLength).ToList();
            var logProbs = SequenceLogProbs(m, sources[i], outputs, temperature);
            var all = outputs.Select((x, j) =>
            {
                int len = x.Tokens.Length + (x.Eos ? 1 : 0);
                return (x.Tokens, x.Eos, LogProb: logProbs[j], Score: logProbs[j] / o.LengthDivisor(len));
            }).OrderByDescending(x => x.Score).ToList();
            Assert.Equal(1 + 3 + 9 + 27 + 81, all.Count);
            for (int r = 0; r < 5; r++)
            {
                Assert.Equal(all[r].Tokens, beamResult[i][r].Tokens);
                Assert.Equal(all[r].Eos, beamResult[i][r].EndedWithEos);
                Assert.Equal(all[r].Score, beamResult[i][r].Score, 1e-4);
            }
        }
    }

    [Fact]
    public void Batched_decoding_equals_one_sentence_at_a_time_and_nbest_is_sorted()
    {
        using var m = Model(20, 16, 6);
        var sources = Sources(9, 20, 7);
        var o = new DecodeOptions { Beam = 4, NBest = 3, MaxLength = 10, BatchSize = 9 };
        var batched = Decoder.Beam(m, sources, o);
        for (int i = 0; i < sources.Count; i++)
        {
            var single = Decoder.Beam(m, new[] { sources[i] }, o)[0];
            Assert.Equal(single.Select(h => h.Tokens), batched[i].Select(h => h.Tokens));
            Assert.Equal(3, batched[i].Count);
            for (int r = 1; r < 3; r++) Assert.True(batched[i][r - 1].Score >= batched[i][r].Score);
        }
    }

    [Fact]
    public void Length_penalty_and_options_are_checked()
    {
        var o = new DecodeOptions { LengthAlpha = 0.6 };
        Assert.Equal(Math.Pow(11.0 / 6, 0.6), o.LengthDivisor(6), 12);
        Assert.Equal(Math.Pow(6, 0.6), (o with { Penalty = LengthPenalty.Power }).LengthDivisor(6), 12);
        Assert.Equal(1.0, (o with { Penalty = LengthPenalty.None }).LengthDivisor(6));
        Assert.Throws<LsLabException>(() => new DecodeOptions { Temperature = 0 }.Validate());
        Assert.Throws<LsLabException>(() => new DecodeOptions { Beam = 2, NBest = 3 }.Validate());
    }
}
