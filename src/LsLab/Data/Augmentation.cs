using static TorchSharp.torch;

namespace LsLab.Data;

/// <summary>
/// Batch augmentation on tensors: random crop after zero padding (each image shifted by up to
/// <c>pad</c> pixels in x and y) and optional horizontal flip, all drawn from a seeded generator
/// so training stays deterministic. One gather for the whole batch, no per-image loop.
/// </summary>
public static class Augmentation
{
    /// <summary>
    /// The data set's standard augmentation: pad 2 for 28×28 and pad 4 for 32×32 inputs; flips for
    /// Fashion-MNIST and CIFAR, never for digits or KMNIST characters (a flipped 2 is not a 2).
    /// </summary>
    public static Func<Tensor, Generator, Tensor> For(Dataset d)
    {
        int pad = d.Height >= 32 ? 4 : 2;
        bool flip = d.Name.StartsWith("fashion", StringComparison.Ordinal) || d.Name.StartsWith("cifar", StringComparison.Ordinal);
        return (x, g) => CropFlip(x, pad, flip, g);
    }

    /// <summary>Random-crop (zero padding <paramref name="pad"/>) and optionally flip a batch [B,C,H,W].</summary>
    public static Tensor CropFlip(Tensor x, int pad, bool flip, Generator? g = null)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        long pw = w + 2 * pad;
        var padded = nn.functional.pad(x, new long[] { pad, pad, pad, pad }).reshape(b, c, -1);
        var dy = randint(0, 2 * pad + 1, new long[] { b, 1 }, generator: g);
        var dx = randint(0, 2 * pad + 1, new long[] { b, 1 }, generator: g);
        // Index of output pixel (r, s) in the padded image: (r + dy)·pw + (s + dx).
        var rows = arange(h).unsqueeze(1).mul(pw);
        var cols = arange(w).unsqueeze(0);
        var baseIdx = (rows + cols).reshape(1, -1);
        var idx = (baseIdx + dy * pw + dx).unsqueeze(1).expand(b, c, h * w);
        var y = padded.gather(2, idx).reshape(b, c, h, w);
        if (flip)
        {
            var mask = rand(new long[] { b, 1, 1, 1 }, generator: g).lt(0.5);
            y = where(mask, y.flip(3), y);
        }
        return y.MoveToOuterDisposeScope();
    }
}
