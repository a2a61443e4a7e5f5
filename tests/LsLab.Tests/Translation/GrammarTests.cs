using System.Text.RegularExpressions;
using LsLab.Translation;

namespace LsLab.Tests.Translation;

public class GrammarTests
{
    static readonly IReadOnlyList<GermanGrammar.Sample> Corpus = GermanGrammar.Generate(3000, 7);

    [Fact]
    public void Same_seed_same_corpus_other_seed_other_corpus()
    {
        var again = GermanGrammar.Generate(3000, 7);
        Assert.Equal(Corpus.Select(s => s.Pair), again.Select(s => s.Pair));
        var other = GermanGrammar.Generate(200, 8);
        Assert.NotEqual(Corpus.Take(200).Select(s => s.Pair), other.Select(s => s.Pair));
    }

    [Fact]
    public void Sources_are_unique_and_sentences_are_well_formed()
    {
        Assert.Equal(Corpus.Count, Corpus.Select(s => s.Pair.Source).Distinct().Count());
        foreach (var (en, de) in Corpus.Select(s => (s.Pair.Source, s.Pair.Target)))
        {
            Assert.True(char.IsUpper(en[0]) && char.IsUpper(de[0]), $"{en} | {de}");
            Assert.Equal(en[^1], de[^1]);                  // . ↔ . and ? ↔ ?
            Assert.Contains(de[^1], ".?");
            Assert.DoesNotContain("  ", de);
            Assert.DoesNotContain(" ,", de);
        }
    }

    static readonly Regex Definite = new(@"\b(der|die|das|den|dem) (sehr )?(?:([a-zäöüß]+) )?([A-ZÄÖÜ][a-zäöüß]+)\b");

    [Fact]
    public void Definite_articles_and_adjective_endings_agree_with_gender_number_and_case()
    {
        var genders = GermanGrammar.NounGenders;
        var plurals = GermanGrammar.PluralNouns;
        int checkedSingular = 0, checkedPlural = 0, adjectives = 0;
        foreach (var de in Corpus.Select(s => s.Pair.Target))
            foreach (Match m in Definite.Matches(de))
            {
                string art = m.Groups[1].Value, noun = m.Groups[4].Value;
                string? adj = m.Groups[3].Success ? m.Groups[3].Value : null;
                bool sg = genders.ContainsKey(noun), pl = plurals.Contains(noun);
                if (sg == pl) continue; // not a noun, or Lehrer/Mädchen/Jungen: form alone does not tell the number
                if (sg)
                {
                    char g = genders[noun];
                    var allowed = g switch { 'm' => new[] { "der", "den", "dem" }, 'f' => new[] { "die", "der" }, _ => new[] { "das", "dem" } };
                    Assert.True(allowed.Contains(art), $"'{art} {noun}' ({g}) in: {de}");
                    if (adj is not null)
                    {
                        // Weak declension: -e after der/die/das in the nominative (and f/n accusative), -en otherwise.
                        bool en = art is "den" or "dem" || (art == "der" && g == 'f');
                        Assert.True(adj.EndsWith(en ? "en" : "e") && (en || !adj.EndsWith("en")), $"'{art} {adj} {noun}' in: {de}");
                        adjectives++;
                    }
                    checkedSingular++;
                }
                else
                {
                    Assert.True(art is "die" or "den", $"'{art} {noun}' (plural) in: {de}");
                    if (adj is not null) { Assert.EndsWith("en", adj); adjectives++; }
                    if (art == "den") Assert.True(noun.EndsWith('n') || noun.EndsWith('s'), $"dative plural without -n: {de}");
                    checkedPlural++;
                }
            }
        Assert.True(checkedSingular > 1000 && checkedPlural > 100 && adjectives > 200, $"{checkedSingular} / {checkedPlural} / {adjectives}");
    }

    static readonly Regex Indefinite = new(@"\b(ein|eine|einen|einem|einer) (sehr )?([a-zäöüß]+) ([A-ZÄÖÜ][a-zäöüß]+)\b");

