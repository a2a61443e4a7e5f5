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
    /// <summary>Magic number of an IDX image file (uint8, three dimensions).</summary>
    public const int ImagesMagic = 0x00000803;
    /// <summary>Magic number of an IDX label file (uint8, one dimension).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>Reads a whole file, gunzipping when it starts with the gzip magic.</summary>
    public static byte[] ReadBytes(string path)
    {
        if (Directory.Exists(path)) throw new LsLabException($"{path}: a folder, expected an IDX file.");
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

    static string DtypeName(byte code) => code switch
    {
        0x08 => "uint8", 0x09 => "int8", 0x0B => "int16", 0x0C => "int32", 0x0D => "float32", 0x0E => "float64", _ => $"unknown type 0x{code:x2}",
    };

    /// <summary>What a wrong magic number holds instead, e.g. "an IDX labels file (uint8, 1 dimension)".</summary>
    static string MagicMeaning(ReadOnlySpan<byte> b) =>
        b[0] != 0 || b[1] != 0 ? "not an IDX file (its first two bytes must be 0)"
        : BinaryPrimitives.ReadInt32BigEndian(b) == LabelsMagic ? "an IDX labels file"
        : BinaryPrimitives.ReadInt32BigEndian(b) == ImagesMagic ? "an IDX images file"
        : $"IDX data of {DtypeName(b[2])} in {b[3]} dimension{(b[3] == 1 ? "" : "s")}";

    /// <summary>Parses the (decompressed) bytes of an IDX images file; <paramref name="path"/> names it in errors.</summary>
    public static (byte[] Pixels, int Count, int Rows, int Cols) ParseImages(byte[] b, string path, int? expectRows = 28, int? expectCols = 28)
    {
        if (b.Length < 4) throw new LsLabException($"{path}: truncated IDX header: expected at least 16 bytes, got {b.Length}.");
        int magic = BinaryPrimitives.ReadInt32BigEndian(b);
        if (magic != ImagesMagic)
            throw new LsLabException($"{path}: bad magic number 0x{magic:x8}: expected 0x{ImagesMagic:x8} (IDX images, uint8, 3 dimensions); found {MagicMeaning(b)}.");
        if (b.Length < 16) throw new LsLabException($"{path}: truncated IDX header: expected at least 16 bytes, got {b.Length}.");
        uint un = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(4)), urows = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(8)), ucols = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(12));
        if (un > int.MaxValue || urows == 0 || ucols == 0 || urows > int.MaxValue || ucols > int.MaxValue)
            throw new LsLabException($"{path}: invalid dimensions {un}x{urows}x{ucols} in the header (expected N images of rows x cols, each at least 1 and below 2^31).");
        int n = (int)un, rows = (int)urows, cols = (int)ucols;
        if ((expectRows is int r && rows != r) || (expectCols is int c && cols != c))
            throw new LsLabException($"{path}: wrong image size {rows}x{cols}: expected {expectRows}x{expectCols}.");
        // n, rows, cols < 2^31 each: the product can exceed 2^63, so compare without forming it.
        long pixelsPerImage = (long)rows * cols;
        long maxImages = (b.Length - 16L) / pixelsPerImage;
        if (n > maxImages)
        {
            string need = n <= long.MaxValue / pixelsPerImage - 1 ? $"{16 + n * pixelsPerImage} bytes" : "more bytes than any file can hold";
            throw new LsLabException($"{path}: truncated: the header announces {n} images of {rows}x{cols} ({need}), but the file has {b.Length} bytes.");
        }
        long expected = 16 + n * pixelsPerImage;
        if (b.Length != expected)
            throw new LsLabException($"{path}: {b.Length - expected} bytes after the {n} images of {rows}x{cols} the header announces ({expected} bytes): header and data disagree.");
        if (expected - 16 > Array.MaxLength) throw new LsLabException($"{path}: {n} images of {rows}x{cols} are too many to load at once.");
        return (b.AsSpan(16, (int)(expected - 16)).ToArray(), n, rows, cols);
    }

    /// <summary>Labels as bytes, checked against the number of classes.</summary>
    public static byte[] ReadLabels(string path, int numClasses) => ParseLabels(ReadBytes(path), path, numClasses);

    /// <summary>Parses the (decompressed) bytes of an IDX labels file; <paramref name="path"/> names it in errors.</summary>
    public static byte[] ParseLabels(byte[] b, string path, int numClasses)
    {
        if (b.Length < 4) throw new LsLabException($"{path}: truncated IDX header: expected at least 8 bytes, got {b.Length}.");
        int magic = BinaryPrimitives.ReadInt32BigEndian(b);
        if (magic != LabelsMagic)
            throw new LsLabException($"{path}: bad magic number 0x{magic:x8}: expected 0x{LabelsMagic:x8} (IDX labels, uint8, 1 dimension); found {MagicMeaning(b)}.");
        if (b.Length < 8) throw new LsLabException($"{path}: truncated IDX header: expected at least 8 bytes, got {b.Length}.");
        uint un = BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(4));
        if (un > int.MaxValue) throw new LsLabException($"{path}: invalid label count {un} in the header (expected below 2^31).");
        int n = (int)un;
        if (b.Length < 8L + n)
            throw new LsLabException($"{path}: truncated: the header announces {n} labels ({8L + n} bytes), but the file has {b.Length} bytes.");
        if (b.Length > 8L + n)
            throw new LsLabException($"{path}: {b.Length - 8L - n} bytes after the {n} labels the header announces ({8L + n} bytes): header and data disagree.");
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
