using LsLab.Distillation;
using LsLab.Information;
using LsLab.Runs;
using LsLab.Training;
using LsLab.Translation;

namespace LsLab.Tests.Runs;

public sealed class RunSpecTests : TempDirTest
{
    static ClassifierRun Teacher(double alpha = 0) => new(new TrainOptions { Dataset = "fashion-mnist-embedded", Model = "convnet", Alpha = alpha, Epochs = 3 });

    [Fact]
    public void Every_kind_round_trips_through_json_and_its_id_is_the_content_hash()
    {
        RunSpec[] specs =
        {
            Teacher(),
            new ClassifierRun(new TrainOptions { Model = "mlp", Alpha = 0.1 }, new MiSettings(0, 1, 600, 5, 2)),
            new StudentRun(new TrainOptions { Model = "mlp-small" }, Teacher(0.3), 4, 0.6, SoftTerm.Logits),
            new TranslatorRun(new TranslatorOptions { Alpha = 0.1, Epochs = 3 }),
        };
        Assert.Equal(new[] { "classifier", "classifier", "student", "translator" }, specs.Select(s => s.Kind));
        foreach (var s in specs)
        {
            var back = RunSpec.FromJson(s.ToJson(), "test");
            Assert.Equal(s, back);
            Assert.Equal(s.Id, back.Id);
            Assert.Contains($"\"kind\": \"{s.Kind}\"", s.ToJson());
        }
        Assert.Equal(specs.Length, specs.Select(s => s.Id).Distinct().Count());
        // Any change of the spec is another run.
        Assert.NotEqual(Teacher().Id, Teacher(0.1).Id);
        Assert.NotEqual(specs[2].Id, ((StudentRun)specs[2] with { Temperature = 2 }).Id);
    }

    [Fact]
    public void Specs_that_differ_only_in_an_unnamed_default_get_different_folders()
    {
        var off = new TrainOptions { Dataset = "fashion-mnist", Model = "resnet20", Epochs = 15, TrainLimit = 2000, Dropout = 0, WeightDecay = 0 };
        var decay = off with { WeightDecay = 5e-4 };
        Assert.NotEqual(off.RunName(), decay.RunName());
        Assert.EndsWith("-wd0", off.RunName());
        // Explicitly the model's default is the default's name, so existing folders keep their names.
        Assert.Equal((off with { WeightDecay = null }).RunName(), decay.RunName());
        var mlp = new TrainOptions { Model = "mlp-small", WeightDecay = 0 };
        Assert.Equal((mlp with { WeightDecay = null }).RunName(), mlp.RunName());
        Assert.EndsWith("-wd0.0005", (mlp with { WeightDecay = 5e-4 }).RunName());
        var variants = new[] { mlp with { Momentum = 0.5 }, mlp with { Nesterov = false }, mlp with { Schedule = Schedule.Step },
                               mlp with { WarmupEpochs = 1 }, mlp with { ValidationFraction = 0.2 } };
        Assert.Equal(variants.Length + 1, variants.Select(v => v.RunName()).Append(mlp.RunName()).Distinct().Count());
    }

    [Fact]
    public void A_finished_folder_is_not_reused_for_other_options()
    {
        var spec = new ClassifierRun(new TrainOptions { Dataset = "fashion-mnist-embedded", Model = "mlp-small", Width = 16, Epochs = 1, TrainLimit = 200 });
        using var runner = new Runner(Path.Combine(Dir, "runs"), Progress.None);
        var trained = runner.Train(spec);
        Assert.True(trained.Folder.IsComplete);
        // Another spec's options in the same folder (what a name collision produced): reuse is refused with the difference named.
        AtomicFile.WriteJson(trained.Folder.ConfigPath, spec.Options with { WeightDecay = 5e-4 });
        trained.Folder.WriteManifest();
        var e = Assert.Throws<LsLabException>(() => runner.Train(spec));
        Assert.Contains("weightDecay", e.Message);
        Assert.Contains(trained.Folder.ConfigPath, e.Message);
    }

