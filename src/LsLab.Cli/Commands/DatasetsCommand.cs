using System.CommandLine;
using LsLab.Data;
using Spectre.Console;

namespace LsLab.Cli.Commands;

/// <summary>`lslab datasets`: which data sets are available and where they were found.</summary>
public static class DatasetsCommand
{
    public static Command Build()
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "Also look in this folder." };
        var cmd = new Command("datasets",
            "List the data sets LsLab knows, whether they were found, and where.")
        { dataDir };
        cmd.WithExamples(
            "lslab datasets",
            "sudo apt-get install dataset-fashion-mnist   # then fashion-mnist is the full 60k/10k set",
            "lslab datasets --data-dir ~/data/kmnist");
        cmd.SetAction(p =>
        {
            var table = new Table().AddColumn("data set").AddColumn("found").AddColumn("where / how to get it");
            foreach (var d in DatasetCatalog.List(p.GetValue(dataDir)))
                table.AddRow(Markup.Escape(d.Name), d.Found ? "[green]yes[/]" : "[yellow]no[/]", Markup.Escape(d.Location));
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }
}
