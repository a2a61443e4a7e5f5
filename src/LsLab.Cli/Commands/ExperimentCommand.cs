using System.CommandLine;
using LsLab.Experiments;
using LsLab.Native;
using LsLab.Training;
using Spectre.Console;
using Profile = LsLab.Experiments.Profile;
using Progress = LsLab.Training.Progress;

namespace LsLab.Cli.Commands;

/// <summary>`lslab experiment NAME`: run one experiment of the paper (one subcommand per catalog entry).</summary>
public static class ExperimentCommand
{
    public static Command Build()
    {
        var cmd = new Command("experiment", "Run one experiment of the paper and write its tables, figures and results.json.");
        foreach (var (name, description) in ExperimentCatalog.List())
        {
            var profile = new Option<Profile>("--profile", "-p") { Description = "Tiny (seconds, plumbing), Quick (embedded data, minutes), Full (installed data, paper-sized).", DefaultValueFactory = _ => Profile.Quick };
            var outDir = new Option<string>("--out", "-o") { Description = "Output folder.", DefaultValueFactory = _ => Path.Combine("out", "experiments", name) };
            var dataDir = new Option<string?>("--data-dir") { Description = "Folder with the data set's files (default: auto-discovery, then the embedded subset)." };
            var seed = new Option<int>("--seed") { Description = "Base seed.", DefaultValueFactory = _ => 0 };
            var runsDir = new Option<string?>("--runs-dir") { Description = "Folder of run folders to reuse and train into (default OUT/runs). A finished run whose folder is named as the experiment names it (e.g. fashion-mnist-resnet20-a0.1-e10-s0-aug, made by `lslab train --out`) is reused, not retrained." };
            var quiet = Cli.QuietOption();
            var group = Cli.GroupOption();
            var threads = Cli.ThreadsOption();
            var device = Cli.DeviceOption();
            var sub = new Command(name, description) { profile, outDir, dataDir, seed, runsDir, quiet, group, threads, device };
            sub.WithExamples($"lslab experiment {name}", $"lslab experiment {name} --profile full --out out/{name}-full",
                $"lslab experiment {name} --profile full --runs-dir runs   # reuse runs trained with `lslab train --out runs/NAME`");
            sub.SetAction(p =>
            {
                Cli.CheckOutDir(p.GetValue(outDir)!);
                if (p.GetValue(runsDir) is string rd) Cli.CheckOutDir(rd, "--runs-dir");
                Cli.InitializeEngine(p.GetValue(threads), p.GetValue(device));
                var ctx = ExperimentContext.Create(p.GetValue(outDir)!, p.GetValue(profile), ConsoleProgress.Create(p.GetValue(quiet)), p.GetValue(dataDir), p.GetValue(seed), p.GetValue(runsDir), group: p.GetValue(group));
                var result = ExperimentCatalog.Create(name).Run(ctx);
                Render(result);
                AnsiConsole.MarkupLine($"results: [blue]{Markup.Escape(Path.Combine(ctx.OutDir, "results.json"))}[/]");
                return 0;
            });
            cmd.Subcommands.Add(sub);
        }
        return cmd;
    }

    /// <summary>Prints an experiment's tables, claims and findings.</summary>
    public static void Render(ExperimentResult result)
    {
        AnsiConsole.Write(new Rule(Markup.Escape(result.Title)));
        foreach (var t in result.Tables)
        {
            var table = new Table().Title(Markup.Escape(t.Title));
            foreach (var c in t.Columns) table.AddColumn(Markup.Escape(c));
            foreach (var r in t.Rows) table.AddRow(r.Select(Markup.Escape).ToArray());
            if (t.Note is not null) table.Caption(Markup.Escape(t.Note));
            AnsiConsole.Write(table);
        }
        foreach (var c in result.Claims)
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(c.Verdict.ToString())}[/]: {Markup.Escape(c.Statement)} paper: {Markup.Escape(c.PaperValue)}; ours: {Markup.Escape(c.OurValue)} ({Markup.Escape(c.Why)})");
        foreach (var f in result.Findings) AnsiConsole.MarkupLine(Markup.Escape(f));
        foreach (var f in result.Figures) AnsiConsole.MarkupLine($"figure: {Markup.Escape(f.PngPath)}");
    }
}
