using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LsLab.Runs;

namespace LsLab.Calibration;

/// <summary>Settings shared by calibrator fits chosen by name.</summary>
/// <param name="Bins">Bins of histogram binning.</param>
/// <param name="ScalingBins">Bins of scaling-binning.</param>
/// <param name="CvFolds">Folds of the cross-validation that picks regularisation strengths on the fit split.</param>
/// <param name="Lambda">Fixed regularisation strength (skips the cross-validation).</param>
/// <param name="MaxIterations">L-BFGS iteration cap.</param>
/// <param name="Seed">Seed of the folds and of scaling-binning's split.</param>
/// <param name="Tolerance">Stopping test ‖g‖∞ ≤ this for the affine (vector, matrix, Dirichlet) fits.</param>
public sealed record CalibratorOptions(int Bins = 15, int ScalingBins = 10, int CvFolds = 3, double? Lambda = null, int MaxIterations = 500, int Seed = 0,
    double Tolerance = LinearFitOptions.DefaultTolerance);

/// <summary>Every calibrator by name: list, parse a --method list, fit.</summary>
public static class CalibratorFactory
{
    /// <summary>Calibrators for any K (in leaderboard order).</summary>
    public static readonly string[] Multiclass =
        { "temperature", "vector", "matrix", "dirichlet", "dirichlet-l2", "dirichlet-diag", "ets", "histogram", "histogram-classwise", "isotonic", "scaling-binning" };

    /// <summary>Calibrators only for K = 2.</summary>
    public static readonly string[] BinaryOnly = { "platt", "beta" };

    /// <summary>What each method is, with its paper.</summary>
    public static readonly IReadOnlyDictionary<string, string> Papers = new Dictionary<string, string>
    {
        ["temperature"] = "temperature scaling, one T > 0 (Guo et al. 2017)",
        ["vector"] = "vector scaling: per-class scale and bias on logits (Guo et al. 2017)",
        ["matrix"] = "matrix scaling on logits with ODIR (Guo et al. 2017; Kull et al. 2019)",
        ["dirichlet"] = "Dirichlet calibration, full matrix on log-probabilities, ODIR (Kull et al. 2019)",
        ["dirichlet-l2"] = "Dirichlet calibration, full, L2 towards temperature scaling (Kull et al. 2019)",
        ["dirichlet-diag"] = "Dirichlet calibration, diagonal (Kull et al. 2019)",
        ["ets"] = "ensemble temperature scaling (Zhang, Kailkhura & Han 2020)",
        ["histogram"] = "histogram binning, top-label (Zadrozny & Elkan 2001; Gupta & Ramdas 2021)",
        ["histogram-classwise"] = "histogram binning, class-wise one-vs-rest (Zadrozny & Elkan 2001)",
        ["isotonic"] = "isotonic regression one-vs-rest, renormalised (Zadrozny & Elkan 2002)",
        ["scaling-binning"] = "scaling-binning, top-label (Kumar, Liang & Ma 2019)",
        ["platt"] = "Platt scaling, binary (Platt 1999)",
        ["beta"] = "beta calibration, binary (Kull, Silva Filho & Flach 2017)",
    };

    /// <summary>Every method applicable to K classes.</summary>
    public static string[] All(int k) => k == 2 ? Multiclass.Concat(BinaryOnly).ToArray() : Multiclass;

    /// <summary>Parses "all" or a comma list; errors name the option and list the valid names.</summary>
    public static string[] Parse(string spec, int k, string option = "--method")
    {
        var names = spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0) throw new LsLabException($"{option}: empty; expected 'all' or a comma list of {string.Join(", ", All(2))}.");
        var list = new List<string>();
        foreach (var n in names)
        {
            var m = n.ToLowerInvariant();
            if (m == "all") { list.AddRange(All(k)); continue; }
            if (m == "ts") m = "temperature";
            if (!Papers.ContainsKey(m)) throw new LsLabException($"{option}: unknown calibrator '{n}'; expected 'all' or some of {string.Join(", ", All(2))}.");
            if (BinaryOnly.Contains(m) && k != 2) throw new LsLabException($"{option}: '{m}' is for binary problems (K = 2) but the logits have K = {k}.");
            list.Add(m);
        }
        return list.Distinct().ToArray();
    }

    /// <summary>Fits the named calibrator on held-out logits and labels.</summary>
    public static ICalibrator Fit(string method, double[] logits, int k, int[] labels, CalibratorOptions? options = null)
    {
        var o = options ?? new CalibratorOptions();
        var lin = new LinearFitOptions(Lambda: o.Lambda, CvFolds: o.CvFolds, MaxIterations: o.MaxIterations, Seed: o.Seed, Tolerance: o.Tolerance);
        return method switch
        {
            "temperature" => TemperatureScaling.Fit(logits, k, labels),
            "vector" or "matrix" or "dirichlet" or "dirichlet-l2" or "dirichlet-diag" => LinearCalibrator.Fit(method, logits, k, labels, lin),
            "ets" => EnsembleTemperatureScaling.Fit(logits, k, labels, o.MaxIterations),
            "histogram" => HistogramBinning.Fit(logits, k, labels, BinningTarget.TopLabel, o.Bins),
            "histogram-classwise" => HistogramBinning.Fit(logits, k, labels, BinningTarget.ClassWise, o.Bins),
            "isotonic" => IsotonicCalibrator.Fit(logits, k, labels),
            "scaling-binning" => ScalingBinning.Fit(logits, k, labels, o.ScalingBins, o.Seed),
            "platt" or "beta" => BinaryCalibrator.Fit(method, logits, k, labels, o.MaxIterations),
            _ => throw new LsLabException($"unknown calibrator '{method}'; expected one of {string.Join(", ", All(2))}."),
        };
    }

    /// <summary>Rebuilds a calibrator from its saved state.</summary>
    public static ICalibrator FromState(CalibratorState s) => s.Type switch
    {
        "temperature" => new TemperatureScaling(s.Get("temperature", 1)[0]),
        "vector" or "matrix" or "dirichlet" or "dirichlet-l2" or "dirichlet-diag" => LinearCalibrator.FromState(s),
        "ets" => EnsembleTemperatureScaling.FromState(s),
        "histogram" or "histogram-classwise" => HistogramBinning.FromState(s),
        "isotonic" => IsotonicCalibrator.FromState(s),
        "scaling-binning" => ScalingBinning.FromState(s),
        "platt" or "beta" => BinaryCalibrator.FromState(s),
        _ => throw new LsLabException($"unknown calibrator type '{s.Type}' (expected one of {string.Join(", ", All(2))})."),
    };
}

