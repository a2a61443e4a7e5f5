using LsLab.Training;
using Spectre.Console;

namespace LsLab.Cli;

/// <summary>
/// Progress on the terminal: live Spectre.Console bars (loss, accuracy, speed, ETA) when standard output
/// is an interactive terminal, plain lines otherwise. Nested work (an experiment's trainings inside
/// `reproduce`) adds bars to the display already running.
/// </summary>
public static class ConsoleProgress
{
    public static IProgressReporter Create(bool quiet = false) =>
        quiet || Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive ? LsLab.Training.Progress.Lines(quiet) : new BarReporter();

    sealed class BarReporter : IProgressReporter
    {
        ProgressContext? live;

        public void Run(string title, long totalSteps, Action<IProgressTask> work)
        {
            if (live is { } ctx)
            {
                var nested = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(1, totalSteps));
                try { work(new SpectreTask(nested, title)); }
                finally { nested.Value = nested.MaxValue; nested.StopTask(); }
                return;
            }
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                         new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(c =>
                {
                    live = c;
                    try
                    {
                        var task = c.AddTask(Markup.Escape(title), maxValue: Math.Max(1, totalSteps));
                        work(new SpectreTask(task, title));
                        task.Value = task.MaxValue;
                    }
                    finally { live = null; }
                });
        }

        sealed class SpectreTask(ProgressTask task, string title) : IProgressTask
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
