using LsLab.Distillation;
using LsLab.Experiments;
using LsLab.Information;
using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Tests.Distillation;

public sealed class DistillationExperimentTests : TempDirTest
{

    [Fact]
    public void Tiny_profile_trains_every_setting_through_the_context_and_writes_results()
    {
        Engine.Initialize();
        var trained = new List<(string Name, ITrainingObjective? Objective)>();
        var ctx = ExperimentContext.Create(Dir, Profile.Tiny, Progress.None);
        ctx = ctx.WithTrainer((name, o, obj) => { trained.Add((name, obj)); return ctx.TrainDirect(name, o, obj); });
        var result = ExperimentCatalog.Create("distillation").Run(ctx);

        // Tiny grid: 2 teachers, 2 LS students, 2 temperatures for the α=0 teacher, 1 LS-teacher student.
        Assert.Equal(7, trained.Count);
        Assert.Equal(3, trained.Count(t => t.Objective is DistillationObjective));
        Assert.Equal(trained.Count, trained.Select(t => t.Name).Distinct().Count());
        // Every run `reproduce --plan` registers up front is one the experiment trains under the same name.
        var planned = ExperimentCatalog.Create("distillation").PlannedRuns(ctx).Select(o => o.RunName()).ToList();
        Assert.Equal(4, planned.Count);
        Assert.Subset(trained.Select(t => t.Name).ToHashSet(), planned.ToHashSet());
        Assert.Equal(5, result.Claims.Count);
        Assert.Equal(2, result.Figures.Count);
        Assert.All(result.Figures, f => Assert.True(File.Exists(f.PngPath) && File.Exists(f.SvgPath)));
        Assert.True(File.Exists(Path.Combine(Dir, "results.json")));
        Assert.InRange(result.Numbers["teacher.alpha0"], 0.0, 1.0);
        Assert.InRange(result.Numbers["gamma.hardteacher.T4"], result.Numbers["gamma.hardteacher.T1"], 1.0);
        var student = trained.First(t => t.Objective is DistillationObjective);
        var record = DistillationRecord.Load(ctx.RunFolderFor(student.Name))!;
        Assert.Equal(SoftTerm.Paper, record.Soft);
        Assert.Equal(1.0, record.Beta);

        // A second run reuses every finished run.
        trained.Clear();
        var again = ExperimentCatalog.Create("distillation").Run(ctx);
        Assert.Equal(result.Numbers, again.Numbers);
    }

    [Fact]
    public void Mnist_experiment_tiny_profile_tracks_mutual_information_for_every_teacher()
    {
        Engine.Initialize();
        var trained = new List<(string Name, ITrainingObjective? Objective)>();
        var ctx = ExperimentContext.Create(Dir, Profile.Tiny, Progress.None);
        ctx = ctx.WithTrainer((name, o, obj) => { trained.Add((name, obj)); return ctx.TrainDirect(name, o, obj); });
        var result = ExperimentCatalog.Create("distillation-mnist").Run(ctx);

        // One data set: a student from labels, three MI-tracked teachers, three distilled students.
        Assert.Equal(7, trained.Count);
        Assert.Equal(3, trained.Count(t => t.Objective is MiTrackingObjective));
        Assert.All(trained.Where(t => t.Objective is DistillationObjective), t => Assert.Equal(SoftTerm.Logits, ((DistillationObjective)t.Objective!).Spec.Soft));
        foreach (var (name, _) in trained.Where(t => t.Objective is MiTrackingObjective))
        {
            var history = ctx.RunFolderFor(name).ReadMetrics().History;
            Assert.All(history, m => Assert.InRange(m.Extra["mi"], -0.2, Math.Log(40) + 1e-9));
        }
        Assert.Equal(4, result.Claims.Count);
        Assert.Subset(trained.Select(t => t.Name).ToHashSet(), ExperimentCatalog.Create("distillation-mnist").PlannedRuns(ctx).Select(o => o.RunName()).ToHashSet());
        Assert.Single(result.Figures);
        Assert.True(File.Exists(result.Figures[0].PngPath));
        Assert.Contains(result.Numbers.Keys, k => k.EndsWith(".ls.mi_final"));
    }
}
