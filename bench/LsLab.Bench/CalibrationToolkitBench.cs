using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LsLab.Calibration;
using LsLab.Runs;

namespace LsLab.Bench;

/// <summary>
/// `calibration --toolkit`: the toolkit's estimators over 10⁷ × 10 and 10⁶ × 1000 predictions (softmax
/// streamed batch by batch into per-example confidence/correctness, then every estimator timed on its own)
/// beside numpy doing the same work (bench/calibration_toolkit_numpy.py), and the whole `--method all`
/// leaderboard on 10⁶ × 100 evaluation rows with a 10⁴ × 100 fit set. Results go to
/// docs/calibration-benchmark.md (a section appended after the streaming table).
/// </summary>
public static class CalibrationToolkitBench
{
    /// <summary>Per-example confidence and correctness of N = batches × B rows, B rows at a time.</summary>
    static (double[] Conf, double[] Ok, double Seconds) Collect(long n, int k, int batch)
    {
        var (z, y) = CalibrationBench.Batch(batch, k);
        var conf = new double[n]; var ok = new double[n];
        var sw = Stopwatch.StartNew();
        for (long r0 = 0; r0 < n; r0 += batch)
        {
            long off = r0;
            Parallel.For(0, (batch + 4095) / 4096, c =>
            {
                int lo = c * 4096, hi = Math.Min(batch, lo + 4096);
                for (int i = lo; i < hi; i++)
                {
                    var row = z.AsSpan(i * k, k);
                    float max = row[0]; int arg = 0;
                    for (int j = 1; j < k; j++) if (row[j] > max) { max = row[j]; arg = j; }
                    double s = 0;
                    for (int j = 0; j < k; j++) s += Math.Exp(row[j] - max);
                    conf[off + i] = 1 / s; ok[off + i] = arg == y[i] ? 1 : 0;
                }
            });
        }
        return (conf, ok, sw.Elapsed.TotalSeconds);
    }

    static double Time(Func<double> f, out double value) { var sw = Stopwatch.StartNew(); value = f(); return sw.Elapsed.TotalSeconds; }

