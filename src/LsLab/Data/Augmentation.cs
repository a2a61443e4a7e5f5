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
    /// <remarks>
    /// Per image draws (in this order from <paramref name="g"/>): dy, dx in 0..2·pad, then a flip coin.
    /// Output pixel (r, s) = padded(r + dy, s' + dx) with s' = W−1−s when flipped, else s: a crop then a
    /// mirror. The flip is folded into the gather index, so the batch is touched by only the pad, one
    /// index add and one gather (this runs every training step).
    /// </remarks>
    public static Tensor CropFlip(Tensor x, int pad, bool flip, Generator? g = null)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        long pw = w + 2 * pad;
        var padded = (pad > 0 ? nn.functional.pad(x, new long[] { pad, pad, pad, pad }) : x).reshape(b, c, -1);
        var dy = randint(0, 2 * pad + 1, new long[] { b, 1, 1 }, generator: g);
        var dx = randint(0, 2 * pad + 1, new long[] { b, 1, 1 }, generator: g);
        // Scalars held for each call: TorchSharp's temporaries can be finalized mid-call (Tensors.Plus).
        using TorchSharp.Scalar rowWidth = pw, half = 0.5;
        var rowStart = arange(h).view(1, h, 1).Plus(dy).mul(rowWidth);    // [B,H,1]
        var cols = arange(w).view(1, 1, w);                                // [1,1,W]
        if (flip) cols = where(rand(new long[] { b, 1, 1 }, generator: g).lt(half), cols.flip(2), cols); // [B,1,W]
        var idx = rowStart.Plus(cols.Plus(dx)).view(b, 1, h * w).expand(b, c, h * w);
        return padded.gather(2, idx).view(b, c, h, w).MoveToOuterDisposeScope();
    }
}
