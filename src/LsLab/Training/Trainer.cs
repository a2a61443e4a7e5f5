using System.Diagnostics;
using LsLab.Data;
using LsLab.Models;
using LsLab.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LsLab.Training;

/// <summary>The optimizers a recipe can name; both are checkpointed with their state.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with (optionally Nesterov) momentum and L2 weight decay.</summary>
    Sgd,
    /// <summary>Adam with L2 weight decay added to the gradient.</summary>
    Adam,
    /// <summary>Adam with decoupled weight decay.</summary>
    AdamW,
}

/// <summary>
/// How a model is optimised, whatever it is: optimizer and its settings, learning-rate schedule with
/// linear warm-up, epochs, gradient clipping and the seed everything random derives from. Classifier
/// and translator options each turn into one (<see cref="TrainOptions.Recipe"/>, <c>TranslatorOptions.Recipe</c>).
/// </summary>
public sealed record Recipe
{
    /// <summary>Which optimizer (SGD with momentum, Adam or AdamW).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Peak learning rate (after warm-up).</summary>
    public double LearningRate { get; init; } = 0.1;
    /// <summary>SGD momentum (Nesterov optional); Adam uses <see cref="AdamBetas"/>.</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>Nesterov momentum for SGD.</summary>
    public bool Nesterov { get; init; } = true;
    /// <summary>Adam's β₁ and β₂.</summary>
    public (double Beta1, double Beta2) AdamBetas { get; init; } = (0.9, 0.98);
    /// <summary>Adam's ε.</summary>
    public double AdamEpsilon { get; init; } = 1e-9;
    /// <summary>Weight decay: L2 added to the gradient for SGD and Adam (as in PyTorch), decoupled for AdamW.</summary>
    public double WeightDecay { get; init; }
    /// <summary>Learning-rate schedule after the warm-up.</summary>
    public Schedule Schedule { get; init; } = Schedule.Cosine;
    /// <summary>Warm-up length: whole steps plus a (fractional) number of epochs.</summary>
    public long WarmupSteps { get; init; }
    /// <summary>Warm-up epochs (fractional allowed), added to <see cref="WarmupSteps"/>.</summary>
    public double WarmupEpochs { get; init; }
    /// <summary>Gradient-norm clip (0 = off).</summary>
    public double ClipNorm { get; init; }
    /// <summary>The seed every epoch's seed derives from (<see cref="EpochSeed"/>).</summary>
    public int Seed { get; init; }

    /// <summary>The per-epoch seed: everything random in an epoch (order, augmentation, dropout) derives from it, so a resumed run continues exactly.</summary>
    public long EpochSeed(int epoch) => Seed * 1_000_003L + epoch;

    /// <summary>Learning rate at a global step: linear warm-up to the peak, then cosine, step (÷10 at 50 % and 75 %) or constant.</summary>
    public double LearningRateAt(long step, long stepsPerEpoch)
    {
        double total = (double)stepsPerEpoch * Epochs;
        double warm = WarmupSteps + WarmupEpochs * stepsPerEpoch;
        if (warm > 0 && step < warm) return LearningRate * (step + 1) / warm;
        double t = Math.Min(1, (step - warm) / Math.Max(1, total - warm));
        return Schedule switch
        {
            Schedule.Cosine => LearningRate * 0.5 * (1 + Math.Cos(Math.PI * t)),
            Schedule.Step => LearningRate * (t < 0.5 ? 1 : t < 0.75 ? 0.1 : 0.01),
            _ => LearningRate,
        };
    }

    /// <summary>The optimizer this recipe names, over <paramref name="parameters"/>.</summary>
    public OptimizerHelper CreateOptimizer(IEnumerable<Parameter> parameters) => Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(parameters, LearningRate, AdamBetas.Beta1, AdamBetas.Beta2, AdamEpsilon, WeightDecay),
        // Decoupled weight decay (Loshchilov & Hutter): the decay is applied to the weights, not added to the gradient.
        OptimizerKind.AdamW => optim.AdamW(parameters, LearningRate, AdamBetas.Beta1, AdamBetas.Beta2, AdamEpsilon, WeightDecay),
        _ => optim.SGD(parameters, LearningRate, Momentum, 0, WeightDecay, Nesterov && Momentum > 0),
    };
}

