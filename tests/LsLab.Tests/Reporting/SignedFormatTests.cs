using System.Globalization;
using System.Text.RegularExpressions;

namespace LsLab.Tests.Reporting;

/// <summary>
/// Report numbers carry an explicit sign ("+0.012 [-0.003, +0.027]"). A two-section .NET format such as
/// "+0.000;-0.000" prints a small negative value that rounds to zero as "-+0.000"; the third (zero)
/// section prevents it (<see cref="LsLab.Reporting.Signed"/> holds the formats). The full-profile report printed
/// "-+0.0000 [-0.0005, +0.0006]" before this rule.
/// </summary>
public sealed partial class SignedFormatTests
{
    [GeneratedRegex(@"\+0\.0+;-0\.0+(;[^""}]*)?")]
    private static partial Regex SignedFormatRe();

    [Fact]
    public void A_negative_value_that_rounds_to_zero_prints_as_plus_zero_with_a_zero_section()
    {
        Assert.Equal("-+0.0000", (-0.00001).ToString("+0.0000;-0.0000", CultureInfo.InvariantCulture));
        Assert.Equal("+0.0000", (-0.00001).ToString("+0.0000;-0.0000;+0.0000", CultureInfo.InvariantCulture));
        Assert.Equal("-0.2000", (-0.2).ToString("+0.0000;-0.0000;+0.0000", CultureInfo.InvariantCulture));
        Assert.Equal("+0.0000", LsLab.Reporting.Signed.Of(-0.00001, 4));
        Assert.Equal("-0.013", LsLab.Reporting.Signed.Of(-0.0126, 3));
    }

    [Fact]
    public void Every_signed_number_format_in_the_library_has_a_zero_section()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "LsLab.slnx"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        var files = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToList();
        Assert.NotEmpty(files);
        var found = 0;
        var bad = new List<string>();
        foreach (var f in files)
            foreach (Match m in SignedFormatRe().Matches(File.ReadAllText(f)))
            {
                found++;
                if (!m.Groups[1].Success || m.Groups[1].Value.Length < 2) bad.Add($"{Path.GetRelativePath(root, f)}: {m.Value}");
            }
        Assert.True(found > 0, "no signed formats found: the pattern no longer matches how the library formats numbers");
        Assert.True(bad.Count == 0, "two-section signed formats (print \"-+0.0\" for small negatives):\n" + string.Join("\n", bad));
    }
}
