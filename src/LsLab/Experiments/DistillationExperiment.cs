using System.Globalization;
using LsLab.Data;
using LsLab.Distillation;
using LsLab.Reporting;
using LsLab.Runs;
using LsLab.Statistics;
using LsLab.Training;
using static LsLab.Experiments.DistillationRuns;

namespace LsLab.Experiments;

/// <summary>
/// The paper's Figure 5 analogue (§4): teachers trained with label smoothing α, and students trained
/// (i) from labels with the same α, (ii) by distillation from the α=0 teacher at T ∈ {1,2,3,4,8,12,16},
/// (iii) by distillation from each smoothed teacher at T=1. Students learn from the teacher alone
/// (β=1) with their own softmax at temperature 1 (<see cref="SoftTerm.Paper"/>), as in the paper's
/// CIFAR-10 setting. Plots accuracy against the equivalent smoothing γ (the paper's axes) and student
/// accuracy against teacher accuracy.
/// </summary>
public sealed class DistillationExperiment : IExperiment
{
    /// <inheritdoc />
    public string Name => "distillation";

    sealed record Settings(string Dataset, string Teacher, int TeacherEpochs, bool TeacherAugment, int? TeacherWidth,
        string Student, int StudentEpochs, int? StudentWidth, int? Limit, double[] Alphas, double[] Temperatures, int Seeds, string Scale, int? StudentLimit = null);

    static readonly double[] PaperAlphas = { 0, 0.15, 0.3, 0.45, 0.6, 0.75 };
    static readonly double[] PaperTemperatures = { 1, 2, 3, 4, 8, 12, 16 };

    static Settings For(Profile p) => p switch
    {
        Profile.Tiny => new(DatasetCatalog.Embedded, "mlp-small", 1, false, 64, "mlp-small", 1, 32, 600, new[] { 0, 0.3 }, new[] { 1.0, 4 }, 1,
            "tiny plumbing check: 600 examples, one epoch, α ∈ {0, 0.3}, T ∈ {1, 4}"),
        Profile.Quick => new(DatasetCatalog.Embedded, "convnet", 5, false, null, "mlp-small", 5, null, null, new[] { 0, 0.3, 0.6 }, new[] { 1.0, 2, 4, 8 }, 1,
            "quick profile: embedded Fashion-MNIST subset (9,000 train / 2,000 test), convnet teachers (5 epochs; the α=0 one is the accuracy experiment's convnet), mlp-small students (5 epochs), " +
            "reduced grid α ∈ {0, 0.3, 0.6}, T ∈ {1, 2, 4, 8}, one seed"),
        _ => new("fashion-mnist", "convnet", 10, true, null, "mlp-small", 20, null, null, new[] { 0, 0.1, 0.3, 0.6 }, new[] { 1.0, 2, 4, 8 }, 1,
            "full profile: Fashion-MNIST (54,000 train / 6,000 validation / 10,000 test), convnet teachers trained on all 54,000 (10 epochs, crop+flip; " +
            "the α ∈ {0, 0.1} ones are the accuracy experiment's), mlp-small students on a 9,000-example transfer subset until they fit it (20 epochs, no augmentation), " +
            "α ∈ {0, 0.1, 0.3, 0.6} × T ∈ {1, 2, 4, 8} for every teacher, one seed (intervals over the 10,000 test examples)", StudentLimit: 9000),
    };

    /// <summary>One trained student (or teacher) and where it sits on the plots.</summary>
    /// <summary>One trained student (or teacher) and where it sits on the plots; per seed, its validation accuracy and test correctness per example.</summary>
    sealed record Point(string Setting, double Alpha, double Temperature, double Gamma, double TeacherAccuracy, List<double> Validation, List<double[]> Test)
    {
        public List<double> Accuracies => Test.Select(t => t.Average()).ToList();
        public double Accuracy => Accuracies.Average();
        public double ValidationAccuracy => Validation.Average();

        public void Add((double[] Validation, double[] Test) c)
        {
            Validation.Add(c.Validation.Average());
            Test.Add(c.Test);
        }
    }

