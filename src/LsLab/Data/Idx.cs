using System.Buffers.Binary;
using System.IO.Compression;

namespace LsLab.Data;

/// <summary>
/// The IDX format of MNIST, Fashion-MNIST and KMNIST (big-endian; images magic 0x00000803 with dims
/// N,rows,cols; labels magic 0x00000801 with dim N; uint8 payload), plain or gzipped (detected by
/// content, not by file name).
/// </summary>
public static class Idx
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads a whole file, gunzipping when it starts with the gzip magic.</summary>
    public static byte[] ReadBytes(string path)
    {
        if (!File.Exists(path)) throw new LsLabException($"{path}: file not found.");
        return Decompress(File.ReadAllBytes(path), path);
    }

    /// <summary>Gunzips <paramref name="raw"/> when it starts with the gzip magic, else returns it as is.</summary>
    public static byte[] Decompress(byte[] raw, string source)
    {
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b) return raw;
        try
        {
            using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var ms = new MemoryStream();
            gz.CopyTo(ms);
            return ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new LsLabException($"{source}: corrupt gzip data ({e.Message}).");
        }
    }

    /// <summary>Images as uint8 pixels, row-major [N, rows, cols].</summary>
    public static (byte[] Pixels, int Count, int Rows, int Cols) ReadImages(string path, int? expectRows = 28, int? expectCols = 28) =>
        ParseImages(ReadBytes(path), path, expectRows, expectCols);

    /// <summary>Parses the (decompressed) bytes of an IDX images file; <paramref name="path"/> names it in errors.</summary>
    public static (byte[] Pixels, int Count, int Rows, int Cols) ParseImages(byte[] b, string path, int? expectRows = 28, int? expectCols = 28)
    {
        if (b.Length < 4) throw new LsLabException($"{path}: truncated IDX header: expected at least 16 bytes, got {b.Length}.");
        int magic = BinaryPrimitives.ReadInt32BigEndian(b);
        if (magic != ImagesMagic)
            throw new LsLabException($"{path}: bad magic number 0x{magic:x8}: expected 0x{ImagesMagic:x8} (IDX images, uint8, 3 dimensions).");
        if (b.Length < 16) throw new LsLabException($"{path}: truncated IDX header: expected at least 16 bytes, got {b.Length}.");
        int n = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(4)), rows = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(8)), cols = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(12));
        if (n < 0 || rows <= 0 || cols <= 0) throw new LsLabException($"{path}: invalid dimensions {n}x{rows}x{cols} in the header.");
        if ((expectRows is int r && rows != r) || (expectCols is int c && cols != c))
            throw new LsLabException($"{path}: wrong image size {rows}x{cols}: expected {expectRows}x{expectCols}.");
        long expected = 16L + (long)n * rows * cols;
        if (b.Length < expected)
            throw new LsLabException($"{path}: truncated: the header announces {n} images of {rows}x{cols} ({expected} bytes), but the file has {b.Length} bytes.");
        return (b.AsSpan(16, n * rows * cols).ToArray(), n, rows, cols);
    }

    /// <summary>Labels as bytes, checked against the number of classes.</summary>
    public static byte[] ReadLabels(string path, int numClasses) => ParseLabels(ReadBytes(path), path, numClasses);

    /// <summary>Parses the (decompressed) bytes of an IDX labels file; <paramref name="path"/> names it in errors.</summary>
    public static byte[] ParseLabels(byte[] b, string path, int numClasses)
    {
        if (b.Length < 4) throw new LsLabException($"{path}: truncated IDX header: expected at least 8 bytes, got {b.Length}.");
        int magic = BinaryPrimitives.ReadInt32BigEndian(b);
        if (magic != LabelsMagic)
            throw new LsLabException($"{path}: bad magic number 0x{magic:x8}: expected 0x{LabelsMagic:x8} (IDX labels, uint8, 1 dimension).");
        if (b.Length < 8) throw new LsLabException($"{path}: truncated IDX header: expected at least 8 bytes, got {b.Length}.");
        int n = BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(4));
        if (n < 0) throw new LsLabException($"{path}: invalid label count {n} in the header.");
        if (b.Length < 8L + n)
            throw new LsLabException($"{path}: truncated: the header announces {n} labels ({8 + n} bytes), but the file has {b.Length} bytes.");
        var labels = b.AsSpan(8, n).ToArray();
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] >= numClasses)
                throw new LsLabException($"{path}: label {labels[i]} at index {i} is out of range: expected 0..{numClasses - 1}.");
        return labels;
    }

    /// <summary>Writes an IDX images file (gzipped when the name ends in .gz).</summary>
    public static void WriteImages(string path, byte[] pixels, int count, int rows, int cols)
    {
        var b = new byte[16 + pixels.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(12), cols);
        pixels.CopyTo(b, 16);
        WriteMaybeGz(path, b);
    }

    /// <summary>Writes an IDX labels file (gzipped when the name ends in .gz).</summary>
    public static void WriteLabels(string path, byte[] labels)
    {
        var b = new byte[8 + labels.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), labels.Length);
        labels.CopyTo(b, 8);
        WriteMaybeGz(path, b);
    }

    static void WriteMaybeGz(string path, byte[] bytes) => Runs.AtomicFile.Write(path, tmp =>
    {
        using var fs = File.Create(tmp);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            using var gz = new GZipStream(fs, CompressionLevel.SmallestSize);
            gz.Write(bytes);
        }
        else fs.Write(bytes);
    });
}
