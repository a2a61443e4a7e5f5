using System.Diagnostics;
using LsLab.Data;
using LsLab.Models;
using LsLab.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LsLab.Training;

/// <summary>One member of a training group: its options, run folder, data, objective (label smoothing α when null) and epoch hook (e.g. a logit trace).</summary>
public sealed record GroupMember(TrainOptions Options, RunFolder Run, DataSplits Data, ITrainingObjective? Objective = null,
    Action<int, Classifier, EpochMetrics>? OnEpochEnd = null);

/// <summary>
/// Grouped training: G classifier runs that share architecture, data set, step count and recipe (they
/// may differ in seed, α, subset draw and objective) trained as one <see cref="GroupedClassifier"/> with one
/// SGD optimizer over the stacked weights. SGD's momentum and weight decay act per element, so each
/// member follows its own single run's update; each member keeps its own data order, augmentation and
/// dropout stream from its own per-epoch seed (the generators <see cref="Trainer"/> uses), and its loss
/// is its own objective on its slice of the logits (the sum's gradient in a member's weights is that
/// member's gradient). Every epoch each member is written as an ordinary run checkpoint (model and
/// optimizer files the single-run code resumes), and a finished member is an ordinary run folder.
/// </summary>
public static class GroupTraining
{
    /// <summary>Models grouped training supports (those with a <see cref="GroupedClassifier"/> form).</summary>
    public static bool Supports(TrainOptions o) => GroupedClassifier.Supports(o.Model);

    /// <summary>
    /// Architectures <see cref="Runs.Runner.TrainAll"/> groups on its own: those where a group measured faster than its
    /// members one after another (docs/performance.md). ResNets are left out: 4 × resnet20 ran at 0.88× per CPU-second.
    /// </summary>
    public static bool GroupsByDefault(TrainOptions o) => Supports(o) && !o.Model.StartsWith("resnet", StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs with equal keys can be trained in one group: everything but the seed and α must match (so recipe, subset size and step count do).</summary>
    public static TrainOptions Key(TrainOptions o) => o with { Seed = 0, Alpha = 0 };

    /// <summary>
    /// How many members fit in <paramref name="availableBytes"/>: each member holds weights, gradient,
    /// momentum, its single-model copy and optimizer copy (5 × parameters), activations and its own data.
    /// </summary>
    public static int MaxMembers(long parameters, long dataBytes, long activationBytes, long availableBytes, int cap = 16)
    {
        long perMember = parameters * 4 * 5 + dataBytes + activationBytes;
        return (int)Math.Clamp(availableBytes / Math.Max(1, perMember), 1, cap);
    }

    /// <summary>Bytes of memory available to this process now (MemAvailable on Linux; the GC's view elsewhere).</summary>
    public static long AvailableBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemAvailable:"));
            if (line is not null) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException) { }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    /// <summary>
    /// Trains the members as one group into their run folders (resuming when every member has a
    /// checkpoint of the same epoch); returns each member's final state, in order.
    /// </summary>
    public static IReadOnlyList<TrainingState> Fit(IReadOnlyList<GroupMember> members, IProgressReporter progress)
    {
        Native.Engine.Initialize();
        if (members.Count == 0) return Array.Empty<TrainingState>();
        var first = members[0].Options.Validate();
        foreach (var m in members)
        {
            m.Options.Validate();
            if (!Supports(m.Options) || Key(m.Options) != Key(first))
                throw new ArgumentException($"{m.Run.Path}: cannot be grouped with {members[0].Run.Path} (model, data or recipe differ).");
            if (m.Data.Train.Count != members[0].Data.Train.Count)
                throw new ArgumentException($"{m.Run.Path}: {m.Data.Train.Count} training examples, {members[0].Run.Path} has {members[0].Data.Train.Count}.");
            m.Run.EnsureCompatible(m.Options);
            AtomicFile.CleanStaleTemporaries(m.Run.Path);
            Directory.CreateDirectory(m.Run.Path);
            m.Run.WriteConfig(m.Options);
        }

        var models = new List<Classifier>();
        var singleOptimizers = new List<OptimizerHelper>();
        try
        {
            foreach (var m in members)
            {
                var model = TrainingRun.CreateModel(m.Options, m.Data.Train);
                models.Add(model);
                singleOptimizers.Add(m.Options.Recipe().CreateOptimizer(model.parameters()));
            }
            return FitLoaded(members, models, singleOptimizers, progress);
        }
        finally
        {
            foreach (var o in singleOptimizers) o.Dispose();
            foreach (var m in models) m.Dispose();
        }
    }

