using System.Diagnostics;
using System.Globalization;
using LsLab.Reporting;
using LsLab.Runs;
using LsLab.Statistics;
using LsLab.Translation;

namespace LsLab.Experiments;

/// <summary>Everything measured for one translator (cached as eval.json in its run folder).</summary>
public sealed record TranslatorEvaluation
{
    /// <summary>Label smoothing α the translator was trained with.</summary>
    public double Alpha { get; init; }
    /// <summary>Describes the decoding and grid, so a cache made with other settings is not reused.</summary>
    public string Settings { get; init; } = "";
    /// <summary>NLL-optimal temperature fitted on the validation split.</summary>
    public double FittedTemperature { get; init; }
    /// <summary>ECE-optimal temperature on the validation split (grid search), for comparison.</summary>
    public double EceTemperature { get; init; }
    /// <summary>Test rows for the grid temperatures, then one for the fitted temperature.</summary>
    public List<TemperatureRow> Rows { get; init; } = new();
    /// <summary>Beam-search outputs on the test split per temperature (same order as the test split).</summary>
    public Dictionary<string, List<string>> Hypotheses { get; init; } = new();
    /// <summary>Beam-search BLEU on the validation split per grid temperature: where the best T is chosen.</summary>
    public Dictionary<string, double> ValidationBleu { get; init; } = new();
    /// <summary>Test BLEU of greedy decoding at T = 1 (beam search's baseline).</summary>
    public double GreedyBleu { get; init; }
    /// <summary>Test chrF of greedy decoding at T = 1.</summary>
    public double GreedyChrf { get; init; }
    /// <summary>Wall seconds the training took.</summary>
    public double TrainSeconds { get; init; }
    /// <summary>Wall seconds beam decoding of the test split took, over every temperature.</summary>
    public double DecodeSeconds { get; init; }
    /// <summary>Beam-decoded test sentences per second.</summary>
    public double SentencesPerSecond { get; init; }
}

/// <summary>
/// The paper's Figure 4 analogue (Section 3): Transformer translators trained with α = 0 and α = 0.1,
/// decoded with beam search at temperatures T over a grid. Reports test BLEU and chrF (beam 4, GNMT length
/// penalty 0.6; on the grammar corpus against several references per sentence), teacher-forced token NLL,
/// accuracy and ECE at each T, plus the NLL-optimal T fitted
/// on validation, and checks the claims: LS raises BLEU, temperature scaling does not recover it,
/// LS worsens NLL, LS calibrates.
/// Data: the embedded grammar corpus in every profile, or the Ding dictionary sentences when the data folder
/// points at them (<c>--data-dir /usr/share/trans</c> or <c>--data-dir ding</c>).
/// </summary>
public sealed class TranslationExperiment : IExperiment
{
    /// <inheritdoc />
    public string Name => "translation";

    /// <summary>Forces the data source (null: decided from the context, see the class summary).</summary>
    public TranslationData? Data { get; init; }
    /// <summary>Ding file or folder (null: the context's data folder or the Debian default).</summary>
    public string? DingPath { get; init; }
    /// <summary>Replaces the profile's training epochs (null: profile default).</summary>
    public int? Epochs { get; init; }

    /// <summary>The two smoothing levels compared (the paper's α = 0 and 0.1).</summary>
    public static readonly double[] Alphas = { 0.0, 0.1 };
    static readonly double[] Grid = { 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.35, 1.5, 1.75, 2.0 };
    static readonly double[] TinyGrid = { 0.5, 1.0, 2.0 };
    /// <summary>The quick profile's grid: beam search dominates its time, so 8 temperatures instead of 12.</summary>
    static readonly double[] QuickGrid = { 0.5, 0.7, 0.85, 1.0, 1.15, 1.35, 1.6, 2.0 };

