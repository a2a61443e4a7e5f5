using LsLab.Calibration;
using LsLab.Data;
using LsLab.Runs;
using static TorchSharp.torch;

namespace LsLab.Training;

/// <summary>Result of evaluating a run on one split, with where its outputs were written.</summary>
public sealed record EvaluationResult(string Split, Score Score, string LogitsPath, string LabelsPath);

/// <summary>A finished run's predictions on one split, in memory: logits [N,K] and labels (as read by the calibration code), and their score.</summary>
public sealed record SplitPredictions(string Split, LogitsFile Values, Score Score, string LogitsPath, string LabelsPath)
{
    /// <summary>Number of predictions in the split.</summary>
    public int Count => Values.Labels.Length;
}

/// <summary>
/// A finished run's predictions: <see cref="Predict"/> loads the data and the model once for every split
/// asked for, and caches each split as eval/&lt;split&gt;/logits.npy + labels.npy (float32 [N,K], int64 [N]),
/// which numpy reads and later calls reuse while they are newer than model.dat.
/// </summary>
public static class Evaluation
{
    static readonly string[] Known = { "test", "validation", "train" };

    /// <summary>Predictions of <paramref name="run"/> on each of <paramref name="splits"/> (test, validation, train).</summary>
    public static IReadOnlyDictionary<string, SplitPredictions> Predict(RunFolder run, params string[] splits)
    {
        foreach (var s in splits)
            if (!Known.Contains(s)) throw new LsLabException($"--split must be test, validation or train, got '{s}'.");
        if (!run.IsComplete)
            throw new LsLabException(File.Exists(run.ConfigPath)
                ? $"{run.Path}: no model.dat: the run has not finished. Resume it with `lslab train --resume --out {run.Path}`."
                : $"{run.Path}: not an LsLab run folder (no config.json). Train one with `lslab train --out {run.Path}`.");
        var result = new Dictionary<string, SplitPredictions>();
        var missing = new List<string>();
        foreach (var s in splits.Distinct())
        {
            if (Cached(run, s) is { } p) result[s] = p;
            else missing.Add(s);
        }
        if (missing.Count == 0) return result;

        var o = run.ReadConfig();
        using var data = TrainingRun.LoadData(o);
        using var model = TrainingRun.LoadModel(run, data.Train);
        foreach (var split in missing)
        {
            var ds = split switch { "test" => data.Test, "validation" => data.Validation, _ => data.Train };
            if (ds.Count == 0) throw new LsLabException($"{run.Path}: the {split} split is empty (the run used --val-fraction 0?).");
            using var logits = Evaluator.Predict(model, ds);
            var score = Evaluator.Score(logits, ds.Labels);
            var dir = run.EvalDir(split);
            string logitsPath = Path.Combine(dir, "logits.npy"), labelsPath = Path.Combine(dir, "labels.npy");
            Directory.CreateDirectory(dir);
            AtomicFile.Write(logitsPath, tmp => Npy.Write(tmp, logits));
            AtomicFile.Write(labelsPath, tmp => Npy.Write(tmp, ds.Labels));
            AtomicFile.WriteJson(Path.Combine(dir, "score.json"), score);
            using var z = logits.to_type(ScalarType.Float64).contiguous();
            using var y = ds.Labels.to_type(ScalarType.Int32).contiguous();
            var values = new LogitsFile(z.ToCpuArray<double>(), y.ToCpuArray<int>(), (int)logits.shape[1], false);
            result[split] = new SplitPredictions(split, values, score, logitsPath, labelsPath);
        }
        return result;
    }

    static SplitPredictions? Cached(RunFolder run, string split)
    {
        var dir = run.EvalDir(split);
        string logitsPath = Path.Combine(dir, "logits.npy"), labelsPath = Path.Combine(dir, "labels.npy"), scorePath = Path.Combine(dir, "score.json");
        if (!File.Exists(logitsPath) || !File.Exists(labelsPath) || !File.Exists(scorePath)) return null;
        var model = File.GetLastWriteTimeUtc(run.ModelPath);
        if (File.GetLastWriteTimeUtc(logitsPath) < model || File.GetLastWriteTimeUtc(labelsPath) < model) return null;
        var values = CalibrationAnalysis.Load(logitsPath, labelsPath, InputKind.Logits);
        return new SplitPredictions(split, values, AtomicFile.ReadJson<Score>(scorePath), logitsPath, labelsPath);
    }

    /// <summary>Evaluates a finished run on a split (`lslab evaluate`): its score, and the numpy files it is cached in.</summary>
    public static EvaluationResult Evaluate(RunFolder run, string split)
    {
        var p = Predict(run, split)[split];
        return new EvaluationResult(split, p.Score, p.LogitsPath, p.LabelsPath);
    }
}