    static IReadOnlyList<TrainingState> FitLoaded(IReadOnlyList<GroupMember> members, List<Classifier> models, List<OptimizerHelper> singleOptimizers, IProgressReporter progress)
    {
        int g = members.Count;
        var o0 = members[0].Options;
        var recipe = o0.Recipe();
        var states = members.Select((m, i) => m.Run.TryLoadCheckpoint(models[i], singleOptimizers[i]) ?? new TrainingState()).ToArray();
        int done = states[0].EpochsDone;
        if (states.Any(s => s.EpochsDone != done))
            throw new LsLabException($"group members have checkpoints of different epochs ({string.Join(", ", states.Select(s => s.EpochsDone))}); train them apart (without --group).");
        if (done > recipe.Epochs)
            throw new LsLabException($"{members[0].Run.CheckpointDir}: the checkpoint says {done} epochs are done, but the run has {recipe.Epochs}; delete the run folder to start over.");
        if (done == recipe.Epochs)
        {
            for (int i = 0; i < g; i++)
            {
                states[i] = states[i] with { Finished = true };
                if (!members[i].Run.IsSealed) members[i].Run.SaveCheckpoint(models[i], singleOptimizers[i], states[i]);
            }
            return states;
        }
        foreach (var m in members) if (m.Objective is IRunHooks hooks) hooks.Bind(m.Data);

        int n = members[0].Data.Train.Count, batch = o0.BatchSize;
        int stepsPerEpoch = (n + batch - 1) / batch;
        var objectives = members.Select(m => m.Objective ?? new LabelSmoothingObjective(m.Options.Alpha)).ToArray();
        var augment = members.Select(m => m.Options.Augment ? Augmentation.For(m.Data.Train) : null).ToArray();
        using var group = GroupedClassifier.Create(models);
        if (!Native.Engine.OnCpu) group.to(Native.Engine.Device);
        using var optimizer = recipe.CreateOptimizer(group.Stacked);
        StackMomentum(singleOptimizers, optimizer);

        string title = $"group of {g} × {o0.Model} on {members[0].Data.Train.Name} (α {string.Join(", ", members.Select(m => m.Options.Alpha).Distinct())}; seeds {string.Join(", ", members.Select(m => m.Options.Seed).Distinct())})";
        progress.Run(title, (long)stepsPerEpoch * recipe.Epochs, task =>
        {
            task.Advance((long)done * stepsPerEpoch, "");
            for (int epoch = done + 1; epoch <= recipe.Epochs; epoch++)
            {
                var sw = Stopwatch.StartNew();
                var (lossSum, correct, lr) = RunEpoch(members, objectives, augment, group, optimizer, recipe, epoch, stepsPerEpoch, task);
                double seconds = sw.Elapsed.TotalSeconds;
                for (int i = 0; i < g; i++)
                {
                    group.CopyTo(i, models[i]);
                    var val = members[i].Data.Validation;
                    var (vl, va) = val.Count == 0 ? (double.NaN, double.NaN) : Score(models[i], val);
                    // A member's seconds are the group's wall time (the epoch's loop, as in Trainer), its ex/s its own examples over them.
                    var m = new EpochMetrics(epoch, lossSum[i] / n, (double)correct[i] / n, vl, va, lr, seconds, n / seconds);
                    if (objectives[i] is IRunHooks hooks) hooks.OnEpochEnd(epoch, models[i], m);
                    members[i].OnEpochEnd?.Invoke(epoch, models[i], m);
                    states[i] = new TrainingState
                    {
                        EpochsDone = epoch, History = new(states[i].History.Append(m)), TotalSeconds = states[i].TotalSeconds + seconds,
                        Finished = epoch == recipe.Epochs,
                    };
                    SliceMomentum(optimizer, singleOptimizers[i], i);
                    members[i].Run.SaveCheckpoint(models[i], singleOptimizers[i], states[i]);
                }
                task.Log($"epoch {epoch,3}/{recipe.Epochs}  {g} members  loss {lossSum.Average() / n:F4} (mean)  " +
                         $"val acc {states.Min(s => s.History[^1].ValidationAccuracy):P2}–{states.Max(s => s.History[^1].ValidationAccuracy):P2}  lr {lr:G3}  " +
                         $"{(double)n * g / seconds:N0} ex/s summed  {seconds:F1}s");
            }
        });
        return states;
    }