    /// <summary>Which data the context asks for: Ding when named by the data folder (path or "ding"), or in the full profile when installed.</summary>
    public (TranslationData Data, string? Path) ResolveData(ExperimentContext ctx)
    {
        if (Data is TranslationData forced) return (forced, DingPath ?? DingFromDataDir(ctx.DataDir));
        if (DingPath is not null) return (TranslationData.Ding, DingPath);
        var dir = ctx.DataDir;
        if (dir is not null)
        {
            if (dir.Equals("embedded", StringComparison.OrdinalIgnoreCase)) return (TranslationData.Embedded, null);
            if (DingFromDataDir(dir) is not null || dir.Equals("ding", StringComparison.OrdinalIgnoreCase)) return (TranslationData.Ding, DingFromDataDir(dir));
        }
        // Every profile uses the grammar corpus, where several references per sentence let BLEU move (issue 14 §5);
        // Ding's single-reference dictionary sentences only when the data folder names them.
        return (TranslationData.Embedded, null);
    }

    static string? DingFromDataDir(string? dir)
    {
        if (dir is null || dir.Equals("ding", StringComparison.OrdinalIgnoreCase)) return null;
        if (File.Exists(dir) && Path.GetFileName(dir) == "de-en") return dir;
        return File.Exists(Path.Combine(dir, "de-en")) ? Path.Combine(dir, "de-en") : null;
    }

    /// <summary>Training settings per profile and data source (both α use them; sized for 2 CPU cores).</summary>
    public static TranslatorOptions OptionsFor(Profile profile, TranslationData data, int seed, string? dingPath) => (profile, data) switch
    {
        (Profile.Tiny, _) => new TranslatorOptions
        {
            Data = TranslationData.Embedded, CorpusSize = 200, Validation = 20, Test = 20, Seed = seed, Epochs = 2, BatchSize = 32, LearningRate = 2e-3, WarmupSteps = 5,
            SourceVocab = 200, TargetVocab = 200, Model = new() { DModel = 32, Heads = 2, FeedForward = 64, EncoderLayers = 1, DecoderLayers = 1 },
        },
        (Profile.Quick, TranslationData.Embedded) => new TranslatorOptions
        {
            Data = TranslationData.Embedded, CorpusSize = 6000, Validation = 500, Test = 500, Seed = seed, Epochs = 8, BatchSize = 64, LearningRate = 2e-3, WarmupSteps = 100,
            SourceVocab = 1000, TargetVocab = 1000, Model = new() { DModel = 128, Heads = 4, FeedForward = 512, EncoderLayers = 2, DecoderLayers = 2 },
        },
        (Profile.Quick, TranslationData.Ding) => new TranslatorOptions
        {
            Data = TranslationData.Ding, DataPath = dingPath, Validation = 500, Test = 500, Seed = seed, Epochs = 10, BatchSize = 64,
            LearningRate = 2e-3, WarmupSteps = 300, SourceVocab = 2000, TargetVocab = 2000, DingPhrases = 20000,
            Model = new() { DModel = 128, Heads = 4, FeedForward = 512, EncoderLayers = 2, DecoderLayers = 2, Dropout = 0.2 },
        },
        (_, TranslationData.Embedded) => new TranslatorOptions
        {
            // 2,000 test sentences (issue 14 §5), and 30 epochs without dropout so the hard-target model can become
            // over-confident (its fitted T > 1) — the regime where the paper's translation claims are made.
            Data = TranslationData.Embedded, CorpusSize = 9000, Validation = 1000, Test = 2000, Seed = seed, Epochs = 30, BatchSize = 64, LearningRate = 2e-3, WarmupSteps = 200,
            SourceVocab = 1000, TargetVocab = 1000, Model = new() { DModel = 128, Heads = 4, FeedForward = 512, EncoderLayers = 2, DecoderLayers = 2, Dropout = 0 },
        },
        _ => new TranslatorOptions
        {
            Data = TranslationData.Ding, DataPath = dingPath, Validation = 500, Test = 500, Seed = seed, Epochs = 25, BatchSize = 64,
            LearningRate = 1e-3, WarmupSteps = 800, SourceVocab = 4000, TargetVocab = 4000, DingPhrases = 50000,
            Model = new() { DModel = 256, Heads = 4, FeedForward = 1024, EncoderLayers = 3, DecoderLayers = 3, Dropout = 0.3 },
        },
    };

