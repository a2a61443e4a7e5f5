using LsLab.Translation;

namespace LsLab.Tests.Translation;

public class DingCorpusTests
{
    // Lines written for the test in the dictionary's format (not taken from the GPL file).
    static readonly string[] Lines =
    {
        "# Version :: test",
        "# License :: none",
        "Hund {m} | Hunde {pl} :: dog | dogs",
        "Er kommt morgen. {adv} | Kommt er morgen? :: He is coming tomorrow. | Is he coming tomorrow?",
        "Sie ist (sehr) müde.; Sie ist erschöpft. :: She is (very) tired.; She is exhausted.",
        "Das ist [ugs.] Unsinn! <Quatsch> :: That is [coll.] nonsense! <rubbish>",
        "Er liest ein Buch. | Sie liest. :: He reads a book.",
        "Wir gehen. :: We go.",
        "Ich gebe es jdm. zurück. :: I give it back to sb.",
        "in Absprache mit jdm. :: in consultation with sb.",
        "Ich gehe jetzt (heim; nach Hause). :: I am going home now.",
        "Er kommt morgen wieder. :: He is coming tomorrow.",
        "Dieser Satz ist viel zu lang für die Grenze von sechzig Zeichen hier. :: This sentence is far too long for the sixty character limit here.",
        "kein Trennzeichen",
    };

    [Fact]
    public void Keeps_cleaned_sentence_pairs_as_english_to_german()
    {
        var pairs = DingCorpus.Filter(Lines);
        Assert.Equal(new[]
        {
            new SentencePair("He is coming tomorrow.", "Er kommt morgen."),
            new SentencePair("Is he coming tomorrow?", "Kommt er morgen?"),
            new SentencePair("She is tired.", "Sie ist müde."),
            new SentencePair("That is nonsense!", "Das ist Unsinn!"),
            new SentencePair("I am going home now.", "Ich gehe jetzt."),
        }, pairs);
    }

    [Fact]
    public void Parses_aligned_sub_entries_and_skips_misaligned_lines()
    {
        Assert.Equal(new[] { ("Hund", "dog"), ("Hunde", "dogs") }, DingCorpus.ParseLine(Lines[2]));
        Assert.Empty(DingCorpus.ParseLine(Lines[6]));   // 2 German sub-entries, 1 English
        Assert.Empty(DingCorpus.ParseLine(Lines[0]));   // header
        Assert.Empty(DingCorpus.ParseLine("kein Trennzeichen"));
        Assert.Equal("Ich gehe jetzt.", DingCorpus.Clean("Ich gehe jetzt (heim; nach Hause).; Ich gehe."));
    }

    [Fact]
    public void Options_change_the_filter()
    {
        var loose = DingCorpus.Filter(Lines, new DingOptions { MaxChars = 200, MinWords = 2, SentencesOnly = false });
        Assert.Contains(loose, p => p.Source == "We go.");
        Assert.Contains(loose, p => p.Source.StartsWith("This sentence is far too long"));
        Assert.Contains(loose, p => p.Source == "I give it back to sb.");
    }

