using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LsLab.Data;
using LsLab.Models;
using LsLab.Native;
using LsLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LsLab.Bench;

/// <summary>
/// LsLab's side of the PyTorch comparison (bench/pytorch_bench.py does the same work): training
/// through the real <see cref="Trainer"/>, inference through <see cref="Evaluator.Predict"/>, a
/// 1024³ matmul, and the data pipeline alone. One measurement per process; prints one JSON line.
/// </summary>
public static class ThroughputBench
{
    /// <summary>Input shape per model: the 28×28 grey models and the 32×32 colour ResNet.</summary>
    public static (int C, int H, int W) Shape(string model) => model.StartsWith("resnet", StringComparison.Ordinal) || model == "alexnet" ? (3, 32, 32) : (1, 28, 28);

    /// <summary>
    /// `train --model M --steps S --epochs E`: E epochs of S steps of batch 128 on uniform random
    /// images with random labels (LS α=0.1, SGD lr 0.1, Nesterov momentum 0.9, the model's default
    /// weight decay, cosine schedule). Epoch 1 is the warm-up; throughput is the median of the rest.
    /// RSS is read after every epoch (memory growth) and the peak at the end.
    /// </summary>
    public static int Train(string[] args)
    {
        var o = BenchArgs.Parse(args);
        string name = o.Get("model", "mlp");
        int steps = o.Int("steps", 100), epochs = o.Int("epochs", 5), batch = o.Int("batch", 128), threads = o.Int("threads", 2);
        Engine.Initialize(threads);
        var (c, h, w) = Shape(name);
        int n = steps * batch;
        manual_seed(0);
        var train = new Dataset("synthetic", rand(n, c, h, w), randint(0, 10, n), Classes, "bench");
        var empty = new Dataset("empty", zeros(0, c, h, w), zeros(0, dtype: ScalarType.Int64), Classes, "bench");
        var splits = new DataSplits(train, empty, empty);
        var model = ModelRegistry.Create(name, new ModelSpec(c, h, w, 10));
        var options = new TrainOptions { Model = name, Alpha = 0.1, Epochs = epochs, BatchSize = batch, Seed = 0 }; // the splits below are given: the (empty) validation split is not carved from these options
        var rss = new List<long>();
        var live = new List<long>();
        var cpu = new List<double>();
        double cpuAtEpochStart = Memory.CpuSeconds();
        var trainer = new Trainer(options)
        {
            OnEpochEnd = (_, _, _) =>
            {
                double now = Memory.CpuSeconds();
                cpu.Add(now - cpuAtEpochStart);
                cpuAtEpochStart = now;
                rss.Add(Memory.Rss().Current);
                live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            },
        };
        var state = trainer.Fit(model, splits);
        var rates = state.History.Select(m => m.ExamplesPerSecond).ToArray();
        BenchArgs.Emit(new Dictionary<string, object>
        {
            ["side"] = "lslab", ["work"] = "train", ["model"] = name, ["threads"] = Engine.Threads, ["batch"] = batch, ["steps"] = steps,
            ["first_epoch_s"] = state.History[0].Seconds, ["ex_per_s_epochs"] = rates, ["ex_per_s"] = Median(rates.Skip(1)),
            ["cpu_s_epochs"] = cpu, ["ex_per_cpu_s"] = Median(cpu.Skip(1).Select(c => steps * batch / c)),
            ["rss_epochs"] = rss, ["live_tensors_epochs"] = live, ["managed_heap"] = GC.GetTotalMemory(false), ["peak_rss"] = Memory.Rss().Peak, ["final_loss"] = state.History[^1].TrainLoss,
            ["mkl_override"] = MklOverride.Status,
        });
        return 0;
    }

    /// <summary>`infer --model M --batches B --repeats R`: eval-mode forward of B×512 examples via Evaluator.Predict, median of R passes after one warm-up pass.</summary>
    public static int Infer(string[] args)
    {
        var o = BenchArgs.Parse(args);
        string name = o.Get("model", "mlp");
        int batches = o.Int("batches", 20), repeats = o.Int("repeats", 3), batch = o.Int("batch", 512), threads = o.Int("threads", 2);
        Engine.Initialize(threads);
        var (c, h, w) = Shape(name);
        int n = batches * batch;
        manual_seed(0);
        using var data = new Dataset("synthetic", rand(n, c, h, w), randint(0, 10, n), Classes, "bench");
        var model = ModelRegistry.Create(name, new ModelSpec(c, h, w, 10));
        var rates = new List<double>();
        double checksum = 0;
        for (int r = 0; r <= repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            using var logits = Evaluator.Predict(model, data, batch);
            double s = sw.Elapsed.TotalSeconds;
            if (r > 0) rates.Add(n / s);
            checksum = logits.abs().sum().item<float>();
        }
        BenchArgs.Emit(new Dictionary<string, object>
        {
            ["side"] = "lslab", ["work"] = "infer", ["model"] = name, ["threads"] = Engine.Threads, ["batch"] = batch, ["n"] = n,
            ["ex_per_s_repeats"] = rates, ["ex_per_s"] = Median(rates), ["peak_rss"] = Memory.Rss().Peak, ["checksum"] = checksum,
        });
        return 0;
    }

