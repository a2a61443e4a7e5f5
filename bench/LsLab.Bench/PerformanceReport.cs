using System.Globalization;
using System.Text;
using System.Text.Json;
using LsLab.Models;
using LsLab.Runs;

namespace LsLab.Bench;

/// <summary>
/// `performance-report --results results.jsonl --out docs/performance.md`: turns the JSON lines that
/// bench/run-all.sh collected (one per process, LsLab and PyTorch alternating) into the table of
/// medians and ratios. Each row's value is the median over processes of each process's own median.
/// </summary>
public static class PerformanceReport
{
    sealed record Line(string Side, string Work, string Model, JsonElement Json);

    /// <summary>Multiply-accumulates of one forward pass per example, and of the first layer (which needs no input gradient).</summary>
    public static (long Macs, long FirstLayerMacs, long Params) Cost(string model) => model switch
    {
        // 784·1200 + 1200·1200 + 1200·10
        "mlp" => (784L * 1200 + 1200L * 1200 + 1200L * 10, 784L * 1200, 2_395_210),
        // 784·800 + 800·800 + 800·10
        "mlp-small" => (784L * 800 + 800L * 800 + 800L * 10, 784L * 800, 1_276_810),
        // conv5x5 1→32 at 28², conv5x5 32→64 at 14², fc 3136→256, fc 256→10
        "convnet" => (28L * 28 * 32 * 25 + 14L * 14 * 64 * 25 * 32 + 3136L * 256 + 256L * 10, 28L * 28 * 32 * 25, 857_738),
        // stem 3→16 at 32²; stage 1: 6 conv 16→16 at 32²; stage 2: 16→32 + 5×(32→32) at 16²; stage 3: 32→64 + 5×(64→64) at 8²; fc 64→10
        "resnet20" => (32L * 32 * 16 * 27 + 6L * 32 * 32 * 16 * 16 * 9 + 16L * 16 * 32 * 9 * (16 + 5 * 32) + 8L * 8 * 64 * 9 * (32 + 5 * 64) + 640,
                       32L * 32 * 16 * 27, 0),
        _ => (0, 0, 0),
    };

    /// <summary>Training FLOPs per example: forward 2·MACs, weight gradients 2·MACs, input gradients 2·MACs except for the first layer.</summary>
    public static double TrainFlops(string model) { var c = Cost(model); return 6.0 * c.Macs - 2.0 * c.FirstLayerMacs; }

    public static int Run(string[] args)
    {
        var o = BenchArgs.Parse(args);
        string results = o.Get("results", "out/bench/results.jsonl");
        string outPath = o.Get("out", "docs/performance.md");
        if (!File.Exists(results)) throw new LsLabException($"{results}: no such results file (run bench/run-all.sh).");
        CheckCosts();
        var lines = new List<Line>();
        int n = 0;
        foreach (var raw in File.ReadLines(results))
        {
            n++;
            if (string.IsNullOrWhiteSpace(raw)) continue;
            JsonElement e;
            try { e = JsonDocument.Parse(raw).RootElement.Clone(); }
            catch (JsonException ex) { throw new LsLabException($"{results}, line {n}: not a JSON object ({ex.Message})."); }
            lines.Add(new Line(Str(e, "side"), Str(e, "work"), e.TryGetProperty("model", out var m) ? m.GetString() ?? "" : "", e));
        }
        var md = Markdown(lines, o);
        AtomicFile.WriteAllText(outPath, md);
        Console.Error.WriteLine($"written: {outPath}");
        return 0;
    }

    static string Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new LsLabException($"result line lacks \"{name}\": {e}");

