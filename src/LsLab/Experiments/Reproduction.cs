using System.Diagnostics;
using LsLab.Reporting;
using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Experiments;

/// <summary>
/// `lslab reproduce`: every experiment of the catalog, each training run through the shared run
/// store (so a restart after kill -9 redoes only what did not finish, and several processes can
/// share the work), then the report.
/// </summary>
public static class Reproduction
{
    /// <summary>What to reproduce; <paramref name="Store"/> is a folder or postgresql:// URL (default: OutDir), <paramref name="Artifacts"/> the run-folder root (default: beside a folder store, else OutDir/runs).</summary>
    public sealed record Options(string OutDir, Profile Profile, string? DataDir = null, IReadOnlyList<string>? Only = null, bool Quiet = false, int Seed = 0,
        string? Store = null, string? Artifacts = null, bool Group = false);

    /// <summary>The run store of a reproduction (the --out folder unless --store names another).</summary>
    public static RunStore OpenStore(Options o)
    {
        var location = StoreLocation.Parse(o.Store ?? o.OutDir);
        return new RunStore(location, o.Artifacts ?? (location.IsPostgres ? Path.Combine(o.OutDir, "runs") : null));
    }

    /// <summary>
    /// Registers every run the experiments can name up front as a cell in the store, without training,
    /// and writes OUT/cells.txt (one id per line) for a job array. Returns the ids.
    /// </summary>
    public static IReadOnlyList<string> Plan(Options o)
    {
        using var store = OpenStore(o);
        var ids = new List<string>();
        foreach (var name in Names(o))
        {
            using var runner = new Runner(store.ArtifactRoot!, Progress.None, store, o.DataDir) { Experiment = name };
            var ctx = new ExperimentContext(Path.Combine(o.OutDir, "experiments", name), o.Profile, runner, o.Seed);
            foreach (var spec in ExperimentCatalog.Create(name).Plan(ctx))
                foreach (var id in runner.Register(spec))
                    if (!ids.Contains(id)) ids.Add(id);
        }
        AtomicFile.WriteAllText(Path.Combine(o.OutDir, "cells.txt"), string.Join("\n", ids) + "\n");
        return ids;
    }

    /// <summary>One experiment's share of a profile's estimated cost: the runs it plans first (a run shared with an earlier experiment counts there).</summary>
    public sealed record CostRow(string Experiment, int Runs, double Seconds);

    /// <summary>
    /// The estimated wall seconds on one 2-core machine (<see cref="CostModel"/>) of every run the experiments plan, each run once:
    /// how a profile is sized to its budget before anything trains. Nothing is registered or written.
    /// </summary>
    public static IReadOnlyList<CostRow> Estimate(Options o)
    {
        var byExperiment = Planned(o).ToLookup(p => p.Experiment, p => p.Spec);
        return Names(o).Select(n => new CostRow(n, byExperiment[n].Count(), byExperiment[n].Sum(CostModel.Seconds))).ToList();
    }

    /// <summary>Every run the experiments plan, each once, with the experiment that plans it first (dependencies before their dependants).</summary>
    public static IReadOnlyList<(string Experiment, RunSpec Spec)> Planned(Options o)
    {
        var seen = new HashSet<string>();
        var planned = new List<(string, RunSpec)>();
        using var runner = new Runner(Path.Combine(Path.GetTempPath(), "lslab-estimate"), Progress.None, dataDir: o.DataDir);
        foreach (var name in Names(o))
        {
            var ctx = new ExperimentContext(Path.Combine(o.OutDir, "experiments", name), o.Profile, runner, o.Seed);
            planned.AddRange(Closure(ExperimentCatalog.Create(name).Plan(ctx)).Where(s => seen.Add(s.Id)).Select(s => (name, s)));
        }
        return planned;
    }

    static IEnumerable<RunSpec> Closure(IEnumerable<RunSpec> specs) => specs.SelectMany(s => Closure(s.Dependencies).Append(s));

    static List<string> Names(Options o)
    {
        var names = ExperimentCatalog.List().Select(e => e.Name)
            .Where(n => o.Only is null || o.Only.Count == 0 || o.Only.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
        if (o.Only is { Count: > 0 })
            foreach (var want in o.Only)
                if (!names.Contains(want, StringComparer.OrdinalIgnoreCase))
                    throw new LsLabException($"--only: unknown experiment '{want}'. Known: {string.Join(", ", ExperimentCatalog.List().Select(e => e.Name))}.");
        return names;
    }

    /// <summary>Runs the experiments and writes OUT/report; returns the results in catalog order.</summary>
    public static IReadOnlyList<ExperimentResult> Run(Options o, string command, IProgressReporter? progress = null)
    {
        progress ??= Progress.Lines(o.Quiet);
        var sw = Stopwatch.StartNew();
        var started = DateTime.UtcNow;
        var names = Names(o);
        using var store = OpenStore(o);
        var results = new List<ExperimentResult>();
        progress.Run($"reproduce ({o.Profile})", names.Count, overall =>
        {
            foreach (var name in names)
            {
                overall.Advance(0, $"{name}");
                var lap = Stopwatch.StartNew();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                using var runner = new Runner(store.ArtifactRoot!, progress, store, o.DataDir) { Experiment = name, Group = o.Group };
                var ctx = new ExperimentContext(Path.Combine(o.OutDir, "experiments", name), o.Profile, runner, o.Seed);
                var result = ExperimentCatalog.Create(name).Run(ctx);
                results.Add(result);
                overall.Log($"{name}: done in {lap.Elapsed.TotalMinutes:F1} min, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F0} CPU-s ({result.Claims.Count} claims, {result.Figures.Count} figures)");
                overall.Advance(1);
            }
        });
        Report.Write(Path.Combine(o.OutDir, "report"), results,
            new ReportInfo(o.Profile.ToString(), started, sw.Elapsed.TotalSeconds,
                $"{Environment.ProcessorCount} cores, {Native.MklOverride.CpuVendor()}, TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}", command));
        return results;
    }
}
