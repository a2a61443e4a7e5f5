using TorchSharp;
using static TorchSharp.torch;

namespace LsLab;

/// <summary>
/// The one way LsLab reads tensor data into .NET arrays: moved to the CPU and made contiguous first,
/// so code that reads results works the same whichever device computed them.
/// </summary>
public static class Tensors
{
    /// <summary>The elements of <paramref name="t"/> in row-major order, as <typeparamref name="T"/> (which must match its dtype).</summary>
    public static T[] ToCpuArray<T>(this Tensor t) where T : unmanaged
    {
        using var scope = NewDisposeScope();
        return t.cpu().contiguous().data<T>().ToArray();
    }

    /// <summary>
    /// a + b with an alpha Scalar that is never collected. TorchSharp's <c>a + b</c> makes a temporary Scalar for
    /// alpha = 1 and passes only its native handle, so a garbage collection on another thread (a progress display)
    /// can finalize the Scalar while libtorch still reads it: rare "toFloat" check failures in long loops (seen in
    /// beam search). Hot loops use this instead.
    /// </summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary>a · <paramref name="factor"/> with the Scalar held for the duration of the call (see <see cref="Plus"/>).</summary>
    public static Tensor Times(this Tensor a, double factor)
    {
        using var s = factor.ToScalar();
        return a.mul(s);
    }

    /// <summary>a / <paramref name="divisor"/> in place, with the Scalar held for the duration of the call (see <see cref="Plus"/>).</summary>
    public static Tensor DivideInPlace(this Tensor a, double divisor)
    {
        using var s = divisor.ToScalar();
        return a.div_(s);
    }

    /// <summary>Where <paramref name="mask"/> is true, −∞ (attention and vocabulary masks), with a Scalar that is never collected (see <see cref="Plus"/>).</summary>
    public static Tensor MaskedMinusInfinity(this Tensor a, Tensor mask) => a.masked_fill(mask, MinusInfinity);

    /// <summary>−∞ into the <paramref name="index"/> entries of dimension <paramref name="dim"/>, in place, with a Scalar that is never collected.</summary>
    public static Tensor IndexFillMinusInfinity_(this Tensor a, long dim, Tensor index) => a.index_fill_(dim, index, MinusInfinity);

    /// <summary>Where <paramref name="mask"/> is true, 0, with a Scalar that is never collected.</summary>
    public static Tensor MaskedZero(this Tensor a, Tensor mask) => a.masked_fill(mask, Zero);

    static readonly TorchSharp.Scalar One = 1.ToScalar(), Zero = 0.ToScalar(), MinusInfinity = double.NegativeInfinity.ToScalar();
}