    static TrainOptions TeacherOptions(Settings plan, ExperimentContext ctx, double alpha, int seed) => new()
    {
        Dataset = plan.Dataset, DataDir = ctx.DataDir, Model = plan.Teacher, Epochs = plan.TeacherEpochs, Augment = plan.TeacherAugment,
        Width = plan.TeacherWidth, Alpha = alpha, Seed = seed, TrainLimit = plan.Limit,
    };

    static TrainOptions StudentOptions(Settings plan, ExperimentContext ctx, double alpha, int seed) => new()
    {
        Dataset = plan.Dataset, DataDir = ctx.DataDir, Model = plan.Student, Epochs = plan.StudentEpochs, Augment = false,
        Width = plan.StudentWidth, Alpha = alpha, Seed = seed, TrainLimit = plan.StudentLimit ?? plan.Limit,
    };

    static ClassifierRun Teacher(Settings plan, ExperimentContext ctx, double alpha, int seed) => new(TeacherOptions(plan, ctx, alpha, seed));

    /// <summary>A student of <paramref name="teacher"/> at temperature T: β = 1 (teacher alone), the paper's soft term.</summary>
    static StudentRun Student(Settings plan, ExperimentContext ctx, ClassifierRun teacher, double temperature, int seed) =>
        new(StudentOptions(plan, ctx, 0, seed), teacher, temperature, 1.0, SoftTerm.Paper);


    /// <summary>
    /// Teachers, students from labels, and a student of every teacher at every temperature (each depends on its teacher).
    /// The paper's comparison needs only the hard teacher's T sweep and the smoothed teachers at T = 1; the follow-ups
    /// (Shen et al. 2021 at equal T, Chandrasegaran et al. 2022 at higher T) need the smoothed teachers' sweep too.
    /// </summary>
    public IReadOnlyList<RunSpec> Plan(ExperimentContext ctx)
    {
        var plan = For(ctx.Profile);
        var specs = new List<RunSpec>();
        for (int s = 0; s < plan.Seeds; s++)
            foreach (var a in plan.Alphas)
            {
                var teacher = Teacher(plan, ctx, a, ctx.Seed + s);
                specs.Add(teacher);
                specs.AddRange(plan.Temperatures.Select(t => Student(plan, ctx, teacher, t, ctx.Seed + s)));
                specs.Add(new ClassifierRun(StudentOptions(plan, ctx, a, ctx.Seed + s)));
            }
        return specs;
    }

