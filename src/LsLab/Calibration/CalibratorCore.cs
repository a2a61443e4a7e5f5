using System.Numerics.Tensors;

namespace LsLab.Calibration;

/// <summary>
/// What a calibrator's fit did, so a fit that silently returned its input (netcal #61/#48, the
/// gpleiss LBFGS recipe) cannot pass as a success: converged or not, iterations, NLL on the fit data
/// before (uncalibrated) and after, and a no-op flag.
/// </summary>
/// <param name="Method">Calibrator name.</param>
/// <param name="Converged">A stopping test ended the fit (not an iteration cap or a failed line search).</param>
/// <param name="Iterations">Optimiser iterations (or objective evaluations for the 1-D search; 1 for closed-form fits).</param>
/// <param name="InitialNll">NLL of the uncalibrated predictions on the fit data.</param>
/// <param name="FinalNll">NLL of the calibrated predictions on the fit data.</param>
/// <param name="NoOp">The fit left the predictions unchanged, or did not lower the NLL although it could have.</param>
/// <param name="Message">The stopping reason or what went wrong.</param>
public sealed record FitReport(string Method, bool Converged, int Iterations, double InitialNll, double FinalNll, bool NoOp, string Message)
{
    /// <summary>Converged and not a no-op.</summary>
    public bool Success => Converged && !NoOp;

    /// <summary>Chosen hyper-parameters and diagnostics (e.g. the cross-validated λ and its held-out NLL).</summary>
    public Dictionary<string, double> Details { get; init; } = new();

    /// <summary>One-line status for tables: "ok", "no-op" or "not converged".</summary>
    public string Status => NoOp ? "no-op" : Converged ? "ok" : "not converged";

    /// <summary>
    /// Report of a parametric (likelihood) fit: a no-op when the parameters did not move or the NLL did
    /// not drop, while the gradient at the identity shows it could have.
    /// </summary>
    public static FitReport Parametric(string method, bool converged, int iterations, double initialNll, double finalNll, bool moved, bool couldImprove, string message)
    {
        bool noImprovement = finalNll >= initialNll - 1e-9 * Math.Max(1, Math.Abs(initialNll));
        bool noOp = couldImprove && (!moved || noImprovement);
        string why = !couldImprove ? $"{message}; the uncalibrated predictions were already NLL-optimal for this family"
            : noOp ? (!moved ? $"parameters did not move from the identity ({message})" : $"NLL not improved ({initialNll:F6} → {finalNll:F6}) although the gradient at the identity is not zero ({message})")
            : message;
        return new FitReport(method, converged, iterations, initialNll, finalNll, noOp, why);
    }

    /// <summary>Report of a non-parametric (binning) fit: a no-op when the fit data's probabilities are unchanged.</summary>
    public static FitReport NonParametric(string method, double initialNll, double finalNll, double maxProbabilityChange, string message) =>
        new(method, true, 1, initialNll, finalNll, maxProbabilityChange < 1e-12,
            maxProbabilityChange < 1e-12 ? $"the calibrated probabilities equal the input on the fit data ({message})" : message);
}

/// <summary>A calibrator's saved form: type, K, parameters (named arrays) and the settings it was fitted with.</summary>
public sealed record CalibratorState(string Type, Dictionary<string, double[]> Parameters, Dictionary<string, string> Settings)
{
    /// <summary>Parameter by name, with an error naming it when missing.</summary>
    public double[] Get(string name, int? length = null)
    {
        if (!Parameters.TryGetValue(name, out var v)) throw new LsLabException($"calibrator '{Type}': parameter '{name}' is missing.");
        if (length is int l && v.Length != l) throw new LsLabException($"calibrator '{Type}': parameter '{name}' has {v.Length} values, expected {l}.");
        foreach (var x in v) if (double.IsNaN(x)) throw new LsLabException($"calibrator '{Type}': parameter '{name}' contains NaN.");
        return v;
    }

    /// <summary>A named setting of the saved calibrator, or <paramref name="dflt"/> when the file has none.</summary>
    public string Setting(string name, string dflt = "") => Settings.TryGetValue(name, out var v) ? v : dflt;
}

/// <summary>Row-wise softmax / log-softmax and NLL helpers shared by the calibrators.</summary>
public static class CalMath
{
    /// <summary>Smallest probability whose log stands in for log 0 in calibrated logits (its softmax weight is ≈ 1e-300).</summary>
    public const double LogFloor = -690.7755278982137;

