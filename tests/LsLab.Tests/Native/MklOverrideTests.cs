using System.Text.Json;
using LsLab.Data;

namespace LsLab.Tests.Native;

/// <summary>
/// The MKL vendor-check override must only change speed: the same short training, once with the
/// override forced on and once forced off (each in its own process, since the library has to be
/// loaded before libtorch), gives the same losses and logits within float tolerance.
/// </summary>
public sealed class MklOverrideTests : IDisposable
{
    readonly string dir = Path.Combine(Path.GetTempPath(), $"lslab-mkl-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
    }

    static (int Code, string Out, string Err) Run(string setting, params string[] args)
    {
        var psi = CliProcess.Info(args);
        psi.Environment["LSLAB_MKL_OVERRIDE"] = setting;
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException($"lslab {string.Join(' ', args)} took over 5 minutes"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Override_status_follows_the_switch()
    {
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, MklOverride.LibraryName)),
            $"{MklOverride.LibraryName} was not built next to the tests (needs a C compiler at build time).");
        var on = Run("1", "info");
        Assert.True(on.Code == 0, on.Err);
        Assert.Contains("on (CPU vendor", on.Out);
        var off = Run("0", "info");
        Assert.True(off.Code == 0, off.Err);
        Assert.Contains("off: LSLAB_MKL_OVERRIDE=0", off.Out);
    }

    [Fact]
    public void Training_and_logits_with_the_override_equal_the_default_path()
    {
        var results = new Dictionary<string, (double[] Losses, NpyArray Logits)>();
        foreach (var setting in new[] { "0", "1" })
        {
            var run = Path.Combine(dir, "run" + setting);
            var train = Run(setting, "train", "--dataset", DatasetCatalog.Embedded, "--model", "mlp", "--width", "512", "--epochs", "2",
                "--train-limit", "512", "--out", run, "--quiet");
            Assert.True(train.Code == 0, train.Err);
            var eval = Run(setting, "evaluate", "--run", run, "--split", "validation");
            Assert.True(eval.Code == 0, eval.Err);
            using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
            var losses = metrics.RootElement.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("trainLoss").GetDouble()).ToArray();
            results[setting] = (losses, Npy.Read(Path.Combine(run, "eval", "validation", "logits.npy")));
        }
        var (offLoss, offLogits) = results["0"];
        var (onLoss, onLogits) = results["1"];
        Assert.Equal(2, offLoss.Length);
        Assert.All(offLoss.Zip(onLoss), p => Assert.Equal(p.First, p.Second, 1e-4));
        Assert.Equal(offLogits.Shape, onLogits.Shape);
        Assert.True(offLogits.Count > 1000);
        double worst = offLogits.Values.Zip(onLogits.Values).Max(p => Math.Abs(p.First - p.Second) / (1 + Math.Abs(p.First)));
        Assert.True(worst < 1e-3, $"logits differ by up to {worst:G3} (relative) between the MKL paths");
        // Not trivially equal because nothing was computed: the model did learn something.
        Assert.True(offLoss[1] < offLoss[0], $"loss did not fall: {offLoss[0]} → {offLoss[1]}");
    }
}
