using System.Globalization;
using LsLab.Data;
using LsLab.Information;
using LsLab.Reporting;
using LsLab.Runs;
using LsLab.Statistics;
using LsLab.Training;

namespace LsLab.Experiments;

/// <summary>
/// The paper's Figure 6 (§4) over a training long enough to fit the training set: the mutual information
/// I(X;Y) between the index of one of N training examples of two classes and the network's logit difference
/// of those classes on a randomly augmented copy, recorded after every epoch for α ∈ {0, 0.1, 0.3}. The paper:
/// Î rises quickly, then falls, further with label smoothing, whose late value is just above log 2 (the class
/// alone). Beside the curves, the collapse itself: the within-class spread of the example means μ_x relative
/// to σ. Intervals resample the N probe examples (their raw readings are saved per epoch in each run folder).
/// </summary>
public sealed class MutualInformationExperiment : IExperiment
{
    /// <inheritdoc />
    public string Name => "mutual-information";

    sealed record Settings(string Dataset, string Model, int? Width, int N, int Epochs, int MiExamples, int Seeds, string Scale);

    static readonly double[] Alphas = { 0.0, 0.1, 0.3 };
    /// <summary>T-shirt/top and Pullover: similar enough that the logit difference has something to collapse.</summary>
    const int ClassA = 0, ClassB = 2, Draws = 5;
    /// <summary>Each resample recomputes Î on N examples (O(N²·L)), so fewer resamples than for accuracy.</summary>
    const int Resamples = 200;

    static Settings For(Profile p) => p switch
    {
        Profile.Tiny => new(DatasetCatalog.Embedded, "mlp-small", 64, 400, 4, 40, 1, "tiny plumbing check: 400 examples, 4 epochs, N = 40"),
        Profile.Quick => new(DatasetCatalog.Embedded, "mlp-small", null, 2000, 60, 300, 1,
            "quick profile: mlp-small 800-800 on 2,000 embedded Fashion-MNIST examples, no regularisers, 60 epochs (fits its training set), N = 300, one seed"),
        _ => new("fashion-mnist", "convnet", null, 4500, 40, 600, 2,
            "full profile: convnet on a 4,500-example Fashion-MNIST subset, no regularisers, 40 epochs (it fits its training set), N = 600, 2 seeds"),
    };

    static ClassifierRun Spec(ExperimentContext ctx, Settings s, double alpha, int seed) => new(new TrainOptions
    {
        Dataset = s.Dataset, DataDir = ctx.DataDir, Model = s.Model, Width = s.Width, Alpha = alpha, Epochs = s.Epochs, TrainLimit = s.N,
        Dropout = 0, WeightDecay = 0, Augment = false, Seed = seed,
    }, new MiSettings(ClassA, ClassB, s.MiExamples, Draws, seed));

    /// <summary>A network of this experiment (trained to fit its subset, no regularisers): the geometry experiment projects these, so they train once.</summary>
    internal static ClassifierRun ConvergedRun(ExperimentContext ctx, double alpha, int seed) => Spec(ctx, For(ctx.Profile), alpha, seed);

    /// <summary>Seeds and set-up of <see cref="ConvergedRun"/> in <paramref name="p"/>.</summary>
    internal static (int Seeds, string Setup) ConvergedSetup(Profile p) => (For(p).Seeds, For(p).Scale);

    /// <inheritdoc />
    public IReadOnlyList<RunSpec> Plan(ExperimentContext ctx)
    {
        var s = For(ctx.Profile);
        return (from k in Enumerable.Range(ctx.Seed, s.Seeds) from a in Alphas select (RunSpec)Spec(ctx, s, a, k)).ToList();
    }

    /// <summary>One run: its MI curve and the probe readings at its peak epoch and its last epoch.</summary>
    sealed record Curve(double Alpha, int Seed, IReadOnlyList<(int Epoch, double Mi)> Mi, IReadOnlyList<double> Spread, MiSample Peak, MiSample Last, double TrainAccuracy);

