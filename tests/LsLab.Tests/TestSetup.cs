using System.Runtime.CompilerServices;
using LsLab.Training;

namespace LsLab.Tests;

static class TestSetup
{
    /// <summary>
    /// Tests interrupt runs after a given epoch and check where they resume, so every epoch checkpoints here (the
    /// product's default is at most every 10 s); CLI processes the tests start inherit the variable.
    /// </summary>
    [ModuleInitializer]
    internal static void CheckpointEveryEpoch()
    {
        Environment.SetEnvironmentVariable("LSLAB_CHECKPOINT_SECONDS", "0");
        Trainer.CheckpointInterval = TimeSpan.Zero;
    }
}
