using System.Globalization;
using System.IO.Compression;
using LsLab.Data;

namespace LsLab.Calibration;

/// <summary>
/// Reads prediction matrices and labels as numpy and PyTorch users write them: .npy, .npz (an entry
/// chosen by key), .csv (np.savetxt, optional header). Logits or probabilities are detected (or forced),
/// and a matrix that looks like rounded probabilities is refused instead of being read as logits.
/// A 1-D (or [N, 1]) matrix is a binary problem's positive-class score: probabilities p₁ when all values
/// are in [0, 1], otherwise logits s (stored as [0, s]).
/// </summary>
public static class CalibrationInputs
{
    /// <summary>Reads a matrix [N, K] (or a binary [N] score vector, returned with K = 1).</summary>
    public static (double[] Values, int Rows, int Cols) ReadMatrix(string path, string? key = null)
    {
        var (shape, values, name) = ReadArray(path, key, "logits");
        if (shape.Length == 1) return (values, (int)shape[0], 1);
        if (shape.Length != 2) throw new LsLabException($"{name}: field 'shape' is ({string.Join(",", shape)}), expected [N, K] (or [N] for a binary score).");
        return (values, (int)shape[0], (int)shape[1]);
    }

    /// <summary>Reads integer labels [N] (int or float-integral values; bool allowed).</summary>
    public static int[] ReadLabels(string path, string? key = null)
    {
        var (shape, v, name) = ReadArray(path, key, "labels");
        if (shape.Length != 1 && !(shape.Length == 2 && shape[1] == 1))
            throw new LsLabException($"{name}: field 'shape' is ({string.Join(",", shape)}), expected [N] integer labels.");
        var y = new int[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            double x = v[i];
            if (!double.IsFinite(x) || x != Math.Floor(x) || x < 0 || x > int.MaxValue)
                throw new LsLabException($"{name}: label at index {i} is {x.ToString(CultureInfo.InvariantCulture)}, expected an integer class index (≥ 0).");
            y[i] = (int)x;
        }
        return y;
    }

