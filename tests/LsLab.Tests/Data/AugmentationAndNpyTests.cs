using LsLab.Data;
using static TorchSharp.torch;

namespace LsLab.Tests.Data;

public class AugmentationAndNpyTests
{
    public AugmentationAndNpyTests() => Engine.Initialize();

    [Fact]
    public void Crop_is_a_shift_with_zero_fill_and_is_deterministic_per_seed()
    {
        var x = arange(2 * 1 * 6 * 6, dtype: ScalarType.Float32).reshape(2, 1, 6, 6).add(1);
        var a = Augmentation.CropFlip(x, 2, false, new Generator(5));
        var b = Augmentation.CropFlip(x, 2, false, new Generator(5));
        Assert.True(a.equal(b).all().item<bool>());
        Assert.Equal(x.shape, a.shape);
        // Each output image equals its input shifted by some (dy, dx) in [-2, 2]², zeros outside.
        for (int i = 0; i < 2; i++)
        {
            bool found = false;
            for (int dy = -2; dy <= 2 && !found; dy++)
                for (int dx = -2; dx <= 2 && !found; dx++)
                    found = Shift(x[i, 0], dy, dx).equal(a[i, 0]).all().item<bool>();
            Assert.True(found, $"image {i} is not a shifted copy");
        }
    }

    static Tensor Shift(Tensor img, int dy, int dx)
    {
        long h = img.shape[0], w = img.shape[1];
        var outT = zeros_like(img);
        for (long r = 0; r < h; r++)
            for (long s = 0; s < w; s++)
            {
                long rr = r + dy, ss = s + dx;
                if (rr >= 0 && rr < h && ss >= 0 && ss < w) outT[r, s] = img[rr, ss];
            }
        return outT;
    }

    [Fact]
    public void Flip_only_for_data_sets_where_it_is_label_preserving()
    {
        var img = rand(64, 1, 28, 28);
        var digits = new Dataset("mnist", img.clone(), zeros(64, dtype: ScalarType.Int64), DatasetCatalog.DigitClasses, "t");
        var fashion = new Dataset("fashion-mnist", img.clone(), zeros(64, dtype: ScalarType.Int64), DatasetCatalog.FashionClasses, "t");
        // With pad 0 any change can only come from flipping.
        Assert.True(Augmentation.CropFlip(img, 0, false, new Generator(1)).equal(img).all().item<bool>());
        Assert.False(Augmentation.CropFlip(img, 0, true, new Generator(1)).equal(img).all().item<bool>());
        Assert.NotNull(Augmentation.For(digits));
        Assert.NotNull(Augmentation.For(fashion));
    }

    [Fact]
    public void Npy_round_trips_float32_and_int64_with_numpy_header()
    {
        var path = Path.Combine(Path.GetTempPath(), $"lslab-{Guid.NewGuid():N}.npy");
        try
        {
            var t = tensor(new float[] { 1.5f, -2f, 3.25f, 0f, 1e-8f, 7f }, new long[] { 2, 3 });
            Npy.Write(path, t);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(0, (bytes.Length - 24) % 64); // header padded so the data starts 64-byte aligned
            var a = Npy.Read(path);
            Assert.Equal(new long[] { 2, 3 }, a.Shape);
            Assert.Equal("<f4", a.Dtype);
            Assert.Equal(t.data<float>().ToArray().Select(v => (double)v), a.Values);
            Npy.Write(path, tensor(new long[] { 3, 1, 4 }));
            var l = Npy.Read(path);
            Assert.Equal(new long[] { 3 }, l.Shape);
            Assert.Equal(new double[] { 3, 1, 4 }, l.Values);
            File.WriteAllBytes(path, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 });
            Assert.Contains("not a .npy file", Assert.Throws<LsLabException>(() => Npy.Read(path)).Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
