using System.CommandLine;
using System.Text;
using System.Text.Json;
using LsLab.Runs;
using LsLab.Training;
using Spectre.Console;

namespace LsLab.Cli.Commands;

/// <summary>`lslab runs list|show|export` and `lslab run-cell`: the run store of a reproduce output folder.</summary>
public static class RunsCommand
{
    static Option<string> StoreOption() => new("--store", "-s") { Description = "Run store: a folder holding store.db (the --out of reproduce) or postgresql://user@host[:port]/db.", DefaultValueFactory = _ => "out" };

    /// <summary>`--artifacts DIR`: the root of the run folders (default: runs/ beside a folder store; required with PostgreSQL to train).</summary>
    internal static Option<string?> ArtifactsOption() => new("--artifacts") { Description = "Root of the run folders (default: runs/ beside a folder store; needed with a PostgreSQL store to train or to show epochs)." };

    /// <summary>Opens an existing store (a folder without store.db is refused rather than created).</summary>
    internal static RunStore Open(string store, string? artifacts = null) => new(StoreLocation.Parse(store), artifacts, mustExist: true);

    /// <summary>The table of `runs list` / `runs watch`: state, owner, heartbeat age, attempts, epoch reached.</summary>
    static Table Render(RunStore s, string? experiment)
    {
        var t = new Table().AddColumn("id").AddColumn("kind").AddColumn("state").AddColumn("owner").AddColumn("heartbeat").AddColumn("attempts")
            .AddColumn("epoch").AddColumn("depends on").AddColumn("experiment").AddColumn("name").AddColumn("seconds").AddColumn("val acc");
        var now = s.ClockUtc();
        foreach (var r in s.List(experiment))
        {
            string acc = r.MetricsJson is null ? "" : JsonSerializer.Deserialize<EpochMetrics>(r.MetricsJson, AtomicFile.Json)!.ValidationAccuracy.ToString("P2");
            string owner = r.Owner is null ? "" : string.Join("@", r.Owner.Split('@').Take(2));
            string beat = r.Status == RunStatus.Running && r.HeartbeatUtc is DateTime hb
                ? $"{Math.Max(0, (now - hb).TotalSeconds):F0} s ago{((now - hb).TotalSeconds > r.LeaseSeconds ? " (expired)" : "")}" : "";
            t.AddRow(r.Id[..8], r.Kind, r.Status.ToString(), Markup.Escape(owner), beat, r.Attempts.ToString(), r.Status == RunStatus.Running ? EpochReached(r) : "",
                string.Join(" ", r.DependsOn.Select(d => d[..Math.Min(8, d.Length)])),
                Markup.Escape(r.Experiment), Markup.Escape(r.Name), r.Seconds.ToString("F0"), acc);
        }
        return t;
    }

    /// <summary>"done/total" epochs from the run folder's metrics.json, when the folder is visible here.</summary>
    static string EpochReached(RunRecord r)
    {
        if (!Path.IsPathRooted(r.Path)) return "";                 // no --artifacts: the folder is not known here
        try
        {
            var folder = new RunFolder(r.Path);
            int done = File.Exists(folder.MetricsPath) ? folder.ReadMetrics().EpochsDone : 0;
            int? total = RunSpec.FromJson(r.ConfigJson, r.Id).ClassifierOptions?.Epochs;
            return total is int n ? $"{done}/{n}" : done.ToString();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or LsLabException or JsonException) { return ""; }
    }

    public static Command Build()
    {
        var cmd = new Command("runs", "Inspect the run store of a sweep (a reproduce folder or a PostgreSQL database).");

        var store1 = StoreOption();
        var artifacts1 = ArtifactsOption();
        var experiment = new Option<string?>("--experiment", "-e") { Description = "Only runs of this experiment." };
        var list = new Command("list", "One line per cell: id, kind, state, owner, heartbeat age, attempts, epoch reached (running cells), dependencies, experiment, name, time, validation accuracy.") { store1, artifacts1, experiment };
        list.SetAction(p =>
        {
            using var s = Open(p.GetValue(store1)!, p.GetValue(artifacts1));
            // Piped output has no terminal width: give the table room instead of wrapping every cell.
            if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 240;
            AnsiConsole.Write(Render(s, p.GetValue(experiment)));
            return 0;
        });

        var storeW = StoreOption();
        var artifactsW = ArtifactsOption();
        var experimentW = new Option<string?>("--experiment", "-e") { Description = "Only runs of this experiment." };
        var interval = new Option<double>("--interval") { Description = "Seconds between refreshes.", DefaultValueFactory = _ => 2 };
        var once = new Option<bool>("--once") { Description = "Draw the table once and exit (scripts, tests)." };
        var watch = new Command("watch", "The `runs list` table, refreshed until every cell is done or failed (Ctrl-C to stop watching; the sweep goes on).") { storeW, artifactsW, experimentW, interval, once };
        watch.SetAction(p =>
        {
            using var s = Open(p.GetValue(storeW)!, p.GetValue(artifactsW));
            string? e = p.GetValue(experimentW);
            if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 240;
            bool Finished() => s.List(e).All(r => r.Status is RunStatus.Done or RunStatus.Failed);
            if (p.GetValue(once) || Console.IsOutputRedirected && Finished())
            {
                AnsiConsole.Write(Render(s, e));
                return 0;
            }
            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, a) => { a.Cancel = true; stop.Cancel(); };
            var delay = TimeSpan.FromSeconds(Math.Max(0.2, p.GetValue(interval)));
            AnsiConsole.Live(Render(s, e)).Start(ctx =>
            {
                while (!stop.IsCancellationRequested)
                {
                    ctx.UpdateTarget(Render(s, e));
                    ctx.Refresh();
                    if (Finished()) break;
                    stop.Token.WaitHandle.WaitOne(delay);
                }
            });
            return 0;
        });

