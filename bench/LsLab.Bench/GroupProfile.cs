using LsLab.Models;
using LsLab.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace LsLab.Bench;

/// <summary>
/// `group-profile --model mlp|mlp-small|convnet|resnet20 --members G --reps R`: where a grouped training step's
/// time goes, in process CPU milliseconds per step (robust when other processes share the cores). One grouped step
/// (<see cref="GroupedClassifier"/>, one SGD over the stacked weights) against G single-model steps, each split into
/// the phases of the training loops: data (shuffled batch by index_select, stacked for the group), forward, loss
/// (per member, read back to the CPU as the loops do for the NaN guard), backward, optimizer (zero_grad + SGD step).
/// Per layer, forward + backward on its own: mlp's linear layers as one batched matmul (baddbmm) against G separate
/// ones (addmm); convnet's convolutions as one grouped convolution (groups = G) against G separate ones (TorchSharp
/// 0.107 exposes no channels-last memory format to try). Batch 128, random data, mean over R reps after one warm-up.
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

    static readonly string[] Phases = { "data", "forward", "loss", "backward", "optimizer" };

    /// <summary>CPU time per phase of a step: <see cref="End"/>(k) charges the time since the previous call to phase k.</summary>
    sealed class Laps
    {
        public readonly double[] Ms = new double[Phases.Length];
        double t = CpuMs();

        public void End(int phase)
        {
            double now = CpuMs();
            Ms[phase] += now - t;
            t = now;
        }
    }

    /// <summary>Mean CPU ms per phase of <paramref name="step"/> over R reps after one warm-up.</summary>
    static double[] TimePhases(int reps, Action<Laps> step)
    {
        var sum = new double[Phases.Length];
        for (int r = -1; r < reps; r++)
        {
            using var scope = NewDisposeScope();
            var laps = new Laps();
            step(laps);
            if (r >= 0) for (int k = 0; k < sum.Length; k++) sum[k] += laps.Ms[k];
        }
        return sum.Select(x => x / reps).ToArray();
    }

    /// <summary>Member i's slice [i] of a stacked tensor as its own contiguous leaf that requires a gradient.</summary>
    static Tensor[] Leaves(Tensor stacked) => Enumerable.Range(0, (int)stacked.shape[0])
        .Select(i => stacked[i].detach().contiguous().clone().requires_grad_()).ToArray();

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
        int n = 4 * batch;
        var images = rand(new long[] { n, c, h, w });
        var labels = randint(0, 10, new long[] { n });
        var gens = Enumerable.Range(0, g).Select(i => new Generator((ulong)i)).ToList();
        var perms = gens.Select(gen => randperm(n, generator: gen)).ToList();
        var alphas = Enumerable.Range(0, g).Select(i => new[] { 0.0, 0.05, 0.1, 0.2 }[i % 4]).ToArray();
        var result = new Dictionary<string, object> { ["side"] = "lslab", ["work"] = "group-profile", ["model"] = name, ["members"] = g, ["threads"] = Engine.Threads, ["batch"] = batch };

        var idx0 = perms.Select(p => p.narrow(0, 0, batch)).ToArray();
        var x0 = stack(idx0.Select(i => images.index_select(0, i)).ToArray());
        var y0 = stack(idx0.Select(i => labels.index_select(0, i)).ToArray());
        using var groupOpt = optim.SGD(group.parameters(), 0.01, 0.9, 0, 5e-4, true);
        group.train();
        var grouped = TimePhases(reps, laps =>
        {
            var idx = perms.Select(p => p.narrow(0, 0, batch)).ToArray();
            var x = stack(idx.Select(i => images.index_select(0, i)).ToArray());
            var y = stack(idx.Select(i => labels.index_select(0, i)).ToArray());
            laps.End(0);
            var logits = group.forward(x, gens);
            laps.End(1);
            var losses = stack(Enumerable.Range(0, g).Select(i => Losses.LabelSmoothing.Loss(logits[i], y[i], alphas[i])).ToArray());
            losses.detach().ToCpuArray<float>();
            laps.End(2);
            losses.sum().backward();
            laps.End(3);
            groupOpt.step();
            group.zero_grad();
            laps.End(4);
        });
        var singleOpts = singles.Select(m => optim.SGD(m.parameters(), 0.01, 0.9, 0, 5e-4, true)).ToList();
        foreach (var m in singles) m.train();
        var single = TimePhases(reps, laps =>
        {
            for (int i = 0; i < g; i++)
            {
                var idx = perms[i].narrow(0, 0, batch);
                var x = images.index_select(0, idx);
                var y = labels.index_select(0, idx);
                laps.End(0);
                var logits = singles[i].forward(x);
                laps.End(1);
                var loss = Losses.LabelSmoothing.Loss(logits, y, alphas[i]);
                loss.item<float>();
                laps.End(2);
                loss.backward();
                laps.End(3);
                singleOpts[i].step();
                singles[i].zero_grad();
                laps.End(4);
            }
        });
        for (int k = 0; k < Phases.Length; k++)
        {
            result[$"{Phases[k]}_grouped_cpu_ms"] = grouped[k];
            result[$"{Phases[k]}_single_x_g_cpu_ms"] = single[k];
        }
        result["step_grouped_cpu_ms"] = grouped.Sum();
        result["step_single_x_g_cpu_ms"] = single.Sum();

        // The optimizer step alone (gradients from one backward kept): the stacked SGD, the same Nesterov update applied
        // member slice by member slice (each slice's weights, gradient and momentum stay in cache across the update's
        // passes), and G single optimizers.
        using (var scope = NewDisposeScope())
        {
            group.zero_grad();
            var logits = group.forward(x0, gens);
            stack(Enumerable.Range(0, g).Select(i => Losses.LabelSmoothing.Loss(logits[i], y0[i], alphas[i])).ToArray()).sum().backward();
            result["optimizer_stacked_cpu_ms"] = Time(reps, () => groupOpt.step());
            var stackedParams = group.parameters().ToList();
            var bufs = stackedParams.Select(q => zeros_like(q)).ToList();
            using Scalar m = 0.9, wd = 5e-4, minusLr = -0.01;
            result["optimizer_member_slices_cpu_ms"] = Time(reps, () =>
            {
                using var noGrad = no_grad();
                for (int j = 0; j < stackedParams.Count; j++)
                    for (int i = 0; i < g; i++)
                    {
                        var (pi, gi, bi) = (stackedParams[j][i], stackedParams[j].grad![i], bufs[j][i]);
                        var d = gi.add(pi, wd);
                        bi.mul_(m).add_(d);
                        d.add_(bi, m);
                        pi.add_(d, minusLr);
                    }
            });
            for (int i = 0; i < g; i++)
            {
                singles[i].zero_grad();
                Losses.LabelSmoothing.Loss(singles[i].forward(x0[i]), y0[i], alphas[i]).backward();
            }
            result["optimizer_single_x_g_cpu_ms"] = Time(reps, () => { foreach (var opt in singleOpts) opt.step(); });
        }

        if (name.StartsWith("mlp", StringComparison.Ordinal))
        {
            var mlp = (Mlp)singles[0];
            foreach (var (layer, lin) in new[] { ("fc1", c * h * w), ("fc2", (int)mlp.Head.in_features) })
            {
                long outF = mlp.Head.in_features;
                var input = rand(g, batch, lin).requires_grad_();
                var weight = (randn(g, outF, lin) * 0.01).requires_grad_();
                var bias = zeros(g, outF).requires_grad_();
                result[layer + "_grouped_cpu_ms"] = Time(reps, () =>
                    input.baddbmm(weight.transpose(1, 2), bias.unsqueeze(1)).sum().backward());
                // Separate leaves per member, as single models have (a slice of one leaf would give every member a full-size gradient).
                var (xs, ws, bs) = (Leaves(input), Leaves(weight), Leaves(bias));
                result[layer + "_separate_cpu_ms"] = Time(reps, () =>
                {
                    for (int i = 0; i < g; i++) nn.functional.linear(xs[i], ws[i], bs[i]).sum().backward();
                });
            }
        }
        if (name == "convnet")
            foreach (var (layer, cin, cout, size) in new[] { ("conv1", c, 32, h), ("conv2", 32, 64, h / 2) })
            {
                var input = rand(batch, g * cin, size, size).requires_grad_();
                var weight = (randn(g * cout, cin, 5, 5) * 0.1).requires_grad_();
                var bias = zeros(g * cout).requires_grad_();
                result[layer + "_grouped_cpu_ms"] = Time(reps, () =>
                    nn.functional.conv2d(input, weight, bias, padding: new long[] { 2, 2 }, groups: g).sum().backward());
                var xs = Leaves(input.view(batch, g, cin, size, size).transpose(0, 1));
                var (ws, bs) = (Leaves(weight.view(g, cout, cin, 5, 5)), Leaves(bias.view(g, cout)));
                result[layer + "_separate_cpu_ms"] = Time(reps, () =>
                {
                    for (int i = 0; i < g; i++)
                        nn.functional.conv2d(xs[i], ws[i], bs[i], padding: new long[] { 2, 2 }).sum().backward();
                });
            }
        BenchArgs.Emit(result);
        foreach (var opt in singleOpts) opt.Dispose();
        foreach (var m in singles) m.Dispose();
        foreach (var gen in gens) gen.Dispose();
        return 0;
    }
}
