using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace LsLab.Data;

/// <summary>An array read from a .npy file: its shape and values as doubles (or longs for integer files).</summary>
public sealed record NpyArray(long[] Shape, string Dtype, double[] Values)
{
    public long Count => Values.LongLength;
}

/// <summary>
/// numpy's .npy format, version 1.0: little-endian, C order; float32/float64/int32/int64 (and
/// uint8/bool on read). Enough to exchange logits and labels with numpy and PyTorch users.
/// </summary>
public static partial class Npy
{
    static readonly byte[] Magic = { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' };

    /// <summary>Writes a CPU tensor (float32, float64, int32, int64).</summary>
    public static void Write(string path, Tensor t)
    {
        using var c = t.contiguous();
        var (descr, bytes) = c.dtype switch
        {
            ScalarType.Float32 => ("<f4", Bytes(c.data<float>().ToArray())),
            ScalarType.Float64 => ("<f8", Bytes(c.data<double>().ToArray())),
            ScalarType.Int32 => ("<i4", Bytes(c.data<int>().ToArray())),
            ScalarType.Int64 => ("<i8", Bytes(c.data<long>().ToArray())),
            _ => throw new ArgumentException($"{path}: cannot write dtype {c.dtype} as .npy (float32, float64, int32, int64 only)."),
        };
        Write(path, descr, c.shape, bytes);
    }

    /// <summary>Writes float32 values with the given shape (C order), e.g. logits [N, K] for numpy users.</summary>
    public static void Write(string path, ReadOnlySpan<float> values, params long[] shape) => Write(path, "<f4", CheckShape(path, values.Length, shape), Bytes(values));

    /// <summary>Writes float64 values with the given shape (C order).</summary>
    public static void Write(string path, ReadOnlySpan<double> values, params long[] shape) => Write(path, "<f8", CheckShape(path, values.Length, shape), Bytes(values));

    /// <summary>Writes int32 values with the given shape (C order), e.g. labels [N].</summary>
    public static void Write(string path, ReadOnlySpan<int> values, params long[] shape) => Write(path, "<i4", CheckShape(path, values.Length, shape), Bytes(values));

    /// <summary>Writes int64 values with the given shape (C order), numpy's default integer type.</summary>
    public static void Write(string path, ReadOnlySpan<long> values, params long[] shape) => Write(path, "<i8", CheckShape(path, values.Length, shape), Bytes(values));

    static long[] CheckShape(string path, int length, long[] shape)
    {
        if (shape.Length == 0) return new long[] { length };
        if (shape.Any(d => d < 0) || shape.Aggregate(1L, (a, d) => a * d) != length)
            throw new ArgumentException($"{path}: shape ({string.Join(", ", shape)}) does not hold {length} values.");
        return shape;
    }

    static byte[] Bytes<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values).ToArray();
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException(".npy writing assumes a little-endian machine.");
        return bytes;
    }

    static byte[] Bytes<T>(T[] values) where T : unmanaged => Bytes((ReadOnlySpan<T>)values);

    static void Write(string path, string descr, long[] shape, byte[] data) => Runs.AtomicFile.Write(path, tmp => WriteTo(tmp, descr, shape, data));

    static void WriteTo(string path, string descr, long[] shape, byte[] data)
    {
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        var header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        int total = Magic.Length + 2 + 2 + header.Length + 1;
        header += new string(' ', (64 - total % 64) % 64) + "\n";
        using var fs = File.Create(path);
        fs.Write(Magic);
        fs.Write(new byte[] { 1, 0 });
        var hb = Encoding.ASCII.GetBytes(header);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)hb.Length);
        fs.Write(len);
        fs.Write(hb);
        fs.Write(data);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")] private static partial Regex DescrRe();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")] private static partial Regex FortranRe();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")] private static partial Regex ShapeRe();

    /// <summary>Reads a .npy file; errors name the file and the header field that was wrong.</summary>
    public static NpyArray Read(string path)
    {
        using var fs = Open(path, out var h);
        if (h.DataBytes > Array.MaxLength)
            throw new LsLabException($"{path}: {h.DataBytes / 1e9:F1} GB is too large to load at once (limit {Array.MaxLength / 1e9:F1} GB); read it in row chunks with Npy.ReadChunks.");
        var data = new byte[h.DataBytes];
        fs.ReadExactly(data);
        return new NpyArray(h.Shape, h.Descr, Decode(h.Descr, data));
    }

    /// <summary>
    /// Reads a .npy file in chunks of up to <paramref name="rows"/> rows of its first dimension, so a file
    /// larger than memory (e.g. 10⁶ × 1000 float32 logits) can be fed to a streaming accumulator.
    /// </summary>
    public static IEnumerable<NpyArray> ReadChunks(string path, int rows)
    {
        if (rows < 1) throw new ArgumentException($"rows must be ≥ 1, got {rows}.");
        using var fs = Open(path, out var h);
        if (h.Shape.Length == 0) throw new LsLabException($"{path}: field 'shape' is (), a scalar: nothing to read in rows.");
        long rowValues = h.Shape.Skip(1).Aggregate(1L, (a, x) => a * x);
        long step = Math.Max(1, Math.Min(rows, Array.MaxLength / Math.Max(1, rowValues * h.Size)));
        for (long r0 = 0; r0 < h.Shape[0]; r0 += step)
        {
            long n = Math.Min(step, h.Shape[0] - r0);
            var data = new byte[n * rowValues * h.Size];
            fs.ReadExactly(data);
            yield return new NpyArray(h.Shape.Skip(1).Prepend(n).ToArray(), h.Descr, Decode(h.Descr, data));
        }
    }

    sealed record Header(long[] Shape, string Descr, int Size, long DataBytes);

    /// <summary>Opens the file and parses its header; the stream is left at the first data byte.</summary>
    static FileStream Open(string path, out Header header)
    {
        if (!File.Exists(path)) throw new LsLabException($"{path}: file not found.");
        var fs = File.OpenRead(path);
        try
        {
            header = ParseHeader(path, fs);
            return fs;
        }
        catch
        {
            fs.Dispose();
            throw;
        }
    }

    static Header ParseHeader(string path, FileStream fs)
    {
        var pre = new byte[12];
        int got = fs.ReadAtLeast(pre, 12, throwOnEndOfStream: false);
        if (got < 10 || !pre.AsSpan(0, 6).SequenceEqual(Magic)) throw new LsLabException($"{path}: not a .npy file (bad magic; expected \\x93NUMPY).");
        int major = pre[6];
        long headerLen, offset;
        if (major == 1) { headerLen = BinaryPrimitives.ReadUInt16LittleEndian(pre.AsSpan(8)); offset = 10; }
        else if (major is 2 or 3 && got == 12) { headerLen = BinaryPrimitives.ReadUInt32LittleEndian(pre.AsSpan(8)); offset = 12; }
        else throw new LsLabException($"{path}: unsupported .npy version {major}.");
        if (offset + headerLen > fs.Length || headerLen > 1 << 20) throw new LsLabException($"{path}: truncated header.");
        var hb = new byte[headerLen];
        fs.Position = offset;
        fs.ReadExactly(hb);
        var header = Encoding.Latin1.GetString(hb);
        var descr = DescrRe().Match(header) is { Success: true } m ? m.Groups[1].Value : throw new LsLabException($"{path}: header has no 'descr' field.");
        if (FortranRe().Match(header) is { Success: true } fo && fo.Groups[1].Value == "True")
            throw new LsLabException($"{path}: field 'fortran_order' is True; save with np.ascontiguousarray(...) (C order expected).");
        var shapeMatch = ShapeRe().Match(header);
        if (!shapeMatch.Success) throw new LsLabException($"{path}: header has no 'shape' field.");
        var shape = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        long count = shape.Aggregate(1L, (a, x) => a * x);
        int size = descr switch { "<f4" or "<i4" => 4, "<f8" or "<i8" => 8, "|u1" or "|b1" or "|i1" => 1, _ => 0 };
        if (size == 0) throw new LsLabException($"{path}: field 'descr' is '{descr}': expected '<f4', '<f8', '<i4', '<i8', '|u1' or '|b1' (little-endian).");
        long available = fs.Length - offset - headerLen;
        if (available < count * size) throw new LsLabException($"{path}: truncated: shape ({string.Join(",", shape)}) of {descr} needs {count * size} bytes, the file has {available}.");
        return new Header(shape, descr, size, count * size);
    }

    static double[] Decode(string descr, ReadOnlySpan<byte> data)
    {
        int size = descr switch { "<f4" or "<i4" => 4, "<f8" or "<i8" => 8, _ => 1 };
        var values = new double[data.Length / size];
        if (BitConverter.IsLittleEndian && descr is "<f4" or "<f8" or "<i4" or "<i8")
        {
            // Typed loops over the raw bytes: no per-element dispatch.
            switch (descr)
            {
                case "<f4": Widen(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data), values); break;
                case "<f8": System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(data).CopyTo(values); break;
                case "<i4": Widen(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(data), values); break;
                default: Widen(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(data), values); break;
            }
            return values;
        }
        for (int i = 0; i < values.Length; i++)
        {
            var s = data.Slice(i * size, size);
            values[i] = descr switch
            {
                "<f4" => BinaryPrimitives.ReadSingleLittleEndian(s),
                "<f8" => BinaryPrimitives.ReadDoubleLittleEndian(s),
                "<i4" => BinaryPrimitives.ReadInt32LittleEndian(s),
                "<i8" => BinaryPrimitives.ReadInt64LittleEndian(s),
                "|i1" => (sbyte)s[0],
                _ => s[0],
            };
        }
        return values;
    }

    static void Widen<T>(ReadOnlySpan<T> src, double[] dst) where T : unmanaged, System.Numerics.INumberBase<T>
    {
        for (int i = 0; i < src.Length; i++) dst[i] = double.CreateTruncating(src[i]);
    }
}
