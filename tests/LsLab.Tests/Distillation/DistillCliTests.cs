using LsLab.Distillation;
using LsLab.Information;
using LsLab.Runs;

namespace LsLab.Tests.Distillation;

/// <summary>`lslab train --track-mi`, `lslab distill` and `lslab mi` end to end, as a user runs them.</summary>
public sealed class DistillCliTests : TempDirTest
{

    [Fact]
    public void Train_with_mi_tracking_then_distill_then_measure_mi()
    {
        string teacher = Path.Combine(Dir, "teacher"), student = Path.Combine(Dir, "student");
        var train = CliProcess.Run("train", "-d", "fashion-mnist-embedded", "--model", "mlp-small", "--width", "32", "--epochs", "2",
            "--train-limit", "600", "--track-mi", "--mi-classes", "T-shirt/top,Trouser", "--mi-n", "40", "--out", teacher, "--quiet");
        Assert.True(train.Code == 0, train.Err);
        Assert.Contains("mutual information (nats) per epoch", train.Out);
        var curve = MiTracker.Curve(new RunFolder(teacher).ReadMetrics());
        Assert.Equal(new[] { 1, 2 }, curve.Select(c => c.Epoch));

        var distill = CliProcess.Run("distill", "--teacher", teacher, "--student-model", "mlp-small", "--width", "16", "--temperature", "2",
            "--beta", "0.6", "--epochs", "1", "--train-limit", "600", "--out", student, "--quiet");
        Assert.True(distill.Code == 0, distill.Err);
        var record = DistillationRecord.Load(new RunFolder(student))!;
        Assert.Equal(2, record.Temperature);
        Assert.Equal(0.6, record.Beta);
        Assert.Equal(SoftTerm.Hinton, record.Soft);
        Assert.Equal("mlp-small", new RunFolder(student).ReadConfig().Model);
        Assert.True(new RunFolder(student).IsComplete);

        // Same student folder, different temperature: refused with the reason.
        var clash = CliProcess.Run("distill", "--teacher", teacher, "--temperature", "3", "--out", student, "--resume");
        Assert.Equal(2, clash.Code);
        Assert.Contains("distill.json", clash.Err);

        // `lslab mi` with the tracker's settings reproduces the last tracked value.
        var mi = CliProcess.Run("mi", "--run", teacher, "--classes", "0,1", "--n", "40");
        Assert.True(mi.Code == 0, mi.Err);
        var saved = AtomicFile.ReadJson<System.Text.Json.JsonElement>(Path.Combine(teacher, "eval", "mi-0-1.json"));
        Assert.Equal(curve[^1].Mi, saved.GetProperty("estimate").GetProperty("mi").GetDouble(), 9);

        var bad = CliProcess.Run("mi", "--run", teacher, "--classes", "0,Dog");
        Assert.Equal(2, bad.Code);
        Assert.Contains("no class named 'Dog'", bad.Err);
    }
}
