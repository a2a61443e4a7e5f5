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
        var ctx = ExperimentContext.Create(Dir, Profile.Tiny, Progress.None);
        var experiment = ExperimentCatalog.Create("distillation");
        var plan = experiment.Plan(ctx);
        // Tiny grid: 2 teachers, 2 LS students, and a student of each teacher at each of the 2 temperatures —
        // all in the plan, so `reproduce --plan` can register every one; each student depends on a planned teacher.
        Assert.Equal(8, plan.Count);
        Assert.Equal(4, plan.OfType<StudentRun>().Count());
        Assert.Equal(plan.Count, plan.Select(t => t.Name).Distinct().Count());
        Assert.All(plan.OfType<StudentRun>(), s => Assert.Contains(s.Teacher, plan));
        var result = experiment.Run(ctx);
        Assert.Equal(plan.Select(s => ctx.Runner.Resolve(s).Id).ToHashSet(), result.Runs.ToHashSet());
        Assert.All(plan, s => Assert.True(ctx.Runner.FolderFor(s).IsComplete, s.Name));
        Assert.Equal(8, result.Claims.Count);
        Assert.Equal(3, result.Figures.Count);
        Assert.All(result.Figures, f => Assert.True(File.Exists(f.PngPath) && File.Exists(f.SvgPath)));
        // The smoothed teacher's sweep is there for the follow-ups, and its γ grows with T like the hard teacher's.
        Assert.InRange(result.Numbers["gamma/teacher_alpha=0.3/T=4"], result.Numbers["gamma/teacher_alpha=0.3/T=1"], 1.0);
        Assert.Contains(result.Claims, c => c.Statement.StartsWith("Follow-up (Shen", StringComparison.Ordinal));
        Assert.Contains(result.Claims, c => c.Statement.StartsWith("Follow-up (Chandrasegaran", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(Dir, "results.json")));
        Assert.InRange(result.Numbers[ExperimentResult.Key("teacher_accuracy", ("alpha", 0.0))], 0.0, 1.0);
        Assert.InRange(result.Numbers["gamma/teacher_alpha=0/T=4"], result.Numbers["gamma/teacher_alpha=0/T=1"], 1.0);
        var student = plan.OfType<StudentRun>().First();
        var record = DistillationRecord.Load(ctx.Runner.FolderFor(student))!;
        Assert.Equal(SoftTerm.Paper, record.Soft);
        Assert.Equal(1.0, record.Beta);
        Assert.Equal(ctx.Runner.FolderFor(student.Teacher).Path, record.TeacherRun);

        // A second run reuses every finished run: nothing is retrained, the numbers repeat.
        var stamps = plan.Select(s => File.GetLastWriteTimeUtc(ctx.Runner.FolderFor(s).ModelPath)).ToArray();
        var again = experiment.Run(ctx);
        Assert.Equal(result.Numbers, again.Numbers);
        Assert.Equal(stamps, plan.Select(s => File.GetLastWriteTimeUtc(ctx.Runner.FolderFor(s).ModelPath)).ToArray());
    }

    [Fact]
    public void Mnist_experiment_tiny_profile_tracks_mutual_information_for_every_teacher()
    {
        Engine.Initialize();
        var ctx = ExperimentContext.Create(Dir, Profile.Tiny, Progress.None);
        var experiment = ExperimentCatalog.Create("distillation-mnist");
        var plan = experiment.Plan(ctx);
        var result = experiment.Run(ctx);

        // One data set: a student from labels, three MI-tracked teachers, three distilled students.
        Assert.Equal(7, plan.Count);
        var teachers = plan.OfType<ClassifierRun>().Where(c => c.TrackMi is not null).ToList();
        Assert.Equal(3, teachers.Count);
        Assert.All(plan.OfType<StudentRun>(), s => Assert.Equal(SoftTerm.Logits, s.Soft));
        foreach (var t in teachers)
        {
            var history = ctx.Runner.FolderFor(t).ReadMetrics().History;
            Assert.All(history, m => Assert.InRange(m.Extra["mi"], -0.2, Math.Log(40) + 1e-9));
        }
        Assert.Equal(2, result.Claims.Count); // teacher and student; the MI claims live in the mutual-information experiment
        Assert.Single(result.Figures);
        Assert.True(File.Exists(result.Figures[0].PngPath));
        Assert.Contains(result.Numbers.Keys, k => k.StartsWith("mi_final/") && k.EndsWith("/teacher=ls"));
    }
}
