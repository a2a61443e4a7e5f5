using System.Globalization;
using LsLab.Data;
using LsLab.Reporting;
using LsLab.Representations;
using LsLab.Training;

namespace LsLab.Experiments;

/// <summary>
/// The paper's Figure 1 analogue: template-plane projections for α=0 and α=0.1, train and test,
/// for three dissimilar and three semantically similar classes, with numbers that say whether the
/// clusters tighten under label smoothing.
/// </summary>
public sealed class GeometryExperiment : IExperiment
{
    public string Name => "geometry";

    static readonly double[] Alphas = { 0.0, 0.1 };

    static TrainOptions Options(ExperimentContext ctx, double alpha) => ctx.Profile switch
    {
        Profile.Tiny => new TrainOptions { Dataset = DatasetCatalog.Embedded, Model = "mlp-small", Alpha = alpha, Epochs = 1, TrainLimit = 600, Seed = ctx.Seed },
        Profile.Quick => new TrainOptions { Dataset = DatasetCatalog.Embedded, Model = "mlp", Alpha = alpha, Epochs = 5, Seed = ctx.Seed },
        _ => new TrainOptions { Dataset = "fashion-mnist", Model = "resnet20", Alpha = alpha, Epochs = 15, Augment = true, Seed = ctx.Seed, DataDir = ctx.DataDir },
    };

    public IEnumerable<TrainOptions> PlannedRuns(ExperimentContext ctx) => Alphas.Select(a => Options(ctx, a));

    public ExperimentResult Run(ExperimentContext ctx)
    {
        var triples = new[]
        {
            ("dissimilar", new[] { "Trouser", "Bag", "Sneaker" }),
            ("similar", new[] { "Shirt", "T-shirt/top", "Pullover" }),
        };
        int perClass = ctx.Profile == Profile.Tiny ? 30 : 100;
        var result = new ExperimentResult(Name, "Penultimate-layer geometry: projection onto the plane of three class templates (Figure 1 analogue)");
        var rows = new List<IReadOnlyList<string>>();
        var measures = new Dictionary<(string Triple, double Alpha, string Split), GeometryMeasures>();
        var runs = Alphas.ToDictionary(a => a, a => ctx.Train(Options(ctx, a)));
        foreach (var (tripleName, names) in triples)
        {
            var panels = new List<ScottPlot.Plot>();
            foreach (var alpha in Alphas)
            {
                var run = runs[alpha];
                var o = run.ReadConfig();
                using var data = TrainingRun.LoadData(o);
                using var model = TrainingRun.LoadModel(run, data.Train);
                var ids = GeometryAnalysis.ParseClasses(string.Join(",", names), data.Train.ClassNames);
                foreach (var (split, ds) in new[] { ("train", data.Train), ("test", data.Test) })
                {
                    var view = GeometryAnalysis.Analyse(model, ds, split, ids, perClass);
                    measures[(tripleName, alpha, split)] = view.Measures;
                    panels.Add(ProjectionPlot.Panel(view, $"{(alpha == 0 ? "without LS" : $"with LS (α={alpha.ToString(CultureInfo.InvariantCulture)})")}, {split}"));
                    var m = view.Measures;
                    rows.Add(new[] { tripleName, string.Join(", ", names), alpha.ToString(CultureInfo.InvariantCulture), split,
                        m.TightnessPlane.ToString("F4"), m.TightnessFull.ToString("F4"), m.WrongTemplateSpread.ToString("F4"), m.MeanNorm.ToString("F2") });
                    result.Numbers[$"{tripleName}.a{alpha.ToString(CultureInfo.InvariantCulture)}.{split}.tightness_full"] = m.TightnessFull;
                    result.Numbers[$"{tripleName}.a{alpha.ToString(CultureInfo.InvariantCulture)}.{split}.wrong_template_cv"] = m.WrongTemplateSpread;
                }
            }
            var (png, svg) = Figures.SaveGrid(panels, 2, 2, Path.Combine(ctx.OutDir, $"projection-{tripleName}"), 460, 420);
            result.Figures.Add(new ReportFigure($"Template-plane projection, {tripleName} classes ({string.Join(", ", names)})", svg, png,
                $"Rows: without / with label smoothing; columns: train / test; {perClass} examples per class. Diamonds are the class templates (weights with bias)."));
        }
        result.Tables.Add(new ReportTable("Cluster measures (lower tightness = tighter clusters relative to their separation; lower CV = more equidistant from the wrong-class templates)",
            new[] { "classes", "names", "α", "split", "tightness (plane)", "tightness (full space)", "wrong-template distance CV", "mean ‖x‖" }, rows,
            "Tightness = mean within-class squared distance to the centroid / mean squared distance between centroids."));

        int tighter = 0, tighterPlane = 0, total = 0, equi = 0;
        foreach (var (t, _) in triples)
            foreach (var split in new[] { "train", "test" })
            {
                total++;
                if (measures[(t, 0.1, split)].TightnessFull < measures[(t, 0.0, split)].TightnessFull) tighter++;
                if (measures[(t, 0.1, split)].TightnessPlane < measures[(t, 0.0, split)].TightnessPlane) tighterPlane++;
                if (measures[(t, 0.1, split)].WrongTemplateSpread < measures[(t, 0.0, split)].WrongTemplateSpread) equi++;
            }
        string Pair(string t, string split, Func<GeometryMeasures, double> f) => $"{f(measures[(t, 0.0, split)]):F3} → {f(measures[(t, 0.1, split)]):F3}";
        result.Claims.Add(new Claim("With label smoothing, penultimate activations form tight clusters around their templates (Figure 1).",
            "qualitative (figure only)",
            "tightness α=0 → α=0.1, plane: " + string.Join("; ", triples.SelectMany(t => new[] { "train", "test" }.Select(s => $"{t.Item1} {s} {Pair(t.Item1, s, m => m.TightnessPlane)}"))) +
            "; full space: " + string.Join("; ", triples.SelectMany(t => new[] { "train", "test" }.Select(s => $"{t.Item1} {s} {Pair(t.Item1, s, m => m.TightnessFull)}"))),
            tighter == total && tighterPlane == total ? Verdict.Reproduced : tighter + tighterPlane > 0 ? Verdict.Partly : Verdict.NotReproduced,
            $"tighter with LS in {tighterPlane} of {total} (class triple, split) cases in the template plane (the paper's view) and in {tighter} of {total} in the full penultimate space"));
        result.Claims.Add(new Claim("Label smoothing makes each example (nearly) equidistant from the templates of all wrong classes.",
            "qualitative", "CV of distances to wrong templates α=0 → α=0.1: " + string.Join("; ", triples.SelectMany(t => new[] { "train", "test" }.Select(s => $"{t.Item1} {s} {Pair(t.Item1, s, m => m.WrongTemplateSpread)}"))),
            equi == total ? Verdict.Reproduced : equi > 0 ? Verdict.Partly : Verdict.NotReproduced,
            $"distances more equal with LS in {equi} of {total} cases"));
        result.Findings.Add($"Tightness (within/between) is lower with label smoothing in {tighterPlane} of {total} cases in the template plane and in {tighter} of {total} in the full penultimate space; the spread of distances to wrong-class templates is lower in {equi} of {total}. " +
            $"Similar classes (Shirt, T-shirt/top, Pullover), test split: tightness {Pair("similar", "test", m => m.TightnessFull)}; dissimilar (Trouser, Bag, Sneaker), test: {Pair("dissimilar", "test", m => m.TightnessFull)}.");
        result.Save(ctx.OutDir);
        return result;
    }
}
