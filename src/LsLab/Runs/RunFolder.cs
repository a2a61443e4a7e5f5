using LsLab.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LsLab.Runs;

/// <summary>
/// The folder of one training run:
/// <code>
/// config.json            what was trained (TrainOptions)
/// model.dat              final weights (TorchSharp format)
/// metrics.json           per-epoch history (TrainingState)
/// checkpoint/            last epoch's model + optimizer, and state.json naming that epoch
/// eval/&lt;split&gt;/         logits.npy, labels.npy, score.json written by `lslab evaluate`
/// </code>
/// Checkpoint files carry the epoch in their name and state.json is renamed into place last, so a
/// kill at any moment leaves a consistent checkpoint.
/// </summary>
public sealed class RunFolder
{
    /// <summary>The run folder at <paramref name="path"/> (made absolute; nothing is created yet).</summary>
    public RunFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    /// <summary>Absolute path of the folder.</summary>
    public string Path { get; }
    /// <summary>config.json: the options the run was trained with.</summary>
    public string ConfigPath => Combine("config.json");
    /// <summary>model.dat: the final weights (TorchSharp format).</summary>
    public string ModelPath => Combine("model.dat");
    /// <summary>metrics.json: the per-epoch history.</summary>
    public string MetricsPath => Combine("metrics.json");
    /// <summary>checkpoint/: the latest epoch's model and optimizer state, for --resume.</summary>
    public string CheckpointDir => Combine("checkpoint");
    /// <summary>eval/&lt;split&gt;/: cached logits.npy and labels.npy of that split.</summary>
    public string EvalDir(string split) => Combine("eval", split);

    /// <summary>A path inside the folder.</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine(new[] { Path }.Concat(parts).ToArray());

    /// <summary>manifest.json: the SHA-256 of every file of the finished run (see <see cref="Verify"/>).</summary>
    public string ManifestPath => Combine("manifest.json");

    /// <summary>Files of a finished run that <c>manifest.json</c> vouches for (those present).</summary>
    static readonly string[] ManifestFiles = { "config.json", "model.dat", "metrics.json", "model.json", "source.bpe.json", "target.bpe.json" };

    /// <summary>True when the run finished: config, final weights, and a history that says so.</summary>
    public bool IsComplete => File.Exists(ConfigPath) && File.Exists(ModelPath) && File.Exists(MetricsPath) && ReadMetrics().Finished;

    /// <summary>Complete and vouched for by manifest.json: nothing is left to write (a complete run without one gets it on resume).</summary>
    public bool IsSealed => IsComplete && File.Exists(ManifestPath);

    /// <summary>Writes config.json: the options that define the run (classifier or translator).</summary>
    public void WriteConfig<T>(T options) => AtomicFile.WriteJson(ConfigPath, options);

    /// <summary>Reads config.json as classifier options, with a clear error when the folder is not a run.</summary>
    public TrainOptions ReadConfig() => ReadConfig<TrainOptions>();

    /// <summary>Reads config.json as <typeparamref name="T"/>, with a clear error when the folder is not a run.</summary>
    public T ReadConfig<T>()
    {
        if (!File.Exists(ConfigPath))
            throw new LsLabException($"{Path}: not an LsLab run folder (no config.json). Train one with `lslab train --out {Path}`.");
        return AtomicFile.ReadJson<T>(ConfigPath);
    }

    /// <summary>
    /// Guards against reusing a folder for a different configuration: resuming is allowed only when
    /// the saved config equals <paramref name="options"/>. The message names the fields that differ.
    /// </summary>
    public void EnsureCompatible<T>(T options) where T : IEquatable<T>
    {
        if (!File.Exists(ConfigPath)) return;
        var saved = ReadConfig<T>();
        if (!saved.Equals(options))
            throw new LsLabException($"{ConfigPath}: this folder holds a run with a different configuration ({Differences(saved, options)}). " +
                                     "Use another --out folder or delete this one.");
    }

    /// <summary>"field: saved → requested" for each top-level JSON field that differs.</summary>
    static string Differences<T>(T saved, T requested)
    {
        var a = System.Text.Json.JsonSerializer.SerializeToElement(saved, AtomicFile.Json);
        var b = System.Text.Json.JsonSerializer.SerializeToElement(requested, AtomicFile.Json);
        var diffs = new List<string>();
        foreach (var p in a.EnumerateObject())
        {
            string other = b.TryGetProperty(p.Name, out var q) ? q.GetRawText() : "(absent)";
            if (p.Value.GetRawText() != other) diffs.Add($"{p.Name}: saved {p.Value.GetRawText()}, requested {other}");
        }
        return diffs.Count == 0 ? "saved and requested differ" : string.Join("; ", diffs);
    }

    /// <summary>
    /// Writes the checkpoint of a finished epoch: model and optimizer files named by epoch, then
    /// state.json (renamed into place last), then metrics.json. The end of a run is one commit point:
    /// the final model.dat is written (atomically) before any file says the run is finished.
    /// </summary>
    public void SaveCheckpoint(nn.Module model, OptimizerHelper optimizer, TrainingState state)
    {
        Directory.CreateDirectory(CheckpointDir);
        if (state.Finished) AtomicFile.Write(ModelPath, tmp => model.save(tmp));
        string modelFile = $"model.e{state.EpochsDone}.dat", optFile = $"optimizer.e{state.EpochsDone}.dat";
        string modelPath = System.IO.Path.Combine(CheckpointDir, modelFile), optPath = System.IO.Path.Combine(CheckpointDir, optFile);
        AtomicFile.Write(modelPath, tmp => model.save(tmp));
        AtomicFile.Write(optPath, tmp => optimizer.save_state_dict(tmp));
        AtomicFile.WriteJson(System.IO.Path.Combine(CheckpointDir, "state.json"),
            new CheckpointState(modelFile, optFile, state) { ModelSha256 = AtomicFile.Sha256(modelPath), OptimizerSha256 = AtomicFile.Sha256(optPath) });
        foreach (var f in Directory.GetFiles(CheckpointDir, "*.dat"))
        {
            var name = System.IO.Path.GetFileName(f);
            if (name != modelFile && name != optFile) File.Delete(f);
        }
        AtomicFile.WriteJson(MetricsPath, state);
        if (state.Finished) WriteManifest();
    }