    /// <summary>`gemm --size 1024 --count 40 --repeats 5`: GFLOP/s of torch.mm on two random square matrices (median of repeats).</summary>
    public static int Gemm(string[] args)
    {
        var o = BenchArgs.Parse(args);
        int size = o.Int("size", 1024), count = o.Int("count", 40), repeats = o.Int("repeats", 5), threads = o.Int("threads", 2);
        Engine.Initialize(threads);
        manual_seed(0);
        using var a = randn(size, size);
        using var b = randn(size, size);
        using var c = empty(size, size);
        for (int i = 0; i < 5; i++) torch.mm(a, b).Dispose();
        var rates = new List<double>();
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < count; i++) torch.mm(a, b).Dispose();
            rates.Add(count * 2.0 * size * size * size / sw.Elapsed.TotalSeconds / 1e9);
        }
        BenchArgs.Emit(new Dictionary<string, object>
        {
            ["side"] = "lslab", ["work"] = "gemm", ["model"] = $"{size}^3", ["threads"] = Engine.Threads,
            ["gflops_repeats"] = rates, ["gflops"] = Median(rates), ["mkl_override"] = MklOverride.Status,
        });
        return 0;
    }

    /// <summary>
    /// `pipeline --model M --steps S`: the Trainer's data path alone over a full-size in-memory data
    /// set (60,000 28×28 or 50,000 32×32 images): per-epoch randperm, per-step index_select of
    /// images and labels, and (with --augment) the data set's crop+flip. Milliseconds per batch.
    /// </summary>
    public static int Pipeline(string[] args)
    {
        var o = BenchArgs.Parse(args);
        string name = o.Get("model", "mlp");
        int steps = o.Int("steps", 300), batch = o.Int("batch", 128), threads = o.Int("threads", 2), repeats = o.Int("repeats", 3);
        bool augment = o.Flag("augment");
        Engine.Initialize(threads);
        var (c, h, w) = Shape(name);
        int n = h == 32 ? 50_000 : 60_000;
        manual_seed(0);
        using var data = new Dataset(h == 32 ? "cifar10-synthetic" : "fashion-mnist-synthetic", rand(n, c, h, w), randint(0, 10, n), Classes, "bench");
        var aug = augment ? Augmentation.For(data) : null;
        var perBatch = new List<double>();
        double checksum = 0;
        for (int r = 0; r <= repeats; r++)
        {
            using var gen = new Generator((ulong)(r + 1));
            var sw = Stopwatch.StartNew();
            using var perm = randperm(n, generator: gen);
            for (int step = 0; step < steps; step++)
            {
                using var scope = NewDisposeScope();
                var idx = perm.narrow(0, (long)step * batch % (n - batch), batch);
                var x = data.Images.index_select(0, idx);
                if (aug is not null) x = aug(x, gen);
                var y = data.Labels.index_select(0, idx);
                if (step == steps - 1) checksum = x.sum().item<float>() + y.sum().item<long>();
            }
            if (r > 0) perBatch.Add(sw.Elapsed.TotalMilliseconds / steps);
        }
        BenchArgs.Emit(new Dictionary<string, object>
        {
            ["side"] = "lslab", ["work"] = augment ? "pipeline-augment" : "pipeline", ["model"] = name, ["threads"] = Engine.Threads,
            ["ms_per_batch_repeats"] = perBatch, ["ms_per_batch"] = Median(perBatch), ["checksum"] = checksum,
        });
        return 0;
    }

    static readonly string[] Classes = Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>`beam --sentences 128 --beam 4`: beam-search sentences/s of the quick-profile-sized Transformer (see <see cref="BeamSearchBenchmark"/>).</summary>
    public static int Beam(string[] args)
    {
        var o = BenchArgs.Parse(args);
        Engine.Initialize(o.Int("threads", 2));
        var r = BeamSearchBenchmark.Run(o.Int("sentences", 128), o.Int("beam", 4));
        BenchArgs.Emit(new Dictionary<string, object>
        {
            ["side"] = "lslab", ["work"] = "beam", ["model"] = $"beam {r.Beam}, Transformer d=128 2+2", ["threads"] = Engine.Threads,
            ["sentences_per_s"] = r.SentencesPerSecond, ["seconds"] = r.Seconds, ["output_tokens"] = r.OutputTokens, ["description"] = r.Model,
        });
        return 0;
    }

    /// <summary>Median of a sequence (mean of the two middle values for even counts).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var v = values.OrderBy(x => x).ToArray();
        if (v.Length == 0) return double.NaN;
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}

/// <summary>Resident memory and CPU time of this process.</summary>
public static class Memory
{
    /// <summary>User + system CPU seconds of the whole process so far (all threads).</summary>
    public static double CpuSeconds() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>Peak (VmHWM) and current (VmRSS) resident set size in bytes.</summary>
    public static (long Peak, long Current) Rss()
    {
        long peak = 0, cur = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = KiB(line);
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) cur = KiB(line);
        }
        return (peak, cur);
    }

    static long KiB(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}

/// <summary>`--name value` options of a bench subcommand, and the one JSON line each measurement prints.</summary>
public sealed class BenchArgs
{
    readonly Dictionary<string, string> values = new();

    public static BenchArgs Parse(string[] args)
    {
        var o = new BenchArgs();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new LsLabException($"unexpected argument '{args[i]}' (options are --name value).");
            o.values[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
        }
        return o;
    }

    public string Get(string name, string dflt) => values.GetValueOrDefault(name, dflt);
    /// <summary>Options whose name starts with <paramref name="prefix"/>, prefix removed, in the order given.</summary>
    public IEnumerable<KeyValuePair<string, string>> Pairs(string prefix) =>
        values.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(kv => new KeyValuePair<string, string>(kv.Key[prefix.Length..], kv.Value));

    public bool Flag(string name) => values.TryGetValue(name, out var v) && v != "false";

    public int Int(string name, int dflt)
    {
        if (!values.TryGetValue(name, out var v)) return dflt;
        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) ? x
            : throw new LsLabException($"--{name}: expected an integer, got '{v}'.");
    }

    public static void Emit(Dictionary<string, object> result) => Console.WriteLine(JsonSerializer.Serialize(result));
}
