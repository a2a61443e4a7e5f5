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
}
