using LsLab.Data;
using LsLab.Models;
using LsLab.Runs;
using LsLab.Training;
using static TorchSharp.torch;

namespace LsLab.Information;

/// <summary>
/// Records the mutual information after every epoch (`lslab train --track-mi`): adds "mi" (nats),
/// "mi_fresh", "mi_in_sample" and "mi_sigma2" to <see cref="EpochMetrics.Extra"/>, so they land in metrics.json.
/// </summary>
public sealed class MiTracker : IDisposable
{
    /// <summary>Key of the estimate in <see cref="EpochMetrics.Extra"/> and metrics.json.</summary>
    public const string Key = "mi";

    readonly LogitDifferenceProbe probe;
    readonly string? samplesDir;

    /// <summary>With <paramref name="samplesDir"/>, each epoch's raw readings are also saved there as e{epoch}.npy (for intervals).</summary>
    public MiTracker(Dataset train, MiSettings settings, string? samplesDir = null)
    {
        probe = LogitDifferenceProbe.Create(train, settings);
        this.samplesDir = samplesDir;
    }

    /// <summary>Where a run folder keeps the readings of <paramref name="epoch"/> (see <see cref="MiSample.Save"/>).</summary>
    public static string SamplePath(RunFolder run, int epoch) => run.Combine("mi", $"e{epoch}.npy");

    /// <summary>The classes, N, L and seed of the measurement.</summary>
    public MiSettings Settings => probe.Settings;

    /// <summary>Measures now and returns the estimate (used for the value at initialisation).</summary>
    public MiEstimate Measure(Classifier model) => probe.Measure(model);

    /// <summary>A <see cref="Trainer.OnEpochEnd"/> hook.</summary>
    public void OnEpochEnd(int epoch, Classifier model, EpochMetrics metrics)
    {
        var sample = probe.Sample(model);
        if (samplesDir is not null)
        {
            Directory.CreateDirectory(samplesDir);
            sample.Save(Path.Combine(samplesDir, $"e{epoch}.npy"));
        }
        var e = sample.Estimate();
        metrics.Extra[Key] = e.Mi;
        metrics.Extra["mi_fresh"] = e.MiFresh;
        metrics.Extra["mi_in_sample"] = e.MiInSample;
        metrics.Extra["mi_sigma2"] = e.Sigma2;
    }

    /// <summary>Frees the chosen examples.</summary>
    public void Dispose() => probe.Dispose();

    /// <summary>The per-epoch MI stored in a run's metrics.json: (epoch, Î) pairs, empty when it was not tracked.</summary>
    public static IReadOnlyList<(int Epoch, double Mi)> Curve(TrainingState state) =>
        state.History.Where(m => m.Extra.ContainsKey(Key)).Select(m => (m.Epoch, m.Extra[Key])).ToList();
}

/// <summary>
/// Label-smoothing training that also tracks the mutual information every epoch (a run spec's
/// <c>TrackMi</c>); the loss is exactly <see cref="LabelSmoothingObjective"/>'s.
/// </summary>
public sealed class MiTrackingObjective : ITrainingObjective, IRunHooks, IDisposable
{
    readonly LabelSmoothingObjective inner;
    MiTracker? tracker;
    readonly string? samplesDir;

    /// <summary>α must be the run's <see cref="TrainOptions.Alpha"/> (the cell factory takes it from there).</summary>
    public MiTrackingObjective(double alpha, MiSettings settings, string? samplesDir = null)
    {
        Settings = settings;
        this.samplesDir = samplesDir;
        inner = new LabelSmoothingObjective(alpha);
    }

    /// <summary>The classes, N, L and seed of the measurement.</summary>
    public MiSettings Settings { get; }
    /// <inheritdoc />
    public string Describe() => $"{inner.Describe()}, tracking MI of classes {Settings.ClassA},{Settings.ClassB}";

    /// <inheritdoc />
    public Tensor Loss(Tensor logits, Tensor labels, Tensor indices) => inner.Loss(logits, labels, indices);

    /// <inheritdoc />
    public void Bind(DataSplits data)
    {
        tracker?.Dispose();
        tracker = new MiTracker(data.Train, Settings, samplesDir);
    }

    /// <inheritdoc />
    public void OnEpochEnd(int epoch, Classifier model, EpochMetrics metrics) =>
        (tracker ?? throw new InvalidOperationException("MiTrackingObjective used before Bind.")).OnEpochEnd(epoch, model, metrics);

    /// <summary>Frees the tracker's examples.</summary>
    public void Dispose()
    {
        tracker?.Dispose();
        tracker = null;
    }
}
