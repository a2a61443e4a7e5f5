using LsLab.Bench;

// Benchmarks, one subcommand each: `dotnet run -c Release --project bench/LsLab.Bench -- <name> [options]`.
var commands = new Dictionary<string, Func<string[], int>>
{
    ["calibration"] = CalibrationBench.Run,
    ["calibration-worker"] = CalibrationBench.Worker,
    ["train"] = ThroughputBench.Train,
    ["infer"] = ThroughputBench.Infer,
    ["gemm"] = ThroughputBench.Gemm,
    ["pipeline"] = ThroughputBench.Pipeline,
    ["beam"] = ThroughputBench.Beam,
    ["score"] = ScoringBench.Run,
    ["group"] = GroupBench.Run,
    ["step-profile"] = StepProfile.Run,
    ["group-profile"] = GroupProfile.Run,
    ["performance-report"] = PerformanceReport.Run,
};
if (args.Length == 0 || !commands.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: LsLab.Bench <{string.Join("|", commands.Keys)}> [options]");
    return 2;
}
try
{
    return run(args[1..]);
}
catch (LsLab.LsLabException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