    [Fact]
    public void Mixed_declension_after_ein()
    {
        var genders = GermanGrammar.NounGenders;
        int n = 0;
        foreach (var de in Corpus.Select(s => s.Pair.Target))
            foreach (Match m in Indefinite.Matches(de))
            {
                string art = m.Groups[1].Value, adj = m.Groups[3].Value, noun = m.Groups[4].Value;
                if (!genders.TryGetValue(noun, out char g)) continue;
                string expected = (art, g) switch
                {
                    ("ein", 'm') => "er", ("ein", 'n') => "es", ("eine", 'f') => "e",
                    ("einen", 'm') or ("einem", 'm' or 'n') or ("einer", 'f') => "en",
                    _ => throw new Xunit.Sdk.XunitException($"'{art}' with {g} noun in: {de}"),
                };
                Assert.True(adj.EndsWith(expected) && (expected != "e" || !adj.EndsWith("en")), $"'{art} {adj} {noun}' in: {de}");
                n++;
            }
        Assert.True(n > 100, $"only {n} indefinite phrases with adjectives");
    }

    [Fact]
    public void Verb_positions_questions_first_subordinate_last_then_verb_after_comma()
    {
        var verbs = GermanGrammar.FiniteVerbForms;
        var conjunctions = new[] { "Weil", "Da", "Wenn", "Falls", "Während", "Obwohl", "Bevor" };
        int questions = 0, fronted = 0, dass = 0;
        foreach (var de in Corpus.Select(s => s.Pair.Target))
        {
            var words = de.TrimEnd('.', '?').Split(' ');
            if (de.EndsWith('?')) { Assert.Contains(words[0].ToLowerInvariant(), verbs); questions++; }
            if (conjunctions.Contains(words[0]))
            {
                int comma = Array.FindIndex(words, w => w.EndsWith(','));
                Assert.Contains(words[comma].TrimEnd(','), verbs);   // verb-final subordinate clause
                Assert.Contains(words[comma + 1], verbs);            // then the main clause's verb comes first
                fronted++;
            }
            int d = Array.IndexOf(words, "dass");
            if (d > 0 && !words.Skip(d).Any(w => w.EndsWith(',')))
            {
                Assert.Contains(words[^1], verbs);
                dass++;
            }
        }
        Assert.True(questions > 100 && fronted > 50 && dass > 100, $"{questions} / {fronted} / {dass}");
    }

    [Fact]
    public void Negation_uses_kein_for_indefinite_objects_and_must_not_becomes_darf_nicht()
    {
        var pairs = Corpus.Select(s => s.Pair).ToList();
        // Single-object verbs: "does not see a dog" → "sieht keinen Hund".
        var keinCases = pairs.Where(p => Regex.IsMatch(p.Source,
            @"\b(does|do) not (see|buy|find|like|read|have|carry|love|need|visit|wash|open|take|paint|help|thank|follow) an? ")).ToList();
        Assert.NotEmpty(keinCases);
        Assert.All(keinCases, p => Assert.Matches(@"\bkein(e|en|em|er)?\b", p.Target));
        var mustNot = pairs.Where(p => p.Source.Contains("must not") && !p.Source.Contains(',')).ToList();
        Assert.NotEmpty(mustNot);
        Assert.All(mustNot, p => Assert.Matches(@"\b(darf|darfst|dürfen|dürft)\b", p.Target));
        var needNot = pairs.Where(p => Regex.IsMatch(p.Source, @"\b(does|do) not have to\b")).ToList();
        Assert.NotEmpty(needNot);
        Assert.All(needNot, p => Assert.Matches(@"\b(muss|musst|müssen|müsst)\b", p.Target));
    }

