using LsLab.Experiments;
using LsLab.Information;
using LsLab.Runs;

namespace LsLab.Tests.Information;

public class MutualInformationExperimentTests
{
    [Fact]
    public void Tiny_profile_records_mi_every_epoch_saves_readings_and_judges_three_claims()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"lslab-mi-exp-{Guid.NewGuid():N}");
        try
        {
            var ctx = ExperimentContext.Create(dir, Profile.Tiny, LsLab.Training.Progress.None);
            var experiment = ExperimentCatalog.Create("mutual-information");
            var plan = experiment.Plan(ctx);
            Assert.Equal(3, plan.Count);                 // α ∈ {0, 0.1, 0.3}, one seed
            var result = experiment.Run(ctx);
            foreach (var spec in plan)
            {
                var folder = ctx.Runner.FolderFor(spec);
                var curve = MiTracker.Curve(folder.ReadMetrics());
                Assert.Equal(4, curve.Count);            // every epoch
                // The saved readings re-estimate the recorded value exactly: the intervals resample what was measured.
                Assert.Equal(curve[^1].Mi, MiSample.Load(MiTracker.SamplePath(folder, 4)).Estimate().Mi, 12);
            }
            Assert.Equal(3, result.Claims.Count);
            Assert.All(result.Claims, c => Assert.NotNull(c.Evidence));
            Assert.Equal(0.1, result.Claims[1].Evidence!.Margin);   // "just above log 2" is an equivalence with the MI margin
            Assert.Single(result.Figures);
            Assert.InRange(result.Numbers["spread_last/alpha=0"], 0, 1e6);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
