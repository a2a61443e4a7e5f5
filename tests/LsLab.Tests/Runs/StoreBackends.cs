using LsLab.Runs;
using Npgsql;

namespace LsLab.Tests.Runs;

/// <summary>
/// A [Fact] that needs the PostgreSQL server named by LSLAB_TEST_POSTGRES (tools/ci-postgres.sh starts
/// one): reported as skipped, not passed, when the variable is absent.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(PostgresTestDatabase.ServerUrl))
            Skip = "LSLAB_TEST_POSTGRES is not set (source tools/ci-postgres.sh to start a throwaway server)";
    }
}

/// <summary>A fresh database on the test server for one test, dropped afterwards; <see cref="Url"/> is its postgresql:// URL.</summary>
public sealed class PostgresTestDatabase : IDisposable
{
    public static string? ServerUrl => Environment.GetEnvironmentVariable("LSLAB_TEST_POSTGRES");

    readonly string admin, name;

    public PostgresTestDatabase()
    {
        var server = ServerUrl ?? throw new InvalidOperationException("LSLAB_TEST_POSTGRES is not set");
        admin = StoreLocation.Parse(server).PostgresConnectionString!;
        name = "lslab_t_" + Guid.NewGuid().ToString("N")[..12];
        using (var c = new NpgsqlConnection(admin))
        {
            c.Open();
            using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            cmd.ExecuteNonQuery();
        }
        var u = new Uri(server);
        Url = $"postgresql://{u.UserInfo}@{u.Host}:{u.Port}/{name}";
        User = Uri.UnescapeDataString(u.UserInfo.Split(':')[0]);
        Password = u.UserInfo.Contains(':') ? Uri.UnescapeDataString(u.UserInfo[(u.UserInfo.IndexOf(':') + 1)..]) : "";
        HostPort = $"{u.Host}:{u.Port}";
        Name = name;
    }

    /// <summary>URL with password.</summary>
    public string Url { get; }
    public string User { get; }
    public string Password { get; }
    public string HostPort { get; }
    public string Name { get; }

    /// <summary>Runs SQL on this test database (to forge old or newer schemas).</summary>
    public void Sql(string sql)
    {
        using var c = new NpgsqlConnection(StoreLocation.Parse(Url).PostgresConnectionString);
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            using var c = new NpgsqlConnection(admin);
            c.Open();
            using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", c);
            cmd.ExecuteNonQuery();
        }
        catch (NpgsqlException) { } // the server went away: nothing left to clean
    }
}
