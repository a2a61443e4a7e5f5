using System.Reflection;

namespace LsLab;

/// <summary>
/// The version of LsLab, set in one place (Version in Directory.Build.props) and shown by
/// `lslab --version` and in every report's header, so a report says which code produced it.
/// </summary>
public static class LsLabVersion
{
    /// <summary>The package version, e.g. "0.1.0".</summary>
    public static string Current { get; } =
        typeof(LsLabVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
