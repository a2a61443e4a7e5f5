using LsLab.Runs;

namespace LsLab.Tests.Runs;

public sealed class RunStoreTests : TempDirTest
{
    string dir => Dir;

    [Fact]
    public void Same_configuration_registers_once_and_a_claim_by_a_dead_owner_is_taken_over()
    {
        using var s = new RunStore(dir);
        var a = s.Register(new ClassifierRun(new LsLab.Training.TrainOptions { Seed = 1 }), "e", "/tmp/r");
        var again = s.Register(new ClassifierRun(new LsLab.Training.TrainOptions { Seed = 1 }), "e", "/tmp/r");
        Assert.Equal(a.Id, again.Id);
        Assert.Single(s.List());
        Assert.True(s.TryClaim(a.Id));
        Assert.True(s.TryClaim(a.Id));           // our own claim (after a crash inside this process) is ours again
        Assert.False(RunStore.OwnerAlive($"999999@{Environment.MachineName}@1"));
        Assert.True(RunStore.OwnerAlive(RunStore.Me));
        s.MarkDone(a.Id, new { acc = 0.5 }, 1.5);
        Assert.False(s.TryClaim(a.Id));          // done runs are never claimed again
        Assert.Equal(RunStatus.Done, s.Get(a.Id)!.Status);
        var other = s.Register(new ClassifierRun(new LsLab.Training.TrainOptions { Seed = 2 }), "e", "/tmp/r2");
        Assert.NotEqual(a.Id, other.Id);
    }
}
