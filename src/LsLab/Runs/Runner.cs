using System.Diagnostics;
using LsLab.Data;
using LsLab.Distillation;
using LsLab.Information;
using LsLab.Training;
using LsLab.Translation;
using static TorchSharp.torch;

namespace LsLab.Runs;

/// <summary>A finished run: its spec and its folder (weights, metrics, cached predictions).</summary>
public sealed record TrainedRun(RunSpec Spec, RunFolder Folder)
{
    /// <summary>The classifier options of a classifier or student run.</summary>
    public TrainOptions Options => Spec.ClassifierOptions ?? throw new InvalidOperationException($"{Spec.Name} is a {Spec.Kind} run, not a classifier.");
}

/// <summary>
/// Trains run specs into run folders under one root: each run's dependencies first, then the run,
/// resuming when interrupted and skipping it when finished. With a <see cref="RunStore"/>, every run
/// is a cell registered by its id, trained by exactly one process (a claim), and recorded as done or
/// failed — the same path for `lslab experiment`, `reproduce`, `run-cell` and several processes.
/// </summary>
public sealed class Runner : IDisposable
{
    readonly RunStore? store;
    readonly Dictionary<string, Tensor> teacherLogits = new();

    /// <summary>A runner training into folders under <paramref name="runsDir"/>; with <paramref name="store"/>, every run is a recorded cell claimed by one process.</summary>
    public Runner(string runsDir, IProgressReporter progress, RunStore? store = null, string? dataDir = null)
    {
        RunsDir = Path.GetFullPath(runsDir);
        Progress = progress;
        this.store = store;
        DataDir = dataDir;
    }

    /// <summary>Absolute path of the folder holding the run folders.</summary>
    public string RunsDir { get; }
    /// <summary>Where training shows its progress.</summary>
    public IProgressReporter Progress { get; }
    /// <summary>Data folder given to every spec that names none.</summary>
    public string? DataDir { get; }
    /// <summary>Experiment name recorded with cells this runner registers.</summary>
    public string Experiment { get; init; } = "";
    /// <summary>Seconds between looks at a run another live process is training.</summary>
    public double PollSeconds { get; init; } = 2;
    /// <summary>Seconds a claim (lease) stays valid without renewal; renewed every third of it while training.</summary>
    public int LeaseSeconds { get; init; } = RunStore.DefaultLeaseSeconds;
    /// <summary>Claims after which a failing cell is marked Failed instead of going back to Pending (1 for explicit runs).</summary>
    public int MaxAttempts { get; init; } = 1;
    /// <summary>
    /// Whether <see cref="TrainAll"/> trains compatible runs as groups (<see cref="GroupTraining"/>; `--group`). Off by
    /// default: on a 2-core CPU one small run already keeps the cores busy and groups trained at 0.64–0.88× of their
    /// members one after another (docs/performance.md); grouping is for hardware that one small model leaves idle.
    /// </summary>
    public bool Group { get; init; }
    /// <summary>Most members in one group (memory may allow fewer).</summary>
    public int MaxGroup { get; init; } = 16;

    /// <summary>The spec as this runner trains it (its data folder filled in).</summary>
    public RunSpec Resolve(RunSpec spec) => spec.WithDataDir(DataDir);

    /// <summary>Where a spec's run lives.</summary>
    public RunFolder FolderFor(RunSpec spec) => new(Path.Combine(RunsDir, Resolve(spec).Name));

    /// <summary>Trains (or resumes, or reuses) <paramref name="spec"/> after its dependencies.</summary>
    public TrainedRun Train(RunSpec spec)
    {
        spec = Resolve(spec);
        foreach (var d in spec.Dependencies) Train(d);
        var folder = FolderFor(spec);
        if (store is null)
        {
            Execute(spec, folder);
            return new TrainedRun(spec, folder);
        }
        var rec = store.Register(spec, Experiment, folder.Path);
        if ((rec.Status != RunStatus.Running || !RunStore.OwnerAlive(rec.Owner)) && Path.GetFullPath(rec.Path) != folder.Path) rec = Relink(rec, spec, folder);
        while (true)
        {
            rec = store.Get(rec.Id)!;
            if (rec.Status == RunStatus.Done && folder.IsComplete)
            {
                if (spec.ClassifierOptions is { } co) EnsureSame(folder, co);
                return new TrainedRun(spec, folder);
            }
            if (rec.Status == RunStatus.Done) store.Reset(rec.Id); // recorded as done but its folder is gone: redo it
            if (store.TryClaim(rec.Id, LeaseSeconds))
            {
                ExecuteClaimed(store, rec.Id, spec, folder);
                return new TrainedRun(spec, folder);
            }
            Thread.Sleep(TimeSpan.FromSeconds(PollSeconds));
        }
    }