    /// <summary>Predictions and labels from files; <paramref name="kind"/> Auto detects probabilities (see the class remarks).</summary>
    public static LogitsFile Load(string logitsPath, string labelsPath, InputKind kind = InputKind.Auto, string? key = null, string? labelsKey = null)
    {
        var (values, rows, cols) = ReadMatrix(logitsPath, key);
        var labels = ReadLabels(labelsPath, labelsKey);
        if (labels.Length != rows)
            throw new LsLabException($"{labelsPath}: {labels.Length} labels but {logitsPath} has {rows} rows (length mismatch).");
        var (z, k, probs) = ToLogits(values, rows, cols, kind, logitsPath);
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= k) throw new LsLabException($"{labelsPath}: label {labels[i]} at index {i} is out of range 0..{k - 1}.");
        return new LogitsFile(z, labels, k, probs);
    }

    /// <summary>A matrix without labels (for `calibrate apply`), as logits.</summary>
    public static (double[] Logits, int Rows, int K, bool WereProbabilities) LoadUnlabelled(string path, InputKind kind = InputKind.Auto, string? key = null)
    {
        var (values, rows, cols) = ReadMatrix(path, key);
        var (z, k, probs) = ToLogits(values, rows, cols, kind, path);
        return (z, rows, k, probs);
    }

    /// <summary>
    /// Interprets a matrix: logits as they are; probabilities as log p (softmax(log p) = p). Auto: rows that are
    /// non-negative and sum to 1 (±1e-3) are probabilities; rows summing to 1 within 0.05 but not 1e-3 are refused
    /// (rounded probabilities are not logits: say which with --input).
    /// </summary>
    public static (double[] Logits, int K, bool WereProbabilities) ToLogits(double[] values, int rows, int cols, InputKind kind, string path)
    {
        if (rows == 0) throw new LsLabException($"{path}: no rows.");
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i])) throw new LsLabException($"{path}: row {i / cols}, column {i % cols} is {values[i]} (NaN or infinite).");
        if (cols == 1)
        {
            bool unit = values.All(v => v >= 0 && v <= 1);
            bool asProbs = kind == InputKind.Probabilities || (kind == InputKind.Auto && unit);
            if (asProbs && !unit) throw new LsLabException($"{path}: --input probs but some positive-class scores are outside [0, 1].");
            var z = new double[rows * 2];
            for (int r = 0; r < rows; r++)
            {
                double v = values[r];
                if (asProbs) { z[2 * r] = Math.Log(Math.Max(1 - v, 1e-300)); z[2 * r + 1] = Math.Log(Math.Max(v, 1e-300)); }
                else { z[2 * r] = 0; z[2 * r + 1] = v; }
            }
            return (z, 2, asProbs);
        }
        if (cols < 2) throw new LsLabException($"{path}: need at least 2 columns (classes), got {cols}.");
        bool probs;
        if (kind == InputKind.Logits) probs = false;
        else if (kind == InputKind.Probabilities) probs = true;
        else
        {
            double worst = 0; int worstRow = -1; bool nonNeg = true;
            for (int r = 0; r < rows && nonNeg; r++)
            {
                double s = 0;
                for (int c = 0; c < cols; c++) { double v = values[r * cols + c]; if (v < 0) { nonNeg = false; break; } s += v; }
                if (nonNeg && Math.Abs(s - 1) > worst) { worst = Math.Abs(s - 1); worstRow = r; }
            }
            if (nonNeg && worst > 1e-3 && worst <= 0.05)
                throw new LsLabException($"{path}: every row is non-negative and sums to 1 within 0.05 but not within 1e-3 (row {worstRow} is off by {worst:G3}): these look like rounded probabilities, not logits. Pass --input probs (rows are renormalised) or --input logits.");
            probs = nonNeg && worst <= 1e-3;
        }
        var o = (double[])values.Clone();
        if (probs)
        {
            for (int r = 0; r < rows; r++)
            {
                var row = o.AsSpan(r * cols, cols);
                double sum = 0;
                for (int c = 0; c < cols; c++)
                {
                    if (row[c] < 0) throw new LsLabException($"{path}: row {r}, column {c} is {row[c]}: probabilities must be non-negative (use --input logits for logits).");
                    sum += row[c];
                }
                if (Math.Abs(sum - 1) > 0.05) throw new LsLabException($"{path}: row {r} sums to {sum:G6}: probabilities must sum to 1 (±0.05) (use --input logits for logits).");
                for (int c = 0; c < cols; c++) row[c] = Math.Log(Math.Max(row[c] / sum, 1e-12));
            }
        }
        return (o, cols, probs);
    }

    /// <summary>Shape, values and a display name ("file.npz[key]") of one array from .npy, .npz or .csv.</summary>
    static (long[] Shape, double[] Values, string Name) ReadArray(string path, string? key, string what)
    {
        if (!File.Exists(path)) throw new LsLabException($"{path}: file not found.");
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            var a = Npy.Read(path);
            return (a.Shape, a.Values, path);
        }
        if (path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase)) return ReadNpz(path, key, what);
        var rows = ReadCsv(path);
        int cols = rows[0].Length;
        for (int r = 0; r < rows.Count; r++)
            if (rows[r].Length != cols) throw new LsLabException($"{path}: line {r + 1} has {rows[r].Length} columns, expected {cols}.");
        var shape = cols == 1 ? new long[] { rows.Count } : new long[] { rows.Count, cols };
        return (shape, rows.SelectMany(x => x).ToArray(), path);
    }

    static (long[] Shape, double[] Values, string Name) ReadNpz(string path, string? key, string what)
    {
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(path); }
        catch (InvalidDataException) { throw new LsLabException($"{path}: not a .npz file (not a zip archive)."); }
        using (zip)
        {
            var names = zip.Entries.Where(e => e.Name.EndsWith(".npy", StringComparison.Ordinal)).Select(e => e.FullName[..^4]).ToList();
            if (names.Count == 0) throw new LsLabException($"{path}: the .npz archive holds no arrays.");
            string pick;
            if (key is not null)
                pick = names.Contains(key) ? key : throw new LsLabException($"{path}: no array '{key}' in the archive (it has {string.Join(", ", names)}).");
            else if (names.Count == 1) pick = names[0];
            else
            {
                var preferred = what == "labels" ? new[] { "labels", "y", "targets", "label" } : new[] { "logits", "probs", "probabilities", "scores" };
                pick = preferred.FirstOrDefault(names.Contains)
                       ?? throw new LsLabException($"{path}: the archive has several arrays ({string.Join(", ", names)}); choose one with {(what == "labels" ? "--labels-key" : "--key")}.");
            }
            var entry = zip.GetEntry(pick + ".npy")!;
            var tmp = Path.Combine(Path.GetTempPath(), $"lslab-npz-{Environment.ProcessId}-{Guid.NewGuid():N}.npy");
            try
            {
                entry.ExtractToFile(tmp);
                var a = Npy.Read(tmp);
                return (a.Shape, a.Values, $"{path}[{pick}]");
            }
            catch (LsLabException e) { throw new LsLabException(e.Message.Replace(tmp, $"{path}[{pick}]")); }
            finally { if (File.Exists(tmp)) File.Delete(tmp); }
        }
    }

    static List<double[]> ReadCsv(string path)
    {
        var rows = new List<double[]>();
        int lineNo = 0;
        bool first = true;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('#')) continue;
            var cells = line.Split(',');
            var row = new double[cells.Length];
            bool header = false;
            for (int c = 0; c < cells.Length; c++)
                if (!double.TryParse(cells[c].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out row[c]))
                {
                    if (first) { header = true; break; } // one header line (np.savetxt header=...) is skipped
                    throw new LsLabException($"{path}: line {lineNo}, column {c + 1}: '{cells[c]}' is not a number.");
                }
            first = false;
            if (!header) rows.Add(row);
        }
        if (rows.Count == 0) throw new LsLabException($"{path}: no data rows.");
        return rows;
    }
}
