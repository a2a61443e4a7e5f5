using TorchSharp;
using LsLab.Runs;
using static TorchSharp.torch;

namespace LsLab.Translation;

/// <summary>
/// A trained English→German translator: the Transformer and the two subword vocabularies.
/// Sources are encoded as pieces + EOS; targets as BOS + pieces (decoder input) and pieces + EOS (labels).
/// </summary>
public sealed class Translator : IDisposable
{
    /// <summary>A translator from a model and the tokenisers it was trained with (their sizes must match the model's).</summary>
    public Translator(Seq2SeqTransformer model, Bpe source, Bpe target)
    {
        if (model.Config.SourceVocab != source.Count || model.Config.TargetVocab != target.Count)
            throw new ArgumentException($"model vocabularies ({model.Config.SourceVocab}, {model.Config.TargetVocab}) do not match the tokenisers ({source.Count}, {target.Count}).");
        Model = model;
        Source = source;
        Target = target;
    }

    /// <summary>The encoder–decoder Transformer.</summary>
    public Seq2SeqTransformer Model { get; }
    /// <summary>English subword vocabulary.</summary>
    public Bpe Source { get; }
    /// <summary>German subword vocabulary.</summary>
    public Bpe Target { get; }

    /// <summary>Longest piece sequence per side that fits the position table with BOS/EOS.</summary>
    public int MaxPieces => Model.Config.MaxPositions - 1;

    /// <summary>Source ids: pieces (truncated to fit) + EOS.</summary>
    public int[] EncodeSource(string text) => Source.Encode(text).Take(MaxPieces).Append(Bpe.Eos).ToArray();

    /// <summary>Target pieces (truncated to fit), without BOS/EOS.</summary>
    public int[] EncodeTarget(string text) => Target.Encode(text).Take(MaxPieces).ToArray();

    /// <summary>Best translation of each sentence (beam search with <paramref name="options"/>; beam 1 = greedy).</summary>
    public IReadOnlyList<string> Translate(IReadOnlyList<string> sentences, DecodeOptions? options = null) =>
        TranslateNBest(sentences, options ?? new DecodeOptions()).Select(n => n.Count > 0 ? n[0].Text : "").ToList();

    /// <summary>The n best translations with their scores.</summary>
    public IReadOnlyList<IReadOnlyList<(string Text, double Score, double LogProb)>> TranslateNBest(IReadOnlyList<string> sentences, DecodeOptions options)
    {
        var (order, sources) = SortedByLength(sentences);
        var hyps = options.Beam == 1
            ? Decoder.Greedy(Model, sources, options).Select(h => (IReadOnlyList<Hypothesis>)new[] { h }).ToList()
            : Decoder.Beam(Model, sources, options);
        var result = new IReadOnlyList<(string, double, double)>[sentences.Count];
        for (int i = 0; i < order.Length; i++)
            result[order[i]] = hyps[i].Select(h => (Target.Decode(h.Tokens), h.Score, h.LogProb)).ToList();
        return result;
    }

    /// <summary>Sources encoded and sorted by length (batches then waste little padding), with their original positions.</summary>
    (int[] Order, List<int[]> Sources) SortedByLength(IReadOnlyList<string> sentences)
    {
        var encoded = sentences.Select(EncodeSource).ToList();
        var order = Enumerable.Range(0, encoded.Count).OrderBy(i => encoded[i].Length).ThenBy(i => i).ToArray();
        return (order, order.Select(i => encoded[i]).ToList());
    }

    /// <summary>Saves model weights and vocabularies into <paramref name="dir"/> (model.dat, source.bpe.json, target.bpe.json, model.json).</summary>
    public void Save(string dir, string modelFile = "model.dat")
    {
        Directory.CreateDirectory(dir);
        Source.Save(Path.Combine(dir, "source.bpe.json"));
        Target.Save(Path.Combine(dir, "target.bpe.json"));
        AtomicFile.WriteJson(Path.Combine(dir, "model.json"), Model.Config);
        AtomicFile.Write(Path.Combine(dir, modelFile), tmp => Model.save(tmp));
    }

    /// <summary>Loads a translator saved by <see cref="Save"/> or by training (a run folder).</summary>
    public static Translator Load(string dir, string modelFile = "model.dat")
    {
        if (Native.Engine.Threads == 0) Native.Engine.Initialize();
        var weights = Path.Combine(dir, modelFile);
        if (!File.Exists(weights))
            throw new LsLabException($"{weights}: no trained translator here. Train one with `lslab translate train --out {dir}` (or finish an interrupted run with --resume).");
        if (modelFile == "model.dat") new RunFolder(dir).Verify();
        var config = AtomicFile.ReadJson<TransformerConfig>(Path.Combine(dir, "model.json"));
        var source = Bpe.Load(Path.Combine(dir, "source.bpe.json"));
        var target = Bpe.Load(Path.Combine(dir, "target.bpe.json"));
        var model = new Seq2SeqTransformer(config);
        try { model.load(weights); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            throw new InvalidDataException($"{weights}: could not load the weights into a model of {config}: {e.Message}", e);
        }
        if (!Native.Engine.OnCpu) model.to(Native.Engine.Device);
        model.eval();
        return new Translator(model, source, target);
    }

    /// <summary>Frees the model.</summary>
    public void Dispose() => Model.Dispose();
}

/// <summary>A batch of padded id tensors for teacher forcing.</summary>
public sealed record TranslationBatch(Tensor Source, Tensor TargetIn, Tensor TargetOut, long Tokens) : IDisposable
{
    /// <summary>Pads sources (pieces + EOS), decoder inputs (BOS + pieces) and labels (pieces + EOS) with PAD.</summary>
    public static TranslationBatch Make(IReadOnlyList<int[]> sources, IReadOnlyList<int[]> targets)
    {
        int n = sources.Count;
        int s = sources.Max(x => x.Length), t = targets.Max(x => x.Length) + 1;
        var src = new long[n * s];
        var tin = new long[n * t];
        var tout = new long[n * t];
        long tokens = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < sources[i].Length; j++) src[i * s + j] = sources[i][j];
            var y = targets[i];
            tin[i * t] = Bpe.Bos;
            for (int j = 0; j < y.Length; j++) { tin[i * t + j + 1] = y[j]; tout[i * t + j] = y[j]; }
            tout[i * t + y.Length] = Bpe.Eos;
            tokens += y.Length + 1;
        }
        return new TranslationBatch(Native.Engine.ToDevice(tensor(src, new long[] { n, s })), Native.Engine.ToDevice(tensor(tin, new long[] { n, t })),
            Native.Engine.ToDevice(tensor(tout, new long[] { n, t })), tokens);
    }

    /// <summary>Frees the batch's tensors.</summary>
    public void Dispose()
    {
        Source.Dispose();
        TargetIn.Dispose();
        TargetOut.Dispose();
    }
}
