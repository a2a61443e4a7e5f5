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
    public TranslationData Data { get; init; } = TranslationData.Embedded;
    /// <summary>Ding file or folder (null = /usr/share/trans/de-en).</summary>
    public string? DataPath { get; init; }
    /// <summary>Pairs generated for the embedded corpus (validation and test included).</summary>
    public int CorpusSize { get; init; } = 6000;
    /// <summary>Held-out pairs (either corpus): validation fits the temperature, test is reported.</summary>
    public int Validation { get; init; } = 500;
    public int Test { get; init; } = 500;
    /// <summary>Use only the first N training pairs (quick runs).</summary>
    public int? TrainLimit { get; init; }
    public int Seed { get; init; }
    /// <summary>Label smoothing α over the target vocabulary (PyTorch semantics; padding ignored).</summary>
    public double Alpha { get; init; } = 0.1;
    public int Epochs { get; init; } = 20;
    /// <summary>Sentence pairs per step.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Peak Adam learning rate, reached after <see cref="WarmupSteps"/> linear warm-up steps, then cosine decay to 0.</summary>
    public double LearningRate { get; init; } = 1e-3;
    public int WarmupSteps { get; init; } = 200;
    /// <summary>Gradient-norm clip (0 = off).</summary>
    public double ClipNorm { get; init; } = 1.0;
    /// <summary>BPE vocabulary sizes (specials and characters included).</summary>
    public int SourceVocab { get; init; } = 1000;
    public int TargetVocab { get; init; } = 1000;
    /// <summary>Transformer size; its vocabulary sizes and position table are set from the learned BPE and <see cref="MaxPieces"/>.</summary>
    public TransformerConfig Model { get; init; } = new();
    /// <summary>Training pairs with more pieces than this on either side are skipped.</summary>
    public int MaxPieces { get; init; } = 64;

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

    public TransformerConfig ModelConfig(int sourceVocab, int targetVocab) =>
        Model with { SourceVocab = sourceVocab, TargetVocab = targetVocab, MaxPositions = Math.Max(MaxPieces + 1, 128) };
}

/// <summary>Metrics of one epoch: training loss (the smoothed objective), teacher-forced validation NLL and accuracy (α = 0, T = 1).</summary>
public sealed record TranslatorEpoch(int Epoch, double TrainLoss, double TrainAccuracy, double ValidationNll, double ValidationAccuracy,
    double LearningRate, double Seconds, double TokensPerSecond);

/// <summary>Progress of a translator run (metrics.json and the checkpoint's state).</summary>
public sealed record TranslatorState
{
    public int EpochsDone { get; init; }
    public List<TranslatorEpoch> History { get; init; } = new();
    public double TotalSeconds { get; init; }
    public bool Finished { get; init; }
}

/// <summary>
/// Trains a <see cref="Translator"/> into a run folder: learns the vocabularies on the training side,
/// then Adam (β 0.9/0.98) with linear warm-up and cosine decay, teacher forcing and label-smoothed
/// cross-entropy over target tokens with padding ignored
/// (<c>cross_entropy(logits, labels, ignore_index: PAD, label_smoothing: α)</c>). Batches group pairs of
/// similar length. Everything random in an epoch derives from (seed, epoch), and an atomic checkpoint
/// (model, optimizer, state) is written after every epoch, so <c>--resume</c> continues exactly.
/// <code>
/// config.json  source.bpe.json  target.bpe.json  model.json   options, vocabularies, model size
/// checkpoint/  state.json + model.eN.dat + optimizer.eN.dat    last finished epoch
/// metrics.json model.dat                                      history; final weights (written last)
/// </code>
/// </summary>
public static class TranslatorTraining
{
    /// <summary>The corpus the options name.</summary>
    public static TranslationSplits LoadData(TranslatorOptions o) => o.Data switch
    {
        TranslationData.Ding => TranslationCorpus.Ding(o.DataPath, o.Validation, o.Test, o.Seed, null, o.TrainLimit),
        _ => Limit(TranslationCorpus.Embedded(o.CorpusSize, o.Seed, o.Validation, o.Test), o.TrainLimit),
    };

    static TranslationSplits Limit(TranslationSplits s, int? n) =>
        n is int m && m < s.Train.Count ? s with { Train = s.Train.Take(m).ToList() } : s;

    /// <summary>True when <paramref name="dir"/> holds a finished run.</summary>
    public static bool IsComplete(string dir) =>
        File.Exists(Path.Combine(dir, "model.dat")) && File.Exists(Path.Combine(dir, "metrics.json"))
        && AtomicFile.ReadJson<TranslatorState>(Path.Combine(dir, "metrics.json")).Finished;

    /// <summary>Reads a run's options (config.json) with a clear error when it is not a translator run.</summary>
    public static TranslatorOptions ReadOptions(string dir)
    {
        var path = Path.Combine(dir, "config.json");
        if (!File.Exists(path)) throw new LsLabException($"{dir}: not a translator run folder (no config.json). Train one with `lslab translate train --out {dir}`.");
        return AtomicFile.ReadJson<TranslatorOptions>(path);
    }

