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
public enum InputKind { Auto, Logits, Probabilities }

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
    /// Reads a logits (or probabilities) matrix and a label vector from .npy or .csv files.
    /// <paramref name="kind"/> Auto treats the matrix as probabilities when every row is non-negative and
    /// sums to 1 (±1e-3); force Probabilities for rounded probabilities (rows summing to 1 ± 0.05 are
    /// renormalised), or Logits when logits happen to look like probabilities.
    /// </summary>
    public static LogitsFile Load(string logitsPath, string labelsPath, InputKind kind = InputKind.Auto)
    {
        var (values, rows, cols) = ReadMatrix(logitsPath);
        var labels = ReadLabels(labelsPath);
        if (labels.Length != rows)
            throw new LsLabException($"{labelsPath}: {labels.Length} labels but {logitsPath} has {rows} rows (length mismatch).");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < 0 || labels[i] >= cols) throw new LsLabException($"{labelsPath}: label {labels[i]} at index {i} is out of range 0..{cols - 1}.");
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i])) throw new LsLabException($"{logitsPath}: row {i / cols}, column {i % cols} is {values[i]} (NaN or infinite).");
        bool probs = kind switch
        {
            InputKind.Logits => false,
            InputKind.Probabilities => true,
            _ => Predictions.LooksLikeProbabilities(values, cols),
        };
        if (probs && kind == InputKind.Probabilities)
        {
            for (int r = 0; r < rows; r++)
            {
                var row = values.AsSpan(r * cols, cols);
                double sum = 0;
                for (int c = 0; c < cols; c++)
                {
                    if (row[c] < 0) throw new LsLabException($"{logitsPath}: row {r}, column {c} is {row[c]}: probabilities must be non-negative (use --input logits for logits).");
                    sum += row[c];
                }
                if (Math.Abs(sum - 1) > 0.05) throw new LsLabException($"{logitsPath}: row {r} sums to {sum:G6}: probabilities must sum to 1 (±0.05) (use --input logits for logits).");
                for (int c = 0; c < cols; c++) row[c] /= sum;
            }
        }
        // softmax(log p) = p, so log-probabilities stand in for logits (temperature scaling included).
        if (probs) values = values.Select(v => Math.Log(Math.Max(v, 1e-12))).ToArray();
        return new LogitsFile(values, labels, cols, probs);
    }

    static (double[] Values, int Rows, int Cols) ReadMatrix(string path)
    {
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            var a = Npy.Read(path);
            if (a.Shape.Length != 2) throw new LsLabException($"{path}: field 'shape' is ({string.Join(",", a.Shape)}), expected 2 dimensions [N, K].");
            return (a.Values, (int)a.Shape[0], (int)a.Shape[1]);
        }
        var rows = ReadCsv(path);
        int cols = rows.Count > 0 ? rows[0].Length : 0;
        for (int r = 0; r < rows.Count; r++)
            if (rows[r].Length != cols) throw new LsLabException($"{path}: line {r + 1} has {rows[r].Length} columns, expected {cols}.");
        return (rows.SelectMany(x => x).ToArray(), rows.Count, cols);
    }

    static int[] ReadLabels(string path)
    {
        double[] v;
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            var a = Npy.Read(path);
            if (a.Shape.Length != 1 && !(a.Shape.Length == 2 && a.Shape[1] == 1))
                throw new LsLabException($"{path}: field 'shape' is ({string.Join(",", a.Shape)}), expected [N] integer labels.");
            v = a.Values;
        }
        else v = ReadCsv(path).Select(r => r.Length == 1 ? r[0] : throw new LsLabException($"{path}: expected one label per line.")).ToArray();
        return v.Select((x, i) => x == Math.Floor(x) ? (int)x : throw new LsLabException($"{path}: label at index {i} is {x}, expected an integer class index.")).ToArray();
    }

    static List<double[]> ReadCsv(string path)
    {
        if (!File.Exists(path)) throw new LsLabException($"{path}: file not found.");
        var rows = new List<double[]>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var cells = line.Split(',');
            var row = new double[cells.Length];
            for (int c = 0; c < cells.Length; c++)
                if (!double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out row[c]))
                {
                    if (rows.Count == 0 && lineNo == 1) { row = null!; break; } // header line
                    throw new LsLabException($"{path}: line {lineNo}, column {c + 1}: '{cells[c]}' is not a number.");
                }
            if (row is not null) rows.Add(row);
        }
        if (rows.Count == 0) throw new LsLabException($"{path}: no data rows.");
        return rows;
    }
}
