namespace LsLab.Translation;

/// <summary>Corpus chrF and its parts: score in 0–100, the averaged character n-gram precision and recall, and the summed counts per order.</summary>
public sealed record ChrfScore(double Score, double Precision, double Recall, long[] Matches, long[] HypothesisCounts, long[] ReferenceCounts)
{
    /// <summary>One line: chrF and its averaged precision and recall.</summary>
    public override string ToString() => $"chrF2 {Score:F2} (P {100 * Precision:F1}, R {100 * Recall:F1})";
}

/// <summary>
/// Character n-gram F-score (Popović 2015) as sacreBLEU computes its default chrF: whitespace removed,
/// character n-grams of orders 1–6, clipped matches; per order the n-gram precision and recall of the
/// corpus (counts summed over sentences), averaged over the orders that occur on both sides, then
/// F_β = (1+β²)·P·R / (β²·P + R) with β = 2. With several references a sentence contributes the counts
/// of its best reference (highest sentence-level chrF, the first on ties). Characters are Unicode code
/// points (as Python's str); case-sensitive unless <c>lowercase</c>.
/// </summary>
public static class Chrf
{
    /// <summary>Highest character n-gram order (sacreBLEU's default).</summary>
    public const int Order = 6;
    /// <summary>Recall weight β (sacreBLEU's default: recall counts twice as much as precision).</summary>
    public const double Beta = 2;

    /// <summary>Character n-gram counts of one sentence against its chosen reference, per order 1…<see cref="Order"/>.</summary>
    public sealed record SentenceStats(long[] Matches, long[] HypothesisCounts, long[] ReferenceCounts);

    /// <summary>Corpus chrF with one reference per hypothesis.</summary>
    public static ChrfScore Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references, bool lowercase = false) =>
        Corpus(hypotheses, references.Select(r => (IReadOnlyList<string>)new[] { r }).ToList(), lowercase);

    /// <summary>Corpus chrF with any number of references per hypothesis (raw text).</summary>
    public static ChrfScore Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references, bool lowercase = false) =>
        FromStats(Stats(hypotheses, references, lowercase));

    /// <summary>Per-sentence statistics (each against its best reference), for corpus scores of subsets and resamples.</summary>
    public static List<SentenceStats> Stats(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references, bool lowercase = false)
    {
        if (hypotheses.Count != references.Count)
            throw new ArgumentException($"{hypotheses.Count} hypotheses but {references.Count} reference sets.");
        string Case(string x) => lowercase ? x.ToLowerInvariant() : x;
        return hypotheses.Select((h, i) => Stats(Case(h), references[i].Select(Case).ToList())).ToList();
    }

    /// <summary>The statistics of one hypothesis against the reference that gives it the highest sentence chrF.</summary>
    public static SentenceStats Stats(string hypothesis, IReadOnlyList<string> references)
    {
        if (references.Count == 0) throw new ArgumentException("a hypothesis needs at least one reference.");
        var hyp = NGrams(hypothesis);
        SentenceStats? best = null;
        double bestF = -1;
        foreach (var r in references)
        {
            var s = Match(hyp, NGrams(r));
            double f = FromStats(new[] { s }).Score;
            if (f > bestF) { bestF = f; best = s; }
        }
        return best!;
    }

    /// <summary>Corpus chrF from summed sentence statistics.</summary>
    public static ChrfScore FromStats(IReadOnlyList<SentenceStats> stats)
    {
        var matches = new long[Order];
        var hyp = new long[Order];
        var refs = new long[Order];
        foreach (var s in stats)
            for (int n = 0; n < Order; n++) { matches[n] += s.Matches[n]; hyp[n] += s.HypothesisCounts[n]; refs[n] += s.ReferenceCounts[n]; }
        double p = 0, r = 0;
        int effective = 0;
        for (int n = 0; n < Order; n++)
        {
            if (hyp[n] == 0 || refs[n] == 0) continue;
            p += (double)matches[n] / hyp[n];
            r += (double)matches[n] / refs[n];
            effective++;
        }
        if (effective > 0) { p /= effective; r /= effective; }
        const double b2 = Beta * Beta;
        double score = p + r == 0 ? 0 : 100 * (1 + b2) * p * r / (b2 * p + r);
        return new ChrfScore(score, p, r, matches, hyp, refs);
    }

    /// <summary>Corpus chrF of the resampled sentences <c>idx</c> (each with its best reference), for the paired bootstrap.</summary>
    public static Func<int[], double> OfSentences(IReadOnlyList<SentenceStats> stats) =>
        idx => FromStats(idx.Select(i => stats[i]).ToList()).Score;

    static SentenceStats Match(Dictionary<Int128, int>[] hyp, Dictionary<Int128, int>[] reference)
    {
        var s = new SentenceStats(new long[Order], new long[Order], new long[Order]);
        for (int n = 0; n < Order; n++)
        {
            foreach (var c in reference[n].Values) s.ReferenceCounts[n] += c;
            if (reference[n].Count == 0) continue; // sacreBLEU counts no hypothesis n-grams of an order the reference lacks
            foreach (var (g, c) in hyp[n])
            {
                s.HypothesisCounts[n] += c;
                s.Matches[n] += Math.Min(c, reference[n].GetValueOrDefault(g));
            }
        }
        return s;
    }

    /// <summary>
    /// Counts of the character n-grams of orders 1…<see cref="Order"/> of the text with its whitespace removed. An n-gram's
    /// key is its code points (21 bits each, at most 6 · 21 = 126 bits): exact, and no string per n-gram.
    /// </summary>
    static Dictionary<Int128, int>[] NGrams(string text)
    {
        var points = new List<int>(text.Length);
        foreach (var word in Bleu.SplitWhitespace(text))
            foreach (var rune in word.EnumerateRunes()) points.Add(rune.Value);
        var counts = new Dictionary<Int128, int>[Order];
        for (int n = 1; n <= Order; n++)
        {
            var d = counts[n - 1] = new Dictionary<Int128, int>(Math.Max(0, points.Count - n + 1));
            for (int i = 0; i + n <= points.Count; i++)
            {
                Int128 key = 0;
                for (int j = i; j < i + n; j++) key = (key << 21) | points[j];
                d[key] = d.GetValueOrDefault(key) + 1;
            }
        }
        return counts;
    }
}