    [Fact]
    public void Many_sources_have_several_valid_translations()
    {
        var rng = new Random(1);
        int ambiguous = 0;
        foreach (var s in Corpus.Take(300))
        {
            var variants = Enumerable.Range(0, 12).Select(_ => GermanGrammar.Retranslate(s, rng)).Append(s.Pair.Target).Distinct().ToList();
            if (variants.Count > 1) ambiguous++;
        }
        Assert.True(ambiguous > 150, $"only {ambiguous} of 300 sources have more than one translation");
        // Retranslating never changes the English side's meaning markers, e.g. questions stay questions.
        Assert.All(Corpus.Take(100), s => Assert.Equal(s.Pair.Target[^1], GermanGrammar.Retranslate(s, rng)[^1]));
    }

    [Fact]
    public void Embedded_splits_are_disjoint_and_sized()
    {
        var s = TranslationCorpus.Embedded(1000, 3);
        Assert.Equal(50, s.Validation.Count);
        Assert.Equal(50, s.Test.Count);
        Assert.Equal(900, s.Train.Count);
        var train = s.Train.Select(p => p.Source).ToHashSet();
        Assert.DoesNotContain(s.Test, p => train.Contains(p.Source));
        Assert.DoesNotContain(s.Validation, p => train.Contains(p.Source));
    }

    [Fact]
    public void References_are_distinct_valid_translations_with_the_target_first_and_deterministic()
    {
        var refs = Corpus.Take(300).Select(s => GermanGrammar.References(s, 8, new Random(5))).ToList();
        var again = Corpus.Take(300).Select(s => GermanGrammar.References(s, 8, new Random(5))).ToList();
        Assert.Equal(refs, again);
        foreach (var (s, r) in Corpus.Take(300).Zip(refs))
        {
            Assert.Equal(s.Pair.Target, r[0]);
            Assert.InRange(r.Count, 1, 8);
            Assert.Equal(r.Count, r.Distinct().Count());
            Assert.All(r, x => Assert.Equal(s.Pair.Target[^1], x[^1]));
        }
        // Every reference is one the grammar produces for that structure (among many fresh draws).
        var rng = new Random(9);
        foreach (var (s, r) in Corpus.Take(10).Zip(refs))
        {
            var all = Enumerable.Range(0, 600).Select(_ => GermanGrammar.Retranslate(s, rng)).Append(s.Pair.Target).ToHashSet();
            Assert.All(r, x => Assert.Contains(x, all));
        }
        Assert.True(refs.Count(r => r.Count == 8) > 60, $"only {refs.Count(r => r.Count == 8)} of 300 sentences reach 8 references");
        Assert.True(refs.Count(r => r.Count > 1) > 150);
    }

    [Fact]
    public void Embedded_references_follow_the_held_out_pairs_and_leave_training_unchanged()
    {
        var single = TranslationCorpus.Embedded(1000, 3);
        var multi = TranslationCorpus.Embedded(1000, 3, references: 8);
        Assert.Equal(single.Train, multi.Train);
        Assert.Equal(single.Test, multi.Test);
        Assert.All(single.TestReferences, r => Assert.Single(r));
        Assert.Equal(multi.Test.Count, multi.TestReferences.Count);
        Assert.Equal(multi.Validation.Count, multi.ValidationReferences.Count);
        for (int i = 0; i < multi.Test.Count; i++) Assert.Equal(multi.Test[i].Target, multi.TestReferences[i][0]);
        for (int i = 0; i < multi.Validation.Count; i++) Assert.Equal(multi.Validation[i].Target, multi.ValidationReferences[i][0]);
        Assert.True(multi.TestReferences.Average(r => r.Count) > 3);
        Assert.Equal(multi.TestReferences, TranslationCorpus.Embedded(1000, 3, references: 8).TestReferences);
        // A capped training set keeps the references.
        var capped = TranslatorTraining.LoadData(new TranslatorOptions { CorpusSize = 1000, Seed = 3, Validation = 50, Test = 50, TrainLimit = 100 }, references: 4);
        Assert.Equal(100, capped.Train.Count);
        Assert.Contains(capped.TestReferences, r => r.Count == 4);
    }
}
