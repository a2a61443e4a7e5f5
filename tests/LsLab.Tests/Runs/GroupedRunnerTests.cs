using LsLab.Data;
using LsLab.Distillation;
using LsLab.Information;
using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Tests.Runs;

/// <summary>Runner.TrainAll: groups what can be grouped, every member an ordinary run folder and done cell.</summary>
public class GroupedRunnerTests : TempDirTest
{
    public GroupedRunnerTests() => Engine.Initialize();

    static ClassifierRun Spec(double alpha, int seed, int n = 64, bool trace = true) => new(new TrainOptions
    {
        Dataset = DatasetCatalog.Embedded, Model = "mlp-small", Width = 16, Alpha = alpha, Epochs = 2, TrainLimit = n, Seed = seed, BatchSize = 32,
    }, Trace: trace ? new LogitTrace() : null);

    /// <summary>Three groupable runs (α and seed differ), one with another subset size (trained alone).</summary>
    static RunSpec[] Plan() => new RunSpec[] { Spec(0, 0), Spec(0.1, 0), Spec(0.1, 1, trace: false), Spec(0, 0, n: 96) };

    static float[] Weights(TrainedRun r)
    {
        using var data = TrainingRun.LoadData(r.Options);
        using var m = TrainingRun.LoadModel(r.Folder, data.Train);
        return m.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();
    }

    sealed class Titles : IProgressReporter, IProgressTask
    {
        public List<string> Seen { get; } = new();
        public void Run(string title, long totalSteps, Action<IProgressTask> work) { Seen.Add(title); work(this); }
        public void Advance(long steps, string? status = null) { }
        public void Log(string line) => Seen.Add(line);
    }

    [Fact]
    public void Grouped_runs_match_runs_trained_one_by_one_and_are_ordinary_done_cells()
    {
        using var store = new RunStore(Path.Combine(Dir, "store"));
        var titles = new Titles();
        using var grouped = new Runner(Path.Combine(Dir, "grouped"), titles, store) { Group = true };
        using var alone = new Runner(Path.Combine(Dir, "alone"), Progress.None) { Group = false };
        var a = grouped.TrainAll(Plan());
        var b = alone.TrainAll(Plan());
        Assert.Single(titles.Seen, t => t.StartsWith("group of 3 × mlp-small"));
        Assert.DoesNotContain(titles.Seen, t => t.Contains("failed"));
        for (int i = 0; i < a.Count; i++)
        {
            Assert.True(a[i].Folder.IsSealed, a[i].Folder.Path);
            Assert.Equal(RunStatus.Done, store.Get(a[i].Spec.Id)!.Status);
            var (wa, wb) = (Weights(a[i]), Weights(b[i]));
            double worst = wa.Zip(wb, (x, y) => Math.Abs(x - y)).Max(), scale = wb.Max(Math.Abs);
            Assert.True(worst <= 1e-5 * scale, $"{a[i].Spec.Name}: weights differ by {worst:G3} (scale {scale:G3})");
        }
        // The traced members have their logits after epochs 1 and 2, like a single traced run.
        foreach (var r in a.Where(r => r.Spec is ClassifierRun { Trace: not null }))
            foreach (int e in new[] { 1, 2 })
                Assert.Equal(LogitTrace.Read(b.First(x => x.Spec.Id == r.Spec.Id).Folder, e, "test").Labels, LogitTrace.Read(r.Folder, e, "test").Labels);
        // Training again finds every cell done and changes nothing.
        var stamp = File.GetLastWriteTimeUtc(a[0].Folder.ModelPath);
        grouped.TrainAll(Plan());
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(a[0].Folder.ModelPath));
    }

    [Fact]
    public void Students_and_mi_tracked_runs_group_and_match_their_single_runs()
    {
        var teacher = Spec(0.1, 0, trace: false);
        var student = Spec(0, 0, trace: false).Options;
        var mi = new MiSettings(0, 1, Examples: 8, Draws: 3);
        RunSpec[] plan =
        {
            new StudentRun(student, teacher, 1.0, 1.0, SoftTerm.Paper),
            new StudentRun(student, teacher, 4.0, 0.5, SoftTerm.Hinton),
            new ClassifierRun(student, mi),
            new ClassifierRun(student with { Alpha = 0.3 }, mi),
        };
        var titles = new Titles();
        using var grouped = new Runner(Path.Combine(Dir, "grouped"), titles) { Group = true };
        using var alone = new Runner(Path.Combine(Dir, "alone"), Progress.None) { Group = false };
        var a = grouped.TrainAll(plan);
        var b = alone.TrainAll(plan);
        Assert.Contains(titles.Seen, t => t.StartsWith("group of 4 × mlp-small"));
        Assert.DoesNotContain(titles.Seen, t => t.Contains("failed"));
        for (int i = 0; i < a.Count; i++)
        {
            var (wa, wb) = (Weights(a[i]), Weights(b[i]));
            double worst = wa.Zip(wb, (x, y) => Math.Abs(x - y)).Max(), scale = wb.Max(Math.Abs);
            Assert.True(worst <= 1e-5 * scale, $"{a[i].Spec.Name}: weights differ by {worst:G3} (scale {scale:G3})");
        }
        for (int i = 0; i < 2; i++)
        {
            var (ra, rb) = (DistillationRecord.Load(a[i].Folder)!, DistillationRecord.Load(b[i].Folder)!);
            Assert.Equal(rb.Temperature, ra.Temperature);
            Assert.Equal(rb.EquivalentSmoothing, ra.EquivalentSmoothing, 9);
        }
        for (int i = 2; i < 4; i++)
            foreach (int e in new[] { 1, 2 })
            {
                var (sa, sb) = (MiSample.Load(MiTracker.SamplePath(a[i].Folder, e)), MiSample.Load(MiTracker.SamplePath(b[i].Folder, e)));
                double worst = sa.Outer.Zip(sb.Outer, (x, y) => Math.Abs(x - y)).Max(), scale = sb.Outer.Max(Math.Abs);
                Assert.True(worst <= 1e-4 * Math.Max(scale, 1), $"{a[i].Spec.Name} epoch {e}: MI readings differ by {worst:G3}");
            }
    }
}
