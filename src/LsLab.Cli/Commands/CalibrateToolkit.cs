using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using LsLab.Calibration;
using LsLab.Data;
using LsLab.Reporting;
using LsLab.Runs;

namespace LsLab.Cli.Commands;

/// <summary>
/// The calibration toolkit behind `lslab calibrate --method …` (leaderboard, --save) and `lslab calibrate apply`.
/// Kept apart from CalibrateCommand so the `--run` path there stays as it is.
/// </summary>
public static class CalibrateToolkit
{
    /// <summary>The toolkit's options on `lslab calibrate`.</summary>
    public sealed class Options
    {
        public readonly Option<string?> Method = new("--method", "-m") { Description = "Calibrators: 'all' or a comma list (temperature, vector, matrix, dirichlet, dirichlet-l2, dirichlet-diag, ets, histogram, histogram-classwise, isotonic, scaling-binning; platt, beta for K = 2). Prints a leaderboard." };
        public readonly Option<int> Cv = new("--cv") { Description = "Without --fit-logits: fit each calibrator on k−1 folds of the evaluation set and evaluate on the held-out fold (cross-fitting).", DefaultValueFactory = _ => 0 };
        public readonly Option<string> Format = new("--format") { Description = "Leaderboard output on stdout: table, json or csv.", DefaultValueFactory = _ => "table" };
        public readonly Option<string?> Save = new("--save") { Description = "Write the fitted calibrator (one --method) to this JSON file (type, parameters, fit settings, SHA-256 of the fit data, checksum)." };
        public readonly Option<string> Compat = new("--compat") { Description = "Binned estimators as another library computes them: lslab (default), torchmetrics, netcal or sklearn (bins, bin edges, binary input).", DefaultValueFactory = _ => "lslab" };
        public readonly Option<string?> Key = new("--key") { Description = "Array name inside a .npz given to --logits / --fit-logits." };
        public readonly Option<string?> LabelsKey = new("--labels-key") { Description = "Array name inside a .npz given to --labels / --fit-labels (default: the only array, or 'labels')." };
        public readonly Option<double?> Lambda = new("--lambda") { Description = "Fixed regularisation strength for matrix/Dirichlet (default: chosen by cross-validation on the fit split along ∞, 10, 1, 0.1, 0.01; ∞ = diagonal W, or temperature scaling for dirichlet-l2)." };
        public readonly Option<int> RegFolds = new("--reg-folds") { Description = "Folds of the cross-validation that picks λ on the fit split.", DefaultValueFactory = _ => 3 };
        public readonly Option<string> Band = new("--band") { Description = "Band on the reliability diagrams: consistency (Bröcker & Smith 2007) or bootstrap.", DefaultValueFactory = _ => "consistency" };
        public readonly Option<int> Seed = new("--seed") { Description = "Seed of folds, bootstrap and bands.", DefaultValueFactory = _ => 0 };

        /// <summary>Any toolkit option given (so the leaderboard path runs instead of the before/after TS table).</summary>
        public bool Requested(ParseResult p) =>
            p.GetValue(Method) is not null || p.GetValue(Cv) != 0 || p.GetValue(Save) is not null || p.GetValue(Format) != "table" || p.GetValue(Compat) != "lslab";
    }

    public static Options AddOptions(Command cmd)
    {
        var o = new Options();
        foreach (var opt in new Option[] { o.Method, o.Cv, o.Format, o.Save, o.Compat, o.Key, o.LabelsKey, o.Lambda, o.RegFolds, o.Band, o.Seed }) cmd.Options.Add(opt);
        return o;
    }

    /// <summary>--input: auto, logits, probs (or probabilities).</summary>
    public static InputKind ParseInputKind(ArgumentResult r)
    {
        var v = r.Tokens.Count > 0 ? r.Tokens[0].Value.ToLowerInvariant() : "auto";
        switch (v)
        {
            case "auto": return InputKind.Auto;
            case "logits": return InputKind.Logits;
            case "probs" or "probabilities" or "prob": return InputKind.Probabilities;
            default:
                r.AddError($"--input must be auto, logits or probs, got '{v}'.");
                return InputKind.Auto;
        }
    }

    static CompatMode ParseCompat(string s) => s.ToLowerInvariant() switch
    {
        "lslab" or "none" or "" => CompatMode.None,
        "torchmetrics" => CompatMode.Torchmetrics,
        "netcal" => CompatMode.Netcal,
        "sklearn" or "scikit-learn" => CompatMode.Sklearn,
        _ => throw new LsLabException($"--compat must be lslab, torchmetrics, netcal or sklearn, got '{s}'."),
    };

