using System.Buffers.Binary;
using System.IO.Compression;
using LsLab.Data;

namespace LsLab.Tests.Data;

public sealed class IdxTests : TempDirTest
{
    string dir => Dir;

    string P(string name) => Path.Combine(dir, name);

    static (byte[] Pixels, byte[] Labels) Sample(int n, int rows = 28, int cols = 28)
    {
        var px = new byte[n * rows * cols];
        for (int i = 0; i < px.Length; i++) px[i] = (byte)(i * 7 % 256);
        return (px, Enumerable.Range(0, n).Select(i => (byte)(i % 10)).ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData(".gz")]
    public void Write_then_read_round_trips_plain_and_gzipped(string ext)
    {
        var (px, lb) = Sample(5);
        Idx.WriteImages(P("img" + ext), px, 5, 28, 28);
        Idx.WriteLabels(P("lbl" + ext), lb);
        var (px2, n, r, c) = Idx.ReadImages(P("img" + ext));
        Assert.Equal((5, 28, 28), (n, r, c));
        Assert.Equal(px, px2);
        Assert.Equal(lb, Idx.ReadLabels(P("lbl" + ext), 10));
        if (ext == ".gz") Assert.Equal(0x1f, File.ReadAllBytes(P("img.gz"))[0]);
    }

    [Fact]
    public void Gzip_is_detected_by_content_not_by_name()
    {
        var (px, _) = Sample(2);
        Idx.WriteImages(P("a.gz"), px, 2, 28, 28);
        File.Move(P("a.gz"), P("a-no-extension"));
        Assert.Equal(px, Idx.ReadImages(P("a-no-extension")).Pixels);
    }

    [Fact]
    public void Truncated_image_file_names_the_file_and_the_byte_counts()
    {
        var (px, _) = Sample(4);
        Idx.WriteImages(P("img"), px, 4, 28, 28);
        var bytes = File.ReadAllBytes(P("img"));
        File.WriteAllBytes(P("img"), bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<LsLabException>(() => Idx.ReadImages(P("img")));
        Assert.Contains(P("img"), e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains($"{bytes.Length - 100} bytes", e.Message);
    }

    [Fact]
    public void Bad_magic_says_what_was_expected()
    {
        var (px, _) = Sample(1);
        Idx.WriteImages(P("img"), px, 1, 28, 28);
        var b = File.ReadAllBytes(P("img"));
        BinaryPrimitives.WriteInt32BigEndian(b, 0x12345678);
        File.WriteAllBytes(P("img"), b);
        var e = Assert.Throws<LsLabException>(() => Idx.ReadImages(P("img")));
        Assert.Contains("bad magic number 0x12345678", e.Message);
        Assert.Contains("expected 0x00000803", e.Message);
        // A label file given where images are expected is caught the same way.
        Idx.WriteLabels(P("lbl"), new byte[] { 1 });
        Assert.Contains("expected 0x00000803", Assert.Throws<LsLabException>(() => Idx.ReadImages(P("lbl"))).Message);
    }

    [Fact]
    public void Label_out_of_range_names_its_index()
    {
        Idx.WriteLabels(P("lbl"), new byte[] { 1, 2, 10 });
        var e = Assert.Throws<LsLabException>(() => Idx.ReadLabels(P("lbl"), 10));
        Assert.Contains("label 10 at index 2 is out of range: expected 0..9", e.Message);
    }

    [Fact]
    public void Wrong_image_size_is_rejected()
    {
        var (px, _) = Sample(2, 32, 32);
        Idx.WriteImages(P("img"), px, 2, 32, 32);
        Assert.Contains("wrong image size 32x32: expected 28x28", Assert.Throws<LsLabException>(() => Idx.ReadImages(P("img"))).Message);
    }

    [Fact]
    public void Image_and_label_counts_that_differ_are_rejected_by_the_catalog()
    {
        var (px, lb) = Sample(6);
        Idx.WriteImages(P("train-images-idx3-ubyte"), px, 6, 28, 28);
        Idx.WriteLabels(P("train-labels-idx1-ubyte"), lb[..5]);
        Idx.WriteImages(P("t10k-images-idx3-ubyte.gz"), px, 6, 28, 28);
        Idx.WriteLabels(P("t10k-labels-idx1-ubyte.gz"), lb);
        var e = Assert.Throws<LsLabException>(() => DatasetCatalog.LoadTrainTest("mnist", dir));
        Assert.Contains("image and label counts differ", e.Message);
        Assert.Contains("train-labels-idx1-ubyte", e.Message);
    }

    [Fact]
    public void A_data_dir_of_IDX_files_loads_as_one_float_tensor_scaled_by_1_over_255()
    {
        var (px, lb) = Sample(6);
        foreach (var part in new[] { "train", "t10k" })
        {
            Idx.WriteImages(P($"{part}-images-idx3-ubyte.gz"), px, 6, 28, 28);
            Idx.WriteLabels(P($"{part}-labels-idx1-ubyte"), lb);
        }
        var (train, test) = DatasetCatalog.LoadTrainTest("kmnist", dir);
        using (train) using (test)
        {
            Assert.Equal(new long[] { 6, 1, 28, 28 }, train.Images.shape);
            Assert.Equal(px[30] / 255f, train.Images.flatten()[30].item<float>(), 6);
            Assert.Equal("tsu", train.ClassNames[3]);
            Assert.Equal(dir, train.Source);
        }
    }

    [Fact]
    public void Truncated_label_file_and_empty_file_say_truncated()
    {
        Idx.WriteLabels(P("lbl"), new byte[] { 1, 2, 3, 4 });
        var b = File.ReadAllBytes(P("lbl"));
        File.WriteAllBytes(P("lbl"), b[..10]);
        var e = Assert.Throws<LsLabException>(() => Idx.ReadLabels(P("lbl"), 10));
        Assert.Contains(P("lbl"), e.Message);
        Assert.Contains("announces 4 labels (12 bytes), but the file has 10 bytes", e.Message);
        File.WriteAllBytes(P("empty"), Array.Empty<byte>());
        Assert.Contains("truncated IDX header: expected at least 16 bytes, got 0", Assert.Throws<LsLabException>(() => Idx.ReadImages(P("empty"))).Message);
        Assert.Contains("truncated IDX header: expected at least 8 bytes, got 0", Assert.Throws<LsLabException>(() => Idx.ReadLabels(P("empty"), 10)).Message);
    }

    [Fact]
    public void Corrupt_gzip_and_missing_files_are_named()
    {
        var (px, _) = Sample(3);
        Idx.WriteImages(P("img.gz"), px, 3, 28, 28);
        var b = File.ReadAllBytes(P("img.gz"));
        File.WriteAllBytes(P("img.gz"), b[..(b.Length / 2)]);
        var e = Assert.Throws<LsLabException>(() => Idx.ReadImages(P("img.gz")));
        Assert.Contains(P("img.gz"), e.Message);
        Assert.Contains(P("nope"), Assert.Throws<LsLabException>(() => Idx.ReadImages(P("nope"))).Message);
    }

    [Fact]
    public void A_data_dir_missing_the_test_images_names_the_missing_file()
    {
        var (px, lb) = Sample(4);
        Idx.WriteImages(P("train-images-idx3-ubyte"), px, 4, 28, 28);
        Idx.WriteLabels(P("train-labels-idx1-ubyte"), lb);
        Idx.WriteLabels(P("t10k-labels-idx1-ubyte"), lb);
        var e = Assert.Throws<LsLabException>(() => DatasetCatalog.LoadTrainTest("mnist", dir));
        Assert.Contains("t10k-images-idx3-ubyte[.gz] not found", e.Message);
        Assert.Contains(dir, e.Message);
    }

    [Fact]
    public void Bad_label_magic_says_what_was_expected_and_what_was_found()
    {
        var (px, _) = Sample(1);
        Idx.WriteImages(P("img"), px, 1, 28, 28);
        var e = Assert.Throws<LsLabException>(() => Idx.ReadLabels(P("img"), 10));
        Assert.Contains("bad magic number 0x00000803: expected 0x00000801", e.Message);
    }
}