    /// <summary>
    /// Trains (or resumes, or returns at once when finished) the run in <paramref name="dir"/>.
    /// A folder holding a different configuration is refused.
    /// </summary>
    public static TranslatorState Fit(TranslatorOptions options, string dir, IProgressReporter? progress = null, TranslationSplits? data = null)
    {
        if (Native.Engine.Threads == 0) Native.Engine.Initialize();
        var o = options.Validate();
        progress ??= Training.Progress.None;
        dir = Path.GetFullPath(dir);
        Directory.CreateDirectory(dir);
        var configPath = Path.Combine(dir, "config.json");
        if (File.Exists(configPath))
        {
            var saved = AtomicFile.ReadJson<TranslatorOptions>(configPath);
            if (saved != o)
                throw new LsLabException($"{configPath}: this folder holds a translator run with a different configuration " +
                                         $"(saved: {saved}; requested: {o}). Use another --out folder or delete this one.");
        }
        if (IsComplete(dir)) return AtomicFile.ReadJson<TranslatorState>(Path.Combine(dir, "metrics.json"));
        AtomicFile.WriteJson(configPath, o);

        data ??= LoadData(o);
        Bpe src, tgt;
        string srcPath = Path.Combine(dir, "source.bpe.json"), tgtPath = Path.Combine(dir, "target.bpe.json");
        if (File.Exists(srcPath) && File.Exists(tgtPath)) { src = Bpe.Load(srcPath); tgt = Bpe.Load(tgtPath); }
        else
        {
            src = Bpe.Learn(data.Train.Select(p => p.Source), o.SourceVocab);
            tgt = Bpe.Learn(data.Train.Select(p => p.Target), o.TargetVocab);
            src.Save(srcPath);
            tgt.Save(tgtPath);
        }
        var config = o.ModelConfig(src.Count, tgt.Count);
        AtomicFile.WriteJson(Path.Combine(dir, "model.json"), config);

        manual_seed(o.Seed);
        using var model = new Seq2SeqTransformer(config);
        var translator = new Translator(model, src, tgt);
        var train = Encode(translator, data.Train, o.MaxPieces);
        var valid = Encode(translator, data.Validation, int.MaxValue);
        if (train.Count == 0) throw new LsLabException($"No training pairs fit in {o.MaxPieces} pieces ({data.Source}).");

        var optimizer = optim.Adam(model.parameters(), o.LearningRate, 0.9, 0.98, 1e-9);
        var state = new TranslatorState();
        var cpDir = Path.Combine(dir, "checkpoint");
        var statePath = Path.Combine(cpDir, "state.json");
        if (File.Exists(statePath))
        {
            var cp = AtomicFile.ReadJson<Checkpoint>(statePath);
            model.load(Path.Combine(cpDir, cp.ModelFile));
            optimizer.load_state_dict(Path.Combine(cpDir, cp.OptimizerFile));
            state = cp.State;
        }

        int stepsPerEpoch = Batches(train, o.BatchSize, new Random(0)).Count;
        long totalSteps = (long)stepsPerEpoch * o.Epochs;
        var history = new List<TranslatorEpoch>(state.History);
        string title = $"translator {o.Data.ToString().ToLowerInvariant()} α={o.Alpha} d={o.Model.DModel} {o.Model.EncoderLayers}+{o.Model.DecoderLayers} layers";
        progress.Run(title, totalSteps, task =>
        {
            if (state.EpochsDone > 0) task.Log($"Resuming {dir} after epoch {state.EpochsDone}/{o.Epochs}.");
            task.Advance((long)state.EpochsDone * stepsPerEpoch, "");
            for (int epoch = state.EpochsDone + 1; epoch <= o.Epochs; epoch++)
            {
                var m = RunEpoch(model, optimizer, o, train, valid, epoch, stepsPerEpoch, totalSteps, task);
                history.Add(m);
                task.Log($"epoch {epoch,3}/{o.Epochs}  loss {m.TrainLoss:F4}  acc {m.TrainAccuracy:P1}  val nll {m.ValidationNll:F4}  " +
                         $"val acc {m.ValidationAccuracy:P1}  lr {m.LearningRate:G3}  {m.TokensPerSecond:N0} tok/s  {m.Seconds:F1}s");
                state = new TranslatorState
                {
                    EpochsDone = epoch, History = new(history), TotalSeconds = state.TotalSeconds + m.Seconds, Finished = epoch == o.Epochs,
                };
                SaveCheckpoint(cpDir, model, optimizer, state);
                AtomicFile.WriteJson(Path.Combine(dir, "metrics.json"), state);
            }
        });
        if (state.Finished) AtomicFile.Write(Path.Combine(dir, "model.dat"), tmp => model.save(tmp));
        return state;
    }

    sealed record Checkpoint(string ModelFile, string OptimizerFile, TranslatorState State);

