using LsLab.Calibration;
using LsLab.Data;

namespace LsLab.Tests.Data;

public sealed class NpyArrayTests : TempDirTest
{
    static string F(string name) => Path.Combine(AppContext.BaseDirectory, "Calibration", "Fixtures", "numpy", name);

    [Fact]
    public void Array_writers_produce_the_bytes_numpy_wrote()
    {
        // The fixtures were written by np.save (numpy 1.24): writing the same values must give the same file.
        var z = Npy.Read(F("logits_f32.npy"));
        string path = Path.Combine(Dir, "z.npy");
        Npy.Write(path, z.Values.Select(v => (float)v).ToArray(), z.Shape);
        Assert.Equal(File.ReadAllBytes(F("logits_f32.npy")), File.ReadAllBytes(path));

        var p = Npy.Read(F("probs_f64.npy"));
        Npy.Write(path, p.Values, p.Shape);
        Assert.Equal(File.ReadAllBytes(F("probs_f64.npy")), File.ReadAllBytes(path));

        var y = Npy.Read(F("labels_i32.npy"));
        Npy.Write(path, y.Values.Select(v => (int)v).ToArray());
        Assert.Equal(File.ReadAllBytes(F("labels_i32.npy")), File.ReadAllBytes(path));
        Npy.Write(path, y.Values.Select(v => (long)v).ToArray(), y.Shape);
        Assert.Equal(File.ReadAllBytes(F("labels_i64.npy")), File.ReadAllBytes(path));

        Assert.Contains("does not hold 6 values", Assert.Throws<ArgumentException>(() => Npy.Write(path, new float[6], 4, 2)).Message);
        Assert.Empty(Directory.GetFiles(Dir, "*.tmp")); // atomic: no temporary left behind
    }

    [Fact]
    public void Chunks_concatenate_to_the_whole_file_and_stream_into_calibration()
    {
        var whole = Npy.Read(F("logits_f32.npy"));
        var chunks = Npy.ReadChunks(F("logits_f32.npy"), 64).ToList();
        Assert.Equal(new long[] { 64, 64, 64, 64, 44 }, chunks.Select(c => c.Shape[0]));
        Assert.All(chunks, c => Assert.Equal(5, c.Shape[1]));
        Assert.Equal(whole.Values, chunks.SelectMany(c => c.Values));

        var s = new StreamingCalibration(5);
        foreach (var (zc, yc) in Npy.ReadChunks(F("logits_f32.npy"), 100).Zip(Npy.ReadChunks(F("labels_i64.npy"), 100)))
            s.Add(zc.Values, yc.Values.Select(v => (long)v).ToArray());
        var labels = Npy.Read(F("labels_i64.npy")).Values.Select(v => (int)v).ToArray();
        var p = Predictions.FromLogits(whole.Values, 5, labels);
        Assert.Equal(Metrics.Ece(p), s.Ece(), 1e-12);
        Assert.Equal(Metrics.Nll(p), s.Nll(), 1e-12);
    }

    [Fact]
    public void Truncated_data_and_bad_headers_are_named()
    {
        string path = Path.Combine(Dir, "t.npy");
        var bytes = File.ReadAllBytes(F("logits_f32.npy"));
        File.WriteAllBytes(path, bytes[..^4]);
        var e = Assert.Throws<LsLabException>(() => Npy.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated: shape (300,5) of <f4 needs 6000 bytes, the file has 5996", e.Message);
        Assert.Throws<LsLabException>(() => Npy.ReadChunks(path, 10).ToList());
        File.WriteAllBytes(path, bytes[..40]);
        Assert.Contains("truncated header", Assert.Throws<LsLabException>(() => Npy.Read(path)).Message);
        var text = System.Text.Encoding.Latin1.GetString(bytes).Replace("'<f4'", "'>f4'");
        File.WriteAllBytes(path, System.Text.Encoding.Latin1.GetBytes(text));
        Assert.Contains("field 'descr' is '>f4'", Assert.Throws<LsLabException>(() => Npy.Read(path)).Message);
    }
}
