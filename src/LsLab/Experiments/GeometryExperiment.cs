using System.Globalization;
using LsLab.Data;
using LsLab.Reporting;
using LsLab.Representations;
using LsLab.Runs;
using LsLab.Statistics;
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

    /// <summary>
    /// The networks projected: the mutual-information experiment's, trained without regularisers until they fit their
    /// training subset (issue 14 §2: Figure 1 is about converged networks; short regularised runs do not show its shapes).
    /// </summary>
    static ClassifierRun Run(ExperimentContext ctx, double alpha, int seed) => MutualInformationExperiment.ConvergedRun(ctx, alpha, seed);

    static int Seeds(Profile p) => MutualInformationExperiment.ConvergedSetup(p).Seeds;

    /// <inheritdoc />
    public IReadOnlyList<RunSpec> Plan(ExperimentContext ctx) =>
        (from s in Enumerable.Range(ctx.Seed, Seeds(ctx.Profile)) from a in Alphas select (RunSpec)Run(ctx, a, s)).ToList();

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
        // Every seed's views, for the intervals: views[(triple, α, split)][seed].
        var views = new Dictionary<(string Triple, double Alpha, string Split), List<GeometryView>>();
        int seeds = Seeds(ctx.Profile);
        int numClasses = 0;
        var trainAccuracy = new Dictionary<double, double>();
        foreach (var (tripleName, names) in triples)
        {
            var panels = new List<ScottPlot.Plot>();
            for (int s = 0; s < seeds; s++)
            foreach (var alpha in Alphas)
            {
                var run = trained[Run(ctx, alpha, ctx.Seed + s)].Folder;
                var o = run.ReadConfig();
                if (s == 0) trainAccuracy[alpha] = run.ReadMetrics().History[^1].TrainAccuracy;
                using var data = TrainingRun.LoadData(o);
                using var model = TrainingRun.LoadModel(run, data.Train);
                var ids = GeometryAnalysis.ParseClasses(string.Join(",", names), data.Train.ClassNames);
                numClasses = data.Train.NumClasses;
                foreach (var (split, ds) in new[] { ("train", data.Train), ("test", data.Test) })
                {
                    var view = GeometryAnalysis.Analyse(model, ds, split, ids, perClass);
                    if (!views.TryGetValue((tripleName, alpha, split), out var list)) views[(tripleName, alpha, split)] = list = new();
                    list.Add(view);
                    if (s > 0) continue; // the figure and the table show the first seed; the claims use all of them
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

        AddPlaneMeasures(result, views, triples.Select(t => t.Item1).ToArray(), ctx.Seed);
        result.Findings.Insert(0, $"Networks: the mutual-information experiment's ({MutualInformationExperiment.ConvergedSetup(ctx.Profile).Setup}); last-epoch training accuracy " +
            string.Join(", ", Alphas.Select(a => $"α={a.ToString(CultureInfo.InvariantCulture)} {100 * trainAccuracy[a]:F1}%")) + " (first seed).");

        var cases = triples.SelectMany(t => new[] { "train", "test" }.Select(split => (Triple: t.Item1, Split: split))).ToArray();
        int Lower(Func<GeometryMeasures, double> f) => cases.Count(c => f(measures[(c.Triple, 0.1, c.Split)]) < f(measures[(c.Triple, 0.0, c.Split)]));
        string Pair(string t, string split, Func<GeometryMeasures, double> f) => $"{f(measures[(t, 0.0, split)]):F3} → {f(measures[(t, 0.1, split)]):F3}";
        string Pairs(Func<GeometryMeasures, double> f) => string.Join("; ", cases.Select(c => $"{c.Triple} {c.Split} {Pair(c.Triple, c.Split, f)}"));
        int n = cases.Length;
        int plane = Lower(m => m.TightnessPlane), span = Lower(m => m.TightnessTemplateSpan), full = Lower(m => m.TightnessFull);
        int cv = Lower(m => m.WrongTemplateSpread), logit = Lower(m => m.WrongLogitSpread), norm = Lower(m => m.MeanNorm);

        // Each claim must hold in every (class triple, split) case: a paired interval per case (same examples for α=0 and α=0.1,
        // seed i of both arms shares initialisation and data order), judged on the weakest case.
        bool smoke = ctx.Profile == Profile.Tiny;
        Claim Judge(string statement, string ours, string metric, Func<GeometryView, Func<int[], double>> measure, string extra)
        {
            var rule = ClaimRule.Difference(metric, Direction.Decrease);
            var perCase = cases.Select(c =>
            {
                var ls = views[(c.Triple, 0.1, c.Split)];
                var hard = views[(c.Triple, 0.0, c.Split)];
                int count = ls.Concat(hard).Select(v => v.Labels.Length).Distinct().Single(); // the same classes and count per class in every view
                return ($"{c.Triple} {c.Split}", Bootstrap.Hierarchical(count, ls.Select(measure).ToList(), hard.Select(measure).ToList(), seed: ctx.Seed));
            }).ToList();
            var (cell, d) = Verdicts.Weakest(perCase, rule);
            string intervals = string.Join("; ", perCase.Select(p => $"{p.Item1} {Signed.Of(p.Item2.Estimate, 3)} [{Signed.Of(p.Item2.Interval().Low, 3)}, {Signed.Of(p.Item2.Interval().High, 3)}]"));
            return Verdicts.ToClaim(statement, "qualitative (figure only)", $"{ours}. LS − hard: {intervals}; judged on {cell}{extra}", rule,
                d.ToEvidence(ClaimKind.Difference, metric, selectedOn: "none"), smoke);
        }

        result.Claims.Add(Judge("With label smoothing, penultimate activations form tight clusters around their templates (Figure 1).",
            "tightness in the template plane α=0 → α=0.1: " + Pairs(m => m.TightnessPlane), "tightness in the template plane (LS − hard)",
            v => v.PlaneTightness,
            $". Beside it (not judged): tighter with LS in the span of all templates in {span} of {n} cases, in the full penultimate space in {full} of {n} ({Pairs(m => m.TightnessFull)})"));
        result.Claims.Add(Judge("Label smoothing makes each example (nearly) equidistant from the templates of all wrong classes.",
            "CV of distances to wrong templates α=0 → α=0.1: " + Pairs(m => m.WrongTemplateSpread), "wrong-template distance CV (LS − hard)",
            v => Bootstrap.Mean(v.WrongTemplateSpreads),
            $". Beside it: norm-free wrong-logit spread lower with LS in {logit} of {n} cases ({Pairs(m => m.WrongLogitSpread)})"));
        result.Claims.Add(Judge("Label smoothing keeps the activations on a bounded scale; hard targets let them grow (Figure 1's axes).",
            "mean ‖x‖ α=0 → α=0.1: " + Pairs(m => m.MeanNorm), "mean activation norm ‖x‖ (LS − hard)",
            v => Bootstrap.Mean(v.Norms), ""));
        result.Findings.Add($"In the plane of the three templates (the paper's figure), clusters are tighter relative to their separation with label smoothing in {plane} of {n} cases " +
            $"(similar classes Shirt, T-shirt/top, Pullover, test: {Pair("similar", "test", m => m.TightnessPlane)}; dissimilar Trouser, Bag, Sneaker, test: {Pair("dissimilar", "test", m => m.TightnessPlane)}).");
        result.Findings.Add($"Beyond the plane: in the span of all {numClasses} templates (everything the logits see) tighter in {span} of {n} " +
            $"(similar test {Pair("similar", "test", m => m.TightnessTemplateSpan)}, dissimilar test {Pair("dissimilar", "test", m => m.TightnessTemplateSpan)}); " +
            $"in the full penultimate space, which adds directions orthogonal to every template that no training target constrains, tighter in {full} of {n} " +
            $"(similar test {Pair("similar", "test", m => m.TightnessFull)}, dissimilar test {Pair("dissimilar", "test", m => m.TightnessFull)}).");
        result.Findings.Add($"Equidistance from the wrong templates: distance CV lower with LS in {cv} of {n}, norm-free wrong-logit spread lower in {logit} of {n}; mean activation norm lower with LS in {norm} of {n}.");
        return result;
    }

    /// <summary>
    /// Figure 1's shapes as numbers (issue 14 §2), in the plane: centroid-to-own-template distance, triangle regularity,
    /// and how far test points sit from the centre of the templates relative to train points (the paper links test points
    /// drifting toward the centre to calibration), each with a 95 % bootstrap interval over the projected examples (and seeds).
    /// </summary>
    static void AddPlaneMeasures(ExperimentResult result, Dictionary<(string Triple, double Alpha, string Split), List<GeometryView>> views, string[] triples, int seed)
    {
        const int resamples = 1000;
        string Iv(BootstrapDistribution d) => $"{d.Estimate:F3} [{d.Interval().Low:F3}, {d.Interval().High:F3}]";
        BootstrapDistribution Of(List<GeometryView> v, Func<GeometryView, Func<int[], double>> m) =>
            Bootstrap.Statistic(v[0].Labels.Length, new[] { v.Select(m).ToList() }, x => x[0], resamples: resamples, seed: seed);
        var rows = new List<IReadOnlyList<string>>();
        foreach (var t in triples)
            foreach (var alpha in Alphas)
            {
                var train = views[(t, alpha, "train")];
                var test = views[(t, alpha, "test")];
                var toTemplate = new[] { Of(train, v => v.CentroidToTemplate), Of(test, v => v.CentroidToTemplate) };
                var regular = new[] { Of(train, v => v.Regularity), Of(test, v => v.Regularity) };
                // Test over train distance to the centre: both splits drawn with one index vector (they have the same size).
                var ratio = Bootstrap.Statistic(train[0].Labels.Length,
                    new[] { test.Select(v => (Func<int[], double>)v.CentreDistance).ToList(), train.Select(v => (Func<int[], double>)v.CentreDistance).ToList() },
                    x => x[0] / x[1], resamples: resamples, seed: seed);
                rows.Add(new[] { t, alpha.ToString(CultureInfo.InvariantCulture), Iv(toTemplate[0]), Iv(toTemplate[1]), Iv(regular[0]), Iv(regular[1]), Iv(ratio) });
                (string, object)[] at = { ("classes", t), ("alpha", alpha) };
                result.Set("centroid_to_template_train", toTemplate[0].Estimate, at);
                result.Set("centroid_to_template_test", toTemplate[1].Estimate, at);
                result.Set("regularity_train", regular[0].Estimate, at);
                result.Set("regularity_test", regular[1].Estimate, at);
                result.Set("test_over_train_centre_distance", ratio.Estimate, at);
            }
        result.Tables.Add(new ReportTable("Figure 1's shapes in the template plane, with 95% bootstrap intervals over the projected examples" + (views.Values.First().Count > 1 ? " and seeds" : ""),
            new[] { "classes", "α", "centroid → own template (train)", "(test)", "triangle regularity (train)", "(test)", "test / train distance to the centre" }, rows,
            "Distances are in units of the mean distance between the three templates in the plane. Regularity = shortest / longest side of the triangle of class centroids (1 = equilateral). " +
            "Test / train below 1: test points sit closer to the centre of the templates than training points (less confident on test)."));
    }
}
