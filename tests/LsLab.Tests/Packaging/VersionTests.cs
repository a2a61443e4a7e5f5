using System.Xml.Linq;
using LsLab.Reporting;

namespace LsLab.Tests.Packaging;

/// <summary>One version: Directory.Build.props, the assembly, `lslab --version` and the report header agree.</summary>
public sealed class VersionTests
{
    static string PropsVersion()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "LsLab.slnx"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        return XDocument.Load(Path.Combine(root, "Directory.Build.props")).Descendants("Version").Single().Value;
    }

    [Fact]
    public void Library_version_is_the_one_in_Directory_Build_props() =>
        Assert.Equal(PropsVersion(), LsLabVersion.Current);

    [Fact]
    public void Cli_version_option_prints_it()
    {
        var (code, stdout, stderr) = CliProcess.Run("--version");
        Assert.True(code == 0, stderr);
        Assert.Equal(PropsVersion(), stdout.Trim());
    }

    [Fact]
    public void Report_header_names_it()
    {
        var info = new ReportInfo("Tiny", new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), 60, "test machine", "lslab reproduce");
        Assert.Contains($"LsLab {PropsVersion()}; profile <b>Tiny</b>", Report.Html([], info));
        var md = Directory.CreateTempSubdirectory("lslab-test-").FullName;
        try { Assert.Contains($"LsLab {PropsVersion()}, profile **Tiny**", Report.Markdown([], info, md)); }
        finally { Directory.Delete(md, true); }
    }
}
