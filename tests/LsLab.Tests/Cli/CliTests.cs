using LsLab.Data;

namespace LsLab.Tests.Cli;

public sealed class CliTests : TempDirTest
{
    string dir => Dir;

    [Fact]
    public void Corrupted_IDX_gives_one_clear_line_and_a_nonzero_exit_code()
    {
        var px = new byte[10 * 784];
        Idx.WriteImages(Path.Combine(dir, "train-images-idx3-ubyte"), px, 10, 28, 28);
        Idx.WriteLabels(Path.Combine(dir, "train-labels-idx1-ubyte"), new byte[10]);
        Idx.WriteImages(Path.Combine(dir, "t10k-images-idx3-ubyte"), px, 10, 28, 28);
        Idx.WriteLabels(Path.Combine(dir, "t10k-labels-idx1-ubyte"), new byte[10]);
        var path = Path.Combine(dir, "train-images-idx3-ubyte");
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..5000]);   // truncated
        var (code, _, err) = CliProcess.Run("train", "--dataset", "mnist", "--data-dir", dir, "--out", Path.Combine(dir, "run"), "--epochs", "1");
        Assert.Equal(2, code);
        var lines = err.Trim().Split('\n');
        Assert.Single(lines);
        Assert.Contains(path, lines[0]);
        Assert.Contains("truncated", lines[0]);
        Assert.DoesNotContain("   at ", err);

        File.WriteAllBytes(path, new byte[] { 0, 0, 9, 9, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28 });  // wrong magic
        (code, _, err) = CliProcess.Run("train", "--dataset", "mnist", "--data-dir", dir, "--out", Path.Combine(dir, "run2"), "--epochs", "1");
        Assert.Equal(2, code);
        Assert.Contains("bad magic number 0x00000909: expected 0x00000803", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void Train_then_evaluate_writes_numpy_files_with_the_right_shapes()
    {
        var run = Path.Combine(dir, "run");
        var train = CliProcess.TrainTiny(run);
        Assert.True(train.Code == 0, train.Err);
        Assert.Contains("embedded", train.Out);
        var eval = CliProcess.Run("evaluate", "--run", run, "--split", "validation");
        Assert.True(eval.Code == 0, eval.Err);
        var logits = Npy.Read(Path.Combine(run, "eval", "validation", "logits.npy"));
        var labels = Npy.Read(Path.Combine(run, "eval", "validation", "labels.npy"));
        Assert.Equal(new long[] { 1000, 10 }, logits.Shape);
        Assert.Equal("<f4", logits.Dtype);
        Assert.Equal(new long[] { 1000 }, labels.Shape);
        Assert.Equal("<i8", labels.Dtype);
        // A second train into the same folder without --resume is refused, with the reason.
        var again = CliProcess.Run("train", "--dataset", DatasetCatalog.Embedded, "--out", run);
        Assert.Equal(2, again.Code);
        Assert.Contains("--resume", again.Err);
        var calib = CliProcess.Run("calibrate", "--logits", Path.Combine(run, "eval", "validation", "logits.npy"),
            "--labels", Path.Combine(run, "eval", "validation", "labels.npy"), "--out", Path.Combine(dir, "cal"), "--bootstrap", "20");
        Assert.True(calib.Code == 0, calib.Err);
        Assert.True(File.Exists(Path.Combine(dir, "cal", "reliability-compare.png")));
    }

    [Fact]
    public void Bad_option_values_are_explained()
    {
        var (code, _, err) = CliProcess.Run("train", "--alpha", "1.5", "--out", Path.Combine(dir, "x"));
        Assert.Equal(2, code);
        Assert.Contains("--alpha must be in [0, 1), got 1.5", err);
        (code, _, err) = CliProcess.Run("train", "--model", "vgg", "--out", Path.Combine(dir, "y"), "--dataset", DatasetCatalog.Embedded, "--epochs", "1");
        Assert.Equal(2, code);
        Assert.Contains("Unknown model 'vgg'", err);
    }
}
