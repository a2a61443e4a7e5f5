using LsLab.Data;
using LsLab.Models;
using LsLab.Runs;
using LsLab.Training;
using static TorchSharp.torch;

namespace LsLab.Tests.Training;

/// <summary>Grouped training against the single-run code it must reproduce (tiny widths, made-up data).</summary>
public class GroupTrainingTests : TempDirTest
{
    public GroupTrainingTests() => Engine.Initialize();

    static TrainOptions Options(string model, int seed, double alpha, int epochs = 2) => new()
    {
        Model = model, Width = 16, Alpha = alpha, Epochs = epochs, BatchSize = 32, LearningRate = 0.05, Seed = seed,
        Dropout = model == "mlp" ? 0.3 : null,
        // convnet trains with crop augmentation (each member's crops from its own epoch generator). Not resnet20: with
        // crops its batch-norm training amplifies float rounding past 1e-5 within 6 steps (grouped and single alike).
        Augment = model is "convnet",
    };

    /// <summary>Members differ in seed and α; each has its own data (seeded blobs), 96 examples = 3 steps of 32.</summary>
    static (TrainOptions Options, DataSplits Data)[] Members(string model, int epochs = 2) =>
        new[] { (7, 0.0), (8, 0.1), (9, 0.3) }.Select(m => (Options(model, m.Item1, m.Item2, epochs),
            new DataSplits(TestData.Blobs(96, 3, m.Item1), TestData.Blobs(30, 3, 100 + m.Item1), TestData.Blobs(30, 3, 200 + m.Item1)))).ToArray();

    /// <summary>Every parameter and buffer (batch-norm running statistics and counts) of a model, as floats.</summary>
    static float[] Flat(nn.Module m) => m.parameters().Concat(m.buffers())
        .SelectMany(p => p.to_type(ScalarType.Float32).data<float>().ToArray()).ToArray();