    static long PeakRss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    public static int Run(Dictionary<string, string> o, string root, string python, bool quick)
    {
        var md = new StringBuilder();
        string load0 = File.ReadAllText("/proc/loadavg").Trim();
        md.AppendLine("## Toolkit estimators and the `--method all` leaderboard");
        md.AppendLine();
        md.AppendLine($"Made by `dotnet run -c Release --project bench/LsLab.Bench -- calibration --toolkit{(quick ? " --quick" : "")}` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load average at start: {load0}.");
        md.AppendLine();
        md.AppendLine("Each estimator runs on the per-example top-label confidence and correctness of N predictions (collected batch by batch from");
        md.AppendLine("the benchmark's hashed float32 logits; the collect column is that softmax pass). numpy (bench/calibration_toolkit_numpy.py,");
        md.AppendLine("one process per configuration) does the same work: the same sort-based estimators and the same 1000-interval grid for smooth ECE.");
        md.AppendLine("Times in seconds (one run each: read them with the load average above). Peak RSS is the process's whole-run peak.");
        md.AppendLine("The second table gives the same work as predictions per second, N / time (the sort-based estimators include the one sort they share).");
        md.AppendLine();
        md.AppendLine("| N × K | impl | collect | ECE (15 bins) | ACE (equal-mass) | debiased L2 | KS | smooth ECE | AURC | peak RSS (MiB) | smECE | KS value |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        if (o.ContainsKey("fits-only")) return Fits(o);
        if (o.ContainsKey("leaderboard-only"))
        {
            var only = new StringBuilder();
            Leaderboard(o, quick, only);
            Console.Write(only);
            return 0;
        }
        var configs = quick ? new[] { (N: 1_000_000L, K: 10, B: 100_000), (N: 20_000L, K: 1000, B: 2_000) }
                            : new[] { (N: 10_000_000L, K: 10, B: 1_000_000), (N: 1_000_000L, K: 1000, B: 10_000) };
        var rates = new StringBuilder();
        rates.AppendLine("| N × K | impl | collect | ECE (15 bins) | ACE (equal-mass) | debiased L2 | KS | smooth ECE | AURC |");
        rates.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        static string Seconds(double[] times) => string.Join(" | ", times.Select(t => t.ToString("F2", CultureInfo.InvariantCulture)));
        string Rate(long n, double s) => s <= 0 ? "–" : n / s >= 1e6 ? string.Create(CultureInfo.InvariantCulture, $"{n / s / 1e6:F1} M") : string.Create(CultureInfo.InvariantCulture, $"{n / s / 1e3:F0} k");
        foreach (var c in configs)
        {
            var (conf, ok, tc) = Collect(c.N, c.K, c.B);
            double te = Time(() => Estimators.Binned(conf, ok, 15), out _);
            var order = Array.Empty<int>();
            double tsort = Time(() => { order = Estimators.Order(conf); return 0; }, out _);
            double ta = Time(() => Estimators.EqualMass(conf, ok, 15, order), out _) + tsort;
            double td = Time(() => Estimators.DebiasedSquared(conf, ok, 15, order), out _) + tsort;
            double tk = Time(() => Estimators.KsOf(conf, ok, order), out var ks) + tsort;
            double tsm = Time(() => Estimators.SmoothEce(conf, ok).Value, out var sm);
            double tau = Time(() => Estimators.Selective(conf, ok, 200, order).Aurc, out _) + tsort;
            var mine = new[] { tc, te, ta, td, tk, tsm, tau };
            md.AppendLine(CultureInfo.InvariantCulture, $"| {c.N:N0} × {c.K:N0} | LsLab | {Seconds(mine)} | {PeakRss() / 1048576.0:F0} | {sm:F6} | {ks:F6} |");
            rates.AppendLine(CultureInfo.InvariantCulture, $"| {c.N:N0} × {c.K:N0} | LsLab | {string.Join(" | ", mine.Select(t => Rate(c.N, t)))} |");
            Console.Error.WriteLine($"LsLab N={c.N} K={c.K}: collect {tc:F2} s, smECE {sm:F6} in {tsm:F2} s, KS {ks:F6}");
            conf = ok = null!;
            GC.Collect();
            var np = RunNumpy(python, Path.Combine(root, "bench", "calibration_toolkit_numpy.py"), c.N, c.K, c.B);
            if (np is not JsonElement e)
            {
                Console.Error.WriteLine($"calibration --toolkit: the numpy side ({python}) failed, so nothing is written (a table without its baseline would read as complete); install python3-numpy or pass --python");
                return 1;
            }
            var theirs = new[] { "collect", "ece", "ace", "debiased", "ks", "smece", "aurc" }.Select(key => e.GetProperty(key).GetDouble()).ToArray();
            md.AppendLine(CultureInfo.InvariantCulture, $"| {c.N:N0} × {c.K:N0} | numpy | {Seconds(theirs)} | {e.GetProperty("peak_rss").GetDouble() / 1048576.0:F0} | {e.GetProperty("smece_value").GetDouble():F6} | {e.GetProperty("ks_value").GetDouble():F6} |");
            rates.AppendLine(CultureInfo.InvariantCulture, $"| {c.N:N0} × {c.K:N0} | numpy | {string.Join(" | ", theirs.Select(t => Rate(c.N, t)))} |");
            rates.AppendLine(CultureInfo.InvariantCulture, $"| {c.N:N0} × {c.K:N0} | LsLab / numpy | {string.Join(" | ", theirs.Zip(mine, (a, b) => b > 0 ? $"**{a / b:F2}×**" : "–"))} |");
        }
        md.AppendLine();
        md.AppendLine("Predictions per second:");
        md.AppendLine();
        md.Append(rates);
        md.AppendLine();

        Leaderboard(o, quick, md);
        string outPath = o.GetValueOrDefault("out", Path.Combine(root, "docs", "calibration-benchmark.md"));
        string existing = File.Exists(outPath) ? File.ReadAllText(outPath) : "";
        // Replace only this section: the sections after it (hand-written readings) stay.
        int cut = existing.IndexOf("## Toolkit estimators", StringComparison.Ordinal);
        string after = "";
        if (cut >= 0)
        {
            int next = existing.IndexOf("\n## ", cut + 3, StringComparison.Ordinal);
            if (next >= 0) after = existing[(next + 1)..];
            existing = existing[..cut];
        }
        AtomicFile.WriteAllText(outPath, existing.TrimEnd() + "\n\n" + md + (after.Length > 0 ? "\n" + after : ""));
        Console.Error.WriteLine($"written: {outPath}");
        return 0;
    }

    /// <summary>
    /// The `--method all` leaderboard on 10⁶ × 100 evaluation rows and a 10⁴ × 100 fit set (float64, as `lslab calibrate`
    /// holds them after reading .npy files). The peak RSS is reset (/proc/self/clear_refs) once the inputs exist, so it is
    /// the leaderboard's own peak including the inputs.
    /// </summary>
    static void Leaderboard(Dictionary<string, string> o, bool quick, StringBuilder md)
    {
        int n = quick ? 100_000 : 1_000_000, k = 100, nf = 10_000;
        int resamples = (int)(o.TryGetValue("resamples", out var rs) ? int.Parse(rs, CultureInfo.InvariantCulture) : 200);
        var (ze, ye) = CalibrationBench.Rows(0, n, k);
        var (zf, yf) = CalibrationBench.Rows(n, nf, k); // rows after the evaluation rows: a different sample
        var eval = new LogitsFile(ze, ye, k, false);
        var fit = new LogitsFile(zf, yf, k, false);
        GC.Collect();
        bool reset = ResetPeakRss();
        long inputs = CurrentRss();
        var log = new List<string>();
        var sw = Stopwatch.StartNew();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var methods = o.TryGetValue("methods", out var ms) ? CalibratorFactory.Parse(ms, k) : CalibratorFactory.All(k);
        var copt = o.TryGetValue("gtol", out var gt) ? new CalibratorOptions(Tolerance: double.Parse(gt, CultureInfo.InvariantCulture)) : null;
        var result = CalibrationLeaderboard.Run(eval, fit, new LeaderboardOptions(methods, Resamples: resamples, Calibrator: copt), s => { log.Add(s); Console.Error.WriteLine(s); });
        foreach (var row in result.Rows.Where(r => r.Fit is not null))
            Console.Error.WriteLine($"{row.Method}: {row.Fit!.Iterations} iterations, fit NLL {row.Fit.FinalNll:R}, {row.Fit.Message}; {string.Join(", ", row.Fit.Details.Select(d => $"{d.Key}={d.Value:G4}"))}");
        double wall = sw.Elapsed.TotalSeconds, cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        string load1 = File.ReadAllText("/proc/loadavg").Trim();
        md.AppendLine(CultureInfo.InvariantCulture, $"`--method all` leaderboard (in-process `CalibrationLeaderboard.Run`, the code behind `lslab calibrate --method all`; file reading excluded): {n:N0} × {k} evaluation rows, a {nf:N0} × {k} fit set, {result.Rows.Count - 1} calibrators, {resamples} paired bootstrap resamples: **{wall:F1} s wall**, {cpu:F1} s CPU, peak RSS {PeakRss() / 1048576.0:F0} MiB {(reset ? "during the leaderboard" : "(whole process: the peak could not be reset)")}, of which {inputs / 1048576.0:F0} MiB is the process with the float64 inputs loaded ({(eval.Logits.Length + fit.Logits.Length) * 8 / 1048576.0:F0} MiB of logits); {Environment.ProcessorCount} cores; load average at the end: {load1}.");
        md.AppendLine();
        md.AppendLine("Steps (fit and evaluation time per calibrator, as the leaderboard reports them):");
        md.AppendLine();
        foreach (var l in log) md.AppendLine($"- {l}");
        md.AppendLine();
        md.AppendLine("```");
        md.Append(result.ToText());
        md.AppendLine("```");
    }

    /// <summary>
    /// `--fits-only`: the affine fits (default matrix, dirichlet, dirichlet-l2) one after another on the leaderboard's 10⁴ × 100
    /// fit set (`--rows N`: its first N rows), or on `--fit-logits F.npy --fit-labels Y.npy` (`--lambda L`: a fixed λ instead of CV), each with its wall and process CPU seconds, L-BFGS iterations,
    /// chosen λ and cross-validation details; with `--logits/--labels` (.npy) also the NLL and accuracy on those rows.
    /// </summary>
    static int Fits(Dictionary<string, string> o)
    {
        int k = 100;
        double[] zf; int[] yf;
        if (o.TryGetValue("fit-logits", out var fl))
        {
            var a = LsLab.Data.Npy.Read(fl);
            k = (int)a.Shape[1]; zf = a.Values; yf = LsLab.Data.Npy.ReadLabels(o["fit-labels"], k);
        }
        else (zf, yf) = CalibrationBench.Rows(1_000_000, o.TryGetValue("rows", out var nr) ? int.Parse(nr, CultureInfo.InvariantCulture) : 10_000, k);
        double[]? ze = null; int[]? ye = null;
        if (o.TryGetValue("logits", out var el)) { ze = LsLab.Data.Npy.Read(el).Values; ye = LsLab.Data.Npy.ReadLabels(o["labels"], k); }
        var methods = o.TryGetValue("methods", out var ms) ? ms.Split(',') : new[] { "matrix", "dirichlet", "dirichlet-l2" };
        foreach (var m in methods)
        {
            var sw = Stopwatch.StartNew();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var cal = LinearCalibrator.Fit(m, zf, k, yf, new LinearFitOptions(Lambda: o.TryGetValue("lambda", out var lam) ? double.Parse(lam, CultureInfo.InvariantCulture) : null));
            double wall = sw.Elapsed.TotalSeconds, cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            var r = cal.Report!;
            string held = "";
            if (ze is not null)
            {
                var p = Predictions.FromLogits(cal.Transform(ze, k), k, ye!);
                held = string.Create(CultureInfo.InvariantCulture, $", evaluation NLL {Metrics.Nll(p):F4}, accuracy {100 * Metrics.Accuracy(p):F2} %");
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{m}: λ = {cal.Lambda:G3}, {r.Iterations} iterations, {wall:F1} s wall, {cpu:F1} s CPU, fit NLL {r.FinalNll:R}{held}; {r.Message}; {string.Join(", ", r.Details.Select(d => $"{d.Key}={d.Value:G5}"))}"));
        }
        return 0;
    }

    /// <summary>Resets VmHWM to the current RSS (Linux ≥ 4.0); false when the kernel refuses.</summary>
    static bool ResetPeakRss()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    static long CurrentRss()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    static JsonElement? RunNumpy(string python, string script, long n, int k, int b)
    {
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, "--n", n.ToString(CultureInfo.InvariantCulture), "--k", k.ToString(CultureInfo.InvariantCulture), "--batch", b.ToString(CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) { Console.Error.WriteLine($"numpy side failed: {err.Result}"); return null; }
        return JsonDocument.Parse(stdout.Trim().Split('\n').Last()).RootElement;
    }
}