    static void SaveCheckpoint(string cpDir, nn.Module model, OptimizerHelper optimizer, TranslatorState state)
    {
        Directory.CreateDirectory(cpDir);
        string mf = $"model.e{state.EpochsDone}.dat", of = $"optimizer.e{state.EpochsDone}.dat";
        AtomicFile.Write(Path.Combine(cpDir, mf), tmp => model.save(tmp));
        AtomicFile.Write(Path.Combine(cpDir, of), tmp => optimizer.save_state_dict(tmp));
        AtomicFile.WriteJson(Path.Combine(cpDir, "state.json"), new Checkpoint(mf, of, state));
        foreach (var f in Directory.GetFiles(cpDir, "*.dat"))
            if (Path.GetFileName(f) is var name && name != mf && name != of) File.Delete(f);
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

    static double LearningRate(TranslatorOptions o, long step, long total)
    {
        if (step < o.WarmupSteps) return o.LearningRate * (step + 1) / o.WarmupSteps;
        double t = (double)(step - o.WarmupSteps) / Math.Max(1, total - o.WarmupSteps);
        return o.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1, t)));
    }

    /// <summary>Label-smoothed token cross-entropy: logits [N,T,V], labels [N,T] with PAD ignored (PyTorch semantics).</summary>
    public static Tensor Loss(Tensor logits, Tensor labels, double alpha) =>
        nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), labels.reshape(-1), ignore_index: Bpe.Pad, label_smoothing: alpha);

    static TranslatorEpoch RunEpoch(Seq2SeqTransformer model, OptimizerHelper optimizer, TranslatorOptions o,
        List<(int[] Source, int[] Target)> train, List<(int[] Source, int[] Target)> valid, int epoch, int stepsPerEpoch, long totalSteps, IProgressTask task)
    {
        long epochSeed = o.Seed * 1_000_003L + epoch;
        manual_seed(epochSeed);
        var batches = Batches(train, o.BatchSize, new Random((int)(epochSeed % int.MaxValue)));
        model.train();
        var sw = Stopwatch.StartNew();
        double lossSum = 0, lr = 0;
        long tokens = 0, correct = 0;
        var lastReport = TimeSpan.Zero;
        for (int step = 0; step < batches.Count; step++)
        {
            using var scope = NewDisposeScope();
            var ids = batches[step];
            using var batch = TranslationBatch.Make(ids.Select(i => train[i].Source).ToList(), ids.Select(i => train[i].Target).ToList());
            lr = LearningRate(o, (long)(epoch - 1) * stepsPerEpoch + step, totalSteps);
            foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
            optimizer.zero_grad();
            var logits = model.Forward(batch.Source, batch.TargetIn);
            var loss = Loss(logits, batch.TargetOut, o.Alpha);
            double lv = loss.item<float>();
            if (!double.IsFinite(lv))
                throw new LsLabException($"Translator training diverged: loss {lv} at epoch {epoch}, step {step + 1} (lr {lr:G3}). Lower --lr.");
            loss.backward();
            if (o.ClipNorm > 0) nn.utils.clip_grad_norm_(model.parameters(), o.ClipNorm);
            optimizer.step();
            lossSum += lv * batch.Tokens;
            tokens += batch.Tokens;
            using (no_grad())
                correct += logits.argmax(-1).eq(batch.TargetOut).logical_and(batch.TargetOut.ne(Bpe.Pad)).sum().item<long>();
            if ((sw.Elapsed - lastReport).TotalMilliseconds > 250 || step == batches.Count - 1)
            {
                lastReport = sw.Elapsed;
                task.Advance(0, $"ep {epoch}/{o.Epochs} loss {lossSum / tokens:F3} acc {(double)correct / tokens:P1} {tokens / sw.Elapsed.TotalSeconds:N0} tok/s");
            }
            task.Advance(1);
        }
        double seconds = sw.Elapsed.TotalSeconds;
        var (nll, acc) = valid.Count > 0 ? Validate(model, valid, o.BatchSize) : (double.NaN, double.NaN);
        return new TranslatorEpoch(epoch, lossSum / tokens, (double)correct / tokens, nll, acc, lr, seconds, tokens / seconds);
    }

    static (double Nll, double Accuracy) Validate(Seq2SeqTransformer model, List<(int[] Source, int[] Target)> data, int batchSize)
    {
        model.eval();
        using var _ = no_grad();
        double nll = 0;
        long tokens = 0, correct = 0;
        for (int i = 0; i < data.Count; i += batchSize)
        {
            using var scope = NewDisposeScope();
            var part = data.Skip(i).Take(batchSize).ToList();
            using var batch = TranslationBatch.Make(part.Select(p => p.Source).ToList(), part.Select(p => p.Target).ToList());
            var logits = model.Forward(batch.Source, batch.TargetIn);
            nll += Loss(logits, batch.TargetOut, 0).item<float>() * batch.Tokens;
            correct += logits.argmax(-1).eq(batch.TargetOut).logical_and(batch.TargetOut.ne(Bpe.Pad)).sum().item<long>();
            tokens += batch.Tokens;
        }
        model.train();
        return (nll / tokens, (double)correct / tokens);
    }
}
