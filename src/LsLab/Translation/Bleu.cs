using System.Text.RegularExpressions;

namespace LsLab.Translation;

/// <summary>Corpus BLEU and its parts: score in 0–100, n-gram precisions, brevity penalty, lengths, counts.</summary>
public sealed record BleuScore(double Score, double[] Precisions, double BrevityPenalty, long HypothesisLength, long ReferenceLength,
    long[] Matches, long[] Totals)
{
    /// <summary>One line: BLEU, the n-gram precisions, the brevity penalty and the lengths.</summary>
    public override string ToString() =>
        $"BLEU {Score:F2} ({string.Join("/", Precisions.Select(p => (100 * p).ToString("F1")))}, BP {BrevityPenalty:F3}, hyp/ref {HypothesisLength}/{ReferenceLength})";
}

/// <summary>
/// Corpus-level BLEU-4 (Papineni et al. 2002) as sacreBLEU computes it by default, without
/// smoothing: 13a tokenisation, clipped n-gram matches and n-gram counts summed over the corpus,
/// geometric mean of the four precisions, brevity penalty exp(1 − r/c) when c ≤ r (r = closest
/// reference length per sentence, the shorter one on ties). Any precision with no match gives 0.
/// Case-sensitive unless <c>lowercase</c>.
/// </summary>
public static partial class Bleu
{
    // sacreBLEU's TokenizerRegexp: ranges { to ~, [ to `, space to &, ( to +, : to @, and /.
    [GeneratedRegex("([\\u007B-\\u007E\\u005B-\\u0060\\u0020-\\u0026\\u0028-\\u002B\\u003A-\\u0040\\u002F])")]
    private static partial Regex Symbols();
    [GeneratedRegex("([^0-9])([\\.,])")]
    private static partial Regex PeriodCommaAfterNonDigit();
    [GeneratedRegex("([\\.,])([^0-9])")]
    private static partial Regex PeriodCommaBeforeNonDigit();
    [GeneratedRegex("([0-9])(-)")]
    private static partial Regex DashAfterDigit();

    /// <summary>
    /// The 13a tokeniser (mteval-v13a, as in sacreBLEU): unescape a few HTML entities, split off
    /// punctuation and symbols, periods and commas unless next to a digit, and dashes after a digit.
    /// </summary>
    public static string Tokenize13a(string line)
    {
        line = line.Replace("<skipped>", "").Replace("-\n", "").Replace("\n", " ");
        if (line.Contains('&'))
            line = line.Replace("&quot;", "\"").Replace("&amp;", "&").Replace("&lt;", "<").Replace("&gt;", ">");
        line = " " + line + " ";
        line = Symbols().Replace(line, " $1 ");
        line = PeriodCommaAfterNonDigit().Replace(line, "$1 $2 ");
        line = PeriodCommaBeforeNonDigit().Replace(line, " $1 $2");
        line = DashAfterDigit().Replace(line, "$1 $2 ");
        return string.Join(' ', SplitWhitespace(line));
    }

    /// <summary>Python's str.split(): runs of Unicode whitespace (and the separators \x1c–\x1f).</summary>
    internal static IEnumerable<string> SplitWhitespace(string s)
    {
        int start = -1;
        for (int i = 0; i <= s.Length; i++)
        {
            bool ws = i == s.Length || char.IsWhiteSpace(s[i]) || s[i] is >= '\u001c' and <= '\u001f';
            if (ws) { if (start >= 0) { yield return s[start..i]; start = -1; } }
            else if (start < 0) start = i;
        }
    }

