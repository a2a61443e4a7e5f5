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
    public void Checkpoints_wait_for_the_interval_except_after_the_last_epoch()
    {
        var o = Options(3);
        var dir = Path.Combine(Path.GetTempPath(), "lslab-test-" + Guid.NewGuid().ToString("N"));
        var saved = Trainer.CheckpointInterval;
        try
        {
            Trainer.CheckpointInterval = TimeSpan.FromHours(1);
            var run = new RunFolder(dir);
            // Killed in epoch 2 of 3 with an hour to go before the next checkpoint: nothing was written, the rerun starts over.
            Assert.Throws<OperationCanceledException>(() =>
                Train(o, run, (epoch, _, _) => { if (epoch == 2) throw new OperationCanceledException("simulated kill"); }));
            Assert.False(File.Exists(Path.Combine(run.CheckpointDir, "state.json")));
            var resumed = Train(o, run);
            Assert.Equal(Train(o).Weights, resumed.Weights);
            Assert.Equal(3, run.CheckpointEpochs);   // the last epoch checkpointed whatever the interval
            Assert.True(File.Exists(run.ModelPath));

            // With no interval every epoch checkpoints: the same kill leaves epoch 1's checkpoint.
            Trainer.CheckpointInterval = TimeSpan.Zero;
            var again = new RunFolder(dir + "-b");
            Assert.Throws<OperationCanceledException>(() =>
                Train(o, again, (epoch, _, _) => { if (epoch == 2) throw new OperationCanceledException("simulated kill"); }));
            Assert.Equal(1, again.CheckpointEpochs);
        }
        finally
        {
            Trainer.CheckpointInterval = saved;
            foreach (var d in new[] { dir, dir + "-b" }) if (Directory.Exists(d)) Directory.Delete(d, true);
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

public sealed class RecipeTests : TempDirTest
{
    public RecipeTests() => Engine.Initialize();

    [Theory]
    [InlineData(OptimizerKind.Sgd)]
    [InlineData(OptimizerKind.Adam)]
    [InlineData(OptimizerKind.AdamW)]
    public void Every_optimizer_resumes_bit_for_bit_from_its_checkpointed_state(OptimizerKind kind)
    {
        var recipe = new Recipe { Optimizer = kind, Epochs = 3, LearningRate = kind == OptimizerKind.Sgd ? 0.05 : 0.01, WeightDecay = 1e-3, WarmupSteps = 3, Seed = 5 };
        var o = new TrainOptions { Model = "mlp-small", Width = 16, BatchSize = 32 };
        float[] Fit(RunFolder? run, Action<int, EpochMetrics>? hook = null)
        {
            using var data = TestData.BlobSplits();
            LsLab.Native.Engine.Initialize();
            TorchSharp.torch.manual_seed(recipe.Seed);
            using var model = LsLab.Models.ModelRegistry.Create(o.Model, new LsLab.Models.ModelSpec(data.Train.Channels, data.Train.Height, data.Train.Width, data.Train.NumClasses, o.Width, o.Dropout));
            var step = new ClassificationStep(model, data, new LabelSmoothingObjective(0.1), o.BatchSize);
            new Trainer(recipe).Fit(model, step, run, onEpochEnd: hook);
            return model.Head.weight!.ToCpuArray<float>();
        }
        var straight = Fit(null);
        var run = new RunFolder(Path.Combine(Dir, kind.ToString()));
        Directory.CreateDirectory(run.Path);
        Assert.Throws<OperationCanceledException>(() => Fit(run, (epoch, _) => { if (epoch == 2) throw new OperationCanceledException(); }));
        Assert.Equal(straight, Fit(run));
        // Warm-up then cosine: the schedule the recipe names, in steps.
        Assert.Equal(recipe.LearningRate / 3, recipe.LearningRateAt(0, 10), 12);
        Assert.Equal(recipe.LearningRate, recipe.LearningRateAt(2, 10), 12);
        Assert.True(recipe.LearningRateAt(29, 10) < recipe.LearningRate * 0.01);
    }
}