    /// <inheritdoc />
    public ExperimentResult Analyse(ExperimentContext ctx, TrainedRuns runs)
    {
        var plan = For(ctx.Profile);
        string F(double v) => v.ToString(CultureInfo.InvariantCulture);

        var teachers = plan.Alphas.Select(a => new Point("teacher", a, 1, a, double.NaN, new(), new())).ToList();
        var lsStudents = plan.Alphas.Select(a => new Point("student, LS α (no teacher)", a, 1, a, double.NaN, new(), new())).ToList();
        var kd = (from a in plan.Alphas from t in plan.Temperatures select new Point($"student of α={F(a)} teacher at T={F(t)}", a, t, double.NaN, double.NaN, new(), new()))
            .ToDictionary(p => (p.Alpha, p.Temperature));
        var gammas = new Dictionary<(double Alpha, double T), List<double>>();
        int nTest = 0;

        for (int s = 0; s < plan.Seeds; s++)
        {
            int seed = ctx.Seed + s;
            var studentBase = StudentOptions(plan, ctx, 0, seed);
            using var data = TrainingRun.LoadData(runs[new ClassifierRun(studentBase)].Options);
            nTest = data.Test.Count;
            for (int i = 0; i < plan.Alphas.Length; i++)
            {
                double alpha = plan.Alphas[i];
                var teacherSpec = Teacher(plan, ctx, alpha, seed);
                var teacher = runs[teacherSpec].Folder;
                teachers[i].Add(Correctness(teacher));
                using var teacherLogits = Logits(teacher, data.Train);
                foreach (var t in plan.Temperatures)
                {
                    var run = runs[Student(plan, ctx, teacherSpec, t, seed)].Folder;
                    double gamma = DistillationLoss.EquivalentSmoothing(teacherLogits, data.Train.Labels, t);
                    if (!gammas.TryGetValue((alpha, t), out var g)) gammas[(alpha, t)] = g = new();
                    g.Add(gamma);
                    kd[(alpha, t)].Add(Correctness(run));
                }
                var ls = runs[new ClassifierRun(studentBase with { Alpha = alpha })].Folder;
                lsStudents[i].Add(Correctness(ls));
            }
        }

        double TeacherAcc(double alpha) => teachers.First(t => t.Alpha == alpha).Accuracy;
        foreach (var key in kd.Keys.ToList()) kd[key] = kd[key] with { Gamma = gammas[key].Average(), TeacherAccuracy = TeacherAcc(key.Alpha) };
        var hardKd = plan.Temperatures.Select(t => kd[(0, t)] with { Setting = "student of α=0 teacher at T" }).ToList();
        var lsKd = plan.Alphas.Where(a => a > 0).Select(a => kd[(a, 1)] with { Setting = "student of LS teacher, T=1" }).ToList();
        lsStudents = lsStudents.Select(p => p with { TeacherAccuracy = TeacherAcc(p.Alpha) }).ToList();
        teachers = teachers.Select(p => p with { TeacherAccuracy = p.Accuracy }).ToList();

        var result = new ExperimentResult(Name, $"Distillation from label-smoothed teachers (Figure 5 analogue: {plan.Teacher} → {plan.Student} on {plan.Dataset})");
        result.Findings.Add($"Setup ({plan.Scale}). Students learn from the teacher alone (β = 1) with their softmax at temperature 1; only the teacher's temperature T varies, " +
                            "as in the paper's CIFAR-10 experiment. Teacher logits are computed once over the un-augmented training set. " +
                            "γ is the equivalent smoothing E[Σ_k (1−y_k)·p_k^t(T)]·K/(K−1) measured on the training set (γ = α for label-smoothed targets).");

        // Tables.
        result.Tables.Add(new ReportTable("Teachers: test accuracy (%) and equivalent smoothing γ of their T=1 outputs on the training set",
            new[] { "teacher α", "test accuracy", "γ at T=1" },
            plan.Alphas.Select(a => (IReadOnlyList<string>)new[] { F(a), PctMeanSd(teachers.First(t => t.Alpha == a).Accuracies), gammas[(a, 1)].Average().ToString("F3", CultureInfo.InvariantCulture) }).ToList(),
            "Ours. The paper (theirs, CIFAR-10 ResNet-56): teacher accuracy rises with α up to α = 0.6; numeric values only in a plot."));
        var rows = new List<IReadOnlyList<string>>();
        foreach (var p in lsStudents) rows.Add(new[] { "(i) labels, LS α", F(p.Alpha), "–", p.Alpha.ToString("F3", CultureInfo.InvariantCulture), "–", PctMeanSd(p.Accuracies) });
        foreach (var p in hardKd) rows.Add(new[] { "(ii) α=0 teacher", "0", F(p.Temperature), p.Gamma.ToString("F3", CultureInfo.InvariantCulture), Pct(p.TeacherAccuracy), PctMeanSd(p.Accuracies) });
        foreach (var p in lsKd) rows.Add(new[] { "(iii) LS teacher", F(p.Alpha), "1", p.Gamma.ToString("F3", CultureInfo.InvariantCulture), Pct(p.TeacherAccuracy), PctMeanSd(p.Accuracies) });
        result.Tables.Add(new ReportTable($"Students ({plan.Student}): test accuracy (%), {plan.Seeds} seed(s)",
            new[] { "setting", "α", "teacher T", "γ", "teacher accuracy", "student accuracy" }, rows,
            $"Test set of {nTest} examples; the claims below compare these accuracies with paired bootstrap intervals over test examples{(plan.Seeds > 1 ? " and seeds" : "")}."));

        result.Tables.Add(new ReportTable($"Every teacher at every temperature: student ({plan.Student}) test accuracy (%), {plan.Seeds} seed(s)",
            new[] { "teacher α" }.Concat(plan.Temperatures.Select(t => $"T={F(t)}")).ToArray(),
            plan.Alphas.Select(a => (IReadOnlyList<string>)new[] { F(a) }.Concat(plan.Temperatures.Select(t => PctMeanSd(kd[(a, t)].Accuracies))).ToArray()).ToList(),
            "Rows: the teacher's label smoothing α; columns: the temperature of its soft targets. The paper compares the α=0 row's best cell with the T=1 column; " +
            "Shen et al. (2021) compare within the T=1 column, Chandrasegaran et al. (2022) within the high-T columns."));

        // Figures.
        var byT = SeriesPlot.Create("Student accuracy against the teacher's temperature, one line per teacher", "teacher temperature T", "student test accuracy (%)",
            plan.Alphas.Select(a => new Series($"teacher α={F(a)}", plan.Temperatures, plan.Temperatures.Select(t => 100 * kd[(a, t)].Accuracy).ToArray())).ToArray());
        var (png0, svg0) = Figures.Save(byT, Path.Combine(ctx.OutDir, "distillation-temperature"), 760, 620);
        result.Figures.Add(new ReportFigure("Student accuracy against the teacher's temperature, for every teacher", svg0, png0,
            "The paper's reading: the α=0 line's best point lies above every smoothed teacher's T=1 point. Shen et al.: at T=1 the lines are close. " +
            "Chandrasegaran et al.: smoothed teachers' lines fall below the α=0 line as T grows."));
        var byGamma = SeriesPlot.Create("Accuracy against equivalent smoothing γ (Figure 5 axes)", "equivalent smoothing γ", "test accuracy (%)", new[]
        {
            new Series($"teacher ({plan.Teacher}) with LS α", teachers.Select(p => p.Alpha).ToArray(), teachers.Select(p => 100 * p.Accuracy).ToArray()),
            new Series($"student ({plan.Student}) with LS α, no teacher", lsStudents.Select(p => p.Alpha).ToArray(), lsStudents.Select(p => 100 * p.Accuracy).ToArray()),
            new Series("student of α=0 teacher at temperature T", hardKd.Select(p => p.Gamma).ToArray(), hardKd.Select(p => 100 * p.Accuracy).ToArray(),
                PointLabels: hardKd.Select(p => "T=" + F(p.Temperature)).ToArray()),
            new Series("student of LS teacher α at T=1", lsKd.Select(p => p.Gamma).ToArray(), lsKd.Select(p => 100 * p.Accuracy).ToArray(),
                PointLabels: lsKd.Select(p => "α=" + F(p.Alpha)).ToArray()),
        });
        var (png1, svg1) = Figures.Save(byGamma, Path.Combine(ctx.OutDir, "distillation-gamma"), 760, 620);
        result.Figures.Add(new ReportFigure("Teacher and student accuracy against equivalent smoothing γ", svg1, png1,
            "The paper's Figure 5 layout: γ = α for label smoothing; for distilled students γ is the teacher's (rescaled) mass on wrong classes at temperature T."));
        var byTeacher = SeriesPlot.Create("Student accuracy against teacher accuracy", "teacher test accuracy (%)", "student test accuracy (%)", new[]
        {
            new Series("(i) student with LS α (x: teacher with the same α)", lsStudents.Select(p => 100 * p.TeacherAccuracy).ToArray(), lsStudents.Select(p => 100 * p.Accuracy).ToArray(),
                Connect: false, PointLabels: lsStudents.Select(p => "α=" + F(p.Alpha)).ToArray()),
            new Series("(ii) distilled from α=0 teacher at T", hardKd.Select(p => 100 * p.TeacherAccuracy).ToArray(), hardKd.Select(p => 100 * p.Accuracy).ToArray(),
                Connect: false, PointLabels: hardKd.Select(p => "T=" + F(p.Temperature)).ToArray()),
            new Series("(iii) distilled from LS teacher α at T=1", lsKd.Select(p => 100 * p.TeacherAccuracy).ToArray(), lsKd.Select(p => 100 * p.Accuracy).ToArray(),
                Connect: false, PointLabels: lsKd.Select(p => "α=" + F(p.Alpha)).ToArray()),
        });
        var (png2, svg2) = Figures.Save(byTeacher, Path.Combine(ctx.OutDir, "distillation-teacher-student"), 760, 620);
        result.Figures.Add(new ReportFigure("Student accuracy against teacher accuracy, one series per setting", svg2, png2,
            "Setting (ii) has one teacher, so its students stack at one teacher accuracy."));

        // Numbers.
        foreach (var p in teachers) result.Set("teacher_accuracy", p.Accuracy, ("alpha", p.Alpha));
        foreach (var p in lsStudents) result.Set("student_accuracy", p.Accuracy, ("teacher", "none"), ("alpha", p.Alpha));
        foreach (var p in hardKd)
        {
            result.Set("student_accuracy", p.Accuracy, ("teacher_alpha", 0.0), ("T", p.Temperature));
            result.Set("gamma", p.Gamma, ("teacher_alpha", 0.0), ("T", p.Temperature));
        }
        foreach (var p in kd.Values.Where(p => p.Alpha > 0))
        {
            result.Set("student_accuracy", p.Accuracy, ("teacher_alpha", p.Alpha), ("T", p.Temperature));
            result.Set("gamma", p.Gamma, ("teacher_alpha", p.Alpha), ("T", p.Temperature));
        }

        AddClaims(result, ctx, teachers, lsStudents, hardKd, lsKd, nTest, F);
        AddFollowUps(result, ctx, plan, kd, nTest, F);
        return result;
    }

