namespace LsLab.Tests.Reliability;

/// <summary>
/// Runs `lslab` in this process (the same <see cref="LsLab.Cli.Cli.Invoke"/> the executable calls, with
/// standard output and error captured), for the many error cases that fail before any work; and the
/// assertions every failure-class test makes.
/// </summary>
public static class UserErrors
{
    static readonly object ConsoleLock = new();

    /// <summary>Runs the CLI in-process; returns exit code, stdout, stderr.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        lock (ConsoleLock)
        {
            var (oldOut, oldErr) = (Console.Out, Console.Error);
            var (o, e) = (new StringWriter(), new StringWriter());
            Console.SetOut(o);
            Console.SetError(e);
            try
            {
                int code = LsLab.Cli.Cli.Invoke(LsLab.Cli.Cli.BuildRoot(), args);
                return (code, o.ToString(), e.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
            }
        }
    }

    static string[] Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();

    /// <summary>Exit code 2, exactly one line on stderr ("error: …") containing each of <paramref name="named"/>; returns that line.</summary>
    public static string AssertOneLine((int Code, string Out, string Err) r, params string[] named)
    {
        Assert.True(r.Code == 2, $"exit code {r.Code}, expected 2; stderr:\n{r.Err}");
        var lines = Lines(r.Err);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{r.Err}");
        Assert.StartsWith("error: ", lines[0]);
        foreach (var n in named) Assert.Contains(n, lines[0]);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("internal error", r.Err);
        return lines[0];
    }

    /// <summary>A parse error: exit 2, two lines on stderr: the error naming <paramref name="named"/>, then the --help hint for <paramref name="command"/>.</summary>
    public static string AssertParseError((int Code, string Out, string Err) r, string command, params string[] named)
    {
        Assert.True(r.Code == 2, $"exit code {r.Code}, expected 2; stderr:\n{r.Err}");
        var lines = Lines(r.Err);
        Assert.True(lines.Length == 2, $"expected two lines on stderr (error, --help hint), got {lines.Length}:\n{r.Err}");
        Assert.StartsWith("error: ", lines[0]);
        foreach (var n in named) Assert.Contains(n, lines[0]);
        Assert.Equal($"run `{command} --help` for the options and examples.", lines[1]);
        Assert.True(string.IsNullOrWhiteSpace(r.Out), $"nothing on stdout expected (no help dump), got:\n{r.Out}");
        return lines[0];
    }

    /// <summary>Every file and folder below <paramref name="dir"/> with its length (folders: -1), to compare before and after.</summary>
    public static string[] Snapshot(string dir) =>
        Directory.Exists(dir)
            ? Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order()
                .Select(p => $"{Path.GetRelativePath(dir, p)}:{(File.Exists(p) ? new FileInfo(p).Length : -1)}").ToArray()
            : Array.Empty<string>();
}
