using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Experiments;

/// <summary>How big an experiment runs: quick (embedded data, minutes) or full (installed data, paper-sized sweeps).</summary>
public enum Profile { Quick, Full, Tiny }

/// <summary>
/// What an experiment gets to do its work: where to write, how big, how to report progress, and
/// one way to train (so `reproduce` can record, reuse and distribute every training run).
/// </summary>
public sealed class ExperimentContext
{
    public ExperimentContext(string outDir, Profile profile, IProgressReporter progress)
    {
        OutDir = Path.GetFullPath(outDir);
        Profile = profile;
        Progress = progress;
    }

    /// <summary>Folder for this experiment's outputs (figures, results.json, run folders).</summary>
    public string OutDir { get; }
    public Profile Profile { get; }
    public IProgressReporter Progress { get; }
    /// <summary>Data folder passed by the user (null = auto-discovery / embedded default).</summary>
    public string? DataDir { get; init; }
    public int Seed { get; init; }

    /// <summary>
    /// Trains (or reuses, or resumes) a classifier run named <c>name</c> under OutDir/runs/.
    /// `reproduce` replaces this to record each run in its store; the default trains directly.
    /// </summary>
    public Func<string, TrainOptions, ITrainingObjective?, RunFolder> Trainer { get; init; } = null!;

    /// <summary>Trains (or reuses) run <paramref name="name"/> through <see cref="Trainer"/>.</summary>
    public RunFolder Train(string name, TrainOptions options, ITrainingObjective? objective = null) => Trainer(name, options, objective);

    /// <summary>Folder holding run folders; `reproduce` shares one across experiments so identical runs are trained once.</summary>
    public string RunsDir { get; init; } = "";

    /// <summary>Folder of a run by name (whether or not it exists yet).</summary>
    public RunFolder RunFolderFor(string name) => new(Path.Combine(RunsDir.Length > 0 ? RunsDir : Path.Combine(OutDir, "runs"), name));

    /// <summary>Trains (or reuses) the run for these options under its canonical name.</summary>
    public RunFolder Train(TrainOptions options, ITrainingObjective? objective = null) => Train(options.RunName(), options, objective);

    /// <summary>The default trainer: train into OutDir/runs/name, resuming when interrupted.</summary>
    public RunFolder TrainDirect(string name, TrainOptions options, ITrainingObjective? objective)
    {
        var run = RunFolderFor(name);
        TrainingRun.Execute(options with { DataDir = options.DataDir ?? DataDir }, run.Path, Progress, objective);
        return run;
    }

    /// <summary>A context with the default trainer.</summary>
    public static ExperimentContext Create(string outDir, Profile profile, IProgressReporter progress, string? dataDir = null, int seed = 0, string? runsDir = null)
    {
        var ctx = new ExperimentContext(outDir, profile, progress) { DataDir = dataDir, Seed = seed, RunsDir = runsDir is null ? "" : Path.GetFullPath(runsDir) };
        return ctx.WithTrainer(ctx.TrainDirect);
    }

    /// <summary>Copy of this context with another training function.</summary>
    public ExperimentContext WithTrainer(Func<string, TrainOptions, ITrainingObjective?, RunFolder> train) =>
        new(OutDir, Profile, Progress) { DataDir = DataDir, Seed = Seed, Trainer = train, RunsDir = RunsDir };

    /// <summary>Copy of this context writing into a sub-folder.</summary>
    public ExperimentContext Sub(string name) =>
        new(Path.Combine(OutDir, name), Profile, Progress) { DataDir = DataDir, Seed = Seed, Trainer = Trainer, RunsDir = RunsDir };
}

/// <summary>The paper's verdict scale for one claim.</summary>
public enum Verdict { Reproduced, Partly, NotReproduced, Inconclusive }

/// <summary>One claim of the paper, the paper's number (labelled as theirs), ours, and the verdict with its reason.</summary>
public sealed record Claim(string Statement, string PaperValue, string OurValue, Verdict Verdict, string Why)
{
    /// <summary>The statistics behind the verdict (kind, metric, estimate, interval, margin, seeds); null for claims not yet on the statistics layer.</summary>
    public Statistics.ClaimEvidence? Evidence { get; init; }
}

/// <summary>A table for the report: header and rows of already-formatted cells.</summary>
public sealed record ReportTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, string? Note = null);

/// <summary>A figure written by an experiment: an SVG (inlined in the HTML report) and a PNG.</summary>
public sealed record ReportFigure(string Title, string SvgPath, string PngPath, string Caption);

/// <summary>Everything an experiment found; saved as results.json and rendered into the report.</summary>
public sealed record ExperimentResult(string Name, string Title)
{
    public List<ReportTable> Tables { get; init; } = new();
    public List<ReportFigure> Figures { get; init; } = new();
    public List<Claim> Claims { get; init; } = new();
    /// <summary>Key numbers by name, e.g. "ece.baseline" → 0.031, for tests and the run store.</summary>
    public Dictionary<string, double> Numbers { get; init; } = new();
    /// <summary>Free-text findings, one paragraph each (say plainly what did or did not reproduce).</summary>
    public List<string> Findings { get; init; } = new();

    public void Save(string dir) => AtomicFile.WriteJson(Path.Combine(dir, "results.json"), this);
    public static ExperimentResult Load(string dir) => AtomicFile.ReadJson<ExperimentResult>(Path.Combine(dir, "results.json"));
}

/// <summary>An experiment of the paper: runs its trainings through the context and returns its result.</summary>
public interface IExperiment
{
    /// <summary>Short name used in commands and folders, e.g. "calibration".</summary>
    string Name { get; }
    ExperimentResult Run(ExperimentContext context);

    /// <summary>
    /// The label-smoothing training runs the experiment will ask for, known before it starts, so
    /// `reproduce --plan` can register them as cells for other machines (`run-cell`). Runs that
    /// depend on earlier results (e.g. students of a teacher) may be left out: they run in-process.
    /// </summary>
    IEnumerable<TrainOptions> PlannedRuns(ExperimentContext context) => Array.Empty<TrainOptions>();
}
