using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using LsLab.Reporting;
using LsLab.Runs;

namespace LsLab.Calibration;

/// <summary>Reproduce another library's binned-estimator conventions (bins, edges, binary input, "ACE").</summary>
public enum CompatMode
{
    /// <summary>LsLab: 15 bins (lo, hi], top-label; ACE = 15 equal-mass bins.</summary>
    None,
    /// <summary>torchmetrics: 15 bins [lo, hi) with 1.0 in an extra bin (#3510); binary = positive class.</summary>
    Torchmetrics,
    /// <summary>netcal: 10 bins [lo, hi] (numpy histogram), scores clipped to [ε, 1−ε]; binary = positive class; ACE = mean gap over non-empty bins.</summary>
    Netcal,
    /// <summary>scikit-learn calibration_curve: 5 bins (lo, hi]; binary = positive class; ECE = Σ count·|prob_true − prob_pred| / n.</summary>
    Sklearn,
}

/// <summary>Settings of a leaderboard run.</summary>
/// <param name="Methods">Calibrator names (see <see cref="CalibratorFactory"/>).</param>
/// <param name="Bins">Bins of the binned estimators (null: the compat mode's default, 15 for LsLab).</param>
/// <param name="Resamples">Paired bootstrap resamples (0: no intervals).</param>
/// <param name="Level">Level of the bootstrap intervals.</param>
/// <param name="Seed">Seed of folds and resamples.</param>
/// <param name="Compat">Another library's binned conventions.</param>
/// <param name="Calibrator">Settings of the calibrator fits.</param>
/// <param name="CvFolds">Cross-fitting folds on the evaluation set when there is no separate fit set (0: fit on the fit set, or on the evaluation set itself).</param>
public sealed record LeaderboardOptions(string[] Methods, int? Bins = null, int Resamples = 200, double Level = 0.95, int Seed = 0,
    CompatMode Compat = CompatMode.None, int CvFolds = 0, CalibratorOptions? Calibrator = null);

/// <summary>One column: its key in JSON/CSV, the estimator with its settings, and which way is better.</summary>
public sealed record LeaderboardColumn(string Key, string Name, bool HigherIsBetter, bool Bootstrapped);

/// <summary>Percentile interval of (method − uncalibrated) over paired bootstrap resamples.</summary>
public sealed record DeltaInterval(double Lower, double Upper)
{
    /// <summary>The interval excludes 0.</summary>
    public bool Significant => Lower > 0 || Upper < 0;
}

/// <summary>One calibrator's row: metric values, paired-bootstrap Δ intervals against the uncalibrated model, and its fit report.</summary>
public sealed record LeaderboardRow(string Method, string Description, string Status, double FitSeconds, double EvalSeconds, FitReport? Fit,
    Dictionary<string, double> Values, Dictionary<string, DeltaInterval> Delta)
{
    /// <summary>Reliability bins (top-label, equal-width, the table's bin count) for diagrams.</summary>
    [JsonIgnore] public List<ReliabilityBin> Bins { get; init; } = new();
    /// <summary>Per-example top-label confidences (for consistency bands).</summary>
    [JsonIgnore] public double[] Confidences { get; init; } = Array.Empty<double>();
    /// <summary>Per-example correctness (1 when the argmax is the label), for bootstrap bands.</summary>
    [JsonIgnore] public double[] Correct { get; init; } = Array.Empty<double>();
    /// <summary>The smooth-ECE curve for diagrams.</summary>
    [JsonIgnore] public SmoothEceResult? Smooth { get; init; }
}

