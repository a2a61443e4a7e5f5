using LsLab.Calibration;

namespace LsLab.Statistics;

/// <summary>
/// Per-example values of the mean-type metrics (their means are <see cref="Metrics"/>' accuracy, NLL
/// and Brier), ready for <see cref="Bootstrap.Paired(double[], double[], int, int)"/>, and a wrapper
/// that turns any whole-set metric (ECE) into a metric of resample indices.
/// </summary>
public static class PerExample
{
    /// <summary>1 where the arg-max class is the label, else 0 (the first maximum wins ties, as in <see cref="Metrics.Accuracy"/>).</summary>
    public static double[] Correct(Predictions p)
    {
        var v = new double[p.N];
        for (int i = 0; i < p.N; i++)
        {
            v[i] = Metrics.ArgMax(p.Row(i)) == p.Labels[i] ? 1 : 0;
        }
        return v;
    }

    /// <summary>−log p(label), floored at 1e-300 like <see cref="Metrics.Nll"/>.</summary>
    public static double[] Nll(Predictions p)
    {
        var v = new double[p.N];
        for (int i = 0; i < p.N; i++) v[i] = -Math.Log(Math.Max(p.Probs[i * p.K + p.Labels[i]], 1e-300));
        return v;
    }

    /// <summary>Σ_k (p_k − y_k)² per example (the multiclass Brier score before averaging).</summary>
    public static double[] Brier(Predictions p)
    {
        var v = new double[p.N];
        for (int i = 0; i < p.N; i++)
        {
            var row = p.Row(i);
            double s = 0;
            for (int j = 0; j < row.Length; j++) { double d = row[j] - (j == p.Labels[i] ? 1 : 0); s += d * d; }
            v[i] = s;
        }
        return v;
    }

    /// <summary>A whole-set metric (e.g. <c>x =&gt; Metrics.Ece(x)</c>) as a function of resample indices.</summary>
    public static Func<int[], double> Metric(Predictions p, Func<Predictions, double> metric) => idx => metric(p.Take(idx));
}
