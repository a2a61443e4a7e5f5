using LsLab.Runs;
using LsLab.Training;
using Microsoft.Data.Sqlite;

namespace LsLab.Tests.Runs;

/// <summary>The run-store rules, written once and run against SQLite (always) and PostgreSQL (when LSLAB_TEST_POSTGRES is set).</summary>
static class StoreContract
{
    static ClassifierRun Spec(int seed) => new(new TrainOptions { Seed = seed });

    const string OtherHost = "4242@some-other-node@638000000000000000@4026531836";

    public static void Registers_once_with_paths_relative_to_the_artifact_root(Func<string?, RunStore> open, string root)
    {
        string id;
        using (var s = open(root))
        {
            var a = s.Register(Spec(1), "e", Path.Combine(root, "cell-a"));
            Assert.Equal(a.Id, s.Register(Spec(1), "e", Path.Combine(root, "cell-a")).Id);
            Assert.Single(s.List());
            Assert.Equal(Path.Combine(root, "cell-a"), a.Path);
            id = a.Id;
        }
        // The artifact folder moved (or is mounted elsewhere on another machine): paths follow the root.
        var moved = Path.Combine(root, "elsewhere");
        using var again = open(moved);
        Assert.Equal(Path.Combine(moved, "cell-a"), again.Get(id)!.Path);
    }

