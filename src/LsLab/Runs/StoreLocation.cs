using Npgsql;

namespace LsLab.Runs;

/// <summary>
/// Where a run store lives, parsed from `--store`: a folder (SQLite <c>store.db</c> inside) or a
/// <c>postgresql://user[:password]@host[:port]/db</c> URL. <see cref="Display"/> never shows the password.
/// </summary>
public sealed record StoreLocation
{
    StoreLocation(string display, string? folder, string? pgConnectionString)
    {
        Display = display;
        Folder = folder;
        PostgresConnectionString = pgConnectionString;
    }

    /// <summary>The location as it may be printed: the folder, or the URL without its password.</summary>
    public string Display { get; }
    /// <summary>The full path of the folder holding store.db (null for PostgreSQL).</summary>
    public string? Folder { get; }
    /// <summary>The Npgsql connection string (null for a folder store). Holds the password: never print it.</summary>
    internal string? PostgresConnectionString { get; }
    /// <summary>True for a PostgreSQL store (a URL), false for a folder's SQLite store.db.</summary>
    public bool IsPostgres => PostgresConnectionString is not null;

    /// <summary>Parses a `--store` value; a malformed URL is one clear line naming it (password removed).</summary>
    public static StoreLocation Parse(string value)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new LsLabException("--store: empty; give a folder or postgresql://user@host[:port]/db.");
        if (!value.Contains("://"))
            return new StoreLocation(Path.GetFullPath(value), Path.GetFullPath(value), null);
        string scheme = value[..value.IndexOf("://", StringComparison.Ordinal)];
        string shown = Redact(value);
        if (scheme is not ("postgresql" or "postgres"))
            throw new LsLabException($"--store {shown}: unknown scheme '{scheme}://'; expected a folder or postgresql://user[:password]@host[:port]/db.");
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new LsLabException($"--store {shown}: not a valid URL; expected postgresql://user[:password]@host[:port]/db.");
        string db = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (db.Length == 0 || db.Contains('/'))
            throw new LsLabException($"--store {shown}: names no database; expected postgresql://user[:password]@host[:port]/db.");
        string user = "", password = "";
        if (uri.UserInfo.Length > 0)
        {
            int colon = uri.UserInfo.IndexOf(':');
            user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            password = colon < 0 ? "" : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
        if (user.Length == 0)
            throw new LsLabException($"--store {shown}: names no user; expected postgresql://user[:password]@host[:port]/db.");
        if (uri.Query.Length > 0)
            throw new LsLabException($"--store {shown}: query parameters are not supported; give the password in PGPASSWORD or a pgpass file.");
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database = db,
            Username = user,
            Timeout = 10,
            CommandTimeout = 60,
            ApplicationName = "lslab",
        };
        // No password in the URL: Npgsql reads PGPASSWORD, then the pgpass file (PGPASSFILE or ~/.pgpass).
        if (password.Length > 0) b.Password = password;
        string display = $"postgresql://{Uri.EscapeDataString(user)}@{uri.Host}:{b.Port}/{Uri.EscapeDataString(db)}";
        return new StoreLocation(display, null, b.ConnectionString);
    }

    /// <summary>The URL with any password replaced by ***, for error messages about unparsable input.</summary>
    static string Redact(string url)
    {
        int start = url.IndexOf("://", StringComparison.Ordinal) + 3;
        int at = url.IndexOf('@', start);
        if (at < 0) return url;
        int colon = url.IndexOf(':', start);
        return colon >= 0 && colon < at ? url[..(colon + 1)] + "***" + url[at..] : url;
    }

    /// <summary>Replaces the password of every postgresql:// URL in <paramref name="text"/> (a command line recorded in a report) by ***.</summary>
    public static string RedactUrls(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"(postgres(?:ql)?://[^:@/\s]*:)[^@\s]*@", "$1***@");

    /// <summary>The printable location (<see cref="Display"/>): never the password.</summary>
    public override string ToString() => Display;
}
