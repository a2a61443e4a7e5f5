using System.CommandLine;
using LsLab.Calibration;
using LsLab.Reporting;
using LsLab.Runs;
using Spectre.Console;

namespace LsLab.Cli.Commands;

/// <summary>`lslab calibrate`: ECE, NLL, Brier before and after temperature scaling, for a run or any saved logits.</summary>
public static class CalibrateCommand
{
    public static Command Build()
    {
        var run = new Option<string?>("--run", "-r") { Description = "Run folder: fit T on its validation split, report on its test split (the run is evaluated first when needed)." };
        var logits = new Option<string?>("--logits") { Description = "Logits or probabilities [N,K] as .npy, .npz (--key) or .csv (probabilities are detected)." };
        var labels = new Option<string?>("--labels") { Description = "Labels [N] as .npy or .csv." };
        var fitLogits = new Option<string?>("--fit-logits") { Description = "Held-out logits to fit the temperature on (default: the evaluation set itself, which is optimistic)." };
        var fitLabels = new Option<string?>("--fit-labels") { Description = "Labels of --fit-logits." };
        var bins = new Option<int>("--bins") { Description = "Equal-width bins for ECE and the diagram.", DefaultValueFactory = _ => 15 };
        var resamples = new Option<int>("--bootstrap") { Description = "Bootstrap resamples for the ECE confidence interval.", DefaultValueFactory = _ => 200 };
        var input = new Option<InputKind>("--input") { Description = "What the matrices hold: auto (rows ≥ 0 summing to 1 ± 1e-3 are probabilities; rows off by up to 0.05 are refused as rounded probabilities), logits, or probs (renormalised if they sum to 1 ± 0.05).", DefaultValueFactory = _ => InputKind.Auto };
        input.CustomParser = CalibrateToolkit.ParseInputKind;
        var outDir = new Option<string?>("--out", "-o") { Description = "Folder for calibration.json and the reliability diagrams (default: RUN/calibration or ./calibration)." };
        var cmd = new Command("calibrate", "Calibration before and after temperature scaling: accuracy, NLL, Brier, ECE with a 95% bootstrap interval, and reliability diagrams. With --method: a leaderboard of every calibrator.")
        { run, logits, labels, fitLogits, fitLabels, input, bins, resamples, outDir };
        var toolkit = CalibrateToolkit.AddOptions(cmd);
        cmd.Subcommands.Add(CalibrateToolkit.BuildApply());
        cmd.WithExamples(
            "lslab calibrate --run runs/r20",
            "lslab calibrate --logits test_logits.npy --labels test_labels.npy --fit-logits val_logits.npy --fit-labels val_labels.npy",
            "lslab calibrate --logits test.npy --labels y.npy --fit-logits val.npy --fit-labels val_y.npy --method all --out cal/",
            "lslab calibrate --logits test.npy --labels y.npy --cv 5 --method temperature,dirichlet,isotonic --format csv",
            "lslab calibrate --logits val.npy --labels val_y.npy --method dirichlet --save cal.json && lslab calibrate apply --calibrator cal.json --logits new.npy --out probs.npy",
            "python3 -c \"import numpy as np; np.save('logits.npy', model_logits); np.save('labels.npy', y)\"   # from PyTorch");
        cmd.SetAction(p =>
        {
            if (p.GetValue(run) is not null && p.GetValue(logits) is not null)
                throw new LsLabException("--run and --logits cannot be used together: give --run DIR (its evaluation files), or --logits FILE with --labels FILE.");
            if (p.GetValue(run) is null && toolkit.Requested(p))
                return CalibrateToolkit.Run(p, toolkit, logits, labels, fitLogits, fitLabels, input, bins, resamples, outDir);
            LogitsFile eval;
            LogitsFile? fit = null;
            string dir;
            if (p.GetValue(run) is string r)
            {
                var folder = new RunFolder(r);
                // The run's own predictions (evaluated now when not cached): fit on validation, report on test.
                var predictions = Training.Evaluation.Predict(folder, "validation", "test");
                eval = predictions["test"].Values;
                fit = predictions["validation"].Values;
                dir = p.GetValue(outDir) ?? Path.Combine(folder.Path, "calibration");
            }
            else
            {
                var lg = p.GetValue(logits) ?? throw new LsLabException("give --run DIR, or --logits FILE with --labels FILE.");
                var lb = p.GetValue(labels) ?? throw new LsLabException("--labels is required with --logits.");
                eval = CalibrationInputs.Load(lg, lb, p.GetValue(input), p.GetValue(toolkit.Key), p.GetValue(toolkit.LabelsKey));
                if (p.GetValue(fitLogits) is string fl)
                    fit = CalibrationInputs.Load(fl, p.GetValue(fitLabels) ?? throw new LsLabException("--fit-labels is required with --fit-logits."), p.GetValue(input), p.GetValue(toolkit.Key), p.GetValue(toolkit.LabelsKey));
                dir = p.GetValue(outDir) ?? "calibration";
            }
            var (before, after, ts) = CalibrationAnalysis.BeforeAfter(eval, fit, p.GetValue(bins), p.GetValue(resamples));
            if (eval.WereProbabilities) AnsiConsole.MarkupLine("[grey]input treated as probabilities (log p used as logits; --input logits to override)[/]");
            if (fit is null) AnsiConsole.MarkupLine("[yellow]T was fitted on the evaluation set itself (no --fit-logits): the 'after' numbers are optimistic.[/]");
            int m = p.GetValue(bins);
            // Short value columns so the full estimator names fit in 80 columns without wrapping.
            var t = new Table().Title($"{eval.Labels.Length} predictions, {eval.K} classes").AddColumn(new TableColumn("metric").NoWrap())
                .AddColumn(new TableColumn("before TS").RightAligned()).AddColumn(new TableColumn("after TS").RightAligned());
            void Row(string name, string before, string after) => t.AddRow(Markup.Escape(name), Markup.Escape(before), Markup.Escape(after));
            Row("temperature T", "1", ts.Temperature.ToString("F3"));
            Row("accuracy", before.Accuracy.ToString("P2"), after.Accuracy.ToString("P2"));
            Row("NLL", before.Nll.ToString("F4"), after.Nll.ToString("F4"));
            Row("Brier (sum over classes)", before.Brier.ToString("F4"), after.Brier.ToString("F4"));
            Row(new CalibrationSettings(m).Name, before.Ece.ToString("F4"), after.Ece.ToString("F4"));
            Row("  95% bootstrap interval", $"[{before.EceLower:F3}, {before.EceUpper:F3}]", $"[{after.EceLower:F3}, {after.EceUpper:F3}]");
            Row(new CalibrationSettings(m, Norm: GapNorm.Max).Name, before.Mce.ToString("F4"), after.Mce.ToString("F4"));
            Row(new CalibrationSettings(m, Binning.EqualMass).Name, before.AdaptiveEce.ToString("F4"), after.AdaptiveEce.ToString("F4"));
            Row(new CalibrationSettings(m, ClassWise: true).Name, before.ClasswiseEce.ToString("F4"), after.ClasswiseEce.ToString("F4"));
            AnsiConsole.Write(t);
            Directory.CreateDirectory(dir);
            AtomicFile.WriteJson(Path.Combine(dir, "calibration.json"), new { before, after, temperature = ts.Temperature, fittedOn = fit is null ? "evaluation set" : "fit set" });
            ReliabilityPlot.Single(before.Bins, "uncalibrated", before.Ece, Path.Combine(dir, "reliability-uncalibrated"));
            ReliabilityPlot.Single(after.Bins, $"temperature-scaled (T = {ts.Temperature:F2})", after.Ece, Path.Combine(dir, "reliability-temperature-scaled"));
            ReliabilityPlot.Compare(new[] { ("uncalibrated", (IReadOnlyList<ReliabilityBin>)before.Bins, before.Ece), ("temperature-scaled", after.Bins, after.Ece) },
                "Reliability", Path.Combine(dir, "reliability-compare"));
            AnsiConsole.MarkupLine($"written: [blue]{Markup.Escape(Path.GetFullPath(dir))}[/] (calibration.json, reliability-*.png/.svg)");
            return 0;
        });
        return cmd;
    }
}
