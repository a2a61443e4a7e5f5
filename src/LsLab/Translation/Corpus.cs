namespace LsLab.Translation;

/// <summary>One translation example: English source, German target.</summary>
public sealed record SentencePair(string Source, string Target);

/// <summary>Train / validation / test sentence pairs and where they came from.</summary>
public sealed record TranslationSplits(
    IReadOnlyList<SentencePair> Train, IReadOnlyList<SentencePair> Validation, IReadOnlyList<SentencePair> Test, string Source)
{
    IReadOnlyList<IReadOnlyList<string>>? _validationReferences, _testReferences;

    /// <summary>Reference translations of each validation pair, its own target first (only the target unless the corpus can make more).</summary>
    public IReadOnlyList<IReadOnlyList<string>> ValidationReferences { get => _validationReferences ?? TargetsOnly(Validation); init => _validationReferences = value; }

    /// <summary>Reference translations of each test pair, its own target first (only the target unless the corpus can make more).</summary>
    public IReadOnlyList<IReadOnlyList<string>> TestReferences { get => _testReferences ?? TargetsOnly(Test); init => _testReferences = value; }

    static IReadOnlyList<IReadOnlyList<string>> TargetsOnly(IReadOnlyList<SentencePair> pairs) =>
        pairs.Select(p => (IReadOnlyList<string>)new[] { p.Target }).ToList();

    /// <inheritdoc />
    public override string ToString() => $"{Source}: {Train.Count} train / {Validation.Count} validation / {Test.Count} test pairs";
}

/// <summary>Where translation data comes from: our generated grammar corpus or the installed Ding dictionary.</summary>
public enum TranslationData
{
    /// <summary>The grammar corpus LsLab generates (no download, any licence).</summary>
    Embedded,
    /// <summary>Example sentences of the installed Ding dictionary (trans-de-en, read at run time).</summary>
    Ding,
}

/// <summary>Seeded splitting and loading of the two corpora.</summary>
public static class TranslationCorpus
{
    /// <summary>
    /// Shuffles with <paramref name="seed"/> and cuts off <paramref name="validation"/> and
    /// <paramref name="test"/> pairs; the rest is training data. Pairs must already be unique by source.
    /// </summary>
    public static TranslationSplits Split(IReadOnlyList<SentencePair> pairs, int validation, int test, int seed, string source)
    {
        if (validation < 0 || test < 0 || validation + test >= pairs.Count)
            throw new ArgumentException($"Cannot take {validation} validation and {test} test pairs out of {pairs.Count} ({source}).");
        var shuffled = Shuffled(pairs, seed);
        return new TranslationSplits(
            shuffled.Skip(validation + test).ToList(), shuffled.Take(validation).ToList(),
            shuffled.Skip(validation).Take(test).ToList(), source);
    }

    static List<T> Shuffled<T>(IReadOnlyList<T> items, int seed)
    {
        var order = Enumerable.Range(0, items.Count).ToArray();
        new Random(seed).Shuffle(order);
        return order.Select(i => items[i]).ToList();
    }

    /// <summary>
    /// The generated English→German corpus: <paramref name="count"/> pairs with unique sources, of which
    /// <paramref name="validation"/> and <paramref name="test"/> are held out (default 5% each, at least 1).
    /// With <paramref name="references"/> &gt; 1 each held-out pair gets up to that many distinct German
    /// references (its own target first, then retranslations of its structure, seeded by <paramref name="seed"/>),
    /// so BLEU and chrF credit every valid translation; the training pairs are the same either way.
    /// </summary>
    public static TranslationSplits Embedded(int count, int seed, int? validation = null, int? test = null, int references = 1)
    {
        if (references < 1) throw new ArgumentOutOfRangeException(nameof(references), "at least one reference (the target) per sentence.");
        var samples = GermanGrammar.Generate(count, seed);
        int held = Math.Max(1, count / 20);
        int v = validation ?? held, t = test ?? held;
        var split = Split(samples.Select(s => s.Pair).ToList(), v, t, seed + 1, $"embedded grammar corpus (seed {seed})");
        if (references == 1) return split;
        var shuffled = Shuffled(samples, seed + 1);  // the same order Split used
        var rng = new Random(seed + 2);
        IReadOnlyList<IReadOnlyList<string>> Refs(IEnumerable<GermanGrammar.Sample> part) =>
            part.Select(s => GermanGrammar.References(s, references, rng)).ToList();
        return split with { ValidationReferences = Refs(shuffled.Take(v)), TestReferences = Refs(shuffled.Skip(v).Take(t)) };
    }

    /// <summary>
    /// The Ding dictionary's example sentences (EN→DE), cleaned; <paramref name="validation"/> and
    /// <paramref name="test"/> pairs held out, the rest (optionally capped at <paramref name="trainLimit"/>) for training.
    /// </summary>
    public static TranslationSplits Ding(string? path, int validation, int test, int seed, DingOptions? options = null, int? trainLimit = null, int phrases = 0)
    {
        var file = DingCorpus.Locate(path);
        var pairs = DingCorpus.Read(file, options);
        var s = Split(pairs, validation, test, seed, $"Ding dictionary example sentences ({file}, GPL-2+, read at run time)");
        if (trainLimit is int n && n < s.Train.Count) s = s with { Train = s.Train.Take(n).ToList() };
        if (phrases <= 0) return s;
        // Phrase pairs join the training pairs only; a phrase whose English is a held-out source is left out.
        var held = s.Validation.Concat(s.Test).Select(p => p.Source).ToHashSet(StringComparer.Ordinal);
        var extra = Shuffled(DingCorpus.Phrases(File.ReadLines(file, System.Text.Encoding.UTF8)), seed).Where(p => !held.Contains(p.Source)).Take(phrases).ToList();
        return s with { Train = s.Train.Concat(extra).ToList(), Source = $"{s.Source}, plus {extra.Count} of its phrase pairs in training" };
    }
}
