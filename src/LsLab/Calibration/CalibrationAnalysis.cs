using System.Globalization;
using LsLab.Data;

namespace LsLab.Calibration;

/// <summary>The numbers of one set of predictions, each calibration metric with its settings.</summary>
public sealed record CalibrationSummary(string Label, int Count, double Accuracy, double Nll, double Brier, double Ece, double EceLower, double EceUpper,
    double Mce, double AdaptiveEce, double ClasswiseEce, double? Temperature, List<ReliabilityBin> Bins)
{
    /// <summary>The estimator behind <see cref="Ece"/>, stated with every report.</summary>
    public const string EceName = "ECE[15 bins, equal-width, top-label, L1]";
}

/// <summary>How to read a prediction matrix: detect, or force logits or probabilities.</summary>
public enum InputKind
{
    /// <summary>Probabilities when every row is non-negative and sums to 1, otherwise logits.</summary>
    Auto,
    /// <summary>The matrix is logits, whatever it looks like.</summary>
    Logits,
    /// <summary>The matrix is probabilities (rows renormalised; log p is used as logits).</summary>
    Probabilities,
}

/// <summary>Logits (or log-probabilities) [N,K] and labels read from files, ready for calibration.</summary>
public sealed record LogitsFile(double[] Logits, int[] Labels, int K, bool WereProbabilities);

/// <summary>
/// Before/after temperature scaling on any model's saved outputs: the core of `lslab calibrate`
/// and of the calibration experiment.
/// </summary>
public static class CalibrationAnalysis
{
    /// <summary>Summarises predictions: accuracy, NLL, Brier, ECE with a bootstrap CI, MCE, adaptive and class-wise ECE.</summary>
    public static CalibrationSummary Summarise(string label, double[] logits, int[] labels, int k, int bins = 15, int resamples = 200, int seed = 0, double? temperature = null)
    {
        var p = Predictions.FromLogits(logits, k, labels);
        var (lo, hi) = resamples >= 2 ? Metrics.Bootstrap(p, x => Metrics.Ece(x, bins), resamples, seed: seed) : (double.NaN, double.NaN);
        return new CalibrationSummary(label, p.N, Metrics.Accuracy(p), Metrics.Nll(p), Metrics.Brier(p), Metrics.Ece(p, bins), lo, hi,
            Metrics.CalibrationError(p, new CalibrationSettings(bins, Norm: GapNorm.Max)).Value,
            Metrics.CalibrationError(p, new CalibrationSettings(bins, Binning.EqualMass)).Value,
            Metrics.CalibrationError(p, new CalibrationSettings(bins, ClassWise: true)).Value,
            temperature, Metrics.Reliability(p, bins));
    }

    /// <summary>Fits T on the fit set (or on the evaluation set itself when none is given) and summarises before and after.</summary>
    public static (CalibrationSummary Before, CalibrationSummary After, TemperatureScaling Scaling) BeforeAfter(
        LogitsFile eval, LogitsFile? fit, int bins = 15, int resamples = 200, int seed = 0)
    {
        var f = fit ?? eval;
        if (f.K != eval.K) throw new LsLabException($"fit logits have {f.K} classes but evaluation logits have {eval.K}.");
        var ts = TemperatureScaling.Fit(f.Logits, f.K, f.Labels);
        var before = Summarise("uncalibrated", eval.Logits, eval.Labels, eval.K, bins, resamples, seed, 1.0);
        var after = Summarise("temperature-scaled", ts.Transform(eval.Logits, eval.K), eval.Labels, eval.K, bins, resamples, seed, ts.Temperature);
        return (before, after, ts);
    }

    /// <summary>
    /// Reads a logits (or probabilities) matrix and a label vector from .npy, .npz or .csv files
    /// (<see cref="CalibrationInputs.Load"/>). <paramref name="kind"/> Auto treats the matrix as probabilities
    /// when every row is non-negative and sums to 1 (±1e-3) and refuses rows that sum to 1 within 0.05 but not
    /// 1e-3 (rounded probabilities); force Probabilities for those (rows are renormalised), or Logits when
    /// logits happen to look like probabilities.
    /// </summary>
    public static LogitsFile Load(string logitsPath, string labelsPath, InputKind kind = InputKind.Auto) =>
        CalibrationInputs.Load(logitsPath, labelsPath, kind);
}
