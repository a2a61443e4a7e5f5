using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace LsLab.Data;

/// <summary>An array read from a .npy file: its shape and values as doubles (or longs for integer files).</summary>
public sealed record NpyArray(long[] Shape, string Dtype, double[] Values)
{
    /// <summary>Number of values (the product of the shape).</summary>
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
            ScalarType.Float32 => ("<f4", Bytes(c.ToCpuArray<float>())),
            ScalarType.Float64 => ("<f8", Bytes(c.ToCpuArray<double>())),
            ScalarType.Int32 => ("<i4", Bytes(c.ToCpuArray<int>())),
            ScalarType.Int64 => ("<i8", Bytes(c.ToCpuArray<long>())),
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
    [GeneratedRegex(@"'fortran_order'\s*:\s*(\w+)")] private static partial Regex FortranRe();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")] private static partial Regex ShapeRe();
    [GeneratedRegex(@"'([^']*)'\s*:")] private static partial Regex KeyRe();
    [GeneratedRegex(@"^[0-9]+[lL]?$")] private static partial Regex DimRe();

    /// <summary>Reads a .npy file; errors name the file and the header field that was wrong.</summary>
    public static NpyArray Read(string path)
    {
        using var fs = Open(path, out var h);
        return ReadData(path, fs, h);
    }

    /// <summary>Reads .npy bytes from a seekable stream; <paramref name="name"/> names it in errors (the same checks as a file).</summary>
    internal static NpyArray Read(Stream stream, string name) => ReadData(name, stream, ParseHeader(name, stream));

    static NpyArray ReadData(string path, Stream fs, Header h)
    {
        if (h.DataBytes > Array.MaxLength || h.Count > Array.MaxLength)
            throw new LsLabException($"{path}: shape ({string.Join(", ", h.Shape)}) of {h.Descr} is {h.DataBytes / 1e9:F1} GB, too large to load at once (limit {Array.MaxLength:N0} values); read it in row chunks with Npy.ReadChunks.");
        var data = new byte[h.DataBytes];
        fs.ReadExactly(data);
        return new NpyArray(h.Shape, h.Descr, Decode(h.Descr, data));
    }

    /// <summary>
    /// Reads integer class labels [N] (or [N, 1]) from a .npy file: integer dtypes, or floats that are
    /// whole numbers; each must lie in 0..<paramref name="numClasses"/>−1 (or 0..2³¹−1 when no count is given).
    /// A value out of range is printed as stored (e.g. 1000000000000), never as a clipped int.
    /// </summary>
    public static int[] ReadLabels(string path, int? numClasses = null)
    {
        var a = Read(path);
        if (a.Shape.Length != 1 && !(a.Shape.Length == 2 && a.Shape[1] == 1))
            throw new LsLabException($"{path}: field 'shape' is ({string.Join(", ", a.Shape)}), expected [N] integer labels.");
        if (a.Dtype is "|b1") throw new LsLabException($"{path}: field 'descr' is '|b1' (bool), expected integer class labels.");
        long max = numClasses is int k ? k - 1L : int.MaxValue;
        var labels = new int[a.Values.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            double v = a.Values[i];
            string shown = v.ToString("R", CultureInfo.InvariantCulture);
            if (!double.IsFinite(v) || v != Math.Floor(v))
                throw new LsLabException($"{path}: label at index {i} is {shown}, expected an integer class index.");
            if (v < 0 || v > max)
                throw new LsLabException($"{path}: label {shown} at index {i} is out of range: expected 0..{max}.");
            labels[i] = (int)v;
        }
        return labels;
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
        long rowValues = h.Shape.Skip(1).Aggregate(1L, (a, x) => a * x); // checked in the header: ≤ the whole count
        if (rowValues * h.Size > Array.MaxLength)
            throw new LsLabException($"{path}: one row of shape ({string.Join(", ", h.Shape)}) is {rowValues * h.Size / 1e9:F1} GB, too large to read in row chunks.");
        long step = Math.Max(1, Math.Min(rows, Array.MaxLength / Math.Max(1, rowValues * h.Size)));
        for (long r0 = 0; r0 < h.Shape[0]; r0 += step)
        {
            long n = Math.Min(step, h.Shape[0] - r0);
            var data = new byte[n * rowValues * h.Size];
            fs.ReadExactly(data);
            yield return new NpyArray(h.Shape.Skip(1).Prepend(n).ToArray(), h.Descr, Decode(h.Descr, data));
        }
    }

    sealed record Header(long[] Shape, string Descr, int Size, long Count, long DataBytes);