    /// <inheritdoc />
    public ExperimentResult Analyse(ExperimentContext ctx, TrainedRuns runs)
    {
        var s = For(ctx.Profile);
        var inv = CultureInfo.InvariantCulture;
        var curves = new List<Curve>();
        for (int k = 0; k < s.Seeds; k++)
            foreach (var a in Alphas)
            {
                var run = runs[Spec(ctx, s, a, ctx.Seed + k)].Folder;
                var state = run.ReadMetrics();
                var mi = MiTracker.Curve(state);
                var samples = mi.Select(m => MiSample.Load(MiTracker.SamplePath(run, m.Epoch))).ToList();
                int peak = mi.Select((m, i) => (m.Mi, i)).MaxBy(x => x.Mi).i;
                curves.Add(new Curve(a, ctx.Seed + k, mi, samples.Select(x => x.WithinClassSpread()).ToList(), samples[peak], samples[^1], state.History[^1].TrainAccuracy));
            }

        var result = new ExperimentResult(Name, "Mutual information between example and logits over a long training (Figure 6 analogue)");
        result.Findings.Add($"Setup ({s.Scale}). Classes {ClassA} and {ClassB}, L = {Draws} augmented draws (random shifts) per example after every epoch; " +
                            $"the estimator is the paper's (LsLab.Information.MutualInformation), bounded by log N = {Math.Log(s.MiExamples):F3}; log 2 = {Math.Log(2):F3} is the class alone, " +
                            "reached only when the two classes' logit differences do not overlap: where they overlap, a full collapse gives I(C;Y) < log 2. " +
                            "On synthetic collapsed classes at N = 300, L = 5 the estimator is within 0.02 of I(C;Y) (test MutualInformationTests.At_the_quick_profiles_N_300…), so a late value below log 2 is overlap, not estimator bias.");
        List<Curve> Of(double a) => curves.Where(c => c.Alpha == a).OrderBy(c => c.Seed).ToList();
        string A(double a) => a.ToString(inv);

        result.Tables.Add(new ReportTable($"I(X;Y) in nats and the within-class spread of μ_x over σ (seed {ctx.Seed})",
            new[] { "α", "train acc (last)", "Î epoch 1", "Î peak (epoch)", "Î last", "spread epoch 1", "spread last" },
            Alphas.Select(a =>
            {
                var c = Of(a)[0];
                var peak = c.Mi.MaxBy(m => m.Mi);
                return (IReadOnlyList<string>)new[] { A(a), $"{100 * c.TrainAccuracy:F1} %", c.Mi[0].Mi.ToString("F3", inv), $"{peak.Mi.ToString("F3", inv)} ({peak.Epoch})",
                    c.Mi[^1].Mi.ToString("F3", inv), c.Spread[0].ToString("F2", inv), c.Spread[^1].ToString("F2", inv) };
            }).ToList(),
            "The paper (theirs, CIFAR-10 ResNet-56, airplane vs dog): Î rises quickly, then falls, further with label smoothing; late LS value just above log 2."));

        var miPanel = SeriesPlot.Create("I(X;Y) over training", "epoch", "mutual information (nats)",
            Alphas.Select(a => new Series($"α = {A(a)}", Of(a)[0].Mi.Select(m => (double)m.Epoch).ToArray(), Of(a)[0].Mi.Select(m => m.Mi).ToArray())).ToList(),
            new[] { (Math.Log(2), "log 2 (class only)") });
        var spreadPanel = SeriesPlot.Create("The collapse: within-class spread of μ_x / σ", "epoch", "spread of example means / σ",
            Alphas.Select(a => new Series($"α = {A(a)}", Of(a)[0].Mi.Select(m => (double)m.Epoch).ToArray(), Of(a)[0].Spread.ToArray())).ToList());
        var (png, svg) = Figures.SaveGrid(new[] { miPanel, spreadPanel }, 1, 2, Path.Combine(ctx.OutDir, "mutual-information-long"), 560, 480);
        result.Figures.Add(new ReportFigure("Mutual information and the within-class collapse over a long training (Figure 6 analogue)", svg, png,
            $"Seed {ctx.Seed}; N = {s.MiExamples} training examples of classes {ClassA} and {ClassB}. The estimate is bounded by log N = {Math.Log(s.MiExamples).ToString("F2", inv)} (every example distinct), not drawn so that the curves keep the axis."));

        foreach (var c in curves.Where(c => c.Seed == ctx.Seed))
        {
            result.Set("mi_last", c.Mi[^1].Mi, ("alpha", c.Alpha));
            result.Set("mi_peak", c.Mi.Max(m => m.Mi), ("alpha", c.Alpha));
            result.Set("spread_last", c.Spread[^1], ("alpha", c.Alpha));
        }

        // Intervals: Î recomputed on resampled probe examples; seed i of every α shares its probe examples and data order.
        bool smoke = ctx.Profile == Profile.Tiny;
        IReadOnlyList<Func<int[], double>> Mi(double a, Func<Curve, MiSample> at) => Of(a).Select(c => (Func<int[], double>)at(c).Estimate).ToList();
        BootstrapDistribution Stat(IReadOnlyList<IReadOnlyList<Func<int[], double>>> arms, Func<double[], double> f) =>
            Bootstrap.Statistic(s.MiExamples, arms, f, resamples: Resamples, seed: ctx.Seed);
        Claim Judge(string statement, string paper, string ours, ClaimRule rule, BootstrapDistribution d, string selectedOn) =>
            Verdicts.ToClaim(statement, paper, $"{ours}; {rule.Metric} {Signed.Of(d.Estimate, 3)} [{Signed.Of(d.Interval().Low, 3)}, {Signed.Of(d.Interval().High, 3)}]",
                rule, d.ToEvidence(rule.Kind, rule.Metric, rule.Margin?.Value, selectedOn), smoke);
        string Last(double a) => Of(a).Average(c => c.Mi[^1].Mi).ToString("F3", inv);

        var smoothed = Alphas.Where(a => a > 0).ToList();
        result.Claims.Add(Judge("Label smoothing lowers the mutual information between example and logits late in training (Figure 6).",
            "Figure 6: lower with LS late in training",
            $"last-epoch Î: " + string.Join(", ", Alphas.Select(a => $"α={A(a)} {Last(a)}")) + " nats",
            ClaimRule.Difference("min over α>0 of Î(α=0, last epoch) − Î(α, last epoch), nats", Direction.Increase),
            Stat(Alphas.Select(a => Mi(a, c => c.Last)).ToList(), v => v.Skip(1).Min(x => v[0] - x)), "none"));

        result.Claims.Add(Judge("With label smoothing (α = 0.1), the late mutual information is just above log 2: the examples of a class become indistinguishable.",
            $"Figure 6: just above log 2 = {Math.Log(2):F3}",
            $"α=0.1 last-epoch Î {Last(0.1)} nats",
            ClaimRule.Equivalence("Î(α=0.1, last epoch) − log 2, nats", Margins.MiNearLog2),
            Stat(new[] { Mi(0.1, c => c.Last) }, v => v[0] - Math.Log(2)), "none"));

        result.Claims.Add(Judge("Mutual information rises early in training and then falls, more so with label smoothing.",
            "Figure 6: rises quickly, then slowly falls",
            string.Join("; ", Alphas.Select(a => $"α={A(a)}: peak − last {Of(a).Average(c => c.Mi.Max(m => m.Mi) - c.Mi[^1].Mi):F3}")) + " nats",
            ClaimRule.Difference("min(fall of Î with α=0.1, fall with α=0.1 − fall with α=0), fall = Î(peak epoch) − Î(last epoch), nats", Direction.Increase),
            Stat(new[] { Mi(0.1, c => c.Peak), Mi(0.1, c => c.Last), Mi(0, c => c.Peak), Mi(0, c => c.Last) },
                v => Math.Min(v[0] - v[1], (v[0] - v[1]) - (v[2] - v[3]))), "the MI curve itself (peak epoch; the interval does not include that choice)"));
        return result;
    }
}