    /// <summary>log softmax of one row, written into <paramref name="o"/> (max-shifted, so large logits do not overflow; vectorised, no allocation).</summary>
    public static void LogSoftmax(ReadOnlySpan<double> z, Span<double> o)
    {
        if (z.Overlaps(o)) { LogSoftmax(z.ToArray(), o); return; } // o is the exp scratch: in place needs a copy of z
        double max = TensorPrimitives.Max(z);
        TensorPrimitives.Subtract(z, max, o);
        TensorPrimitives.Exp(o, o);
        double lse = max + Math.Log(TensorPrimitives.Sum(o));
        TensorPrimitives.Subtract(z, lse, o);
    }

    /// <summary>softmax of one row, written into <paramref name="o"/> (max-shifted, so large logits do not overflow; one exp per value, vectorised).</summary>
    public static void Softmax(ReadOnlySpan<double> z, Span<double> o)
    {
        double max = TensorPrimitives.Max(z);
        TensorPrimitives.Subtract(z, max, o);
        TensorPrimitives.Exp(o, o);
        TensorPrimitives.Divide(o, TensorPrimitives.Sum(o), o);
    }

    /// <summary>Row-wise softmax of a row-major [N,K] matrix.</summary>
    public static double[] SoftmaxRows(ReadOnlySpan<double> z, int k)
    {
        var o = new double[z.Length];
        for (int i = 0; i < z.Length / k; i++) Softmax(z.Slice(i * k, k), o.AsSpan(i * k, k));
        return o;
    }

    /// <summary>Row-wise log softmax of a row-major [N,K] matrix.</summary>
    public static double[] LogSoftmaxRows(ReadOnlySpan<double> z, int k)
    {
        var o = new double[z.Length];
        for (int i = 0; i < z.Length / k; i++) LogSoftmax(z.Slice(i * k, k), o.AsSpan(i * k, k));
        return o;
    }

    /// <summary>Log of probabilities, floored so that 0 stays finite (softmax of the result gives the probabilities back).</summary>
    public static double[] LogProbs(ReadOnlySpan<double> p)
    {
        var o = new double[p.Length];
        for (int i = 0; i < p.Length; i++) o[i] = p[i] > 0 ? Math.Max(Math.Log(p[i]), LogFloor) : LogFloor;
        return o;
    }

    /// <summary>Mean NLL of softmax(z) (the same floor as <see cref="Metrics.Nll"/>).</summary>
    public static double Nll(ReadOnlySpan<double> z, int k, ReadOnlySpan<int> y)
    {
        double s = 0;
        var row = new double[k];
        for (int i = 0; i < y.Length; i++)
        {
            LogSoftmax(z.Slice(i * k, k), row);
            s -= Math.Max(row[y[i]], LogFloor);
        }
        return s / y.Length;
    }

    /// <summary>Largest absolute difference between the softmax of two logit matrices.</summary>
    public static double MaxProbabilityChange(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int k)
    {
        var pa = SoftmaxRows(a, k);
        var pb = SoftmaxRows(b, k);
        double m = 0;
        for (int i = 0; i < pa.Length; i++) m = Math.Max(m, Math.Abs(pa[i] - pb[i]));
        return m;
    }

    /// <summary>Deterministic k-fold split: fold index of each row (a seeded shuffle, so folds are not sorted by file order).</summary>
    public static int[] Folds(int n, int folds, int seed)
    {
        var perm = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(perm);
        var f = new int[n];
        for (int i = 0; i < n; i++) f[perm[i]] = (int)((long)i * folds / n);
        return f;
    }

    /// <summary>Rows of a row-major matrix and their labels selected by a predicate on the row index.</summary>
    public static (double[] Z, int[] Y) Select(ReadOnlySpan<double> z, int k, ReadOnlySpan<int> y, Func<int, bool> keep)
    {
        int count = 0;
        for (int i = 0; i < y.Length; i++) if (keep(i)) count++;
        var zo = new double[count * k];
        var yo = new int[count];
        int r = 0;
        for (int i = 0; i < y.Length; i++)
            if (keep(i)) { z.Slice(i * k, k).CopyTo(zo.AsSpan(r * k, k)); yo[r++] = y[i]; }
        return (zo, yo);
    }
}
