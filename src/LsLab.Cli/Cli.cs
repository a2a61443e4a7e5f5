using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Spectre.Console;

namespace LsLab.Cli;

/// <summary>Shared CLI plumbing: error handling and the options many commands have.</summary>
public static class Cli
{
    /// <summary>Parses and runs; user errors become one line on stderr and exit code 2, with no stack trace.</summary>
    public static int Invoke(RootCommand root, string[] args)
    {
        foreach (var h in root.Options.OfType<HelpOption>())
            if (h.Action is HelpAction standard) h.Action = new HelpWithExamples(standard);
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        try
        {
            return root.Parse(args).Invoke(config);
        }
        catch (Exception e) when (UserError(e) is string message)
        {
            Console.Error.WriteLine($"error: {message}");
            return 2;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("LSLAB_DEBUG") != "1")
        {
            Console.Error.WriteLine($"internal error ({e.GetType().Name}): {e.Message}");
            Console.Error.WriteLine("This is a bug in LsLab. Run again with LSLAB_DEBUG=1 for the stack trace.");
            return 70;
        }
    }

    static string? UserError(Exception e) => e switch
    {
        LsLabException x => x.Message,
        InvalidDataException x => x.Message,
        FileNotFoundException x => x.Message,
        DirectoryNotFoundException x => x.Message,
        UnauthorizedAccessException x => x.Message,
        AggregateException { InnerExceptions.Count: 1 } a => UserError(a.InnerException!),
        _ => null,
    };

    static readonly Dictionary<Command, string> ExampleText = new();

    /// <summary>Adds an "Examples:" section to the command's --help.</summary>
    public static Command WithExamples(this Command command, params string[] lines)
    {
        ExampleText[command] = string.Join(Environment.NewLine, lines.Select(l => "  " + l));
        return command;
    }

    sealed class HelpWithExamples(HelpAction standard) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int code = standard.Invoke(parseResult);
            if (ExampleText.TryGetValue(parseResult.CommandResult.Command, out var text))
                parseResult.InvocationConfiguration.Output.WriteLine($"Examples:{Environment.NewLine}{text}{Environment.NewLine}");
            return code;
        }
    }

    /// <summary>--quiet: no live progress bar, one line per epoch.</summary>
    public static Option<bool> QuietOption() => new("--quiet", "-q") { Description = "No progress bar; one line per epoch (for logs)." };

    /// <summary>--threads: libtorch intra-op threads.</summary>
    public static Option<int> ThreadsOption() => new("--threads") { Description = "CPU threads for libtorch (0 = all cores).", DefaultValueFactory = _ => 0 };

    /// <summary>--device: where models run (cpu, cuda, cuda:N, auto).</summary>
    public static Option<string> DeviceOption() => new("--device")
    {
        Description = "Where models run: cpu, cuda, cuda:N or auto (CUDA when available). Results are deterministic on cpu.",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary>Prepares libtorch with the thread count and device of the command line.</summary>
    public static void InitializeEngine(int threads, string? device)
    {
        Native.Engine.Initialize(threads);
        Native.Engine.UseDevice(device ?? "auto");
    }

    /// <summary>Writes a two-column table of name/value pairs.</summary>
    public static void PrintTable(string title, IEnumerable<(string Name, string Value)> rows)
    {
        var table = new Table().Title(Markup.Escape(title)).AddColumn("metric").AddColumn(new TableColumn("value").RightAligned());
        foreach (var (n, v) in rows) table.AddRow(Markup.Escape(n), Markup.Escape(v));
        AnsiConsole.Write(table);
    }
}