    static (double Loss, double Accuracy) Score(Classifier model, Dataset data)
    {
        var s = Evaluator.Score(model, data);
        return (s.Nll, s.Accuracy);
    }

    /// <summary>One epoch of the group; returns each member's summed loss (loss × batch size) and correct count, and the last learning rate.</summary>
    static (double[] LossSum, long[] Correct, double Lr) RunEpoch(IReadOnlyList<GroupMember> members, ITrainingObjective[] objectives,
        Func<Tensor, Generator, Tensor>?[] augment, GroupedClassifier group, OptimizerHelper optimizer, Recipe recipe, int epoch, int stepsPerEpoch, IProgressTask task)
    {
        int g = members.Count, n = members[0].Data.Train.Count, batch = members[0].Options.BatchSize;
        var seeds = members.Select(m => m.Options.Recipe().EpochSeed(epoch)).ToArray();
        // As in Trainer: order and augmentation from a generator of the epoch seed, dropout from the global one seeded alike.
        var orderGens = seeds.Select(s => new Generator((ulong)s)).ToArray();
        var dropGens = seeds.Select(s => new Generator((ulong)s)).ToArray();
        var perms = orderGens.Select(gen => randperm(n, generator: gen)).ToArray();
        var lossSum = new double[g];
        var correct = new long[g];
        double lr = 0;
        long seen = 0;
        var sw = Stopwatch.StartNew();
        var lastReport = sw.Elapsed;
        group.train();
        try
        {
            for (int s = 0; s < stepsPerEpoch; s++)
            {
                using var scope = NewDisposeScope();
                lr = recipe.LearningRateAt((long)(epoch - 1) * stepsPerEpoch + s, stepsPerEpoch);
                group.zero_grad();
                long start = (long)s * batch, len = Math.Min(batch, n - start);
                var xs = new Tensor[g];
                var ys = new Tensor[g];
                var idx = new Tensor[g];
                for (int i = 0; i < g; i++)
                {
                    var train = members[i].Data.Train;
                    idx[i] = perms[i].narrow(0, start, len);
                    xs[i] = train.Images.index_select(0, idx[i]);
                    if (augment[i] is { } aug) xs[i] = aug(xs[i], orderGens[i]);
                    ys[i] = Native.Engine.ToDevice(train.Labels.index_select(0, idx[i]));
                }
                var logits = group.forward(Native.Engine.ToDevice(stack(xs)), dropGens);
                var losses = stack(Enumerable.Range(0, g).Select(i => objectives[i].Loss(logits[i], ys[i], idx[i])).ToArray());
                var values = losses.detach().ToCpuArray<float>();
                for (int i = 0; i < g; i++)
                    if (!float.IsFinite(values[i]))
                        throw new LsLabException($"{members[i].Run.Path}: training diverged: loss is {values[i]} at epoch {epoch}, step {s + 1}/{stepsPerEpoch} (lr {lr:G3}). " +
                                                 "Lower --lr or check the input data.");
                losses.sum().backward();
                StepBySlices(optimizer, group.Stacked, recipe, lr);
                long[] right;
                using (no_grad()) right = logits.argmax(2).eq(stack(ys)).sum(1).ToCpuArray<long>();
                for (int i = 0; i < g; i++)
                {
                    lossSum[i] += values[i] * (double)len;
                    correct[i] += right[i];
                }
                seen += len;
                if ((sw.Elapsed - lastReport).TotalMilliseconds > 200 || s == stepsPerEpoch - 1)
                {
                    lastReport = sw.Elapsed;
                    task.Advance(0, $"ep {epoch}/{recipe.Epochs} {g} members loss {lossSum.Average() / seen:F3} {seen * g / sw.Elapsed.TotalSeconds:N0} ex/s summed");
                }
                task.Advance(1);
            }
        }
        finally
        {
            foreach (var t in perms) t.Dispose();
            foreach (var gen in orderGens.Concat(dropGens)) gen.Dispose();
        }
        return (lossSum, correct, lr);
    }

