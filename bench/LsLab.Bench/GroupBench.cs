using System.Globalization;
using LsLab.Data;
using LsLab.Native;
using LsLab.Runs;
using LsLab.Training;
using static TorchSharp.torch;

namespace LsLab.Bench;

/// <summary>
/// `group --model mlp|mlp-small|convnet|resnet20 --members G --steps S --epochs E --mode grouped|sequential`: G runs that
/// differ in seed and α (a sweep's cells) trained as one group (<see cref="GroupTraining"/>) or one after
/// another (<see cref="Trainer"/>), on uniform random images with random labels, batch 128, SGD lr 0.1
/// Nesterov 0.9, cosine, the model's default weight decay. Throughput is examples per second summed over members, over the training loops
/// only (validation and checkpoints excluded on both paths), epoch 1 being the warm-up.
/// bench/pytorch_group_bench.py does the same with functorch's vmap ensemble and one after another.
/// </summary>
public static class GroupBench
{
    public static int Run(string[] args)
    {
        var o = BenchArgs.Parse(args);
        string model = o.Get("model", "mlp-small"), mode = o.Get("mode", "grouped");
        int g = o.Int("members", 16), steps = o.Int("steps", 20), epochs = o.Int("epochs", 3), batch = o.Int("batch", 128), threads = o.Int("threads", 2);
        if (epochs < 2) throw new LsLabException("--epochs must be ≥ 2 (epoch 1 is the warm-up).");
        Engine.Initialize(threads);
        var (c, h, w) = ThroughputBench.Shape(model);
        int n = steps * batch;
        manual_seed(0);
        var classes = Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        using var data = new DataSplits(new Dataset("synthetic", rand(n, c, h, w), randint(0, 10, n), classes, "bench"),
            new Dataset("val", rand(batch, c, h, w), randint(0, 10, batch), classes, "bench"),
            new Dataset("test", rand(batch, c, h, w), randint(0, 10, batch), classes, "bench"));
        var options = Enumerable.Range(0, g).Select(i => new TrainOptions
        {
            Model = model, Alpha = new[] { 0.0, 0.05, 0.1, 0.2 }[i % 4], Seed = i, Epochs = epochs, BatchSize = batch,
        }).ToList();
        var dir = Directory.CreateTempSubdirectory("lslab-group-bench-").FullName;
        double cpu0 = Memory.CpuSeconds(), loopCpu = 0, cpuAfterEpoch1 = 0;
        // Process CPU seconds from the end of epoch 1 to the end of the last (for the group: at member 0's epoch end,
        // so the other members' checkpoints of those epochs count against the group).
        void Mark(int epoch)
        {
            if (epoch == 1) cpuAfterEpoch1 = Memory.CpuSeconds();
            if (epoch == epochs) loopCpu += Memory.CpuSeconds() - cpuAfterEpoch1;
        }
        List<List<EpochMetrics>> histories;
        try
        {
            if (mode == "grouped")
                histories = GroupTraining.Fit(options.Select((op, i) => new GroupMember(op, new RunFolder(Path.Combine(dir, i.ToString())), data,
                        OnEpochEnd: i == 0 ? (e, _, _) => Mark(e) : null)).ToList(), Progress.None)
                    .Select(s => s.History).ToList();
            else if (mode == "sequential")
                histories = options.Select(op =>
                {
                    using var m = TrainingRun.CreateModel(op, data.Train);
                    return new Trainer(op) { OnEpochEnd = (e, _, _) => Mark(e) }.Fit(m, data).History;
                }).ToList();
            else throw new LsLabException($"--mode must be grouped or sequential, got '{mode}'.");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        double cpu = Memory.CpuSeconds() - cpu0;
        // Summed throughput of epochs 2..E: all members' examples over the loop time they took (shared in a group, added up one after another).
        double seconds = mode == "grouped" ? histories[0].Skip(1).Sum(m => m.Seconds) : histories.Sum(hs => hs.Skip(1).Sum(m => m.Seconds));
        double rate = (double)g * n * (epochs - 1) / seconds;
        BenchArgs.Emit(new Dictionary<string, object>
        {
            ["side"] = "lslab", ["work"] = "group-" + mode, ["model"] = model, ["members"] = g, ["threads"] = Engine.Threads, ["batch"] = batch, ["steps"] = steps,
            ["epochs"] = epochs, ["ex_per_s"] = rate, ["loop_s"] = seconds, ["loop_cpu_s"] = loopCpu, ["ex_per_cpu_s"] = (double)g * n * (epochs - 1) / loopCpu, ["process_cpu_s"] = cpu, ["peak_rss"] = Memory.Rss().Peak,
            ["final_loss_mean"] = histories.Average(hs => hs[^1].TrainLoss),
        });
        return 0;
    }
}
