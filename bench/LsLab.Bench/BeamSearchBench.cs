using System.Diagnostics;
using static TorchSharp.torch;

using LsLab.Translation;

namespace LsLab.Bench;

/// <summary>Result of <see cref="BeamSearchBenchmark.Run"/>.</summary>
public sealed record BeamBenchmarkResult(int Sentences, int Beam, int OutputTokens, double Seconds, double SentencesPerSecond, string Model);

/// <summary>
/// Beam-search speed for the performance table: a fixed randomly initialised Transformer of the
/// quick profile's size (d=128, 2+2 layers, 1000-piece vocabularies) translating seeded random
/// 12-piece sources with beam 4, batches of 32, every hypothesis forced to run to a fixed 24 output
/// tokens (EOS disabled by a large negative bias) so the work does not depend on what the weights say.
/// One warm-up batch is excluded from the timing.
/// </summary>
public static class BeamSearchBenchmark
{
    public static BeamBenchmarkResult Run(int sentences = 128, int beam = 4, int seed = 0, int dModel = 128, int layers = 2)
    {
        if (Native.Engine.Threads == 0) Native.Engine.Initialize();
        const int vocab = 1000, sourceLength = 12, outputLength = 24;
        manual_seed(seed);
        var config = new TransformerConfig
        {
            SourceVocab = vocab, TargetVocab = vocab, DModel = dModel, Heads = 4, FeedForward = 4 * dModel,
            EncoderLayers = layers, DecoderLayers = layers, MaxPositions = 64,
        };
        using var model = new Seq2SeqTransformer(config);
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
                if (name == "out_bias") p[Bpe.Eos] = tensor(-1e4f);
        model.eval();
        var rng = new Random(seed);
        var sources = Enumerable.Range(0, sentences)
            .Select(_ => Enumerable.Range(0, sourceLength).Select(_ => rng.Next(4, vocab)).Append(Bpe.Eos).ToArray()).ToList();
        var options = new DecodeOptions { Beam = beam, MaxLength = outputLength, BatchSize = 32, Penalty = LengthPenalty.Gnmt };
        Decoder.Beam(model, sources.Take(options.BatchSize).ToList(), options);
        var sw = Stopwatch.StartNew();
        var result = Decoder.Beam(model, sources, options);
        double seconds = sw.Elapsed.TotalSeconds;
        int tokens = result.Sum(r => r[0].Tokens.Length);
        return new BeamBenchmarkResult(sentences, beam, tokens, seconds, sentences / seconds,
            $"Transformer d={dModel}, {layers}+{layers} layers, vocab {vocab}, beam {beam}, {outputLength} output tokens per sentence");
    }
}
