using LsLab.Cli;

// Installed as a .NET tool, lslab runs from its package: a package packed where libstdc++ is newer than
// here carries TorchSharp's glue library unpatched, so fix the installed copy before libtorch loads
// (a no-op once patched, or when this system needs nothing; docs/torchsharp-glibcxx.md).
if (OperatingSystem.IsLinux())
{
    try { LsLab.Native.ElfVersionPatcher.PatchFolderForSystem(AppContext.BaseDirectory); }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException) { } // read-only install: libtorch's load error explains
}
if (LsLab.Native.AllocatorTuning.ReexecIfNeeded(args) is int childExit) return childExit;
return Cli.Invoke(Cli.BuildRoot(), args);
