using System.Diagnostics;
using System.Text.Json;
using LsLab.Training;

namespace LsLab.Runs;

/// <summary>
/// An objective that can be rebuilt from text, so its run can be executed by `lslab run-cell` in
/// another process or on another machine (for example teacher run + temperature for distillation).
/// </summary>
public interface ICellObjective : ITrainingObjective
{
    /// <summary>Registered kind name, e.g. "distill".</summary>
    string Kind { get; }
    /// <summary>Everything needed to rebuild the objective with <see cref="CellObjectives.Create"/>.</summary>
    string SpecJson { get; }
}

/// <summary>Rebuilds <see cref="ICellObjective"/>s by kind (registered by the code that defines them).</summary>
public static class CellObjectives
{
    static readonly Dictionary<string, Func<string, TrainOptions, ITrainingObjective>> Factories = new();

    public static void Register(string kind, Func<string, TrainOptions, ITrainingObjective> create)
    {
        lock (Factories) Factories[kind] = create;
    }

    public static ITrainingObjective Create(string kind, string specJson, TrainOptions options)
    {
        lock (Factories)
            return Factories.TryGetValue(kind, out var f) ? f(specJson, options)
                : throw new LsLabException($"cell objective kind '{kind}' is not known to this build (known: {string.Join(", ", Factories.Keys)}).");
    }
}

/// <summary>What the store keeps as a run's configuration: enough to run it again anywhere.</summary>
public sealed record CellSpec(string Name, TrainOptions Options, string ObjectiveKind, string? ObjectiveSpec, string ObjectiveDescription);

/// <summary>
/// Training through a <see cref="RunStore"/>: each run is registered by its configuration, trained
/// by exactly one process, resumed from its checkpoint after a crash, and skipped once done.
/// </summary>
public sealed class StoredTraining(RunStore store, string experiment, IProgressReporter progress)
{
    /// <summary>Seconds between looks at a run another live process is training.</summary>
    public double PollSeconds { get; init; } = 2;

    /// <summary>Registers a run without training it (for `reproduce --plan`); returns its id.</summary>
    public string Register(RunFolder run, string name, TrainOptions options)
    {
        var spec = new CellSpec(name, options, "label-smoothing", null, new LabelSmoothingObjective(options.Alpha).Describe());
        return store.Register(name, experiment, spec.ObjectiveKind, JsonSerializer.Serialize(spec, AtomicFile.Json), run.Path).Id;
    }

    /// <summary>Registers the run, then trains it here unless it is done or owned by a live process (then waits for it).</summary>
    public RunFolder Train(RunFolder run, string name, TrainOptions options, ITrainingObjective? objective)
    {
        var spec = new CellSpec(name, options, objective is ICellObjective c ? c.Kind : objective is null ? "label-smoothing" : "in-process",
            (objective as ICellObjective)?.SpecJson, objective?.Describe() ?? new LabelSmoothingObjective(options.Alpha).Describe());
        var rec = store.Register(name, experiment, spec.ObjectiveKind, JsonSerializer.Serialize(spec, AtomicFile.Json), run.Path);
        while (true)
        {
            rec = store.Get(rec.Id)!;
            if (rec.Status == RunStatus.Done && run.IsComplete) return run;
            if (rec.Status == RunStatus.Done) store.Reset(rec.Id); // recorded as done but its folder is gone: redo it
            if (store.TryClaim(rec.Id))
            {
                Execute(store, rec.Id, run, options, objective, progress);
                return run;
            }
            Thread.Sleep(TimeSpan.FromSeconds(PollSeconds));
        }
    }

    /// <summary>Trains a claimed run and records the outcome.</summary>
    public static void Execute(RunStore store, string id, RunFolder run, TrainOptions options, ITrainingObjective? objective, IProgressReporter progress)
    {
        var sw = Stopwatch.StartNew();
        try
        {
            var state = TrainingRun.Execute(options, run.Path, progress, objective);
            store.MarkDone(id, state.History[^1], state.TotalSeconds > 0 ? state.TotalSeconds : sw.Elapsed.TotalSeconds);
        }
        catch (Exception e)
        {
            store.MarkFailed(id, e.Message);
            throw;
        }
    }

    /// <summary>
    /// Runs one stored cell by id (the `lslab run-cell` job): claims it, trains it, records it.
    /// Returns false when the cell was already done or is owned by another live process.
    /// </summary>
    public static bool RunCell(RunStore store, string idOrName, IProgressReporter progress)
    {
        var matches = store.Find(idOrName);
        if (matches.Count != 1)
            throw new LsLabException(matches.Count == 0 ? $"{store.DbPath}: no cell '{idOrName}'. List them with `lslab runs list --store …`."
                : $"{store.DbPath}: '{idOrName}' matches {matches.Count} cells; give more of the id.");
        var rec = matches[0];
        var spec = JsonSerializer.Deserialize<CellSpec>(rec.ConfigJson, AtomicFile.Json)!;
        if (rec.Status == RunStatus.Done && new RunFolder(rec.Path).IsComplete) return false;
        ITrainingObjective? objective = spec.ObjectiveKind switch
        {
            "label-smoothing" => null,
            "in-process" => throw new LsLabException($"cell {rec.Id} ({rec.Name}) uses an objective that cannot be rebuilt outside its experiment; run it with `lslab reproduce`."),
            _ => CellObjectives.Create(spec.ObjectiveKind, spec.ObjectiveSpec ?? "", spec.Options),
        };
        if (!store.TryClaim(rec.Id)) return false;
        Execute(store, rec.Id, new RunFolder(rec.Path), spec.Options, objective, progress);
        return true;
    }
}
