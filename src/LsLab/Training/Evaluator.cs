using LsLab.Data;
using LsLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LsLab.Training;

/// <summary>Accuracy and mean negative log-likelihood of a set of predictions.</summary>
public sealed record Score(double Accuracy, double Nll, int Count);

/// <summary>Runs a model over a data set in eval mode without gradients.</summary>
public static class Evaluator
{
    /// <summary>Logits [N,K] for every example of <paramref name="data"/>, in order.</summary>
    public static Tensor Predict(Classifier model, Dataset data, int batchSize = 512) =>
        Run(model, data, batchSize, x => model.forward(x));

    /// <summary>Penultimate activations [N,D] for every example, in order.</summary>
    public static Tensor Features(Classifier model, Dataset data, int batchSize = 512) =>
        Run(model, data, batchSize, x => model.Features(x));

    static Tensor Run(Classifier model, Dataset data, int batchSize, Func<Tensor, Tensor> f)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            var parts = new List<Tensor>();
            for (long start = 0; start < data.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long len = Math.Min(batchSize, data.Count - start);
                parts.Add(f(Native.Engine.ToDevice(data.Images.narrow(0, start, len))).MoveToOuterDisposeScope());
            }
            // Results come back to the CPU, where the data sets and every reader of them live.
            var all = Native.Engine.OnCpu ? cat(parts, 0) : cat(parts, 0).cpu();
            foreach (var p in parts) p.Dispose();
            return all;
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Accuracy and NLL of logits [N,K] against labels [N].</summary>
    public static Score Score(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        double acc = logits.argmax(1).eq(labels).to_type(ScalarType.Float64).mean().item<double>();
        double nll = nn.functional.cross_entropy(logits.to_type(ScalarType.Float64), labels).item<double>();
        return new Score(acc, nll, (int)labels.shape[0]);
    }

    /// <summary>Predicts and scores in one call.</summary>
    public static Score Score(Classifier model, Dataset data, int batchSize = 512)
    {
        using var logits = Predict(model, data, batchSize);
        return Score(logits, data.Labels);
    }
}
