using System.Diagnostics;
using LsLab.Statistics;
using LsLab.Translation;

namespace LsLab.Bench;

/// <summary>
/// What multi-reference scoring costs in the translation experiment: making the grammar corpus's references,
/// then corpus BLEU and chrF of one system (single vs. all references) and their paired bootstrap.
/// The "hypotheses" are fresh retranslations of each test sentence (valid German, so most n-grams match).
/// </summary>
public static class ScoringBench
{
    /// <summary>`score [--sentences 500] [--references 8] [--resamples 2000]`: wall and CPU seconds per step (second call, after a warm-up), as one JSON line.</summary>
    public static int Run(string[] args)
    {
        var o = BenchArgs.Parse(args);
        int n = o.Int("sentences", 500), k = o.Int("references", 8), resamples = o.Int("resamples", Bootstrap.DefaultResamples);
        var result = new Dictionary<string, object> { ["side"] = "lslab", ["work"] = "translation scoring", ["sentences"] = n, ["references"] = k, ["resamples"] = resamples };
        T Time<T>(string name, Func<T> f)
        {
            f();  // warm-up (JIT), not timed
            double cpu = Memory.CpuSeconds();
            var sw = Stopwatch.StartNew();
            var v = f();
            result[name + "_s"] = sw.Elapsed.TotalSeconds;
            result[name + "_cpu_s"] = Memory.CpuSeconds() - cpu;
            return v;
        }
        var data = Time("references", () => TranslationCorpus.Embedded(6000 * n / 500, 0, n, n, k));
        var rng = new Random(1);
        var samples = GermanGrammar.Generate(6000 * n / 500, 0).ToDictionary(s => s.Pair.Source);
        var hyps = data.Test.Select(p => GermanGrammar.Retranslate(samples[p.Source], rng)).ToList();
        var single = data.Test.Select(p => p.Target).ToList();
        var one = Time("bleu_single", () => Bleu.Corpus(hyps, single).Score);
        var bleu = Time("bleu_multi", () => Bleu.Corpus(hyps, data.TestReferences).Score);
        var chrf = Time("chrf_multi", () => Chrf.Corpus(hyps, data.TestReferences).Score);
        Time("bootstrap_bleu_and_chrf", () =>
        {
            var b = Bootstrap.Paired(n, Bleu.OfSentences(Bleu.Stats(hyps, data.TestReferences)), Bleu.OfSentences(Bleu.Stats(single, data.TestReferences)), resamples);
            var c = Bootstrap.Paired(n, Chrf.OfSentences(Chrf.Stats(hyps, data.TestReferences)), Chrf.OfSentences(Chrf.Stats(single, data.TestReferences)), resamples);
            return b.Estimate + c.Estimate;
        });
        result["mean_references"] = data.TestReferences.Average(r => r.Count);
        result["bleu_single_ref"] = one;
        result["bleu_multi_ref"] = bleu;
        result["chrf_multi_ref"] = chrf;
        BenchArgs.Emit(result);
        return 0;
    }
}
