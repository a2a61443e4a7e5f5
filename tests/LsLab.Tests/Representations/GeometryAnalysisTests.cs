using LsLab.Data;
using LsLab.Experiments;
using LsLab.Models;
using LsLab.Representations;
using LsLab.Training;
using static TorchSharp.torch;

namespace LsLab.Tests.Representations;

public sealed class GeometryAnalysisTests : TempDirTest
{

    [Fact]
    public void Analysis_of_a_model_agrees_with_its_own_logits_and_features()
    {
        Engine.Initialize();
        manual_seed(3);
        using var ds = TestData.Blobs(100, classes: 5);
        using var model = ModelRegistry.Create("mlp-small", new ModelSpec(1, 8, 8, 5));
        int[] classes = { 4, 1, 2 };
        var view = GeometryAnalysis.Analyse(model, ds, "test", classes, perClass: 7);

        // Blobs labels cycle 0..4, so the first 7 of class c are c, c+5, ..., in the order of the triple.
        long[] pick = classes.SelectMany(c => Enumerable.Range(0, 7).Select(i => (long)(c + 5 * i))).ToArray();
        Assert.Equal(pick.Select(i => (int)(i % 5)).ToArray(), view.Labels);
        Assert.Equal(new[] { "c4", "c1", "c2" }, view.ClassNames);
        Assert.Equal(21, view.Measures.Examples);

        using var idx = tensor(pick);
        using var sub = ds.Subset(idx);
        using var logitsT = Evaluator.Predict(model, sub);
        using var featsT = Evaluator.Features(model, sub);
        var logits = logitsT.to_type(ScalarType.Float64).data<double>().ToArray();
        var feats = featsT.to_type(ScalarType.Float64).data<double>().ToArray();
        var w = model.Head.weight!.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        var b = model.Head.bias!.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        int d = w.Length / 5;

        // The plane (bias appended) keeps z_k − z_a for the three classes: the model's own logits.
        double[] Tpl(int k) => w.AsSpan(k * d, d).ToArray().Append(b[k]).ToArray();
        for (int i = 0; i < pick.Length; i++)
            for (int j = 1; j < 3; j++)
            {
                var wa = Tpl(classes[0]);
                double constant = wa.Select((v, t) => v * (Tpl(classes[j])[t] - v)).Sum();
                double viaPlane = view.Points[i].X * view.Templates[j].X + view.Points[i].Y * view.Templates[j].Y + constant;
                Assert.Equal(logits[i * 5 + classes[j]] - logits[i * 5 + classes[0]], viaPlane, 4);
            }

        Assert.Equal(ClusterMeasures.Tightness(feats, d, view.Labels), view.Measures.TightnessFull, 10);
        Assert.Equal(ClusterMeasures.Tightness(view.Points, view.Labels), view.Measures.TightnessPlane, 10);
        Assert.Equal(ClusterMeasures.MeanNorm(feats, pick.Length), view.Measures.MeanNorm, 10);
        Assert.Equal(ClusterMeasures.TightnessInTemplateSpan(feats, pick.Length, view.Labels, w, b, 5), view.Measures.TightnessTemplateSpan, 10);
        Assert.Equal(ClusterMeasures.WrongTemplateSpread(feats, pick.Length, view.Labels, w, b, 5), view.Measures.WrongTemplateSpread, 10);
        // The per-example values behind the intervals average to the measures, and a resample of all examples is the plane tightness.
        Assert.Equal(view.Measures.WrongTemplateSpread, view.WrongTemplateSpreads.Average(), 10);
        Assert.Equal(view.Measures.MeanNorm, view.Norms.Average(), 10);
        Assert.Equal(view.Measures.TightnessPlane, view.PlaneTightness(Enumerable.Range(0, pick.Length).ToArray()), 10);
        double fromLogits = ClusterMeasures.WrongLogitSpread(logits, pick.Length, view.Labels);
        Assert.True(double.IsNaN(fromLogits) ? double.IsNaN(view.Measures.WrongLogitSpread) : Math.Abs(fromLogits - view.Measures.WrongLogitSpread) < 1e-4 * Math.Abs(fromLogits) + 1e-6,
            $"{fromLogits} vs {view.Measures.WrongLogitSpread}");
    }

