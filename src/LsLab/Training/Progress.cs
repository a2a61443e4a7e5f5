namespace LsLab.Training;

/// <summary>A unit of long work that reports how far it got.</summary>
public interface IProgressTask
{
    /// <summary>Moves the bar forward and replaces the status text (loss, accuracy, ex/s...).</summary>
    void Advance(long steps, string? status = null);
    /// <summary>A line that stays in the output (one per epoch, warnings).</summary>
    void Log(string line);
}

/// <summary>
/// How long work is shown. The library only calls this interface (work may nest: `reproduce` runs
/// experiments that run trainings); the CLI shows it as live bars, logs as plain lines, tests as nothing.
/// </summary>
public interface IProgressReporter
{
    /// <summary>Runs <paramref name="work"/> as one task of <paramref name="totalSteps"/> steps titled <paramref name="title"/>; tasks may nest.</summary>
    void Run(string title, long totalSteps, Action<IProgressTask> work);
}

/// <summary>The reporters that need no terminal.</summary>
public static class Progress
{
    /// <summary>Reports nothing (tests, planning).</summary>
    public static IProgressReporter None { get; } = new NullReporter();

    /// <summary>Plain lines on standard output: each title (unless quiet) and every logged line (one per epoch).</summary>
    public static IProgressReporter Lines(bool quiet = false) => new LineReporter(quiet);

    sealed class NullReporter : IProgressReporter, IProgressTask
    {
        public void Run(string title, long totalSteps, Action<IProgressTask> work) => work(this);
        public void Advance(long steps, string? status = null) { }
        public void Log(string line) { }
    }

    sealed class LineReporter(bool quiet) : IProgressReporter, IProgressTask
    {
        public void Run(string title, long totalSteps, Action<IProgressTask> work)
        {
            if (!quiet) Console.WriteLine(title);
            work(this);
        }

        public void Advance(long steps, string? status = null) { }
        public void Log(string line) => Console.WriteLine(line);
    }
}
