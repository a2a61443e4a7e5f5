using LsLab.Calibration;
using LsLab.Data;
using LsLab.Models;
using LsLab.Runs;

namespace LsLab.Training;

/// <summary>
/// Validation and test logits recorded along training, so one run gives every training length of a
/// sweep: after epochs 1, 2, 4, 8, … and the last (<see cref="Every"/> = 0), or every k epochs and the last.
/// Files: <c>trace/e{N}/validation.npy</c>, <c>trace/e{N}/test.npy</c> (float32 [N,K]) and the labels once,
/// <c>trace/validation.labels.npy</c>, <c>trace/test.labels.npy</c>. Each epoch's files are written before its
/// checkpoint, so a resumed run has every recorded epoch.
/// </summary>
public sealed record LogitTrace(int Every = 0)
{
    static readonly string[] Splits = { "validation", "test" };

    /// <summary>The epochs recorded in a run of <paramref name="epochs"/> epochs.</summary>
    public IReadOnlyList<int> Epochs(int epochs)
    {
        var list = new List<int>();
        if (Every > 0) for (int e = Every; e < epochs; e += Every) list.Add(e);
        else for (int e = 1; e < epochs; e *= 2) list.Add(e);
        list.Add(epochs);
        return list;
    }

    /// <summary>An epoch-end hook that records <paramref name="data"/>'s validation and test logits at the traced epochs.</summary>
    public Action<int, Classifier, EpochMetrics> Recorder(RunFolder run, DataSplits data, int epochs)
    {
        var when = Epochs(epochs).ToHashSet();
        return (epoch, model, _) =>
        {
            if (!when.Contains(epoch)) return;
            foreach (var (split, ds) in new[] { ("validation", data.Validation), ("test", data.Test) })
            {
                if (ds.Count == 0) throw new LsLabException($"{run.Path}: a logit trace needs a {split} split, and it is empty.");
                var labels = run.Combine("trace", $"{split}.labels.npy");
                if (!File.Exists(labels)) AtomicFile.Write(labels, tmp => Npy.Write(tmp, ds.Labels));
                using var logits = Evaluator.Predict(model, ds);
                AtomicFile.Write(run.Combine("trace", $"e{epoch}", $"{split}.npy"), tmp => Npy.Write(tmp, logits));
            }
        };
    }

    /// <summary>The logits of <paramref name="split"/> recorded after <paramref name="epoch"/>.</summary>
    public static LogitsFile Read(RunFolder run, int epoch, string split)
    {
        if (!Splits.Contains(split)) throw new ArgumentException($"split must be validation or test, got '{split}'.");
        return CalibrationAnalysis.Load(run.Combine("trace", $"e{epoch}", $"{split}.npy"), run.Combine("trace", $"{split}.labels.npy"), InputKind.Logits);
    }
}