    [Fact]
    public void A_stored_cell_under_an_older_folder_name_moves_to_its_new_name_without_retraining()
    {
        var spec = new ClassifierRun(new TrainOptions { Dataset = "fashion-mnist-embedded", Model = "convnet", Width = 4, Epochs = 1, TrainLimit = 100, WeightDecay = 0 });
        Assert.EndsWith("-wd0", spec.Name);
        using var store = new RunStore(Dir);
        using var runner = new Runner(Path.Combine(Dir, "runs"), Progress.None, store) { Experiment = "x" };
        var folder = runner.Train(spec).Folder;
        var written = File.GetLastWriteTimeUtc(folder.ModelPath);
        // As the previous naming rule left it: the folder without "-wd0", and the cell pointing there.
        var oldPath = folder.Path[..^"-wd0".Length];
        Directory.Move(folder.Path, oldPath);
        store.Relink(spec.Id, Path.GetFileName(oldPath), oldPath);
        var again = runner.Train(spec).Folder;
        Assert.Equal(folder.Path, again.Path);
        Assert.False(Directory.Exists(oldPath));
        Assert.Equal(written, File.GetLastWriteTimeUtc(again.ModelPath)); // moved, not retrained (a retrained copy would be bit-identical)
        var rec = store.Get(spec.Id)!;
        Assert.Equal(spec.Name, rec.Name);
        Assert.Equal(folder.Path, Path.GetFullPath(rec.Path));
        Assert.Equal(RunStatus.Done, rec.Status);
    }

    [Fact]
    public void A_student_depends_on_its_teacher_by_id_and_is_named_after_it()
    {
        var teacher = Teacher(0.3);
        var student = new StudentRun(new TrainOptions { Model = "mlp-small" }, teacher, 4, 1, SoftTerm.Paper);
        Assert.Equal(teacher.Id, Assert.Single(student.Dependencies).Id);
        Assert.Contains("-kd-" + teacher.Name, student.Name);
        // A data folder given to the runner reaches the teacher as well.
        var withData = (StudentRun)student.WithDataDir("/data");
        Assert.Equal("/data", withData.Options.DataDir);
        Assert.Equal("/data", withData.Teacher.Options.DataDir);
    }

    [Fact]
    public void Unknown_kind_or_garbage_is_one_clear_error_naming_the_source()
    {
        Assert.Contains("cell 1", Assert.Throws<LsLabException>(() => RunSpec.FromJson("{\"kind\":\"rocket\"}", "cell 1")).Message);
        Assert.Contains("cell 2", Assert.Throws<LsLabException>(() => RunSpec.FromJson("not json", "cell 2")).Message);
    }

    [Fact]
    public void Store_records_kind_and_dependencies_and_run_cell_waits_for_an_unfinished_teacher()
    {
        using var store = new RunStore(Dir);
        var teacher = Teacher();
        var student = new StudentRun(new TrainOptions { Dataset = "fashion-mnist-embedded", Model = "mlp-small" }, teacher, 2, 1, SoftTerm.Paper);
        using var runner = new Runner(Path.Combine(Dir, "runs"), Progress.None, store) { Experiment = "x" };
        var ids = runner.Register(student);
        Assert.Equal(new[] { teacher.Id, student.Id }, ids);
        var rec = store.Get(student.Id)!;
        Assert.Equal("student", rec.Kind);
        Assert.Equal(new[] { teacher.Id }, rec.DependsOn);
        Assert.Equal("classifier", store.Get(teacher.Id)!.Kind);
        var e = Assert.Throws<CellWaitingException>(() => Runner.RunCell(store, student.Id, Progress.None));
        Assert.Contains(teacher.Id, e.Message);
        Assert.Contains("Pending", e.Message);
        Assert.Equal(RunStatus.Pending, store.Get(student.Id)!.Status);   // nothing was claimed
    }
}
