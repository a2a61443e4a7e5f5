using System.CommandLine;
using LsLab.Native;

namespace LsLab.Cli.Commands;

/// <summary>`lslab info`: the engine set-up (threads, MKL override, allocator tuning).</summary>
public static class InfoCommand
{
    public static Command Build()
    {
        var cmd = new Command("info", "Show how the engine is set up on this machine: CPU, threads, MKL override, allocator tuning.");
        cmd.SetAction(_ =>
        {
            Engine.Initialize();
            Cli.PrintTable("LsLab engine", new[]
            {
                ("CPU vendor", MklOverride.CpuVendor()),
                ("threads", Engine.Threads.ToString()),
                ("MKL vendor override", MklOverride.Status),
                ("GLIBC_TUNABLES", Environment.GetEnvironmentVariable("GLIBC_TUNABLES") ?? "(not set)"),
                ("TorchSharp", typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "?"),
            });
            return 0;
        });
        return cmd;
    }
}