    /// <summary>
    /// One SGD step of the group, TorchSharp's <c>SGD.step</c> op for op (weight decay, momentum, Nesterov), applied member
    /// slice by member slice: a member's slice of a stacked tensor has its single parameter's shape, so the update is its single
    /// run's, and its weights, gradient and momentum stay in cache across the update's passes (the whole stacked tensors, G
    /// times larger, do not: measured 4× faster than <c>optimizer.step()</c> for 16 × mlp-small, docs/performance.md).
    /// The momentum buffers are <paramref name="optimizer"/>'s state, which the checkpoints exchange with the members' optimizers.
    /// </summary>
    static void StepBySlices(OptimizerHelper optimizer, IReadOnlyList<Parameter> stacked, Recipe recipe, double lr)
    {
        var states = optimizer.state_dict().State;
        bool nesterov = recipe.Nesterov && recipe.Momentum > 0;
        using Scalar decay = recipe.WeightDecay, momentum = recipe.Momentum, one = 1.0, minusLr = -lr;
        using var noGrad = no_grad();
        for (int j = 0; j < stacked.Count; j++)
        {
            var p = stacked[j];
            if (p.grad is not { } grad) continue;
            var st = Sgd(states[j]);
            bool first = st.momentum_buffer is null;
            if (first && recipe.Momentum != 0) st.momentum_buffer = empty_like(p).DetachFromDisposeScope();
            for (long g = 0; g < p.shape[0]; g++)
            {
                using var scope = NewDisposeScope();
                var (w, d) = (p[g], grad[g]);
                if (recipe.WeightDecay != 0) d = d.add(w, decay);
                if (recipe.Momentum != 0)
                {
                    var buf = st.momentum_buffer![g];
                    if (first) buf.copy_(d);
                    else buf.mul_(momentum).add_(d, one);
                    d = nesterov ? d.add(buf, momentum) : buf;
                }
                w.add_(d, minusLr);
            }
        }
    }

    /// <summary>Single-run optimizers' SGD momentum buffers (all set, or none) → the group optimizer's stacked buffers.</summary>
    static void StackMomentum(IReadOnlyList<OptimizerHelper> singles, OptimizerHelper group)
    {
        var groupState = group.state_dict().State;
        var singleStates = singles.Select(o => o.state_dict().State).ToList();
        for (int j = 0; j < groupState.Count; j++)
        {
            var bufs = singleStates.Select(s => Sgd(s[j]).momentum_buffer).ToList();
            if (bufs.All(b => b is null)) continue;
            if (bufs.Any(b => b is null)) throw new LsLabException("group members' checkpoints disagree on the optimizer state (some have momentum, some not); train them apart (without --group).");
            var st = Sgd(groupState[j]);
            st.momentum_buffer?.Dispose();
            st.momentum_buffer = stack(bufs.ToArray()!).DetachFromDisposeScope();
        }
    }

    /// <summary>The group optimizer's momentum of member <paramref name="g"/> → that member's single-run optimizer (for its checkpoint).</summary>
    static void SliceMomentum(OptimizerHelper group, OptimizerHelper single, int g)
    {
        var groupState = group.state_dict().State;
        var singleState = single.state_dict().State;
        for (int j = 0; j < groupState.Count; j++)
        {
            var src = Sgd(groupState[j]).momentum_buffer;
            var dst = Sgd(singleState[j]);
            dst.momentum_buffer?.Dispose();
            dst.momentum_buffer = src is null ? null! : src[g].clone().DetachFromDisposeScope();
        }
    }

    static SGD.State Sgd(OptimizerState s) => s as SGD.State
        ?? throw new InvalidOperationException($"grouped training supports SGD only (classifier recipes); got {s.GetType().Name}.");
}
