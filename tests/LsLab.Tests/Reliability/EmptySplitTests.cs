using LsLab.Data;

namespace LsLab.Tests.Reliability;

/// <summary>
/// Class 5: too little data for a split is one clear line before any training — never a run that
/// "succeeds" on nothing or reports NaN as a result.
/// </summary>
public sealed class EmptySplitTests : TempDirTest
{
    public EmptySplitTests() => Engine.Initialize();

    string RunDir => Path.Combine(Dir, "run");

    string[] Train(params string[] extra) =>
        new[] { "train", "--model", "mlp-small", "--width", "8", "--epochs", "1", "--out", RunDir, "--quiet" }.Concat(extra).ToArray();

    static void WriteIdx(string folder, int train, int test, int classes = 10)
    {
        Directory.CreateDirectory(folder);
        foreach (var (part, n) in new[] { ("train", train), ("t10k", test) })
        {
            Idx.WriteImages(Path.Combine(folder, $"{part}-images-idx3-ubyte"), new byte[n * 784], n, 28, 28);
            Idx.WriteLabels(Path.Combine(folder, $"{part}-labels-idx1-ubyte"), Enumerable.Range(0, n).Select(i => (byte)(i % classes)).ToArray());
        }
    }

    [Fact]
    public void Val_fraction_0_is_refused_because_training_reports_validation()
    {
        var line = UserErrors.AssertOneLine(UserErrors.Run(Train("--dataset", DatasetCatalog.Embedded, "--val-fraction", "0")),
            "the validation split is empty: --val-fraction 0");
        Assert.DoesNotContain("NaN", line);
        Assert.False(Directory.Exists(RunDir));
    }

    [Fact]
    public void Train_limit_0_is_refused()
    {
        UserErrors.AssertOneLine(UserErrors.Run(Train("--dataset", DatasetCatalog.Embedded, "--train-limit", "0")), "--train-limit must be ≥ 1");
        Assert.False(Directory.Exists(RunDir));
    }

    [Theory]
    [InlineData(0, 10, "train-images-idx3-ubyte: holds 0 images: the mnist training split would be empty")]
    [InlineData(20, 0, "t10k-images-idx3-ubyte: holds 0 images: the mnist test split would be empty")]
    [InlineData(20, 10, "the validation split is empty: --val-fraction 0.1 of 20 training examples")]
    public void IDX_sets_too_small_for_a_split_are_one_line(int train, int test, string expected)
    {
        var data = Path.Combine(Dir, "data");
        WriteIdx(data, train, test);
        var line = UserErrors.AssertOneLine(UserErrors.Run(Train("--dataset", "mnist", "--data-dir", data)), expected);
        Assert.DoesNotContain("NaN", line);
        Assert.False(Directory.Exists(RunDir));
    }

    [Fact]
    public void A_tiny_CIFAR_100_set_has_no_validation_split()
    {
        var data = Path.Combine(Dir, "c100");
        Directory.CreateDirectory(data);
        byte[] Records(int n) { var b = new byte[n * 3074]; for (int i = 0; i < n; i++) b[i * 3074 + 1] = (byte)(i % 100); return b; }
        File.WriteAllBytes(Path.Combine(data, "train.bin"), Records(200)); // 2 per class: 10% rounds to 0
        File.WriteAllBytes(Path.Combine(data, "test.bin"), Records(10));
        var e = Assert.Throws<LsLabException>(() => DatasetCatalog.Load("cifar100", data, 0.1, 0));
        Assert.StartsWith("the validation split is empty: --val-fraction 0.1 of 200 training examples", e.Message);
        Assert.Contains("100 classes, at most 2 examples each", e.Message);
        Assert.Contains("above 0.25", e.Message);
        using var ok = DatasetCatalog.Load("cifar100", data, 0.5, 0);
        Assert.Equal(100, ok.Validation.Count);
    }

    [Fact]
    public void Splits_check_sizes_names_each_case()
    {
        byte[] two = { 0, 1 };
        Assert.Contains("the training split is empty: s has 0 training examples", Assert.Throws<LsLabException>(() => Splits.CheckSizes(Array.Empty<byte>(), 0.1, 0, 0, "s")).Message);
        Assert.Contains("the training split is empty: --val-fraction 0.9 holds out all 2", Assert.Throws<LsLabException>(() => Splits.CheckSizes(two, 0.9, 0, 2, "s")).Message);
        Splits.CheckSizes(two, 0, 2, 0, "s"); // no validation asked for: fine here (training refuses it in TrainOptions.Validate)
    }

    [Fact]
    public void The_real_executable_refuses_val_fraction_0()
    {
        UserErrors.AssertOneLine(CliProcess.Run(Train("--dataset", DatasetCatalog.Embedded, "--val-fraction", "0")), "the validation split is empty");
        Assert.False(Directory.Exists(RunDir));
    }
}
