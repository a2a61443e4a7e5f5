using System.Text;

namespace LsLab.Translation;

/// <summary>Filters for the Ding example sentences.</summary>
public sealed record DingOptions
{
    /// <summary>Minimum words on each side.</summary>
    public int MinWords { get; init; } = 3;
    /// <summary>Maximum characters on each side (long entries are glosses more than sentences).</summary>
    public int MaxChars { get; init; } = 60;
    /// <summary>Maximum words on each side.</summary>
    public int MaxWords { get; init; } = 15;
    /// <summary>
    /// Keep only text that starts like a sentence (first letter upper case) and has no dictionary
    /// placeholders (sth., sb., etw., jdm., …): drops phrase templates such as "in Absprache mit jdm.".
    /// </summary>
    public bool SentencesOnly { get; init; } = true;
}

/// <summary>
/// Reads the Ding German–English dictionary (Debian <c>trans-de-en</c>, GPL-2+, (c) Frank Richter,
/// TU Chemnitz) at run time and keeps its example sentences as EN→DE pairs. Line format:
/// <c>German :: English</c>; " | " separates aligned sub-entries (same count on both sides);
/// "; " separates synonyms; <c>{m}</c>, <c>[coll.]</c>, <c>&lt;alt&gt;</c>, <c>(…)</c> are annotations.
/// We take the first synonym of each side, strip the annotations, keep pairs where both sides end
/// in . ? or ! with enough words and within the length caps, and keep the first pair per English
/// sentence. Nothing read here is ever written into the repository.
/// </summary>
public static class DingCorpus
{
    /// <summary>Where Debian installs the file.</summary>
    public const string DefaultPath = "/usr/share/trans/de-en";

    /// <summary>The file to read: <paramref name="path"/> (a file, or a folder holding <c>de-en</c>) or the Debian default.</summary>
    public static string Locate(string? path)
    {
        string file = path is null ? DefaultPath : Directory.Exists(path) ? Path.Combine(path, "de-en") : path;
        if (!File.Exists(file))
            throw new LsLabException(
                $"{file}: Ding dictionary not found. Install it with `apt-get install trans-de-en` (it provides {DefaultPath}), " +
                "or pass the de-en file or its folder; or use the embedded corpus.");
        return file;
    }

    /// <summary>True when the Debian file is installed.</summary>
    public static bool IsInstalled => File.Exists(DefaultPath);

    /// <summary>All sentence pairs (EN source, DE target) of the file, filtered and unique by source.</summary>
    public static IReadOnlyList<SentencePair> Read(string path, DingOptions? options = null)
    {
        if (!File.Exists(path)) throw new LsLabException($"{path}: file not found (expected the Ding de-en dictionary).");
        var result = Filter(File.ReadLines(path, Encoding.UTF8), options);
        if (result.Count == 0)
            throw new InvalidDataException($"{path}: no sentence pairs found; expected lines 'German :: English' with sentences ending in . ? or !.");
        return result;
    }

    /// <summary>The filtered, deduplicated pairs from dictionary lines (header lines start with #).</summary>
    public static IReadOnlyList<SentencePair> Filter(IEnumerable<string> lines, DingOptions? options = null)
    {
        var o = options ?? new DingOptions();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<SentencePair>();
        foreach (var line in lines)
            foreach (var (de, en) in ParseLine(line))
                if (Keep(en, o) && Keep(de, o) && seen.Add(en))
                    result.Add(new SentencePair(en, de));
        return result;
    }

    /// <summary>
    /// The dictionary's phrase pairs (EN source, DE target): entries of 2–6 words on each side that are not sentences (no
    /// final . ? !) and have no placeholders (sth., jdm., …), unique by English. Extra training data for the sentence model.
    /// </summary>
    public static IReadOnlyList<SentencePair> Phrases(IEnumerable<string> lines)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<SentencePair>();
        foreach (var line in lines)
            foreach (var (de, en) in ParseLine(line))
                if (IsPhrase(en) && IsPhrase(de) && seen.Add(en))
                    result.Add(new SentencePair(en, de));
        return result;
    }

    static bool IsPhrase(string s)
    {
        if (s.Length == 0 || s.Length > 40 || s[^1] is '.' or '?' or '!') return false;
        var words = s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length is >= 2 and <= 6 && !words.Any(w => w.Split('/').Any(part => Placeholders.Contains(part.TrimEnd(',', '.', '!', '?', ';', ':'))));
    }

    /// <summary>The cleaned (German, English) sub-entry pairs of one line; none for headers, malformed lines or unequal sub-entry counts.</summary>
    public static IEnumerable<(string German, string English)> ParseLine(string line)
    {
        if (line.StartsWith('#')) yield break;
        int sep = line.IndexOf(" :: ", StringComparison.Ordinal);
        if (sep < 0) yield break;
        var de = SplitTop(line[..sep], '|');
        var en = SplitTop(line[(sep + 4)..], '|');
        if (de.Count != en.Count) yield break;
        for (int i = 0; i < de.Count; i++)
        {
            string d = Clean(de[i]), e = Clean(en[i]);
            if (d.Length > 0 && e.Length > 0) yield return (d, e);
        }
    }

    /// <summary>First synonym of one side, with {…} […] &lt;…&gt; (…) removed and spacing normalised.</summary>
    public static string Clean(string side)
    {
        var first = SplitTop(side, ';')[0];
        var sb = new StringBuilder(first.Length);
        int depth = 0;
        foreach (char ch in first)
        {
            if (ch is '{' or '[' or '<' or '(') { depth++; continue; }
            if (ch is '}' or ']' or '>' or ')') { if (depth > 0) depth--; continue; }
            if (depth == 0) sb.Append(ch);
        }
        var words = sb.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var text = string.Join(' ', words);
        // Removing an annotation can leave a space before punctuation: "Er kommt (bald) ." → "Er kommt."
        foreach (var p in new[] { " .", " ?", " !", " ,", " ;", " :" })
            text = text.Replace(p, p[1..], StringComparison.Ordinal);
        return text;
    }

    /// <summary>Splits on <paramref name="separator"/> outside brackets (annotations may contain it).</summary>
    static List<string> SplitTop(string s, char separator)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char ch = s[i];
            if (ch is '{' or '[' or '<' or '(') depth++;
            else if (ch is '}' or ']' or '>' or ')') { if (depth > 0) depth--; }
            else if (ch == separator && depth == 0) { parts.Add(s[start..i]); start = i + 1; }
        }
        parts.Add(s[start..]);
        return parts;
    }

    static bool Keep(string s, DingOptions o)
    {
        if (s.Length == 0 || s.Length > o.MaxChars || s[^1] is not ('.' or '?' or '!')) return false;
        var words = s.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < o.MinWords || words.Length > o.MaxWords) return false;
        if (!o.SentencesOnly) return true;
        foreach (char ch in s)
            if (char.IsLetterOrDigit(ch)) { if (char.IsLower(ch)) return false; break; }
        return !words.Any(w => Placeholders.Contains(w.TrimEnd(',', '.', '!', '?', ';', ':').TrimStart('/')) ||
                               w.Split('/').Any(part => Placeholders.Contains(part.TrimEnd(',', '.', '!', '?', ';', ':'))));
    }

    /// <summary>Ding's placeholders for "something"/"somebody" in both languages (without the final period).</summary>
    static readonly HashSet<string> Placeholders = new(StringComparer.Ordinal)
    {
        "sth", "sb", "sb's", "sb’s", "etw", "jd", "jdm", "jdn", "jds",
    };
}