    public static void Concurrent_claimers_take_different_cells_each_exactly_once(Func<string?, RunStore> open, string root)
    {
        const int cells = 24, claimers = 6;
        using (var s = open(root))
            for (int i = 0; i < cells; i++) s.Register(Spec(100 + i), "e", Path.Combine(root, $"c{i}"));
        var taken = new System.Collections.Concurrent.ConcurrentBag<string>();
        using var go = new Barrier(claimers);
        var threads = Enumerable.Range(0, claimers).Select(_ => new Thread(() =>
        {
            using var s = open(root);            // each its own connection, like separate workers
            go.SignalAndWait();
            while (s.ClaimNext(leaseSeconds: 60) is RunRecord r) taken.Add(r.Id);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Equal(cells, taken.Count);
        Assert.Equal(cells, taken.Distinct().Count());
        using var check = open(root);
        Assert.All(check.List(), r => { Assert.Equal(RunStatus.Running, r.Status); Assert.Equal(1, r.Attempts); Assert.Equal(RunStore.Me, r.Owner); });
    }

    public static void A_cell_waits_for_its_dependencies(Func<string?, RunStore> open, string root)
    {
        using var s = open(root);
        var teacher = new ClassifierRun(new TrainOptions { Seed = 7 });
        var student = new StudentRun(new TrainOptions { Seed = 8 }, teacher, 2, 0.5, LsLab.Distillation.SoftTerm.Hinton);
        s.Register(teacher, "e", Path.Combine(root, "t"));
        var st = s.Register(student, "e", Path.Combine(root, "s"));
        Assert.Equal(new[] { teacher.Id }, st.DependsOn);
        Assert.Equal(teacher.Id, s.ClaimNext()!.Id);
        Assert.Null(s.ClaimNext());                               // the student's teacher is running, not done
        Assert.Equal(2, s.Outstanding());                           // both still to finish: one running, one waiting
        s.MarkDone(teacher.Id, new { acc = 1 }, 1);
        Assert.Equal(student.Id, s.ClaimNext()!.Id);
    }

    public static void A_lease_of_another_host_that_stopped_heartbeating_is_taken_over(Func<string?, RunStore> open, string root)
    {
        using var s = open(root);
        var a = s.Register(Spec(11), "e", Path.Combine(root, "a"));
        var b = s.Register(Spec(12), "e", Path.Combine(root, "b"));
        s.ForgeLease(a.Id, OtherHost, ageSeconds: 0, leaseSeconds: 60);   // live: heartbeat just now
        s.ForgeLease(b.Id, OtherHost, ageSeconds: 30, leaseSeconds: 5);   // its node was lost 30 s ago
        Assert.True(RunStore.OwnerAlive(OtherHost));                     // no pid to look at on another host
        Assert.False(s.TryClaim(a.Id));
        var got = s.ClaimNext();
        Assert.NotNull(got);
        Assert.Equal(b.Id, got!.Id);
        Assert.Equal(RunStore.Me, got.Owner);
        Assert.Equal(2, got.Attempts);
        Assert.Null(s.ClaimNext());                                       // the live lease is left alone
        Assert.Equal(RunStatus.Running, s.Get(a.Id)!.Status);
        Assert.Equal(OtherHost, s.Get(a.Id)!.Owner);
    }

    public static void Failures_retry_up_to_the_limit_then_stay_failed_with_their_error(Func<string?, RunStore> open, string root)
    {
        using var s = open(root);
        var a = s.Register(Spec(21), "e", Path.Combine(root, "a"));
        var lost = s.Register(Spec(22), "e", Path.Combine(root, "lost"));
        var after = s.Register(new StudentRun(new TrainOptions { Seed = 23 }, (ClassifierRun)RunSpec.FromJson(a.ConfigJson, "a"), 2, 0.5, LsLab.Distillation.SoftTerm.Hinton), "e", Path.Combine(root, "after"));
        s.ForgeLease(lost.Id, OtherHost, ageSeconds: 100, leaseSeconds: 5, attempts: 3);  // lost three times already
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            var r = s.ClaimNext(maxAttempts: 3);
            Assert.Equal(a.Id, r!.Id);
            Assert.Equal(attempt, r.Attempts);
            s.MarkFailed(a.Id, $"boom {attempt}", maxAttempts: 3);
            Assert.Equal(attempt < 3 ? RunStatus.Pending : RunStatus.Failed, s.Get(a.Id)!.Status);
        }
        Assert.Equal("boom 3", s.Get(a.Id)!.Error);
        Assert.Null(s.ClaimNext(maxAttempts: 3));                         // nothing loops: both are Failed now
        var gaveUp = s.Get(lost.Id)!;
        Assert.Equal(RunStatus.Failed, gaveUp.Status);
        Assert.Contains("gave up after 3 attempts", gaveUp.Error);
        Assert.Equal(0, s.Outstanding());                                  // the student of a failed teacher is not waited for
        Assert.Equal(RunStatus.Pending, s.Get(after.Id)!.Status);
    }

    public static void The_lease_keeper_renews_and_notices_a_lost_lease(Func<string?, RunStore> open, string root)
    {
        using var s = open(root);
        var a = s.Register(Spec(31), "e", Path.Combine(root, "a"));
        Assert.True(s.TryClaim(a.Id, leaseSeconds: 1));
        var first = s.Get(a.Id)!.HeartbeatUtc!.Value;
        using (var keeper = s.KeepLease(a.Id, 1))
        {
            Thread.Sleep(1600);
            var later = s.Get(a.Id)!.HeartbeatUtc!.Value;
            Assert.True(later > first.AddMilliseconds(300), $"heartbeat not renewed: {first:O} → {later:O}");
            Assert.False(keeper.Lost);
            using (var other = open(root)) other.ForgeLease(a.Id, OtherHost, 0, 60); // someone else took it
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (!keeper.Lost && DateTime.UtcNow < deadline) Thread.Sleep(50);
            Assert.True(keeper.Lost);
            Assert.Throws<LeaseLostException>(keeper.ThrowIfLost);
        }
        Assert.Equal(OtherHost, s.Get(a.Id)!.Owner);                        // the keeper never overwrote the new owner
    }
}

public sealed class SqliteLeaseStoreTests : TempDirTest
{
    RunStore Open(string? artifacts) => new(Dir, artifacts);
    string Root => Path.Combine(Dir, "runs");

    [Fact] public void Registers_once_with_paths_relative_to_the_artifact_root() => StoreContract.Registers_once_with_paths_relative_to_the_artifact_root(Open, Root);
    [Fact] public void Concurrent_claimers_take_different_cells_each_exactly_once() => StoreContract.Concurrent_claimers_take_different_cells_each_exactly_once(Open, Root);
    [Fact] public void A_cell_waits_for_its_dependencies() => StoreContract.A_cell_waits_for_its_dependencies(Open, Root);
    [Fact] public void A_lease_of_another_host_that_stopped_heartbeating_is_taken_over() => StoreContract.A_lease_of_another_host_that_stopped_heartbeating_is_taken_over(Open, Root);
    [Fact] public void Failures_retry_up_to_the_limit_then_stay_failed_with_their_error() => StoreContract.Failures_retry_up_to_the_limit_then_stay_failed_with_their_error(Open, Root);
    [Fact] public void The_lease_keeper_renews_and_notices_a_lost_lease() => StoreContract.The_lease_keeper_renews_and_notices_a_lost_lease(Open, Root);

    [Fact]
    public void A_store_from_before_leases_is_migrated_with_relative_paths()
    {
        var runs = Path.Combine(Dir, "runs");
        var spec = new ClassifierRun(new TrainOptions { Seed = 5 });
        using (var c = new SqliteConnection($"Data Source={Path.Combine(Dir, "store.db")};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            // The schema as the previous release wrote it (no schema_version, no lease columns), with an absolute path.
            cmd.CommandText = """
                CREATE TABLE runs (id TEXT PRIMARY KEY, name TEXT NOT NULL, experiment TEXT NOT NULL, kind TEXT NOT NULL,
                  config_json TEXT NOT NULL, status TEXT NOT NULL, metrics_json TEXT, path TEXT NOT NULL, owner TEXT, started_utc TEXT,
                  finished_utc TEXT, seconds REAL NOT NULL DEFAULT 0, error TEXT, attempts INTEGER NOT NULL DEFAULT 0, depends_on TEXT NOT NULL DEFAULT '');
                INSERT INTO runs(id,name,experiment,kind,config_json,status,path,owner,attempts) VALUES($id,$n,'e','classifier',$c,'Running',$p,'999999@nowhere@1',1);
                """;
            cmd.Parameters.AddWithValue("$id", spec.Id);
            cmd.Parameters.AddWithValue("$n", spec.Name);
            cmd.Parameters.AddWithValue("$c", spec.ToJson());
            cmd.Parameters.AddWithValue("$p", Path.Combine(runs, spec.Name));
            cmd.ExecuteNonQuery();
        }
        using (var s = new RunStore(Dir))
        {
            var r = s.Get(spec.Id)!;
            Assert.Equal(Path.Combine(runs, spec.Name), r.Path);
            Assert.Null(r.HeartbeatUtc);
            Assert.Equal(spec.Id, s.ClaimNext()!.Id);                      // an old claim has no heartbeat: expired
        }
        using var raw = new SqliteConnection($"Data Source={Path.Combine(Dir, "store.db")};Pooling=False");
        raw.Open();
        using var q = raw.CreateCommand();
        q.CommandText = "SELECT (SELECT version FROM schema_version) || ' ' || path FROM runs";
        Assert.Equal($"{RunStore.SchemaVersion} {spec.Name}", q.ExecuteScalar());
    }

    [Fact]
    public void A_store_of_a_newer_schema_is_refused_and_left_untouched()
    {
        using (var s = new RunStore(Dir)) s.Register(new ClassifierRun(new TrainOptions { Seed = 6 }), "e", Path.Combine(Dir, "runs", "x"));
        var db = Path.Combine(Dir, "store.db");
        using (var c = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "UPDATE schema_version SET version = 99; PRAGMA wal_checkpoint(TRUNCATE);";
            cmd.ExecuteNonQuery();
        }
        var before = File.ReadAllBytes(db);
        var e = Assert.Throws<LsLabException>(() => new RunStore(Dir));
        Assert.Contains("schema version 99, newer than this lslab's", e.Message);
        Assert.Equal(before, File.ReadAllBytes(db));
    }
}

public sealed class PostgresLeaseStoreTests : TempDirTest
{
    string Root => Path.Combine(Dir, "runs");

    void With(Action<Func<string?, RunStore>, string> test)
    {
        using var db = new PostgresTestDatabase();
        test(artifacts => new RunStore(db.Url, artifacts), Root);
    }

    [PostgresFact] public void Registers_once_with_paths_relative_to_the_artifact_root() => With(StoreContract.Registers_once_with_paths_relative_to_the_artifact_root);
    [PostgresFact] public void Concurrent_claimers_take_different_cells_each_exactly_once() => With(StoreContract.Concurrent_claimers_take_different_cells_each_exactly_once);
    [PostgresFact] public void A_cell_waits_for_its_dependencies() => With(StoreContract.A_cell_waits_for_its_dependencies);
    [PostgresFact] public void A_lease_of_another_host_that_stopped_heartbeating_is_taken_over() => With(StoreContract.A_lease_of_another_host_that_stopped_heartbeating_is_taken_over);
    [PostgresFact] public void Failures_retry_up_to_the_limit_then_stay_failed_with_their_error() => With(StoreContract.Failures_retry_up_to_the_limit_then_stay_failed_with_their_error);
    [PostgresFact] public void The_lease_keeper_renews_and_notices_a_lost_lease() => With(StoreContract.The_lease_keeper_renews_and_notices_a_lost_lease);

    [PostgresFact]
    public void A_store_of_a_newer_schema_is_refused_and_left_untouched()
    {
        using var db = new PostgresTestDatabase();
        using (var s = new RunStore(db.Url, Root)) s.Register(new ClassifierRun(new TrainOptions { Seed = 6 }), "e", Path.Combine(Root, "x"));
        db.Sql("UPDATE schema_version SET version = 99");
        var e = Assert.Throws<LsLabException>(() => new RunStore(db.Url, Root));
        Assert.Contains("schema version 99, newer than this lslab's", e.Message);
        Assert.DoesNotContain(db.Password, e.Message);
        db.Sql("UPDATE schema_version SET version = 2");
        using var s2 = new RunStore(db.Url, Root);
        Assert.Single(s2.List());
    }
}
