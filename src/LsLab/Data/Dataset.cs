using TorchSharp;
using static TorchSharp.torch;

namespace LsLab.Data;

/// <summary>
/// Images and labels held in memory as two tensors: images [N,C,H,W] float32 in [0,1],
/// labels [N] int64. Owns its tensors.
/// </summary>
public sealed class Dataset : IDisposable
{
    /// <summary>Takes ownership of <paramref name="images"/> [N,C,H,W] and <paramref name="labels"/> [N]; checks their shapes agree.</summary>
    public Dataset(string name, Tensor images, Tensor labels, IReadOnlyList<string> classNames, string source)
    {
        if (images.dim() != 4) throw new ArgumentException($"{name}: images must be [N,C,H,W], got [{string.Join(",", images.shape)}]");
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"{name}: {images.shape[0]} images but labels of shape [{string.Join(",", labels.shape)}]");
        Name = name; Images = images; Labels = labels; ClassNames = classNames; Source = source;
    }

    /// <summary>Short name, e.g. "fashion-mnist".</summary>
    public string Name { get; }
    /// <summary>[N,C,H,W] float32 in [0,1].</summary>
    public Tensor Images { get; }
    /// <summary>[N] int64 class indices.</summary>
    public Tensor Labels { get; }
    /// <summary>Class names in label order (index k is class k).</summary>
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>Where the data came from (a path, "embedded", ...), shown to the user.</summary>
    public string Source { get; }

    /// <summary>Number of examples N.</summary>
    public int Count => (int)Images.shape[0];
    /// <summary>Number of classes K.</summary>
    public int NumClasses => ClassNames.Count;
    /// <summary>Channels C of every image.</summary>
    public int Channels => (int)Images.shape[1];
    /// <summary>Height H of every image.</summary>
    public int Height => (int)Images.shape[2];
    /// <summary>Width W of every image.</summary>
    public int Width => (int)Images.shape[3];

    /// <summary>A new dataset holding the rows at <paramref name="indices"/> (copies).</summary>
    public Dataset Subset(Tensor indices, string? name = null) =>
        new(name ?? Name, Images.index_select(0, indices), Labels.index_select(0, indices), ClassNames, Source);

    /// <summary>Frees both tensors.</summary>
    public void Dispose() { Images.Dispose(); Labels.Dispose(); }
}

/// <summary>Train, validation (carved from train) and test parts of one data set.</summary>
public sealed record DataSplits(Dataset Train, Dataset Validation, Dataset Test) : IDisposable
{
    /// <summary>Frees the three parts.</summary>
    public void Dispose() { Train.Dispose(); Validation.Dispose(); Test.Dispose(); }
}
