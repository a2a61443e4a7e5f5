using System.Globalization;

namespace LsLab.Reporting;

/// <summary>Numbers with an explicit sign, as reports print differences ("+0.012 [-0.003, +0.027]").</summary>
public static class Signed
{
    // The third (zero) section: a small negative that rounds to zero prints "+0.00…"; with two sections .NET prints "-+0.00…".
    static readonly string[] Formats =
        { "+0;-0;+0", "+0.0;-0.0;+0.0", "+0.00;-0.00;+0.00", "+0.000;-0.000;+0.000", "+0.0000;-0.0000;+0.0000", "+0.00000;-0.00000;+0.00000" };

    /// <summary><paramref name="v"/> with its sign and <paramref name="digits"/> decimals (0–5), invariant culture.</summary>
    public static string Of(double v, int digits) => v.ToString(Formats[digits], CultureInfo.InvariantCulture);
}
