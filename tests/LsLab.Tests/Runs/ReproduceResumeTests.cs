using LsLab.Runs;

namespace LsLab.Tests.Runs;

public sealed class ReproduceResumeTests : TempDirTest
{
    string dir => Dir;

    [Fact]
    public void Kill_9_part_way_then_restart_completes_without_redoing_or_losing_runs()
    {
        using var first = CliProcess.Start("reproduce", "--profile", "tiny", "--out", dir, "--quiet", "--only", "accuracy,calibration");
        // Wait until at least one run is recorded done, then kill the process outright.
        var doneBeforeKill = new List<string>();
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline && !first.HasExited)
        {
            if (File.Exists(Path.Combine(dir, "store.db")))
            {
                using var s = new RunStore(dir);
                doneBeforeKill = s.List().Where(r => r.Status == RunStatus.Done).Select(r => r.Id).ToList();
                if (doneBeforeKill.Count > 0) break;
            }
            Thread.Sleep(50);
        }
        Assert.False(first.HasExited, "reproduce finished before it could be killed; the test needs a longer profile");
        first.Kill(entireProcessTree: true);
        first.WaitForExit();
        Assert.NotEmpty(doneBeforeKill);

        var (code, _, err) = CliProcess.Run("reproduce", "--profile", "tiny", "--out", dir, "--quiet", "--only", "accuracy,calibration");
        Assert.True(code == 0, err);
        using var store = new RunStore(dir);
        var runs = store.List();
        Assert.Equal(5, runs.Count);                                   // accuracy: α ∈ {0, 0.1}; calibration: α ∈ {0, 0.05, 0.1} with logit traces
        Assert.All(runs, r => Assert.Equal(RunStatus.Done, r.Status));
        Assert.Equal(runs.Count, runs.Select(r => r.Id).Distinct().Count());
        foreach (var id in doneBeforeKill) Assert.Equal(1, store.Attempts(id)); // finished runs were not trained again
        Assert.All(runs, r => Assert.True(new RunFolder(r.Path).IsComplete));
        Assert.True(File.Exists(Path.Combine(dir, "report", "index.html")));
    }

    [Fact]
    public async Task Two_processes_on_one_store_train_each_run_exactly_once()
    {
        using var a = CliProcess.Start("reproduce", "--profile", "tiny", "--out", dir, "--quiet", "--only", "calibration");
        using var b = CliProcess.Start("reproduce", "--profile", "tiny", "--out", dir, "--quiet", "--only", "calibration");
        var errA = a.StandardError.ReadToEndAsync();
        var errB = b.StandardError.ReadToEndAsync();
        _ = a.StandardOutput.ReadToEndAsync();
        _ = b.StandardOutput.ReadToEndAsync();
        Assert.True(a.WaitForExit(TimeSpan.FromMinutes(4)) && b.WaitForExit(TimeSpan.FromMinutes(4)));
        Assert.True(a.ExitCode == 0, await errA);
        Assert.True(b.ExitCode == 0, await errB);
        using var store = new RunStore(dir);
        var runs = store.List();
        Assert.Equal(3, runs.Count);
        Assert.All(runs, r => Assert.Equal(RunStatus.Done, r.Status));
        Assert.All(runs, r => Assert.Equal(1, store.Attempts(r.Id)));
    }

    [Fact]
    public void Run_cell_trains_one_registered_cell_and_then_has_nothing_to_do()
    {
        string cellId;
        using (var s = new RunStore(dir))
        {
            var options = new LsLab.Training.TrainOptions { Dataset = LsLab.Data.DatasetCatalog.Embedded, Model = "mlp-small", Width = 16, Epochs = 1, TrainLimit = 300 };
            var spec = new ClassifierRun(options);
            cellId = s.Register(spec, "manual", Path.Combine(dir, "runs", spec.Name)).Id;
        }
        var first = CliProcess.Run("run-cell", "--store", dir, "--cell", cellId[..8], "--quiet");
        Assert.True(first.Code == 0, first.Err);
        Assert.Contains("cell done", first.Out);
        var second = CliProcess.Run("run-cell", "--store", dir, "--cell", cellId, "--quiet");
        Assert.Contains("nothing to do", second.Out);
        using var store = new RunStore(dir);
        Assert.Equal(RunStatus.Done, store.List().Single().Status);
        var missing = CliProcess.Run("run-cell", "--store", dir, "--cell", "nope");
        Assert.Equal(2, missing.Code);
        Assert.Contains("no cell 'nope'", missing.Err);
    }
}

public sealed class ScaleOutTests : TempDirTest
{
    string dir => Dir;

    [Fact]
    public async Task Planned_cells_run_by_two_worker_processes_are_each_trained_once_then_reproduce_only_reports()
    {
        var plan = CliProcess.Run("reproduce", "--profile", "tiny", "--out", dir, "--only", "calibration", "--plan");
        Assert.True(plan.Code == 0, plan.Err);
        var cells = File.ReadAllLines(Path.Combine(dir, "cells.txt")).Where(l => l.Length > 0).ToArray();
        Assert.Equal(3, cells.Length);

        // Two workers, like two tasks of a job array sharing the folder: one walks the list forwards, one backwards.
        async Task Worker(IEnumerable<string> ids)
        {
            foreach (var id in ids)
            {
                var (code, _, err) = await Task.Run(() => CliProcess.Run("run-cell", "--store", dir, "--cell", id, "--quiet"));
                Assert.True(code == 0, err);
            }
        }
        await Task.WhenAll(Worker(cells), Worker(cells.Reverse()));

        using (var store = new RunStore(dir))
        {
            var runs = store.List();
            Assert.Equal(3, runs.Count);
            Assert.All(runs, r => Assert.Equal(RunStatus.Done, r.Status));
            Assert.All(runs, r => Assert.Equal(1, store.Attempts(r.Id)));
        }
        var report = CliProcess.Run("reproduce", "--profile", "tiny", "--out", dir, "--quiet", "--only", "calibration");
        Assert.True(report.Code == 0, report.Err);
        using var after = new RunStore(dir);
        Assert.All(after.List(), r => Assert.Equal(1, after.Attempts(r.Id)));   // the report pass trained nothing
        Assert.True(File.Exists(Path.Combine(dir, "report", "index.html")));
    }
}
