using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace LsLab.Runs;

/// <summary>Lifecycle of a run in the store.</summary>
public enum RunStatus { Pending, Running, Done, Failed }

/// <summary>One row of the run store.</summary>
public sealed record RunRecord(string Id, string Name, string Experiment, string Kind, string ConfigJson, RunStatus Status,
    string? MetricsJson, string Path, string? Owner, DateTime? StartedUtc, DateTime? FinishedUtc, double Seconds, string? Error)
{
    /// <summary>Ids of the cells that must be done before this one can start (a student's teacher).</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = Array.Empty<string>();
}

/// <summary>
/// The index of every run of a `reproduce` output folder: an SQLite database (WAL mode) recording
/// each run's configuration (by content hash), status, metrics, timings and run folder. Several
/// processes may share one store: a run is claimed inside an IMMEDIATE transaction, so exactly one
/// process trains it; a claim whose owner process is gone (kill -9) is taken over.
/// </summary>
public sealed class RunStore : IDisposable
{
    readonly SqliteConnection db;

    public RunStore(string directory)
    {
        Directory.CreateDirectory(directory);
        DbPath = System.IO.Path.Combine(System.IO.Path.GetFullPath(directory), "store.db");
        db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false, DefaultTimeout = 60 }.ToString());
        db.Open();
        Exec("PRAGMA journal_mode=WAL;");
        Exec("PRAGMA busy_timeout=60000;");
        Exec("""
            CREATE TABLE IF NOT EXISTS runs (
              id TEXT PRIMARY KEY, name TEXT NOT NULL, experiment TEXT NOT NULL, kind TEXT NOT NULL,
              config_json TEXT NOT NULL, status TEXT NOT NULL, metrics_json TEXT, path TEXT NOT NULL,
              owner TEXT, started_utc TEXT, finished_utc TEXT, seconds REAL NOT NULL DEFAULT 0, error TEXT,
              attempts INTEGER NOT NULL DEFAULT 0);
            """);
        // Stores written before dependencies were recorded gain the column (empty = no dependencies).
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT COUNT(*) FROM pragma_table_info('runs') WHERE name='depends_on'";
            if (Convert.ToInt32(cmd.ExecuteScalar()) == 0) Exec("ALTER TABLE runs ADD COLUMN depends_on TEXT NOT NULL DEFAULT ''");
        }
    }

    public string DbPath { get; }

    /// <summary>This process as a claim owner: "pid@host@start-ticks" (start time guards against pid reuse).</summary>
    public static string Me { get; } = $"{Environment.ProcessId}@{Environment.MachineName}@{System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime().Ticks}";

    /// <summary>A stable id for a run: SHA-256 of its kind and configuration JSON (first 16 hex digits).</summary>
    public static string IdFor(string kind, string configJson) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(kind + "\n" + configJson)))[..16].ToLowerInvariant();

    void Exec(string sql, params (string, object?)[] args)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Adds the run as a cell if it is not there yet (same id = same spec), with its kind and dependencies; returns its record.</summary>
    public RunRecord Register(RunSpec spec, string experiment, string path)
    {
        var id = spec.Id;
        Exec("INSERT OR IGNORE INTO runs(id,name,experiment,kind,config_json,status,path,depends_on) VALUES($id,$n,$e,$k,$c,'Pending',$p,$d)",
            ("$id", id), ("$n", spec.Name), ("$e", experiment), ("$k", spec.Kind), ("$c", spec.ToJson()), ("$p", path),
            ("$d", string.Join(",", spec.Dependencies.Select(d => d.Id))));
        return Get(id)!;
    }

    /// <summary>
    /// Tries to take the run for this process. True when this process should train it now;
    /// false when it is done, or running in another live process.
    /// </summary>
    public bool TryClaim(string id)
    {
        using var tx = db.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: one writer decides
        var r = Get(id, tx) ?? throw new InvalidOperationException($"run {id} is not registered");
        bool take = r.Status switch
        {
            RunStatus.Done => false,
            RunStatus.Running => r.Owner == Me || !OwnerAlive(r.Owner),
            _ => true,
        };
        if (take)
        {
            using var cmd = db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "UPDATE runs SET status='Running', owner=$o, started_utc=$t, attempts=attempts+1, error=NULL WHERE id=$id";
            cmd.Parameters.AddWithValue("$o", Me);
            cmd.Parameters.AddWithValue("$t", DateTime.UtcNow.ToString("O"));
            cmd.Parameters.AddWithValue("$id", id);
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
        return take;
    }

    /// <summary>Whether the process that claimed a run still exists on this machine (other machines: assumed alive).</summary>
    public static bool OwnerAlive(string? owner)
    {
        if (owner is null) return false;
        var parts = owner.Split('@');
        if (parts.Length != 3 || !int.TryParse(parts[0], out int pid)) return false;
        if (parts[1] != Environment.MachineName) return true;
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

    /// <summary>Puts a run back to Pending (its folder was deleted, or the user asked to redo it).</summary>
    public void Reset(string id) => Exec("UPDATE runs SET status='Pending', owner=NULL WHERE id=$id", ("$id", id));

    public void MarkDone(string id, object metrics, double seconds) =>
        Exec("UPDATE runs SET status='Done', metrics_json=$m, finished_utc=$t, seconds=$s, owner=NULL WHERE id=$id",
            ("$m", JsonSerializer.Serialize(metrics, AtomicFile.Json)), ("$t", DateTime.UtcNow.ToString("O")), ("$s", seconds), ("$id", id));

    public void MarkFailed(string id, string error) =>
        Exec("UPDATE runs SET status='Failed', error=$e, owner=NULL WHERE id=$id", ("$e", error), ("$id", id));

    public RunRecord? Get(string id) => Get(id, null);

    RunRecord? Get(string id, SqliteTransaction? tx)
    {
        using var cmd = db.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT * FROM runs WHERE id=$id";
        cmd.Parameters.AddWithValue("$id", id);
        using var r = cmd.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }

    /// <summary>All runs, optionally of one experiment, in name order.</summary>
    public List<RunRecord> List(string? experiment = null)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = experiment is null ? "SELECT * FROM runs ORDER BY experiment, name" : "SELECT * FROM runs WHERE experiment=$e ORDER BY name";
        if (experiment is not null) cmd.Parameters.AddWithValue("$e", experiment);
        using var r = cmd.ExecuteReader();
        var list = new List<RunRecord>();
        while (r.Read()) list.Add(Read(r));
        return list;
    }

    /// <summary>Finds runs by id prefix or exact name.</summary>
    public List<RunRecord> Find(string idOrName) =>
        List().Where(r => r.Id.StartsWith(idOrName, StringComparison.OrdinalIgnoreCase) || r.Name == idOrName).ToList();

    /// <summary>How many times a run was claimed (1 for a run trained once).</summary>
    public int Attempts(string id)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT attempts FROM runs WHERE id=$id";
        cmd.Parameters.AddWithValue("$id", id);
        return Convert.ToInt32(cmd.ExecuteScalar() ?? 0);
    }

    static RunRecord Read(SqliteDataReader r)
    {
        string? S(string c) => r.IsDBNull(r.GetOrdinal(c)) ? null : r.GetString(r.GetOrdinal(c));
        DateTime? D(string c) => S(c) is string s ? DateTime.Parse(s, null, System.Globalization.DateTimeStyles.RoundtripKind) : null;
        return new RunRecord(S("id")!, S("name")!, S("experiment")!, S("kind")!, S("config_json")!, Enum.Parse<RunStatus>(S("status")!),
            S("metrics_json"), S("path")!, S("owner"), D("started_utc"), D("finished_utc"), r.GetDouble(r.GetOrdinal("seconds")), S("error"))
        {
            DependsOn = (S("depends_on") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
        };
    }

    public void Dispose() => db.Dispose();
}