    /// <summary>Fails loudly when a model changed and the hand-counted FLOPs no longer describe it.</summary>
    static void CheckCosts()
    {
        Native.Engine.Initialize();
        foreach (var name in new[] { "mlp", "mlp-small", "convnet" })
        {
            var (c, h, w) = ThroughputBench.Shape(name);
            using var model = ModelRegistry.Create(name, new ModelSpec(c, h, w, 10));
            long p = model.parameters().Sum(t => t.numel());
            if (p != Cost(name).Params) throw new LsLabException($"{name} has {p} parameters, the FLOP count in PerformanceReport.Cost assumes {Cost(name).Params}: update it.");
        }
    }

    static double Med(IEnumerable<double> v) => ThroughputBench.Median(v);

    static double[] Values(List<Line> lines, string side, string work, string model, string field) =>
        lines.Where(l => l.Side == side && l.Work == work && l.Model == model && l.Json.TryGetProperty(field, out _))
             .Select(l => l.Json.GetProperty(field).GetDouble()).ToArray();

    static string F0(double v) => double.IsNaN(v) ? "–" : v.ToString("N0", CultureInfo.InvariantCulture);
    static string F1(double v) => double.IsNaN(v) ? "–" : v.ToString("N1", CultureInfo.InvariantCulture);
    static string F2(double v) => double.IsNaN(v) ? "–" : v.ToString("F2", CultureInfo.InvariantCulture);
    static string Num(double v, double scale = 1) => scale == 1 && Math.Abs(v) < 100 ? F2(v) : F0(v / scale);
    static string Spread(double[] v, double scale = 1) => v.Length < 2 ? "" : $" [{Num(v.Min(), scale)}–{Num(v.Max(), scale)}]";
    static string MiB(double bytes) => double.IsNaN(bytes) ? "–" : (bytes / 1048576.0).ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Grouped training (bench `group`, bench/pytorch_group_bench.py): examples/s summed over members, four ways, and the two ratios the issue sets targets for.</summary>
    static void GroupedSection(List<Line> lines, StringBuilder sb, double peak)
    {
        var inv = CultureInfo.InvariantCulture;
        var rows = lines.Where(l => l.Work.StartsWith("group-", StringComparison.Ordinal)).Select(l => (l.Model, Members: l.Json.GetProperty("members").GetInt32())).Distinct().ToList();
        if (rows.Count == 0) return;
        sb.AppendLine("## Grouped training: many small runs as one batched model (examples/s summed over members)");
        sb.AppendLine();
        sb.AppendLine("Members differ in seed and α (as a sweep's cells do); LsLab grouped = `GroupTraining` (stacked weights, batched matmul, grouped convolution), PyTorch vmap = functorch " +
                      "`combine_state_for_ensemble` + `vmap` with one SGD over the stacked weights; training loops of epochs 2..E only (bench `group`, bench/pytorch_group_bench.py).");
        sb.AppendLine();
        sb.AppendLine("| row | LsLab grouped | LsLab one after another | PyTorch vmap ensemble | PyTorch one after another | grouped / one after another (target ≥ 3 mlp, ≥ 2 convnet) | grouped / vmap (target ≥ 1) |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (model, g) in rows)
        {
            double[] V(string side, string mode) => lines.Where(l => l.Side == side && l.Work == "group-" + mode && l.Model == model && l.Json.GetProperty("members").GetInt32() == g)
                .Select(l => l.Json.GetProperty("ex_per_s").GetDouble()).ToArray();
            string Cell(double[] v) => v.Length == 0 ? "–" : $"{F0(Med(v))}{(double.IsNaN(peak) ? "" : $" ({100 * Med(v) * TrainFlops(model) / 1e9 / peak:F0}% of peak)")}{Spread(v)}";
            var (lg, ls, pv, ps) = (V("lslab", "grouped"), V("lslab", "sequential"), V("pytorch", "vmap"), V("pytorch", "sequential"));
            sb.AppendLine(inv, $"| {g} × {model} | {Cell(lg)} | {Cell(ls)} | {Cell(pv)} | {Cell(ps)} | **{F2(Med(lg) / Med(ls))}** | **{F2(Med(lg) / Med(pv))}** |");
        }
        sb.AppendLine();
        sb.AppendLine("Per CPU-second of the process (robust when other processes share the machine; LsLab grouped counts its members' checkpoint writes):");
        sb.AppendLine();
        sb.AppendLine("| row | LsLab grouped | LsLab one after another | PyTorch vmap ensemble | PyTorch one after another | grouped / one after another | grouped / vmap |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (model, g) in rows)
        {
            double M(string side, string mode) => Med(lines.Where(l => l.Side == side && l.Work == "group-" + mode && l.Model == model && l.Json.GetProperty("members").GetInt32() == g
                && l.Json.TryGetProperty("ex_per_cpu_s", out _)).Select(l => l.Json.GetProperty("ex_per_cpu_s").GetDouble()));
            var (lg, ls, pv, ps) = (M("lslab", "grouped"), M("lslab", "sequential"), M("pytorch", "vmap"), M("pytorch", "sequential"));
            sb.AppendLine(inv, $"| {g} × {model} | {F0(lg)} | {F0(ls)} | {F0(pv)} | {F0(ps)} | **{F2(lg / ls)}** | **{F2(lg / pv)}** |");
        }
        var cores = lines.Where(l => l.Work.StartsWith("group-", StringComparison.Ordinal) && l.Side == "pytorch").Select(l => l.Json.GetProperty("openblas_coretype").GetString()).Distinct();
        sb.AppendLine();
        sb.AppendLine(inv, $"PyTorch side run with OPENBLAS_CORETYPE={string.Join(", ", cores)} (chosen from the CPU flags by run-all.sh).");
        sb.AppendLine();
    }

    static string Markdown(List<Line> lines, BenchArgs o)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        var probe = lines.FirstOrDefault(l => l.Work == "peak");
        // The widest vector unit's FMA rate (older result files carry only the AVX-512 fields).
        double Probe(string key, string old) => probe is null ? double.NaN
            : probe.Json.TryGetProperty(key, out var v) ? v.GetDouble() : probe.Json.GetProperty(old).GetDouble();
        double peak = Probe("peak_gflops", "avx512_gflops"), peakCpu = Probe("peak_gflops_cpu", "avx512_gflops_cpu");
        string isa = probe is not null && probe.Json.TryGetProperty("isa", out var isaJ) ? isaJ.GetString()! : "AVX-512";
        string Pct(double gf) => double.IsNaN(peak) || double.IsNaN(gf) ? "" : $", {100 * gf / peak:F0}% of peak";

        sb.AppendLine("# Performance: LsLab vs PyTorch on the same CPU");
        sb.AppendLine();
        sb.AppendLine("Regenerate (about 10–15 minutes; run it on an otherwise idle machine):");
        sb.AppendLine();
        sb.AppendLine("```sh");
        sb.AppendLine("bench/run-all.sh            # PROCS=3 processes per side and row, alternating LsLab / PyTorch");
        sb.AppendLine("```");
        sb.AppendLine();
        sb.AppendLine("## Set-up of this run");
        sb.AppendLine();
        foreach (var kv in o.Pairs("meta-")) sb.AppendLine(inv, $"- {kv.Key}: {kv.Value}");
        var pyInfo = lines.FirstOrDefault(l => l.Side == "pytorch" && l.Work == "info");
        if (pyInfo is not null) sb.AppendLine(inv, $"- PyTorch side: {pyInfo.Json}");
        var lsTrain = lines.FirstOrDefault(l => l.Side == "lslab" && l.Work == "gemm");
        if (lsTrain is not null && lsTrain.Json.TryGetProperty("mkl_override", out var mk)) sb.AppendLine(inv, $"- LsLab MKL vendor override: {mk.GetString()}");
        if (probe is not null)
            sb.AppendLine(inv, $"- Peak fp32 (bench/peak/fma_peak.c, 2 threads, {isa} FMA, the widest unit this CPU has, best of 5): **{F1(peak)} GFLOP/s** over wall time; " +
                               $"{F1(peakCpu)} GFLOP/s per CPU-second of the two threads (× 2); AVX2 {F1(probe.Json.GetProperty("avx2_gflops").GetDouble())} GFLOP/s. " +
                               $"Percentages below are of the wall-time peak.");
        sb.AppendLine();

        sb.AppendLine("## Table (medians over processes; [min–max] of the per-process medians)");
        sb.AppendLine();
        sb.AppendLine("| work | PyTorch 1.13 (OpenBLAS-openmp + malloc tuning) | LsLab (TorchSharp 0.107, libtorch 2.10) | LsLab / PyTorch |");
        sb.AppendLine("|---|---:|---:|---:|");
        void Row(string label, string work, string model, string field, Func<double, string> extra, bool higherIsBetter = true, double scale = 1)
        {
            var py = Values(lines, "pytorch", work, model, field);
            var ls = Values(lines, "lslab", work, model, field);
            if (py.Length == 0 && ls.Length == 0) return;
            double p = Med(py), l = Med(ls);
            double ratio = higherIsBetter ? l / p : p / l;
            sb.AppendLine(inv, $"| {label} | {Num(p, scale)}{extra(p)}{Spread(py, scale)} | {Num(l, scale)}{extra(l)}{Spread(ls, scale)} | **{F2(ratio)}** |");
        }
        Row("1024³ fp32 matmul, GFLOP/s", "gemm", "1024^3", "gflops", g => $" ({Pct(g).TrimStart(',', ' ')})");
        foreach (var m in new[] { "mlp", "convnet", "resnet20" })
            Row($"{m} training, examples/s", "train", m, "ex_per_s", r => $" ({F0(r * TrainFlops(m) / 1e9)} GFLOP/s{Pct(r * TrainFlops(m) / 1e9)})");
        foreach (var m in new[] { "mlp", "convnet", "resnet20" })
            Row($"{m} inference, examples/s", "infer", m, "ex_per_s", r => $" ({F0(r * 2.0 * Cost(m).Macs / 1e9)} GFLOP/s)");
        foreach (var (work, m, label) in new[] { ("pipeline", "mlp", "shuffle + batch, 60k×1×28×28"), ("pipeline-augment", "convnet", "shuffle + batch + crop/flip, 60k×1×28×28"),
                                                 ("pipeline-augment", "resnet20", "shuffle + batch + crop/flip, 50k×3×32×32") })
            Row($"data pipeline: {label}, ms/batch (ratio: PyTorch time / LsLab time)", work, m, "ms_per_batch", _ => "", higherIsBetter: false);
        foreach (var m in new[] { "mlp", "convnet", "resnet20" })
            Row($"{m} training: peak RSS, MiB (ratio: PyTorch / LsLab)", "train", m, "peak_rss", _ => "", higherIsBetter: false, scale: 1048576.0);
        var extra = lines.Where(l => l.Work is "ece" or "beam").ToList();
        foreach (var g in extra.GroupBy(l => (l.Work, l.Model)))
        {
            string field = g.Key.Work == "ece" ? "preds_per_s" : "sentences_per_s";
            var unit = g.Key.Work == "ece" ? "predictions/s" : "sentences/s";
            var other = g.Key.Work == "ece" ? "numpy" : "pytorch";
            var py = Values(lines, other, g.Key.Work, g.Key.Model, field);
            var ls = Values(lines, "lslab", g.Key.Work, g.Key.Model, field);
            if (py.Length == 0)
                sb.AppendLine(inv, $"| {g.Key.Work} {g.Key.Model}, {unit} | no {other} counterpart in bench/ | {F0(Med(ls))}{Spread(ls)} | – |");
            else
                sb.AppendLine(inv, $"| {g.Key.Work} {g.Key.Model}, {unit} ({other} on the left) | {F0(Med(py))}{Spread(py)} | {F0(Med(ls))}{Spread(ls)} | **{F2(Med(ls) / Med(py))}** |");
        }
        sb.AppendLine();
        sb.AppendLine("ECE over 10⁷ predictions against numpy has its own table and command: [calibration-benchmark.md](calibration-benchmark.md).");
        sb.AppendLine();

        sb.AppendLine("## Data pipeline as a share of a training step");
        sb.AppendLine();
        sb.AppendLine("| model | pipeline | LsLab ms/batch | LsLab ms/step | share | PyTorch share |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var (work, m) in new[] { ("pipeline", "mlp"), ("pipeline-augment", "convnet"), ("pipeline-augment", "resnet20") })
        {
            double lsMs = Med(Values(lines, "lslab", work, m, "ms_per_batch")), pyMs = Med(Values(lines, "pytorch", work, m, "ms_per_batch"));
            double lsStep = 128_000 / Med(Values(lines, "lslab", "train", m, "ex_per_s")), pyStep = 128_000 / Med(Values(lines, "pytorch", "train", m, "ex_per_s"));
            if (double.IsNaN(lsMs) || double.IsNaN(lsStep)) continue;
            sb.AppendLine(inv, $"| {m} | {(work == "pipeline" ? "shuffle + batch" : "shuffle + batch + crop/flip")} | {lsMs:F3} | {lsStep:F1} | {100 * lsMs / lsStep:F1}% | {100 * pyMs / pyStep:F1}% |");
        }
        sb.AppendLine();

        sb.AppendLine("## Memory across epochs (RSS after epoch 1 and after the last epoch, MiB; median over processes)");
        sb.AppendLine();
        sb.AppendLine("| model | side | after epoch 1 | after last epoch | growth | peak RSS |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|");
        foreach (var m in new[] { "mlp", "convnet", "resnet20" })
            foreach (var side in new[] { "pytorch", "lslab" })
            {
                var runs = lines.Where(l => l.Side == side && l.Work == "train" && l.Model == m).ToList();
                if (runs.Count == 0) continue;
                var epochs = runs.Select(r => r.Json.GetProperty("rss_epochs").EnumerateArray().Select(x => x.GetDouble()).ToArray()).ToList();
                double first = Med(epochs.Select(e => e[0])), last = Med(epochs.Select(e => e[^1]));
                int count = epochs[0].Length;
                sb.AppendLine(inv, $"| {m} | {side} | {MiB(first)} | {MiB(last)} (epoch {count}) | {MiB(last - first)} | {MiB(Med(runs.Select(r => r.Json.GetProperty("peak_rss").GetDouble())))} |");
            }
        sb.AppendLine();

        GroupedSection(lines, sb, peak);

        var mlpRate = Med(Values(lines, "lslab", "train", "mlp", "ex_per_s"));
        var gemmRate = Med(Values(lines, "lslab", "gemm", "1024^3", "gflops"));
        if (!double.IsNaN(mlpRate) && !double.IsNaN(gemmRate))
        {
            double gf = mlpRate * TrainFlops("mlp") / 1e9;
            sb.AppendLine("## MLP step against the matmul rate and the peak");
            sb.AppendLine();
            sb.AppendLine(inv, $"LsLab's MLP training step does {TrainFlops("mlp") / 1e6:F2} MFLOP per example (forward, weight gradients, and input gradients of layers 2–3; " +
                               $"6×params would be {6.0 * Cost("mlp").Params / 1e6:F2}). At {F0(mlpRate)} examples/s that is **{gf:F0} GFLOP/s**: " +
                               $"{100 * gf / gemmRate:F0}% of LsLab's measured 1024³ matmul rate ({gemmRate:F0} GFLOP/s) and {100 * gf / peak:F0}% of the measured peak ({F0(peak)} GFLOP/s).");
            sb.AppendLine();
        }
        return sb.ToString();
    }
}
