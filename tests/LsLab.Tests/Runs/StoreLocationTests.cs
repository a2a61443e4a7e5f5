using LsLab.Runs;

namespace LsLab.Tests.Runs;

public sealed class StoreLocationTests
{
    [Fact]
    public void A_postgresql_url_becomes_a_connection_string_and_a_display_without_password()
    {
        var l = StoreLocation.Parse("postgresql://ann:p%40ss@db.example.org:6543/sweep");
        Assert.True(l.IsPostgres);
        Assert.Equal("postgresql://ann@db.example.org:6543/sweep", l.Display);
        var b = new Npgsql.NpgsqlConnectionStringBuilder(l.PostgresConnectionString);
        Assert.Equal(("db.example.org", 6543, "sweep", "ann", "p@ss"), (b.Host, b.Port, b.Database, b.Username, b.Password));
        var noPassword = new Npgsql.NpgsqlConnectionStringBuilder(StoreLocation.Parse("postgres://ann@h/db").PostgresConnectionString);
        Assert.Equal((5432, (string?)null), (noPassword.Port, noPassword.Password));   // PGPASSWORD / pgpass then
    }

    [Fact]
    public void A_folder_is_a_folder_and_bad_urls_say_what_was_expected_without_the_password()
    {
        var f = StoreLocation.Parse("out");
        Assert.False(f.IsPostgres);
        Assert.Equal(Path.GetFullPath("out"), f.Folder);
        foreach (var (url, expect) in new[]
                 {
                     ("mysql://u:pw1@h/db", "unknown scheme"), ("postgresql://u:pw1@h", "names no database"),
                     ("postgresql://h/db", "names no user"), ("postgresql://u:pw1@h/db?sslmode=require", "query parameters"),
                     ("postgresql://u:pw1@h:99999/db", "not a valid URL"),
                 })
        {
            var e = Assert.Throws<LsLabException>(() => StoreLocation.Parse(url));
            Assert.Contains(expect, e.Message);
            Assert.DoesNotContain("pw1", e.Message);
        }
    }

    [Fact]
    public void Recorded_command_lines_lose_their_passwords() =>
        Assert.Equal("lslab reproduce --store postgresql://ann:***@h:5/db --out o",
            StoreLocation.RedactUrls("lslab reproduce --store postgresql://ann:s3cr%2Ft@h:5/db --out o"));
}
