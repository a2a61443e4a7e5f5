using LsLab.Experiments;
using LsLab.Translation;

namespace LsLab.Tests.Translation;

public class TranslationExperimentTests
{
    public TranslationExperimentTests() => Engine.Initialize();

    [Fact]
    public void Tiny_profile_trains_both_models_and_writes_table_figure_claims_and_reuses_runs()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"lslab-mt-exp-{Guid.NewGuid():N}");
        try
        {
            var ctx = ExperimentContext.Create(dir, Profile.Tiny, LsLab.Training.Progress.None);
            var experiment = ExperimentCatalog.Create("translation");
            var plan = experiment.Plan(ctx);
            Assert.Equal(new[] { "translator", "translator" }, plan.Select(s => s.Kind));
            var result = experiment.Run(ctx);
            Assert.True(File.Exists(Path.Combine(dir, "results.json")));
            Assert.True(File.Exists(Path.Combine(dir, "translation-temperature.png")));
            Assert.True(File.Exists(Path.Combine(dir, "translation-temperature.svg")));
            Assert.Equal(2 * (3 + 1), result.Tables[0].Rows.Count);  // 2 models × (3 grid temperatures + fitted)
            Assert.Contains("chrF", result.Tables[0].Columns);
            Assert.Contains("chrF difference [95% interval]", result.Tables[1].Columns);
            Assert.InRange(result.Numbers["chrf/alpha=0/T=1"], 0, 100);
            Assert.True(result.Numbers.ContainsKey("chrf_difference_ls_minus_hard/at=best_t"));
            // The grammar corpus scores against several references per sentence (its own target first).
            Assert.Contains(result.Findings, f => f.StartsWith("References: up to 8 references per test sentence"));
            Assert.Contains("chrF", result.Claims[0].OurValue);
            Assert.Equal(5, result.Claims.Count);
            // Every claim is on the statistics layer (smoke run: inconclusive), T chosen on validation.
            Assert.All(result.Claims, c => Assert.NotNull(c.Evidence));
            Assert.All(result.Claims, c => Assert.Equal(Verdict.Inconclusive, c.Verdict));
            Assert.Equal("validation", result.Claims[0].Evidence!.SelectedOn);
            Assert.Contains(result.Numbers["best_t_on_validation/alpha=0"], new[] { 0.5, 1.0, 2.0 });
            Assert.InRange(result.Numbers["fitted_t/alpha=0"], 0.05, 50);
            Assert.All(plan, s => Assert.True(TranslatorTraining.IsComplete(ctx.Runner.FolderFor(s).Path), s.Name));
            // A second run reuses the trained models and cached evaluations: same numbers.
            var again = ExperimentCatalog.Create("translation").Run(ctx);
            Assert.Equal(result.Numbers, again.Numbers);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Data_source_follows_the_data_folder_and_profile()
    {
        var e = new TranslationExperiment();
        var quick = ExperimentContext.Create("out-x", Profile.Quick, LsLab.Training.Progress.None);
        Assert.Equal(TranslationData.Embedded, e.ResolveData(quick).Data);
        var ding = ExperimentContext.Create("out-x", Profile.Quick, LsLab.Training.Progress.None, dataDir: "ding");
        Assert.Equal(TranslationData.Ding, e.ResolveData(ding).Data);
        var embedded = ExperimentContext.Create("out-x", Profile.Full, LsLab.Training.Progress.None, dataDir: "embedded");
        Assert.Equal(TranslationData.Embedded, e.ResolveData(embedded).Data);
        // The full profile stays on the multi-reference grammar corpus even where Ding is installed.
        Assert.Equal(TranslationData.Embedded, e.ResolveData(ExperimentContext.Create("out-x", Profile.Full, LsLab.Training.Progress.None)).Data);
        Assert.Equal(TranslationData.Ding, new TranslationExperiment { Data = TranslationData.Ding }.ResolveData(quick).Data);
    }
}