/// <summary>
/// A fitted calibrator on disk (JSON): type, parameters, the settings it was fitted with, the SHA-256 of
/// its fit data (logits as float64 + labels as int32, little-endian) and a SHA-256 checksum of the file's
/// own content, so a corrupted or hand-edited file is refused with one line naming it.
/// </summary>
public static class CalibratorFile
{
    /// <summary>The "format" field of a saved calibrator file, checked when it is read back.</summary>
    public const string Format = "lslab-calibrator";

    /// <summary>Everything in the file except its checksum (the checksum is the SHA-256 of this object's JSON).</summary>
    public sealed record Body(string Format, int Version, string Type, string Description, Dictionary<string, double[]> Parameters,
        Dictionary<string, string> Settings, int FitRows, string FitDataSha256, FitReport? Report);

    sealed record Contents(string Format, int Version, string Type, string Description, Dictionary<string, double[]> Parameters,
        Dictionary<string, string> Settings, int FitRows, string FitDataSha256, FitReport? Report, string Checksum);

    static readonly JsonSerializerOptions Compact = new(AtomicFile.Json) { WriteIndented = false };

    /// <summary>SHA-256 (hex) of fit data: K as int32, logits as float64, labels as int32, all little-endian.</summary>
    public static string FitDataHash(ReadOnlySpan<double> logits, int k, ReadOnlySpan<int> labels)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(BitConverter.GetBytes(k));
        h.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(logits));
        h.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(labels));
        return Convert.ToHexString(h.GetHashAndReset()).ToLowerInvariant();
    }

    internal static string Checksum(Body b) => "sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(b, Compact)))).ToLowerInvariant();

    /// <summary>Writes the calibrator atomically.</summary>
    public static void Save(string path, ICalibrator c, ReadOnlySpan<double> fitLogits, int k, ReadOnlySpan<int> fitLabels, IReadOnlyDictionary<string, string>? fitSettings = null)
    {
        var st = c.State();
        var settings = new Dictionary<string, string>(st.Settings);
        if (fitSettings is not null) foreach (var (key, v) in fitSettings) settings.TryAdd(key, v);
        settings.TryAdd("k", k.ToString(CultureInfo.InvariantCulture));
        var body = new Body(Format, 1, st.Type, c.Describe(), st.Parameters, settings, fitLabels.Length, FitDataHash(fitLogits, k, fitLabels), c.Report);
        var contents = new Contents(body.Format, body.Version, body.Type, body.Description, body.Parameters, body.Settings, body.FitRows, body.FitDataSha256, body.Report, Checksum(body));
        AtomicFile.WriteJson(path, contents);
    }

    /// <summary>Reads and verifies a calibrator file; any problem is one LsLabException line naming the file.</summary>
    public static (ICalibrator Calibrator, Body Body) Load(string path)
    {
        if (!File.Exists(path)) throw new LsLabException($"{path}: file not found.");
        Contents? c;
        try { c = JsonSerializer.Deserialize<Contents>(File.ReadAllText(path), AtomicFile.Json); }
        catch (JsonException e) { throw new LsLabException($"{path}: not a readable calibrator file (malformed JSON at {e.Path ?? "?"}, line {e.LineNumber + 1})."); }
        catch (NotSupportedException e) { throw new LsLabException($"{path}: not a readable calibrator file ({e.Message})."); }
        if (c is null || c.Format != Format) throw new LsLabException($"{path}: not a calibrator file (field 'format' is '{c?.Format}', expected '{Format}').");
        if (c.Version != 1) throw new LsLabException($"{path}: calibrator file version {c.Version} is not supported (expected 1).");
        if (c.Parameters is null || c.Settings is null || c.Type is null) throw new LsLabException($"{path}: calibrator file lacks 'type', 'parameters' or 'settings'.");
        var body = new Body(c.Format, c.Version, c.Type, c.Description ?? "", c.Parameters, c.Settings, c.FitRows, c.FitDataSha256 ?? "", c.Report);
        if (c.Checksum != Checksum(body)) throw new LsLabException($"{path}: checksum mismatch: the calibrator file was modified or corrupted (expected {c.Checksum}).");
        if (!CalibratorFactory.Papers.ContainsKey(c.Type)) throw new LsLabException($"{path}: unknown calibrator type '{c.Type}' (expected one of {string.Join(", ", CalibratorFactory.All(2))}).");
        try { return (CalibratorFactory.FromState(new CalibratorState(c.Type, c.Parameters, c.Settings)), body); }
        catch (LsLabException e) { throw new LsLabException($"{path}: {e.Message}"); }
    }

    internal static int IntSetting(CalibratorState s, string name, int min) =>
        int.TryParse(s.Setting(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min ? v
        : throw new LsLabException($"calibrator '{s.Type}': setting '{name}' is missing or not an integer ≥ {min}.");
}
