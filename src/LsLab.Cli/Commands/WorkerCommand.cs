using System.CommandLine;
using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Cli.Commands;

/// <summary>
/// `lslab worker`: the process a Slurm array task or a Kubernetes pod runs. Takes the next ready cell
/// of a store (pending, or whose lease expired, dependencies done), trains it, and repeats; exits
/// when nothing is left, after --max-cells, or after --idle-exit seconds without work.
/// </summary>
public static class WorkerCommand
{
    /// <summary>`--lease-seconds`: how long a claim stays valid without a heartbeat.</summary>
    internal static Option<int> LeaseOption() => new("--lease-seconds")
    { Description = "Seconds a claim stays valid without renewal (renewed every third of it); a lost worker's cell is taken over after this.", DefaultValueFactory = _ => RunStore.DefaultLeaseSeconds };

    internal static int CheckLease(int seconds) => seconds >= 1 ? seconds
        : throw new LsLabException($"--lease-seconds: {seconds} is not a positive number of seconds.");

    public static Command Build()
    {
        var store = new Option<string>("--store", "-s") { Description = "Run store: a folder holding store.db or postgresql://user[:password]@host[:port]/db.", Required = true };
        var artifacts = RunsCommand.ArtifactsOption();
        var maxCells = new Option<int?>("--max-cells") { Description = "Stop after training this many cells." };
        var idleExit = new Option<double?>("--idle-exit") { Description = "Stop after this many seconds without a ready cell (default: wait while other workers still hold cells)." };
        var lease = LeaseOption();
        var maxAttempts = new Option<int>("--max-attempts") { Description = "Claims after which a failing (or repeatedly lost) cell is marked Failed instead of retried.", DefaultValueFactory = _ => 3 };
        var poll = new Option<double>("--poll") { Description = "Seconds between looks for a ready cell when none is.", DefaultValueFactory = _ => 2 };
        var quiet = Cli.QuietOption();
        var threads = Cli.ThreadsOption();
        var device = Cli.DeviceOption();
        var cmd = new Command("worker", "Train ready cells of a store one after another until none is left (start as many as you have machines or cores).")
        { store, artifacts, maxCells, idleExit, lease, maxAttempts, poll, quiet, threads, device };
        cmd.WithExamples("lslab worker --store out",
            "lslab worker --store postgresql://lslab@db.example.org/sweep --artifacts /shared/runs --idle-exit 600",
            "sbatch --array=0-7 --wrap 'lslab worker --store postgresql://lslab@db/sweep --artifacts /shared/runs --quiet'");
        cmd.SetAction(p =>
        {
            int leaseSeconds = CheckLease(p.GetValue(lease));
            int attempts = p.GetValue(maxAttempts);
            if (attempts < 1) throw new LsLabException($"--max-attempts: {attempts} is not a positive count.");
            if (p.GetValue(maxCells) is < 1) throw new LsLabException($"--max-cells: {p.GetValue(maxCells)} is not a positive count.");
            if (p.GetValue(idleExit) is < 0) throw new LsLabException($"--idle-exit: {p.GetValue(idleExit)} is not a number of seconds >= 0.");
            using var s = RunsCommand.Open(p.GetValue(store)!, p.GetValue(artifacts));
            var root = s.RequireArtifactRoot();
            Cli.InitializeEngine(p.GetValue(threads), p.GetValue(device));
            using var runner = new Runner(root, ConsoleProgress.Create(p.GetValue(quiet)), s) { LeaseSeconds = leaseSeconds, MaxAttempts = attempts };
            var pollDelay = TimeSpan.FromSeconds(Math.Max(0.1, p.GetValue(poll)));
            int trained = 0, failed = 0;
            var idleSince = DateTime.UtcNow;
            Console.WriteLine($"worker {RunStore.Me.Split('@')[0]}@{Environment.MachineName} on {s.DbPath}");
            while (p.GetValue(maxCells) is not int max || trained + failed < max)
            {
                // Store errors (server gone) end the worker with one line; the scheduler restarts it.
                var rec = s.ClaimNext(leaseSeconds, attempts);
                if (rec is not null)
                {
                    try
                    {
                        runner.RunClaimed(rec);
                    }
                    catch (LeaseLostException e)
                    {
                        Console.Error.WriteLine($"worker: {e.Message}");
                        continue;
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        // Recorded in the store (back to Pending, or Failed after --max-attempts); go on with the others.
                        Console.Error.WriteLine($"worker: cell {rec.Id} ({rec.Name}) failed (attempt {rec.Attempts} of {attempts}): {e.Message.Split('\n')[0]}");
                        failed++;
                        idleSince = DateTime.UtcNow;
                        continue;
                    }
                }
                if (rec is not null)
                {
                    trained++;
                    Console.WriteLine($"cell {rec.Id} ({rec.Name}) done");
                    idleSince = DateTime.UtcNow;
                    continue;
                }
                if (s.Outstanding() == 0) break;
                if (p.GetValue(idleExit) is double idle && (DateTime.UtcNow - idleSince).TotalSeconds >= idle)
                {
                    Console.WriteLine($"worker: idle for {idle:0.#} s; stopping");
                    break;
                }
                Thread.Sleep(pollDelay);
            }
            var all = s.List();
            Console.WriteLine($"worker: trained {trained} cell(s), {failed} failed attempt(s); store: {all.Count(r => r.Status == RunStatus.Done)}/{all.Count} done, {all.Count(r => r.Status == RunStatus.Failed)} failed");
            return 0;
        });
        return cmd;
    }
}
