using System.CommandLine;
using LsLab.Data;
using LsLab.Native;
using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Cli.Commands;

/// <summary>`lslab evaluate`: accuracy and NLL of a trained run; saves logits and labels as .npy.</summary>
public static class EvaluateCommand
{
    public static Command Build()
    {
        var runDir = new Option<string>("--run", "-r") { Description = "Run folder made by `lslab train`.", Required = true };
        var split = new Option<string>("--split", "-s") { Description = "test, validation or train.", DefaultValueFactory = _ => "test" };
        split.AcceptOnlyFromAmong("test", "validation", "train");
        var threads = Cli.ThreadsOption();
        var device = Cli.DeviceOption();
        var cmd = new Command("evaluate",
            "Accuracy and NLL of a trained run; writes eval/<split>/logits.npy (float32 [N,K]), labels.npy (int64 [N]), score.json.")
        { runDir, split, threads, device };
        cmd.WithExamples(
            "lslab evaluate --run runs/mlp-ls",
            "lslab evaluate --run runs/mlp-ls --split validation",
            "python3 -c \"import numpy as np; print(np.load('runs/mlp-ls/eval/test/logits.npy').shape)\"");
        cmd.SetAction(p =>
        {
            Cli.InitializeEngine(p.GetValue(threads), p.GetValue(device));
            var run = new RunFolder(OptionChecks.InDir(p.GetValue(runDir)!, "--run"));
            var result = Evaluation.Evaluate(run, p.GetValue(split)!);
            Cli.PrintTable($"{run.Path} — {result.Split} ({result.Score.Count} examples)", new[]
            {
                ("accuracy", result.Score.Accuracy.ToString("P2")),
                ("NLL", result.Score.Nll.ToString("F4")),
                ("logits", result.LogitsPath),
                ("labels", result.LabelsPath),
            });
            return 0;
        });
        return cmd;
    }
}
