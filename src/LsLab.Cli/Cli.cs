using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Spectre.Console;

namespace LsLab.Cli;

/// <summary>Shared CLI plumbing: error handling and the options many commands have.</summary>
public static class Cli
{
    /// <summary>The `lslab` command tree: one line per command; each lives in Commands/&lt;Name&gt;Command.cs.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "LsLab: label smoothing, calibration, distillation and the geometry behind them\n" +
            "(Müller, Kornblith & Hinton, \"When Does Label Smoothing Help?\", NeurIPS 2019).\n\n" +
            "Start with:\n" +
            "  lslab train --model mlp --alpha 0.1 --epochs 3 --out runs/mlp-ls\n" +
            "  lslab evaluate --run runs/mlp-ls\n" +
            "  lslab datasets");
        root.Subcommands.Add(Commands.TrainCommand.Build());
        root.Subcommands.Add(Commands.EvaluateCommand.Build());
        root.Subcommands.Add(Commands.DatasetsCommand.Build());
        root.Subcommands.Add(Commands.CalibrateCommand.Build());
        root.Subcommands.Add(Commands.TranslateCommand.Build());
        root.Subcommands.Add(Commands.ProjectCommand.Build());
        root.Subcommands.Add(Commands.InfoCommand.Build());
        root.Subcommands.Add(Commands.ExperimentCommand.Build());
        root.Subcommands.Add(Commands.ReproduceCommand.Build());
        root.Subcommands.Add(Commands.RunsCommand.Build());
        root.Subcommands.Add(Commands.RunsCommand.BuildRunCell());
        root.Subcommands.Add(Commands.WorkerCommand.Build());
        root.Subcommands.Add(Commands.DistillCommand.Build());
        root.Subcommands.Add(Commands.MiCommand.Build());
        return root;
    }

    /// <summary>
    /// Parses and runs. A parse error is one line naming the option and what was expected plus a
    /// hint to --help; a user error is one line on stderr; both exit with code 2, with no stack trace.
    /// Exit code 70 is kept for real bugs.
    /// </summary>
    public static int Invoke(RootCommand root, string[] args)
    {
        foreach (var h in root.Options.OfType<HelpOption>())
            if (h.Action is HelpAction standard) h.Action = new HelpWithExamples(standard);
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        try
        {
            var result = root.Parse(args);
            if (result.Errors.Count > 0 && !HelpRequested(result))
            {
                Console.Error.WriteLine($"error: {ParseErrors.Describe(result)}");
                Console.Error.WriteLine($"run `{ParseErrors.CommandPath(result.CommandResult)} --help` for the options and examples.");
                return 2;
            }
            return result.Invoke(config);
        }
        catch (Exception e) when (UserError(e) is string message)
        {
            Console.Error.WriteLine($"error: {OneLine(message)}");
            return 2;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("LSLAB_DEBUG") != "1")
        {
            Console.Error.WriteLine($"internal error ({e.GetType().Name}): {OneLine(e.Message)}");
            Console.Error.WriteLine("This is a bug in LsLab. Run again with LSLAB_DEBUG=1 for the stack trace.");
            return 70;
        }
    }

    static bool HelpRequested(ParseResult r) =>
        r.Tokens.Any(t => t.Type == TokenType.Option && t.Value is "--help" or "-h" or "-?" or "/h" or "/?");

    /// <summary>Collapses line breaks so that a message is exactly one line.</summary>
    internal static string OneLine(string message) =>
        string.Join(' ', message.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>The run store the command opened last (named in SQLite errors, which do not name their file).</summary>
    internal static string? StorePath { get; set; }

    /// <summary>The message of an exception caused by the user's input or environment (exit 2); null for a bug (exit 70).</summary>
    public static string? UserError(Exception e) => e switch
    {
        LsLabException x => x.Message,
        InvalidDataException x => x.Message,
        FileNotFoundException x => x.Message,
        DirectoryNotFoundException x => x.Message,
        UnauthorizedAccessException x => $"permission denied: {x.Message}",
        PathTooLongException x => x.Message,
        // A short read inside a library (e.g. a truncated checkpoint) does not say which file: not mapped here.
        EndOfStreamException => null,
        IOException x when DiskFull(x) => $"disk full (no space left on device): {x.Message}",
        IOException x => $"I/O error: {x.Message}",
        Microsoft.Data.Sqlite.SqliteException x when StorePath is not null =>
            $"{StorePath}: the run store could not be read ({x.Message}). Move the file away (a new store is made) or choose another folder.",
        AggregateException { InnerExceptions.Count: 1 } a => UserError(a.InnerException!),
        TypeInitializationException { InnerException: { } inner } => UserError(inner),
        _ => null,
    };

    // ENOSPC (28) / EDQUOT (122) on Linux; ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.
    static bool DiskFull(IOException e) =>
        (e.HResult & 0xFFFF) is 28 or 122 or 0x70 or 0x27 || e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Checks an output folder before any work: it may be missing (it is created) or an existing
    /// folder, but not a file, a dangling symbolic link, or below a file. Names <paramref name="option"/>.
    /// </summary>
    public static string CheckOutDir(string path, string option = "--out") => OptionChecks.OutDir(path, option);

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

    /// <summary>--group: train runs that differ only in seed and α as one batched model (opt-in; see docs/performance.md).</summary>
    public static Option<bool> GroupOption() => new("--group") { Description = "Train runs that differ only in seed and α together as one batched model (off by default: on a 2-core CPU groups trained at 0.64–0.88× of their runs one after another and the quick reproduce took 10–20 % longer; results equal single runs to rounding, which grows over training like a change of seed; docs/performance.md)." };

    /// <summary>--threads: libtorch intra-op threads.</summary>
    public static Option<int> ThreadsOption()
    {
        var o = new Option<int>("--threads") { Description = "CPU threads for libtorch (0 = all cores).", DefaultValueFactory = _ => 0 };
        o.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && int.TryParse(r.Tokens[0].Value, out int t) && (t < 0 || t > 1024))
                r.AddError($"--threads must be in [0, 1024] (0 = all cores), got {t}.");
        });
        return o;
    }

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
