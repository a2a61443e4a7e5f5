using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Experiments;

/// <summary>How big an experiment runs: quick (embedded data, minutes) or full (installed data, paper-sized sweeps).</summary>
public enum Profile
{
    /// <summary>Embedded data, a few epochs: minutes.</summary>
    Quick,
    /// <summary>Installed data and paper-sized sweeps with several seeds: hours.</summary>
    Full,
    /// <summary>Seconds, to check the plumbing; every verdict is Inconclusive.</summary>
    Tiny,
}

/// <summary>
/// What an experiment gets to do its work: where to write, how big, and the <see cref="Runs.Runner"/>
/// that trains its runs (locally, or through `reproduce`'s run store so every run is a recorded cell).
/// </summary>
public sealed class ExperimentContext
{
    /// <summary>A context writing into <paramref name="outDir"/> and training through <paramref name="runner"/>.</summary>
    public ExperimentContext(string outDir, Profile profile, Runner runner, int seed = 0)
    {
        OutDir = Path.GetFullPath(outDir);
        Profile = profile;
        Runner = runner;
        Seed = seed;
    }

    /// <summary>Folder for this experiment's outputs (figures, results.json).</summary>
    public string OutDir { get; }
    /// <summary>How big the experiment runs.</summary>
    public Profile Profile { get; }
    /// <summary>Trains the experiment's runs (and knows where they live).</summary>
    public Runner Runner { get; }
    /// <summary>First seed of every run (a full profile adds seeds after it).</summary>
    public int Seed { get; }
    /// <summary>Where the experiment reports how far it got (the runner's reporter).</summary>
    public IProgressReporter Progress => Runner.Progress;
    /// <summary>Data folder passed by the user (null = auto-discovery / embedded default).</summary>
    public string? DataDir => Runner.DataDir;

    /// <summary>A context training directly (no store) into <paramref name="runsDir"/> (default OUT/runs).</summary>
    public static ExperimentContext Create(string outDir, Profile profile, IProgressReporter progress, string? dataDir = null, int seed = 0, string? runsDir = null, bool group = false) =>
        new(outDir, profile, new Runner(runsDir ?? Path.Combine(outDir, "runs"), progress, dataDir: dataDir) { Group = group }, seed);

    /// <summary>Copy of this context writing into a sub-folder.</summary>
    public ExperimentContext Sub(string name) => new(Path.Combine(OutDir, name), Profile, Runner, Seed);
}

/// <summary>The runs of an experiment's plan, trained, looked up by spec.</summary>
public sealed class TrainedRuns
{
    readonly Runner runner;
    readonly Dictionary<string, TrainedRun> byId = new();

    TrainedRuns(Runner runner) => this.runner = runner;

    /// <summary>Trains every spec of <paramref name="plan"/> (dependencies first, each once; compatible runs as groups unless the runner says not).</summary>
    public static TrainedRuns Train(Runner runner, IEnumerable<RunSpec> plan)
    {
        var runs = new TrainedRuns(runner);
        foreach (var r in runner.TrainAll(plan)) runs.byId[r.Spec.Id] = r;
        return runs;
    }

    /// <summary>The trained run of <paramref name="spec"/>; a spec that was not in the plan is a bug in the experiment.</summary>
    public TrainedRun this[RunSpec spec] => byId.TryGetValue(runner.Resolve(spec).Id, out var r) ? r
        : throw new InvalidOperationException($"{spec.Name} is not in the experiment's plan: Plan and Analyse disagree.");

    /// <summary>Ids of every run trained for the plan, dependencies included.</summary>
    public IEnumerable<string> Ids => byId.Keys.Concat(byId.Values.SelectMany(r => Dependencies(r.Spec))).Distinct();

    static IEnumerable<string> Dependencies(RunSpec spec) => spec.Dependencies.SelectMany(d => Dependencies(d).Prepend(d.Id));
}