    static void AddClaims(ExperimentResult result, ExperimentContext ctx, List<Point> teachers, List<Point> lsStudents, List<Point> hardKd, List<Point> lsKd, int nTest, Func<double, string> F)
    {
        bool smoke = ctx.Profile == Profile.Tiny;
        int seeds = teachers[0].Test.Count;
        string Pts(double d) => $"{Signed.Of((100 * d), 2)} points";
        string Iv(BootstrapDistribution d) => $"{Pts(d.Estimate)} [{Signed.Of(100 * d.Interval().Low, 2)}, {Signed.Of(100 * d.Interval().High, 2)}]";
        // Every arm was scored on the same test examples, seed i of every arm shares data order: all comparisons are paired.
        BootstrapDistribution Stat(IReadOnlyList<Point> arms, Func<double[], double> statistic) =>
            Bootstrap.Statistic(nTest, arms.Select(p => Arm(p.Test)).ToList(), statistic, seed: ctx.Seed);
        Claim Judge(string statement, string paper, string ours, ClaimRule rule, BootstrapDistribution d, string selectedOn) =>
            Verdicts.ToClaim(statement, paper, $"{ours}: {Iv(d)}", rule, d.ToEvidence(rule.Kind, rule.Metric, rule.Margin?.Value, selectedOn), smoke);

        // 1. The best smoothed teacher, chosen on validation accuracy, against the α=0 teacher.
        var bestTeacher = Select.OnValidation(teachers.Where(t => t.Alpha > 0), t => t.ValidationAccuracy);
        result.Claims.Add(Judge("Label smoothing makes a more accurate teacher (accuracy rises with α up to α = 0.6).",
            "CIFAR-10 ResNet-56: rises with α up to 0.6 (plot only)",
            $"teacher α={F(bestTeacher.Alpha)} (best on validation) {Pct(bestTeacher.Accuracy)}% vs α=0 {Pct(teachers[0].Accuracy)}%",
            ClaimRule.Difference("accuracy(best LS teacher) − accuracy(α=0 teacher)", Direction.Increase),
            Stat(new[] { bestTeacher, teachers[0] }, v => v[0] - v[1]), "validation"));

        // 2. Students trained from labels: the mean over α > 0 against α = 0.
        var lsOnly = lsStudents.Where(p => p.Alpha > 0).ToList();
        result.Claims.Add(Judge("Label smoothing slightly lowers the student baseline (student trained from labels).",
            "slightly lower with LS (plot only)",
            string.Join("; ", lsStudents.Select(p => $"α={F(p.Alpha)}: {Pct(p.Accuracy)}%")) + "; mean over α>0 minus α=0",
            ClaimRule.Difference("mean accuracy(LS students, α>0) − accuracy(α=0 student)", Direction.Decrease),
            Stat(lsStudents, v => v.Skip(1).Average() - v[0]), "none"));

        // 3. The worst temperature of the hard-target teacher against the best LS student, jointly on each resample.
        var hardThenLs = hardKd.Concat(lsOnly).ToList();
        int h = hardKd.Count;
        result.Claims.Add(Judge("Every student distilled from the hard-target teacher (any T) beats the students trained with label smoothing.",
            "holds at every T in Figure 5",
            $"distilled from α=0 teacher: {Pct(hardKd.Min(p => p.Accuracy))}–{Pct(hardKd.Max(p => p.Accuracy))}%; LS students α>0: up to {Pct(lsOnly.Max(p => p.Accuracy))}%; worst T minus best LS student",
            ClaimRule.Difference("min over T accuracy(student of α=0 teacher) − max over α>0 accuracy(LS student)", Direction.Increase),
            Stat(hardThenLs, v => v.Take(h).Min() - v.Skip(h).Max()), "none"));

        // 4. "No better": for every α, the student trained with α directly is at least as good as the student of the α teacher.
        var pairs = lsKd.SelectMany(p => new[] { lsStudents.First(l => l.Alpha == p.Alpha), p }).ToList();
        result.Claims.Add(Judge("Students of label-smoothed teachers do no better, and sometimes worse, than students trained with the same α directly.",
            "no better, sometimes worse (plot only)",
            string.Join("; ", lsKd.Select(p => $"α={F(p.Alpha)}: {Pct(p.Accuracy)}% vs {Pct(lsStudents.First(l => l.Alpha == p.Alpha).Accuracy)}%")) + "; min over α of (LS student − student of LS teacher)",
            ClaimRule.NonInferiority("min over α of accuracy(LS student α) − accuracy(student of LS teacher α)", Margins.DistillationAccuracyEquivalence),
            Stat(pairs, v => Enumerable.Range(0, v.Length / 2).Min(i => v[2 * i] - v[2 * i + 1])), "none"));

        // 5. Figure 5: at the same γ, the hard-teacher student curve (linear in γ) lies above every LS-teacher student.
        var curve = hardKd.OrderBy(p => p.Gamma).ToList();
        var matched = new List<(Point Ls, int Left, double W)>();
        foreach (var p in lsKd)
            for (int i = 0; i + 1 < curve.Count; i++)
                if (p.Gamma >= curve[i].Gamma && p.Gamma <= curve[i + 1].Gamma)
                {
                    double w = curve[i + 1].Gamma > curve[i].Gamma ? (p.Gamma - curve[i].Gamma) / (curve[i + 1].Gamma - curve[i].Gamma) : 0;
                    matched.Add((p, i, w));
                    break;
                }
        const string fig5 = "At the same equivalent smoothing γ, the student of the hard-target teacher beats the student of a label-smoothed teacher (Figure 5).";
        var fig5Rule = ClaimRule.Difference("min over matched γ of accuracy(hard-teacher curve at γ) − accuracy(student of LS teacher)", Direction.Increase);
        if (matched.Count == 0)
            result.Claims.Add(Verdicts.Unjudged(fig5, "holds at every γ (plot only)",
                $"no LS-teacher student's γ falls inside the hard-teacher curve's γ range [{curve[0].Gamma:F3}, {curve[^1].Gamma:F3}]", fig5Rule,
                "the two settings' γ ranges do not overlap, so there is nothing to compare at equal γ", seeds, nTest));
        else
        {
            int c = curve.Count;
            var arms = curve.Concat(matched.Select(m => m.Ls)).ToList();
            result.Claims.Add(Judge(fig5, "holds at every γ (plot only)",
                string.Join("; ", matched.Select(m => $"α={F(m.Ls.Alpha)} (γ={m.Ls.Gamma:F3}): curve {Pct(curve[m.Left].Accuracy + m.W * (curve[m.Left + 1].Accuracy - curve[m.Left].Accuracy))}% vs {Pct(m.Ls.Accuracy)}%")),
                fig5Rule,
                Stat(arms, v => matched.Select((m, j) => v[m.Left] + m.W * (v[m.Left + 1] - v[m.Left]) - v[c + j]).Min()), "none"));
        }

        // 6. The hard teacher's student at its best T against the best LS-teacher student, both chosen on validation.
        var bestHard = Select.OnValidation(hardKd, p => p.ValidationAccuracy);
        var bestLsKd = Select.OnValidation(lsKd, p => p.ValidationAccuracy);
        result.Claims.Add(Judge("A label-smoothed teacher distils a worse student than the hard-target teacher at its best temperature, even when the smoothed teacher is more accurate.",
            "CIFAR-10: hard-teacher students above LS-teacher students at every γ; MNIST: 0.74% vs 0.91% student error",
            $"α=0 teacher at T={F(bestHard.Temperature)} (best on validation): {Pct(bestHard.Accuracy)}%; LS-teacher student α={F(bestLsKd.Alpha)} (best on validation; teacher {Pct(bestLsKd.TeacherAccuracy)}% vs {Pct(teachers[0].Accuracy)}%): {Pct(bestLsKd.Accuracy)}%",
            ClaimRule.Difference("accuracy(student of α=0 teacher, best T) − accuracy(best student of an LS teacher)", Direction.Increase),
            Stat(new[] { bestHard, bestLsKd }, v => v[0] - v[1]), "validation"));

        result.Findings.Add($"Teachers: " + string.Join(", ", teachers.Select(p => $"α={F(p.Alpha)} {Pct(p.Accuracy)}%")) + ". " +
            $"Students from labels: " + string.Join(", ", lsStudents.Select(p => $"α={F(p.Alpha)} {Pct(p.Accuracy)}%")) + ". " +
            $"Distilled from the α=0 teacher: " + string.Join(", ", hardKd.Select(p => $"T={F(p.Temperature)} {Pct(p.Accuracy)}% (γ={p.Gamma:F3})")) + ". " +
            $"Distilled from LS teachers at T=1: " + string.Join(", ", lsKd.Select(p => $"α={F(p.Alpha)} {Pct(p.Accuracy)}% (γ={p.Gamma:F3})")) + ".");
        var gap = result.Claims[^1];
        result.Findings.Add($"Hard-target teacher's best student (T={F(bestHard.Temperature)}) vs best student of a smoothed teacher (α={F(bestLsKd.Alpha)}), both chosen on validation: {gap.OurValue} — {gap.Verdict}: {gap.Why}.");
    }