    /// <summary>Opens the file and parses its header; the stream is left at the first data byte.</summary>
    static FileStream Open(string path, out Header header)
    {
        if (Directory.Exists(path)) throw new LsLabException($"{path}: a folder, expected a .npy file.");
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

    /// <summary>
    /// Parses and checks a header: magic, version, header length, the three keys numpy writes (and no
    /// others), a supported dtype, C order, a shape of non-negative integers (Python-2 "500L" accepted)
    /// whose element and byte counts do not overflow, and a data part of exactly that many bytes.
    /// </summary>
    static Header ParseHeader(string path, Stream fs)
    {
        var pre = new byte[12];
        int got = fs.ReadAtLeast(pre, 12, throwOnEndOfStream: false);
        if (got < 6 || !pre.AsSpan(0, 6).SequenceEqual(Magic)) throw new LsLabException($"{path}: not a .npy file (bad magic; expected \\x93NUMPY).");
        if (got < 10) throw new LsLabException($"{path}: truncated header: {got} bytes, a .npy header needs at least 10.");
        int major = pre[6];
        long headerLen, offset;
        if (major == 1) { headerLen = BinaryPrimitives.ReadUInt16LittleEndian(pre.AsSpan(8)); offset = 10; }
        else if (major is 2 or 3)
        {
            if (got < 12) throw new LsLabException($"{path}: truncated header: {got} bytes, a version-{major} .npy header needs at least 12.");
            headerLen = BinaryPrimitives.ReadUInt32LittleEndian(pre.AsSpan(8));
            offset = 12;
        }
        else throw new LsLabException($"{path}: unsupported .npy version {major}.{pre[7]} (expected 1.0, 2.0 or 3.0).");
        if (headerLen > 1 << 20) throw new LsLabException($"{path}: header length {headerLen} bytes is implausible (a .npy header is a short text); the file is damaged.");
        if (offset + headerLen > fs.Length) throw new LsLabException($"{path}: truncated header: it announces {headerLen} bytes, the file has {fs.Length - offset} after the preamble.");
        var hb = new byte[headerLen];
        fs.Position = offset;
        fs.ReadExactly(hb);
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(hb).Trim('\0').Trim();
        if (!header.StartsWith('{') || !header.EndsWith('}'))
            throw new LsLabException($"{path}: header is not a Python dict literal ({{'descr': …, 'fortran_order': …, 'shape': …}}).");
        foreach (Match k in KeyRe().Matches(header))
            if (k.Groups[1].Value is not ("descr" or "fortran_order" or "shape"))
                throw new LsLabException($"{path}: header has an unexpected key '{k.Groups[1].Value}' (expected only 'descr', 'fortran_order', 'shape').");

        if (!header.Contains("'descr'", StringComparison.Ordinal)) throw new LsLabException($"{path}: header has no 'descr' field.");
        var descr = DescrRe().Match(header) is { Success: true } m ? m.Groups[1].Value
            : throw new LsLabException($"{path}: field 'descr' is not a plain dtype string (structured and sub-array dtypes are not supported).");
        int size = descr switch { "<f4" or "<i4" => 4, "<f8" or "<i8" => 8, "|u1" or "|b1" or "|i1" => 1, _ => 0 };
        if (size == 0) throw new LsLabException($"{path}: field 'descr' is '{descr}': expected '<f4', '<f8', '<i4', '<i8', '|u1', '|i1' or '|b1' (little-endian).");

        var fo = FortranRe().Match(header);
        if (!fo.Success) throw new LsLabException($"{path}: header has no 'fortran_order' field.");
        if (fo.Groups[1].Value == "True")
            throw new LsLabException($"{path}: field 'fortran_order' is True; save with np.ascontiguousarray(...) (C order expected).");
        if (fo.Groups[1].Value != "False") throw new LsLabException($"{path}: field 'fortran_order' is '{fo.Groups[1].Value}', expected True or False.");

        var shapeMatch = ShapeRe().Match(header);
        if (!shapeMatch.Success) throw new LsLabException($"{path}: header has no 'shape' field (expected a tuple such as (500, 10)).");
        var shape = ParseShape(path, shapeMatch.Groups[1].Value);
        string shapeText = "(" + string.Join(",", shape) + ")";
        long count, bytes;
        try
        {
            count = shape.Aggregate(1L, (a, x) => checked(a * x));
            bytes = checked(count * size);
        }
        catch (OverflowException)
        {
            throw new LsLabException($"{path}: field 'shape' is {shapeText}: {string.Join(" × ", shape)} values of {size} bytes overflow a 64-bit count; the header is damaged.");
        }
        long available = fs.Length - offset - headerLen;
        if (available < bytes) throw new LsLabException($"{path}: truncated: shape {shapeText} of {descr} needs {bytes} bytes, the file has {available}.");
        if (available > bytes)
            throw new LsLabException($"{path}: {available - bytes} bytes after the data: shape {shapeText} of {descr} needs {bytes} bytes, the file has {available} (header and data disagree).");
        return new Header(shape, descr, size, count, bytes);
    }

    /// <summary>"500, 10" / "500L, 10L" / "3," / "" → dimensions; anything else is an error naming the element.</summary>
    static long[] ParseShape(string path, string text)
    {
        if (text.Trim().Length == 0) return Array.Empty<long>();
        var parts = text.Split(',').Select(p => p.Trim()).ToList();
        if (parts[^1].Length == 0) parts.RemoveAt(parts.Count - 1); // "(3,)"
        if (parts.Count == 0 || parts.Any(p => p.Length == 0))
            throw new LsLabException($"{path}: field 'shape' is ({text}): an empty element; expected non-negative integers such as (500, 10).");
        if (parts.Count > 32) throw new LsLabException($"{path}: field 'shape' has {parts.Count} dimensions; numpy allows at most 32.");
        var dims = new long[parts.Count];
        for (int i = 0; i < parts.Count; i++)
        {
            var p = parts[i];
            if (p.StartsWith('-') && DimRe().IsMatch(p[1..]))
                throw new LsLabException($"{path}: field 'shape' is ({text}): dimension {i} is negative ({p}).");
            if (!DimRe().IsMatch(p))
                throw new LsLabException($"{path}: field 'shape' is ({text}): dimension {i} '{p}' is not a non-negative integer.");
            if (!long.TryParse(p.TrimEnd('l', 'L'), NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]))
                throw new LsLabException($"{path}: field 'shape' is ({text}): dimension {i} ({p}) does not fit in 64 bits.");
        }
        return dims;
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