    TranslatorOptions BaseOptions(ExperimentContext ctx)
    {
        var (source, dingPath) = ResolveData(ctx);
        var o = OptionsFor(ctx.Profile, source, ctx.Seed, dingPath);
        return Epochs is int e ? o with { Epochs = e } : o;
    }

    /// <inheritdoc />
    public IReadOnlyList<RunSpec> Plan(ExperimentContext ctx)
    {
        var o = BaseOptions(ctx);
        return (from k in Enumerable.Range(0, Seeds) from a in Alphas select (RunSpec)new TranslatorRun(o with { Alpha = a, Seed = o.Seed + k })).ToList();
    }

    /// <summary>
    /// References per validation and test sentence on the grammar corpus (its target and distinct retranslations):
    /// 16 in the full profile, 8 otherwise. Ding has one.
    /// </summary>
    public static int References(Profile p) => p == Profile.Full ? 16 : 8;

    /// <summary>Seeds per α in every profile: the intervals are over test sentences (2,000 in the full profile), and a seed costs a full training.</summary>
    const int Seeds = 1;

    /// <summary>One seed's data and its two evaluated translators (hard targets, LS) with their test-token predictions.</summary>
    sealed record SeedEval(TranslationSplits Data, TranslatorEvaluation Hard, TranslatorEvaluation Ls, TokenPredictions HardTokens, TokenPredictions LsTokens);

    /// <inheritdoc />
    public ExperimentResult Analyse(ExperimentContext ctx, TrainedRuns runs)
    {
        var baseOptions = BaseOptions(ctx);
        var source = baseOptions.Data;
        var grid = ctx.Profile switch { Profile.Tiny => TinyGrid, Profile.Quick => QuickGrid, _ => Grid };
        var decode = new DecodeOptions { Beam = ctx.Profile == Profile.Tiny ? 2 : 4, Penalty = LengthPenalty.Gnmt, LengthAlpha = 0.6, BatchSize = 32 };
        var seeds = new List<SeedEval>();
        for (int k = 0; k < Seeds; k++)
        {
            var o = baseOptions with { Seed = baseOptions.Seed + k };
            var data = TranslatorTraining.LoadData(o, References(ctx.Profile));
            var evals = new List<TranslatorEvaluation>();
            var tokens = new List<TokenPredictions>();
            foreach (double alpha in Alphas)
            {
                var run = runs[new TranslatorRun(o with { Alpha = alpha })].Folder;
                evals.Add(Evaluate(run.Path, alpha, data, grid, decode, run.ReadMetrics().TotalSeconds, ctx));
                using var translator = Translator.Load(run.Path);
                tokens.Add(TokenPredictions.Collect(translator, data.Test));
            }
            seeds.Add(new SeedEval(data, evals[0], evals[1], tokens[0], tokens[1]));
        }
        return Report(ctx, seeds, baseOptions, decode, grid, source);
    }

    /// <summary>How many references the test sentences have (the grammar corpus makes several; Ding has one).</summary>
    static string RefsText(TranslationSplits data, int wanted)
    {
        var counts = data.TestReferences.Select(r => r.Count).ToList();
        if (counts.All(c => c == 1)) return "one reference per sentence";
        return $"up to {wanted} references per test sentence (its own target and distinct retranslations of its structure; " +
               $"mean {counts.Average().ToString("F2", CultureInfo.InvariantCulture)}, {counts.Count(c => c == wanted)} of {counts.Count} have {wanted}, " +
               $"{counts.Count(c => c == 1)} have a single valid translation)";
    }

    static string F(double v, int digits = 3) => v.ToString("F" + digits, CultureInfo.InvariantCulture);
    static string Key(double t) => t.ToString("0.###", CultureInfo.InvariantCulture);