    public static int Run(ParseResult p, Options t, Option<string?> logits, Option<string?> labels, Option<string?> fitLogits, Option<string?> fitLabels,
        Option<InputKind> input, Option<int> bins, Option<int> resamples, Option<string?> outDir)
    {
        var lg = p.GetValue(logits) ?? throw new LsLabException("give --logits FILE with --labels FILE (or --run DIR without the toolkit options).");
        var lb = p.GetValue(labels) ?? throw new LsLabException("--labels is required with --logits.");
        var format = (p.GetValue(t.Format) ?? "table").ToLowerInvariant();
        if (format is not ("table" or "json" or "csv")) throw new LsLabException($"--format must be table, json or csv, got '{format}'.");
        var compat = ParseCompat(p.GetValue(t.Compat) ?? "lslab");
        var band = (p.GetValue(t.Band) ?? "consistency").ToLowerInvariant();
        if (band is not ("consistency" or "bootstrap")) throw new LsLabException($"--band must be consistency or bootstrap, got '{band}'.");
        int cv = p.GetValue(t.Cv);
        if (cv == 1 || cv < 0) throw new LsLabException($"--cv must be 0 (off) or ≥ 2 folds, got {cv}.");
        var eval = CalibrationInputs.Load(lg, lb, p.GetValue(input), p.GetValue(t.Key), p.GetValue(t.LabelsKey));
        LogitsFile? fit = null;
        if (p.GetValue(fitLogits) is string fl)
        {
            if (cv != 0) throw new LsLabException("--cv and --fit-logits cannot be used together: cross-fitting uses the evaluation set itself.");
            fit = CalibrationInputs.Load(fl, p.GetValue(fitLabels) ?? throw new LsLabException("--fit-labels is required with --fit-logits."), p.GetValue(input), p.GetValue(t.Key), p.GetValue(t.LabelsKey));
            if (fit.K != eval.K) throw new LsLabException($"{fl}: {fit.K} classes but {lg} has {eval.K}.");
        }
        else if (p.GetValue(fitLabels) is not null) throw new LsLabException("--fit-labels needs --fit-logits.");
        var methods = CalibratorFactory.Parse(p.GetValue(t.Method) ?? "temperature", eval.K);
        int resamplesValue = p.GetValue(resamples);
        if (resamplesValue < 0 || resamplesValue == 1) throw new LsLabException($"--bootstrap must be 0 (no intervals) or ≥ 2, got {resamplesValue}.");
        bool binsGiven = p.GetResult(bins) is { Implicit: false };
        var copt = new CalibratorOptions(CvFolds: p.GetValue(t.RegFolds), Lambda: p.GetValue(t.Lambda), Seed: p.GetValue(t.Seed));
        var opts = new LeaderboardOptions(methods, binsGiven ? p.GetValue(bins) : null, resamplesValue, 0.95, p.GetValue(t.Seed), compat, cv, copt);
        var save = p.GetValue(t.Save);
        if (save is not null && methods.Length != 1)
            throw new LsLabException($"--save writes one calibrator: give exactly one --method (got {methods.Length}: {string.Join(",", methods)}).");

        void Note(string s) => Console.Error.WriteLine(s);
        if (eval.WereProbabilities) Note($"{lg}: input treated as probabilities (log p used as logits; --input logits to override)");
        if (fit is null && cv == 0) Note("calibrators are fitted on the evaluation set itself (no --fit-logits, no --cv): the numbers are optimistic.");
        var result = CalibrationLeaderboard.Run(eval, fit, opts, format == "table" ? (Action<string>)(s => Note("  " + s)) : null);
        switch (format)
        {
            case "json": Console.Out.WriteLine(JsonSerializer.Serialize(result, AtomicFile.Json)); break;
            case "csv": Console.Out.Write(result.ToCsv()); break;
            default: Console.Out.Write(result.ToText()); break;
        }
        if (p.GetValue(outDir) is string dir)
        {
            var (json, csv) = result.Write(dir);
            var files = new List<string> { json, csv };
            files.AddRange(Diagrams(result, dir, band, p.GetValue(t.Seed)));
            Note($"written: {string.Join(", ", files.Select(Path.GetFileName))} in {Path.GetFullPath(dir)}");
        }
        if (save is not null)
        {
            var fs = fit ?? eval;
            var cal = CalibratorFactory.Fit(methods[0], fs.Logits, fs.K, fs.Labels, copt);
            var settings = new Dictionary<string, string>
            {
                ["fitLogits"] = fit is null ? lg : p.GetValue(fitLogits)!,
                ["fittedOn"] = fit is null ? "evaluation set" : "fit set",
                ["input"] = fs.WereProbabilities ? "probabilities" : "logits",
                ["regFolds"] = copt.CvFolds.ToString(CultureInfo.InvariantCulture),
                ["seed"] = copt.Seed.ToString(CultureInfo.InvariantCulture),
            };
            CalibratorFile.Save(save, cal, fs.Logits, fs.K, fs.Labels, settings);
            Note($"saved: {save} ({cal.Describe()}; fit {cal.Report?.Status ?? "ok"})");
        }
        // A fit that did nothing must not look like a success.
        return result.Rows.Any(r => r.Fit is { NoOp: true }) && methods.Length == 1 ? 3 : 0;
    }

