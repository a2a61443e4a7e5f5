using System.Globalization;
using LsLab.Data;
using LsLab.Distillation;
using LsLab.Runs;
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

    /// <summary>Test accuracy of a finished run on an already loaded split.</summary>
    public static double Accuracy(RunFolder run, Dataset data)
    {
        using var logits = Logits(run, data);
        return Evaluator.Score(logits, data.Labels).Accuracy;
    }

    /// <summary>
    /// Standard error of the difference between two accuracies near <paramref name="p"/> measured on the same
    /// n test examples, treating them as independent binomials: √(2·p(1−p)/n). Seed-to-seed variation comes on top.
    /// </summary>
    public static double DifferenceStandardError(double p, int n) => Math.Sqrt(2 * p * (1 - p) / Math.Max(1, n));

    public static double Mean(IEnumerable<double> xs) => xs.Average();

    public static string Pct(double v) => (100 * v).ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>"mean" for one value, "mean ± sd" for several (percent).</summary>
    public static string PctMeanSd(IReadOnlyList<double> xs)
    {
        if (xs.Count == 1) return Pct(xs[0]);
        double m = xs.Average(), sd = Math.Sqrt(xs.Sum(x => (x - m) * (x - m)) / (xs.Count - 1));
        return $"{Pct(m)} ± {(100 * sd).ToString("F2", CultureInfo.InvariantCulture)}";
    }
}
