using System.CommandLine;
using LsLab.Experiments;
using LsLab.Native;
using LsLab.Runs;
using LsLab.Translation;
using Spectre.Console;
using Profile = LsLab.Experiments.Profile;
using Progress = LsLab.Training.Progress;

namespace LsLab.Cli.Commands;

/// <summary>`lslab translate train|decode|score|experiment|bench`: the English→German Transformer translator.</summary>
public static class TranslateCommand
{
    public static Command Build()
    {
        var cmd = new Command("translate",
            "English→German Transformer translation with label smoothing: train, decode with beam search, score BLEU/NLL/ECE.");
        cmd.Subcommands.Add(BuildTrain());
        cmd.Subcommands.Add(BuildDecode());
        cmd.Subcommands.Add(BuildScore());
        cmd.Subcommands.Add(BuildExperiment());
        cmd.WithExamples(
            "lslab translate train --alpha 0.1 --out runs/mt-ls",
            "lslab translate decode --run runs/mt-ls \"The man sees the dog.\" --beam 4 --nbest 3",
            "lslab translate score --run runs/mt-ls --temperature 1.2",
            "lslab translate experiment --data ding");
        return cmd;
    }

    static Option<TranslationData> DataOption() => new("--data")
    {
        Description = "embedded (our generated grammar corpus, default) or ding (Debian trans-de-en, read at run time).",
        DefaultValueFactory = _ => TranslationData.Embedded,
    };

    static Option<string?> DataPathOption() => new("--data-path") { Description = "Ding file or folder (default /usr/share/trans/de-en)." };

    static Command BuildTrain()
    {
        var d = new TranslatorOptions();
        var data = DataOption();
        var dataPath = DataPathOption();
        var corpus = new Option<int>("--corpus-size") { Description = "Pairs generated for the embedded corpus (held-out pairs included).", DefaultValueFactory = _ => d.CorpusSize };
        var held = new Option<int>("--held-out") { Description = "Validation and test pairs (each).", DefaultValueFactory = _ => d.Test };
        var limit = new Option<int?>("--train-limit") { Description = "Use only the first N training pairs." };
        var alpha = new Option<double>("--alpha", "-a") { Description = "Label smoothing α over target tokens (α/K to every class, padding ignored).", DefaultValueFactory = _ => d.Alpha };
        var epochs = new Option<int>("--epochs", "-e") { Description = "Training epochs.", DefaultValueFactory = _ => d.Epochs };
        var batch = new Option<int>("--batch-size") { Description = "Sentence pairs per step.", DefaultValueFactory = _ => d.BatchSize };
        var lr = new Option<double>("--lr") { Description = "Peak Adam learning rate (linear warm-up, cosine decay).", DefaultValueFactory = _ => d.LearningRate };
        var warmup = new Option<int>("--warmup-steps") { Description = "Warm-up steps.", DefaultValueFactory = _ => d.WarmupSteps };
        var vocab = new Option<int>("--vocab") { Description = "BPE vocabulary size per language (specials and characters included).", DefaultValueFactory = _ => d.TargetVocab };
        var dModel = new Option<int>("--d-model") { Description = "Model width.", DefaultValueFactory = _ => d.Model.DModel };
        var heads = new Option<int>("--heads") { Description = "Attention heads.", DefaultValueFactory = _ => d.Model.Heads };
        var ff = new Option<int>("--ff") { Description = "Feed-forward width.", DefaultValueFactory = _ => d.Model.FeedForward };
        var layers = new Option<int>("--layers") { Description = "Encoder and decoder layers (each).", DefaultValueFactory = _ => d.Model.EncoderLayers };
        var dropout = new Option<double>("--dropout") { Description = "Dropout.", DefaultValueFactory = _ => d.Model.Dropout };
        var seed = new Option<int>("--seed") { Description = "Seed for the corpus, split, initialisation, batch order and dropout.", DefaultValueFactory = _ => 0 };
        var outDir = new Option<string>("--out", "-o") { Description = "Run folder to create (or resume).", Required = true };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run in --out (the configuration must match)." };
        var quiet = Cli.QuietOption();
        var threads = Cli.ThreadsOption();
        var device = Cli.DeviceOption();
        var cmd = new Command("train", "Train a Transformer translator into a run folder (vocabularies, checkpoints each epoch, final model).")
        {
            data, dataPath, corpus, held, limit, alpha, epochs, batch, lr, warmup, vocab, dModel, heads, ff, layers, dropout, seed, outDir, resume, quiet, threads, device,
        };
        cmd.WithExamples(
            "lslab translate train --alpha 0.1 --epochs 20 --out runs/mt-ls",
            "lslab translate train --data ding --alpha 0 --epochs 10 --vocab 2000 --out runs/ding-hard",
            "lslab translate train --alpha 0.1 --out runs/mt-ls --resume   # after an interruption");
        cmd.SetAction(p =>
        {
            Cli.InitializeEngine(p.GetValue(threads), p.GetValue(device));
            // The library's messages name fields ("epochs", "dropout"); here they are options.
            var o = OptionChecks.Renamed(() => new TranslatorOptions
            {
                Data = p.GetValue(data), DataPath = p.GetValue(dataPath), CorpusSize = p.GetValue(corpus), Validation = p.GetValue(held), Test = p.GetValue(held),
                TrainLimit = p.GetValue(limit), Seed = p.GetValue(seed), Alpha = p.GetValue(alpha), Epochs = p.GetValue(epochs), BatchSize = p.GetValue(batch),
                LearningRate = p.GetValue(lr), WarmupSteps = p.GetValue(warmup), SourceVocab = p.GetValue(vocab), TargetVocab = p.GetValue(vocab),
                Model = new() { DModel = p.GetValue(dModel), Heads = p.GetValue(heads), FeedForward = p.GetValue(ff), EncoderLayers = p.GetValue(layers),
                                DecoderLayers = p.GetValue(layers), Dropout = p.GetValue(dropout) },
            }.Validate(), OptionChecks.TranslateTrainNames);
            OptionChecks.LearningRate(o.LearningRate);
            string dir = p.GetValue(outDir)!;
            TrainOptionSet.RequireNewOrResume(dir, p.GetValue(resume));
            var splits = TranslatorTraining.LoadData(o);
            Console.WriteLine($"data: {splits}");
            var state = TranslatorTraining.Fit(o, dir, ConsoleProgress.Create(p.GetValue(quiet)), splits);
            var last = state.History[^1];
            Console.WriteLine($"done: {state.EpochsDone} epochs in {state.TotalSeconds:F0}s; validation NLL {last.ValidationLoss:F4}, token accuracy {last.ValidationAccuracy:P2}. Run folder: {Path.GetFullPath(dir)}");
            Console.WriteLine($"next: lslab translate score --run {dir}");
            return 0;
        });
        return cmd;
    }

