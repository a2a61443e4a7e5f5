using LsLab.Models;
using LsLab.Runs;
using LsLab.Training;
using static TorchSharp.torch;

namespace LsLab.Tests.Training;

public class TrainerTests
{
    public TrainerTests() => Engine.Initialize();

    static TrainOptions Options(int epochs = 3) => new()
    {
        Model = "mlp-small", Width = 32, Alpha = 0.1, Epochs = epochs, BatchSize = 32, LearningRate = 0.05, Seed = 7,
    };

    static (TrainingState State, float[] Weights) Train(TrainOptions o, RunFolder? run = null, Action<int, Classifier, EpochMetrics>? hook = null)
    {
        using var data = TestData.BlobSplits();
        using var model = TrainingRun.CreateModel(o, data.Train);
        var state = new Trainer(o) { OnEpochEnd = hook }.Fit(model, data, run);
        return (state, model.Head.weight!.data<float>().ToArray());
    }

    [Fact]
    public void Learns_separable_blobs()
    {
        var (state, _) = Train(Options(4));
        Assert.True(state.History[^1].ValidationAccuracy > 0.95, $"validation accuracy {state.History[^1].ValidationAccuracy}");
        Assert.True(state.History[^1].TrainLoss < state.History[0].TrainLoss);
    }

    [Fact]
    public void Same_seed_gives_the_same_weights_and_losses()
    {
        var a = Train(Options(2) with { Dropout = 0.3 });
        var b = Train(Options(2) with { Dropout = 0.3 });
        Assert.Equal(a.Weights, b.Weights);
        Assert.Equal(a.State.History.Select(h => h.TrainLoss), b.State.History.Select(h => h.TrainLoss));
        var c = Train(Options(2) with { Dropout = 0.3, Seed = 8 });
        Assert.NotEqual(a.Weights, c.Weights);
    }

    [Fact]
    public void Resume_after_an_interruption_ends_exactly_where_an_uninterrupted_run_ends()
    {
        var o = Options(3) with { Dropout = 0.2 };
        var straight = Train(o);
        var dir = Path.Combine(Path.GetTempPath(), "lslab-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var run = new RunFolder(dir);
            Assert.Throws<OperationCanceledException>(() =>
                Train(o, run, (epoch, _, _) => { if (epoch == 2) throw new OperationCanceledException("simulated kill"); }));
            Assert.False(File.Exists(run.ModelPath));
            var resumed = Train(o, run);
            Assert.Equal(3, resumed.State.EpochsDone);
            Assert.Equal(straight.Weights, resumed.Weights);
            Assert.Equal(straight.State.History.Select(h => h.TrainLoss), resumed.State.History.Select(h => h.TrainLoss));
            Assert.True(File.Exists(run.ModelPath));
            Assert.Single(Directory.GetFiles(run.CheckpointDir, "model.e*.dat"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Divergence_stops_with_epoch_and_step_in_the_message()
    {
        // Inputs near float32's limit overflow the activations, so the loss is NaN at once, with options that
        // TrainOptions.Validate accepts (it refuses a learning rate above 10, which used to be this test's trigger).
        var o = Options(2);
        using var blobs = TestData.Blobs(300, 3, 1);
        using var data = new LsLab.Data.DataSplits(
            new LsLab.Data.Dataset("huge", blobs.Images.mul(1e38f), blobs.Labels.clone(), blobs.ClassNames, "synthetic ×1e38"),
            TestData.Blobs(60, 3, 2), TestData.Blobs(60, 3, 3));
        using var model = TrainingRun.CreateModel(o, data.Train);
        var e = Assert.Throws<LsLabException>(() => new Trainer(o).Fit(model, data, null));
        Assert.Matches(@"loss is (NaN|∞|-?Infinity|[-]?∞) at epoch \d+, step \d+/\d+", e.Message);
    }

    [Fact]
    public void Cosine_schedule_ends_near_zero_and_step_schedule_divides_by_ten()
    {
        var cos = Train(Options(3) with { Schedule = Schedule.Cosine }).State;
        Assert.True(cos.History[^1].LearningRate < 0.05 * 0.01);
        var step = Train(Options(4) with { Schedule = Schedule.Step }).State;
        Assert.Equal(0.05, step.History[0].LearningRate, 9);
        Assert.Equal(0.005, step.History[2].LearningRate, 9);
    }
}
