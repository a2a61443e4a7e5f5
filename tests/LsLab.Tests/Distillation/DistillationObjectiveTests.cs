using LsLab.Distillation;
using LsLab.Runs;
using LsLab.Training;
using static TorchSharp.torch;

namespace LsLab.Tests.Distillation;

public class DistillationObjectiveTests : TempDirTest
{
    public DistillationObjectiveTests() => Engine.Initialize();

    static TrainOptions Options(string model = "mlp-small", double alpha = 0) => new()
    {
        Dataset = "blobs", Model = model, Width = 32, Alpha = alpha, Epochs = 3, BatchSize = 32, LearningRate = 0.05, Seed = 3,
    };

    RunFolder TrainTeacher(double alpha = 0)
    {
        var teacher = new RunFolder(Path.Combine(Dir, $"teacher-{alpha}"));
        using var data = TestData.BlobSplits();
        TrainingRun.Execute(Options(alpha: alpha), teacher.Path, Progress.None, data: data);
        return teacher;
    }

    [Fact]
    public void Caches_teacher_logits_once_and_looks_them_up_by_index()
    {
        var teacher = TrainTeacher();
        using var data = TestData.BlobSplits();
        using var objective = new DistillationObjective(new DistillationSpec(teacher.Path, 3, 0.6));
        Assert.Throws<InvalidOperationException>(() => objective.Loss(zeros(2, 3), tensor(new long[] { 0, 1 }), tensor(new long[] { 0, 1 })));
        objective.Bind(data);
        var cached = objective.TeacherLogits!;
        Assert.Equal(new long[] { data.Train.Count, 3 }, cached.shape);
        using (var model = TrainingRun.LoadModel(teacher, data.Train))
        using (var direct = Evaluator.Predict(model, data.Train))
            Assert.True(direct.allclose(cached));
        objective.Bind(data);
        Assert.Same(cached, objective.TeacherLogits);

        var idx = tensor(new long[] { 7, 0, 123 });
        var s = randn(3, 3, dtype: ScalarType.Float32);
        var y = data.Train.Labels.index_select(0, idx);
        var expected = DistillationLoss.Loss(s, cached.index_select(0, idx), y, 3, 0.6).item<float>();
        Assert.Equal(expected, objective.Loss(s, y, idx).item<float>(), 6);
        Assert.InRange(objective.EquivalentSmoothing, 0, 1);
    }

    [Fact]
    public void Student_distilled_through_the_trainer_learns_and_records_its_teacher()
    {
        var teacher = TrainTeacher(alpha: 0.1);
        using var data = TestData.BlobSplits();
        var student = new RunFolder(Path.Combine(Dir, "student"));
        using var objective = new DistillationObjective(new DistillationSpec(teacher.Path, 1.5, 1.0, SoftTerm.Paper));
        var o = Options() with { Width = 16, Epochs = 5, LearningRate = 0.2 };
        var state = TrainingRun.Execute(o, student.Path, Progress.None, objective, data: data);
        Assert.True(teacher.ReadMetrics().History[^1].ValidationAccuracy > 0.9, $"teacher validation accuracy {teacher.ReadMetrics().History[^1].ValidationAccuracy}");
        Assert.True(state.History[^1].ValidationAccuracy > 0.9, $"student validation accuracy {state.History[^1].ValidationAccuracy}; losses {string.Join(", ", state.History.Select(h => h.TrainLoss))}");
        Assert.NotNull(objective.TeacherLogits);
        DistillationRecord.For(objective).Save(student);
        var rec = DistillationRecord.Load(student)!;
        Assert.Equal(teacher.Path, rec.TeacherRun);
        Assert.Equal(0.1, rec.TeacherAlpha);
        Assert.Equal(1.5, rec.Temperature);
        Assert.Equal(SoftTerm.Paper, rec.Soft);
        // A smoothed teacher at T=1.5 puts clearly more than α on wrong classes.
        Assert.InRange(rec.EquivalentSmoothing, 0.1, 1.0);
    }

    [Fact]
    public void Missing_teacher_run_is_a_clear_error()
    {
        using var data = TestData.BlobSplits();
        using var objective = new DistillationObjective(new DistillationSpec(Path.Combine(Dir, "nope"), 1, 1));
        var e = Assert.Throws<LsLabException>(() => objective.Bind(data));
        Assert.Contains("config.json", e.Message);
    }
}
