using System.CommandLine;
using LsLab.Experiments;
using LsLab.Native;
using LsLab.Runs;
using Spectre.Console;

namespace LsLab.Cli.Commands;

/// <summary>`lslab reproduce`: the whole paper in one command, resumable, with an HTML report.</summary>
public static class ReproduceCommand
{
    public static Command Build()
    {
        var profile = new Option<LsLab.Experiments.Profile>("--profile", "-p") { Description = "Quick (embedded data, < 15 min on 2 cores), Full (installed real data, larger sweeps, about 4 h on 2 cores; --plan prints the estimate), Tiny (seconds: plumbing only).", DefaultValueFactory = _ => LsLab.Experiments.Profile.Quick };
        var outDir = new Option<string>("--out", "-o") { Description = "Output folder: store.db, experiments/, report/.", DefaultValueFactory = _ => "out" };
        var only = new Option<string[]>("--only") { Description = "Run only these experiments (comma-separated or repeated)." };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder with data set files (default: auto-discovery)." };
        var seed = new Option<int>("--seed") { Description = "Base seed.", DefaultValueFactory = _ => 0 };
        var plan = new Option<bool>("--plan") { Description = "Only register the runs known up front as cells (OUT/cells.txt) for `lslab run-cell` on other machines; train nothing." };
        var storeOpt = new Option<string?>("--store") { Description = "Run store: a folder (store.db inside) or postgresql://user@host[:port]/db (default: the --out folder)." };
        var artifacts = new Option<string?>("--artifacts") { Description = "Root of the run folders (default: runs/ beside a folder store, else OUT/runs); workers must see the same folder." };
        var quiet = Cli.QuietOption();
        var group = Cli.GroupOption();
        var threads = Cli.ThreadsOption();
        var device = Cli.DeviceOption();
        var cmd = new Command("reproduce", "Run every experiment of the paper and write out/report/index.html (resumable: run it again after an interruption).")
        { profile, outDir, only, dataDir, seed, plan, storeOpt, artifacts, quiet, group, threads, device };
        cmd.WithExamples(
            "lslab reproduce                                  # quick profile, embedded data",
            "lslab reproduce --profile full --out out-full    # installed real data, hours; resumable",
            "lslab reproduce --only calibration,geometry",
            "lslab reproduce --profile full --out /shared/out --plan   # then run-cell per line of cells.txt (docs/scale-out.md)",
            "xdg-open out/report/index.html");
        cmd.SetAction(p =>
        {
            Cli.CheckOutDir(p.GetValue(outDir)!);
            OptionChecks.Store(p.GetValue(outDir)!, "--out");
            Cli.InitializeEngine(p.GetValue(threads), p.GetValue(device));
            var o = new Reproduction.Options(p.GetValue(outDir)!, p.GetValue(profile), p.GetValue(dataDir),
                (p.GetValue(only) ?? Array.Empty<string>()).SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
                p.GetValue(quiet), p.GetValue(seed), p.GetValue(storeOpt), p.GetValue(artifacts), Group: p.GetValue(group));
            if (p.GetValue(plan))
            {
                var ids = Reproduction.Plan(o);
                string where;
                using (var st = Reproduction.OpenStore(o)) where = st.DbPath;
                Console.WriteLine($"registered {ids.Count} cells in {where}; ids in {Path.GetFullPath(Path.Combine(o.OutDir, "cells.txt"))}");
                var cost = Reproduction.Estimate(o);
                static string Time(double s) => s >= 3600 ? $"{(int)(s / 3600)} h {(int)(s % 3600 / 60):D2} min" : s >= 60 ? $"{s / 60:F1} min" : $"{s:F0} s";
                var estimate = new Table().AddColumn("experiment").AddColumn("new runs", c => c.RightAligned()).AddColumn("estimated training time (2 cores)", c => c.RightAligned());
                foreach (var r in cost) estimate.AddRow(Markup.Escape(r.Experiment), r.Runs.ToString(), Time(r.Seconds));
                estimate.AddRow("[bold]all[/]", cost.Sum(r => r.Runs).ToString(), $"[bold]{Time(cost.Sum(r => r.Seconds))}[/]");
                AnsiConsole.Write(estimate);
                Console.WriteLine($"estimate: {Time(cost.Sum(r => r.Seconds))} of training on one 2-core machine, analysis not included (CostModel.cs: examples seen / this project's measured rates; ±30 %). Cells on several machines run in parallel.");
                Console.WriteLine("next: start `lslab worker --store STORE` processes (or `lslab run-cell --cell ID` per line), then `lslab reproduce` with the same options for the report.");
                return 0;
            }
            var results = Reproduction.Run(o, StoreLocation.RedactUrls("lslab " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1))), ConsoleProgress.Create(o.Quiet));
            using var store = Reproduction.OpenStore(o);
            var table = new Table().AddColumn("experiment").AddColumn("runs").AddColumn("train time").AddColumn("claims").AddColumn("verdicts");
            foreach (var r in results)
            {
                var runs = r.Runs.Select(store.Get).OfType<RunRecord>().ToList();
                table.AddRow(Markup.Escape(r.Name), $"{runs.Count(x => x.Status == RunStatus.Done)}/{runs.Count}", $"{runs.Sum(x => x.Seconds) / 60:F1} min",
                    r.Claims.Count.ToString(), Markup.Escape(string.Join(", ", r.Claims.GroupBy(c => c.Verdict).Select(g => $"{g.Count()} {g.Key}"))));
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"report: [blue]{Markup.Escape(Path.GetFullPath(Path.Combine(o.OutDir, "report", "index.html")))}[/]");
            return 0;
        });
        return cmd;
    }
}