    static TranslatorEvaluation Evaluate(string dir, double alpha, TranslationSplits data, double[] grid, DecodeOptions decode,
        double trainSeconds, ExperimentContext ctx)
    {
        string settings = $"beam {decode.Beam}, {decode.Penalty} α_len {decode.LengthAlpha}, max len {decode.MaxLengthA}·|src|+{decode.MaxLengthB}; " +
                          $"grid {string.Join(",", grid.Select(Key))}; test {data.Test.Count}, validation {data.Validation.Count} (validation BLEU sweep); " +
                          $"references {data.TestReferences.Sum(r => r.Count)}/{data.ValidationReferences.Sum(r => r.Count)} (test/validation); chrF2";
        var cache = Path.Combine(dir, "eval.json");
        if (File.Exists(cache))
        {
            var cached = AtomicFile.ReadJson<TranslatorEvaluation>(cache);
            if (cached.Settings == settings && cached.Alpha == alpha) return cached;
        }
        using var translator = Translator.Load(dir);
        var valid = TokenPredictions.Collect(translator, data.Validation);
        double fitted = valid.FitTemperature();
        double eceT = grid.OrderBy(t => valid.Score(t).Ece).First();
        var test = TokenPredictions.Collect(translator, data.Test);
        var sources = data.Test.Select(p => p.Source).ToList();
        var refs = data.TestReferences;
        var rows = new List<TemperatureRow>();
        var hyps = new Dictionary<string, List<string>>();
        var temps = grid.Append(fitted).ToList();
        var sw = Stopwatch.StartNew();
        ctx.Progress.Run($"beam search α={alpha} at {temps.Count} temperatures on {sources.Count} test sentences", temps.Count, task =>
        {
            foreach (var (row, h) in TemperatureSweep.Run(translator, data.Test, test, decode, temps,
                         onRow: r => task.Advance(1, $"T={r.Temperature:F2} BLEU {r.Bleu:F2} chrF {r.Chrf:F2} NLL {r.Nll:F3} ECE {r.Ece:F3}"), references: refs))
            {
                rows.Add(row);
                hyps[Key(row.Temperature)] = h;
            }
        });
        double decodeSeconds = sw.Elapsed.TotalSeconds;
        var validationBleu = new Dictionary<string, double>();
        var validTokens = valid;
        ctx.Progress.Run($"beam search α={alpha} at {grid.Length} temperatures on {data.Validation.Count} validation sentences (to choose T)", grid.Length, task =>
        {
            foreach (var (row, _) in TemperatureSweep.Run(translator, data.Validation, validTokens, decode, grid,
                         onRow: r => task.Advance(1, $"T={r.Temperature:F2} validation BLEU {r.Bleu:F2}"), references: data.ValidationReferences))
                validationBleu[Key(row.Temperature)] = row.Bleu;
        });
        var greedyHyps = translator.Translate(sources, decode with { Beam = 1, NBest = 1 }).ToList();
        var greedy = Bleu.Corpus(greedyHyps, refs).Score;
        var ev = new TranslatorEvaluation
        {
            Alpha = alpha, Settings = settings, FittedTemperature = fitted, EceTemperature = eceT, Rows = rows, Hypotheses = hyps,
            ValidationBleu = validationBleu, GreedyBleu = greedy, GreedyChrf = Chrf.Corpus(greedyHyps, refs).Score, TrainSeconds = trainSeconds, DecodeSeconds = decodeSeconds,
            SentencesPerSecond = sources.Count * temps.Count / decodeSeconds,
        };
        AtomicFile.WriteJson(cache, ev);
        return ev;
    }