    /// <summary>Corpus BLEU with one reference per hypothesis.</summary>
    public static BleuScore Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references, bool lowercase = false) =>
        Corpus(hypotheses, references.Select(r => (IReadOnlyList<string>)new[] { r }).ToList(), lowercase);

    /// <summary>Corpus BLEU with any number of references per hypothesis (raw text; tokenised here with 13a).</summary>
    public static BleuScore Corpus(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references, bool lowercase = false, int maxOrder = 4)
    {
        if (hypotheses.Count != references.Count)
            throw new ArgumentException($"{hypotheses.Count} hypotheses but {references.Count} reference sets.");
        string[] Tok(string s) => Tokenize13a(lowercase ? s.ToLowerInvariant() : s).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return CorpusTokenized(hypotheses.Select(Tok).ToList(), references.Select(rs => (IReadOnlyList<string[]>)rs.Select(Tok).ToList()).ToList(), maxOrder);
    }

    /// <summary>Clipped n-gram matches and n-gram counts of one sentence, and its hypothesis and closest-reference lengths.</summary>
    public sealed record SentenceStats(long[] Matches, long[] Totals, long HypothesisLength, long ReferenceLength);

    /// <summary>The sufficient statistics of one tokenised hypothesis against its references.</summary>
    public static SentenceStats Stats(string[] hypothesis, IReadOnlyList<string[]> references, int maxOrder = 4)
    {
        if (references.Count == 0) throw new ArgumentException("a hypothesis needs at least one reference.");
        var matches = new long[maxOrder];
        var totals = new long[maxOrder];
        for (int n = 1; n <= maxOrder; n++)
        {
            var counts = NGrams(hypothesis, n);
            var maxRef = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var r in references)
                foreach (var (g, c) in NGrams(r, n))
                    if (counts.ContainsKey(g) && c > maxRef.GetValueOrDefault(g)) maxRef[g] = c;
            foreach (var (g, c) in counts)
            {
                totals[n - 1] += c;
                matches[n - 1] += Math.Min(c, maxRef.GetValueOrDefault(g));
            }
        }
        return new SentenceStats(matches, totals, hypothesis.Length, ClosestLength(references, hypothesis.Length));
    }

    /// <summary>Statistics of raw sentences with one reference each (13a-tokenised here).</summary>
    public static List<SentenceStats> Stats(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references, bool lowercase = false) =>
        Stats(hypotheses, references.Select(r => (IReadOnlyList<string>)new[] { r }).ToList(), lowercase);

    /// <summary>Statistics of raw sentences with any number of references each (13a-tokenised here).</summary>
    public static List<SentenceStats> Stats(IReadOnlyList<string> hypotheses, IReadOnlyList<IReadOnlyList<string>> references, bool lowercase = false)
    {
        if (hypotheses.Count != references.Count)
            throw new ArgumentException($"{hypotheses.Count} hypotheses but {references.Count} reference sets.");
        string[] Tok(string s) => Tokenize13a(lowercase ? s.ToLowerInvariant() : s).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return hypotheses.Select((h, i) => Stats(Tok(h), references[i].Select(Tok).ToList())).ToList();
    }

    /// <summary>Corpus BLEU on already tokenised text.</summary>
    public static BleuScore CorpusTokenized(IReadOnlyList<string[]> hypotheses, IReadOnlyList<IReadOnlyList<string[]>> references, int maxOrder = 4)
    {
        if (hypotheses.Count != references.Count)
            throw new ArgumentException($"{hypotheses.Count} hypotheses but {references.Count} reference sets.");
        return FromStats(hypotheses.Select((h, i) => Stats(h, references[i], maxOrder)).ToList(), maxOrder);
    }

    /// <summary>Corpus BLEU from summed sentence statistics (any subset or resample of a corpus).</summary>
    public static BleuScore FromStats(IReadOnlyList<SentenceStats> stats, int maxOrder = 4)
    {
        var matches = new long[maxOrder];
        var totals = new long[maxOrder];
        long hypLen = 0, refLen = 0;
        foreach (var s in stats)
        {
            for (int n = 0; n < maxOrder; n++) { matches[n] += s.Matches[n]; totals[n] += s.Totals[n]; }
            hypLen += s.HypothesisLength;
            refLen += s.ReferenceLength;
        }
        var precisions = new double[maxOrder];
        double logSum = 0;
        bool zero = false;
        for (int n = 0; n < maxOrder; n++)
        {
            precisions[n] = totals[n] == 0 ? 0 : (double)matches[n] / totals[n];
            if (matches[n] == 0) zero = true;
            else logSum += Math.Log(precisions[n]) / maxOrder;
        }
        double bp = hypLen == 0 ? 0 : hypLen > refLen ? 1 : Math.Exp(1 - (double)refLen / hypLen);
        double score = zero ? 0 : 100 * bp * Math.Exp(logSum);
        return new BleuScore(score, precisions, bp, hypLen, refLen, matches, totals);
    }

    /// <summary>
    /// Corpus BLEU of the resampled sentences <c>idx</c>, for the statistics layer's paired bootstrap (Koehn 2004:
    /// resample sentences, recompute corpus BLEU from their summed n-gram statistics).
    /// </summary>
    public static Func<int[], double> OfSentences(IReadOnlyList<SentenceStats> stats, int maxOrder = 4) =>
        idx => FromStats(idx.Select(i => stats[i]).ToList(), maxOrder).Score;

    static int ClosestLength(IReadOnlyList<string[]> refs, int hypLen)
    {
        int best = refs[0].Length;
        foreach (var r in refs)
        {
            int d = Math.Abs(r.Length - hypLen), bd = Math.Abs(best - hypLen);
            if (d < bd || (d == bd && r.Length < best)) best = r.Length;
        }
        return best;
    }

    static Dictionary<string, int> NGrams(string[] words, int n)
    {
        var d = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i + n <= words.Length; i++)
        {
            var g = string.Join('\u0001', words, i, n);
            d[g] = d.GetValueOrDefault(g) + 1;
        }
        return d;
    }
}
