namespace LsLab.Statistics;

/// <summary>
/// The resampling generator: SplitMix64 (Steele, Lea &amp; Flood 2014), chosen because it is four
/// lines in any language, so a numpy script can regenerate exactly the same bootstrap indices
/// (bench/reference/statistics_reference.py does). An index in [0, n) is <c>Next() % n</c>; the
/// modulo bias is below n / 2⁶⁴, far under any Monte-Carlo error.
/// </summary>
public sealed class SplitMix64
{
    ulong _state;

    /// <summary>A generator starting from <paramref name="seed"/> (the same seed gives the same stream in numpy).</summary>
    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform index in [0, n).</summary>
    public int NextIndex(int n) => (int)(Next() % (ulong)n);

    /// <summary>Fills <paramref name="into"/> with indices drawn with replacement from [0, n).</summary>
    public void Fill(int[] into, int n)
    {
        for (int i = 0; i < into.Length; i++) into[i] = NextIndex(n);
    }
}