    /// <summary>
    /// Trains every spec (dependencies first, each once) and returns them in order. With <see cref="Group"/>
    /// on, classifier runs that differ only in seed and α (same model, data, subset size, recipe, and
    /// checkpoint epoch) train as groups of up to <see cref="MaxGroup"/> members (fewer when memory is short);
    /// everything else, and any group that fails, trains one by one through <see cref="Train"/>.
    /// With a store, a group claims each member's cell and skips those done or held by others.
    /// </summary>
    public IReadOnlyList<TrainedRun> TrainAll(IEnumerable<RunSpec> specs)
    {
        var list = specs.Select(Resolve).ToList();
        if (Group)
        {
            var deps = list.SelectMany(s => s.Dependencies).Select(Resolve).DistinctBy(d => d.Id).ToList();
            if (deps.Count > 0) TrainAll(deps);
            var groupable = list.Where(s => s is ClassifierRun or StudentRun && GroupTraining.GroupsByDefault(s.ClassifierOptions!) && !FolderFor(s).IsSealed)
                .DistinctBy(s => s.Id);
            foreach (var bucket in groupable.GroupBy(s => (GroupTraining.Key(s.ClassifierOptions!), FolderFor(s).CheckpointEpochs)))
            {
                var members = bucket.ToList();
                if (members.Count < 2) continue;
                foreach (var chunk in members.Chunk(GroupCap(members[0].ClassifierOptions!)))
                    if (chunk.Length > 1) TrainGroup(chunk);
            }
        }
        return list.Select(Train).ToList();
    }

    /// <summary>Members that fit in half the memory available now (weights, optimizer, copies, data, activations), at most <see cref="MaxGroup"/>.</summary>
    int GroupCap(TrainOptions o)
    {
        using var data = TrainingRun.LoadData(o);
        using var model = TrainingRun.CreateModel(o, data.Train);
        long parameters = model.parameters().Sum(p => p.numel());
        long dataBytes = new[] { data.Train, data.Validation, data.Test }.Sum(d => d.Images.numel() * 4 + d.Labels.numel() * 8);
        long hidden = model.Head.in_features, input = data.Train.Channels * data.Train.Height * data.Train.Width;
        // Convolution outputs bounded by their channels at the input resolution (an upper bound: pooling and strides shrink them).
        long maps = model.modules().OfType<TorchSharp.Modules.Conv2d>().Sum(c => c.weight!.shape[0]) * data.Train.Height * data.Train.Width;
        long activations = o.BatchSize * (input + 2 * hidden + data.Train.NumClasses + maps) * 4 * 4;
        return GroupTraining.MaxMembers(parameters, dataBytes, activations, GroupTraining.AvailableBytes() / 2, MaxGroup);
    }