    /// <summary>
    /// The two published follow-ups, judged on the same α × T grid: Shen et al. (2021, "Is label smoothing truly
    /// incompatible with knowledge distillation?") — at equal T = 1 a smoothed teacher distils as well; Chandrasegaran et
    /// al. (2022, "Revisiting label smoothing and knowledge distillation compatibility") — smoothed teachers hurt at higher T.
    /// </summary>
    static void AddFollowUps(ExperimentResult result, ExperimentContext ctx, Settings plan, Dictionary<(double Alpha, double T), Point> kd, int nTest, Func<double, string> F)
    {
        bool smoke = ctx.Profile == Profile.Tiny;
        string Iv(BootstrapDistribution d) => $"{Signed.Of(100 * d.Estimate, 2)} points [{Signed.Of(100 * d.Interval().Low, 2)}, {Signed.Of(100 * d.Interval().High, 2)}]";
        BootstrapDistribution Stat(IReadOnlyList<Point> arms, Func<double[], double> statistic) =>
            Bootstrap.Statistic(nTest, arms.Select(p => Arm(p.Test)).ToList(), statistic, seed: ctx.Seed);
        Claim Judge(string statement, string paper, string ours, ClaimRule rule, BootstrapDistribution d, string selectedOn) =>
            Verdicts.ToClaim(statement, paper, $"{ours}: {Iv(d)}", rule, d.ToEvidence(rule.Kind, rule.Metric, rule.Margin?.Value, selectedOn), smoke);
        var lsAlphas = plan.Alphas.Where(a => a > 0).ToArray();

        // Shen et al.: within the T = 1 column, the smoothed teacher (α chosen on validation) is no worse than the hard one.
        var atOne = Select.OnValidation(lsAlphas.Select(a => kd[(a, 1)]), p => p.ValidationAccuracy);
        result.Claims.Add(Judge("Follow-up (Shen et al. 2021): at equal temperature T = 1, a label-smoothed teacher distils a student about as good as the hard-target teacher's.",
            "ImageNet / CUB: LS teachers as good or better at T = 1",
            $"T=1: student of α={F(atOne.Alpha)} teacher (best on validation) {Pct(atOne.Accuracy)}% vs α=0 teacher {Pct(kd[(0, 1)].Accuracy)}%",
            ClaimRule.NonInferiority("accuracy(student of best LS teacher, T=1) − accuracy(student of α=0 teacher, T=1)", Margins.DistillationAccuracyEquivalence),
            Stat(new[] { atOne, kd[(0, 1)] }, v => v[0] - v[1]), "validation"));

        // Chandrasegaran et al.: in the high-T columns (T ≥ 4, or the largest T), smoothed teachers' students fall below the hard teacher's.
        var high = plan.Temperatures.Where(t => t >= 4).DefaultIfEmpty(plan.Temperatures.Max()).ToArray();
        var arms = high.SelectMany(t => new[] { kd[(0, t)] }.Concat(lsAlphas.Select(a => kd[(a, t)]))).ToList();
        int per = 1 + lsAlphas.Length;
        result.Claims.Add(Judge("Follow-up (Chandrasegaran et al. 2022): at higher temperatures, label-smoothed teachers distil worse students than the hard-target teacher at the same T.",
            "CIFAR / ImageNet: LS teachers hurt at higher T",
            $"T ∈ {{{string.Join(", ", high.Select(F))}}}: " + string.Join("; ", high.Select(t => $"T={F(t)}: α=0 {Pct(kd[(0, t)].Accuracy)}% vs LS " + string.Join("/", lsAlphas.Select(a => Pct(kd[(a, t)].Accuracy))) + "%")) +
            "; mean over those T and α>0 of (LS-teacher student − α=0-teacher student)",
            ClaimRule.Difference("mean over T≥4 and α>0 of accuracy(student of LS teacher α, T) − accuracy(student of α=0 teacher, T)", Direction.Decrease),
            Stat(arms, v => Enumerable.Range(0, high.Length).SelectMany(j => Enumerable.Range(1, lsAlphas.Length).Select(i => v[j * per + i] - v[j * per])).Average()), "none"));

        var (shen, chandra) = (result.Claims[^2], result.Claims[^1]);
        var paper = result.Claims.First(c => c.Statement.StartsWith("A label-smoothed teacher distils a worse student", StringComparison.Ordinal));
        result.Findings.Add($"Which reading the α × T grid supports: the paper's (hard teacher at its best T beats the best smoothed teacher) — {Report.VerdictText(paper.Verdict)}; " +
                            $"Shen et al. (as good at equal T = 1) — {Report.VerdictText(shen.Verdict)}; Chandrasegaran et al. (worse at higher T) — {Report.VerdictText(chandra.Verdict)}.");
    }
}