    [Fact]
    public void Plane_shape_measures_on_a_hand_computed_triangle()
    {
        // Templates on an equilateral triangle of side 1; class 0 and 1 examples sit on their templates, class 2's two
        // examples straddle its template at ±0.1 along x, so its centroid is on the template too.
        var templates = new[] { (0.0, 0.0), (1.0, 0.0), (0.5, Math.Sqrt(3) / 2) };
        var points = new[] { (0.0, 0.0), (1.0, 0.0), (0.4, Math.Sqrt(3) / 2), (0.6, Math.Sqrt(3) / 2) };
        var view = new GeometryView("test", points, new[] { 7, 8, 9, 9 }, templates, new[] { 7, 8, 9 }, new[] { "a", "b", "c" },
            new GeometryMeasures("test", 4, 0, 0, 0, 0));
        var all = new[] { 0, 1, 2, 3 };
        Assert.Equal(1.0, view.TemplateScale, 12);
        Assert.Equal(0.0, view.CentroidToTemplate(all), 12);
        Assert.Equal(1.0, view.Regularity(all), 12);
        // Centre (0.5, √3/6): vertices at 1/√3; the two class-2 points at √(0.01 + 1/3).
        Assert.Equal((2 / Math.Sqrt(3) + 2 * Math.Sqrt(0.01 + 1.0 / 3)) / 4, view.CentreDistance(all), 12);
        // Dropping one class-2 example moves its centroid 0.1 off the template: mean over three classes 0.1 / 3.
        Assert.Equal(0.1 / 3, view.CentroidToTemplate(new[] { 0, 1, 2 }), 12);
        // Sides 1, √(0.16 + 0.75), √(0.36 + 0.75): shortest / longest.
        Assert.Equal(Math.Sqrt(0.91) / Math.Sqrt(1.11), view.Regularity(new[] { 0, 1, 2 }), 12);
    }

    [Fact]
    public void Projection_plot_writes_png_and_svg()
    {
        Engine.Initialize();
        using var ds = TestData.Blobs(60, classes: 4);
        using var model = ModelRegistry.Create("mlp-small", new ModelSpec(1, 8, 8, 4));
        var view = GeometryAnalysis.Analyse(model, ds, "train", new[] { 0, 1, 3 }, perClass: 10);
        var (png, svg) = LsLab.Reporting.ProjectionPlot.Save(view, "untrained", Path.Combine(Dir, "p"));
        Assert.True(new FileInfo(png).Length > 1000);
        var text = File.ReadAllText(svg);
        Assert.Contains("<svg", text);
        Assert.Contains("c3", text);
    }

