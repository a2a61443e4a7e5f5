using System.Diagnostics;
using LsLab.Runs;
using LsLab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LsLab.Translation;

/// <summary>Everything that defines one translator training run (saved as config.json; resuming requires the same).</summary>
public sealed record TranslatorOptions
{
    /// <summary>Which corpus: the embedded grammar corpus or the installed Ding dictionary.</summary>
    public TranslationData Data { get; init; } = TranslationData.Embedded;
    /// <summary>Ding file or folder (null = /usr/share/trans/de-en).</summary>
    public string? DataPath { get; init; }
    /// <summary>Pairs generated for the embedded corpus (validation and test included).</summary>
    public int CorpusSize { get; init; } = 6000;
    /// <summary>Held-out pairs (either corpus): validation fits the temperature, test is reported.</summary>
    public int Validation { get; init; } = 500;
    /// <summary>Held-out test pairs (reported).</summary>
    public int Test { get; init; } = 500;
    /// <summary>Use only the first N training pairs (quick runs).</summary>
    public int? TrainLimit { get; init; }
    /// <summary>
    /// Ding only: add up to this many of the dictionary's phrase pairs ("bis auf weiteres :: until further notice") to the
    /// training pairs, never to validation or test (issue 14 §5). Not written when 0, so older specs keep their ids.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public int DingPhrases { get; init; }
    /// <summary>Seed of corpus, split, initialisation, order and dropout.</summary>
    public int Seed { get; init; }
    /// <summary>Label smoothing α over the target vocabulary (PyTorch semantics; padding ignored).</summary>
    public double Alpha { get; init; } = 0.1;
    /// <summary>Passes over the training pairs.</summary>
    public int Epochs { get; init; } = 20;
    /// <summary>Sentence pairs per step.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Peak Adam learning rate, reached after <see cref="WarmupSteps"/> linear warm-up steps, then cosine decay to 0.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Linear warm-up steps before the peak learning rate.</summary>
    public int WarmupSteps { get; init; } = 200;
    /// <summary>Gradient-norm clip (0 = off).</summary>
    public double ClipNorm { get; init; } = 1.0;
    /// <summary>BPE vocabulary sizes (specials and characters included).</summary>
    public int SourceVocab { get; init; } = 1000;
    /// <summary>Target (German) BPE vocabulary size.</summary>
    public int TargetVocab { get; init; } = 1000;
    /// <summary>Transformer size; its vocabulary sizes and position table are set from the learned BPE and <see cref="MaxPieces"/>.</summary>
    public TransformerConfig Model { get; init; } = new();
    /// <summary>Training pairs with more pieces than this on either side are skipped.</summary>
    public int MaxPieces { get; init; } = 64;

    /// <summary>Checks every setting (one clear message per bad value) and returns this.</summary>
    public TranslatorOptions Validate()
    {
        Losses.LabelSmoothing.Validate(Alpha);
        if (Epochs < 1) throw new LsLabException($"epochs must be at least 1, got {Epochs}.");
        if (BatchSize < 1) throw new LsLabException($"batch size must be positive, got {BatchSize}.");
        if (!(LearningRate > 0)) throw new LsLabException($"learning rate must be positive, got {LearningRate}.");
        if (WarmupSteps < 0) throw new LsLabException($"warm-up steps must be ≥ 0, got {WarmupSteps}.");
        if (SourceVocab < 8 || TargetVocab < 8) throw new LsLabException($"vocabulary sizes must be at least 8 (got {SourceVocab}, {TargetVocab}).");
        if (Validation < 1 || Test < 1) throw new LsLabException($"validation and test need at least one pair each (got {Validation}, {Test}).");
        if (Data == TranslationData.Embedded && CorpusSize < Validation + Test + 10)
            throw new LsLabException($"corpus size {CorpusSize} leaves fewer than 10 training pairs after {Validation} validation and {Test} test pairs.");
        if (MaxPieces < 4) throw new LsLabException($"max pieces must be at least 4, got {MaxPieces}.");
        ModelConfig(SourceVocab, TargetVocab).Validate();
        return this;
    }

    /// <summary>How the translator is optimised: Adam (β 0.9/0.98, ε 1e-9), linear warm-up then cosine decay, gradient clipping.</summary>
    public Recipe Recipe() => new()
    {
        Optimizer = OptimizerKind.Adam, Epochs = Epochs, LearningRate = LearningRate, WarmupSteps = WarmupSteps,
        Schedule = Schedule.Cosine, ClipNorm = ClipNorm, Seed = Seed,
    };

    /// <summary>The Transformer size for the learned vocabularies, with a position table that fits <see cref="MaxPieces"/>.</summary>
    public TransformerConfig ModelConfig(int sourceVocab, int targetVocab) =>
        Model with { SourceVocab = sourceVocab, TargetVocab = targetVocab, MaxPositions = Math.Max(MaxPieces + 1, 128) };
}

