using System.Globalization;
using LsLab.Data;
using LsLab.Reporting;
using LsLab.Representations;
using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Experiments;

/// <summary>
/// The paper's Figure 1 analogue: template-plane projections for α=0 and α=0.1, train and test,
/// for three dissimilar and three semantically similar classes, with numbers that say whether the
/// clusters tighten under label smoothing.
/// </summary>
public sealed class GeometryExperiment : IExperiment
{
    /// <inheritdoc />
    public string Name => "geometry";

    static readonly double[] Alphas = { 0.0, 0.1 };

    static TrainOptions Options(ExperimentContext ctx, double alpha) => ctx.Profile switch
    {
        Profile.Tiny => new TrainOptions { Dataset = DatasetCatalog.Embedded, Model = "mlp-small", Alpha = alpha, Epochs = 1, TrainLimit = 600, Seed = ctx.Seed },
        Profile.Quick => new TrainOptions { Dataset = DatasetCatalog.Embedded, Model = "mlp", Alpha = alpha, Epochs = 5, Seed = ctx.Seed },
        _ => new TrainOptions { Dataset = "fashion-mnist", Model = "resnet20", Alpha = alpha, Epochs = 10, Augment = true, Seed = ctx.Seed, DataDir = ctx.DataDir },
    };

    /// <inheritdoc />
    public IReadOnlyList<RunSpec> Plan(ExperimentContext ctx) => Alphas.Select(a => (RunSpec)new ClassifierRun(Options(ctx, a))).ToList();