    static (Option<int> Beam, Option<double> Temperature, Option<LengthPenalty> Penalty, Option<double> LengthAlpha, Option<int?> MaxLength) DecodeOptions()
    {
        var d = new DecodeOptions();
        return (
            new Option<int>("--beam", "-k") { Description = "Beam size (1 = greedy).", DefaultValueFactory = _ => d.Beam },
            new Option<double>("--temperature", "-t") { Description = "Divide the logits by T before the log-softmax used for scoring.", DefaultValueFactory = _ => d.Temperature },
            new Option<LengthPenalty>("--length-penalty") { Description = "Gnmt: log p / ((5+len)/6)^α (tensor2tensor); Power: log p / len^α (fairseq); None.", DefaultValueFactory = _ => d.Penalty },
            new Option<double>("--length-alpha") { Description = "Length-penalty exponent α_len.", DefaultValueFactory = _ => d.LengthAlpha },
            new Option<int?>("--max-length") { Description = "Maximum output pieces (default 1.5·|source| + 10)." });
    }

    static Command BuildDecode()
    {
        var run = new Option<string>("--run", "-r") { Description = "Translator run folder.", Required = true };
        var input = new Option<string?>("--input", "-i") { Description = "File with one English sentence per line (default: the arguments, or standard input)." };
        var (beam, temperature, penalty, lengthAlpha, maxLength) = DecodeOptions();
        var nbest = new Option<int>("--nbest", "-n") { Description = "Translations per sentence (≤ beam), with their scores.", DefaultValueFactory = _ => 1 };
        var sentences = new Argument<string[]>("sentences") { Description = "English sentences to translate.", Arity = ArgumentArity.ZeroOrMore };
        var threads = Cli.ThreadsOption();
        var device = Cli.DeviceOption();
        var cmd = new Command("decode", "Translate English sentences with greedy or beam search, optionally n-best with scores.")
        { run, input, beam, temperature, penalty, lengthAlpha, maxLength, nbest, sentences, threads, device };
        cmd.WithExamples(
            "lslab translate decode --run runs/mt-ls \"The man sees the dog.\" \"Can you help the teacher?\"",
            "lslab translate decode --run runs/mt-ls --input en.txt --beam 8 --nbest 3 --temperature 0.8");
        cmd.SetAction(p =>
        {
            Cli.InitializeEngine(p.GetValue(threads), p.GetValue(device));
            var lines = p.GetValue(sentences) is { Length: > 0 } args ? args.ToList()
                : p.GetValue(input) is string f ? (File.Exists(f) ? File.ReadAllLines(f).ToList() : throw new LsLabException($"{f}: input file not found."))
                : ReadStdin();
            var o = OptionChecks.Renamed(() => new DecodeOptions
            {
                Beam = p.GetValue(beam), Temperature = p.GetValue(temperature), Penalty = p.GetValue(penalty), LengthAlpha = p.GetValue(lengthAlpha),
                MaxLength = p.GetValue(maxLength), NBest = p.GetValue(nbest),
            }.Validate(), OptionChecks.DecodeNames);
            using var translator = Translator.Load(OptionChecks.TranslatorRun(p.GetValue(run)!));
            var results = translator.TranslateNBest(lines, o);
            for (int i = 0; i < lines.Count; i++)
            {
                if (o.NBest == 1) { Console.WriteLine(results[i].Count > 0 ? results[i][0].Text : ""); continue; }
                Console.WriteLine($"# {lines[i]}");
                foreach (var (text, score, logProb) in results[i]) Console.WriteLine($"{score:F4}\t{logProb:F4}\t{text}");
            }
            return 0;
        });
        return cmd;
    }