/// <summary>
/// Trains a <see cref="Translator"/> into a run folder: learns the vocabularies on the training side,
/// then Adam (β 0.9/0.98) with linear warm-up and cosine decay, teacher forcing and label-smoothed
/// cross-entropy over target tokens with padding ignored
/// (<c>cross_entropy(logits, labels, ignore_index: PAD, label_smoothing: α)</c>). Batches group pairs of
/// similar length. Everything random in an epoch derives from (seed, epoch), and an atomic checkpoint
/// (model, optimizer, state) is written after every epoch, so <c>--resume</c> continues exactly.
/// The run folder is a <see cref="RunFolder"/> (config, checkpoint/, metrics.json, model.dat) plus
/// <c>source.bpe.json</c>, <c>target.bpe.json</c> and <c>model.json</c> (vocabularies and model size).
/// </summary>
public static class TranslatorTraining
{
    /// <summary>
    /// The corpus the options name. With <paramref name="references"/> &gt; 1 the grammar corpus's validation and test
    /// pairs carry up to that many references each (training data unchanged); Ding stays single-reference.
    /// </summary>
    public static TranslationSplits LoadData(TranslatorOptions o, int references = 1) => o.Data switch
    {
        TranslationData.Ding => TranslationCorpus.Ding(o.DataPath, o.Validation, o.Test, o.Seed, null, o.TrainLimit, o.DingPhrases),
        _ => Limit(TranslationCorpus.Embedded(o.CorpusSize, o.Seed, o.Validation, o.Test, references), o.TrainLimit),
    };

    static TranslationSplits Limit(TranslationSplits s, int? n) =>
        n is int m && m < s.Train.Count ? s with { Train = s.Train.Take(m).ToList() } : s;

    /// <summary>True when <paramref name="dir"/> holds a finished run.</summary>
    public static bool IsComplete(string dir) => new RunFolder(dir).IsComplete;

    /// <summary>Reads a run's options (config.json) with a clear error when it is not a translator run.</summary>
    public static TranslatorOptions ReadOptions(string dir)
    {
        var run = new RunFolder(dir);
        if (!File.Exists(run.ConfigPath)) throw new LsLabException($"{dir}: not a translator run folder (no config.json). Train one with `lslab translate train --out {dir}`.");
        if (!File.Exists(Path.Combine(run.Path, "source.bpe.json")))
            throw new LsLabException($"{dir}: this is a classifier run, not a translator run (no source.bpe.json). Translator runs come from `lslab translate train`.");
        return run.ReadConfig<TranslatorOptions>();
    }

    /// <summary>
    /// Trains (or resumes, or returns at once when finished) the run in <paramref name="dir"/> through
    /// the one <see cref="Trainer"/>. A folder holding a different configuration is refused.
    /// </summary>
    public static TrainingState Fit(TranslatorOptions options, string dir, IProgressReporter? progress = null, TranslationSplits? data = null)
    {
        if (Native.Engine.Threads == 0) Native.Engine.Initialize();
        var o = options.Validate();
        var run = new RunFolder(dir);
        run.EnsureCompatible(o);
        if (run.IsSealed) return run.ReadMetrics();
        return run.Start(() => Train(o, run, progress, data));
    }

    static TrainingState Train(TranslatorOptions o, RunFolder run, IProgressReporter? progress, TranslationSplits? data)
    {
        Directory.CreateDirectory(run.Path);
        run.WriteConfig(o);

        data ??= LoadData(o);
        Bpe src, tgt;
        string srcPath = run.Combine("source.bpe.json"), tgtPath = run.Combine("target.bpe.json");
        if (File.Exists(srcPath) && File.Exists(tgtPath)) { src = Bpe.Load(srcPath); tgt = Bpe.Load(tgtPath); }
        else
        {
            src = Bpe.Learn(data.Train.Select(p => p.Source), o.SourceVocab);
            tgt = Bpe.Learn(data.Train.Select(p => p.Target), o.TargetVocab);
            src.Save(srcPath);
            tgt.Save(tgtPath);
        }
        var config = o.ModelConfig(src.Count, tgt.Count);
        AtomicFile.WriteJson(run.Combine("model.json"), config);

        manual_seed(o.Seed);
        using var model = new Seq2SeqTransformer(config);
        if (!Native.Engine.OnCpu) model.to(Native.Engine.Device);
        var translator = new Translator(model, src, tgt);
        var train = Encode(translator, data.Train, o.MaxPieces);
        var valid = Encode(translator, data.Validation, int.MaxValue);
        if (train.Count == 0) throw new LsLabException($"No training pairs fit in {o.MaxPieces} pieces ({data.Source}).");
        var step = new Seq2SeqStep(model, train, valid, o.BatchSize, o.Alpha)
        {
            Title = $"translator {o.Data.ToString().ToLowerInvariant()} α={o.Alpha} d={o.Model.DModel} {o.Model.EncoderLayers}+{o.Model.DecoderLayers} layers",
        };
        return new Trainer(o.Recipe()) { Progress = progress ?? Training.Progress.None }.Fit(model, step, run);
    }

