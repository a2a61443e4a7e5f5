using System.Text.Json;
using System.Text.Json.Serialization;

namespace LsLab.Runs;

/// <summary>
/// Writes files so that a reader (or a restart after kill -9) sees either the old file or the
/// complete new one, never a half-written one: write a temporary file beside it, flush, rename.
/// </summary>
public static class AtomicFile
{
    /// <summary>JSON settings used for every file LsLab writes: indented, camelCase, enums as strings.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Runs <paramref name="write"/> on a temporary path, then renames it to <paramref name="path"/>.</summary>
    public static void Write(string path, Action<string> write)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            write(tmp);
            using (var fs = new FileStream(tmp, FileMode.Open, FileAccess.ReadWrite)) fs.Flush(flushToDisk: true);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>SHA-256 of a file's bytes, lowercase hex.</summary>
    public static string Sha256(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(fs)).ToLowerInvariant();
    }

    /// <summary>
    /// Deletes the temporary files (<c>.NAME.PID.GUID.tmp</c>) that writers killed before their rename left
    /// under <paramref name="dir"/>; files of a writer that is still running are kept.
    /// </summary>
    public static int CleanStaleTemporaries(string dir)
    {
        if (!Directory.Exists(dir)) return 0;
        int removed = 0;
        foreach (var f in Directory.EnumerateFiles(dir, ".*.tmp", SearchOption.AllDirectories))
        {
            var parts = Path.GetFileName(f).Split('.');
            if (parts.Length < 5 || !int.TryParse(parts[^3], out int pid) || ProcessAlive(pid)) continue;
            try { File.Delete(f); removed++; } catch (IOException) { }
        }
        return removed;
    }

    static bool ProcessAlive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Writes <paramref name="text"/> to a temporary file and renames it over <paramref name="path"/>, so readers never see half a file.</summary>
    public static void WriteAllText(string path, string text) => Write(path, tmp => File.WriteAllText(tmp, text));

    /// <summary>Writes <paramref name="bytes"/> to a temporary file and renames it over <paramref name="path"/>.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, tmp => File.WriteAllBytes(tmp, bytes));

    /// <summary>Writes <paramref name="value"/> as JSON (<see cref="Json"/> settings), atomically.</summary>
    public static void WriteJson<T>(string path, T value) => WriteAllText(path, JsonSerializer.Serialize(value, Json));

    /// <summary>Reads JSON written by <see cref="WriteJson{T}"/>, with an error naming the file when it is malformed.</summary>
    public static T ReadJson<T>(string path)
    {
        if (!File.Exists(path)) throw new LsLabException($"{path}: file not found.");
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Json)
                   ?? throw new LsLabException($"{path}: empty JSON, expected a {typeof(T).Name}.");
        }
        catch (JsonException e)
        {
            throw new LsLabException($"{path}: malformed JSON at {e.Path ?? "?"} (line {e.LineNumber + 1}): expected a {typeof(T).Name}. {e.Message}");
        }
    }
}
