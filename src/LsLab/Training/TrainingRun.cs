using TorchSharp;
using LsLab.Data;
using LsLab.Models;
using LsLab.Runs;

namespace LsLab.Training;

/// <summary>
/// The whole "train a classifier into a run folder" job used by `lslab train` and by every
/// experiment: load data, build the model by name, fit (resuming when the folder holds a
/// checkpoint of the same configuration), save. Also reloads a finished run for evaluation.
/// </summary>
public static class TrainingRun
{
    /// <summary>Loads the data set named in <paramref name="o"/> with its seeded validation split.</summary>
    public static DataSplits LoadData(TrainOptions o)
    {
        Native.Engine.Initialize();
        var splits = DatasetCatalog.Load(o.Dataset, o.DataDir, o.ValidationFraction, o.Seed);
        if (o.TrainLimit is int limit && limit < splits.Train.Count)
        {
            using var idx = TorchSharp.torch.arange(limit);
            var small = splits.Train.Subset(idx);
            splits.Train.Dispose();
            splits = splits with { Train = small };
        }
        return splits;
    }

    /// <summary>Builds the named model for the data set's input shape and class count.</summary>
    public static Classifier CreateModel(TrainOptions o, Dataset shapeOf)
    {
        TorchSharp.torch.manual_seed(o.Seed);
        var model = ModelRegistry.Create(o.Model, new ModelSpec(shapeOf.Channels, shapeOf.Height, shapeOf.Width, shapeOf.NumClasses, o.Width, o.Dropout));
        if (!Native.Engine.OnCpu) model.to(Native.Engine.Device);
        return model;
    }

    /// <summary>Trains into <paramref name="outDir"/> (or resumes there) and returns the history.</summary>
    public static TrainingState Execute(TrainOptions o, string outDir, IProgressReporter progress,
        ITrainingObjective? objective = null, Action<int, Classifier, EpochMetrics>? onEpochEnd = null, DataSplits? data = null)
    {
        o.Validate();
        var run = new RunFolder(outDir);
        run.EnsureCompatible(o);
        if (run.IsSealed) return run.ReadMetrics();
        return run.Start(() => Train(o, run, progress, objective, onEpochEnd, data));
    }

    static TrainingState Train(TrainOptions o, RunFolder run, IProgressReporter progress, ITrainingObjective? objective,
        Action<int, Classifier, EpochMetrics>? onEpochEnd, DataSplits? data)
    {
        bool own = data is null;
        data ??= LoadData(o);
        try
        {
            Directory.CreateDirectory(run.Path);
            run.WriteConfig(o);
            using var model = CreateModel(o, data.Train);
            var trainer = new Trainer(o)
            {
                Objective = objective,
                Progress = progress,
                Augment = o.Augment ? Augmentation.For(data.Train) : null,
                OnEpochEnd = onEpochEnd,
            };
            return trainer.Fit(model, data, run);
        }
        finally
        {
            if (own) data.Dispose();
        }
    }

    /// <summary>Rebuilds a finished run's model with its trained weights, in eval mode.</summary>
    public static Classifier LoadModel(RunFolder run, Dataset shapeOf)
    {
        var o = run.ReadConfig();
        if (!File.Exists(run.ModelPath))
            throw new LsLabException($"{run.Path}: no model.dat: the run has not finished. Resume it with `lslab train --resume --out {run.Path}`.");
        run.Verify();
        var model = CreateModel(o, shapeOf);
        try
        {
            model.load(run.ModelPath);
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or InvalidOperationException)
        {
            model.Dispose();
            throw new LsLabException($"{run.ModelPath}: cannot be read as the weights of a {o.Model} ({e.GetType().Name}: {e.Message.Split('\n')[0]}); it is truncated or damaged. Delete the run folder and train again.");
        }
        model.eval();
        return model;
    }
}
