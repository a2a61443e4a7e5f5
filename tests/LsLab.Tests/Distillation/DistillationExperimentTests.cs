using LsLab.Distillation;
using LsLab.Experiments;
using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Tests.Distillation;

public sealed class DistillationExperimentTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("lslab-kd-exp-").FullName;
    public void Dispose() => Directory.Delete(dir, true);

    [Fact]
    public void Tiny_profile_trains_every_setting_through_the_context_and_writes_results()
    {
        Engine.Initialize();
        var trained = new List<(string Name, ITrainingObjective? Objective)>();
        var ctx = ExperimentContext.Create(dir, Profile.Tiny, Progress.None);
        ctx = ctx.WithTrainer((name, o, obj) => { trained.Add((name, obj)); return ctx.TrainDirect(name, o, obj); });
        var result = ExperimentCatalog.Create("distillation").Run(ctx);

        // Tiny grid: 2 teachers, 2 LS students, 2 temperatures for the α=0 teacher, 1 LS-teacher student.
        Assert.Equal(7, trained.Count);
        Assert.Equal(3, trained.Count(t => t.Objective is DistillationObjective));
        Assert.Equal(trained.Count, trained.Select(t => t.Name).Distinct().Count());
        Assert.Equal(5, result.Claims.Count);
        Assert.Equal(2, result.Figures.Count);
        Assert.All(result.Figures, f => Assert.True(File.Exists(f.PngPath) && File.Exists(f.SvgPath)));
        Assert.True(File.Exists(Path.Combine(dir, "results.json")));
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
}
