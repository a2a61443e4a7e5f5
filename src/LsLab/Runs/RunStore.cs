using System.Data;
using System.Data.Common;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace LsLab.Runs;

/// <summary>Lifecycle of a run in the store.</summary>
public enum RunStatus
{
    /// <summary>Registered, not claimed (or back after a failed attempt).</summary>
    Pending,
    /// <summary>Claimed by a process that renews its lease.</summary>
    Running,
    /// <summary>Finished: its folder holds the model and metrics.</summary>
    Done,
    /// <summary>Failed as many times as allowed; the error is recorded.</summary>
    Failed,
}

/// <summary>One row of the run store. <see cref="Path"/> is absolute (resolved against the artifact root).</summary>
public sealed record RunRecord(string Id, string Name, string Experiment, string Kind, string ConfigJson, RunStatus Status,
    string? MetricsJson, string Path, string? Owner, DateTime? StartedUtc, DateTime? FinishedUtc, double Seconds, string? Error)
{
    /// <summary>Ids of the cells that must be done before this one can start (a student's teacher).</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = Array.Empty<string>();
    /// <summary>How many times the cell was claimed (training starts, including take-overs).</summary>
    public int Attempts { get; init; }
    /// <summary>When the owner last renewed its lease (by the store's clock); null when not running.</summary>
    public DateTime? HeartbeatUtc { get; init; }
    /// <summary>Seconds a lease stays valid without renewal.</summary>
    public int LeaseSeconds { get; init; }
}

/// <summary>
/// The index of every run of a sweep: one row per cell with its configuration (by content hash),
/// status, metrics, timings and run folder (relative to the artifact root). Lives in an SQLite
/// <c>store.db</c> inside a folder (one machine) or in a PostgreSQL database (many machines); both have
/// the same versioned schema and the same rules. A claim is a <b>lease</b>: the owner renews its
/// heartbeat while it trains (<see cref="LeaseKeeper"/>); a lease not renewed within its
/// <c>lease_seconds</c> has expired and another process takes the cell over, resuming from the last
/// checkpoint. On one machine a lease whose owner process is gone is expired at once (pid check).
/// </summary>
public sealed class RunStore : IDisposable
{
    /// <summary>The schema this build writes; older stores are migrated, newer ones refused.</summary>
    public const int SchemaVersion = 2;
    /// <summary>Lease length when none is given: long enough for a slow epoch boundary, short enough for a lost node to be noticed.</summary>
    public const int DefaultLeaseSeconds = 60;

    readonly DbConnection db;
    readonly bool pg;

    /// <summary>Opens (creating when missing) the store at a folder or postgresql:// URL.</summary>
    public RunStore(string store, string? artifacts = null) : this(StoreLocation.Parse(store), artifacts) { }

    /// <summary>Opens the store; <paramref name="mustExist"/> refuses to create a new one (for inspection commands).</summary>
    public RunStore(StoreLocation location, string? artifacts = null, bool mustExist = false)
    {
        Location = location;
        pg = location.IsPostgres;
        if (location.Folder is string folder)
        {
            DbPath = System.IO.Path.Combine(folder, "store.db");
            if (mustExist && !File.Exists(DbPath))
                throw new LsLabException($"{folder}: no store.db here. Run `lslab reproduce --out {folder}` (or --plan) first.");
            Directory.CreateDirectory(folder);
            ArtifactRoot = System.IO.Path.GetFullPath(artifacts ?? System.IO.Path.Combine(folder, "runs"));
        }
        else
        {
            DbPath = location.Display;
            ArtifactRoot = artifacts is null ? null : System.IO.Path.GetFullPath(artifacts);
        }
        db = Connect();
        try { Initialize(); }
        catch { db.Dispose(); throw; }
    }

    /// <summary>Where the store is (folder or URL without password).</summary>
    public StoreLocation Location { get; }
    /// <summary>The store.db file, or the URL (without password) of a PostgreSQL store: for messages.</summary>
    public string DbPath { get; }
    /// <summary>Folder the run folders live under; stored paths are relative to it. Null for a PostgreSQL store opened without --artifacts.</summary>
    public string? ArtifactRoot { get; }