    /// <inheritdoc />
    public ExperimentResult Analyse(ExperimentContext ctx, TrainedRuns trained)
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
        var runs = Alphas.ToDictionary(a => a, a => trained[new ClassifierRun(Options(ctx, a))].Folder);
        int numClasses = 0;
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
                numClasses = data.Train.NumClasses;
                foreach (var (split, ds) in new[] { ("train", data.Train), ("test", data.Test) })
                {
                    var view = GeometryAnalysis.Analyse(model, ds, split, ids, perClass);
                    measures[(tripleName, alpha, split)] = view.Measures;
                    panels.Add(ProjectionPlot.Panel(view, $"{(alpha == 0 ? "without LS" : $"with LS (α={alpha.ToString(CultureInfo.InvariantCulture)})")}, {split}"));
                    var m = view.Measures;
                    rows.Add(new[] { tripleName, string.Join(", ", names), alpha.ToString(CultureInfo.InvariantCulture), split,
                        m.TightnessPlane.ToString("F4"), m.TightnessTemplateSpan.ToString("F4"), m.TightnessFull.ToString("F4"), m.WrongTemplateSpread.ToString("F4"), m.WrongLogitSpread.ToString("F4"), m.MeanNorm.ToString("F2") });
                    (string, object)[] at = { ("classes", tripleName), ("alpha", alpha), ("split", split) };
                    result.Set("tightness_full", m.TightnessFull, at);
                    result.Set("wrong_template_cv", m.WrongTemplateSpread, at);
                    result.Set("wrong_logit_spread", m.WrongLogitSpread, at);
                    result.Set("tightness_plane", m.TightnessPlane, at);
                    result.Set("mean_norm", m.MeanNorm, at);
                    result.Set("tightness_span", m.TightnessTemplateSpan, at);
                }
            }
            var (png, svg) = Figures.SaveGrid(panels, 2, 2, Path.Combine(ctx.OutDir, $"projection-{tripleName}"), 460, 420);
            result.Figures.Add(new ReportFigure($"Template-plane projection, {tripleName} classes ({string.Join(", ", names)})", svg, png,
                $"Rows: without / with label smoothing; columns: train / test; {perClass} examples per class. Diamonds are the class templates (weights with bias)."));
        }
        result.Tables.Add(new ReportTable("Cluster measures (lower tightness = tighter clusters relative to their separation; lower CV = more equidistant from the wrong-class templates)",
            new[] { "classes", "names", "α", "split", "tightness (plane)", "tightness (template span)", "tightness (full space)", "wrong-template distance CV", "wrong-logit spread / gap", "mean ‖x‖" }, rows,
            "Tightness = mean within-class squared distance to the centroid / mean squared distance between centroids; plane = the 2-D projection shown, template span = the affine span of all class templates (what the logits see), full = all penultimate dimensions. Wrong-logit spread = mean std of the wrong-class logits / mean gap to the true logit."));

        var cases = triples.SelectMany(t => new[] { "train", "test" }.Select(split => (Triple: t.Item1, Split: split))).ToArray();
        int Lower(Func<GeometryMeasures, double> f) => cases.Count(c => f(measures[(c.Triple, 0.1, c.Split)]) < f(measures[(c.Triple, 0.0, c.Split)]));
        static Verdict Of(int hits, int total) => hits == total ? Verdict.Reproduced : hits > 0 ? Verdict.Partly : Verdict.NotReproduced;
        string Pair(string t, string split, Func<GeometryMeasures, double> f) => $"{f(measures[(t, 0.0, split)]):F3} → {f(measures[(t, 0.1, split)]):F3}";
        string Pairs(Func<GeometryMeasures, double> f) => string.Join("; ", cases.Select(c => $"{c.Triple} {c.Split} {Pair(c.Triple, c.Split, f)}"));
        int n = cases.Length;
        int plane = Lower(m => m.TightnessPlane), span = Lower(m => m.TightnessTemplateSpan), full = Lower(m => m.TightnessFull);
        int cv = Lower(m => m.WrongTemplateSpread), logit = Lower(m => m.WrongLogitSpread), norm = Lower(m => m.MeanNorm);

        // Reproduced only when the clusters tighten both in the plane the paper shows and in the full penultimate space.
        result.Claims.Add(new Claim("With label smoothing, penultimate activations form tight clusters around their templates (Figure 1).",
            "qualitative (figure only)", "tightness α=0 → α=0.1, plane: " + Pairs(m => m.TightnessPlane) + "; template span: " + Pairs(m => m.TightnessTemplateSpan) + "; full space: " + Pairs(m => m.TightnessFull),
            plane == n && full == n ? Verdict.Reproduced : plane + full > 0 ? Verdict.Partly : Verdict.NotReproduced,
            $"tighter with LS in the plane in {plane} of {n} (class triple, split) cases; in the span of all templates in {span} of {n}; in the full penultimate space in {full} of {n}"));
        result.Claims.Add(new Claim("Label smoothing makes each example (nearly) equidistant from the templates of all wrong classes.",
            "qualitative", "CV of distances to wrong templates α=0 → α=0.1: " + Pairs(m => m.WrongTemplateSpread) + ". Wrong-logit spread / gap: " + Pairs(m => m.WrongLogitSpread),
            cv == n && logit == n ? Verdict.Reproduced : cv + logit > 0 ? Verdict.Partly : Verdict.NotReproduced,
            $"distance CV lower with LS in {cv} of {n} cases, norm-free wrong-logit spread lower in {logit} of {n}"));
        result.Claims.Add(new Claim("Label smoothing keeps the activations on a bounded scale; hard targets let them grow (Figure 1's axes).",
            "qualitative", "mean ‖x‖ α=0 → α=0.1: " + Pairs(m => m.MeanNorm),
            Of(norm, n), $"mean activation norm lower with LS in {norm} of {n} cases"));
        result.Findings.Add($"In the plane of the three templates (the paper's figure), clusters are tighter relative to their separation with label smoothing in {plane} of {n} cases " +
            $"(similar classes Shirt, T-shirt/top, Pullover, test: {Pair("similar", "test", m => m.TightnessPlane)}; dissimilar Trouser, Bag, Sneaker, test: {Pair("dissimilar", "test", m => m.TightnessPlane)}).");
        result.Findings.Add($"Beyond the plane: in the span of all {numClasses} templates (everything the logits see) tighter in {span} of {n} " +
            $"(similar test {Pair("similar", "test", m => m.TightnessTemplateSpan)}, dissimilar test {Pair("dissimilar", "test", m => m.TightnessTemplateSpan)}); " +
            $"in the full penultimate space, which adds directions orthogonal to every template that no training target constrains, tighter in {full} of {n} " +
            $"(similar test {Pair("similar", "test", m => m.TightnessFull)}, dissimilar test {Pair("dissimilar", "test", m => m.TightnessFull)}).");
        result.Findings.Add($"Equidistance from the wrong templates: distance CV lower with LS in {cv} of {n}, norm-free wrong-logit spread lower in {logit} of {n}; mean activation norm lower with LS in {norm} of {n}.");
        return result;
    }
}
