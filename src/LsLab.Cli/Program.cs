using System.CommandLine;
using LsLab.Cli;
using LsLab.Cli.Commands;

if (LsLab.Native.AllocatorTuning.ReexecIfNeeded(args) is int childExit) return childExit;

var root = new RootCommand(
    "LsLab: label smoothing, calibration, distillation and the geometry behind them\n" +
    "(Müller, Kornblith & Hinton, \"When Does Label Smoothing Help?\", NeurIPS 2019).\n\n" +
    "Start with:\n" +
    "  lslab train --model mlp --alpha 0.1 --epochs 3 --out runs/mlp-ls\n" +
    "  lslab evaluate --run runs/mlp-ls\n" +
    "  lslab datasets");
// One line per command; each lives in Commands/<Name>Command.cs.
root.Subcommands.Add(TrainCommand.Build());
root.Subcommands.Add(EvaluateCommand.Build());
root.Subcommands.Add(DatasetsCommand.Build());
root.Subcommands.Add(CalibrateCommand.Build());
root.Subcommands.Add(TranslateCommand.Build());
root.Subcommands.Add(ProjectCommand.Build());
root.Subcommands.Add(InfoCommand.Build());
root.Subcommands.Add(ExperimentCommand.Build());
root.Subcommands.Add(ReproduceCommand.Build());
root.Subcommands.Add(RunsCommand.Build());
root.Subcommands.Add(RunsCommand.BuildRunCell());
root.Subcommands.Add(WorkerCommand.Build());
root.Subcommands.Add(DistillCommand.Build());
root.Subcommands.Add(MiCommand.Build());
return Cli.Invoke(root, args);
