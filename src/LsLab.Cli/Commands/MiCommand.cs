using System.CommandLine;
using System.Globalization;
using LsLab.Information;
using LsLab.Native;
using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Cli.Commands;

/// <summary>`lslab mi`: the paper's mutual information between example index and a logit difference, for a trained run.</summary>
public static class MiCommand
{
    public static Command Build()
    {
        var runDir = new Option<string>("--run", "-r") { Description = "Run folder made by `lslab train` or `lslab distill`.", Required = true };
        var classes = new Option<string>("--classes", "-c") { Description = "Two classes, by index or name, e.g. 0,1 or \"T-shirt/top,Trouser\".", Required = true };
        var n = new Option<int>("--n") { Description = "Examples N (half from each class, the first ones of the training split).", DefaultValueFactory = _ => 600 };
        var draws = new Option<int>("--draws", "-L") { Description = "Augmented draws L per example for μ_x and σ².", DefaultValueFactory = _ => 5 };
        var seed = new Option<int>("--seed") { Description = "Seed of the augmentation draws.", DefaultValueFactory = _ => 0 };
        var threads = Cli.ThreadsOption();
        var device = Cli.DeviceOption();
        var cmd = new Command("mi",
            "Mutual information I(X;Y) between X = index of one of N training examples of two classes and Y = the difference of those " +
            "classes' logits under random augmentation (shifts, and flips where the data allow), with the paper's Gaussian estimator. " +
            "In nats; bounded by log N; about log 2 when only the class is left. Writes eval/mi-A-B.json.")
        { runDir, classes, n, draws, seed, threads, device };
        cmd.WithExamples(
            "lslab mi --run runs/mlp-ls --classes 0,1",
            "lslab mi --run runs/mlp-ls --classes \"Pullover,Coat\" --n 600 --draws 5",
            "lslab train --model mlp --alpha 0.1 --epochs 10 --track-mi --mi-classes 0,1 --out runs/mlp-ls-mi   # MI after every epoch");
        cmd.SetAction(p =>
        {
            Cli.InitializeEngine(p.GetValue(threads), p.GetValue(device));
            var run = new RunFolder(OptionChecks.InDir(p.GetValue(runDir)!, "--run"));
            var o = run.ReadConfig();
            using var data = TrainingRun.LoadData(o);
            var (a, b) = MiSettings.ParseClasses(p.GetValue(classes)!, data.Train.ClassNames);
            var settings = new MiSettings(a, b, p.GetValue(n), p.GetValue(draws), p.GetValue(seed)).Validate(data.Train.NumClasses);
            using var model = TrainingRun.LoadModel(run, data.Train);
            using var probe = LogitDifferenceProbe.Create(data.Train, settings);
            var e = probe.Measure(model);
            var path = run.Combine("eval", $"mi-{a}-{b}.json");
            AtomicFile.WriteJson(path, new { classA = a, classB = b, nameA = data.Train.ClassNames[a], nameB = data.Train.ClassNames[b], settings, estimate = e });
            var inv = CultureInfo.InvariantCulture;
            var rows = new List<(string, string)>
            {
                ("classes", $"{a} ({data.Train.ClassNames[a]}) vs {b} ({data.Train.ClassNames[b]})"),
                ("N, L", $"{e.Examples}, {e.Draws}"),
                ("Î (nats)", e.Mi.ToString("F4", inv)),
                ("Î fresh / in-sample draw", $"{e.MiFresh.ToString("F4", inv)} / {e.MiInSample.ToString("F4", inv)}"),
                ("log 2, log N", $"{Math.Log(2).ToString("F4", inv)}, {e.UpperBound.ToString("F4", inv)}"),
                ("σ² (pooled)", e.Sigma2.ToString("G4", inv)),
                ("saved", path),
            };
            if (File.Exists(run.MetricsPath) && MiTracker.Curve(run.ReadMetrics()) is { Count: > 0 } curve)
                rows.Add(("tracked during training", string.Join("  ", curve.Select(c => $"e{c.Epoch}:{c.Mi.ToString("F3", inv)}"))));
            Cli.PrintTable($"{run.Path} — mutual information", rows);
            return 0;
        });
        return cmd;
    }
}