    /// <summary>
    /// Runs the start of a run (<paramref name="work"/>): stale temporaries of killed writers are removed
    /// first, and when the folder was new and the run fails before its first checkpoint (a bad option,
    /// missing data), the folder is removed again, so the corrected command is not refused.
    /// </summary>
    public T Start<T>(Func<T> work)
    {
        AtomicFile.CleanStaleTemporaries(Path);
        bool fresh = !Directory.Exists(Path) || !Directory.EnumerateFileSystemEntries(Path).Any();
        try
        {
            return work();
        }
        catch
        {
            if (fresh && !File.Exists(System.IO.Path.Combine(CheckpointDir, "state.json")))
                try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Writes manifest.json: the SHA-256 of every file of the finished run, checked by <see cref="Verify"/>.</summary>
    public void WriteManifest() => AtomicFile.WriteJson(ManifestPath,
        ManifestFiles.Where(f => File.Exists(Combine(f))).ToDictionary(f => f, f => AtomicFile.Sha256(Combine(f))));

    /// <summary>
    /// Checks the finished run's files against manifest.json (when there is one: runs written before it
    /// existed have none), naming the first file whose bytes changed since they were written.
    /// </summary>
    public void Verify()
    {
        if (!File.Exists(ManifestPath)) return;
        var manifest = AtomicFile.ReadJson<Dictionary<string, string>>(ManifestPath);
        foreach (var (file, hash) in manifest)
        {
            var path = InFolder(Path, file, ManifestPath);
            if (!File.Exists(path)) throw new LsLabException($"{path}: missing, but {ManifestPath} lists it; the run folder is incomplete (delete it and train again).");
            if (AtomicFile.Sha256(path) != hash)
                throw new LsLabException($"{path}: checksum mismatch: the file changed or was damaged after training wrote it (delete the run folder and train again).");
        }
    }

    /// <summary>Epochs the last checkpoint holds (0 when there is none): runs are grouped only with runs at the same epoch.</summary>
    public int CheckpointEpochs
    {
        get
        {
            var statePath = System.IO.Path.Combine(CheckpointDir, "state.json");
            return File.Exists(statePath) ? AtomicFile.ReadJson<CheckpointState>(statePath).State.EpochsDone : 0;
        }
    }

    /// <summary>Loads the last checkpoint into model and optimizer; null when there is none.</summary>
    public TrainingState? TryLoadCheckpoint(nn.Module model, OptimizerHelper optimizer)
    {
        var statePath = System.IO.Path.Combine(CheckpointDir, "state.json");
        if (!File.Exists(statePath)) return null;
        var cp = AtomicFile.ReadJson<CheckpointState>(statePath);
        string modelFile = InFolder(CheckpointDir, cp.ModelFile, statePath), optFile = InFolder(CheckpointDir, cp.OptimizerFile, statePath);
        if (cp.State.EpochsDone < 1 || cp.State.History.Count != cp.State.EpochsDone)
            throw new LsLabException($"{statePath}: the checkpoint says {cp.State.EpochsDone} epochs done but holds {cp.State.History.Count} epochs of history; delete the run folder to start over.");
        foreach (var (f, hash) in new[] { (modelFile, cp.ModelSha256), (optFile, cp.OptimizerSha256) })
        {
            if (!File.Exists(f)) throw new LsLabException($"{statePath}: names {System.IO.Path.GetFileName(f)}, which is missing; delete the run folder to start over.");
            if (hash is not null && AtomicFile.Sha256(f) != hash)
                throw new LsLabException($"{f}: checksum mismatch with {statePath}: the checkpoint was changed or damaged after it was written; delete the run folder to start over.");
        }
        try
        {
            model.load(modelFile);
            optimizer.load_state_dict(optFile);
        }
        catch (Exception e) when (e is not LsLabException)
        {
            throw new LsLabException($"{modelFile}: the checkpoint cannot be read ({e.Message.Split('\n')[0]}); delete the run folder to start over.");
        }
        return cp.State;
    }

    /// <summary>A file named inside a run file must stay inside <paramref name="dir"/>: never follow a path out of the run folder.</summary>
    static string InFolder(string dir, string name, string namedBy)
    {
        if (string.IsNullOrEmpty(name) || name != System.IO.Path.GetFileName(name) || name is "." or "..")
            throw new LsLabException($"{namedBy}: names the file '{name}', which is not a plain file name inside {dir}.");
        return System.IO.Path.Combine(dir, name);
    }

    /// <summary>Reads metrics.json (the training history).</summary>
    public TrainingState ReadMetrics() => AtomicFile.ReadJson<TrainingState>(MetricsPath);

    sealed record CheckpointState(string ModelFile, string OptimizerFile, TrainingState State)
    {
        /// <summary>SHA-256 of the two files (null in checkpoints written before checksums).</summary>
        public string? ModelSha256 { get; init; }
        public string? OptimizerSha256 { get; init; }
    }
}
