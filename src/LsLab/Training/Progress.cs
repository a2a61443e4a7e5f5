using Spectre.Console;

namespace LsLab.Training;

/// <summary>A unit of long work that reports how far it got.</summary>
public interface IProgressTask
{
    /// <summary>Moves the bar forward and replaces the status text (loss, accuracy, ex/s...).</summary>
    void Advance(long steps, string? status = null);
    /// <summary>A line that stays in the output (one per epoch, warnings).</summary>
    void Log(string line);
}

/// <summary>How long work is shown: a live bar on a terminal, plain lines in logs, or nothing.</summary>
public interface IProgressReporter
{
    void Run(string title, long totalSteps, Action<IProgressTask> work);
}

/// <summary>Factory for the reporters the CLI and experiments use.</summary>
public static class Progress
{
    /// <summary>Live bar when stdout is an interactive terminal and not quiet; line per epoch otherwise.</summary>
    public static IProgressReporter Console(bool quiet = false) =>
        quiet || System.Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive
            ? new LineReporter(quiet) : new BarReporter();

    /// <summary>
    /// Runs <paramref name="work"/> under one live display with an overall bar of
    /// <paramref name="overallSteps"/>; the reporter handed to it adds a bar per run inside it.
    /// Falls back to plain lines when not on an interactive terminal.
    /// </summary>
    public static void Overall(string title, long overallSteps, bool quiet, Action<IProgressTask, IProgressReporter> work)
    {
        if (quiet || System.Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            var lines = new LineReporter(quiet);
            lines.Run(title, overallSteps, overall => work(overall, lines));
            return;
        }
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                var overall = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(1, overallSteps));
                work(new BarReporter.SpectreTask(overall, title), new NestedReporter(ctx));
                overall.Value = overall.MaxValue;
            });
    }

    sealed class NestedReporter(ProgressContext ctx) : IProgressReporter
    {
        public void Run(string title, long totalSteps, Action<IProgressTask> work)
        {
            var task = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(1, totalSteps));
            try { work(new BarReporter.SpectreTask(task, title)); }
            finally { task.Value = task.MaxValue; task.StopTask(); }
        }
    }

    /// <summary>Reports nothing (tests).</summary>
    public static IProgressReporter None { get; } = new NullReporter();

    sealed class NullReporter : IProgressReporter, IProgressTask
    {
        public void Run(string title, long totalSteps, Action<IProgressTask> work) => work(this);
        public void Advance(long steps, string? status = null) { }
        public void Log(string line) { }
    }

    sealed class LineReporter(bool quiet) : IProgressReporter
    {
        public void Run(string title, long totalSteps, Action<IProgressTask> work)
        {
            if (!quiet) System.Console.WriteLine(title);
            work(new Task());
        }

        sealed class Task : IProgressTask
        {
            public void Advance(long steps, string? status = null) { }
            public void Log(string line) => System.Console.WriteLine(line);
        }
    }

    sealed class BarReporter : IProgressReporter
    {
        public void Run(string title, long totalSteps, Action<IProgressTask> work)
        {
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                         new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(1, totalSteps));
                    work(new SpectreTask(task, title));
                    task.Value = task.MaxValue;
                });
        }

        internal sealed class SpectreTask(ProgressTask task, string title) : IProgressTask
        {
            public void Advance(long steps, string? status = null)
            {
                task.Increment(steps);
                if (status is not null) task.Description = Markup.Escape(status.Length == 0 ? title : $"{title}  {status}");
            }

            public void Log(string line) => AnsiConsole.MarkupLine(Markup.Escape(line));
        }
    }
}
