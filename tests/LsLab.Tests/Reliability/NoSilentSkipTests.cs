using System.Reflection;

namespace LsLab.Tests.Reliability;

/// <summary>Class 10: a test never silently skips — no [Fact(Skip = …)] anywhere, and the tools the tests need are asserted, not assumed.</summary>
public sealed class NoSilentSkipTests
{
    [Fact]
    public void No_test_is_marked_skip()
    {
        var skipped = typeof(NoSilentSkipTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static))
            .SelectMany(m => m.GetCustomAttributes<FactAttribute>().Where(a => a.Skip is not null).Select(_ => $"{m.DeclaringType!.Name}.{m.Name}"))
            .ToList();
        Assert.True(skipped.Count == 0, "skipped tests: " + string.Join(", ", skipped));
    }

    [Fact]
    public void The_test_script_installs_what_the_tests_need_and_CI_calls_it()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "LsLab.slnx"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
        var script = File.ReadAllText(Path.Combine(root, "test.sh"));
        foreach (var pkg in new[] { "chromium", "gcc", "libc6-dev", "libfontconfig1", "fonts-dejavu-core" }) Assert.Contains(pkg, script);
        Assert.Contains("dotnet test -c Release", script);
        Assert.Contains("./test.sh", File.ReadAllText(Path.Combine(root, ".ci", "run")));
        Assert.Contains("./test.sh", File.ReadAllText(Path.Combine(root, "README.md")));
    }
}