    [Fact]
    public void Tiny_geometry_experiment_draws_both_triples_and_reuses_its_runs()
    {
        Engine.Initialize();
        var ctx = ExperimentContext.Create(Dir, Profile.Tiny, Progress.None);
        var experiment = ExperimentCatalog.Create("geometry");
        var plan = experiment.Plan(ctx);
        var trained = plan.Select(s => s.ClassifierOptions!).ToList();
        var result = experiment.Run(ctx);

        Assert.Equal(new[] { 0.0, 0.1 }, trained.Select(o => o.Alpha).ToArray());
        Assert.All(trained, o => Assert.Equal(DatasetCatalog.Embedded, o.Dataset));
        Assert.Equal(2, result.Figures.Count);
        Assert.All(result.Figures, f => Assert.True(File.Exists(f.PngPath) && File.Exists(f.SvgPath)));
        Assert.Equal(3, result.Claims.Count);
        Assert.All(result.Claims, c => Assert.Equal("qualitative", c.PaperValue.Split(' ')[0]));
        Assert.Equal(8, result.Tables[0].Rows.Count);
        foreach (var triple in new[] { "dissimilar", "similar" })
            foreach (var a in new[] { "0", "0.1" })
                foreach (var split in new[] { "train", "test" })
                {
                    Assert.InRange(result.Numbers[$"tightness_full/classes={triple}/alpha={a}/split={split}"], 1e-6, 100);
                    Assert.InRange(result.Numbers[$"wrong_template_cv/classes={triple}/alpha={a}/split={split}"], 1e-6, 1);
                    Assert.InRange(result.Numbers[$"wrong_logit_spread/classes={triple}/alpha={a}/split={split}"], 1e-6, 10);
                    // The plane is inside the template span, which is inside the full space: tightness need not be monotone,
                    // but each is a finite positive ratio.
                    Assert.InRange(result.Numbers[$"tightness_span/classes={triple}/alpha={a}/split={split}"], 1e-6, 100);
                    Assert.InRange(result.Numbers[$"tightness_plane/classes={triple}/alpha={a}/split={split}"], 1e-6, 100);
                }
        Assert.NotEmpty(result.Findings);
        Assert.True(File.Exists(Path.Combine(Dir, "results.json")));
        Assert.Equal(result.Numbers, ExperimentResult.Load(Dir).Numbers);

        // Finished runs are reused: nothing is retrained, and the numbers repeat.
        var stamp = plan.Select(s => File.GetLastWriteTimeUtc(ctx.Runner.FolderFor(s).ModelPath)).ToArray();
        var again = experiment.Run(ctx);
        Assert.Equal(result.Numbers, again.Numbers);
        Assert.Equal(stamp, plan.Select(s => File.GetLastWriteTimeUtc(ctx.Runner.FolderFor(s).ModelPath)).ToArray());
    }

    [Fact]
    public void Project_command_takes_class_names_writes_figure_and_measures_and_explains_bad_names()
    {
        var run = Path.Combine(Dir, "run");
        var train = CliProcess.TrainTiny(run);
        Assert.True(train.Code == 0, train.Err);

        var ok = CliProcess.Run("project", "--run", run, "--classes", "shirt,T-SHIRT/TOP,Pullover", "--split", "train", "--per-class", "20", "--out", Path.Combine(Dir, "proj"));
        Assert.True(ok.Code == 0, ok.Err);
        Assert.Contains("tightness", ok.Out);
        foreach (var ext in new[] { ".png", ".svg", ".json" })
            Assert.True(File.Exists(Path.Combine(Dir, "proj", "train-6-0-2" + ext)), ext);
        var m = LsLab.Runs.AtomicFile.ReadJson<GeometryMeasures>(Path.Combine(Dir, "proj", "train-6-0-2.json"));
        Assert.Equal("train", m.Split);
        Assert.Equal(60, m.Examples);
        Assert.InRange(m.TightnessFull, 1e-6, 100);

        var byIndex = CliProcess.Run("project", "--run", run, "--classes", "1,7,8", "--per-class", "10");
        Assert.True(byIndex.Code == 0, byIndex.Err);
        Assert.True(File.Exists(Path.Combine(run, "projection", "test-1-7-8.png")));

        var bad = CliProcess.Run("project", "--run", run, "--classes", "Shirt,Hat,Pullover");
        Assert.Equal(2, bad.Code);
        Assert.Contains("unknown class 'Hat'", bad.Err);
        Assert.Contains("6=Shirt", bad.Err);
        Assert.DoesNotContain("   at ", bad.Err);
        var two = CliProcess.Run("project", "--run", run, "--classes", "1,2");
        Assert.Equal(2, two.Code);
        Assert.Contains("three classes", two.Err.Replace("3 classes", "three classes"));
    }
}
