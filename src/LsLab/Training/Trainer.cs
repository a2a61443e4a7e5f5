using System.Diagnostics;
using LsLab.Data;
using LsLab.Models;
using LsLab.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LsLab.Training;

/// <summary>
/// SGD training of a <see cref="Classifier"/> with any <see cref="ITrainingObjective"/>:
/// momentum (Nesterov optional), weight decay, cosine/step schedule with warm-up, per-epoch seeded
/// shuffling, a progress bar, NaN/inf guard, and (when given a run folder) atomic per-epoch
/// checkpoints that <c>resume</c> continues from, bit-for-bit deterministic on CPU.
/// </summary>
public sealed class Trainer
{
    public Trainer(TrainOptions options) => Options = options.Validate();

    public TrainOptions Options { get; }
    public ITrainingObjective? Objective { get; init; }
    public IProgressReporter Progress { get; init; } = Training.Progress.None;
    /// <summary>Optional batch augmentation: images [B,C,H,W] and a seeded generator → augmented images.</summary>
    public Func<Tensor, Generator, Tensor>? Augment { get; init; }
    /// <summary>Called after each epoch's validation; may add entries to <see cref="EpochMetrics.Extra"/>.</summary>
    public Action<int, Classifier, EpochMetrics>? OnEpochEnd { get; init; }

    /// <summary>
    /// Trains <paramref name="model"/> on <paramref name="data"/>. With <paramref name="run"/> set, resumes
    /// from its last checkpoint when there is one and checkpoints after every epoch.
    /// </summary>
    public TrainingState Fit(Classifier model, DataSplits data, RunFolder? run = null)
    {
        Native.Engine.Initialize();
        var o = Options;
        var objective = Objective ?? new LabelSmoothingObjective(o.Alpha);
        var train = data.Train;
        int n = train.Count;
        int stepsPerEpoch = (n + o.BatchSize - 1) / o.BatchSize;
        long totalSteps = (long)stepsPerEpoch * o.Epochs;

        var optimizer = optim.SGD(model.parameters(), o.EffectiveLearningRate, o.Momentum, 0, o.EffectiveWeightDecay, o.Nesterov && o.Momentum > 0);
        var state = new TrainingState();
        if (run is not null && run.TryLoadCheckpoint(model, optimizer) is { } saved)
        {
            state = saved;
            if (state.EpochsDone > 0 && !state.Finished)
                Progress.Run("resume", 0, t => t.Log($"Resuming {run.Path} after epoch {state.EpochsDone}/{o.Epochs}."));
        }
        if (state.EpochsDone >= o.Epochs) return state with { Finished = true };
        var hooks = objective as IRunHooks;
        hooks?.Bind(data);

        var history = new List<EpochMetrics>(state.History);
        double totalSeconds = state.TotalSeconds;
        string title = $"{o.Model} on {train.Name}, {objective.Describe()}";
        Progress.Run(title, totalSteps, task =>
        {
            task.Advance((long)state.EpochsDone * stepsPerEpoch, "");
            for (int epoch = state.EpochsDone + 1; epoch <= o.Epochs; epoch++)
            {
                var m = RunEpoch(model, optimizer, objective, train, data.Validation, epoch, stepsPerEpoch, task);
                hooks?.OnEpochEnd(epoch, model, m);
                OnEpochEnd?.Invoke(epoch, model, m);
                history.Add(m);
                totalSeconds += m.Seconds;
                task.Log($"epoch {epoch,3}/{o.Epochs}  loss {m.TrainLoss:F4}  acc {m.TrainAccuracy:P2}  " +
                         $"val loss {m.ValidationLoss:F4}  val acc {m.ValidationAccuracy:P2}  lr {m.LearningRate:G3}  " +
                         $"{m.ExamplesPerSecond:N0} ex/s  {m.Seconds:F1}s");
                state = new TrainingState { EpochsDone = epoch, History = new(history), TotalSeconds = totalSeconds, Finished = epoch == o.Epochs };
                run?.SaveCheckpoint(model, optimizer, state);
            }
        });
        return state;
    }

    double LearningRateAt(long step, long stepsPerEpoch)
    {
        var o = Options;
        double total = (double)stepsPerEpoch * o.Epochs;
        double warm = o.WarmupEpochs * stepsPerEpoch;
        double lr0 = o.EffectiveLearningRate;
        if (warm > 0 && step < warm) return lr0 * (step + 1) / warm;
        double t = (step - warm) / Math.Max(1, total - warm);
        return o.Schedule switch
        {
            Schedule.Cosine => lr0 * 0.5 * (1 + Math.Cos(Math.PI * t)),
            Schedule.Step => lr0 * (t < 0.5 ? 1 : t < 0.75 ? 0.1 : 0.01),
            _ => lr0,
        };
    }

    EpochMetrics RunEpoch(Classifier model, optim.Optimizer optimizer, ITrainingObjective objective, Dataset train, Dataset validation,
        int epoch, int stepsPerEpoch, IProgressTask task)
    {
        var o = Options;
        // Everything random in an epoch (order, augmentation, dropout) derives from (seed, epoch),
        // so a resumed run continues exactly as an uninterrupted one would.
        long epochSeed = o.Seed * 1_000_003L + epoch;
        manual_seed(epochSeed);
        using var gen = new Generator((ulong)epochSeed);
        using var perm = randperm(train.Count, generator: gen);
        model.train();
        var sw = Stopwatch.StartNew();
        double lossSum = 0, lr = 0;
        long correct = 0, seen = 0;
        var lastReport = sw.Elapsed;
        for (int step = 0; step < stepsPerEpoch; step++)
        {
            using var scope = NewDisposeScope();
            long start = (long)step * o.BatchSize;
            long len = Math.Min(o.BatchSize, train.Count - start);
            var idx = perm.narrow(0, start, len);
            var x = train.Images.index_select(0, idx);
            if (Augment is not null) x = Augment(x, gen);
            var y = train.Labels.index_select(0, idx);
            lr = LearningRateAt((long)(epoch - 1) * stepsPerEpoch + step, stepsPerEpoch);
            foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;

            optimizer.zero_grad();
            var logits = model.forward(x);
            var loss = objective.Loss(logits, y, idx);
            double lv = loss.item<float>();
            if (!double.IsFinite(lv))
                throw new LsLabException($"Training diverged: loss is {lv} at epoch {epoch}, step {step + 1}/{stepsPerEpoch} (lr {lr:G3}). " +
                                         "Lower --lr or check the input data.");
            loss.backward();
            optimizer.step();

            lossSum += lv * len;
            using (no_grad()) correct += logits.argmax(1).eq(y).sum().item<long>();
            seen += len;
            if ((sw.Elapsed - lastReport).TotalMilliseconds > 200 || step == stepsPerEpoch - 1)
            {
                lastReport = sw.Elapsed;
                task.Advance(0, $"ep {epoch}/{o.Epochs} loss {lossSum / seen:F3} acc {(double)correct / seen:P1} {seen / sw.Elapsed.TotalSeconds:N0} ex/s");
            }
            task.Advance(1);
        }
        double seconds = sw.Elapsed.TotalSeconds;
        var val = validation.Count > 0 ? Evaluator.Score(model, validation) : new Score(double.NaN, double.NaN, 0);
        return new EpochMetrics(epoch, lossSum / seen, (double)correct / seen, val.Nll, val.Accuracy, lr, seconds, seen / seconds);
    }
}
