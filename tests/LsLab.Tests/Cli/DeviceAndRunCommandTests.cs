namespace LsLab.Tests.Cli;

/// <summary>The architecture's promises seen from the command line: --device, and commands that evaluate a run themselves.</summary>
public sealed class DeviceAndRunCommandTests : TempDirTest
{
    [Fact]
    public void Cuda_on_the_cpu_build_is_one_line_exit_2_and_nothing_is_written()
    {
        var run = Path.Combine(Dir, "r");
        var (code, _, err) = CliProcess.Run("train", "--device", "cuda", "--model", "mlp-small", "--epochs", "1", "--train-limit", "100", "--out", run);
        Assert.Equal(2, code);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("--device cuda", lines[0]);
        Assert.False(Directory.Exists(run));
        var bad = CliProcess.Run("evaluate", "--device", "tpu", "--run", run);
        Assert.Equal(2, bad.Code);
        Assert.Contains("--device must be cpu, cuda, cuda:N or auto", bad.Err);
    }

    [Fact]
    public void Calibrate_run_works_on_a_run_that_was_trained_but_never_evaluated()
    {
        var run = Path.Combine(Dir, "r");
        var train = CliProcess.Run("train", "--device", "cpu", "--dataset", LsLab.Data.DatasetCatalog.Embedded, "--model", "mlp-small", "--width", "32",
            "--epochs", "1", "--train-limit", "500", "--out", run, "--quiet");
        Assert.True(train.Code == 0, train.Err);
        Assert.False(Directory.Exists(Path.Combine(run, "eval")));
        var cal = CliProcess.Run("calibrate", "--run", run, "--bootstrap", "20");
        Assert.True(cal.Code == 0, cal.Err);
        Assert.True(File.Exists(Path.Combine(run, "calibration", "calibration.json")));
        // It evaluated both splits it needs, and `evaluate` afterwards agrees with what it cached.
        Assert.True(File.Exists(Path.Combine(run, "eval", "validation", "logits.npy")));
        var logits = LsLab.Data.Npy.Read(Path.Combine(run, "eval", "test", "logits.npy"));
        Assert.Equal(new long[] { 2000, 10 }, logits.Shape);
        var eval = CliProcess.Run("evaluate", "--run", run);
        Assert.True(eval.Code == 0, eval.Err);
    }
}
