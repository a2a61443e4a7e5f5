using static TorchSharp.torch;

namespace LsLab.Calibration;

/// <summary>
/// N predictions over K classes: probabilities [N,K] row-major (double) and integer labels.
/// Build from logits (softmax, optionally at a temperature) or from probabilities (checked).
/// </summary>
public sealed class Predictions
{
    Predictions(double[] probs, int[] labels, int k) { Probs = probs; Labels = labels; K = k; }

    /// <summary>Probabilities [N,K], row-major.</summary>
    public double[] Probs { get; }
    /// <summary>The true class of each row.</summary>
    public int[] Labels { get; }
    /// <summary>Number of classes K.</summary>
    public int K { get; }
    /// <summary>Number of predictions N.</summary>
    public int N => Labels.Length;

    /// <summary>The K probabilities of prediction <paramref name="i"/>, without copying.</summary>
    public ReadOnlySpan<double> Row(int i) => Probs.AsSpan(i * K, K);

    /// <summary>Softmax of logits/T (numerically stable), with input checks naming the field.</summary>
    public static Predictions FromLogits(ReadOnlySpan<double> logits, int k, ReadOnlySpan<int> labels, double temperature = 1.0)
    {
        Check(logits, k, labels, "logits");
        if (!(temperature > 0) || double.IsInfinity(temperature)) throw new LsLabException($"temperature must be > 0, got {temperature}.");
        int n = labels.Length;
        var p = new double[n * k];
        for (int i = 0; i < n; i++)
        {
            var z = logits.Slice(i * k, k);
            double max = double.NegativeInfinity;
            foreach (var v in z) max = Math.Max(max, v);
            double sum = 0;
            for (int j = 0; j < k; j++) { double e = Math.Exp((z[j] - max) / temperature); p[i * k + j] = e; sum += e; }
            for (int j = 0; j < k; j++) p[i * k + j] /= sum;
        }
        return new Predictions(p, labels.ToArray(), k);
    }

    /// <summary>From tensors: logits [N,K] (any float dtype or device) and integer labels [N].</summary>
    public static Predictions FromLogits(Tensor logits, Tensor labels, double temperature = 1.0)
    {
        var (z, y, k) = Arrays(logits, labels, "logits");
        return FromLogits(z, k, y, temperature);
    }

    /// <summary>From tensors: probabilities [N,K] and integer labels [N].</summary>
    public static Predictions FromProbabilities(Tensor probabilities, Tensor labels)
    {
        var (p, y, k) = Arrays(probabilities, labels, "probabilities");
        return FromProbabilities(p, k, y);
    }

    internal static (double[] Values, int[] Labels, int K) Arrays(Tensor values, Tensor labels, string field)
    {
        if (values.dim() != 2) throw new LsLabException($"{field}: shape [{string.Join(",", values.shape)}], expected [N, K].");
        if (labels.dim() != 1 || labels.shape[0] != values.shape[0])
            throw new LsLabException($"labels: shape [{string.Join(",", labels.shape)}], expected [{values.shape[0]}] to match the {field} (length mismatch).");
        using var scope = NewDisposeScope();
        var v = values.to(ScalarType.Float64).ToCpuArray<double>();
        var y = labels.to(ScalarType.Int64).ToCpuArray<long>();
        return (v, y.Select(l => l is >= int.MinValue and <= int.MaxValue ? (int)l : -1).ToArray(), (int)values.shape[1]);
    }

    /// <summary>Probabilities as given; each row must be non-negative and sum to 1 (±1e-3).</summary>
    public static Predictions FromProbabilities(ReadOnlySpan<double> probs, int k, ReadOnlySpan<int> labels)
    {
        Check(probs, k, labels, "probabilities");
        for (int i = 0; i < labels.Length; i++)
        {
            double s = 0;
            for (int j = 0; j < k; j++)
            {
                double v = probs[i * k + j];
                if (v < 0) throw new LsLabException($"probabilities: row {i}, class {j} is negative ({v}).");
                s += v;
            }
            if (Math.Abs(s - 1) > 1e-3) throw new LsLabException($"probabilities: row {i} sums to {s:G6}, expected 1 (pass logits instead, or normalise).");
        }
        return new Predictions(probs.ToArray(), labels.ToArray(), k);
    }

    /// <summary>True when every row is non-negative and sums to 1 (±1e-3): the input looks like probabilities.</summary>
    public static bool LooksLikeProbabilities(ReadOnlySpan<double> values, int k)
    {
        if (k < 1 || values.Length % k != 0) return false;
        for (int i = 0; i < values.Length / k; i++)
        {
            double s = 0;
            for (int j = 0; j < k; j++) { if (values[i * k + j] < 0) return false; s += values[i * k + j]; }
            if (Math.Abs(s - 1) > 1e-3) return false;
        }
        return true;
    }

    static void Check(ReadOnlySpan<double> values, int k, ReadOnlySpan<int> labels, string field)
    {
        if (k < 2) throw new LsLabException($"{field}: need at least 2 classes, got {k}.");
        if (labels.Length == 0) throw new LsLabException($"labels: empty; need at least one example.");
        if (values.Length != labels.Length * k)
            throw new LsLabException($"{field}: {values.Length} values do not match {labels.Length} labels × {k} classes (length mismatch).");
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i])) throw new LsLabException($"{field}: row {i / k}, class {i % k} is {values[i]} (NaN or infinite).");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 0 || labels[i] >= k) throw new LsLabException($"labels: label {labels[i]} at index {i} is out of range 0..{k - 1}.");
    }

    /// <summary>A new set made of the rows at <paramref name="index"/> (bootstrap resamples).</summary>
    public Predictions Take(int[] index)
    {
        var p = new double[index.Length * K];
        var y = new int[index.Length];
        for (int i = 0; i < index.Length; i++)
        {
            Array.Copy(Probs, index[i] * K, p, i * K, K);
            y[i] = Labels[index[i]];
        }
        return new Predictions(p, y, K);
    }
}
