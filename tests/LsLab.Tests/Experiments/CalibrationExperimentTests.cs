using LsLab.Experiments;
using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Tests.Experiments;

public sealed class CalibrationExperimentTests : TempDirTest
{
    [Fact]
    public void Tiny_regime_map_traces_logits_along_training_and_judges_every_cell()
    {
        Engine.Initialize();
        var ctx = ExperimentContext.Create(Dir, Profile.Tiny, Progress.None);
        var experiment = ExperimentCatalog.Create("calibration");
        var plan = experiment.Plan(ctx);
        Assert.Equal(3, plan.Count);
        Assert.All(plan, s => Assert.NotNull(((ClassifierRun)s).Trace));
        var result = experiment.Run(ctx);

        // 4 epochs traced at 1, 2, 4: three cells, each a row of the map, with every number recorded.
        var epochs = new LogitTrace().Epochs(4);
        Assert.Equal(new[] { 1, 2, 4 }, epochs);
        foreach (var s in plan)
            foreach (int e in epochs)
                foreach (var split in new[] { "validation", "test" })
                    Assert.True(File.Exists(ctx.Runner.FolderFor(s).Combine("trace", $"e{e}", $"{split}.npy")));
        Assert.Equal(3, result.Tables[0].Rows.Count);
        Assert.Equal(4, result.Figures.Count); // regime effect, regime map, reliability, risk–coverage
        Assert.All(result.Figures, f => Assert.True(File.Exists(f.PngPath) && File.Exists(f.SvgPath)));
        Assert.Equal(4, result.Claims.Count);
        // Selective classification: one row per trained network (the final epoch), AURC a rate in [0, 1].
        Assert.Single(result.Tables[1].Rows);
        Assert.InRange(result.Numbers["aurc_ls/data=fashion-mnist mlp-small/arm=regularisers off/n=300/epoch=4"], 0, 1);
        Assert.All(result.Claims, c => Assert.Equal(Verdict.Inconclusive, c.Verdict));   // smoke run
        foreach (int e in epochs)
        {
            string at = $"data=fashion-mnist mlp-small/arm=regularisers off/n=300/epoch={e}";
            Assert.InRange(result.Numbers[$"ece_baseline/{at}"], 0, 1);
            Assert.InRange(result.Numbers[$"fitted_t/{at}"], 0.01, 100);
            Assert.Contains(result.Numbers[$"alpha_chosen/{at}"], new[] { 0.05, 0.1 });
        }
        Assert.StartsWith("When does label smoothing help calibration?", result.Findings[0]);

        // The trace of the final epoch is the run's final model: same logits as predicting with it.
        var last = LogitTrace.Read(ctx.Runner.FolderFor(plan[0]), 4, "test");
        var predicted = Evaluation.Predict(ctx.Runner.FolderFor(plan[0]), "test")["test"].Values;
        Assert.Equal(predicted.Labels, last.Labels);
        for (int i = 0; i < 50; i++) Assert.Equal(predicted.Logits[i], last.Logits[i], 5);
    }
}
