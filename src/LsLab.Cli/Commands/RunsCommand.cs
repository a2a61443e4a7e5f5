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
    static Option<string> StoreOption() => new("--store", "-s") { Description = "Output folder holding store.db (the --out of reproduce).", DefaultValueFactory = _ => "out" };

    static RunStore Open(string dir)
    {
        OptionChecks.Store(dir, "--store");
        if (!File.Exists(Path.Combine(dir, "store.db"))) throw new LsLabException($"{Path.GetFullPath(dir)}: no store.db here. Run `lslab reproduce --out {dir}` first.");
        return new RunStore(dir);
    }

    public static Command Build()
    {
        var cmd = new Command("runs", "Inspect the run store of a reproduce output folder.");

        var store1 = StoreOption();
        var experiment = new Option<string?>("--experiment", "-e") { Description = "Only runs of this experiment." };
        var list = new Command("list", "One line per cell: id, kind (classifier, student, translator), state, dependencies, experiment, name, time, validation accuracy.") { store1, experiment };
        list.SetAction(p =>
        {
            using var s = Open(p.GetValue(store1)!);
            var t = new Table().AddColumn("id").AddColumn("kind").AddColumn("state").AddColumn("depends on").AddColumn("experiment").AddColumn("name")
                .AddColumn("seconds").AddColumn("val acc");
            foreach (var r in s.List(p.GetValue(experiment)))
            {
                string acc = r.MetricsJson is null ? "" : JsonSerializer.Deserialize<EpochMetrics>(r.MetricsJson, AtomicFile.Json)!.ValidationAccuracy.ToString("P2");
                t.AddRow(r.Id[..8], r.Kind, r.Status.ToString(), string.Join(" ", r.DependsOn.Select(d => d[..Math.Min(8, d.Length)])),
                    Markup.Escape(r.Experiment), Markup.Escape(r.Name), r.Seconds.ToString("F0"), acc);
            }
            // Piped output has no terminal width: give the table room instead of wrapping every cell.
            if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 240;
            AnsiConsole.Write(t);
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
        cmd.Subcommands.Add(show);
        cmd.Subcommands.Add(export);
        cmd.WithExamples("lslab runs list --store out", "lslab runs show 3fa2 --store out", "lslab runs export --format json --output runs.json");
        return cmd;
    }

    /// <summary>`lslab run-cell --store DIR --cell ID`: train one registered run (one cell of a sweep), e.g. as one task of a job array.</summary>
    public static Command BuildRunCell()
    {
        var store = StoreOption();
        var cell = new Option<string>("--cell", "-c") { Description = "Run id (or unique prefix) or name, from `lslab runs list`.", Required = true };
        var quiet = Cli.QuietOption();
        var threads = Cli.ThreadsOption();
        var device = Cli.DeviceOption();
        var cmd = new Command("run-cell", "Train one cell (run) of a stored sweep; deterministic, safe to start on several machines sharing the folder.") { store, cell, quiet, threads, device };
        cmd.WithExamples("lslab run-cell --store /shared/out --cell 3fa2c1d09b7e4411",
            "sbatch --array=0-41 cell.sh   # cell.sh: lslab run-cell --store /shared/out --cell $(sed -n \"$((SLURM_ARRAY_TASK_ID+1))p\" cells.txt)");
        cmd.SetAction(p =>
        {
            Cli.InitializeEngine(p.GetValue(threads), p.GetValue(device));
            using var s = Open(p.GetValue(store)!);
            try
            {
                bool ran = Runner.RunCell(s, p.GetValue(cell)!, ConsoleProgress.Create(p.GetValue(quiet)));
                Console.WriteLine(ran ? "cell done" : "cell already done or running elsewhere; nothing to do");
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