    static List<string> ReadStdin()
    {
        if (!Console.IsInputRedirected) throw new LsLabException("no sentences: pass them as arguments, with --input FILE, or on standard input.");
        var lines = new List<string>();
        while (Console.ReadLine() is string l) lines.Add(l);
        return lines;
    }

    static Command BuildScore()
    {
        var run = new Option<string?>("--run", "-r") { Description = "Translator run folder: scores its test (or validation) split." };
        var split = new Option<string>("--split") { Description = "test or validation.", DefaultValueFactory = _ => "test" };
        var hyp = new Option<string?>("--hypotheses") { Description = "BLEU and chrF only: file of translations, one per line." };
        var refs = new Option<string?>("--references") { Description = "BLEU and chrF only: file of references, one per line." };
        var lowercase = new Option<bool>("--lowercase") { Description = "Case-insensitive BLEU and chrF." };
        var fit = new Option<bool>("--fit-temperature") { Description = "Also fit the NLL-optimal temperature on validation and score at it." };
        var (beam, temperature, penalty, lengthAlpha, maxLength) = DecodeOptions();
        var threads = Cli.ThreadsOption();
        var device = Cli.DeviceOption();
        var cmd = new Command("score", "BLEU (13a, corpus BLEU-4), chrF, token NLL, accuracy and ECE of a translator; or BLEU and chrF of two text files.")
        { run, split, hyp, refs, lowercase, fit, beam, temperature, penalty, lengthAlpha, maxLength, threads, device };
        cmd.WithExamples(
            "lslab translate score --run runs/mt-ls",
            "lslab translate score --run runs/mt-ls --temperature 1.2 --fit-temperature",
            "lslab translate score --hypotheses out.de --references ref.de");
        cmd.SetAction(p =>
        {
            if (p.GetValue(hyp) is string hf)
            {
                var rf = p.GetValue(refs) ?? throw new LsLabException("--references is required with --hypotheses.");
                foreach (var f in new[] { hf, rf }) if (!File.Exists(f)) throw new LsLabException($"{f}: file not found.");
                var h = File.ReadAllLines(hf);
                var r = File.ReadAllLines(rf);
                if (h.Length != r.Length) throw new LsLabException($"{hf} has {h.Length} lines but {rf} has {r.Length}; expected one translation per reference.");
                Console.WriteLine(Bleu.Corpus(h, r, p.GetValue(lowercase)));
                Console.WriteLine(Chrf.Corpus(h, r, p.GetValue(lowercase)));
                return 0;
            }
            var dir = p.GetValue(run) ?? throw new LsLabException("give --run DIR, or --hypotheses FILE with --references FILE.");
            OptionChecks.TranslatorRun(dir);
            Cli.InitializeEngine(p.GetValue(threads), p.GetValue(device));
            var options = TranslatorTraining.ReadOptions(dir);
            var data = TranslatorTraining.LoadData(options);
            var pairs = p.GetValue(split) switch
            {
                "test" => data.Test,
                "validation" => data.Validation,
                var s => throw new LsLabException($"--split must be test or validation, got '{s}'."),
            };
            using var translator = Translator.Load(dir);
            var o = OptionChecks.Renamed(() => new DecodeOptions
            {
                Beam = p.GetValue(beam), Penalty = p.GetValue(penalty), LengthAlpha = p.GetValue(lengthAlpha), MaxLength = p.GetValue(maxLength),
            }.Validate(), OptionChecks.DecodeNames);
            var temps = new List<double> { p.GetValue(temperature) };
            if (p.GetValue(fit)) temps.Add(TokenPredictions.Collect(translator, data.Validation).FitTemperature());
            var tokens = TokenPredictions.Collect(translator, pairs);
            var table = new Table().Title(Markup.Escape($"{pairs.Count} {p.GetValue(split)} pairs of {data.Source}"))
                .AddColumn("T").AddColumn("BLEU").AddColumn("BP").AddColumn("chrF").AddColumn("NLL").AddColumn("token acc.").AddColumn("ECE (15 bins)");
            foreach (var (r, _) in TemperatureSweep.Run(translator, pairs, tokens, o, temps, p.GetValue(lowercase)))
                table.AddRow(r.Temperature == temps[0] ? $"{r.Temperature:F3}" : $"{r.Temperature:F3} (fitted)", $"{r.Bleu:F2}", $"{r.BrevityPenalty:F3}", $"{r.Chrf:F2}",
                    $"{r.Nll:F4}", $"{r.Accuracy:P2}", $"{r.Ece:F4}");
            table.Caption(Markup.Escape($"beam {o.Beam}, {o.Penalty} length penalty α={o.LengthAlpha}; NLL/accuracy/ECE: next-token, teacher forcing"));
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }

    static Command BuildExperiment()
    {
        var data = DataOption();
        var dataPath = DataPathOption();
        var profile = new Option<Profile>("--profile", "-p") { Description = "Tiny (seconds), Quick (minutes), Full (bigger models).", DefaultValueFactory = _ => Profile.Quick };
        var outDir = new Option<string?>("--out", "-o") { Description = "Output folder (default out/experiments/translation-DATA)." };
        var epochs = new Option<int?>("--epochs") { Description = "Override the profile's training epochs." };
        var seed = new Option<int>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 0 };
        var quiet = Cli.QuietOption();
        var threads = Cli.ThreadsOption();
        var device = Cli.DeviceOption();
        var cmd = new Command("experiment", "The Figure 4 analogue (same as `lslab experiment translation`) with an explicit data source.")
        { data, dataPath, profile, outDir, epochs, seed, quiet, threads, device };
        cmd.WithExamples("lslab translate experiment", "lslab translate experiment --data ding --threads 2");
        cmd.SetAction(p =>
        {
            Cli.InitializeEngine(p.GetValue(threads), p.GetValue(device));
            var d = p.GetValue(data);
            var dir = p.GetValue(outDir) ?? Path.Combine("out", "experiments", $"translation-{d.ToString().ToLowerInvariant()}");
            var ctx = ExperimentContext.Create(dir, p.GetValue(profile), ConsoleProgress.Create(p.GetValue(quiet)), null, p.GetValue(seed));
            var result = new TranslationExperiment { Data = d, DingPath = p.GetValue(dataPath), Epochs = p.GetValue(epochs) }.Run(ctx);
            ExperimentCommand.Render(result);
            AnsiConsole.MarkupLine($"results: [blue]{Markup.Escape(Path.Combine(ctx.OutDir, "results.json"))}[/]");
            return 0;
        });
        return cmd;
    }
}