    /// <summary>The artifact root, or one clear line saying how to give it.</summary>
    public string RequireArtifactRoot() => ArtifactRoot ??
        throw new LsLabException($"--artifacts: required with the PostgreSQL store {DbPath}: the shared folder that holds the run folders.");

    /// <summary>Whether a same-host owner whose process is gone counts as expired at once (LSLAB_LEASE_PID_CHECK=0 turns it off, for tests of the pure lease rule).</summary>
    public static bool PidCheck { get; } = Environment.GetEnvironmentVariable("LSLAB_LEASE_PID_CHECK") != "0";

    /// <summary>
    /// This process as a lease owner: "pid@host@start-ticks@pid-namespace" (start time guards against
    /// pid reuse; the pid namespace keeps containers that share a host name apart).
    /// </summary>
    public static string Me { get; } = $"{Environment.ProcessId}@{Environment.MachineName}@{System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime().Ticks}@{PidNamespace()}";

    static string PidNamespace()
    {
        try { return new FileInfo("/proc/self/ns/pid").LinkTarget?.Replace("pid:", "").Trim('[', ']') ?? "0"; }
        catch (IOException) { return "0"; }
        catch (UnauthorizedAccessException) { return "0"; }
    }

    /// <summary>A stable id for a run: SHA-256 of its kind and configuration JSON (first 16 hex digits).</summary>
    public static string IdFor(string kind, string configJson) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(kind + "\n" + configJson)))[..16].ToLowerInvariant();

    /// <summary>A second connection to the same store (for the heartbeat thread: connections are not thread-safe).</summary>
    internal DbConnection Connect()
    {
        DbConnection c = pg ? new NpgsqlConnection(Location.PostgresConnectionString)
            : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false, DefaultTimeout = 60 }.ToString());
        try
        {
            c.Open();
            if (!pg) Exec(c, null, "PRAGMA busy_timeout=60000;");
            return c;
        }
        catch (Exception e)
        {
            c.Dispose();
            throw Explain(e);
        }
    }

    /// <summary>Turns a connection failure into one line naming the store (never the password).</summary>
    LsLabException Explain(Exception e) => e switch
    {
        LsLabException x => x,
        PostgresException p when p.SqlState == "28P01" => new LsLabException($"{DbPath}: password authentication failed for user '{p.Message.Split('"').ElementAtOrDefault(1)}'; check the password (URL, PGPASSWORD or pgpass file)."),
        PostgresException p when p.SqlState == "3D000" => new LsLabException($"{DbPath}: the database does not exist; create it (createdb) first."),
        PostgresException p => new LsLabException($"{DbPath}: the server refused: {p.MessageText} ({p.SqlState})."),
        NpgsqlException n when n.InnerException is SocketException s => new LsLabException($"{DbPath}: cannot reach the server ({s.Message}); is PostgreSQL running and listening there?"),
        NpgsqlException n when n.InnerException is TimeoutException => new LsLabException($"{DbPath}: the server did not answer in time; is PostgreSQL running and reachable?"),
        NpgsqlException n => new LsLabException($"{DbPath}: cannot connect ({n.Message.Split('\n')[0]})."),
        SqliteException { SqliteErrorCode: 26 } => new LsLabException($"{DbPath}: not an SQLite database (the run store is damaged or was overwritten); move it away to start a new store, or choose another folder."),
        SqliteException s => new LsLabException($"{DbPath}: cannot open the SQLite store ({s.Message.Split('\n')[0]})."),
        _ => new LsLabException($"{DbPath}: cannot open the store ({e.Message.Split('\n')[0]})."),
    };

    /// <summary>The store's clock in Unix milliseconds: one clock for every worker (the server's, for PostgreSQL).</summary>
    string Now => pg ? "(extract(epoch from clock_timestamp()) * 1000)::bigint" : "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";

    static int Exec(DbConnection c, DbTransaction? tx, string sql, params (string, object?)[] args)
    {
        using var cmd = Command(c, tx, sql, args);
        return cmd.ExecuteNonQuery();
    }

    static DbCommand Command(DbConnection c, DbTransaction? tx, string sql, params (string, object?)[] args)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        foreach (var (n, v) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = n;
            p.Value = v ?? DBNull.Value;
            if (v is null) p.DbType = DbType.String;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    int Exec(string sql, params (string, object?)[] args) => Exec(db, null, sql, args);

    object? Scalar(DbTransaction? tx, string sql, params (string, object?)[] args)
    {
        using var cmd = Command(db, tx, sql, args);
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    DbTransaction Begin() => pg ? db.BeginTransaction(IsolationLevel.ReadCommitted) : ((SqliteConnection)db).BeginTransaction(deferred: false); // SQLite: BEGIN IMMEDIATE, one writer decides

    // ---- schema ----

    const string RunsTable = """
        CREATE TABLE runs (
          id TEXT PRIMARY KEY, name TEXT NOT NULL, experiment TEXT NOT NULL, kind TEXT NOT NULL,
          config_json TEXT NOT NULL, status TEXT NOT NULL, metrics_json TEXT, path TEXT NOT NULL,
          owner TEXT, started_utc TEXT, finished_utc TEXT, seconds DOUBLE PRECISION NOT NULL DEFAULT 0, error TEXT,
          attempts INTEGER NOT NULL DEFAULT 0, depends_on TEXT NOT NULL DEFAULT '',
          heartbeat_ms BIGINT, lease_seconds INTEGER NOT NULL DEFAULT 0)
        """;

    /// <summary>0 = empty database, 1 = a store from before versioning (no schema_version table), else the recorded version.</summary>
    int ReadVersion(DbTransaction? tx)
    {
        bool Has(string table) => pg
            ? Scalar(tx, "SELECT to_regclass(@t) IS NOT NULL", ("@t", table)) is true
            : Convert.ToInt64(Scalar(tx, "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name=@t", ("@t", table))) > 0;
        if (Has("schema_version")) return Convert.ToInt32(Scalar(tx, "SELECT MAX(version) FROM schema_version") ?? 0);
        return Has("runs") ? 1 : 0;
    }

    void RefuseNewer(int version)
    {
        if (version > SchemaVersion)
            throw new LsLabException($"{DbPath}: the store has schema version {version}, newer than this lslab's ({SchemaVersion}); use a newer lslab.");
    }

    void Initialize()
    {
        try
        {
            RefuseNewer(ReadVersion(null)); // before anything is written
            if (!pg) Exec("PRAGMA journal_mode=WAL;");
            using var tx = Begin();
            if (pg) Scalar(tx, "SELECT pg_advisory_xact_lock(74170017)"); // one migrator at a time
            int version = ReadVersion(tx);
            RefuseNewer(version);
            if (version == SchemaVersion) { tx.Commit(); return; }
            if (version == 0) Exec(db, tx, RunsTable);
            else MigrateFromV1(tx);
            Exec(db, tx, "CREATE TABLE schema_version (version INTEGER NOT NULL)");
            Exec(db, tx, "INSERT INTO schema_version(version) VALUES (@v)", ("@v", SchemaVersion));
            tx.Commit();
        }
        catch (Exception e) when (e is DbException) { throw Explain(e); }
    }

    /// <summary>Version 1 (SQLite, before leases): adds depends_on if missing, heartbeat and lease columns; makes paths under the artifact root relative.</summary>
    void MigrateFromV1(DbTransaction tx)
    {
        var columns = new HashSet<string>();
        using (var cmd = Command(db, tx, pg ? "SELECT column_name FROM information_schema.columns WHERE table_name='runs'" : "SELECT name FROM pragma_table_info('runs')"))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) columns.Add(r.GetString(0));
        if (!columns.Contains("depends_on")) Exec(db, tx, "ALTER TABLE runs ADD COLUMN depends_on TEXT NOT NULL DEFAULT ''");
        if (!columns.Contains("heartbeat_ms")) Exec(db, tx, "ALTER TABLE runs ADD COLUMN heartbeat_ms BIGINT");
        if (!columns.Contains("lease_seconds")) Exec(db, tx, "ALTER TABLE runs ADD COLUMN lease_seconds INTEGER NOT NULL DEFAULT 0");
        if (ArtifactRoot is null) return;
        var paths = new List<(string Id, string Path)>();
        using (var cmd = Command(db, tx, "SELECT id, path FROM runs"))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) paths.Add((r.GetString(0), r.GetString(1)));
        foreach (var (id, path) in paths)
            if (System.IO.Path.IsPathRooted(path) && Relative(path) is string rel && rel != path)
                Exec(db, tx, "UPDATE runs SET path=@p WHERE id=@id", ("@p", rel), ("@id", id));
    }

    /// <summary>A run folder as stored: relative to the artifact root when inside it, else absolute.</summary>
    string Relative(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (ArtifactRoot is null) return full;
        var rel = System.IO.Path.GetRelativePath(ArtifactRoot, full);
        return rel.StartsWith("..", StringComparison.Ordinal) || System.IO.Path.IsPathRooted(rel) ? full : rel;
    }

    string Absolute(string stored) => System.IO.Path.IsPathRooted(stored) || ArtifactRoot is null ? stored : System.IO.Path.Combine(ArtifactRoot, stored);

    // ---- cells ----

    /// <summary>Adds the run as a cell if it is not there yet (same id = same spec), with its kind and dependencies; returns its record.</summary>
    public RunRecord Register(RunSpec spec, string experiment, string path)
    {
        var id = spec.Id;
        Exec("INSERT INTO runs(id,name,experiment,kind,config_json,status,path,depends_on) VALUES(@id,@n,@e,@k,@c,'Pending',@p,@d) ON CONFLICT (id) DO NOTHING",
            ("@id", id), ("@n", spec.Name), ("@e", experiment), ("@k", spec.Kind), ("@c", spec.ToJson()), ("@p", Relative(path)),
            ("@d", string.Join(",", spec.Dependencies.Select(d => d.Id))));
        return Get(id)!;
    }

    long NowMs(DbTransaction? tx) => Convert.ToInt64(Scalar(tx, "SELECT " + Now));

    /// <summary>A running cell's lease has run out (or its owner is known dead on this machine).</summary>
    static bool Expired(RunRecord r, long nowMs)
    {
        if (r.Status != RunStatus.Running) return false;
        if (r.HeartbeatUtc is not DateTime hb) return true;
        long hbMs = new DateTimeOffset(hb).ToUnixTimeMilliseconds();
        return hbMs + r.LeaseSeconds * 1000L < nowMs || (PidCheck && !OwnerAlive(r.Owner));
    }

    /// <summary>
    /// Tries to take the run for this process (an explicit request: reproduce, run-cell). True when
    /// this process should train it now; false when it is done, or held by a live lease of another process.
    /// Failed cells are taken again (the user asked).
    /// </summary>
    public bool TryClaim(string id, int leaseSeconds = DefaultLeaseSeconds)
    {
        try
        {
            using var tx = Begin();
            var r = GetLocked(id, tx, skipLocked: false) ?? throw new InvalidOperationException($"run {id} is not registered");
            long now = NowMs(tx);
            bool take = r.Status switch
            {
                RunStatus.Done => false,
                RunStatus.Running => r.Owner == Me || Expired(r, now),
                _ => true,
            };
            if (take) Claim(tx, id, leaseSeconds);
            tx.Commit();
            return take;
        }
        catch (DbException e) { throw Explain(e); }
    }

    void Claim(DbTransaction tx, string id, int leaseSeconds) =>
        Exec(db, tx, $"UPDATE runs SET status='Running', owner=@o, started_utc=@t, heartbeat_ms={Now}, lease_seconds=@l, attempts=attempts+1, error=NULL WHERE id=@id",
            ("@o", Me), ("@t", DateTime.UtcNow.ToString("O")), ("@l", leaseSeconds), ("@id", id));

    /// <summary>
    /// Takes the next ready cell for a worker: Pending, or Running with an expired lease, and every
    /// dependency Done. On PostgreSQL the row is locked with FOR UPDATE SKIP LOCKED, so workers asking at
    /// once take different cells. A cell whose lease expired after <paramref name="maxAttempts"/> claims
    /// is marked Failed instead of being taken again. Returns null when no cell is ready.
    /// </summary>
    public RunRecord? ClaimNext(int leaseSeconds = DefaultLeaseSeconds, int maxAttempts = 3)
    {
        try
        {
            var all = List();
            var done = all.Where(r => r.Status == RunStatus.Done).Select(r => r.Id).ToHashSet();
            long now = NowMs(null);
            foreach (var c in all.Where(r => (r.Status == RunStatus.Pending || Expired(r, now)) && r.DependsOn.All(done.Contains)))
            {
                using var tx = Begin();
                var r = GetLocked(c.Id, tx, skipLocked: true);
                now = NowMs(tx);
                if (r is null || !(r.Status == RunStatus.Pending || Expired(r, now))) { tx.Rollback(); continue; }
                if (r.Status == RunStatus.Running && r.Attempts >= maxAttempts)
                {
                    Exec(db, tx, "UPDATE runs SET status='Failed', owner=NULL, heartbeat_ms=NULL, error=@e WHERE id=@id",
                        ("@e", $"gave up after {r.Attempts} attempts: the lease of {r.Owner} expired (worker lost){(r.Error is null ? "" : "; last error: " + r.Error)}"), ("@id", r.Id));
                    tx.Commit();
                    continue;
                }
                Claim(tx, r.Id, leaseSeconds);
                tx.Commit();
                return Get(r.Id);
            }
            return null;
        }
        catch (DbException e) { throw Explain(e); }
    }

    /// <summary>Cells a worker may still get: not Done, not Failed, and not behind a failed dependency.</summary>
    public int Outstanding()
    {
        var all = List().ToDictionary(r => r.Id);
        var memo = new Dictionary<string, bool>();
        bool Blocked(string id) => memo.TryGetValue(id, out var b) ? b
            : memo[id] = !all.TryGetValue(id, out var r) || r.Status == RunStatus.Failed || r.DependsOn.Any(Blocked);
        return all.Values.Count(r => r.Status is RunStatus.Pending or RunStatus.Running && !Blocked(r.Id));
    }

    /// <summary>Whether the process that claimed a run may still exist: false only when it is on this machine (same pid namespace) and gone.</summary>
    public static bool OwnerAlive(string? owner)
    {
        if (owner is null) return false;
        var parts = owner.Split('@');
        if (parts.Length is not (3 or 4) || !int.TryParse(parts[0], out int pid)) return false;
        if (parts[1] != Environment.MachineName) return true;
        if (parts.Length == 4 && parts[3] != Me.Split('@')[3]) return true; // another container: its pids are not ours to look at
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            // Start times read from another process can differ from the self-read value by rounding: allow 1 s.
            return !p.HasExited && long.TryParse(parts[2], out long ticks)
                   && Math.Abs(p.StartTime.ToUniversalTime().Ticks - ticks) < TimeSpan.TicksPerSecond;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Renews this process's lease on a cell (on the given connection); false when the lease is no longer ours.</summary>
    internal bool Renew(DbConnection c, string id) =>
        Exec(c, null, $"UPDATE runs SET heartbeat_ms={Now} WHERE id=@id AND owner=@o AND status='Running'", ("@id", id), ("@o", Me)) == 1;

    /// <summary>Starts renewing this process's lease on <paramref name="id"/> from a background timer until disposed.</summary>
    public LeaseKeeper KeepLease(string id, int leaseSeconds) => new(this, id, leaseSeconds);

    /// <summary>Puts a run back to Pending (its folder was deleted, or the user asked to redo it).</summary>
    public void Reset(string id) => Exec("UPDATE runs SET status='Pending', owner=NULL, heartbeat_ms=NULL WHERE id=@id", ("@id", id));

    /// <summary>Points a cell at its folder under a new name (after a change of the naming rule).</summary>
    public void Relink(string id, string name, string path) =>
        Exec("UPDATE runs SET name=@n, path=@p WHERE id=@id", ("@n", name), ("@p", Relative(path)), ("@id", id));

    /// <summary>Records a finished run with its final metrics and training time, and releases its claim.</summary>
    public void MarkDone(string id, object metrics, double seconds) =>
        Exec("UPDATE runs SET status='Done', metrics_json=@m, finished_utc=@t, seconds=@s, owner=NULL, heartbeat_ms=NULL, error=NULL WHERE id=@id",
            ("@m", JsonSerializer.Serialize(metrics, AtomicFile.Json)), ("@t", DateTime.UtcNow.ToString("O")), ("@s", seconds), ("@id", id));

    /// <summary>
    /// Records a failed attempt: the cell goes back to Pending for another try, or to Failed with
    /// <paramref name="error"/> once it has been claimed <paramref name="maxAttempts"/> times.
    /// </summary>
    public void MarkFailed(string id, string error, int maxAttempts = 1) =>
        Exec("UPDATE runs SET status=CASE WHEN attempts >= @max THEN 'Failed' ELSE 'Pending' END, error=@e, owner=NULL, heartbeat_ms=NULL WHERE id=@id",
            ("@max", maxAttempts), ("@e", error), ("@id", id));

    /// <summary>The cell with this id, or null when the store has none.</summary>
    public RunRecord? Get(string id) => Get(id, null);

    RunRecord? Get(string id, DbTransaction? tx)
    {
        using var cmd = Command(db, tx, "SELECT * FROM runs WHERE id=@id", ("@id", id));
        using var r = cmd.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }

    /// <summary>The row, locked for this transaction (PostgreSQL FOR UPDATE [SKIP LOCKED]: null when another claimer holds it); SQLite's IMMEDIATE transaction already excludes other writers.</summary>
    RunRecord? GetLocked(string id, DbTransaction tx, bool skipLocked)
    {
        string sql = "SELECT * FROM runs WHERE id=@id" + (pg ? (skipLocked ? " FOR UPDATE SKIP LOCKED" : " FOR UPDATE") : "");
        using var cmd = Command(db, tx, sql, ("@id", id));
        using var r = cmd.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }

    /// <summary>All runs, optionally of one experiment, in name order.</summary>
    public List<RunRecord> List(string? experiment = null)
    {
        using var cmd = experiment is null ? Command(db, null, "SELECT * FROM runs ORDER BY experiment, name")
            : Command(db, null, "SELECT * FROM runs WHERE experiment=@e ORDER BY name", ("@e", experiment));
        using var r = cmd.ExecuteReader();
        var list = new List<RunRecord>();
        while (r.Read()) list.Add(Read(r));
        return list;
    }

    /// <summary>Finds runs by id prefix or exact name.</summary>
    public List<RunRecord> Find(string idOrName) =>
        List().Where(r => r.Id.StartsWith(idOrName, StringComparison.OrdinalIgnoreCase) || r.Name == idOrName).ToList();

    /// <summary>How many times a run was claimed (1 for a run trained once).</summary>
    public int Attempts(string id) => Get(id)?.Attempts ?? 0;

    /// <summary>The store's clock now (UTC), for heartbeat ages.</summary>
    public DateTime ClockUtc() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs(null)).UtcDateTime;

    /// <summary>Tests: makes a cell look claimed by <paramref name="owner"/> with its last heartbeat <paramref name="ageSeconds"/> ago.</summary>
    internal void ForgeLease(string id, string owner, double ageSeconds, int leaseSeconds, int attempts = 1) =>
        Exec($"UPDATE runs SET status='Running', owner=@o, heartbeat_ms={Now} - @age, lease_seconds=@l, attempts=@a WHERE id=@id",
            ("@o", owner), ("@age", (long)(ageSeconds * 1000)), ("@l", leaseSeconds), ("@a", attempts), ("@id", id));

    RunRecord Read(DbDataReader r)
    {
        string? S(string c) => r.IsDBNull(r.GetOrdinal(c)) ? null : r.GetString(r.GetOrdinal(c));
        long? L(string c) => r.IsDBNull(r.GetOrdinal(c)) ? null : Convert.ToInt64(r.GetValue(r.GetOrdinal(c)));
        DateTime? D(string c) => S(c) is string s ? DateTime.Parse(s, null, System.Globalization.DateTimeStyles.RoundtripKind) : null;
        return new RunRecord(S("id")!, S("name")!, S("experiment")!, S("kind")!, S("config_json")!, Enum.Parse<RunStatus>(S("status")!),
            S("metrics_json"), Absolute(S("path")!), S("owner"), D("started_utc"), D("finished_utc"), Convert.ToDouble(r.GetValue(r.GetOrdinal("seconds"))), S("error"))
        {
            DependsOn = (S("depends_on") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
            Attempts = (int)(L("attempts") ?? 0),
            HeartbeatUtc = L("heartbeat_ms") is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime : null,
            LeaseSeconds = (int)(L("lease_seconds") ?? 0),
        };
    }

    /// <summary>Closes the store's connection.</summary>
    public void Dispose() => db.Dispose();
}

/// <summary>
/// Renews a lease from a background timer (every third of the lease) on its own connection while a
/// cell trains. When the lease turns out to be someone else's, or cannot be renewed for a whole lease
/// time, <see cref="Lost"/> becomes true and <see cref="ThrowIfLost"/> stops the training.
/// </summary>
public sealed class LeaseKeeper : IDisposable
{
    readonly RunStore store;
    readonly string id;
    readonly int leaseSeconds;
    readonly Timer timer;
    readonly Lock gate = new();
    DbConnection? connection;
    DateTime lastRenewed = DateTime.UtcNow;
    volatile bool lost, disposed;

    internal LeaseKeeper(RunStore store, string id, int leaseSeconds)
    {
        this.store = store;
        this.id = id;
        this.leaseSeconds = leaseSeconds;
        var period = TimeSpan.FromSeconds(Math.Max(0.2, leaseSeconds / 3.0));
        timer = new Timer(_ => Renew(), null, period, period);
    }

    /// <summary>True once the lease is known (or must be assumed) to belong to another process.</summary>
    public bool Lost => lost;

    /// <summary>Renews now (also called at each epoch).</summary>
    public void Renew()
    {
        lock (gate)
        {
            if (disposed || lost) return;
            try
            {
                connection ??= store.Connect();
                if (store.Renew(connection, id)) lastRenewed = DateTime.UtcNow;
                else lost = true;
            }
            catch (Exception)
            {
                connection?.Dispose();
                connection = null; // reconnect next tick; give up once a whole lease passed without renewal
                if ((DateTime.UtcNow - lastRenewed).TotalSeconds > leaseSeconds) lost = true;
            }
        }
    }

    /// <summary>Stops the caller when the lease is lost: another worker now owns the cell.</summary>
    public void ThrowIfLost()
    {
        if (lost) throw new LeaseLostException($"cell {id}: lease lost (not renewed within {leaseSeconds} s); another worker owns it now.");
    }

    /// <summary>Stops renewing the lease (waits for a renewal in progress).</summary>
    public void Dispose()
    {
        using (var done = new ManualResetEvent(false))
            if (timer.Dispose(done)) done.WaitOne(TimeSpan.FromSeconds(30));
        lock (gate)
        {
            disposed = true;
            connection?.Dispose();
        }
    }
}

/// <summary>This process no longer holds the lease of the cell it was training.</summary>
public sealed class LeaseLostException(string message) : LsLabException(message);
