using LsLab.Models;
using LsLab.Native;
using static TorchSharp.torch;

namespace LsLab.Bench;

/// <summary>
/// `group-profile --model convnet|resnet20 --members G --reps R`: where a grouped conv-net step's time goes,
/// in process CPU milliseconds per step (robust when other processes share the cores): the whole training step
/// (forward, per-member loss, backward, SGD) of the <see cref="GroupedClassifier"/> against G single-model steps,
/// and each of convnet's two convolutions (forward + backward) as one grouped convolution (groups = G), as G
/// separate convolutions (TorchSharp 0.107 exposes no channels-last memory format to try). Batch 128, random data, mean over R reps after one warm-up.
/// </summary>
public static class GroupProfile
{
    [System.Runtime.InteropServices.DllImport("libc")]
    static extern int clock_gettime(int clock, out TimeSpec ts);
    struct TimeSpec { public long Sec, Nsec; }

    static double CpuMs()
    {
        clock_gettime(2, out var ts); // CLOCK_PROCESS_CPUTIME_ID
        return ts.Sec * 1e3 + ts.Nsec / 1e6;
    }

    static double Time(int reps, Action work)
    {
        using (NewDisposeScope()) work();
        double t0 = CpuMs();
        for (int r = 0; r < reps; r++)
            using (NewDisposeScope()) work();
        return (CpuMs() - t0) / reps;
    }

    public static int Run(string[] args)
    {
        var o = BenchArgs.Parse(args);
        string name = o.Get("model", "convnet");
        int g = o.Int("members", 8), reps = o.Int("reps", 5), batch = o.Int("batch", 128), threads = o.Int("threads", 2);
        Engine.Initialize(threads);
        var (c, h, w) = ThroughputBench.Shape(name);
        var spec = new ModelSpec(c, h, w, 10);
        var singles = Enumerable.Range(0, g).Select(i => { manual_seed(i); return ModelRegistry.Create(name, spec); }).ToList();
        using var group = GroupedClassifier.Create(singles);
        var x = rand(new long[] { g, batch, c, h, w });
        var y = randint(0, 10, new long[] { g, batch });
        var result = new Dictionary<string, object> { ["side"] = "lslab", ["work"] = "group-profile", ["model"] = name, ["members"] = g, ["threads"] = Engine.Threads, ["batch"] = batch };

        using var groupOpt = optim.SGD(group.parameters(), 0.01, 0.9, 0, 5e-4, true);
        group.train();
        result["step_grouped_cpu_ms"] = Time(reps, () =>
        {
            group.zero_grad();
            var logits = group.forward(x);
            stack(Enumerable.Range(0, g).Select(i => Losses.LabelSmoothing.Loss(logits[i], y[i], 0.1)).ToArray()).sum().backward();
            groupOpt.step();
        });
        var singleOpts = singles.Select(m => optim.SGD(m.parameters(), 0.01, 0.9, 0, 5e-4, true)).ToList();
        foreach (var m in singles) m.train();
        result["step_single_x_g_cpu_ms"] = Time(reps, () =>
        {
            for (int i = 0; i < g; i++)
            {
                singles[i].zero_grad();
                Losses.LabelSmoothing.Loss(singles[i].forward(x[i]), y[i], 0.1).backward();
                singleOpts[i].step();
            }
        });
        result["step_grouped_forward_cpu_ms"] = Time(reps, () => group.forward(x));
        result["step_single_x_g_forward_cpu_ms"] = Time(reps, () => { for (int i = 0; i < g; i++) singles[i].forward(x[i]); });

        if (name == "convnet")
            foreach (var (layer, cin, cout, size) in new[] { ("conv1", c, 32, h), ("conv2", 32, 64, h / 2) })
            {
                var input = rand(batch, g * cin, size, size).requires_grad_();
                var weight = (randn(g * cout, cin, 5, 5) * 0.1).requires_grad_();
                var bias = zeros(g * cout).requires_grad_();
                result[layer + "_grouped_cpu_ms"] = Time(reps, () =>
                    nn.functional.conv2d(input, weight, bias, padding: new long[] { 2, 2 }, groups: g).sum().backward());
                result[layer + "_separate_cpu_ms"] = Time(reps, () =>
                {
                    for (int i = 0; i < g; i++)
                        nn.functional.conv2d(input.narrow(1, i * cin, cin), weight.narrow(0, i * cout, cout), bias.narrow(0, i * cout, cout),
                            padding: new long[] { 2, 2 }).sum().backward();
                });
            }
        BenchArgs.Emit(result);
        foreach (var opt in singleOpts) opt.Dispose();
        foreach (var m in singles) m.Dispose();
        return 0;
    }
}