    /// <summary>Encoded (source, target pieces) pairs, dropping those longer than <paramref name="maxPieces"/>.</summary>
    public static List<(int[] Source, int[] Target)> Encode(Translator t, IReadOnlyList<SentencePair> pairs, int maxPieces)
    {
        var r = new List<(int[], int[])>(pairs.Count);
        foreach (var p in pairs)
        {
            var s = t.EncodeSource(p.Source);
            var y = t.EncodeTarget(p.Target);
            if (s.Length - 1 <= maxPieces && y.Length <= maxPieces) r.Add((s, y));
        }
        return r;
    }

    /// <summary>Shuffled batches of similar-length pairs: shuffle, sort pools of 50 batches by length, cut, shuffle the batches.</summary>
    static List<int[]> Batches(List<(int[] Source, int[] Target)> data, int batchSize, Random rng)
    {
        var idx = Enumerable.Range(0, data.Count).ToArray();
        rng.Shuffle(idx);
        var batches = new List<int[]>();
        int pool = batchSize * 50;
        for (int p = 0; p < idx.Length; p += pool)
        {
            var chunk = idx.Skip(p).Take(pool).OrderBy(i => data[i].Source.Length).ThenBy(i => data[i].Target.Length).ThenBy(i => i).ToArray();
            for (int b = 0; b < chunk.Length; b += batchSize) batches.Add(chunk.Skip(b).Take(batchSize).ToArray());
        }
        var order = batches.ToArray();
        rng.Shuffle(order);
        return order.ToList();
    }

    /// <summary>Label-smoothed token cross-entropy: logits [N,T,V], labels [N,T] with PAD ignored (PyTorch semantics).</summary>
    public static Tensor Loss(Tensor logits, Tensor labels, double alpha) =>
        Losses.LabelSmoothing.Loss(logits.reshape(-1, logits.shape[^1]), labels.reshape(-1), alpha, Bpe.Pad);

    /// <summary>
    /// The translator's step for the <see cref="Trainer"/>: teacher forcing over batches of similar-length
    /// pairs (shuffled from the epoch's seed), label-smoothed token cross-entropy with padding ignored.
    /// </summary>
    sealed class Seq2SeqStep(Seq2SeqTransformer model, List<(int[] Source, int[] Target)> train, List<(int[] Source, int[] Target)> valid,
        int batchSize, double alpha) : ITrainStep
    {
        public string Title { get; init; } = "translator";
        public string Unit => "tok";
        public int StepsPerEpoch { get; } = Batches(train, batchSize, new Random(0)).Count;

        public IEpochBatches Epoch(int epoch, long epochSeed)
        {
            var order = Batches(train, batchSize, new Random((int)(epochSeed % int.MaxValue)));
            return new EpochBatches(step =>
            {
                var ids = order[step];
                // Tensors live in the trainer's per-step dispose scope.
                var batch = TranslationBatch.Make(ids.Select(i => train[i].Source).ToList(), ids.Select(i => train[i].Target).ToList());
                var logits = model.Forward(batch.Source, batch.TargetIn);
                var loss = Loss(logits, batch.TargetOut, alpha);
                long correct;
                using (no_grad()) correct = Correct(logits, batch.TargetOut);
                return new StepResult(loss, batch.Tokens, correct);
            });
        }

        public (double Loss, double Accuracy) Validate()
        {
            if (valid.Count == 0) return (double.NaN, double.NaN);
            model.eval();
            using var _ = no_grad();
            double nll = 0;
            long tokens = 0, correct = 0;
            for (int i = 0; i < valid.Count; i += batchSize)
            {
                using var scope = NewDisposeScope();
                var part = valid.Skip(i).Take(batchSize).ToList();
                using var batch = TranslationBatch.Make(part.Select(p => p.Source).ToList(), part.Select(p => p.Target).ToList());
                var logits = model.Forward(batch.Source, batch.TargetIn);
                nll += Loss(logits, batch.TargetOut, 0).item<float>() * batch.Tokens;
                correct += Correct(logits, batch.TargetOut);
                tokens += batch.Tokens;
            }
            model.train();
            return (nll / tokens, (double)correct / tokens);
        }

        static long Correct(Tensor logits, Tensor target) => logits.argmax(-1).eq(target).logical_and(target.ne(Bpe.Pad)).sum().item<long>();
    }
}
