using static TorchSharp.torch;

namespace LsLab.Data;

/// <summary>Turns raw uint8 pixels into a <see cref="Dataset"/>: one [N,C,H,W] float tensor scaled by 1/255.</summary>
public static class ImageData
{
    /// <summary>A data set from N×C×H×W uint8 pixels and N labels; a count mismatch names <paramref name="fileForErrors"/>.</summary>
    public static Dataset FromBytes(string name, byte[] pixels, int count, int channels, int height, int width,
        byte[] labels, IReadOnlyList<string> classNames, string source, string? fileForErrors = null)
    {
        if (labels.Length != count)
            throw new LsLabException($"{fileForErrors ?? name}: {count} images but {labels.Length} labels: image and label counts differ.");
        Native.Engine.Initialize();
        using var raw = tensor(pixels, new long[] { count, channels, height, width });
        var images = raw.to_type(ScalarType.Float32).DivideInPlace(255f);
        var y = tensor(labels.Select(v => (long)v).ToArray());
        return new Dataset(name, images, y, classNames, source);
    }
}
