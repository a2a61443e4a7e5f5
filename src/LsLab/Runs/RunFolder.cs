using LsLab.Training;
using TorchSharp;
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
    public RunFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }
    public string ConfigPath => Combine("config.json");
    public string ModelPath => Combine("model.dat");
    public string MetricsPath => Combine("metrics.json");
    public string CheckpointDir => Combine("checkpoint");
    public string EvalDir(string split) => Combine("eval", split);

    public string Combine(params string[] parts) => System.IO.Path.Combine(new[] { Path }.Concat(parts).ToArray());

    /// <summary>True when a finished model exists (config + final weights).</summary>
    public bool IsComplete => File.Exists(ConfigPath) && File.Exists(ModelPath) && File.Exists(MetricsPath);

    public void WriteConfig(TrainOptions options) => AtomicFile.WriteJson(ConfigPath, options);

    /// <summary>Reads config.json, with a clear error when the folder is not a run.</summary>
    public TrainOptions ReadConfig()
    {
        if (!File.Exists(ConfigPath))
            throw new LsLabException($"{Path}: not an LsLab run folder (no config.json). Train one with `lslab train --out {Path}`.");
        return AtomicFile.ReadJson<TrainOptions>(ConfigPath);
    }

    /// <summary>
    /// Guards against reusing a folder for a different configuration: resuming is allowed only when
    /// the saved config equals <paramref name="options"/>.
    /// </summary>
    public void EnsureCompatible(TrainOptions options)
    {
        if (!File.Exists(ConfigPath)) return;
        var saved = ReadConfig();
        if (saved != options)
            throw new LsLabException($"{ConfigPath}: this folder holds a run with a different configuration " +
                                     $"(saved: {saved}; requested: {options}). Use another --out folder or delete this one.");
    }

    public void SaveCheckpoint(nn.Module model, optim.Optimizer optimizer, TrainingState state)
    {
        Directory.CreateDirectory(CheckpointDir);
        string modelFile = $"model.e{state.EpochsDone}.dat", optFile = $"optimizer.e{state.EpochsDone}.dat";
        AtomicFile.Write(System.IO.Path.Combine(CheckpointDir, modelFile), tmp => model.save(tmp));
        AtomicFile.Write(System.IO.Path.Combine(CheckpointDir, optFile), tmp => SaveOptimizer(optimizer, tmp));
        AtomicFile.WriteJson(System.IO.Path.Combine(CheckpointDir, "state.json"), new CheckpointState(modelFile, optFile, state));
        foreach (var f in Directory.GetFiles(CheckpointDir, "*.dat"))
        {
            var name = System.IO.Path.GetFileName(f);
            if (name != modelFile && name != optFile) File.Delete(f);
        }
        AtomicFile.WriteJson(MetricsPath, state);
        if (state.Finished) AtomicFile.Write(ModelPath, tmp => model.save(tmp));
    }

    static void SaveOptimizer(optim.Optimizer optimizer, string path)
    {
        switch (optimizer)
        {
            case TorchSharp.Modules.SGD sgd: sgd.save_state_dict(path); break;
            default: throw new NotSupportedException($"Checkpointing {optimizer.GetType().Name} is not supported.");
        }
    }

    /// <summary>Loads the last checkpoint into model and optimizer; null when there is none.</summary>
    public TrainingState? TryLoadCheckpoint(nn.Module model, optim.Optimizer optimizer)
    {
        var statePath = System.IO.Path.Combine(CheckpointDir, "state.json");
        if (!File.Exists(statePath)) return null;
        var cp = AtomicFile.ReadJson<CheckpointState>(statePath);
        model.load(System.IO.Path.Combine(CheckpointDir, cp.ModelFile));
        if (optimizer is TorchSharp.Modules.SGD sgd) sgd.load_state_dict(System.IO.Path.Combine(CheckpointDir, cp.OptimizerFile));
        return cp.State;
    }

    /// <summary>Reads metrics.json (the training history).</summary>
    public TrainingState ReadMetrics() => AtomicFile.ReadJson<TrainingState>(MetricsPath);

    sealed record CheckpointState(string ModelFile, string OptimizerFile, TrainingState State);
}
