using System.Diagnostics;
using LsLab.Data;
using LsLab.Models;
using LsLab.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace LsLab.Bench;

/// <summary>
/// `step-profile --model M --steps S`: the Trainer's step taken apart with a stopwatch per phase
/// (batching, zero_grad, forward, loss, loss.item, backward, optimizer step, accuracy, scope
/// disposal), to see where a step's time goes outside the kernels. Milliseconds per step, median
/// over steps after a warm-up. Libtorch runs ops synchronously on the CPU, so each phase's time is its own.
/// </summary>
public static class StepProfile
{
    [System.Runtime.InteropServices.DllImport("libc")]
    static extern int clock_gettime(int clock, out TimeSpec ts);
    struct TimeSpec { public long Sec, Nsec; }

    static double Now(bool cpu)
    {
        if (!cpu) return Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;
        clock_gettime(2, out var ts); // CLOCK_PROCESS_CPUTIME_ID
        return ts.Sec * 1e3 + ts.Nsec / 1e6;
    }

    public static int Run(string[] args)
    {
        var o = BenchArgs.Parse(args);
        string name = o.Get("model", "mlp");
        int steps = o.Int("steps", 60), warmup = o.Int("warmup", 10), batch = o.Int("batch", 128), threads = o.Int("threads", 2);
        bool augment = o.Flag("augment");
        // A/B switches for the per-step overheads: who clears the gradients, which loss kernel.
        string zero = o.Get("zero", "optimizer"), lossKind = o.Get("loss", "lslab");
        // --clock cpu: process CPU time instead of wall time (robust when other processes share the cores; use with --threads 1).
        bool cpuClock = o.Get("clock", "wall") == "cpu";
        Engine.Initialize(threads);
        var (c, h, w) = ThroughputBench.Shape(name);
        int n = (steps + warmup) * batch;
        manual_seed(0);
        using var data = new Dataset(h == 32 ? "cifar10-synthetic" : "fashion-mnist-synthetic", rand(n, c, h, w), randint(0, 10, n),
            Enumerable.Range(0, 10).Select(i => i.ToString()).ToArray(), "bench");
        var model = ModelRegistry.Create(name, new ModelSpec(c, h, w, 10));
        var optimizer = optim.SGD(model.parameters(), 0.1, 0.9, 0, name.StartsWith("mlp", StringComparison.Ordinal) ? 0 : 5e-4, true);
        var aug = augment ? Augmentation.For(data) : null;
        string[] phases = { "batch", "augment", "zero_grad", "forward", "loss", "loss.item", "backward", "step", "accuracy", "dispose", "total" };
        var times = phases.ToDictionary(p => p, _ => new List<double>());
        using var gen = new Generator(1);
        using var perm = randperm(n, generator: gen);
        model.train();
        for (int s = 0; s < steps + warmup; s++)
        {
            var t = new double[phases.Length];
            double start = Now(cpuClock), last = start;
            void Mark(int i) { double now = Now(cpuClock); t[i] += now - last; last = now; }
            var scope = NewDisposeScope();
            var idx = perm.narrow(0, (long)s * batch, batch);
            var x = data.Images.index_select(0, idx);
            var y = data.Labels.index_select(0, idx);
            Mark(0);
            if (aug is not null) x = aug(x, gen);
            Mark(1);
            if (zero == "model") model.zero_grad(); else optimizer.zero_grad();
            Mark(2);
            var logits = model.forward(x);
            Mark(3);
            var loss = lossKind == "ce" ? nn.functional.cross_entropy(logits, y, label_smoothing: 0.1) : Losses.LabelSmoothing.Loss(logits, y, 0.1);
            Mark(4);
            double lv = loss.item<float>();
            Mark(5);
            loss.backward();
            Mark(6);
            optimizer.step();
            Mark(7);
            using (no_grad()) _ = logits.argmax(1).eq(y).sum().item<long>();
            Mark(8);
            scope.Dispose();
            Mark(9);
            t[10] = Now(cpuClock) - start;
            if (s >= warmup)
                for (int i = 0; i < phases.Length; i++) times[phases[i]].Add(t[i]);
            if (!double.IsFinite(lv)) throw new LsLabException($"loss is {lv} at step {s}");
        }
        var result = new Dictionary<string, object> { ["side"] = "lslab", ["work"] = "step-profile", ["model"] = name, ["threads"] = Engine.Threads, ["zero"] = zero, ["loss"] = lossKind, ["clock"] = cpuClock ? "cpu" : "wall" };
        foreach (var p in phases) result["ms_" + p] = ThroughputBench.Median(times[p]);
        BenchArgs.Emit(result);
        return 0;
    }
}