    static void AssertClose(float[] expected, float[] actual, double rel, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs(v));
        double worst = expected.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= rel * scale, $"{what}: largest difference {worst:G3} against a scale of {scale:G3}");
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("mlp-small")]
    [InlineData("convnet")]
    [InlineData("resnet20")]
    public void One_step_gives_every_member_the_loss_and_gradients_of_its_single_model(string model)
    {
        var members = Members(model);
        var singles = members.Select(m => TrainingRun.CreateModel(m.Options, m.Data.Train)).ToList();
        using var group = GroupedClassifier.Create(singles);
        group.train();
        var idx = arange(32);
        var x = stack(members.Select(m => m.Data.Train.Images.index_select(0, idx)).ToArray());
        var gens = members.Select(m => new Generator((ulong)m.Options.Seed)).ToArray();
        var logits = group.forward(x, gens);
        var losses = members.Select((m, i) => LsLab.Losses.LabelSmoothing.Loss(logits[i], m.Data.Train.Labels.index_select(0, idx), m.Options.Alpha)).ToArray();
        stack(losses).sum().backward();
        for (int i = 0; i < members.Length; i++)
        {
            // The single model's dropout draws from the global generator seeded like the member's.
            manual_seed(members[i].Options.Seed);
            singles[i].train();
            var loss = LsLab.Losses.LabelSmoothing.Loss(singles[i].forward(members[i].Data.Train.Images.index_select(0, idx)),
                members[i].Data.Train.Labels.index_select(0, idx), members[i].Options.Alpha);
            loss.backward();
            Assert.Equal(loss.item<float>(), losses[i].item<float>(), 1e-5f * Math.Abs(loss.item<float>()));
            foreach (var (name, p) in singles[i].named_parameters())
            {
                var stacked = group.Stacked[group.Names.ToList().IndexOf(name)];
                AssertClose(p.grad!.data<float>().ToArray(), stacked.grad![i].data<float>().ToArray(), 1e-5, $"member {i} grad {name}");
            }
            // Batch norm's running statistics, updated by the training-mode forward of each.
            foreach (var (name, b) in singles[i].named_buffers())
                AssertClose(b.to_type(ScalarType.Float32).data<float>().ToArray(), group[name][i].to_type(ScalarType.Float32).data<float>().ToArray(), 1e-5, $"member {i} buffer {name}");
        }
        foreach (var s in singles) s.Dispose();
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("mlp-small")]
    [InlineData("convnet")]
    [InlineData("resnet20")]
    public void Group_training_ends_every_member_where_its_single_run_ends(string model)
    {
        var members = Members(model);
        var states = GroupTraining.Fit(Group(members, "g"), Progress.None);
        for (int i = 0; i < members.Length; i++)
        {
            var (o, data) = members[i];
            using var single = TrainingRun.CreateModel(o, data.Train);
            var alone = new Trainer(o) { Augment = o.Augment ? Augmentation.For(data.Train) : null }.Fit(single, data);
            using var member = TrainingRun.LoadModel(new RunFolder(Path.Combine(Dir, "g", i.ToString())), data.Train);
            AssertClose(Flat(single), Flat(member), 1e-5, $"member {i} weights");
            for (int e = 0; e < o.Epochs; e++)
            {
                Assert.Equal(alone.History[e].TrainLoss, states[i].History[e].TrainLoss, 1e-5 * alone.History[e].TrainLoss);
                Assert.Equal(alone.History[e].ValidationLoss, states[i].History[e].ValidationLoss, 1e-5 * alone.History[e].ValidationLoss);
            }
        }
    }

    GroupMember[] Group((TrainOptions Options, DataSplits Data)[] members, string folder, Action<int, Classifier, EpochMetrics>? hook = null) =>
        members.Select((m, i) =>
        {
            var run = new RunFolder(Path.Combine(Dir, folder, i.ToString()));
            return new GroupMember(m.Options, run, m.Data, OnEpochEnd: new LogitTrace(1).Recorder(run, m.Data, m.Options.Epochs));
        }).ToArray();

    [Theory]
    [InlineData("mlp")]
    [InlineData("convnet")]
    [InlineData("resnet20")]
    public void A_member_loaded_after_group_training_predicts_like_its_group_slice(string model)
    {
        var members = Members(model, epochs: 1);
        GroupTraining.Fit(Group(members, "g"), Progress.None);
        var loaded = members.Select((m, i) => TrainingRun.LoadModel(new RunFolder(Path.Combine(Dir, "g", i.ToString())), m.Data.Train)).ToList();
        using var group = GroupedClassifier.Create(loaded);
        group.eval();
        using var x = stack(members.Select(m => m.Data.Test.Images).ToArray());
        using var fromGroup = group.forward(x);
        for (int i = 0; i < members.Length; i++)
        {
            using var alone = Evaluator.Predict(loaded[i], members[i].Data.Test);
            // The logits recorded during group training (from the member's own weights) are the loaded model's, bit for bit.
            var traced = LogitTrace.Read(new RunFolder(Path.Combine(Dir, "g", i.ToString())), 1, "test");
            Assert.Equal(alone.data<float>().ToArray().Select(v => (double)v), traced.Logits);
            AssertClose(alone.data<float>().ToArray(), fromGroup[i].data<float>().ToArray(), 1e-6, $"member {i} logits");
        }
        foreach (var m in loaded) m.Dispose();
    }

    /// <summary>Stops the group after <paramref name="epochs"/> logged epochs, as a kill right after that epoch's checkpoints would.</summary>
    sealed class StopAfter(int epochs) : IProgressReporter, IProgressTask
    {
        int logged;
        public void Run(string title, long totalSteps, Action<IProgressTask> work) => work(this);
        public void Advance(long steps, string? status = null) { }
        public void Log(string line) { if (++logged == epochs) throw new OperationCanceledException("killed"); }
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("convnet")]
    [InlineData("resnet20")]
    public void A_stopped_group_resumes_bit_for_bit(string model)
    {
        var members = Members(model, epochs: 2);
        GroupTraining.Fit(Group(members, "whole"), Progress.None);
        Assert.Throws<OperationCanceledException>(() => GroupTraining.Fit(Group(members, "stopped"), new StopAfter(1)));
        Assert.Equal(1, new RunFolder(Path.Combine(Dir, "stopped", "0")).ReadMetrics().EpochsDone);
        var resumed = GroupTraining.Fit(Group(members, "stopped"), Progress.None);
        for (int i = 0; i < members.Length; i++)
        {
            var a = new RunFolder(Path.Combine(Dir, "whole", i.ToString()));
            var b = new RunFolder(Path.Combine(Dir, "stopped", i.ToString()));
            using var ma = TrainingRun.LoadModel(a, members[i].Data.Train);
            using var mb = TrainingRun.LoadModel(b, members[i].Data.Train);
            Assert.Equal(Flat(ma), Flat(mb));
            Assert.Equal(a.ReadMetrics().History.Select(h => (h.TrainLoss, h.ValidationLoss)), resumed[i].History.Select(h => (h.TrainLoss, h.ValidationLoss)));
            Assert.Equal(LogitTrace.Read(a, 2, "test").Logits, LogitTrace.Read(b, 2, "test").Logits);
            Assert.True(b.IsSealed);
        }
    }
}
