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

    static byte[] Bytes<T>(T[] values) where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    static void Write(string path, string descr, long[] shape, byte[] data)
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
        if (!File.Exists(path)) throw new LsLabException($"{path}: file not found.");
        var b = File.ReadAllBytes(path);
        if (b.Length < 10 || !b.AsSpan(0, 6).SequenceEqual(Magic)) throw new LsLabException($"{path}: not a .npy file (bad magic; expected \\x93NUMPY).");
        int major = b[6];
        int headerLen, offset;
        if (major == 1) { headerLen = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(8)); offset = 10; }
        else if (major is 2 or 3) { headerLen = (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8)); offset = 12; }
        else throw new LsLabException($"{path}: unsupported .npy version {major}.");
        if (offset + headerLen > b.Length) throw new LsLabException($"{path}: truncated header.");
        var header = Encoding.Latin1.GetString(b, offset, headerLen);
        var descr = DescrRe().Match(header) is { Success: true } m ? m.Groups[1].Value : throw new LsLabException($"{path}: header has no 'descr' field.");
        if (FortranRe().Match(header) is { Success: true } fo && fo.Groups[1].Value == "True")
            throw new LsLabException($"{path}: field 'fortran_order' is True; save with np.ascontiguousarray(...) (C order expected).");
        var shapeMatch = ShapeRe().Match(header);
        if (!shapeMatch.Success) throw new LsLabException($"{path}: header has no 'shape' field.");
        var shape = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        long count = shape.Aggregate(1L, (a, x) => a * x);
        var data = b.AsSpan(offset + headerLen);
        int size = descr switch { "<f4" or "<i4" => 4, "<f8" or "<i8" => 8, "|u1" or "|b1" or "|i1" => 1, _ => 0 };
        if (size == 0) throw new LsLabException($"{path}: field 'descr' is '{descr}': expected '<f4', '<f8', '<i4', '<i8', '|u1' or '|b1' (little-endian).");
        if (data.Length < count * size) throw new LsLabException($"{path}: truncated: shape ({string.Join(",", shape)}) of {descr} needs {count * size} bytes, the file has {data.Length}.");
        var values = new double[count];
        for (long i = 0; i < count; i++)
        {
            var s = data.Slice((int)(i * size), size);
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
        return new NpyArray(shape, descr, values);
    }
}