/// <summary>One training step's outcome: the loss to back-propagate, how many units (examples, tokens) it covered and how many were right.</summary>
public readonly record struct StepResult(Tensor Loss, long Count, long Correct);

/// <summary>
/// What a kind of model learns from: its batches and its loss (classification, sequence-to-sequence).
/// The <see cref="Trainer"/> owns everything else: optimizer, schedule, seeds, guard, checkpoints, progress.
/// </summary>
public interface ITrainStep
{
    /// <summary>Progress-bar title, e.g. "mlp on fashion-mnist, label smoothing α=0.1".</summary>
    string Title { get; }
    /// <summary>What <see cref="StepResult.Count"/> counts, for the speed read-out: "ex" or "tok".</summary>
    string Unit { get; }
    /// <summary>Optimizer steps in one epoch.</summary>
    int StepsPerEpoch { get; }
    /// <summary>Orders one epoch's batches from its seed; the returned batches are disposed when the epoch ends.</summary>
    IEpochBatches Epoch(int epoch, long epochSeed);
    /// <summary>Validation loss (unsmoothed NLL) and accuracy after an epoch; NaN when there is no validation split.</summary>
    (double Loss, double Accuracy) Validate();
}

/// <summary>One epoch's batches: <see cref="Step"/> runs the forward pass and loss of batch <c>step</c>.</summary>
public interface IEpochBatches : IDisposable
{
    /// <summary>Forward pass and loss of batch <paramref name="step"/> of the epoch.</summary>
    StepResult Step(int step);
}

/// <summary>
/// The one training loop of LsLab, for classifiers and translators alike: any <see cref="ITrainStep"/>,
/// the optimizer and schedule of a <see cref="Recipe"/>, per-epoch seeds, a NaN/inf guard, a progress
/// bar, and (given a run folder) atomic per-epoch checkpoints of model and optimizer that a resumed run
/// continues from bit for bit on CPU.
/// </summary>
public sealed class Trainer
{
    /// <summary>A trainer for classifiers with these options (its recipe, objective and augmentation set below).</summary>
    public Trainer(TrainOptions options)
    {
        Options = options.Validate();
        Recipe = options.Recipe();
    }

    /// <summary>A trainer for any step (e.g. the translator's).</summary>
    public Trainer(Recipe recipe) => Recipe = recipe;

    /// <summary>Optimizer, schedule, epochs and seed.</summary>
    public Recipe Recipe { get; }
    /// <summary>The classifier options this trainer was made from (null for other models).</summary>
    public TrainOptions? Options { get; }
    /// <summary>The classifier's objective (null: label smoothing with the options' α).</summary>
    public ITrainingObjective? Objective { get; init; }
    /// <summary>Where the trainer shows its progress (nothing by default).</summary>
    public IProgressReporter Progress { get; init; } = Training.Progress.None;
    /// <summary>Optional batch augmentation: images [B,C,H,W] and a seeded generator → augmented images.</summary>
    public Func<Tensor, Generator, Tensor>? Augment { get; init; }
    /// <summary>Called after each classifier epoch's validation; may add entries to <see cref="EpochMetrics.Extra"/>.</summary>
    public Action<int, Classifier, EpochMetrics>? OnEpochEnd { get; init; }

    /// <summary>
    /// Least time between two checkpoints of a run; the last epoch always checkpoints. A checkpoint (model and optimizer
    /// files, fsync, hashes) costs a few tenths of a second, more than a whole epoch on a small subset, so by default a run
    /// checkpoints at most every 10 s and a kill loses at most that much training. LSLAB_CHECKPOINT_SECONDS sets it
    /// (0: every epoch).
    /// </summary>
    public static TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(
        double.TryParse(Environment.GetEnvironmentVariable("LSLAB_CHECKPOINT_SECONDS"), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var s) && s >= 0 ? s : 10);

