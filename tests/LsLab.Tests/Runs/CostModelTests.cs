using LsLab.Experiments;
using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Tests.Runs;

public sealed class CostModelTests
{
    [Fact]
    public void A_run_costs_the_examples_it_sees_over_its_models_rate()
    {
        // 2 epochs of 1,200 examples plus the 6,000-example validation split each epoch (evaluation 3× faster),
        // then one pass over the 10,000 test examples: (2·(1200 + 6000/3) + 10000/3) / 12000 s for mlp-small.
        var run = new ClassifierRun(new TrainOptions { Dataset = "fashion-mnist", Model = "mlp-small", Epochs = 2, TrainLimit = 1200 });
        Assert.Equal((2 * (1200 + 6000 / 3.0) + 10000 / 3.0) / 12000, CostModel.Seconds(run), 9);
        // A logit trace adds validation + test passes at epochs 1 and 2; a slower model costs more for the same examples.
        Assert.Equal(CostModel.Seconds(run) + 2 * 16000 / 3.0 / 12000, CostModel.Seconds(run with { Trace = new LogitTrace() }), 9);
        Assert.True(CostModel.Seconds(new ClassifierRun(run.Options with { Model = "resnet20" })) > 40 * CostModel.Seconds(run));
    }

    [Theory]
    [InlineData(Profile.Tiny)]
    [InlineData(Profile.Quick)]
    [InlineData(Profile.Full)]
    public void No_two_planned_runs_share_a_folder(Profile profile)
    {
        // A shared name means a shared folder: the second spec would reuse the first one's results (the full profile's
        // weight-decay arm did, before weight decay was part of the name).
        var planned = Reproduction.Planned(new Reproduction.Options(Path.Combine(Path.GetTempPath(), "lslab-names"), profile));
        var shared = planned.GroupBy(p => p.Spec.Name).Where(g => g.Select(p => p.Spec.Id).Distinct().Count() > 1).Select(g => g.Key).ToList();
        Assert.True(shared.Count == 0, $"{profile}: {string.Join(", ", shared)}");
        Assert.True(planned.Count > 10);
    }

    [Fact]
    public void Profiles_fit_their_budgets_by_the_cost_model()
    {
        // The full profile's bar is 4 hours on 2 cores, analysis included; the training estimate keeps a margin for it.
        var full = Reproduction.Estimate(new Reproduction.Options(Path.Combine(Path.GetTempPath(), "lslab-est-full"), Profile.Full));
        Assert.InRange(full.Sum(r => r.Seconds) / 3600, 1.0, 3.75);
        Assert.Contains(full, r => r.Experiment == "calibration" && r.Runs > 100);
        // The quick profile's bar is 15 minutes with the build (about a minute) and the report.
        var quick = Reproduction.Estimate(new Reproduction.Options(Path.Combine(Path.GetTempPath(), "lslab-est-quick"), Profile.Quick));
        Assert.InRange(quick.Sum(r => r.Seconds) / 60, 2, 13.5);
        // Each run is counted once: geometry projects the mutual-information networks (3 α × 2 seeds), so the two share 6 runs.
        Assert.Equal(6, full.Where(r => r.Experiment is "geometry" or "mutual-information").Sum(r => r.Runs));
    }
}