    /// <summary>
    /// Trains <paramref name="chunk"/> as one group (the members this process can claim, with a store).
    /// When the group fails (a member diverges, say), its claims are released and <see cref="TrainAll"/>
    /// trains the members one by one from their checkpoints, so a failure is recorded against its own run only.
    /// </summary>
    void TrainGroup(IReadOnlyList<RunSpec> chunk)
    {
        var claimed = new List<(RunSpec Spec, string? Id)>();
        foreach (var c in chunk)
        {
            var folder = FolderFor(c);
            if (store is null) { claimed.Add((c, null)); continue; }
            var rec = store.Get(store.Register(c, Experiment, folder.Path).Id)!;
            if (rec.Status == RunStatus.Done && folder.IsComplete) continue;
            if (rec.Status == RunStatus.Done) store.Reset(rec.Id);
            if (store.TryClaim(rec.Id, LeaseSeconds)) claimed.Add((c, rec.Id));
        }
        if (claimed.Count == 0) return;
        if (claimed.Count == 1 && store is not null) // nothing to group: the single path, claim kept
        {
            ExecuteClaimed(store, claimed[0].Id!, claimed[0].Spec, FolderFor(claimed[0].Spec));
            return;
        }
        var leases = store is null ? new List<LeaseKeeper>() : claimed.Select(m => store.KeepLease(m.Id!, LeaseSeconds)).ToList();
        var data = new Dictionary<string, DataSplits>();
        var objectives = new List<IDisposable>();
        try
        {
            var members = claimed.Select(m =>
            {
                var o = m.Spec.ClassifierOptions!;
                string key = DataKey(o);
                if (!data.TryGetValue(key, out var d)) data[key] = d = TrainingRun.LoadData(o);
                var folder = FolderFor(m.Spec);
                switch (m.Spec)
                {
                    case StudentRun st:
                        var kd = StudentObjective(st, d);
                        objectives.Add(kd);
                        return new GroupMember(o, folder, d, kd);
                    case ClassifierRun { TrackMi: { } mi } c:
                        var tracking = new MiTrackingObjective(o.Alpha, mi, folder.Combine("mi"));
                        objectives.Add(tracking);
                        return new GroupMember(o, folder, d, tracking, c.Trace?.Recorder(folder, d, o.Epochs));
                    default:
                        return new GroupMember(o, folder, d, OnEpochEnd: ((ClassifierRun)m.Spec).Trace?.Recorder(folder, d, o.Epochs));
                }
            }).ToList();
            var sw = Stopwatch.StartNew();
            var states = GroupTraining.Fit(members, store is null ? Progress : new LeaseProgress(Progress, leases));
            foreach (var m in members)
                if (m.Objective is DistillationObjective kd) DistillationRecord.For(kd).Save(m.Run);
            for (int i = 0; i < leases.Count; i++)
            {
                leases[i].ThrowIfLost();
                store!.MarkDone(claimed[i].Id!, states[i].History[^1], states[i].TotalSeconds > 0 ? states[i].TotalSeconds : sw.Elapsed.TotalSeconds / claimed.Count);
            }
        }
        catch (LeaseLostException) { throw; }
        catch (LsLabException e)
        {
            Progress.Run("group", 0, t => t.Log($"group of {claimed.Count} failed ({e.Message}); training its members one by one."));
            for (int i = 0; i < leases.Count; i++)
                if (!leases[i].Lost) store!.Reset(claimed[i].Id!);
        }
        finally
        {
            foreach (var l in leases) l.Dispose();
            foreach (var x in objectives) x.Dispose();
            foreach (var d in data.Values) d.Dispose();
        }
    }

    /// <summary>Registers the spec and its dependencies as cells without training (for `reproduce --plan`); returns their ids, dependencies first.</summary>
    public IReadOnlyList<string> Register(RunSpec spec)
    {
        if (store is null) throw new InvalidOperationException("Register needs a run store.");
        spec = Resolve(spec);
        var ids = spec.Dependencies.SelectMany(Register).ToList();
        ids.Add(store.Register(spec, Experiment, FolderFor(spec).Path).Id);
        return ids;
    }

    /// <summary>
    /// Trains a cell this process has claimed, keeping its lease alive (a background timer, and at
    /// each epoch); records it done, or failed (back to Pending until <see cref="MaxAttempts"/>). When the
    /// lease is lost mid-run, training stops with <see cref="LeaseLostException"/> and nothing is recorded.
    /// </summary>
    void ExecuteClaimed(RunStore s, string id, RunSpec spec, RunFolder folder)
    {
        var sw = Stopwatch.StartNew();
        using var lease = s.KeepLease(id, LeaseSeconds);
        try
        {
            var state = Execute(spec, folder, new LeaseProgress(Progress, new[] { lease }));
            lease.ThrowIfLost();
            s.MarkDone(id, state.History[^1], state.TotalSeconds > 0 ? state.TotalSeconds : sw.Elapsed.TotalSeconds);
        }
        catch (LeaseLostException) { throw; }
        catch (Exception e)
        {
            if (!lease.Lost) s.MarkFailed(id, e.Message, MaxAttempts);
            throw;
        }
    }

