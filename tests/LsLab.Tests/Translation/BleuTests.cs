using System.Text.Json;
using LsLab.Translation;

namespace LsLab.Tests.Translation;

public class BleuTests
{
    static JsonElement Fixture() => JsonDocument.Parse(File.ReadAllText(
        Path.Combine(AppContext.BaseDirectory, "Translation", "Fixtures", "bleu_nltk.json"))).RootElement;

    static List<string> Strings(JsonElement e) => e.EnumerateArray().Select(x => x.GetString()!).ToList();

    [Fact]
    public void Tokenizer_13a_matches_the_reference_script()
    {
        int n = 0;
        foreach (var c in Fixture().GetProperty("cases").EnumerateArray())
        {
            var raw = Strings(c.GetProperty("hypotheses"));
            var tok = Strings(c.GetProperty("hypotheses_13a"));
            for (int i = 0; i < raw.Count; i++, n++) Assert.Equal(tok[i], Bleu.Tokenize13a(raw[i]));
            var refs = c.GetProperty("references").EnumerateArray().ToList();
            var refTok = c.GetProperty("references_13a").EnumerateArray().ToList();
            for (int i = 0; i < refs.Count; i++)
            {
                var r = Strings(refs[i]);
                var rt = Strings(refTok[i]);
                for (int j = 0; j < r.Count; j++, n++) Assert.Equal(rt[j], Bleu.Tokenize13a(r[j]));
            }
        }
        Assert.True(n > 300);
        Assert.Equal("3.50 Euro , 1,000 Cent ( ca . ) 10 - 12 \" a & b \"", Bleu.Tokenize13a("3.50 Euro, 1,000 Cent (ca.) 10-12 &quot;a &amp; b\""));
    }

    [Fact]
    public void Corpus_bleu_matches_nltk_on_the_fixtures()
    {
        int n = 0;
        foreach (var c in Fixture().GetProperty("cases").EnumerateArray())
        {
            var hyps = Strings(c.GetProperty("hypotheses"));
            var refs = c.GetProperty("references").EnumerateArray().Select(r => (IReadOnlyList<string>)Strings(r)).ToList();
            var score = Bleu.Corpus(hyps, refs);
            double nltk = c.GetProperty("bleu").GetDouble();
            string name = c.GetProperty("name").GetString()!;
            Assert.True(Math.Abs(score.Score / 100 - nltk) < 1e-6, $"{name}: ours {score.Score / 100}, NLTK {nltk}");
            Assert.Equal(c.GetProperty("matches").EnumerateArray().Select(x => x.GetInt64()), score.Matches);
            Assert.Equal(c.GetProperty("totals").EnumerateArray().Select(x => x.GetInt64()), score.Totals);
            n++;
        }
        Assert.Equal(7, n);
    }

    [Fact]
    public void Hand_computed_brevity_penalty_and_short_hypotheses()
    {
        // Hypothesis "a b c" against "a b c d e": p1 = 3/3, p2 = 2/2, p3 = 1/1, no 4-grams at all ⇒ BLEU 0
        // (standard definition; NLTK would count one phantom 4-gram here).
        var s = Bleu.CorpusTokenized(new[] { "a b c".Split(' ') }, new[] { new[] { "a b c d e".Split(' ') } });
        Assert.Equal(0, s.Score);
        Assert.Equal(new long[] { 3, 2, 1, 0 }, s.Totals);
        // Two sentences: "a b c d" vs "a b c d e f" and "x y z w" vs "x y z w": c = 8, r = 10, all precisions 1.
        var t = Bleu.CorpusTokenized(
            new[] { "a b c d".Split(' '), "x y z w".Split(' ') },
            new[] { new[] { "a b c d e f".Split(' ') }, new[] { "x y z w".Split(' ') } });
        Assert.Equal(100 * Math.Exp(1 - 10.0 / 8), t.Score, 1e-9);
        // Closest reference length, shorter one on ties: hyp of 4 tokens with refs of 3 and 5 ⇒ r = 3 ⇒ BP = 1.
        var u = Bleu.CorpusTokenized(new[] { "a b c d".Split(' ') }, new[] { new[] { "a b c".Split(' '), "a b c d e".Split(' ') } });
        Assert.Equal(3, u.ReferenceLength);
        Assert.Equal(1.0, u.BrevityPenalty);
        Assert.Equal(0, Bleu.Corpus(new[] { "" }, new[] { "a b c d" }).Score);
    }

    [Fact]
    public void Bleu_of_resampled_sentences_is_corpus_bleu_of_those_sentences()
    {
        var hyp = new List<string> { "the cat sat on the mat", "a dog ran in the park today", "it is raining", "we like green tea" };
        var refs = new List<string> { "the cat sat on a mat", "a dog ran in the park", "it is raining now", "we love green tea" };
        var stats = Bleu.Stats(hyp, refs);
        var metric = Bleu.OfSentences(stats);
        Assert.Equal(Bleu.Corpus(hyp, refs).Score, metric(new[] { 0, 1, 2, 3 }), 9);
        // A resample with repeats is the corpus BLEU of the repeated corpus.
        var idx = new[] { 1, 1, 3, 0 };
        Assert.Equal(Bleu.Corpus(idx.Select(i => hyp[i]).ToList(), idx.Select(i => refs[i]).ToList()).Score, metric(idx), 9);
    }
}