    /// <summary>
    /// Trains a classifier on <paramref name="data"/> with the options' objective (label smoothing α by
    /// default). With <paramref name="run"/> set, resumes from its last checkpoint and checkpoints after an epoch
    /// once <see cref="CheckpointInterval"/> has passed since the last one, and after the last epoch.
    /// </summary>
    public TrainingState Fit(Classifier model, DataSplits data, RunFolder? run = null)
    {
        var o = Options ?? throw new InvalidOperationException("Fit(Classifier, …) needs a trainer made from TrainOptions.");
        var objective = Objective ?? new LabelSmoothingObjective(o.Alpha);
        var hooks = objective as IRunHooks;
        var step = new ClassificationStep(model, data, objective, o.BatchSize, Augment) { Title = $"{o.Model} on {data.Train.Name}, {objective.Describe()}" };
        bool bound = false;
        return Fit(model, step, run,
            beforeFirstEpoch: () => { if (!bound) { hooks?.Bind(data); bound = true; } },
            onEpochEnd: (epoch, m) => { hooks?.OnEpochEnd(epoch, model, m); OnEpochEnd?.Invoke(epoch, model, m); });
    }

    /// <summary>Trains <paramref name="model"/> through <paramref name="step"/>; see the class summary.</summary>
    public TrainingState Fit(nn.Module model, ITrainStep step, RunFolder? run = null, Action? beforeFirstEpoch = null, Action<int, EpochMetrics>? onEpochEnd = null)
    {
        Native.Engine.Initialize();
        var r = Recipe;
        int stepsPerEpoch = step.StepsPerEpoch;
        long totalSteps = (long)stepsPerEpoch * r.Epochs;
        using var optimizer = r.CreateOptimizer(model.parameters());
        var state = new TrainingState();
        if (run is not null && run.TryLoadCheckpoint(model, optimizer) is { } saved)
        {
            state = saved;
            if (state.EpochsDone > 0 && state.EpochsDone < r.Epochs)
                Progress.Run("resume", 0, t => t.Log($"Resuming {run.Path} after epoch {state.EpochsDone}/{r.Epochs}."));
        }
        if (state.EpochsDone > r.Epochs)
            throw new LsLabException($"{run!.CheckpointDir}: the checkpoint says {state.EpochsDone} epochs are done, but the run has {r.Epochs}; delete the run folder to start over.");
        if (state.EpochsDone == r.Epochs)
        {
            // A finished checkpoint whose final files are missing (deleted, a kill before the manifest, or a
            // run written before manifests): write them again from the checkpoint, which holds the final weights.
            state = state with { Finished = true };
            if (run is not null && !run.IsSealed) run.SaveCheckpoint(model, optimizer, state);
            return state;
        }
        beforeFirstEpoch?.Invoke();

        var history = new List<EpochMetrics>(state.History);
        double totalSeconds = state.TotalSeconds;
        var sinceCheckpoint = System.Diagnostics.Stopwatch.StartNew();
        Progress.Run(step.Title, totalSteps, task =>
        {
            task.Advance((long)state.EpochsDone * stepsPerEpoch, "");
            for (int epoch = state.EpochsDone + 1; epoch <= r.Epochs; epoch++)
            {
                var m = RunEpoch(model, optimizer, step, epoch, stepsPerEpoch, task);
                onEpochEnd?.Invoke(epoch, m);
                history.Add(m);
                totalSeconds += m.Seconds;
                task.Log($"epoch {epoch,3}/{r.Epochs}  loss {m.TrainLoss:F4}  acc {m.TrainAccuracy:P2}  " +
                         $"val loss {m.ValidationLoss:F4}  val acc {m.ValidationAccuracy:P2}  lr {m.LearningRate:G3}  " +
                         $"{m.ExamplesPerSecond:N0} {step.Unit}/s  {m.Seconds:F1}s");
                state = new TrainingState { EpochsDone = epoch, History = new(history), TotalSeconds = totalSeconds, Finished = epoch == r.Epochs };
                if (run is null || !state.Finished && sinceCheckpoint.Elapsed < CheckpointInterval) continue;
                run.SaveCheckpoint(model, optimizer, state);
                sinceCheckpoint.Restart();
            }
        });
        return state;
    }

