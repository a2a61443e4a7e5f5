using LsLab.Data;
using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Tests.Reliability;

/// <summary>Class 9: messages name what the user typed and what the folder is, not an internal name or one missing file.</summary>
public sealed class MessageTests : TempDirTest
{
    [Fact]
    public void Mi_classes_errors_blame_mi_classes_not_classes()
    {
        var run = Path.Combine(Dir, "run");
        string[] Args(params string[] extra) => new[] { "train", "--dataset", DatasetCatalog.Embedded, "--model", "mlp-small", "--width", "8", "--epochs", "1",
            "--train-limit", "200", "--track-mi", "--out", run, "--quiet" }.Concat(extra).ToArray();
        var line = UserErrors.AssertOneLine(UserErrors.Run(Args("--mi-classes", "0,42")), "--mi-classes: class index 42 is out of range [0, 9]");
        Assert.DoesNotContain(" --classes", line);
        UserErrors.AssertOneLine(UserErrors.Run(Args("--mi-classes", "0")), "--mi-classes: expected two classes");
        UserErrors.AssertOneLine(UserErrors.Run(Args("--mi-n", "3")), "--mi-n: the number of examples must be even");
        UserErrors.AssertOneLine(UserErrors.Run(Args("--mi-draws", "1")), "--mi-draws: at least 2");
        Assert.False(Directory.Exists(run), "no run folder for a run that never started");
    }

    [Fact]
    public void Translate_on_a_classifier_run_says_it_is_a_classifier_run()
    {
        var run = Path.Combine(Dir, "classifier");
        Directory.CreateDirectory(run);
        AtomicFile.WriteJson(Path.Combine(run, "config.json"), new TrainOptions());
        File.WriteAllBytes(Path.Combine(run, "model.dat"), new byte[16]);
        var before = UserErrors.Snapshot(run);
        var line = UserErrors.AssertOneLine(UserErrors.Run("translate", "decode", "--run", run, "The man sees the dog."), $"--run {run}: a classifier run");
        Assert.DoesNotContain("model.json", line);
        UserErrors.AssertOneLine(UserErrors.Run("translate", "score", "--run", run), "a classifier run");
        UserErrors.AssertOneLine(UserErrors.Run("translate", "decode", "--run", Path.Combine(Dir, "nope"), "x"), "--run", "folder not found");
        var empty = Directory.CreateDirectory(Path.Combine(Dir, "empty")).FullName;
        UserErrors.AssertOneLine(UserErrors.Run("translate", "decode", "--run", empty, "x"), "not a translator run folder");
        Assert.Equal(before, UserErrors.Snapshot(run));
    }

    [Fact]
    public void Commands_that_read_a_run_name_a_missing_or_wrong_folder()
    {
        var file = Path.Combine(Dir, "f");
        File.WriteAllText(file, "");
        UserErrors.AssertOneLine(UserErrors.Run("evaluate", "--run", Path.Combine(Dir, "nope")), "--run", "folder not found");
        UserErrors.AssertOneLine(UserErrors.Run("mi", "--run", file, "--classes", "0,1"), "--run", "is a file");
        UserErrors.AssertOneLine(UserErrors.Run("distill", "--teacher", Path.Combine(Dir, "nope"), "--out", Path.Combine(Dir, "s")), "--teacher", "folder not found");
    }

    [Fact]
    public void Distilling_onto_another_data_set_is_refused_before_libtorch()
    {
        var teacher = Path.Combine(Dir, "teacher");
        Directory.CreateDirectory(teacher);
        AtomicFile.WriteJson(Path.Combine(teacher, "config.json"), new TrainOptions { Dataset = "cifar10", Model = "resnet20" });
        File.WriteAllBytes(Path.Combine(teacher, "model.dat"), new byte[16]);
        var student = Path.Combine(Dir, "student");
        UserErrors.AssertOneLine(UserErrors.Run("distill", "--teacher", teacher, "--dataset", "mnist", "--out", student), "--dataset mnist", "trained on cifar10");
        Assert.False(Directory.Exists(student));
    }
}