    [Fact]
    public void Phrase_pairs_are_multiword_non_sentences_and_join_the_training_split_only()
    {
        string[] extra = { "bis auf weiteres :: until further notice", "im Großen und Ganzen :: by and large", "Haus {n} :: house",
                           "in Absprache mit jdm. :: in consultation with sb." };
        var phrases = DingCorpus.Phrases(Lines.Concat(extra));
        // One-word entries, sentences and entries with placeholders are not phrase pairs.
        Assert.Equal(new[] { new SentencePair("until further notice", "bis auf weiteres"), new SentencePair("by and large", "im Großen und Ganzen") }, phrases);

        var dir = Directory.CreateTempSubdirectory("ding");
        try
        {
            File.WriteAllLines(Path.Combine(dir.FullName, "de-en"), Lines.Concat(extra));
            var plain = TranslationCorpus.Ding(dir.FullName, 1, 1, seed: 3);
            var more = TranslationCorpus.Ding(dir.FullName, 1, 1, seed: 3, phrases: 10);
            Assert.Equal(plain.Validation, more.Validation);
            Assert.Equal(plain.Test, more.Test);
            Assert.Equal(plain.Train, more.Train.Take(plain.Train.Count));
            Assert.Equal(phrases.ToHashSet(), more.Train.Skip(plain.Train.Count).ToHashSet());
            Assert.Single(TranslationCorpus.Ding(dir.FullName, 1, 1, seed: 3, phrases: 1).Train.Except(plain.Train));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void Missing_file_gives_a_clear_error()
    {
        var e = Assert.Throws<LsLabException>(() => DingCorpus.Locate("/nonexistent/de-en"));
        Assert.Contains("/nonexistent/de-en", e.Message);
        Assert.Contains("trans-de-en", e.Message);
        var dir = Directory.CreateTempSubdirectory("ding");
        try
        {
            File.WriteAllLines(Path.Combine(dir.FullName, "de-en"), Lines);
            Assert.Equal(Path.Combine(dir.FullName, "de-en"), DingCorpus.Locate(dir.FullName));
            Assert.Equal(5, DingCorpus.Read(DingCorpus.Locate(dir.FullName)).Count);
            File.WriteAllLines(Path.Combine(dir.FullName, "de-en"), new[] { "# only a header" });
            var bad = Assert.Throws<InvalidDataException>(() => DingCorpus.Read(Path.Combine(dir.FullName, "de-en")));
            Assert.Contains("no sentence pairs", bad.Message);
        }
        finally { dir.Delete(true); }
    }
}

public class BpeTests
{
    static readonly string[] Texts =
    {
        "Der Hund sieht den Hund.", "Die Hunde sehen die Katze.", "Der Mann sieht die Hunde!",
        "Sieht der Mann den Hund?", "Die Katze sieht den Mann, der den Hund sieht.",
    };

    [Fact]
    public void Round_trips_normalised_text_and_maps_unseen_characters_to_unk()
    {
        var bpe = Bpe.Learn(Texts, 60);
        foreach (var t in Texts) Assert.Equal(t, bpe.Decode(bpe.Encode(t)));
        Assert.Equal("Der Hund sieht den Mann.", bpe.Decode(bpe.Encode("  Der   Hund sieht den Mann. ")));
        var ids = bpe.Encode("Der Hund ist xyz.");
        Assert.Contains(Bpe.Unk, ids);
        Assert.Contains("⁇", bpe.Decode(ids));
        Assert.Equal(Bpe.Specials, bpe.Pieces.Take(4));
    }

    [Fact]
    public void Merges_frequent_pairs_first_and_is_deterministic()
    {
        var a = Bpe.Learn(Texts, 60);
        var b = Bpe.Learn(Texts.Reverse(), 60);
        Assert.Equal(a.Pieces, b.Pieces);
        Assert.Equal(a.Merges, b.Merges);
        Assert.True(a.Count <= 60);
        // "▁Hund" occurs 5 times, so it ends up as one piece; a rarer word stays in pieces.
        Assert.Single(a.Encode("Hund"));
        Assert.True(a.Encode("Katzenmann").Length > 1);
        // The first merge is the most frequent adjacent pair.
        var counts = new Dictionary<(string, string), int>();
        foreach (var t in Texts)
            foreach (var w in ("▁" + t.Replace(' ', '▁')).Split('▁', StringSplitOptions.RemoveEmptyEntries))
            {
                var s = ("▁" + w.TrimEnd('.', '!', '?', ',')).Select(c => c.ToString()).ToList();
                for (int i = 0; i + 1 < s.Count; i++) counts[(s[i], s[i + 1])] = counts.GetValueOrDefault((s[i], s[i + 1])) + 1;
            }
        int max = counts.Values.Max();
        Assert.Equal(max, counts[a.Merges[0]]);
    }

    [Fact]
    public void Saves_and_loads()
    {
        var a = Bpe.Learn(Texts, 50);
        var path = Path.Combine(Path.GetTempPath(), $"bpe-{Guid.NewGuid():N}.json");
        try
        {
            a.Save(path);
            var b = Bpe.Load(path);
            Assert.Equal(a.Pieces, b.Pieces);
            Assert.Equal(a.Encode("Die Hunde sehen den Mann."), b.Encode("Die Hunde sehen den Mann."));
            File.WriteAllText(path, "{\"version\":1,\"pieces\":[\"a\"],\"merges\":[]}");
            var e = Assert.Throws<InvalidDataException>(() => Bpe.Load(path));
            Assert.Contains("pieces", e.Message);
        }
        finally { File.Delete(path); }
    }
}
