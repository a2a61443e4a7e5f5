using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using LsLab.Runs;

namespace LsLab.Translation;

/// <summary>
/// Byte-pair-encoding subword vocabulary (Sennrich et al. 2016) learned from the training side of
/// one language. Text is normalised to single spaces; a space becomes the marker ▁ glued to the
/// next word, and words and single punctuation marks are the units merges never cross, so
/// <see cref="Decode"/> restores the normalised text exactly. Ids 0–3 are PAD, BOS, EOS, UNK;
/// characters never seen in training become UNK.
/// </summary>
public sealed partial class Bpe
{
    /// <summary>Ids of the special tokens: padding, begin and end of sentence, unknown.</summary>
    public const int Pad = 0, Bos = 1, Eos = 2, Unk = 3;
    /// <summary>Names of the special tokens, in id order.</summary>
    public static readonly string[] Specials = { "<pad>", "<s>", "</s>", "<unk>" };
    /// <summary>Word-start marker (as in SentencePiece).</summary>
    public const char Space = '▁';

    readonly Dictionary<string, int> _ids;
    readonly Dictionary<(string, string), int> _rank;
    readonly Dictionary<string, int[]> _cache = new(StringComparer.Ordinal);

    Bpe(IReadOnlyList<string> pieces, IReadOnlyList<(string, string)> merges)
    {
        Pieces = pieces;
        Merges = merges;
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < pieces.Count; i++) _ids[pieces[i]] = i;
        _rank = new Dictionary<(string, string), int>();
        for (int i = 0; i < merges.Count; i++) _rank[merges[i]] = i;
    }

    /// <summary>Every piece by id (specials first, then characters, then merged pieces).</summary>
    public IReadOnlyList<string> Pieces { get; }
    /// <summary>The learned merges in order.</summary>
    public IReadOnlyList<(string Left, string Right)> Merges { get; }
    /// <summary>Vocabulary size (specials included).</summary>
    public int Count => Pieces.Count;

    [GeneratedRegex(@"▁?[\p{L}\p{M}\p{N}]+|▁?[^\p{L}\p{M}\p{N}▁]|▁")]
    private static partial Regex Units();

    /// <summary>Whitespace runs become one space; leading and trailing space is dropped.</summary>
    public static string Normalize(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    static IEnumerable<string> Words(string text)
    {
        var marked = Space + Normalize(text).Replace(' ', Space);
        foreach (Match m in Units().Matches(marked)) yield return m.Value;
    }

    static IEnumerable<string> Chars(string word)
    {
        var e = StringInfo.GetTextElementEnumerator(word);
        while (e.MoveNext()) yield return (string)e.Current;
    }

    /// <summary>
    /// Learns merges on <paramref name="texts"/> until the vocabulary holds <paramref name="vocabSize"/>
    /// pieces (specials and characters included) or no pair occurs <paramref name="minFrequency"/> times.
    /// Ties between equally frequent pairs go to the ordinal-smaller pair, so learning is deterministic.
    /// </summary>
    public static Bpe Learn(IEnumerable<string> texts, int vocabSize, int minFrequency = 2)
    {
        var wordFreq = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var t in texts)
            foreach (var w in Words(t))
                wordFreq[w] = wordFreq.GetValueOrDefault(w) + 1;
        var words = wordFreq.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();

        var pieces = new List<string>(Specials);
        var seenChars = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (w, _) in words) foreach (var c in Chars(w)) seenChars.Add(c);
        pieces.AddRange(seenChars);

        var symbols = words.Select(kv => Chars(kv.Key).ToList()).ToList();
        var freq = words.Select(kv => kv.Value).ToArray();
        var counts = new Dictionary<(string, string), long>();
        var where = new Dictionary<(string, string), HashSet<int>>();
        var queue = new PriorityQueue<(string, string), (long, string, string)>(Comparer<(long, string, string)>.Create((a, b) =>
        {
            int c = b.Item1.CompareTo(a.Item1);
            if (c != 0) return c;
            c = string.CompareOrdinal(a.Item2, b.Item2);
            return c != 0 ? c : string.CompareOrdinal(a.Item3, b.Item3);
        }));

        void AddPairs(int wi, int sign, HashSet<(string, string)> touched)
        {
            var s = symbols[wi];
            for (int i = 0; i + 1 < s.Count; i++)
            {
                var p = (s[i], s[i + 1]);
                counts[p] = counts.GetValueOrDefault(p) + sign * freq[wi];
                if (sign > 0)
                {
                    if (!where.TryGetValue(p, out var set)) where[p] = set = new HashSet<int>();
                    set.Add(wi);
                }
                touched.Add(p);
            }
        }

        var all = new HashSet<(string, string)>();
        for (int i = 0; i < symbols.Count; i++) AddPairs(i, +1, all);
        foreach (var p in all) queue.Enqueue(p, (counts[p], p.Item1, p.Item2));

        var merges = new List<(string, string)>();
        var known = new HashSet<string>(pieces, StringComparer.Ordinal);
        while (pieces.Count < vocabSize && queue.TryDequeue(out var pair, out var prio))
        {
            long current = counts.GetValueOrDefault(pair);
            if (current != prio.Item1) continue; // stale entry; the fresh count is queued separately
            if (current < minFrequency) break;
            merges.Add(pair);
            string merged = pair.Item1 + pair.Item2;
            if (known.Add(merged)) pieces.Add(merged);
            var touched = new HashSet<(string, string)>();
            foreach (int wi in where[pair].ToList())
            {
                AddPairs(wi, -1, touched);
                symbols[wi] = MergeAll(symbols[wi], pair, merged);
                AddPairs(wi, +1, touched);
            }
            foreach (var p in touched)
            {
                long c = counts[p];
                if (c > 0) queue.Enqueue(p, (c, p.Item1, p.Item2));
            }
        }
        return new Bpe(pieces, merges);
    }

    static List<string> MergeAll(List<string> s, (string, string) pair, string merged)
    {
        var r = new List<string>(s.Count);
        for (int i = 0; i < s.Count; i++)
        {
            if (i + 1 < s.Count && s[i] == pair.Item1 && s[i + 1] == pair.Item2) { r.Add(merged); i++; }
            else r.Add(s[i]);
        }
        return r;
    }

    /// <summary>Token ids of <paramref name="text"/> (no BOS/EOS added).</summary>
    public int[] Encode(string text)
    {
        var ids = new List<int>();
        foreach (var w in Words(text)) ids.AddRange(EncodeWord(w));
        return ids.ToArray();
    }

    int[] EncodeWord(string word)
    {
        lock (_cache)
            if (_cache.TryGetValue(word, out var hit)) return hit;
        var s = Chars(word).ToList();
        while (s.Count > 1)
        {
            int best = int.MaxValue, at = -1;
            for (int i = 0; i + 1 < s.Count; i++)
                if (_rank.TryGetValue((s[i], s[i + 1]), out int r) && r < best) { best = r; at = i; }
            if (at < 0) break;
            var m = Merges[best];
            s = MergeAll(s, m, m.Left + m.Right);
        }
        var ids = s.Select(p => _ids.TryGetValue(p, out int id) ? id : Unk).ToArray();
        lock (_cache) _cache[word] = ids;
        return ids;
    }

    /// <summary>Text of <paramref name="ids"/>: pieces joined, ▁ back to spaces; PAD/BOS/EOS skipped, UNK shown as ⁇.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var sb = new StringBuilder();
        foreach (int id in ids)
        {
            if (id is Pad or Bos or Eos) continue;
            if (id == Unk || id < 0 || id >= Pieces.Count) { sb.Append('⁇'); continue; }
            sb.Append(Pieces[id]);
        }
        return sb.ToString().Replace(Space, ' ').Trim();
    }

    /// <summary>The piece strings of <paramref name="ids"/> (for inspection).</summary>
    public IEnumerable<string> Show(IEnumerable<int> ids) => ids.Select(i => i >= 0 && i < Pieces.Count ? Pieces[i] : "?");

    sealed record Stored(int Version, List<string> Pieces, List<string[]> Merges);

    /// <summary>Writes the vocabulary as JSON (atomically).</summary>
    public void Save(string path) =>
        AtomicFile.WriteJson(path, new Stored(1, Pieces.ToList(), Merges.Select(m => new[] { m.Left, m.Right }).ToList()));

    /// <summary>Reads a vocabulary written by <see cref="Save"/>, with clear errors for malformed files.</summary>
    public static Bpe Load(string path)
    {
        var s = AtomicFile.ReadJson<Stored>(path);
        if (s.Pieces is null || s.Pieces.Count < Specials.Length || !s.Pieces.Take(Specials.Length).SequenceEqual(Specials))
            throw new InvalidDataException($"{path}: field 'pieces' must start with {string.Join(", ", Specials)}.");
        if (s.Merges is null || s.Merges.Any(m => m is null || m.Length != 2))
            throw new InvalidDataException($"{path}: field 'merges' must be a list of [left, right] pairs.");
        return new Bpe(s.Pieces, s.Merges.Select(m => (m[0], m[1])).ToList());
    }
}