    EpochMetrics RunEpoch(nn.Module model, OptimizerHelper optimizer, ITrainStep step, int epoch, int stepsPerEpoch, IProgressTask task)
    {
        var r = Recipe;
        long epochSeed = r.EpochSeed(epoch);
        manual_seed(epochSeed);
        using var batches = step.Epoch(epoch, epochSeed);
        model.train();
        var sw = Stopwatch.StartNew();
        double lossSum = 0, lr = 0;
        long correct = 0, seen = 0;
        var lastReport = sw.Elapsed;
        for (int s = 0; s < stepsPerEpoch; s++)
        {
            using var scope = NewDisposeScope();
            lr = r.LearningRateAt((long)(epoch - 1) * stepsPerEpoch + s, stepsPerEpoch);
            foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
            // Drop the gradients (set_to_none, PyTorch's default) rather than zero-filling them: the same
            // numbers, one pass over the parameters less (measured: see docs/performance.md).
            model.zero_grad();
            var (loss, count, right) = batches.Step(s);
            double lv = loss.item<float>();
            if (!double.IsFinite(lv))
                throw new LsLabException($"Training diverged: loss is {lv} at epoch {epoch}, step {s + 1}/{stepsPerEpoch} (lr {lr:G3}). " +
                                         "Lower --lr or check the input data.");
            loss.backward();
            if (r.ClipNorm > 0) nn.utils.clip_grad_norm_(model.parameters(), r.ClipNorm);
            optimizer.step();
            lossSum += lv * count;
            correct += right;
            seen += count;
            if ((sw.Elapsed - lastReport).TotalMilliseconds > 200 || s == stepsPerEpoch - 1)
            {
                lastReport = sw.Elapsed;
                task.Advance(0, $"ep {epoch}/{r.Epochs} loss {lossSum / seen:F3} acc {(double)correct / seen:P1} {seen / sw.Elapsed.TotalSeconds:N0} {step.Unit}/s");
            }
            task.Advance(1);
        }
        double seconds = sw.Elapsed.TotalSeconds;
        var (valLoss, valAcc) = step.Validate();
        return new EpochMetrics(epoch, lossSum / seen, (double)correct / seen, valLoss, valAcc, lr, seconds, seen / seconds);
    }
}

/// <summary>
/// The classifier's step: a seeded permutation of the training set in batches, optional augmentation
/// from the epoch's generator, any <see cref="ITrainingObjective"/> (which sees each batch's indices).
/// </summary>
public sealed class ClassificationStep(Classifier model, DataSplits data, ITrainingObjective objective, int batchSize,
    Func<Tensor, Generator, Tensor>? augment = null) : ITrainStep
{
    /// <inheritdoc />
    public string Title { get; init; } = "classifier";
    /// <inheritdoc />
    public string Unit => "ex";
    /// <inheritdoc />
    public int StepsPerEpoch => (data.Train.Count + batchSize - 1) / batchSize;

    /// <inheritdoc />
    public IEpochBatches Epoch(int epoch, long epochSeed)
    {
        var gen = new Generator((ulong)epochSeed);
        var perm = randperm(data.Train.Count, generator: gen);
        return new EpochBatches(step =>
        {
            var train = data.Train;
            long start = (long)step * batchSize;
            long len = Math.Min(batchSize, train.Count - start);
            var idx = perm.narrow(0, start, len);
            var x = train.Images.index_select(0, idx);
            if (augment is not null) x = augment(x, gen);
            x = Native.Engine.ToDevice(x);
            var y = Native.Engine.ToDevice(train.Labels.index_select(0, idx));
            var logits = model.forward(x);
            var loss = objective.Loss(logits, y, idx);
            long correct;
            using (no_grad()) correct = logits.argmax(1).eq(y).sum().item<long>();
            return new StepResult(loss, len, correct);
        }, () => { perm.Dispose(); gen.Dispose(); });
    }

    /// <inheritdoc />
    public (double Loss, double Accuracy) Validate()
    {
        if (data.Validation.Count == 0) return (double.NaN, double.NaN);
        var s = Evaluator.Score(model, data.Validation);
        return (s.Nll, s.Accuracy);
    }
}

/// <summary>An epoch's batches as a step function and what to release when the epoch ends.</summary>
public sealed class EpochBatches(Func<int, StepResult> step, Action? dispose = null) : IEpochBatches
{
    /// <inheritdoc />
    public StepResult Step(int s) => step(s);
    /// <summary>Releases what the epoch held (its permutation and generator).</summary>
    public void Dispose() => dispose?.Invoke();
}
