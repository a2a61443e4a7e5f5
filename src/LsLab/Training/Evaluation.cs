using LsLab.Data;
using LsLab.Runs;

namespace LsLab.Training;

/// <summary>Result of evaluating a run on one split, with where its outputs were written.</summary>
public sealed record EvaluationResult(string Split, Score Score, string LogitsPath, string LabelsPath);

/// <summary>Evaluates a finished run on a split and saves the logits and labels as numpy files.</summary>
public static class Evaluation
{
    public static EvaluationResult Evaluate(RunFolder run, string split)
    {
        var o = run.ReadConfig();
        using var data = TrainingRun.LoadData(o);
        var ds = split switch
        {
            "test" => data.Test,
            "validation" => data.Validation,
            "train" => data.Train,
            _ => throw new LsLabException($"--split must be test, validation or train, got '{split}'."),
        };
        if (ds.Count == 0) throw new LsLabException($"{run.Path}: the {split} split is empty (the run used --val-fraction 0?).");
        using var model = TrainingRun.LoadModel(run, data.Train);
        using var logits = Evaluator.Predict(model, ds);
        var score = Evaluator.Score(logits, ds.Labels);
        var dir = run.EvalDir(split);
        string logitsPath = Path.Combine(dir, "logits.npy"), labelsPath = Path.Combine(dir, "labels.npy");
        Directory.CreateDirectory(dir);
        AtomicFile.Write(logitsPath, tmp => Npy.Write(tmp, logits));
        AtomicFile.Write(labelsPath, tmp => Npy.Write(tmp, ds.Labels));
        AtomicFile.WriteJson(Path.Combine(dir, "score.json"), score);
        return new EvaluationResult(split, score, logitsPath, labelsPath);
    }
}
