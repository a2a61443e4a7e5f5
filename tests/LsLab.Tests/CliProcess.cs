using System.Diagnostics;

namespace LsLab.Tests;

/// <summary>Runs the real CLI (LsLab.Cli.dll, copied next to the tests) in a child process.</summary>
public static class CliProcess
{
    public static ProcessStartInfo Info(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "LsLab.Cli.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["LSLAB_ALLOCATOR_TUNING"] = "0"; // no re-exec: the test kills exactly this process
        return psi;
    }

    public static Process Start(params string[] args) => Process.Start(Info(args))!;

    /// <summary>Runs to completion; returns exit code, stdout, stderr.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var p = Start(args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(true); throw new TimeoutException($"lslab {string.Join(' ', args)} took over 5 minutes"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>`lslab train` of a one-epoch, 32-wide mlp-small on 500 embedded examples into <paramref name="run"/> (seconds).</summary>
    public static (int Code, string Out, string Err) TrainTiny(string run) =>
        Run("train", "--dataset", LsLab.Data.DatasetCatalog.Embedded, "--model", "mlp-small", "--width", "32", "--epochs", "1",
            "--train-limit", "500", "--out", run, "--quiet");
}
