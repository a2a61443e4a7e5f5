using LsLab.Data;
using static TorchSharp.torch;

namespace LsLab.Tests.Data;

public sealed class CatalogTests : TempDirTest
{
    string dir => Dir;

    [Fact]
    public void Embedded_default_is_balanced_10000_train_2000_test()
    {
        var (train, test) = DatasetCatalog.LoadTrainTest(DatasetCatalog.Embedded);
        using (train) using (test)
        {
            Assert.Equal(10_000, train.Count);
            Assert.Equal(2_000, test.Count);
            Assert.All(train.Labels.bincount(null).data<long>().ToArray(), c => Assert.Equal(1000, c));
            Assert.All(test.Labels.bincount(null).data<long>().ToArray(), c => Assert.Equal(200, c));
            // First labels as printed by tools/make_embedded_subset.py when it made the files.
            Assert.Equal(new long[] { 0, 9, 3, 8, 2, 4, 3, 1, 9, 7 }, train.Labels[..10].data<long>().ToArray());
            Assert.Contains("embedded", train.Source);
            Assert.InRange(train.Images.mean().item<float>(), 0.2f, 0.4f);
        }
    }

    [Fact]
    public void Validation_split_is_seeded_stratified_and_disjoint()
    {
        using var a = DatasetCatalog.Load(DatasetCatalog.Embedded, null, 0.1, seed: 3);
        using var b = DatasetCatalog.Load(DatasetCatalog.Embedded, null, 0.1, seed: 3);
        using var c = DatasetCatalog.Load(DatasetCatalog.Embedded, null, 0.1, seed: 4);
        Assert.Equal(9_000, a.Train.Count);
        Assert.Equal(1_000, a.Validation.Count);
        Assert.All(a.Validation.Labels.bincount(null).data<long>().ToArray(), n => Assert.Equal(100, n));
        Assert.True(a.Validation.Images.equal(b.Validation.Images).all().item<bool>());
        Assert.False(a.Validation.Images.equal(c.Validation.Images).all().item<bool>());
        var (keep, held) = Splits.Stratified(Enumerable.Range(0, 50).Select(i => (byte)(i % 5)).ToArray(), 0.2, 1);
        Assert.Empty(keep.Intersect(held));
        Assert.Equal(50, keep.Length + held.Length);
    }

    [Fact]
    public void Npm_digit_json_reader_recovers_exact_bytes_and_labels()
    {
        for (int d = 0; d < 10; d++)
        {
            var values = Enumerable.Range(0, 784 * 2).Select(i => Math.Round(((i + d) % 256) / 255.0, 3));
            File.WriteAllText(Path.Combine(dir, $"{d}.json"), "{\"data\":[" + string.Join(",", values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]}");
        }
        var (px, labels) = MnistNpm.Read(dir);
        Assert.Equal(20, labels.Length);
        Assert.Equal(new byte[] { 0, 0, 1, 1 }, labels[..4]);
        Assert.Equal((byte)(5 % 256), px[5]);
        Assert.Equal((byte)((100 + 3) % 256), px[2 * 784 * 3 + 100]);
        File.WriteAllText(Path.Combine(dir, "4.json"), "{\"data\":[0.5, 2]}");
        Assert.Contains("4.json", Assert.Throws<LsLabException>(() => MnistNpm.Read(dir)).Message);
    }

    [Fact]
    public void Cifar_readers_take_fine_labels_and_reject_bad_sizes()
    {
        var rec10 = new byte[2 * 3073];
        rec10[0] = 3; rec10[3073] = 9; rec10[1 + 1024] = 200; // green channel of the first pixel of record 0
        File.WriteAllBytes(Path.Combine(dir, "c10.bin"), rec10);
        var (px, y) = Cifar.Read(new[] { Path.Combine(dir, "c10.bin") }, cifar100: false);
        Assert.Equal(new byte[] { 3, 9 }, y);
        Assert.Equal(200, px[1024]);
        var rec100 = new byte[3074];
        rec100[0] = 4; rec100[1] = 77;
        File.WriteAllBytes(Path.Combine(dir, "c100.bin"), rec100);
        Assert.Equal(new byte[] { 77 }, Cifar.Read(new[] { Path.Combine(dir, "c100.bin") }, cifar100: true).Labels);
        File.WriteAllBytes(Path.Combine(dir, "bad.bin"), new byte[3000]);
        Assert.Contains("multiple of the 3073-byte record", Assert.Throws<LsLabException>(() => Cifar.Read(new[] { Path.Combine(dir, "bad.bin") }, false)).Message);
        rec10[0] = 10;
        File.WriteAllBytes(Path.Combine(dir, "c10.bin"), rec10);
        Assert.Contains("out of range", Assert.Throws<LsLabException>(() => Cifar.Read(new[] { Path.Combine(dir, "c10.bin") }, false)).Message);
    }

    [Fact]
    public void Unknown_data_set_lists_known_names()
    {
        Assert.Contains("fashion-mnist", Assert.Throws<LsLabException>(() => DatasetCatalog.LoadTrainTest("imagenet")).Message);
    }
}
