using LsLab.Models;
using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Tests.Runs;

/// <summary>
/// A run can always finish and its files are verified: the end of a run is one commit point, every
/// checkpoint and final file carries a checksum, paths named in run files stay inside the folder,
/// stale temporaries are cleaned and a run that never started leaves no folder (issue: reliability).
/// </summary>
public sealed class RunFilesTests : TempDirTest
{
    public RunFilesTests() => Engine.Initialize();

    static TrainOptions Options(int epochs = 2) => new() { Model = "mlp-small", Width = 16, Epochs = epochs, BatchSize = 32, LearningRate = 0.05, Seed = 3 };

    RunFolder Run => new(Path.Combine(Dir, "run"));

    static float[] Train(TrainOptions o, RunFolder run, Action<int, Classifier, EpochMetrics>? hook = null)
    {
        using var data = TestData.BlobSplits();
        using var model = TrainingRun.CreateModel(o, data.Train);
        Directory.CreateDirectory(run.Path);
        run.WriteConfig(o);
        new Trainer(o) { OnEpochEnd = hook }.Fit(model, data, run);
        return model.Head.weight!.ToCpuArray<float>();
    }

    static float[] Weights(RunFolder run)
    {
        using var data = TestData.BlobSplits();
        using var model = TrainingRun.LoadModel(run, data.Train);
        return model.Head.weight!.ToCpuArray<float>();
    }

    [Fact]
    public void A_finished_checkpoint_without_its_final_files_is_completed_on_resume_with_the_same_weights()
    {
        var o = Options();
        var straight = Train(o, Run);
        Assert.True(Run.IsComplete);
        Assert.True(File.Exists(Run.ManifestPath));
        // As after a kill between the checkpoint and the final files (or a run from before manifests): only the checkpoint remains.
        File.Delete(Run.ModelPath);
        File.Delete(Run.ManifestPath);
        Assert.False(Run.IsComplete);
        var again = Train(o, Run);
        Assert.Equal(straight, again);
        Assert.True(Run.IsComplete);
        Assert.Equal(straight, Weights(Run));
    }

    [Fact]
    public void A_kill_in_the_last_epoch_leaves_no_final_model_and_resume_ends_as_an_uninterrupted_run()
    {
        var o = Options(3);
        var straight = Train(o, new RunFolder(Path.Combine(Dir, "straight")));
        Assert.Throws<OperationCanceledException>(() => Train(o, Run, (epoch, _, _) => { if (epoch == 3) throw new OperationCanceledException("kill"); }));
        Assert.False(File.Exists(Run.ModelPath));
        Assert.False(Run.IsComplete);
        // A temporary file of a writer that died (pid 999999 is not running) is cleaned when the run starts again.
        var stale = Path.Combine(Run.Path, ".model.dat.999999.0123456789abcdef.tmp");
        File.WriteAllText(stale, "half a model");
        var resumed = Train(o, Run);
        Assert.Equal(straight, resumed);
        Assert.Equal(straight, Weights(Run));
    }

    [Fact]
    public void Changed_bytes_in_a_final_file_or_a_checkpoint_are_named_on_load()
    {
        var o = Options();
        Train(o, Run);
        var bytes = File.ReadAllBytes(Run.ModelPath);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(Run.ModelPath, bytes);
        var e = Assert.Throws<LsLabException>(() => Weights(Run));
        Assert.Contains("model.dat: checksum mismatch", e.Message);

        var cp = Directory.GetFiles(Run.CheckpointDir, "model.e*.dat").Single();
        var cb = File.ReadAllBytes(cp);
        Array.Clear(cb, cb.Length / 3, 16);   // zeroed bytes inside the checkpoint
        File.WriteAllBytes(cp, cb);
        File.Delete(Run.ModelPath);
        File.Delete(Run.ManifestPath);
        var r = Assert.Throws<LsLabException>(() => Train(o, Run));
        Assert.Contains("checksum mismatch", r.Message);
        Assert.Contains(Path.GetFileName(cp), r.Message);
    }

    [Theory]
    [InlineData("\"epochsDone\": 2", "\"epochsDone\": 99", "says 99 epochs done")]
    [InlineData("\"epochsDone\": 2", "\"epochsDone\": -5", "holds 2 epochs of history")]
    [InlineData("\"modelFile\": \"model.e2.dat\"", "\"modelFile\": \"../../../../etc/passwd\"", "not a plain file name")]
    public void A_tampered_checkpoint_state_is_refused_with_the_file_named(string find, string replace, string expected)
    {
        var o = Options();
        Train(o, Run);
        File.Delete(Run.ModelPath);
        var state = Path.Combine(Run.CheckpointDir, "state.json");
        var text = File.ReadAllText(state);
        Assert.Contains(find, text);
        File.WriteAllText(state, text.Replace(find, replace));
        var e = Assert.Throws<LsLabException>(() => Train(o, Run));
        Assert.Contains(expected, e.Message);
        Assert.Contains(Run.CheckpointDir, e.Message);
    }

    [Fact]
    public void A_run_that_fails_before_its_first_checkpoint_leaves_no_folder_behind()
    {
        var dir = Path.Combine(Dir, "never");
        var o = new TrainOptions { Dataset = LsLab.Data.DatasetCatalog.Embedded, Model = "no-such-model", Epochs = 1, TrainLimit = 100 };
        Assert.ThrowsAny<Exception>(() => TrainingRun.Execute(o, dir, Progress.None));
        Assert.False(Directory.Exists(dir));
    }
}
