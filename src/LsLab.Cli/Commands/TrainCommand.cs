using System.CommandLine;
using LsLab.Models;
using LsLab.Native;
using LsLab.Training;

namespace LsLab.Cli.Commands;

/// <summary>`lslab train`: train a classifier with label smoothing into a run folder.</summary>
public static class TrainCommand
{
    public static Command Build()
    {
        var models = string.Join(", ", ModelRegistry.List().Select(m => m.Name));
        var shared = new TrainOptionSet();
        var model = new Option<string>("--model", "-m") { Description = $"Model name: {models}.", DefaultValueFactory = _ => "mlp" };
        var alpha = new Option<double>("--alpha", "-a") { Description = "Label smoothing α in [0,1): targets y(1−α)+α/K (PyTorch semantics).", DefaultValueFactory = _ => 0.0 };
        var trackMi = new Option<bool>("--track-mi") { Description = "After every epoch, record the mutual information I(X;Y) (see `lslab mi`) in metrics.json as \"mi\"." };
        var miClasses = new Option<string>("--mi-classes") { Description = "Classes for --track-mi, by index or name.", DefaultValueFactory = _ => "0,1" };
        var miN = new Option<int>("--mi-n") { Description = "Examples N for --track-mi (half per class).", DefaultValueFactory = _ => 600 };
        var miDraws = new Option<int>("--mi-draws") { Description = "Augmented draws L per example for --track-mi.", DefaultValueFactory = _ => 5 };

        var cmd = new Command("train",
            "Train a classifier with label smoothing into a run folder (config, checkpoints, metrics, model).")
        {
            model, alpha, trackMi, miClasses, miN, miDraws,
        };
        shared.AddTo(cmd);
        cmd.WithExamples(
            "lslab train --model mlp --alpha 0.1 --epochs 3 --out runs/mlp-ls",
            "lslab train --dataset fashion-mnist --model resnet20 --alpha 0.1 --epochs 10 --augment --out runs/r20-ls",
            "lslab train --model resnet20 --alpha 0.1 --epochs 10 --augment --out runs/r20-ls --resume   # after an interruption",
            "lslab train --model mlp --alpha 0.1 --epochs 10 --track-mi --mi-classes 0,1 --out runs/mlp-ls-mi   # mutual information per epoch");
        cmd.SetAction(p =>
        {
            shared.InitializeEngine(p);
            var o = shared.Read(p, p.GetValue(model)!, p.GetValue(alpha), new TrainOptions());
            string dir = p.GetValue(shared.Out)!;
            var run = new Runs.RunFolder(dir);
            TrainOptionSet.RequireNewOrResume(dir, p.GetValue(shared.Resume));
            var data = TrainingRun.LoadData(o);
            using (data)
            {
                Console.WriteLine($"data: {data.Train.Name} from {data.Train.Source}: {data.Train.Count} train / {data.Validation.Count} validation / {data.Test.Count} test, {data.Train.NumClasses} classes");
                Information.MiTracker? tracker = null;
                if (p.GetValue(trackMi))
                {
                    // MiSettings names `lslab mi`'s options; here they are --mi-classes, --mi-n, --mi-draws.
                    tracker = OptionChecks.Renamed(() =>
                    {
                        var (a, b) = Information.MiSettings.ParseClasses(p.GetValue(miClasses)!, data.Train.ClassNames);
                        return new Information.MiTracker(data.Train, new Information.MiSettings(a, b, p.GetValue(miN), p.GetValue(miDraws), o.Seed));
                    }, ("--classes", "--mi-classes"), ("--n", "--mi-n"), ("--draws", "--mi-draws"));
                }
                using var trackerScope = tracker;
                var state = TrainingRun.Execute(o, dir, ConsoleProgress.Create(p.GetValue(shared.Quiet)), onEpochEnd: tracker is null ? null : tracker.OnEpochEnd, data: data);
                var last = state.History[^1];
                Console.WriteLine($"done: {state.EpochsDone} epochs in {state.TotalSeconds:F0}s; validation accuracy {last.ValidationAccuracy:P2}, NLL {last.ValidationLoss:F4}. Run folder: {run.Path}");
                if (tracker is not null)
                    Console.WriteLine("mutual information (nats) per epoch: " + string.Join("  ", Information.MiTracker.Curve(state).Select(c => $"e{c.Epoch}:{c.Mi:F3}")) +
                                      $"  (log 2 = {Math.Log(2):F3}, log N = {Math.Log(tracker.Settings.Examples):F3})");
                Console.WriteLine($"next: lslab evaluate --run {dir}");
            }
            return 0;
        });
        return cmd;
    }
}
