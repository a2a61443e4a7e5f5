using System.Globalization;
using LsLab.Data;
using LsLab.Distillation;
using LsLab.Reporting;
using LsLab.Runs;
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
        string Student, int StudentEpochs, int? StudentWidth, int? Limit, double[] Alphas, double[] Temperatures, int Seeds, string Scale);

    static readonly double[] PaperAlphas = { 0, 0.15, 0.3, 0.45, 0.6, 0.75 };
    static readonly double[] PaperTemperatures = { 1, 2, 3, 4, 8, 12, 16 };

    static Settings For(Profile p) => p switch
    {
        Profile.Tiny => new(DatasetCatalog.Embedded, "mlp-small", 1, false, 64, "mlp-small", 1, 32, 600, new[] { 0, 0.3 }, new[] { 1.0, 4 }, 1,
            "tiny plumbing check: 600 examples, one epoch, α ∈ {0, 0.3}, T ∈ {1, 4}"),
        Profile.Quick => new(DatasetCatalog.Embedded, "convnet", 6, false, null, "mlp-small", 5, null, null, new[] { 0, 0.3, 0.6 }, new[] { 1.0, 2, 4, 8 }, 1,
            "quick profile: embedded Fashion-MNIST subset (9,000 train / 2,000 test), convnet teachers (6 epochs), mlp-small students (5 epochs), " +
            "reduced grid α ∈ {0, 0.3, 0.6}, T ∈ {1, 2, 4, 8}, one seed"),
        _ => new("fashion-mnist", "convnet", 15, true, null, "mlp-small", 20, null, null, PaperAlphas, PaperTemperatures, 1,
            "full profile: Fashion-MNIST (54,000 train / 10,000 test), convnet teachers (15 epochs, crop+flip), mlp-small students (20 epochs, no augmentation), " +
            "the paper's grid α ∈ {0, 0.15, 0.3, 0.45, 0.6, 0.75}, T ∈ {1, 2, 3, 4, 8, 12, 16}, one seed (the paper: five)"),
    };

    /// <summary>One trained student (or teacher) and where it sits on the plots.</summary>
    sealed record Point(string Setting, double Alpha, double Temperature, double Gamma, double TeacherAccuracy, List<double> Accuracies)
    {
        public double Accuracy => Accuracies.Average();
    }

    static TrainOptions TeacherOptions(Settings plan, ExperimentContext ctx, double alpha, int seed) => new()
    {
        Dataset = plan.Dataset, DataDir = ctx.DataDir, Model = plan.Teacher, Epochs = plan.TeacherEpochs, Augment = plan.TeacherAugment,
        Width = plan.TeacherWidth, Alpha = alpha, Seed = seed, TrainLimit = plan.Limit,
    };

    static TrainOptions StudentOptions(Settings plan, ExperimentContext ctx, double alpha, int seed) => new()
    {
        Dataset = plan.Dataset, DataDir = ctx.DataDir, Model = plan.Student, Epochs = plan.StudentEpochs, Augment = false,
        Width = plan.StudentWidth, Alpha = alpha, Seed = seed, TrainLimit = plan.Limit,
    };

    static ClassifierRun Teacher(Settings plan, ExperimentContext ctx, double alpha, int seed) => new(TeacherOptions(plan, ctx, alpha, seed));

    /// <summary>A student of <paramref name="teacher"/> at temperature T: β = 1 (teacher alone), the paper's soft term.</summary>
    static StudentRun Student(Settings plan, ExperimentContext ctx, ClassifierRun teacher, double temperature, int seed) =>
        new(StudentOptions(plan, ctx, 0, seed), teacher, temperature, 1.0, SoftTerm.Paper);

    static IEnumerable<double> TemperaturesFor(Settings plan, double alpha) => alpha == 0 ? plan.Temperatures : new[] { 1.0 };

    /// <summary>Teachers, students from labels, and the distilled students (each depends on its teacher).</summary>
    public IReadOnlyList<RunSpec> Plan(ExperimentContext ctx)
    {
        var plan = For(ctx.Profile);
        var specs = new List<RunSpec>();
        for (int s = 0; s < plan.Seeds; s++)
            foreach (var a in plan.Alphas)
            {
                var teacher = Teacher(plan, ctx, a, ctx.Seed + s);
                specs.Add(teacher);
                specs.AddRange(TemperaturesFor(plan, a).Select(t => Student(plan, ctx, teacher, t, ctx.Seed + s)));
                specs.Add(new ClassifierRun(StudentOptions(plan, ctx, a, ctx.Seed + s)));
            }
        return specs;
    }

    /// <inheritdoc />
    public ExperimentResult Analyse(ExperimentContext ctx, TrainedRuns runs)
    {
        var plan = For(ctx.Profile);
        string F(double v) => v.ToString(CultureInfo.InvariantCulture);

        var teachers = plan.Alphas.Select(a => new Point("teacher", a, 1, a, double.NaN, new())).ToList();
        var lsStudents = plan.Alphas.Select(a => new Point("student, LS α (no teacher)", a, 1, a, double.NaN, new())).ToList();
        var hardKd = plan.Temperatures.Select(t => new Point("student of α=0 teacher at T", 0, t, double.NaN, double.NaN, new())).ToList();
        var lsKd = plan.Alphas.Where(a => a > 0).Select(a => new Point("student of LS teacher, T=1", a, 1, double.NaN, double.NaN, new())).ToList();
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
                teachers[i].Accuracies.Add(Accuracy(teacher, data.Test));
                using var teacherLogits = Logits(teacher, data.Train);
                foreach (var t in TemperaturesFor(plan, alpha))
                {
                    var run = runs[Student(plan, ctx, teacherSpec, t, seed)].Folder;
                    double gamma = DistillationLoss.EquivalentSmoothing(teacherLogits, data.Train.Labels, t);
                    double acc = Accuracy(run, data.Test);
                    if (!gammas.TryGetValue((alpha, t), out var g)) gammas[(alpha, t)] = g = new();
                    g.Add(gamma);
                    if (alpha == 0) hardKd[Array.IndexOf(plan.Temperatures, t)].Accuracies.Add(acc);
                    if (t == 1 && alpha > 0) lsKd.First(p => p.Alpha == alpha).Accuracies.Add(acc);
                }
                var ls = runs[new ClassifierRun(studentBase with { Alpha = alpha })].Folder;
                lsStudents[i].Accuracies.Add(Accuracy(ls, data.Test));
            }
        }

        double TeacherAcc(double alpha) => teachers.First(t => t.Alpha == alpha).Accuracy;
        hardKd = hardKd.Select(p => p with { Gamma = gammas[(0, p.Temperature)].Average(), TeacherAccuracy = TeacherAcc(0) }).ToList();
        lsKd = lsKd.Select(p => p with { Gamma = gammas[(p.Alpha, 1)].Average(), TeacherAccuracy = TeacherAcc(p.Alpha) }).ToList();
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
            $"Test set of {nTest} examples: the standard error of a difference between two accuracies here is about {100 * DifferenceStandardError(lsStudents[0].Accuracy, nTest):F2} points (binomial), before seed-to-seed variation."));

        // Figures.
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
        foreach (var p in lsKd)
        {
            result.Set("student_accuracy", p.Accuracy, ("teacher_alpha", p.Alpha), ("T", 1.0));
            result.Set("gamma", p.Gamma, ("teacher_alpha", p.Alpha), ("T", 1.0));
        }

        AddClaims(result, teachers, lsStudents, hardKd, lsKd, nTest, F);
        return result;
    }

    static void AddClaims(ExperimentResult result, List<Point> teachers, List<Point> lsStudents, List<Point> hardKd, List<Point> lsKd, int nTest, Func<double, string> F)
    {
        double se = DifferenceStandardError(teachers[0].Accuracy, nTest);
        double clear = 2 * se;
        string Pts(double d) => $"{(100 * d):+0.00;-0.00} points";
        string noise = $"differences beyond ±{100 * clear:F2} points (2 binomial standard errors) count as clear";

        var bestTeacher = teachers.MaxBy(t => t.Accuracy)!;
        double teacherGain = bestTeacher.Accuracy - teachers[0].Accuracy;
        result.Claims.Add(new Claim("Label smoothing makes a more accurate teacher (accuracy rises with α up to α = 0.6).",
            "CIFAR-10 ResNet-56: rises with α up to 0.6 (plot only)",
            $"best teacher α={F(bestTeacher.Alpha)}: {Pct(bestTeacher.Accuracy)}% vs α=0 {Pct(teachers[0].Accuracy)}% ({Pts(teacherGain)})",
            bestTeacher.Alpha > 0 && teacherGain > clear ? Verdict.Reproduced : bestTeacher.Alpha > 0 ? Verdict.Inconclusive : Verdict.NotReproduced,
            bestTeacher.Alpha > 0 && teacherGain > clear ? $"a smoothed teacher is clearly more accurate; {noise}"
            : bestTeacher.Alpha > 0 ? $"a smoothed teacher is best, but within noise; {noise}" : "no smoothed teacher beats the α=0 teacher"));

        var lsOnly = lsStudents.Where(p => p.Alpha > 0).ToList();
        var bestLs = lsOnly.MaxBy(p => p.Accuracy)!;
        double lsDiff = lsOnly.Average(p => p.Accuracy) - lsStudents[0].Accuracy;
        result.Claims.Add(new Claim("Label smoothing slightly lowers the student baseline (student trained from labels).",
            "slightly lower with LS (plot only)",
            string.Join("; ", lsStudents.Select(p => $"α={F(p.Alpha)}: {Pct(p.Accuracy)}%")),
            lsDiff < -clear ? Verdict.Reproduced : lsDiff < 0 ? Verdict.Partly : Verdict.NotReproduced,
            lsDiff < -clear ? $"mean over α>0 is {Pts(lsDiff)} versus α=0; {noise}"
            : lsDiff < 0 ? $"mean over α>0 is {Pts(lsDiff)} versus α=0, within noise" : $"mean over α>0 is {Pts(lsDiff)} versus α=0: not lower"));

        double worstHard = hardKd.Min(p => p.Accuracy);
        var bestHard = hardKd.MaxBy(p => p.Accuracy)!;
        result.Claims.Add(new Claim("Every student distilled from the hard-target teacher (any T) beats the students trained with label smoothing.",
            "holds at every T in Figure 5",
            $"distilled from α=0 teacher: {Pct(worstHard)}–{Pct(bestHard.Accuracy)}%; LS students α>0: best {Pct(bestLs.Accuracy)}% (α={F(bestLs.Alpha)})",
            worstHard > bestLs.Accuracy ? Verdict.Reproduced : bestHard.Accuracy > bestLs.Accuracy ? Verdict.Partly : Verdict.NotReproduced,
            worstHard > bestLs.Accuracy ? "the worst temperature still beats the best LS student"
            : bestHard.Accuracy > bestLs.Accuracy ? $"only some temperatures beat the best LS student ({hardKd.Count(p => p.Accuracy > bestLs.Accuracy)} of {hardKd.Count})"
            : "no temperature beats the best LS student"));

        var diffs = lsKd.Select(p => (p.Alpha, D: p.Accuracy - lsStudents.First(l => l.Alpha == p.Alpha).Accuracy)).ToList();
        bool noneClearlyBetter = diffs.All(d => d.D <= clear);
        result.Claims.Add(new Claim("Students of label-smoothed teachers do no better, and sometimes worse, than students trained with the same α directly.",
            "no better, sometimes worse (plot only)",
            string.Join("; ", diffs.Select(d => $"α={F(d.Alpha)}: {Pts(d.D)}")),
            noneClearlyBetter ? Verdict.Reproduced : Verdict.NotReproduced,
            noneClearlyBetter ? $"no student of an LS teacher is clearly better than the LS student with the same α; {noise}"
            : $"some students of LS teachers are clearly better than the LS students; {noise}"));

        // The paper's Figure 5 comparison: at the same γ, the hard-target teacher's student curve lies above the LS teachers' students.
        var curve = hardKd.OrderBy(p => p.Gamma).ToList();
        double? OnCurve(double g)
        {
            for (int i = 0; i + 1 < curve.Count; i++)
                if (g >= curve[i].Gamma && g <= curve[i + 1].Gamma)
                {
                    double w = curve[i + 1].Gamma > curve[i].Gamma ? (g - curve[i].Gamma) / (curve[i + 1].Gamma - curve[i].Gamma) : 0;
                    return curve[i].Accuracy + w * (curve[i + 1].Accuracy - curve[i].Accuracy);
                }
            return null;
        }
        var matched = lsKd.Select(p => (p.Alpha, p.Gamma, Ls: p.Accuracy, Hard: OnCurve(p.Gamma))).Where(x => x.Hard is not null)
            .Select(x => (x.Alpha, x.Gamma, x.Ls, Hard: x.Hard!.Value, D: x.Hard!.Value - x.Ls)).ToList();
        result.Claims.Add(new Claim("At the same equivalent smoothing γ, the student of the hard-target teacher beats the student of a label-smoothed teacher (Figure 5).",
            "holds at every γ (plot only)",
            matched.Count == 0 ? $"no LS-teacher student's γ falls inside the hard-teacher curve's γ range [{curve[0].Gamma:F3}, {curve[^1].Gamma:F3}]"
            : string.Join("; ", matched.Select(x => $"α={F(x.Alpha)} (γ={x.Gamma:F3}): hard-teacher curve {Pct(x.Hard)}% vs {Pct(x.Ls)}% ({Pts(x.D)})")),
            matched.Count == 0 ? Verdict.Inconclusive
            : matched.All(x => x.D > 0) && matched.Any(x => x.D > clear) ? Verdict.Reproduced
            : matched.All(x => x.D > 0) ? Verdict.Partly
            : matched.Any(x => x.D > 0) ? Verdict.Partly : Verdict.NotReproduced,
            matched.Count == 0 ? "the two settings' γ ranges do not overlap, so there is nothing to compare at equal γ"
            : $"hard-teacher curve linearly interpolated in γ; higher at {matched.Count(x => x.D > 0)} of {matched.Count} matched points, clearly at {matched.Count(x => x.D > clear)}; {noise}"));

        var bestLsKd = lsKd.MaxBy(p => p.Accuracy)!;
        double gap = bestHard.Accuracy - bestLsKd.Accuracy;
        bool lsTeacherMoreAccurate = bestLsKd.TeacherAccuracy > teachers[0].Accuracy;
        result.Claims.Add(new Claim("A label-smoothed teacher distils a worse student than the hard-target teacher at its best temperature, even when the smoothed teacher is more accurate.",
            "CIFAR-10: hard-teacher students above LS-teacher students at every γ; MNIST: 0.74% vs 0.91% student error",
            $"α=0 teacher at best T={F(bestHard.Temperature)}: {Pct(bestHard.Accuracy)}%; best LS-teacher student (α={F(bestLsKd.Alpha)}, teacher {Pct(bestLsKd.TeacherAccuracy)}% vs {Pct(teachers[0].Accuracy)}%): {Pct(bestLsKd.Accuracy)}% ({Pts(gap)})",
            gap > clear ? Verdict.Reproduced : gap > 0 ? Verdict.Partly : Verdict.NotReproduced,
            (gap > clear ? "the hard-target teacher's best student is clearly better" : gap > 0 ? "better, but within noise" : "the LS teacher's student is as good or better") +
            (lsTeacherMoreAccurate ? "; that LS teacher was the more accurate teacher" : "; that LS teacher was not more accurate than the α=0 teacher") + $"; {noise}"));

        result.Findings.Add($"Teachers: " + string.Join(", ", teachers.Select(p => $"α={F(p.Alpha)} {Pct(p.Accuracy)}%")) + ". " +
            $"Students from labels: " + string.Join(", ", lsStudents.Select(p => $"α={F(p.Alpha)} {Pct(p.Accuracy)}%")) + ". " +
            $"Distilled from the α=0 teacher: " + string.Join(", ", hardKd.Select(p => $"T={F(p.Temperature)} {Pct(p.Accuracy)}% (γ={p.Gamma:F3})")) + ". " +
            $"Distilled from LS teachers at T=1: " + string.Join(", ", lsKd.Select(p => $"α={F(p.Alpha)} {Pct(p.Accuracy)}% (γ={p.Gamma:F3})")) + ".");
        result.Findings.Add(gap > 0
            ? $"The α=0 teacher's best student (T={F(bestHard.Temperature)}) beats the best student of a smoothed teacher by {Pts(gap)}; the noise level for a single comparison is about ±{100 * se:F2} points (one binomial standard error), so {(gap > clear ? "this is a clear difference" : "this alone is not conclusive")}."
            : $"The best student of a smoothed teacher (α={F(bestLsKd.Alpha)}) is as good as or better than the α=0 teacher's best student ({Pts(-gap)}): the paper's claim does not reproduce at this scale.");
    }
}