        var store2 = StoreOption();
        var id = new Argument<string>("run") { Description = "Run id (or a unique prefix) or name." };
        var show = new Command("show", "Everything the store knows about one run.") { store2, id };
        show.SetAction(p =>
        {
            using var s = Open(p.GetValue(store2)!);
            var matches = s.Find(p.GetValue(id)!);
            if (matches.Count != 1) throw new LsLabException($"'{p.GetValue(id)}' matches {matches.Count} runs.");
            Console.WriteLine(JsonSerializer.Serialize(matches[0], AtomicFile.Json));
            return 0;
        });

        var store3 = StoreOption();
        var format = new Option<string>("--format", "-f") { Description = "csv or json.", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "json");
        var output = new Option<string?>("--output") { Description = "File to write (default: standard output)." };
        var export = new Command("export", "All runs as CSV or JSON.") { store3, format, output };
        export.SetAction(p =>
        {
            if (p.GetValue(output) is string outFile) OptionChecks.OutFile(outFile, "--output");
            using var s = Open(p.GetValue(store3)!);
            var runs = s.List();
            string text;
            if (p.GetValue(format) == "json") text = JsonSerializer.Serialize(runs, AtomicFile.Json);
            else
            {
                var sb = new StringBuilder("id,experiment,name,kind,status,depends_on,seconds,validation_accuracy,validation_loss,path\n");
                foreach (var r in runs)
                {
                    var m = r.MetricsJson is null ? null : JsonSerializer.Deserialize<EpochMetrics>(r.MetricsJson, AtomicFile.Json);
                    static string Q(string v) => "\"" + v.Replace("\"", "\"\"") + "\"";
                    sb.Append($"{r.Id},{Q(r.Experiment)},{Q(r.Name)},{r.Kind},{r.Status},{string.Join(" ", r.DependsOn)},{r.Seconds:F1},{m?.ValidationAccuracy:F6},{m?.ValidationLoss:F6},{Q(r.Path)}\n");
                }
                text = sb.ToString();
            }
            if (p.GetValue(output) is string file) AtomicFile.WriteAllText(file, text); else Console.Write(text);
            return 0;
        });

        cmd.Subcommands.Add(list);
        cmd.Subcommands.Add(watch);
        cmd.Subcommands.Add(show);
        cmd.Subcommands.Add(export);
        cmd.WithExamples("lslab runs list --store out", "lslab runs watch --store postgresql://lslab@db.example.org/sweep", "lslab runs show 3fa2 --store out", "lslab runs export --format json --output runs.json");
        return cmd;
    }

    /// <summary>`lslab run-cell --store DIR --cell ID`: train one registered run (one cell of a sweep), e.g. as one task of a job array.</summary>
    public static Command BuildRunCell()
    {
        var store = StoreOption();
        var artifacts = ArtifactsOption();
        var lease = WorkerCommand.LeaseOption();
        var cell = new Option<string>("--cell", "-c") { Description = "Run id (or unique prefix) or name, from `lslab runs list`.", Required = true };
        var quiet = Cli.QuietOption();
        var threads = Cli.ThreadsOption();
        var device = Cli.DeviceOption();
        var cmd = new Command("run-cell", "Train one cell (run) of a stored sweep; deterministic, safe to start on several machines sharing the folder.") { store, artifacts, cell, lease, quiet, threads, device };
        cmd.WithExamples("lslab run-cell --store /shared/out --cell 3fa2c1d09b7e4411",
            "sbatch --array=0-41 cell.sh   # cell.sh: lslab run-cell --store /shared/out --cell $(sed -n \"$((SLURM_ARRAY_TASK_ID+1))p\" cells.txt)");
        cmd.SetAction(p =>
        {
            Cli.InitializeEngine(p.GetValue(threads), p.GetValue(device));
            using var s = Open(p.GetValue(store)!, p.GetValue(artifacts));
            s.RequireArtifactRoot();
            try
            {
                bool ran = Runner.RunCell(s, p.GetValue(cell)!, ConsoleProgress.Create(p.GetValue(quiet)), WorkerCommand.CheckLease(p.GetValue(lease)));
                Console.WriteLine(ran ? "cell done" : "cell already done or held by a live lease elsewhere; nothing to do");
                return 0;
            }
            catch (CellWaitingException e)
            {
                // 75 (EX_TEMPFAIL): not an error of the user's, try again once the dependency is done.
                Console.Error.WriteLine($"waiting: {e.Message}");
                return 75;
            }
        });
        return cmd;
    }
}
