using System.CommandLine;
using LsLab.Reporting;
using LsLab.Representations;
using LsLab.Runs;
using Spectre.Console;

namespace LsLab.Cli.Commands;

/// <summary>`lslab project`: the paper's template-plane projection of penultimate activations, with cluster measures.</summary>
public static class ProjectCommand
{
    public static Command Build()
    {
        var run = new Option<string>("--run", "-r") { Description = "Run folder made by `lslab train`.", Required = true };
        var classes = new Option<string>("--classes", "-c") { Description = "Three classes by index or name, e.g. 0,1,2 or \"Shirt,T-shirt/top,Pullover\".", Required = true };
        var split = new Option<string>("--split", "-s") { Description = "train, validation or test.", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("train", "validation", "test");
        var perClass = new Option<int>("--per-class") { Description = "Examples per class (the paper used 100).", DefaultValueFactory = _ => 100 };
        var noBias = new Option<bool>("--no-bias") { Description = "Use weights only as templates (default: weights and bias, with 1 appended to activations, as in the paper)." };
        var outDir = new Option<string?>("--out", "-o") { Description = "Folder for the figure and measures (default RUN/projection)." };
        var cmd = new Command("project", "Project penultimate activations of three classes onto the plane through their class templates; print cluster measures.")
        { run, classes, split, perClass, noBias, outDir };
        cmd.WithExamples(
            "lslab project --run runs/r20-ls --classes \"Shirt,T-shirt/top,Pullover\"",
            "lslab project --run runs/r20-ls --classes 1,7,8 --split train");
        cmd.SetAction(p =>
        {
            Native.Engine.Initialize();
            var folder = new RunFolder(OptionChecks.InDir(p.GetValue(run)!, "--run"));
            if (p.GetValue(outDir) is string od) Cli.CheckOutDir(od);
            var o = folder.ReadConfig();
            using var data = Training.TrainingRun.LoadData(o);
            var ids = GeometryAnalysis.ParseClasses(p.GetValue(classes)!, data.Train.ClassNames);
            using var model = Training.TrainingRun.LoadModel(folder, data.Train);
            var ds = p.GetValue(split) switch { "train" => data.Train, "validation" => data.Validation, _ => data.Test };
            var view = GeometryAnalysis.Analyse(model, ds, p.GetValue(split)!, ids, p.GetValue(perClass), !p.GetValue(noBias));
            var dir = p.GetValue(outDir) ?? Path.Combine(folder.Path, "projection");
            var name = $"{p.GetValue(split)}-{string.Join("-", ids)}";
            var (png, _) = ProjectionPlot.Save(view, $"{o.Model}, α={o.Alpha}, {p.GetValue(split)}", Path.Combine(dir, name));
            AtomicFile.WriteJson(Path.Combine(dir, name + ".json"), view.Measures);
            var m = view.Measures;
            Cli.PrintTable($"{string.Join(", ", view.ClassNames)} — {m.Split}, {m.Examples} examples", new[]
            {
                ("tightness in the plane (within / between, lower = tighter)", m.TightnessPlane.ToString("F4")),
                ("tightness in the span of all class templates (what the logits see)", m.TightnessTemplateSpan.ToString("F4")),
                ("tightness in the full penultimate space", m.TightnessFull.ToString("F4")),
                ("spread of distances to wrong templates (CV, lower = more equidistant)", m.WrongTemplateSpread.ToString("F4")),
                ("spread of wrong-class logits / logit gap (lower = more equidistant, norm-free)", m.WrongLogitSpread.ToString("F4")),
                ("mean activation norm", m.MeanNorm.ToString("F3")),
                ("figure", png),
            });
            return 0;
        });
        return cmd;
    }
}
