using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using LsLab.Data;

namespace LsLab.Tests.Reliability;

/// <summary>
/// Class 4 (file headers): every .npy and IDX header is checked — overflowing or negative shapes,
/// Python-2 longs, unsupported dtypes or order, data shorter or longer than announced — and a
/// randomised test of both readers: mutated headers never escape as another exception and never
/// read as a shape the bytes do not hold.
/// </summary>
public sealed class HeaderTests : TempDirTest
{
    static byte[] NpyFile(string shape, string descr = "<f4", int dataBytes = 24, string fortran = "False", int major = 1)
    {
        var header = $"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}";
        int pre = major == 1 ? 10 : 12;
        header += new string(' ', (64 - (pre + header.Length + 1) % 64) % 64) + "\n";
        var hb = Encoding.Latin1.GetBytes(header);
        var b = new byte[pre + hb.Length + dataBytes];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0 }.CopyTo(b, 0);
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), (ushort)hb.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), (uint)hb.Length);
        hb.CopyTo(b, pre);
        for (int i = pre + hb.Length; i < b.Length; i++) b[i] = (byte)i;
        return b;
    }

    string Write(byte[] bytes, string name = "x.npy")
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData("(2147483648, 2147483648)", "overflow a 64-bit count")]
    [InlineData("(4611686018427387904, 4)", "overflow a 64-bit count")]
    [InlineData("(3, 2, 3074457345618258603)", "overflow a 64-bit count")]
    [InlineData("(99999999999999999999,)", "does not fit in 64 bits")]
    [InlineData("(-3, 2)", "dimension 0 is negative (-3)")]
    [InlineData("(3, -2)", "dimension 1 is negative (-2)")]
    [InlineData("(3,,2)", "an empty element")]
    [InlineData("(3.0, 2)", "dimension 0 '3.0' is not a non-negative integer")]
    [InlineData("(0x3, 2)", "is not a non-negative integer")]
    [InlineData("(3, 3)", "truncated: shape (3,3) of <f4 needs 36 bytes, the file has 24")]
    [InlineData("(5,)", "4 bytes after the data")]
    public void Bad_npy_shapes_are_named(string shape, string expected)
    {
        var path = Write(NpyFile(shape));
        var e = Assert.Throws<LsLabException>(() => Npy.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("(2L, 3L)", new long[] { 2, 3 })]
    [InlineData("(6L,)", new long[] { 6 })]
    [InlineData("(2, 3)", new long[] { 2, 3 })]
    [InlineData("(1, 2, 3)", new long[] { 1, 2, 3 })]
    public void Python2_longs_and_plain_shapes_are_read_as_written(string shape, long[] dims)
    {
        var a = Npy.Read(Write(NpyFile(shape)));
        Assert.Equal(dims, a.Shape);
        Assert.Equal(6, a.Values.Length);
    }

    [Theory]
    [InlineData("'>f4'", "False", "field 'descr' is '>f4'")]
    [InlineData("'<f2'", "False", "field 'descr' is '<f2'")]
    [InlineData("'<U8'", "False", "field 'descr' is '<U8'")]
    [InlineData("'<f4'", "True", "'fortran_order' is True")]
    [InlineData("'<f4'", "Maybe", "'fortran_order' is 'Maybe'")]
    public void Unsupported_dtype_and_order_are_named(string descr, string fortran, string expected)
    {
        var path = Write(NpyFile("(2, 3)", descr.Trim('\''), fortran: fortran));
        Assert.Contains(expected, Assert.Throws<LsLabException>(() => Npy.Read(path)).Message);
    }

    [Fact]
    public void Other_header_damage_is_named()
    {
        var good = NpyFile("(2, 3)");
        var v9 = (byte[])good.Clone();
        v9[6] = 9;
        Assert.Contains("unsupported .npy version 9.0", Assert.Throws<LsLabException>(() => Npy.Read(Write(v9))).Message);
        var longHeader = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(longHeader.AsSpan(8), 60000);
        Assert.Contains("truncated header", Assert.Throws<LsLabException>(() => Npy.Read(Write(longHeader))).Message);
        var text = Encoding.Latin1.GetString(good).Replace("'shape'", "'shapes'");
        Assert.Contains("unexpected key 'shapes'", Assert.Throws<LsLabException>(() => Npy.Read(Write(Encoding.Latin1.GetBytes(text)))).Message);
        Assert.Contains("a folder, expected a .npy file", Assert.Throws<LsLabException>(() => Npy.Read(Dir)).Message);
        Assert.Equal(new long[] { 2, 3 }, Npy.Read(Write(NpyFile("(2, 3)", major: 2))).Shape);
    }

    [Fact]
    public void Labels_are_printed_as_stored_not_clipped()
    {
        var path = Path.Combine(Dir, "y.npy");
        Npy.Write(path, new long[] { 1, 0, 1_000_000_000_000 });
        var e = Assert.Throws<LsLabException>(() => Npy.ReadLabels(path, 10));
        Assert.Contains("label 1000000000000 at index 2 is out of range: expected 0..9", e.Message);
        Assert.DoesNotContain("2147483647", e.Message);
        Assert.Contains("label 1000000000000 at index 2", Assert.Throws<LsLabException>(() => Npy.ReadLabels(path)).Message);
        Npy.Write(path, new double[] { 0, 1.5 });
        Assert.Contains("label at index 1 is 1.5, expected an integer", Assert.Throws<LsLabException>(() => Npy.ReadLabels(path)).Message);
        Npy.Write(path, new long[] { 2, 0, 9 });
        Assert.Equal(new[] { 2, 0, 9 }, Npy.ReadLabels(path, 10));
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 8, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 28, 0, 0, 0, 28 }, "invalid dimensions 4294967295x28x28")]
    [InlineData(new byte[] { 0, 0, 8, 3, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 28, 0, 0, 0, 28 }, "truncated: the header announces 2147483647 images")]
    [InlineData(new byte[] { 0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 28 }, "invalid dimensions 1x0x28")]
    [InlineData(new byte[] { 0, 0, 0x0D, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28 }, "found IDX data of float32 in 3 dimensions")]
    [InlineData(new byte[] { 0, 0, 8, 1, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28 }, "found an IDX labels file")]
    [InlineData(new byte[] { 0x1f, 0x8c, 8, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28 }, "not an IDX file")]
    public void Bad_IDX_image_headers_are_named(byte[] header, string expected)
    {
        var e = Assert.Throws<LsLabException>(() => Idx.ParseImages(header, "imgs.idx"));
        Assert.Contains("imgs.idx", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void IDX_data_longer_than_announced_and_huge_unchecked_sizes_are_refused()
    {
        var b = new byte[16 + 2 * 784 + 100];
        new byte[] { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28 }.CopyTo(b, 0);
        Assert.Contains("100 bytes after the 2 images", Assert.Throws<LsLabException>(() => Idx.ParseImages(b, "x")).Message);
        var huge = new byte[] { 0, 0, 8, 3, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF };
        Assert.Contains("more bytes than any file can hold", Assert.Throws<LsLabException>(() => Idx.ParseImages(huge, "x", null, null)).Message);
        var labels = new byte[] { 0, 0, 8, 1, 0, 0, 0, 2, 1, 2, 3 };
        Assert.Contains("1 bytes after the 2 labels", Assert.Throws<LsLabException>(() => Idx.ParseLabels(labels, "y", 10)).Message);
    }

    // ---- randomised: mutate valid files, read them, and check the outcome ----

    static readonly string[] HostileShapes =
    {
        "(2147483648, 2147483648)", "(-1, 6)", "(6L,)", "(2L, 3L)", "(3,,2)", "()", "(9223372036854775807, 2)", "(1e3,)", "(0x10,)",
        "(6,)", "(3, 2)", "(2, 3)", "(1, 6)", "(6, 1)", "(0,)", "(0, 6)", "(, )", "(3, 2, 1, 1)", "(4294967296, 4294967296, 4)", "(12,)",
        "(3 2)", "(a, b)", "(+3, 2)", "(3L2,)", "(6 ,)", "(18446744073709551616,)",
    };
    static readonly string[] Descrs = { "<f4", "<f8", "<i4", "<i8", "|u1", "|b1", "|i1", ">f4", "<f2", "O", "", "<f4'", "|u2" };

    [Fact]
    public void Randomised_npy_headers_never_escape_and_never_read_as_a_wrong_shape()
    {
        var rng = new Random(20191201);
        var sw = Stopwatch.StartNew();
        var path = Path.Combine(Dir, "fuzz.npy");
        int accepted = 0, refused = 0;
        for (int iter = 0; iter < 3000; iter++)
        {
            byte[] bytes = Mutate(rng);
            // Every 10th through a real file (Read and ReadChunks); the rest through the same parser on a stream.
            bool viaFile = iter % 10 == 0;
            if (viaFile) File.WriteAllBytes(path, bytes);
            try
            {
                var a = viaFile ? Npy.Read(path) : Npy.Read(new MemoryStream(bytes), path);
                accepted++;
                CheckConsistent(bytes, a);
                if (viaFile) Assert.Equal(a.Values, Npy.ReadChunks(path, 1 + rng.Next(4)).SelectMany(c => c.Values));
            }
            catch (Exception e) when (e is LsLabException or InvalidDataException)
            {
                refused++;
                Assert.Contains(path, e.Message);
                Assert.DoesNotContain("\n", e.Message);
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iter}: {e.GetType().Name}: {e.Message}\nheader: {Encoding.Latin1.GetString(bytes, 0, Math.Min(bytes.Length, 140))}");
            }
        }
        Assert.True(accepted > 100 && refused > 1000, $"accepted {accepted}, refused {refused}: the mutations should exercise both outcomes");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
    }

    static byte[] Mutate(Random rng)
    {
        string shape = rng.Next(3) == 0 ? HostileShapes[rng.Next(HostileShapes.Length)] : "(2, 3)";
        string descr = rng.Next(4) == 0 ? Descrs[rng.Next(Descrs.Length)] : "<f4";
        int data = rng.Next(5) == 0 ? rng.Next(0, 60) : 24;
        var b = NpyFile(shape, descr, data, rng.Next(10) == 0 ? "True" : "False", rng.Next(8) == 0 ? 2 : 1);
        switch (rng.Next(5))
        {
            case 0: // flip bytes in the preamble and header
                for (int k = rng.Next(1, 4); k > 0; k--) b[rng.Next(Math.Min(b.Length, 80))] ^= (byte)(1 << rng.Next(8));
                break;
            case 1: // truncate anywhere
                Array.Resize(ref b, rng.Next(b.Length + 1));
                break;
            case 2: // a random header length
                BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), (ushort)rng.Next(ushort.MaxValue));
                break;
            default:
                break;
        }
        return b;
    }

    /// <summary>An accepted file: the shape is what its header text says, and the data part holds exactly that many values.</summary>
    static void CheckConsistent(byte[] bytes, NpyArray a)
    {
        int major = bytes[6];
        int pre = major == 1 ? 10 : 12;
        int hlen = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        var header = Encoding.Latin1.GetString(bytes, pre, hlen);
        var m = Regex.Match(header, @"'shape'\s*:\s*\(([^)]*)\)");
        Assert.True(m.Success, header);
        var dims = m.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => long.Parse(s.TrimEnd('L', 'l'))).ToArray();
        Assert.Equal(dims, a.Shape);
        long count = dims.Aggregate(1L, (x, y) => x * y);
        Assert.Equal(count, a.Values.LongLength);
        int size = a.Dtype switch { "<f4" or "<i4" => 4, "<f8" or "<i8" => 8, _ => 1 };
        Assert.Equal(bytes.Length - pre - hlen, count * size);
    }

    [Fact]
    public void Randomised_IDX_headers_never_escape_and_never_read_as_a_wrong_count()
    {
        var rng = new Random(60000);
        var sw = Stopwatch.StartNew();
        int accepted = 0, refused = 0;
        for (int iter = 0; iter < 3000; iter++)
        {
            bool images = rng.Next(2) == 0;
            int n = rng.Next(0, 4);
            var b = images ? new byte[16 + n * 4 * 4] : new byte[8 + n];
            BinaryPrimitives.WriteInt32BigEndian(b, images ? Idx.ImagesMagic : Idx.LabelsMagic);
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), n);
            if (images) { BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(8), 4); BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(12), 4); }
            for (int i = images ? 16 : 8; i < b.Length; i++) b[i] = (byte)rng.Next(images ? 256 : 10);
            switch (rng.Next(6))
            {
                case 0: for (int k = rng.Next(1, 4); k > 0; k--) b[rng.Next(Math.Min(b.Length, 16))] ^= (byte)(1 << rng.Next(8)); break;
                case 1: Array.Resize(ref b, rng.Next(b.Length + 1)); break;
                case 2: Array.Resize(ref b, b.Length + rng.Next(1, 40)); break;
                case 3: BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), (uint)rng.NextInt64(uint.MaxValue)); break;
                case 4 when images: BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4 + 4 * rng.Next(3)), new uint[] { 0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 3 }[rng.Next(6)]); break;
                default: break;
            }
            if (rng.Next(4) == 0) b = Gzip(b, truncate: rng.Next(3) == 0 ? rng.Next(1, 20) : 0);
            try
            {
                var raw = Idx.Decompress(b, "fuzz.idx");
                uint announced = raw.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(raw.AsSpan(4)) : 0;
                if (images)
                {
                    var (px, count, rows, cols) = Idx.ParseImages(raw, "fuzz.idx", null, null);
                    Assert.Equal(announced, (uint)count);
                    Assert.Equal((long)count * rows * cols, px.LongLength);
                    Assert.Equal(16 + px.LongLength, raw.LongLength);
                }
                else
                {
                    var labels = Idx.ParseLabels(raw, "fuzz.idx", 10);
                    Assert.Equal(announced, (uint)labels.Length);
                    Assert.Equal(8 + labels.Length, raw.Length);
                    Assert.All(labels, l => Assert.InRange(l, 0, 9));
                }
                accepted++;
            }
            catch (Exception e) when (e is LsLabException or InvalidDataException)
            {
                refused++;
                Assert.Contains("fuzz.idx", e.Message);
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iter}: {e.GetType().Name}: {e.Message}\nbytes: {Convert.ToHexString(b.AsSpan(0, Math.Min(b.Length, 24)))}");
            }
        }
        Assert.True(accepted > 100 && refused > 500, $"accepted {accepted}, refused {refused}");
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
    }

    static byte[] Gzip(byte[] b, int truncate)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(b);
        var z = ms.ToArray();
        return truncate > 0 && truncate < z.Length ? z[..^truncate] : z;
    }
}
