using System.Globalization;
using LsLab.Data;
using LsLab.Distillation;
using LsLab.Runs;
using LsLab.Statistics;
using LsLab.Training;
using static TorchSharp.torch;

namespace LsLab.Experiments;

/// <summary>Shared steps of the distillation experiments: train a student from a teacher through the context, score runs.</summary>
internal static class DistillationRuns
{
    static string F(double v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>The finished run's logits over <paramref name="data"/>.</summary>
    public static Tensor Logits(RunFolder run, Dataset data)
    {
        using var model = TrainingRun.LoadModel(run, data);
        return Evaluator.Predict(model, data).DetachFromDisposeScope();
    }

    /// <summary>Per-example 0/1 correctness of a finished run on the validation and test splits (cached predictions).</summary>
    public static (double[] Validation, double[] Test) Correctness(RunFolder run)
    {
        var p = Evaluation.Predict(run, "validation", "test");
        double[] Of(string split) => PerExample.Correct(Calibration.Predictions.FromLogits(p[split].Values.Logits, p[split].Values.K, p[split].Values.Labels));
        return (Of("validation"), Of("test"));
    }

    /// <summary>The resample metric "accuracy of the examples drawn" for each seed's per-example correctness.</summary>
    public static IReadOnlyList<Func<int[], double>> Arm(IEnumerable<double[]> correctPerSeed) => correctPerSeed.Select(Bootstrap.Mean).ToList();

    public static string Pct(double v) => (100 * v).ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>"mean" for one value, "mean ± sd" for several (percent).</summary>
    public static string PctMeanSd(IReadOnlyList<double> xs)
    {
        if (xs.Count == 1) return Pct(xs[0]);
        double m = xs.Average(), sd = Math.Sqrt(xs.Sum(x => (x - m) * (x - m)) / (xs.Count - 1));
        return $"{Pct(m)} ± {(100 * sd).ToString("F2", CultureInfo.InvariantCulture)}";
    }
}