    /// <summary>
    /// The worker step (`lslab worker`): claims the next ready cell (pending, or with an expired lease,
    /// dependencies done) and trains it through the same path as every other run. Returns the cell, or
    /// null when none is ready.
    /// </summary>
    public RunRecord? RunNext()
    {
        if (store is null) throw new InvalidOperationException("RunNext needs a run store.");
        var rec = store.ClaimNext(LeaseSeconds, MaxAttempts);
        if (rec is not null) RunClaimed(rec);
        return rec;
    }

    /// <summary>Trains a cell this process has just claimed (from <see cref="RunStore.ClaimNext"/>): resumes its checkpoint, keeps the lease, records the outcome.</summary>
    public void RunClaimed(RunRecord rec)
    {
        if (store is null) throw new InvalidOperationException("RunClaimed needs a run store.");
        var spec = RunSpec.FromJson(rec.ConfigJson, $"{store.DbPath} (cell {rec.Id})");
        ExecuteClaimed(store, rec.Id, spec, new RunFolder(rec.Path));
    }

    /// <summary>Passes progress through, renewing the leases (one, or a group's) at each logged line (one per epoch) and stopping when one is lost.</summary>
    sealed class LeaseProgress(IProgressReporter inner, IReadOnlyList<LeaseKeeper> leases) : IProgressReporter
    {
        public void Run(string title, long totalSteps, Action<IProgressTask> work) => inner.Run(title, totalSteps, t => work(new Task(t, leases)));

        sealed class Task(IProgressTask inner, IReadOnlyList<LeaseKeeper> leases) : IProgressTask
        {
            public void Advance(long steps, string? status = null)
            {
                foreach (var l in leases) l.ThrowIfLost();
                inner.Advance(steps, status);
            }

            public void Log(string line)
            {
                foreach (var l in leases) l.Renew();
                foreach (var l in leases) l.ThrowIfLost();
                inner.Log(line);
            }
        }
    }

    /// <summary>Trains one run whose dependencies are finished: the only place that turns a spec into a training job.</summary>
    TrainingState Execute(RunSpec spec, RunFolder folder, IProgressReporter? progress = null)
    {
        progress ??= Progress;
        switch (spec)
        {
            case ClassifierRun c:
            {
                if (folder.IsSealed) { EnsureSame(folder, c.Options); return folder.ReadMetrics(); }
                // A logit trace records the run's own splits, so the data is loaded here and shared with the trainer.
                using var data = c.Trace is null ? null : TrainingRun.LoadData(c.Options);
                using var tracking = c.TrackMi is { } mi ? new MiTrackingObjective(c.Options.Alpha, mi, folder.Combine("mi")) : null;
                return TrainingRun.Execute(c.Options, folder.Path, progress, tracking, data is null ? null : c.Trace!.Recorder(folder, data, c.Options.Epochs), data);
            }
            case StudentRun s:
                return ExecuteStudent(s, folder, progress);
            case TranslatorRun t:
                return TranslatorTraining.Fit(t.Options, folder.Path, progress);
            default:
                throw new LsLabException($"{spec.Name}: run kind '{spec.Kind}' is not known to this build.");
        }
    }

    /// <summary>
    /// A stored cell whose folder has an older name (the naming rule changed): its folder moves to the spec's name when it
    /// holds this spec's options and the new name is free, and the cell records the new name either way (a folder it does
    /// not own is left alone, so the cell trains afresh).
    /// </summary>
    RunRecord Relink(RunRecord rec, RunSpec spec, RunFolder folder)
    {
        var old = new RunFolder(rec.Path);
        bool owns = Directory.Exists(old.Path) && File.Exists(old.ConfigPath) && spec switch
        {
            TranslatorRun t => old.ReadConfig<TranslatorOptions>().Equals(t.Options),
            _ when spec.ClassifierOptions is { } o => old.ReadConfig() is var saved && saved == AsSaved(saved, o),
            _ => false,
        };
        if (owns && !Directory.Exists(folder.Path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(folder.Path)!);
            Directory.Move(old.Path, folder.Path);
            Progress.Run(spec.Name, 0, t => t.Log($"moved from {Path.GetFileName(old.Path)} (the run-name rule changed)"));
        }
        store!.Relink(rec.Id, spec.Name, folder.Path);
        return store.Get(rec.Id)!;
    }

