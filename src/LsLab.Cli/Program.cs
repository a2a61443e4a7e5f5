using LsLab.Cli;

if (LsLab.Native.AllocatorTuning.ReexecIfNeeded(args) is int childExit) return childExit;
return Cli.Invoke(Cli.BuildRoot(), args);