    /// <summary>Tables and figures from the first seed; every claim's interval from all seeds (hierarchical when several).</summary>
    static ExperimentResult Report(ExperimentContext ctx, List<SeedEval> seeds, TranslatorOptions o, DecodeOptions decode, double[] grid, TranslationData source)
    {
        var result = new ExperimentResult("translation", "Translation: BLEU, NLL and calibration against temperature (Figure 4 analogue)");
        var data = seeds[0].Data;
        var hard = seeds[0].Hard;
        var ls = seeds[0].Ls;
        var evals = new List<TranslatorEvaluation> { hard, ls };
        if (seeds.Count > 1)
            result.Findings.Add($"{seeds.Count} seeds per α (each with its own corpus split and initialisation): tables and figures show the first seed; every claim's interval resamples seeds, then test sentences.");
        string dataLabel = source == TranslationData.Ding
            ? "Ding dictionary example sentences (EN→DE), not WMT"
            : "embedded generated grammar corpus (EN→DE)";

        var rows = new List<IReadOnlyList<string>>();
        foreach (var ev in evals)
            foreach (var r in ev.Rows.Take(grid.Length).Concat(new[] { ev.Rows[^1] }))
            {
                bool fittedRow = ReferenceEquals(r, ev.Rows[^1]);
                rows.Add(new[] { F(ev.Alpha, 1), fittedRow ? $"{F(r.Temperature, 3)} (fitted)" : F(r.Temperature, 2), F(r.Nll, 4), F(r.Bleu, 2), F(r.Chrf, 2), F(r.Ece, 4), F(100 * r.Accuracy, 2) });
                string k = fittedRow ? "fitted" : Key(r.Temperature);
                result.Set("bleu", r.Bleu, ("alpha", ev.Alpha), ("T", k));
                result.Set("chrf", r.Chrf, ("alpha", ev.Alpha), ("T", k));
                result.Set("nll", r.Nll, ("alpha", ev.Alpha), ("T", k));
                result.Set("ece", r.Ece, ("alpha", ev.Alpha), ("T", k));
            }
        result.Tables.Add(new ReportTable($"Test split of the {dataLabel}: {data.Test.Count} sentences",
            new[] { "α", "T", "NLL (nats/token)", "BLEU", "chrF", "ECE", "token acc. %" }, rows,
            $"Ours. BLEU: corpus BLEU-4, 13a tokenisation, cased, beam {decode.Beam}, GNMT length penalty ((5+len)/6)^{decode.LengthAlpha}; " +
            $"{RefsText(data, References(ctx.Profile))}. chrF: character 1–6-grams, β = 2, whitespace removed (sacreBLEU's default; best reference per sentence). " +
            "NLL/ECE: next-token predictions given the reference prefix (teacher forcing), ECE with 15 equal-width bins. " +
            "Fitted T minimises validation NLL. The paper gives no numbers for its Figure 4 curves."));

        // The best grid T of each model is chosen on validation BLEU; the test split is only scored.
        TemperatureRow BestOnValidation(TranslatorEvaluation ev) => Select.OnValidation(ev.Rows.Take(grid.Length), r => ev.ValidationBleu[Key(r.Temperature)]);
        var bestHard = BestOnValidation(hard);
        var bestLs = BestOnValidation(ls);
        var hardAt1 = hard.Rows.First(r => r.Temperature == 1.0);
        var lsAt1 = ls.Rows.First(r => r.Temperature == 1.0);
        var hardFit = hard.Rows[^1];
        var lsFit = ls.Rows[^1];
        int n = data.Test.Count;
        // Sentence statistics against all of a sentence's references, so a resampled sentence brings all of them.
        Func<int[], double> BleuOf(SeedEval e, TranslatorEvaluation ev, double t) => Bleu.OfSentences(Bleu.Stats(ev.Hypotheses[Key(t)], e.Data.TestReferences));
        Func<int[], double> ChrfOf(SeedEval e, TranslatorEvaluation ev, double t) => Chrf.OfSentences(Chrf.Stats(ev.Hypotheses[Key(t)], e.Data.TestReferences));
        // Every comparison resamples the same test sentences for both models (paired); with several seeds, seeds first
        // (seed i of both models shares its corpus split and initialisation), each seed choosing its own T on validation.
        BootstrapDistribution Compare(Func<SeedEval, Func<int[], double>> a, Func<SeedEval, Func<int[], double>> b) =>
            Bootstrap.Hierarchical(n, seeds.Select(a).ToList(), seeds.Select(b).ToList(), seed: ctx.Seed);
        var bootBest = Compare(e => BleuOf(e, e.Ls, BestOnValidation(e.Ls).Temperature), e => BleuOf(e, e.Hard, BestOnValidation(e.Hard).Temperature));
        var bootTs = Compare(e => BleuOf(e, e.Ls, 1.0), e => BleuOf(e, e.Hard, e.Hard.Rows[^1].Temperature));
        var chrfBest = Compare(e => ChrfOf(e, e.Ls, BestOnValidation(e.Ls).Temperature), e => ChrfOf(e, e.Hard, BestOnValidation(e.Hard).Temperature));
        var chrfTs = Compare(e => ChrfOf(e, e.Ls, 1.0), e => ChrfOf(e, e.Hard, e.Hard.Rows[^1].Temperature));
        string Iv(BootstrapDistribution d, int digits = 2) =>
            $"{Signed.Of(d.Estimate, digits)} [{Signed.Of(d.Interval().Low, digits)}, {Signed.Of(d.Interval().High, digits)}]";

        result.Tables.Add(new ReportTable($"Key comparisons (paired bootstrap over the {n} test sentences, {bootBest.Resamples} resamples)",
            new[] { "comparison", "BLEU α=0.1", "BLEU α=0", "BLEU difference [95% interval]", "share of resamples where LS wins", "chrF α=0.1", "chrF α=0", "chrF difference [95% interval]" },
            new IReadOnlyList<string>[]
            {
                new[] { $"each at its best grid T on validation (LS T={F(bestLs.Temperature, 2)}, hard T={F(bestHard.Temperature, 2)})", F(bestLs.Bleu, 2), F(bestHard.Bleu, 2),
                        Iv(bootBest), F(bootBest.ShareAbove(0), 3), F(bestLs.Chrf, 2), F(bestHard.Chrf, 2), Iv(chrfBest) },
                new[] { $"LS at T=1 vs hard at its fitted T={F(hardFit.Temperature, 3)} (temperature scaling)", F(lsAt1.Bleu, 2), F(hardFit.Bleu, 2),
                        Iv(bootTs), F(bootTs.ShareAbove(0), 3), F(lsAt1.Chrf, 2), F(hardFit.Chrf, 2), Iv(chrfTs) },
            },
            "T is chosen on the validation split (best beam-search BLEU over the grid; the fitted T minimises validation NLL); BLEU and chrF are test scores, " +
            "each difference LS − hard resampling the same test sentences (with all their references) for both models."));

        foreach (var ev in evals)
        {
            result.Set("fitted_t", ev.FittedTemperature, ("alpha", ev.Alpha));
            result.Set("ece_optimal_t", ev.EceTemperature, ("alpha", ev.Alpha));
            result.Set("greedy_bleu", ev.GreedyBleu, ("alpha", ev.Alpha));
            result.Set("greedy_chrf", ev.GreedyChrf, ("alpha", ev.Alpha));
            result.Set("train_seconds", ev.TrainSeconds, ("alpha", ev.Alpha));
            result.Set("beam_sentences_per_second", ev.SentencesPerSecond, ("alpha", ev.Alpha));
            result.Set("best_t_on_validation", BestOnValidation(ev).Temperature, ("alpha", ev.Alpha));
        }
        result.Set("bleu_difference_ls_minus_hard", bootBest.Estimate, ("at", "best_t"));
        result.Set("share_ls_wins", bootBest.ShareAbove(0), ("at", "best_t"));
        result.Set("bleu_difference_ls_minus_hard", bootTs.Estimate, ("at", "fitted_t"));
        result.Set("share_ls_wins", bootTs.ShareAbove(0), ("at", "fitted_t"));
        result.Set("chrf_difference_ls_minus_hard", chrfBest.Estimate, ("at", "best_t"));
        result.Set("chrf_difference_ls_minus_hard", chrfTs.Estimate, ("at", "fitted_t"));

        bool smoke = ctx.Profile == Profile.Tiny;
        Claim Judge(string statement, string paper, string ours, ClaimRule rule, BootstrapDistribution d, string selectedOn) =>
            Verdicts.ToClaim(statement, paper, $"{ours}; {rule.Metric} {Iv(d, 3)}", rule, d.ToEvidence(rule.Kind, rule.Metric, rule.Margin?.Value, selectedOn), smoke);

        result.Claims.Add(Judge("Label smoothing gives higher BLEU than hard targets, each at its best temperature (Fig. 4).",
            "higher BLEU with LS (curves only, no numbers)",
            $"{F(bestLs.Bleu, 2)} vs {F(bestHard.Bleu, 2)} (T chosen on validation BLEU); chrF {F(bestLs.Chrf, 2)} vs {F(bestHard.Chrf, 2)}, LS − hard {Iv(chrfBest)}",
            ClaimRule.Difference("BLEU(LS, best T) − BLEU(hard, best T)", Direction.Increase), bootBest, "validation"));
        result.Claims.Add(Judge("Temperature scaling does not let the hard-target model reach the LS model's BLEU (Fig. 4 left).",
            "TS raises BLEU slightly, not up to LS",
            $"hard at fitted T={F(hardFit.Temperature, 2)}: {F(hardFit.Bleu, 2)} (T=1: {F(hardAt1.Bleu, 2)}); LS at T=1: {F(lsAt1.Bleu, 2)}; chrF {F(lsAt1.Chrf, 2)} vs {F(hardFit.Chrf, 2)}, LS − hard {Iv(chrfTs)}",
            ClaimRule.Difference("BLEU(LS, T=1) − BLEU(hard, fitted T)", Direction.Increase), bootTs, "validation"));

        // NLL at every grid temperature: the smallest LS − hard gap over the grid, on the same resampled sentences.
        var nllArms = grid.SelectMany(t => new[] { seeds.Select(e => e.LsTokens.NllOfSentences(t)).ToList(), seeds.Select(e => e.HardTokens.NllOfSentences(t)).ToList() })
            .Select(f => (IReadOnlyList<Func<int[], double>>)f).ToList();
        var nllGap = Bootstrap.Statistic(n, nllArms, v => Enumerable.Range(0, v.Length / 2).Min(i => v[2 * i] - v[2 * i + 1]), seed: ctx.Seed);
        int nllHardBetter = grid.Count(t => hard.Rows.First(r => r.Temperature == t).Nll < ls.Rows.First(r => r.Temperature == t).Nll);
        result.Claims.Add(Judge("Label smoothing worsens NLL: the hard-target model has the better NLL at every temperature (Fig. 4 right).",
            "perplexity 4.67 vs 4.92 (Vaswani et al., via Table 1)",
            $"hard better at {nllHardBetter}/{grid.Length} grid temperatures; at fitted T: {F(hardFit.Nll, 4)} vs {F(lsFit.Nll, 4)}",
            ClaimRule.Difference("min over grid T of NLL(LS, T) − NLL(hard, T), nats/token", Direction.Increase), nllGap, "none"));

        var eceAt1 = Compare(e => e.HardTokens.EceOfSentences(1.0), e => e.LsTokens.EceOfSentences(1.0));
        result.Claims.Add(Judge("Label smoothing calibrates next-token predictions (ECE at T=1).",
            "ECE 0.056 (α=0) → 0.019 (α=0.1)", $"{F(hardAt1.Ece, 4)} → {F(lsAt1.Ece, 4)}",
            ClaimRule.Difference("ECE(hard, T=1) − ECE(LS, T=1)", Direction.Increase, paperEffect: 0.056 - 0.019), eceAt1, "none"));

        var eceTs = Compare(e => e.HardTokens.EceOfSentences(e.Hard.Rows[^1].Temperature), e => e.LsTokens.EceOfSentences(1.0));
        result.Claims.Add(Judge("Temperature scaling calibrates the hard-target model about as well as LS, with T slightly above 1.",
            "ECE 0.018 at T=1.13 (LS: 0.019)", $"hard: ECE {F(hardFit.Ece, 4)} at fitted T={F(hardFit.Temperature, 3)} (validation NLL); LS at T=1: {F(lsAt1.Ece, 4)}",
            ClaimRule.Equivalence("ECE(hard, fitted T) − ECE(LS, T=1)", Margins.EceEquivalence), eceTs, "validation"));

        result.Findings.Add($"Data: {data}. Models: Transformer d={o.Model.DModel}, {o.Model.EncoderLayers}+{o.Model.DecoderLayers} pre-LN layers, " +
            $"{o.Model.Heads} heads, FFN {o.Model.FeedForward}, dropout {o.Model.Dropout}, BPE {o.SourceVocab}/{o.TargetVocab}; Adam lr {o.LearningRate} with " +
            $"{o.WarmupSteps} warm-up steps and cosine decay, {o.Epochs} epochs, batch {o.BatchSize}. Training took " +
            $"{F(hard.TrainSeconds / 60, 1)} min (α=0) and {F(ls.TrainSeconds / 60, 1)} min (α=0.1); beam search ran at " +
            $"{F(hard.SentencesPerSecond, 1)} / {F(ls.SentencesPerSecond, 1)} sentences/s.");
        result.Findings.Add($"Fitted temperatures (validation NLL): α=0 T={F(hard.FittedTemperature, 3)}, α=0.1 T={F(ls.FittedTemperature, 3)}; " +
            $"ECE-optimal grid T: {F(hard.EceTemperature, 2)} and {F(ls.EceTemperature, 2)}. Best-BLEU grid T on validation: {F(bestHard.Temperature, 2)} and {F(bestLs.Temperature, 2)}. " +
            $"Greedy BLEU (T has no effect on greedy): {F(hard.GreedyBleu, 2)} and {F(ls.GreedyBleu, 2)} (chrF {F(hard.GreedyChrf, 2)} and {F(ls.GreedyChrf, 2)}).");
        result.Findings.Add(hard.FittedTemperature > 1
            ? $"Regime: the hard-target model is over-confident (fitted T = {F(hard.FittedTemperature, 3)} > 1), the regime of the paper's claims."
            : $"Regime: the hard-target model is not over-confident (fitted T = {F(hard.FittedTemperature, 3)} ≤ 1), so the claims below are tested outside the paper's regime " +
              "(the full profile trains 30 epochs without dropout to get there).");
        result.Findings.Add($"References: {RefsText(data, References(ctx.Profile))}.");
        if (source == TranslationData.Embedded)
        {
            var lsHyp = ls.Hypotheses[Key(1.0)];
            var hardHyp = hard.Hypotheses[Key(1.0)];
            foreach (int i in Enumerable.Range(0, Math.Min(3, data.Test.Count)))
                result.Findings.Add($"Example: \"{data.Test[i].Source}\" → reference \"{data.Test[i].Target}\"; α=0: \"{hardHyp[i]}\"; α=0.1: \"{lsHyp[i]}\".");
        }

        var curves = (Func<TemperatureRow, double> y) => evals.Select(ev => new Curve($"α={F(ev.Alpha, 1)}",
            ev.Rows.Take(grid.Length).Select(r => r.Temperature).ToArray(), ev.Rows.Take(grid.Length).Select(y).ToArray())).ToList();
        var guides = evals.Select(ev => (ev.FittedTemperature, $"fitted T, α={F(ev.Alpha, 1)}")).ToList();
        var panels = new[]
        {
            LineCharts.Panel("BLEU (beam search)", "temperature T", "BLEU", curves(r => r.Bleu), guides),
            LineCharts.Panel("Token NLL", "temperature T", "NLL (nats/token)", curves(r => r.Nll), guides),
            LineCharts.Panel("Token ECE (15 bins)", "temperature T", "ECE", curves(r => r.Ece), guides),
        };
        var (png, svg) = Figures.SaveGrid(panels, 1, 3, Path.Combine(ctx.OutDir, "translation-temperature"), 440, 420);
        result.Figures.Add(new ReportFigure("BLEU, NLL and ECE against the decoding temperature (Figure 4 analogue)", svg, png,
            $"{dataLabel}; test split; hard targets (α=0) and label smoothing (α=0.1); dashed lines: NLL-optimal T fitted on validation."));
        return result;
    }
}
