using System.Text.Json;
using LsLab.Translation;

namespace LsLab.Tests.Translation;

public class ChrfTests
{
    static JsonElement Fixture() => JsonDocument.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "Translation", "Fixtures", "chrf_reference.json"))).RootElement;

    static List<string> Strings(JsonElement e) => e.EnumerateArray().Select(x => x.GetString()!).ToList();
    static long[] Longs(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt64()).ToArray();

    [Fact]
    public void Character_ngram_counts_match_nltk_per_order()
    {
        int n = 0, differs = 0;
        foreach (var c in Fixture().GetProperty("nltk").EnumerateArray())
        {
            string hyp = c.GetProperty("hypothesis").GetString()!, reference = c.GetProperty("reference").GetString()!;
            var s = Chrf.Stats(hyp, new[] { reference });
            double nltkMean = 0;
            foreach (var o in c.GetProperty("orders").EnumerateArray())
            {
                int k = o.GetProperty("n").GetInt32() - 1;
                long tp = o.GetProperty("matches").GetInt64();
                Assert.Equal(tp, s.Matches[k]);
                double p = (double)s.Matches[k] / s.HypothesisCounts[k], r = (double)s.Matches[k] / s.ReferenceCounts[k];
                if (tp > 0)
                {
                    Assert.Equal(o.GetProperty("precision").GetDouble(), p, 12);
                    Assert.Equal(o.GetProperty("recall").GetDouble(), r, 12);
                }
                // NLTK's sentence value from our counts with NLTK's formula: the mean of per-order F_β (ε when nothing matches).
                nltkMean += tp > 0 ? 5 * p * r / (4 * p + r) : 1e-16;
                n++;
            }
            Assert.Equal(c.GetProperty("sentence_chrf_beta2").GetDouble(), nltkMean / Chrf.Order, 12);
            // ... which is not sacreBLEU's (F of the averaged P and R): the documented difference.
            if (Math.Abs(Chrf.FromStats(new[] { s }).Score / 100 - nltkMean / Chrf.Order) > 1e-6) differs++;
        }
        Assert.Equal(33 * Chrf.Order, n);
        Assert.True(differs > 20, $"NLTK's formula and ours agree on {33 - differs} of 33 pairs");
    }

    [Fact]
    public void Corpus_chrf_matches_the_numpy_reference_with_several_references()
    {
        int n = 0;
        foreach (var c in Fixture().GetProperty("cases").EnumerateArray())
        {
            string name = c.GetProperty("name").GetString()!;
            var hyps = Strings(c.GetProperty("hypotheses"));
            var refs = c.GetProperty("references").EnumerateArray().Select(r => (IReadOnlyList<string>)Strings(r)).ToList();
            var score = Chrf.Corpus(hyps, refs);
            Assert.True(Math.Abs(score.Score - c.GetProperty("chrf").GetDouble()) < 1e-9, $"{name}: ours {score.Score}, numpy {c.GetProperty("chrf").GetDouble()}");
            Assert.Equal(c.GetProperty("precision").GetDouble(), score.Precision, 12);
            Assert.Equal(c.GetProperty("recall").GetDouble(), score.Recall, 12);
            Assert.Equal(Longs(c.GetProperty("matches")), score.Matches);
            Assert.Equal(Longs(c.GetProperty("hypothesis_counts")), score.HypothesisCounts);
            Assert.Equal(Longs(c.GetProperty("reference_counts")), score.ReferenceCounts);
            // Each sentence against its best reference.
            var sentence = c.GetProperty("sentence_chrf").EnumerateArray().Select(x => x.GetDouble()).ToList();
            var stats = Chrf.Stats(hyps, refs);
            for (int i = 0; i < hyps.Count; i++) Assert.Equal(sentence[i], Chrf.FromStats(new[] { stats[i] }).Score, 9);
            n++;
        }
        Assert.Equal(5, n);
    }

    [Fact]
    public void Hand_computed_small_cases()
    {
        // "ab" vs "abc": P1 = 2/2, R1 = 2/3; P2 = 1/1, R2 = 1/2; no hypothesis 3-gram, no reference 4-gram ⇒ two orders count.
        // chrP = 1, chrR = 7/12, chrF2 = 5·(7/12) / (4 + 7/12) = 7/11.
        Assert.Equal(100.0 * 7 / 11, Chrf.Corpus(new[] { "ab" }, new[] { "abc" }).Score, 12);
        Assert.Equal(100.0 * 7 / 11, Chrf.Corpus(new[] { "a b" }, new[] { "a\tbc " }).Score, 12);  // whitespace removed
        // Several references: the best one per sentence ("abc", not "xyz").
        Assert.Equal(100.0 * 7 / 11, Chrf.Corpus(new[] { "ab" }, new[] { (IReadOnlyList<string>)new[] { "xyz", "abc" } }).Score, 12);
        // Corpus counts are summed before P and R: ("ab", "abc") and ("ab", "ab") give P = 1, R = (4/5 + 2/3)/2 = 11/15, chrF2 = 55/71.
        Assert.Equal(100.0 * 55 / 71, Chrf.Corpus(new[] { "ab", "ab" }, new[] { "abc", "ab" }).Score, 12);
        Assert.Equal(0, Chrf.Corpus(new[] { "" }, new[] { "abc" }).Score);
        Assert.Equal(0, Chrf.Corpus(new[] { "xy" }, new[] { "abc" }).Score);
        Assert.Equal(100, Chrf.Corpus(new[] { "Äpfel ß" }, new[] { "Äpfelß" }).Score, 12);
        Assert.Equal(100.0, Chrf.Corpus(new[] { "Ab" }, new[] { "aB" }, lowercase: true).Score, 12);
    }

    [Fact]
    public void Chrf_of_resampled_sentences_is_corpus_chrf_of_those_sentences_with_all_their_references()
    {
        var hyp = new List<string> { "Der Mann sieht den Hund.", "Ich kaufe einen Wagen.", "Sie läuft schnell.", "Wir wissen es nicht." };
        var refs = new List<IReadOnlyList<string>>
        {
            new[] { "Der Mann sieht einen Hund.", "Der Mann sah den Hund." },
            new[] { "Ich kaufe ein Auto.", "Ich kaufe einen Wagen." },
            new[] { "Sie rennt schnell." },
            new[] { "Wir wissen das nicht.", "Das wissen wir nicht.", "Wir wissen es nicht!" },
        };
        var metric = Chrf.OfSentences(Chrf.Stats(hyp, refs));
        Assert.Equal(Chrf.Corpus(hyp, refs).Score, metric(new[] { 0, 1, 2, 3 }), 12);
        var idx = new[] { 1, 1, 3, 0 };
        Assert.Equal(Chrf.Corpus(idx.Select(i => hyp[i]).ToList(), idx.Select(i => refs[i]).ToList()).Score, metric(idx), 12);
        // BLEU's resampling carries every reference too.
        var bleu = Bleu.OfSentences(Bleu.Stats(hyp, refs));
        Assert.Equal(Bleu.Corpus(idx.Select(i => hyp[i]).ToList(), idx.Select(i => refs[i]).ToList()).Score, bleu(idx), 9);
        Assert.NotEqual(Bleu.Corpus(hyp, refs).Score, Bleu.Corpus(hyp, refs.Select(r => r[0]).ToList()).Score);
    }
}
