using System.Diagnostics;

namespace LsLab.Native;

/// <summary>
/// glibc returns large freed buffers to the kernel and libtorch then page-faults them back every
/// step; raising the mmap and trim thresholds nearly doubles conv-net training speed on this kind of
/// VM. The setting must be in the environment before the process starts, so the CLI re-executes
/// itself once with it (LSLAB_ALLOCATOR_TUNING=0 turns this off).
/// </summary>
public static class AllocatorTuning
{
    /// <summary>The GLIBC_TUNABLES value LsLab runs with.</summary>
    public const string Tunables = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296";

    /// <summary>True when this process already runs with the tuned allocator (or tuning is off).</summary>
    public static bool Active =>
        (Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "").Contains("mmap_threshold", StringComparison.Ordinal);

    /// <summary>
    /// Re-runs the current program with the tuned allocator and returns its exit code, or null when
    /// nothing needs doing (already tuned, disabled, not Linux, or the program path is unknown).
    /// </summary>
    public static int? ReexecIfNeeded(string[] args)
    {
        if (!OperatingSystem.IsLinux() || Active || Environment.GetEnvironmentVariable("LSLAB_ALLOCATOR_TUNING") == "0") return null;
        var exe = Environment.ProcessPath;
        if (exe is null) return null;
        var psi = new ProcessStartInfo(exe) { UseShellExecute = false };
        // Under `dotnet LsLab.Cli.dll`, the host is dotnet and the first argument is the assembly.
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet")
        {
            var entry = Environment.GetCommandLineArgs()[0];
            psi.ArgumentList.Add(entry);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        var existing = Environment.GetEnvironmentVariable("GLIBC_TUNABLES");
        psi.Environment["GLIBC_TUNABLES"] = string.IsNullOrEmpty(existing) ? Tunables : existing + ":" + Tunables;
        using var child = Process.Start(psi);
        if (child is null) return null;
        Console.CancelKeyPress += (_, e) => e.Cancel = true; // the child gets the same Ctrl+C and saves what it can
        child.WaitForExit();
        return child.ExitCode;
    }
}