    /// <summary>A finished folder is reused only for the options it was trained with (where the data came from aside).</summary>
    static void EnsureSame(RunFolder folder, TrainOptions options) => folder.EnsureCompatible(AsSaved(folder.ReadConfig(), options));

    /// <summary><paramref name="options"/> with the saved run's data folder: the same data read from another copy is the same run.</summary>
    static TrainOptions AsSaved(TrainOptions saved, TrainOptions options) => options with { DataDir = saved.DataDir };

    TrainingState ExecuteStudent(StudentRun s, RunFolder folder, IProgressReporter progress)
    {
        if (folder.IsComplete) { EnsureSame(folder, s.Options); return folder.ReadMetrics(); }
        using var data = TrainingRun.LoadData(s.Options);
        using var objective = StudentObjective(s, data);
        var state = TrainingRun.Execute(s.Options, folder.Path, progress, objective, data: data);
        DistillationRecord.For(objective).Save(folder);
        return state;
    }

    /// <summary>What decides a run's data splits: runs with equal keys load the same examples.</summary>
    static string DataKey(TrainOptions o) => $"{o.Dataset}|{o.DataDir}|{o.ValidationFraction}|{o.Seed}|{o.TrainLimit}";

    /// <summary>The student's loss, bound to its finished teacher's logits over <paramref name="data"/>'s training set (computed once per runner and shared by the teacher's students).</summary>
    DistillationObjective StudentObjective(StudentRun s, DataSplits data)
    {
        var teacher = FolderFor(s.Teacher);
        if (!teacher.IsComplete)
            throw new LsLabException($"{FolderFor(s).Path}: its teacher {teacher.Path} has not finished; train it first.");
        var o = s.Options;
        string key = $"{teacher.Path}|{DataKey(o)}";
        if (!teacherLogits.TryGetValue(key, out var logits))
            teacherLogits[key] = logits = DistillationObjective.ComputeTeacherLogits(teacher, data.Train);
        var objective = new DistillationObjective(new DistillationSpec(teacher.Path, s.Temperature, s.Beta, s.Soft));
        objective.BindLogits(logits, data.Train.Labels);
        return objective;
    }

    /// <summary>
    /// Runs one stored cell by id or name (the `lslab run-cell` job): checks its dependencies are done,
    /// claims it, trains it, records it. Returns false when it was already done or another live
    /// process holds it; throws <see cref="CellWaitingException"/> naming the unfinished dependency.
    /// </summary>
    public static bool RunCell(RunStore store, string idOrName, IProgressReporter progress, int leaseSeconds = RunStore.DefaultLeaseSeconds)
    {
        var matches = store.Find(idOrName);
        if (matches.Count != 1)
            throw new LsLabException(matches.Count == 0 ? $"{store.DbPath}: no cell '{idOrName}'. List them with `lslab runs list --store …`."
                : $"{store.DbPath}: '{idOrName}' matches {matches.Count} cells; give more of the id.");
        var rec = matches[0];
        var spec = RunSpec.FromJson(rec.ConfigJson, $"{store.DbPath} (cell {rec.Id})");
        var folder = new RunFolder(rec.Path);
        if (rec.Status == RunStatus.Done && folder.IsComplete) return false;
        foreach (var depId in rec.DependsOn)
        {
            var dep = store.Get(depId);
            if (dep is null || dep.Status != RunStatus.Done)
                throw new CellWaitingException($"cell {rec.Id} ({rec.Name}) waits for cell {depId} ({dep?.Name ?? "not registered"}), which is {dep?.Status.ToString() ?? "missing"}; run that one first.");
        }
        using var runner = new Runner(Path.GetDirectoryName(folder.Path)!, progress, store) { LeaseSeconds = leaseSeconds };
        if (!store.TryClaim(rec.Id, leaseSeconds)) return false;
        runner.ExecuteClaimed(store, rec.Id, spec, folder);
        return true;
    }

    /// <summary>Frees the teacher logits cached for students of the same teacher.</summary>
    public void Dispose()
    {
        foreach (var t in teacherLogits.Values) t.Dispose();
        teacherLogits.Clear();
    }
}

/// <summary>A cell cannot start yet: a run it depends on has not finished.</summary>
public sealed class CellWaitingException(string message) : LsLabException(message);
