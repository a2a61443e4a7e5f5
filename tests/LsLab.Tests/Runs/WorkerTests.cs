using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using LsLab.Runs;
using LsLab.Training;

namespace LsLab.Tests.Runs;

/// <summary>`lslab worker` processes on one store: a sweep shared by four, a worker killed mid-cell, and store errors.</summary>
public sealed class WorkerTests : TempDirTest
{
    static (int Code, string Out, string Err) Run(string? cwd, IDictionary<string, string>? env, params string[] args)
    {
        using var p = Start(cwd, env, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(true); throw new TimeoutException($"lslab {string.Join(' ', args)} took over 3 minutes"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    static Process Start(string? cwd, IDictionary<string, string>? env, params string[] args)
    {
        var psi = CliProcess.Info(args);
        if (cwd is not null) psi.WorkingDirectory = cwd;
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return Process.Start(psi)!;
    }

    /// <summary>Plans the tiny calibration sweep into <paramref name="store"/>, runs four workers at once, checks every cell was trained exactly once.</summary>
    void FourWorkersCompleteTheSweep(string store, string? artifacts, bool reportPass, string? secret = null)
    {
        var extra = artifacts is null ? Array.Empty<string>() : new[] { "--artifacts", artifacts };
        var plan = Run(null, null, ["reproduce", "--profile", "tiny", "--only", "calibration", "--plan", "--out", Dir, "--store", store, .. extra]);
        Assert.True(plan.Code == 0, plan.Err);
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(() => Run(null, null, ["worker", "--store", store, "--quiet", "--threads", "1", "--poll", "0.3", .. extra]))).ToArray();
        Task.WaitAll(workers);
        foreach (var w in workers) Assert.True(w.Result.Code == 0, w.Result.Err);
        int cellsDone = workers.Sum(w => w.Result.Out.Split('\n').Count(l => l.StartsWith("cell ") && l.EndsWith(" done")));
        Assert.Equal(3, cellsDone);                                          // three cells, three training runs in all
        using (var s = new RunStore(StoreLocation.Parse(store), artifacts))
        {
            var runs = s.List();
            Assert.Equal(3, runs.Count);
            Assert.All(runs, r => Assert.Equal(RunStatus.Done, r.Status));
            Assert.All(runs, r => Assert.Equal(1, r.Attempts));             // training starts counted in the store
            Assert.All(runs, r => Assert.True(new RunFolder(r.Path).IsComplete, r.Path));
        }
        var watch = Run(null, null, ["runs", "watch", "--store", store, "--once", .. extra]);
        Assert.True(watch.Code == 0, watch.Err);
        Assert.Equal(3, watch.Out.Split('\n').Count(l => l.Contains("│ Done ")));

        if (!reportPass) return;                                            // (ScaleOutTests covers the report pass on a folder store)
        // The report pass trains nothing more and writes the report.
        var report = Run(null, null, ["reproduce", "--profile", "tiny", "--only", "calibration", "--out", Dir, "--store", store, "--quiet", .. extra]);
        Assert.True(report.Code == 0, report.Err);
        using var after = new RunStore(StoreLocation.Parse(store), artifacts);
        Assert.All(after.List(), r => Assert.Equal(1, r.Attempts));
        Assert.True(File.Exists(Path.Combine(Dir, "report", "index.html")));
        if (secret is not null)                                             // the recorded command line shows the URL without its password
            foreach (var f in new[] { "index.html", "README.md" })
                Assert.DoesNotContain(":" + secret + "@", File.ReadAllText(Path.Combine(Dir, "report", f)));
    }

    [Fact]
    public void Four_workers_on_a_folder_store_train_every_cell_exactly_once() => FourWorkersCompleteTheSweep(Dir, null, reportPass: false);

    [PostgresFact]
    public void Four_workers_on_a_postgresql_store_train_every_cell_exactly_once()
    {
        using var db = new PostgresTestDatabase();
        FourWorkersCompleteTheSweep(db.Url, Path.Combine(Dir, "shared-runs"), reportPass: true, secret: db.Password);
    }

    static TrainOptions Slow => new()
    {
        Dataset = LsLab.Data.DatasetCatalog.Embedded, Model = "mlp-small", Width = 32, Epochs = 6, TrainLimit = 1000,
    };

    static string Sha(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    [Fact]
    public void A_worker_killed_mid_cell_is_taken_over_after_its_lease_expires_and_the_model_matches_an_uninterrupted_run()
    {
        var spec = new ClassifierRun(Slow);
        var a = Path.Combine(Dir, "a");
        string id;
        using (var s = new RunStore(a)) id = s.Register(spec, "kill", Path.Combine(a, "runs", spec.Name)).Id;
        var folder = new RunFolder(Path.Combine(a, "runs", spec.Name));

        using var first = Start(null, null, "worker", "--store", a, "--lease-seconds", "2", "--threads", "1", "--quiet");
        _ = first.StandardOutput.ReadToEndAsync();
        _ = first.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline && !first.HasExited)
        {
            try { if (File.Exists(folder.MetricsPath) && folder.ReadMetrics() is { EpochsDone: >= 1, Finished: false }) break; }
            catch (IOException) { }
            catch (System.Text.Json.JsonException) { }
            Thread.Sleep(30);
        }
        Assert.False(first.HasExited, "the worker finished before it could be killed");
        first.Kill(entireProcessTree: true);                          // SIGKILL: no cleanup, the lease just stops being renewed
        first.WaitForExit();
        DateTime lastBeat;
        using (var s = new RunStore(a))
        {
            var r = s.Get(id)!;
            Assert.Equal(RunStatus.Running, r.Status);
            lastBeat = r.HeartbeatUtc!.Value;
        }
        var list = Run(null, null, "runs", "list", "--store", a);
        Assert.True(list.Code == 0, list.Err);
        Assert.Contains("Running", list.Out);
        Assert.Contains($"{first.Id}@", list.Out);                      // owner of the lease
        Assert.Matches(@"\d+ s ago", list.Out);                         // heartbeat age
        Assert.Matches(@"│ [1-6]/6 ", list.Out);                         // epoch reached

        // Another worker, with the same-machine pid shortcut off: only the lease rule can hand it the cell.
        var noPid = new Dictionary<string, string> { ["LSLAB_LEASE_PID_CHECK"] = "0" };
        var second = Run(null, noPid, "worker", "--store", a, "--lease-seconds", "2", "--threads", "1", "--poll", "0.2");
        Assert.True(second.Code == 0, second.Err);
        Assert.Contains("Resuming", second.Out);                        // from the checkpoint, not from scratch
        using (var s = new RunStore(a))
        {
            var r = s.Get(id)!;
            Assert.Equal(RunStatus.Done, r.Status);
            Assert.Equal(2, r.Attempts);
            Assert.True(r.StartedUtc >= lastBeat.AddSeconds(1.9), $"taken over at {r.StartedUtc:O}, before the lease (last beat {lastBeat:O} + 2 s) expired");
        }

        // The same cell trained without interruption in another store.
        var b = Path.Combine(Dir, "b");
        string idB;
        using (var s = new RunStore(b)) idB = s.Register(spec, "ref", Path.Combine(b, "runs", spec.Name)).Id;
        var reference = Run(null, null, "run-cell", "--store", b, "--cell", idB, "--threads", "1", "--quiet");
        Assert.True(reference.Code == 0, reference.Err);
        var refFolder = new RunFolder(Path.Combine(b, "runs", spec.Name));
        Assert.Equal(Sha(refFolder.ModelPath), Sha(folder.ModelPath));
        Assert.Equal(refFolder.ReadMetrics().History.Select(h => h.ValidationLoss), folder.ReadMetrics().History.Select(h => h.ValidationLoss));
    }

    [Fact]
    public void A_cell_that_keeps_failing_is_marked_failed_after_max_attempts_and_the_worker_goes_on()
    {
        string bad, good;
        using (var s = new RunStore(Dir))
        {
            var broken = new ClassifierRun(new TrainOptions { Dataset = "no-such-dataset", Model = "mlp-small", Width = 16, Epochs = 1 });
            var fine = new ClassifierRun(new TrainOptions { Dataset = LsLab.Data.DatasetCatalog.Embedded, Model = "mlp-small", Width = 16, Epochs = 1, TrainLimit = 300 });
            bad = s.Register(broken, "e", Path.Combine(Dir, "runs", broken.Name)).Id;
            good = s.Register(fine, "e", Path.Combine(Dir, "runs", fine.Name)).Id;
        }
        var w = Run(null, null, "worker", "--store", Dir, "--max-attempts", "2", "--quiet", "--threads", "1");
        Assert.True(w.Code == 0, w.Err);
        Assert.Equal(2, w.Err.Split('\n').Count(l => l.Contains($"cell {bad}") && l.Contains("failed")));
        using var after = new RunStore(Dir);
        var b = after.Get(bad)!;
        Assert.Equal(RunStatus.Failed, b.Status);
        Assert.Equal(2, b.Attempts);
        Assert.Contains("no-such-dataset", b.Error);
        Assert.Equal(RunStatus.Done, after.Get(good)!.Status);
    }

    static int ClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Runs the command in an empty folder; asserts exit 2, one line on stderr containing <paramref name="expect"/>, no secret, nothing written.</summary>
    void OneClearLine(string expect, string? secret, params string[] args)
    {
        var cwd = Directory.CreateDirectory(Path.Combine(Dir, "cwd-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        var (code, stdout, stderr) = Run(cwd, null, args);
        Assert.True(code == 2, $"exit {code}: {stdout} {stderr}");
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, stderr);
        Assert.Contains(expect, lines[0]);
        if (secret is not null) Assert.DoesNotContain(secret, stdout + stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(cwd));
    }

    [Fact]
    public void Bad_urls_an_unreachable_server_and_a_newer_schema_are_one_clear_line_each()
    {
        OneClearLine("unknown scheme 'mysql://'", null, "runs", "list", "--store", "mysql://u@127.0.0.1/db");
        OneClearLine("names no user", null, "worker", "--store", "postgresql://127.0.0.1/db");
        OneClearLine("names no database", "s3cret", "worker", "--store", "postgresql://u:s3cret@127.0.0.1/");
        OneClearLine("cannot reach the server", "s3cret", "worker", "--store", $"postgresql://u:s3cret@127.0.0.1:{ClosedPort()}/db", "--artifacts", "runs");

        var store = Path.Combine(Dir, "newer");
        using (var s = new RunStore(store)) s.Register(new ClassifierRun(new TrainOptions { Seed = 3 }), "e", Path.Combine(store, "runs", "x"));
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(store, "store.db")};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "UPDATE schema_version SET version = 3; PRAGMA wal_checkpoint(TRUNCATE);";
            cmd.ExecuteNonQuery();
        }
        var before = Sha(Path.Combine(store, "store.db"));
        OneClearLine("schema version 3, newer than this lslab's (2)", null, "worker", "--store", store);
        OneClearLine("schema version 3, newer than this lslab's (2)", null, "runs", "list", "--store", store);
        Assert.Equal(before, Sha(Path.Combine(store, "store.db")));
        Assert.False(Directory.Exists(Path.Combine(store, "runs")));
    }

    [PostgresFact]
    public void A_wrong_password_and_a_newer_postgresql_schema_are_one_clear_line_each()
    {
        using var db = new PostgresTestDatabase();
        OneClearLine("password authentication failed", "not-the-password", "runs", "list", "--store", $"postgresql://{db.User}:not-the-password@{db.HostPort}/{db.Name}");
        using (var s = new RunStore(db.Url, Path.Combine(Dir, "runs"))) s.Register(new ClassifierRun(new TrainOptions { Seed = 3 }), "e", Path.Combine(Dir, "runs", "x"));
        db.Sql("UPDATE schema_version SET version = 7");
        OneClearLine("schema version 7, newer than this lslab's (2)", db.Password, "worker", "--store", db.Url, "--artifacts", Path.Combine(Dir, "runs"));
        // The password may also come from PGPASSWORD instead of the URL.
        db.Sql("UPDATE schema_version SET version = 2");
        var psi = CliProcess.Info("runs", "list", "--store", $"postgresql://{db.User}@{db.HostPort}/{db.Name}");
        psi.Environment["PGPASSWORD"] = db.Password;
        using var p = Process.Start(psi)!;
        var outText = p.StandardOutput.ReadToEnd();
        var errText = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, errText);
        Assert.Contains("Pending", outText);
    }
}