/// <summary>The paper's verdict scale for one claim.</summary>
public enum Verdict
{
    /// <summary>Our evidence supports the claim.</summary>
    Reproduced,
    /// <summary>The direction reproduces but not the size: the interval lies below half the paper's effect.</summary>
    Partly,
    /// <summary>Our evidence contradicts the claim.</summary>
    NotReproduced,
    /// <summary>The evidence cannot decide (interval too wide, or a tiny profile).</summary>
    Inconclusive,
}

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
    /// <summary>Tables for the report, in order.</summary>
    public List<ReportTable> Tables { get; init; } = new();
    /// <summary>Figures for the report, in order.</summary>
    public List<ReportFigure> Figures { get; init; } = new();
    /// <summary>The paper's claims this experiment checks, each with its verdict.</summary>
    public List<Claim> Claims { get; init; } = new();
    /// <summary>Key numbers by <see cref="Key"/>, e.g. "ece/alpha=0.1/ts=true" → 0.031, for tests, JSON readers and the report.</summary>
    public Dictionary<string, double> Numbers { get; init; } = new();

    /// <summary>
    /// The one way numbers are named: the metric, then each setting as name=value (numbers in invariant
    /// culture), joined by '/': <c>Key("accuracy", ("model", "mlp"), ("alpha", 0.1))</c> = "accuracy/model=mlp/alpha=0.1".
    /// </summary>
    public static string Key(string metric, params (string Name, object Value)[] at) =>
        string.Join("/", at.Select(a => $"{a.Name}={Format(a.Value)}").Prepend(metric));

    static string Format(object v) => v switch
    {
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    /// <summary>Records a number under <see cref="Key"/>(metric, at).</summary>
    public void Set(string metric, double value, params (string Name, object Value)[] at) => Numbers[Key(metric, at)] = value;
    /// <summary>Free-text findings, one paragraph each (say plainly what did or did not reproduce).</summary>
    public List<string> Findings { get; init; } = new();
    /// <summary>Ids of the runs (cells) the result rests on, dependencies included.</summary>
    public List<string> Runs { get; init; } = new();

    /// <summary>Writes results.json into <paramref name="dir"/> (atomically).</summary>
    public void Save(string dir) => AtomicFile.WriteJson(Path.Combine(dir, "results.json"), this);
    /// <summary>Reads the results.json a previous run wrote into <paramref name="dir"/> (the report can be rebuilt without training).</summary>
    public static ExperimentResult Load(string dir) => AtomicFile.ReadJson<ExperimentResult>(Path.Combine(dir, "results.json"));
}

/// <summary>
/// An experiment of the paper as two functions: <see cref="Plan"/> names every run it needs (known
/// before anything trains, so `reproduce --plan` can hand them to other machines), and
/// <see cref="Analyse"/> turns the trained runs into tables, figures and claims.
/// </summary>
public interface IExperiment
{
    /// <summary>Short name used in commands and folders, e.g. "calibration".</summary>
    string Name { get; }
    /// <summary>Every run the experiment needs, for the context's profile.</summary>
    IReadOnlyList<RunSpec> Plan(ExperimentContext context);
    /// <summary>What the trained runs show.</summary>
    ExperimentResult Analyse(ExperimentContext context, TrainedRuns runs);
}

/// <summary>Running an experiment: train its plan through the context's runner, analyse, save results.json.</summary>
public static class ExperimentRunning
{
    /// <summary>The tiny profile checks plumbing only: wherever it runs, its numbers decide nothing.</summary>
    static ExperimentResult SmokeRun(ExperimentResult r) => r with
    {
        Claims = r.Claims.Select(c => c with { Verdict = Verdict.Inconclusive, Why = Statistics.Verdicts.SmokeWhy }).ToList(),
    };

    /// <summary>Trains the plan through the context's runner, analyses it and saves results.json; a tiny profile's verdicts are all Inconclusive.</summary>
    public static ExperimentResult Run(this IExperiment experiment, ExperimentContext context)
    {
        var runs = TrainedRuns.Train(context.Runner, experiment.Plan(context));
        var result = experiment.Analyse(context, runs) with { Runs = runs.Ids.ToList() };
        result.Claims.ForEach(Statistics.Verdicts.CheckConsistent);
        if (context.Profile == Profile.Tiny) result = SmokeRun(result);
        Directory.CreateDirectory(context.OutDir);
        result.Save(context.OutDir);
        return result;
    }
}
