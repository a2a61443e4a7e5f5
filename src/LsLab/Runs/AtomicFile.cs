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

    public static void WriteAllText(string path, string text) => Write(path, tmp => File.WriteAllText(tmp, text));

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, tmp => File.WriteAllBytes(tmp, bytes));

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