/// <summary>The leaderboard: every calibrator evaluated on the same predictions, best per column marked.</summary>
public sealed record LeaderboardResult(int N, int K, string FitSource, int FitRows, string Compat, int Resamples, double Level,
    List<LeaderboardColumn> Columns, List<LeaderboardRow> Rows, Dictionary<string, string> Best, double Seconds)
{
    /// <summary>A fixed-width text table (values, Δ intervals for bootstrapped columns, "*" on the best value of each column).</summary>
    public string ToText()
    {
        var header = new List<string> { "method", "fit" };
        header.AddRange(Columns.Select(c => c.Key));
        var lines = new List<string[]> { header.ToArray() };
        foreach (var r in Rows)
        {
            var cells = new List<string> { r.Method, r.Status };
            foreach (var c in Columns)
            {
                double v = r.Values.TryGetValue(c.Key, out var x) ? x : double.NaN;
                string s = double.IsNaN(v) ? "–" : c.Key == "accuracy" ? v.ToString("P2", CultureInfo.InvariantCulture) : v.ToString("F4", CultureInfo.InvariantCulture);
                if (Best.TryGetValue(c.Key, out var b) && b == r.Method) s += "*";
                if (r.Delta.TryGetValue(c.Key, out var d) && r.Method != "uncalibrated")
                    s += c.Key == "accuracy" ? $" [{Signed.Of(d.Lower * 100, 2)},{Signed.Of(d.Upper * 100, 2)}]" : $" [{Signed.Of(d.Lower, 4)},{Signed.Of(d.Upper, 4)}]";
                cells.Add(s);
            }
            lines.Add(cells.ToArray());
        }
        var width = Enumerable.Range(0, header.Count).Select(j => lines.Max(l => l[j].Length)).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine($"{N} predictions, {K} classes; calibrators fitted on {FitSource} ({FitRows} rows){(Compat == "None" ? "" : $"; --compat {Compat.ToLowerInvariant()}")}");
        foreach (var (l, i) in lines.Select((l, i) => (l, i)))
        {
            sb.AppendLine(string.Join("  ", l.Select((c, j) => j < 2 ? c.PadRight(width[j]) : c.PadLeft(width[j]))).TrimEnd());
            if (i == 0) sb.AppendLine(string.Join("  ", width.Select(w => new string('-', w))));
        }
        sb.AppendLine($"* best in the column. [a,b]: {Level:P0} paired bootstrap interval ({Resamples} resamples) of (method − uncalibrated){(Columns.Any(c => c.Key == "accuracy") ? ", accuracy in percentage points" : "")}.");
        foreach (var c in Columns) sb.AppendLine($"  {c.Key} = {c.Name}{(c.HigherIsBetter ? " (higher is better)" : "")}");
        foreach (var r in Rows.Where(r => r.Fit is { Success: false } || r.Status.StartsWith("failed")))
            sb.AppendLine($"  {r.Method}: {r.Status}: {r.Fit?.Message ?? r.Description}");
        foreach (var r in AccuracyLosers())
            sb.AppendLine($"  warning: {r.Method} lowers accuracy by {-r.Delta["accuracy"].Upper * 100:F2} to {-r.Delta["accuracy"].Lower * 100:F2} points (it changes the argmax; {(r.Method.Contains("classwise") || r.Method == "isotonic" ? "per-class maps renormalised over few fit rows per class" : "see its fit report")}): prefer a calibrator that keeps the ranking.");
        return sb.ToString();
    }

    /// <summary>Calibrators whose paired interval of Δaccuracy lies entirely below −1 point: calibration should not cost ranking.</summary>
    public IEnumerable<LeaderboardRow> AccuracyLosers() =>
        Rows.Where(r => r.Method != "uncalibrated" && r.Delta.TryGetValue("accuracy", out var d) && d.Upper < -0.01);

    /// <summary>CSV: one row per method, one column per metric and per interval bound.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder();
        var cols = new List<string> { "method", "status", "fit_nll", "fit_seconds" };
        foreach (var c in Columns) { cols.Add(c.Key); if (c.Bootstrapped) { cols.Add(c.Key + "_delta_lower"); cols.Add(c.Key + "_delta_upper"); } }
        cols.Add("best");
        sb.AppendLine(string.Join(",", cols));
        foreach (var r in Rows)
        {
            var cells = new List<string> { r.Method, r.Status, F(r.Fit?.FinalNll ?? double.NaN), F(r.FitSeconds) };
            foreach (var c in Columns)
            {
                cells.Add(F(r.Values.TryGetValue(c.Key, out var v) ? v : double.NaN));
                if (c.Bootstrapped)
                {
                    var d = r.Delta.TryGetValue(c.Key, out var dd) ? dd : null;
                    cells.Add(F(d?.Lower ?? double.NaN)); cells.Add(F(d?.Upper ?? double.NaN));
                }
            }
            cells.Add(string.Join(";", Best.Where(b => b.Value == r.Method).Select(b => b.Key)));
            sb.AppendLine(string.Join(",", cells));
        }
        return sb.ToString();
        static string F(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Writes leaderboard.json and leaderboard.csv atomically into a folder.</summary>
    public (string Json, string Csv) Write(string dir)
    {
        Directory.CreateDirectory(dir);
        string json = Path.Combine(dir, "leaderboard.json"), csv = Path.Combine(dir, "leaderboard.csv");
        AtomicFile.WriteJson(json, this);
        AtomicFile.WriteAllText(csv, ToCsv());
        return (json, csv);
    }
}

/// <summary>
/// `lslab calibrate --method …`: fits each calibrator on the fit split (a separate fit set, cross-fitting
/// folds of the evaluation set, or — optimistic — the evaluation set itself), evaluates all of them on the
/// same evaluation rows in chunks (memory O(N) scalars per method), and gives paired bootstrap intervals
/// of each metric's difference to the uncalibrated model (the same resampled rows for every method).
/// </summary>
public static class CalibrationLeaderboard
{
    /// <summary>Values per evaluation chunk (rows = this / K): chunk buffers stay on the small-object heap, so memory does not grow with garbage.</summary>
    const int ChunkValues = 8192;

    /// <summary>Per-example statistics of one method on the evaluation rows, and its class-wise bin sums.</summary>
    sealed class Eval
    {
        public Eval(int n, int k, int bins)
        {
            Conf = new double[n]; Ok = new double[n]; Nll = new double[n]; Brier = new double[n]; P1 = k == 2 ? new double[n] : Array.Empty<double>();
            SumF = new double[k * bins]; SumY = new double[k * bins];
        }
        public readonly double[] Conf, Ok, Nll, Brier, P1;
        public readonly double[] SumF, SumY; // class-wise bin sums of p and of [label = class] (an empty bin adds |0 − 0| = 0)
    }

    /// <summary>The columns for a compat mode, with the estimator settings spelled out.</summary>
    public static List<LeaderboardColumn> Columns(CompatMode compat, int bins, int k)
    {
        string binary = k == 2 && compat != CompatMode.None ? "positive class" : "top-label";
        string edges = compat switch { CompatMode.Torchmetrics => "[lo,hi), 1.0 in an extra bin", CompatMode.Netcal => "[lo,hi), last closed, clipped to [ε,1−ε]", _ => "(lo,hi]" };
        string lib = compat == CompatMode.None ? "" : $" as {compat.ToString().ToLowerInvariant()}";
        var cols = new List<LeaderboardColumn>
        {
            new("accuracy", "accuracy (argmax = label)", true, true),
            new("nll", "NLL (natural log, mean)", false, true),
            new("brier", "Brier (sum over classes, mean over examples)", false, true),
            new("ece", $"ECE[{bins} bins, equal-width {edges}, {binary}, L1]{lib}", false, true),
            new("ace", compat == CompatMode.Netcal ? $"ACE[{bins} bins, equal-width {edges}, {binary}, mean gap over non-empty bins] as netcal"
                : $"ECE[{bins} bins, equal-mass, top-label, L1]", false, false),
            new("cwece", $"CWCE[{bins} bins, equal-width (lo,hi], class-wise, L1]", false, false),
            new("mce", $"MCE[{bins} bins, equal-width {edges}, {binary}, max]{lib}", false, false),
            new("rmsce", $"RMSCE[{bins} bins, equal-width {edges}, {binary}, L2]{lib}", false, false),
            new("dece", $"debiased L2 CE[{bins} bins, equal-mass, top-label] (Kumar et al. 2019)", false, false),
            new("ks", "KS calibration error[top-label] (Gupta et al. 2021)", false, false),
            new("smece", "smooth ECE[top-label, automatic bandwidth] (Błasiok & Nakkiran 2023)", false, false),
            new("aurc", "AURC[top-label confidence] (area under the selective risk–coverage curve)", false, false),
            new("risk90", "selective risk at 90% coverage (error rate of the 90% most confident)", false, false),
        };
        return cols;
    }

    /// <summary>Default bin count of each compat mode.</summary>
    public static int DefaultBins(CompatMode c) => c switch { CompatMode.Netcal => 10, CompatMode.Sklearn => 5, _ => 15 };

    /// <summary>The bin convention of each compat mode.</summary>
    public static BinConvention Convention(CompatMode c) => c switch
    {
        CompatMode.Torchmetrics => BinConvention.UpperOpenPhantomBin,
        CompatMode.Netcal => BinConvention.UpperOpen,
        _ => BinConvention.LowerOpen,
    };

    /// <summary>Fits and evaluates every method; <paramref name="fit"/> null means cross-fitting (CvFolds ≥ 2) or the evaluation set itself.</summary>
    public static LeaderboardResult Run(LogitsFile eval, LogitsFile? fit, LeaderboardOptions o, Action<string>? progress = null)
    {
        var total = Stopwatch.StartNew();
        int n = eval.Labels.Length, k = eval.K;
        if (fit is not null && fit.K != k) throw new LsLabException($"fit logits have {fit.K} classes but evaluation logits have {k}.");
        int bins = o.Bins ?? DefaultBins(o.Compat);
        if (bins < 1 || bins > 250) throw new LsLabException($"--bins must be in 1..250, got {bins}.");
        var copt = o.Calibrator ?? new CalibratorOptions(Seed: o.Seed);
        int folds = fit is null && o.CvFolds >= 2 ? o.CvFolds : 0;
        if (folds > n) throw new LsLabException($"--cv {folds}: more folds than the {n} evaluation rows.");
        var foldOf = folds > 0 ? CalMath.Folds(n, folds, o.Seed) : null;
        string source = fit is not null ? "the fit set" : folds > 0 ? $"{folds}-fold cross-fitting on the evaluation set" : "the evaluation set itself (optimistic)";
        int fitRows = fit?.Labels.Length ?? (folds > 0 ? n - n / folds : n);
        var columns = Columns(o.Compat, bins, k);
        var rowsAt = new LeaderboardRow[o.Methods.Length + 1];
        var evalsAt = new Eval?[o.Methods.Length + 1];
        var gate = new object();
        void Progress(string line) { if (progress is not null) lock (gate) progress(line); }

        // One task per row: fit (on the fit set, or per cross-fitting fold), probabilities on the evaluation rows, estimators.
        // As many tasks at once as there are cores, each fit with one libtorch thread: a long fit (Dirichlet) overlaps the
        // other rows' evaluations instead of every evaluation waiting for the slowest fit.
        void RunRow(int r)
        {
            var sw = Stopwatch.StartNew();
            if (r == 0)
            {
                var b0 = new Eval(n, k, bins);
                Evaluate(null, eval, null, b0, bins);
                double pe = sw.Elapsed.TotalSeconds;
                rowsAt[0] = Summarise("uncalibrated", "the model's own probabilities", "—", 0, pe, null, b0, o, bins, k, eval.Labels);
                evalsAt[0] = b0;
                Progress($"uncalibrated: evaluated in {sw.Elapsed.TotalSeconds:F1} s (probabilities {pe:F1} s, estimators {sw.Elapsed.TotalSeconds - pe:F1} s)");
                return;
            }
            string m = o.Methods[r - 1];
            var e = new Eval(n, k, bins);
            double fitSeconds = 0;
            FitReport? report;
            string description;
            try
            {
                if (folds > 0)
                {
                    var reports = new List<FitReport>();
                    description = "";
                    for (int f = 0; f < folds; f++)
                    {
                        int ff = f;
                        var (zt, yt) = CalMath.Select(eval.Logits, k, eval.Labels, i => foldOf![i] != ff);
                        var t0 = Stopwatch.StartNew();
                        var cal = CalibratorFactory.Fit(m, zt, k, yt, copt);
                        fitSeconds += t0.Elapsed.TotalSeconds;
                        if (cal.Report is not null) reports.Add(cal.Report);
                        description = cal.Describe() + $" (fold {f + 1} of {folds} shown)";
                        Evaluate(cal, eval, Enumerable.Range(0, n).Where(i => foldOf![i] == ff).ToArray(), e, bins);
                    }
                    report = reports.FirstOrDefault(x => !x.Success) ?? reports.FirstOrDefault();
                }
                else
                {
                    var data = fit ?? eval;
                    var cal = CalibratorFactory.Fit(m, data.Logits, data.K, data.Labels, copt);
                    fitSeconds = sw.Elapsed.TotalSeconds;
                    report = cal.Report;
                    description = cal.Describe();
                    Evaluate(cal, eval, null, e, bins);
                }
            }
            catch (LsLabException ex)
            {
                rowsAt[r] = new LeaderboardRow(m, ex.Message, "failed", fitSeconds, 0, null, new(), new());
                Progress($"{m}: failed: {ex.Message}");
                return;
            }
            double probSeconds = sw.Elapsed.TotalSeconds - fitSeconds;
            var ts = Stopwatch.StartNew();
            rowsAt[r] = Summarise(m, description, report?.Status ?? "ok", fitSeconds, probSeconds, report, e, o, bins, k, eval.Labels);
            evalsAt[r] = e;
            Progress($"{m}: fitted in {fitSeconds:F1} s, evaluated in {probSeconds + ts.Elapsed.TotalSeconds:F1} s (probabilities {probSeconds:F1} s, estimators {ts.Elapsed.TotalSeconds:F1} s) ({report?.Status ?? "ok"})");
        }

        var sw0 = Stopwatch.StartNew();
        double cpu0 = CpuSeconds();
        int threads = Native.Engine.Threads;
        Native.Engine.Initialize(1);
        try
        {
            // The K×K fits first (they take longest), then the uncalibrated row and the rest in table order.
            var order = Enumerable.Range(0, o.Methods.Length + 1)
                .OrderBy(r => r > 0 && o.Methods[r - 1] is "matrix" or "dirichlet" or "dirichlet-l2" ? 0 : 1).ToArray();
            Parallel.ForEach(Partitioner.Create(order, EnumerablePartitionerOptions.NoBuffering),
                new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, RunRow);
        }
        finally { Native.Engine.Initialize(threads); }
        Progress($"{o.Methods.Length} calibrators fitted and {o.Methods.Length + 1} rows evaluated in {sw0.Elapsed.TotalSeconds:F1} s ({CpuSeconds() - cpu0:F1} s CPU; {Environment.ProcessorCount} rows at a time, so the times above overlap)");
        var rows = rowsAt.ToList();
        var evals = evalsAt.ToList();

        if (o.Resamples >= 2)
        {
            sw0.Restart(); cpu0 = CpuSeconds();
            Bootstrap(rows, evals, o, bins, k, eval.Labels);
            Progress($"paired bootstrap ({o.Resamples} resamples): {sw0.Elapsed.TotalSeconds:F1} s ({CpuSeconds() - cpu0:F1} s CPU)");
        }
        var best = new Dictionary<string, string>();
        foreach (var c in columns)
        {
            var cands = rows.Where(r => r.Values.TryGetValue(c.Key, out var v) && !double.IsNaN(v)).ToList();
            if (cands.Count == 0) continue;
            var b = c.HigherIsBetter ? cands.MaxBy(r => r.Values[c.Key]) : cands.MinBy(r => r.Values[c.Key]);
            best[c.Key] = b!.Method;
        }
        return new LeaderboardResult(n, k, source, fitRows, o.Compat.ToString(), o.Resamples >= 2 ? o.Resamples : 0, o.Level, columns, rows, best, total.Elapsed.TotalSeconds);
    }

    static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>
    /// Calibrated probabilities of the given rows (all when null), a small chunk at a time, reduced to per-example
    /// statistics (confidence, correct, NLL, Brier) and class-wise bin sums: the N×K probabilities never exist at once.
    /// </summary>
    static void Evaluate(ICalibrator? cal, LogitsFile data, int[]? rowsSubset, Eval e, int bins)
    {
        int k = data.K;
        int count = rowsSubset?.Length ?? data.Labels.Length;
        int chunk = Math.Max(1, ChunkValues / k);
        int chunks = (count + chunk - 1) / chunk;
        var gate = new object();
        var edges = Enumerable.Range(0, bins + 1).Select(b => (double)b / bins).ToArray();
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            () => (F: new double[k * bins], Y: new double[k * bins], Z: rowsSubset is null ? Array.Empty<double>() : new double[chunk * k]),
            (c, _, acc) =>
        {
            int lo = c * chunk, hi = Math.Min(count, lo + chunk), m = hi - lo;
            ReadOnlySpan<double> z;
            if (rowsSubset is null) z = data.Logits.AsSpan(lo * k, m * k);
            else
            {
                for (int i = 0; i < m; i++) data.Logits.AsSpan(rowsSubset[lo + i] * k, k).CopyTo(acc.Z.AsSpan(i * k, k));
                z = acc.Z.AsSpan(0, m * k);
            }
            // The calibrated distribution, one exp per probability: softmax of the logits, or what a calibrator that
            // outputs probabilities (binning, isotonic, ETS) makes, passed straight through.
            var p = cal?.TransformProbabilities(z, k) ?? CalMath.SoftmaxRows(z, k);
            for (int i = 0; i < m; i++)
            {
                int row = rowsSubset is null ? lo + i : rowsSubset[lo + i];
                int y = data.Labels[row];
                var pr = p.AsSpan(i * k, k);
                int a = Metrics.ArgMax(pr);
                double py = pr[y];
                // Σ_j (p_j − [j = y])² = Σ_j p_j² − p_y² + (1 − p_y)²
                double br = Math.Max(0, TensorPrimitives.SumOfSquares((ReadOnlySpan<double>)pr) - py * py + (1 - py) * (1 - py));
                for (int j = 0; j < k; j++)
                {
                    int b = j * bins + EqualWidthBin(pr[j], edges);
                    acc.F[b] += pr[j];
                }
                acc.Y[y * bins + EqualWidthBin(py, edges)] += 1;
                e.Conf[row] = pr[a]; e.Ok[row] = a == y ? 1 : 0; e.Nll[row] = -Math.Max(Math.Log(py), CalMath.LogFloor); e.Brier[row] = br;
                if (k == 2) e.P1[row] = pr[1];
            }
            return acc;
        },
            acc => { lock (gate) for (int j = 0; j < acc.F.Length; j++) { e.SumF[j] += acc.F[j]; e.SumY[j] += acc.Y[j]; } });
    }

    /// <summary><see cref="Metrics.EqualWidthBin"/> with the edges b/bins precomputed (no division per probability).</summary>
    static int EqualWidthBin(double c, double[] edges)
    {
        int bins = edges.Length - 1;
        int b = Math.Clamp((int)Math.Ceiling(c * bins) - 1, 0, bins - 1);
        if (b > 0 && c <= edges[b]) b--;
        else if (b < bins - 1 && c > edges[b + 1]) b++;
        return b;
    }

    /// <summary>The ECE mode's (score, event) arrays: positive class for binary problems under a compat mode, else top-label; netcal clips.</summary>
    static (double[] F, double[] Y) ModeScores(Eval e, CompatMode compat, int k, int[] labels)
    {
        double[] f = e.Conf, y = e.Ok;
        if (k == 2 && compat != CompatMode.None)
        {
            f = e.P1;
            y = labels.Select(l => l == 1 ? 1.0 : 0.0).ToArray();
        }
        if (compat == CompatMode.Netcal)
        {
            const double eps = 2.220446049250313e-16; // np.finfo(float).eps
            f = f.Select(v => Math.Clamp(v, eps, 1 - eps)).ToArray();
        }
        return (f, y);
    }

    static LeaderboardRow Summarise(string method, string description, string status, double fitSeconds, double evalSeconds, FitReport? report, Eval e, LeaderboardOptions o, int bins, int k, int[] labels)
    {
        int n = e.Conf.Length;
        var conv = Convention(o.Compat);
        var (f, y) = ModeScores(e, o.Compat, k, labels);
        var order = Estimators.Order(e.Conf);
        bool np = o.Compat != CompatMode.None;
        double cw = 0;
        for (int c = 0; c < k; c++)
            for (int b = 0; b < bins; b++)
            {
                cw += Math.Abs(e.SumY[c * bins + b] - e.SumF[c * bins + b]) / n;
            }
        var smooth = Estimators.SmoothEce(e.Conf, e.Ok);
        var sel = Estimators.Selective(e.Conf, e.Ok, n, order); // the full curve (n points): risk at any coverage is a lookup
        var values = new Dictionary<string, double>
        {
            ["accuracy"] = e.Ok.Average(),
            ["nll"] = e.Nll.Average(),
            ["brier"] = e.Brier.Average(),
            ["ece"] = Estimators.Binned(f, y, bins, conv, GapNorm.L1, numpyEdges: np),
            ["ace"] = o.Compat == CompatMode.Netcal ? Estimators.Binned(f, y, bins, conv, GapNorm.L1, equalBinWeight: true, numpyEdges: true) : Estimators.EqualMass(e.Conf, e.Ok, bins, order),
            ["cwece"] = cw / k,
            ["mce"] = Estimators.Binned(f, y, bins, conv, GapNorm.Max, numpyEdges: np),
            ["rmsce"] = Estimators.Binned(f, y, bins, conv, GapNorm.L2, numpyEdges: np),
            ["dece"] = Math.Sqrt(Math.Max(0, Estimators.DebiasedSquared(e.Conf, e.Ok, bins, order))),
            ["ks"] = Estimators.KsOf(e.Conf, e.Ok, order),
            ["smece"] = smooth.Value,
            ["aurc"] = sel.Aurc,
            ["risk90"] = RiskAt(sel, 0.9),
        };
        var rel = new List<ReliabilityBin>();
        var sc = new double[bins]; var sa = new double[bins]; var cn = new int[bins];
        for (int i = 0; i < n; i++) { int b = Metrics.EqualWidthBin(e.Conf[i], bins); sc[b] += e.Conf[i]; sa[b] += e.Ok[i]; cn[b]++; }
        for (int b = 0; b < bins; b++)
            rel.Add(new ReliabilityBin((double)b / bins, (double)(b + 1) / bins, cn[b] > 0 ? sc[b] / cn[b] : double.NaN, cn[b] > 0 ? sa[b] / cn[b] : double.NaN, cn[b]));
        return new LeaderboardRow(method, description, status, fitSeconds, evalSeconds, report, values, new())
        { Bins = rel, Confidences = e.Conf, Correct = e.Ok, Smooth = smooth };
    }

    static double RiskAt(RiskCoverage rc, double coverage)
    {
        int n = rc.Coverage.Length, m = Math.Max(1, (int)Math.Ceiling(coverage * n - 1e-9));
        return rc.Risk[m - 1];
    }

    /// <summary>Paired bootstrap: the same multinomial resample of rows for every method; intervals of (method − uncalibrated).</summary>
    static void Bootstrap(List<LeaderboardRow> rows, List<Eval?> evals, LeaderboardOptions o, int bins, int k, int[] labels)
    {
        int n = evals[0]!.Conf.Length, r = o.Resamples, methods = evals.Count;
        var conv = Convention(o.Compat);
        int nb = conv == BinConvention.UpperOpenPhantomBin ? bins + 1 : bins;
        var edges = Estimators.Edges(bins, o.Compat != CompatMode.None);
        var inputs = new BootstrapInputs?[methods];
        for (int m = 0; m < methods; m++)
        {
            if (evals[m] is not { } ev) continue;
            var (f, y) = ModeScores(ev, o.Compat, k, labels);
            var gap = new double[n]; var bin = new byte[n];
            for (int i = 0; i < n; i++) { gap[i] = y[i] - f[i]; bin[i] = (byte)Estimators.Bin(f[i], edges, conv); }
            inputs[m] = new BootstrapInputs(ev.Ok, ev.Nll, ev.Brier, gap, bin);
        }
        var stats = ResampleStats(inputs, n, nb, r, o.Seed);
        string[] keys = { "accuracy", "nll", "brier", "ece" };
        double alpha = (1 - o.Level) / 2;
        for (int m = 0; m < methods; m++)
        {
            if (evals[m] is null) continue;
            for (int q = 0; q < 4; q++)
            {
                var d = new double[r];
                for (int rs = 0; rs < r; rs++) d[rs] = stats[rs, m, q] - stats[rs, 0, q];
                Array.Sort(d);
                rows[m].Delta[keys[q]] = new DeltaInterval(BinEdges.Quantile(d, alpha), BinEdges.Quantile(d, 1 - alpha));
            }
        }
    }

    /// <summary>What the bootstrap needs of one method, per example: correct, NLL, Brier, (event − score) and bin of the ECE mode.</summary>
    internal sealed record BootstrapInputs(double[] Ok, double[] Nll, double[] Brier, double[] Gap, byte[] Bin);

    /// <summary>The multinomial resample <paramref name="r"/> of n rows: how often each row is drawn (shared by every method: paired).</summary>
    internal static int[] ResampleCounts(int n, int seed, int r)
    {
        var w = new int[n];
        var rng = ResampleRng(seed, r);
        for (int i = 0; i < n; i++) w[rng.Next(n)]++;
        return w;
    }

    static Random ResampleRng(int seed, int r) => new(unchecked(seed * 7919 + r + 1));

    /// <summary>Resamples per pass over the per-example arrays: they are read once for 8 resamples (the pass is memory-bound).</summary>
    const int Lanes = 8;
    const int Block = 1024;

    /// <summary>
    /// stats[resample, method, q] with q = accuracy, NLL, Brier, ECE (= Σ_bins |Σ w·(event − score)| / n) of each method on
    /// each resample: O(resamples · N) additions per method, no sorting. Resamples go 8 at a time (counts of 8 resamples side
    /// by side, summed in two 4-wide vectors), so each example's values are loaded once per 8 resamples; the sums run over
    /// the rows in order, so accuracy, NLL and Brier equal a plain per-resample loop bit for bit.
    /// </summary>
    internal static double[,,] ResampleStats(IReadOnlyList<BootstrapInputs?> methods, int n, int nb, int resamples, int seed)
    {
        int groups = (resamples + Lanes - 1) / Lanes, mc = methods.Count, width = (3 + nb) * Lanes;
        var stats = new double[resamples, mc, 4];
        // Counts as ushort (2 bytes a row: the random increments stay in cache); a row drawn 65535 times is refused, not wrapped.
        Parallel.For(0, groups, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, () => Enumerable.Range(0, Lanes).Select(_ => new ushort[n]).ToArray(), (g, _, w) =>
        {
            int r0 = g * Lanes, rc = Math.Min(Lanes, resamples - r0);
            for (int q = 0; q < Lanes; q++)
            {
                var c = w[q];
                Array.Clear(c);
                if (q >= rc) continue;
                var rng = ResampleRng(seed, r0 + q);
                for (int i = 0; i < n; i++)
                {
                    int d = rng.Next(n);
                    if (c[d] == ushort.MaxValue) throw new InvalidOperationException($"bootstrap resample {r0 + q}: row {d} drawn {ushort.MaxValue} times.");
                    c[d]++;
                }
            }
            var acc = new double[mc * width];
            var cw = new double[Block * Lanes];
            for (int lo = 0; lo < n; lo += Block)
            {
                int hi = Math.Min(n, lo + Block);
                for (int q = 0; q < Lanes; q++)
                    for (int i = lo; i < hi; i++) cw[(i - lo) * Lanes + q] = w[q][i];
                for (int m = 0; m < mc; m++)
                    if (methods[m] is { } x) Accumulate(x, lo, hi, cw, acc.AsSpan(m * width, width));
            }
            for (int m = 0; m < mc; m++)
            {
                if (methods[m] is null) continue;
                var a = acc.AsSpan(m * width, width);
                for (int q = 0; q < rc; q++)
                {
                    double ece = 0;
                    for (int b = 0; b < nb; b++) ece += Math.Abs(a[(3 + b) * Lanes + q]) / n;
                    stats[r0 + q, m, 0] = a[q] / n; stats[r0 + q, m, 1] = a[Lanes + q] / n; stats[r0 + q, m, 2] = a[2 * Lanes + q] / n; stats[r0 + q, m, 3] = ece;
                }
            }
            return w;
        }, _ => { });
        return stats;
    }

    /// <summary>Adds rows lo..hi of one method, weighted by 8 resamples' counts <paramref name="cw"/>, to its sums (correct, NLL, Brier, then per bin).</summary>
    static void Accumulate(BootstrapInputs x, int lo, int hi, double[] cw, Span<double> acc)
    {
        var a0 = Vector256.Create<double>(acc[..4]); var a1 = Vector256.Create<double>(acc.Slice(4, 4));
        var l0 = Vector256.Create<double>(acc.Slice(8, 4)); var l1 = Vector256.Create<double>(acc.Slice(12, 4));
        var b0 = Vector256.Create<double>(acc.Slice(16, 4)); var b1 = Vector256.Create<double>(acc.Slice(20, 4));
        var bins = acc[(3 * Lanes)..];
        for (int i = lo; i < hi; i++)
        {
            var c = cw.AsSpan((i - lo) * Lanes, Lanes);
            var c0 = Vector256.Create<double>(c[..4]); var c1 = Vector256.Create<double>(c.Slice(4, 4));
            double ok = x.Ok[i], nll = x.Nll[i], br = x.Brier[i], gap = x.Gap[i];
            a0 += c0 * ok; a1 += c1 * ok;
            l0 += c0 * nll; l1 += c1 * nll;
            b0 += c0 * br; b1 += c1 * br;
            var s = bins.Slice(x.Bin[i] * Lanes, Lanes);
            (Vector256.Create<double>(s[..4]) + c0 * gap).CopyTo(s);
            (Vector256.Create<double>(s.Slice(4, 4)) + c1 * gap).CopyTo(s[4..]);
        }
        a0.CopyTo(acc); a1.CopyTo(acc[4..]); l0.CopyTo(acc[8..]); l1.CopyTo(acc[12..]); b0.CopyTo(acc[16..]); b1.CopyTo(acc[20..]);
    }
}