    /// <summary>Reliability diagrams: all calibrators on one figure, a banded diagram for the uncalibrated model and the best-ECE calibrator, smooth-ECE curves.</summary>
    static IEnumerable<string> Diagrams(LeaderboardResult r, string dir, string band, int seed)
    {
        var rows = r.Rows.Where(x => x.Bins.Count > 0).ToList();
        var files = new List<string>();
        var compare = ReliabilityPlot.CompareWithHistogram(rows.Select(x => (x.Method, (IReadOnlyList<ReliabilityBin>)x.Bins, x.Values["ece"])).ToList(),
            "Reliability of every calibrator (histogram: uncalibrated confidences)", Path.Combine(dir, "reliability-all"));
        files.Add(compare.Png);
        var bestEce = r.Best.TryGetValue("ece", out var b) ? b : null;
        foreach (var row in rows.Where(x => x.Method == "uncalibrated" || x.Method == bestEce).DistinctBy(x => x.Method))
        {
            int bins = row.Bins.Count;
            var bb = band == "bootstrap"
                ? ReliabilityBands.Bootstrap(row.Confidences, row.Correct, bins, seed: seed)
                : ReliabilityBands.Consistency(row.Confidences, bins, seed: seed);
            files.Add(ReliabilityPlot.WithBand(row.Bins, bb, row.Method, row.Values["ece"], Path.Combine(dir, $"reliability-{row.Method}")).Png);
        }
        files.Add(ReliabilityPlot.SmoothCurves(rows.Where(x => x.Smooth is not null).Select(x => (x.Method, x.Smooth!)).ToList(), Path.Combine(dir, "smooth-ece")).Png);
        return files;
    }

    /// <summary>`lslab calibrate apply --calibrator cal.json --logits new.npy --out probs.npy`.</summary>
    public static Command BuildApply()
    {
        var calibrator = new Option<string>("--calibrator", "-c") { Description = "A calibrator file written by `lslab calibrate --save`.", Required = true };
        var logits = new Option<string>("--logits") { Description = "Logits or probabilities [N,K] (.npy, .npz with --key, .csv).", Required = true };
        var key = new Option<string?>("--key") { Description = "Array name inside a .npz." };
        var input = new Option<InputKind>("--input") { Description = "auto, logits or probs.", DefaultValueFactory = _ => InputKind.Auto, CustomParser = ParseInputKind };
        var output = new Option<string>("--out", "-o") { Description = "Calibrated probabilities [N,K]: .npy (float64) or .csv.", Required = true };
        var cmd = new Command("apply", "Apply a saved calibrator to new logits and write the calibrated probabilities.") { calibrator, logits, key, input, output };
        cmd.WithExamples("lslab calibrate apply --calibrator cal.json --logits new_logits.npy --out probs.npy");
        cmd.SetAction(p =>
        {
            var path = p.GetValue(calibrator)!;
            var (cal, body) = CalibratorFile.Load(path);
            var lp = p.GetValue(logits)!;
            var (z, rows, k, probs) = CalibrationInputs.LoadUnlabelled(lp, p.GetValue(input), p.GetValue(key));
            if (body.Settings.TryGetValue("k", out var ks) && ks != k.ToString(CultureInfo.InvariantCulture))
                throw new LsLabException($"{lp}: {k} columns, but {path} was fitted on {ks} classes.");
            if (body.Settings.TryGetValue("input", out var fitInput) && (fitInput == "probabilities") != probs)
                Console.Error.WriteLine($"note: {path} was fitted on {fitInput}, {lp} holds {(probs ? "probabilities" : "logits")} (both are used as logits = log p; check this is intended).");
            var prob = cal.TransformProbabilities(z, k);
            var o = p.GetValue(output)!;
            if (o.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
                AtomicFile.WriteAllText(o, string.Join("\n", Enumerable.Range(0, rows).Select(r => string.Join(",", prob.AsSpan(r * k, k).ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture))))) + "\n");
            else Npy.Write(o, prob, rows, k);
            Console.Out.WriteLine($"{rows} rows × {k} classes calibrated by {body.Type} ({body.Description}) → {o}");
            return 0;
        });
        return cmd;
    }
}
