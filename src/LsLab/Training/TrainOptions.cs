namespace LsLab.Training;

/// <summary>Learning-rate schedules: cosine decay to 0, step (÷10 at 50% and 75% of training), constant.</summary>
public enum Schedule
{
    /// <summary>Cosine decay from the peak to 0.</summary>
    Cosine,
    /// <summary>÷10 at 50 % and at 75 % of training.</summary>
    Step,
    /// <summary>The peak rate throughout.</summary>
    Constant,
}

/// <summary>Everything that defines a training run; saved as config.json in the run folder.</summary>
public sealed record TrainOptions
{
    /// <summary>Data set name (see <see cref="Data.DatasetCatalog.Names"/>).</summary>
    public string Dataset { get; init; } = "fashion-mnist";
    /// <summary>Folder with the data set's files (null: installed locations, then the embedded default).</summary>
    public string? DataDir { get; init; }
    /// <summary>Model name (mlp, mlp-small, convnet, alexnet, resnet20, resnet56).</summary>
    public string Model { get; init; } = "mlp";
    /// <summary>Label-smoothing α in [0,1): targets y(1−α)+α/K.</summary>
    public double Alpha { get; init; }
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 10;
    /// <summary>Examples per SGD step.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Peak learning rate; null picks the default 0.1.</summary>
    public double? LearningRate { get; init; }
    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>Nesterov momentum (when momentum is above 0).</summary>
    public bool Nesterov { get; init; } = true;
    /// <summary>L2 weight decay; null picks the model's default (5e-4 for conv nets, 0 for MLPs).</summary>
    public double? WeightDecay { get; init; }
    /// <summary>Learning-rate schedule after the warm-up.</summary>
    public Schedule Schedule { get; init; } = Schedule.Cosine;
    /// <summary>Linear warm-up length in epochs (fractional allowed).</summary>
    public double WarmupEpochs { get; init; }
    /// <summary>Seed of initialisation, split, order, augmentation and dropout: the same seed gives the same weights on the CPU.</summary>
    public int Seed { get; init; }
    /// <summary>Random crop with padding (and horizontal flip where the data set allows).</summary>
    public bool Augment { get; init; }
    /// <summary>Fraction of the training set held out as a seeded validation split.</summary>
    public double ValidationFraction { get; init; } = 0.1;
    /// <summary>Hidden width for mlp/mlp-small/convnet (null = model default).</summary>
    public int? Width { get; init; }
    /// <summary>Dropout rate of models that have dropout (null = model default).</summary>
    public double? Dropout { get; init; }
    /// <summary>Use only the first N training examples (after the split): for quick runs and tests.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>The learning rate used: <see cref="LearningRate"/> or 0.1.</summary>
    public double EffectiveLearningRate => LearningRate ?? 0.1;
    /// <summary>The weight decay used: <see cref="WeightDecay"/>, or 0 for MLPs and 5e-4 for conv nets.</summary>
    public double EffectiveWeightDecay => WeightDecay ?? (Model.StartsWith("mlp", StringComparison.OrdinalIgnoreCase) ? 0.0 : 5e-4);

    /// <summary>How these options are optimised: SGD with momentum, the schedule and its warm-up, the seed.</summary>
    public Recipe Recipe() => new()
    {
        Optimizer = OptimizerKind.Sgd, Epochs = Epochs, LearningRate = EffectiveLearningRate, Momentum = Momentum, Nesterov = Nesterov,
        WeightDecay = EffectiveWeightDecay, Schedule = Schedule, WarmupEpochs = WarmupEpochs, Seed = Seed,
    };

    /// <summary>
    /// A readable, canonical run name for these options (data set, model, α, epochs, seed and any
    /// non-default choice), so experiments that need the same model share one run.
    /// </summary>
    public string RunName()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var parts = new List<string> { Dataset, Model, "a" + Alpha.ToString(inv), "e" + Epochs, "s" + Seed };
        if (Augment) parts.Add("aug");
        if (TrainLimit is int l) parts.Add("n" + l);
        if (Width is int w) parts.Add("w" + w);
        if (Dropout is double d) parts.Add("d" + d.ToString(inv));
        if (LearningRate is double lr) parts.Add("lr" + lr.ToString(inv));
        if (BatchSize != 128) parts.Add("b" + BatchSize);
        // Every other field that can differ between two runs, when it is not what its default gives: two specs that differ
        // only there must not share a folder (weight decay was missing, so a 5e-4 arm reused its 0 arm's ResNet-20 runs).
        if (WeightDecay is double wd && wd != (this with { WeightDecay = null }).EffectiveWeightDecay) parts.Add("wd" + wd.ToString(inv));
        if (Momentum != 0.9) parts.Add("m" + Momentum.ToString(inv));
        if (!Nesterov) parts.Add("nonesterov");
        if (Schedule != Schedule.Cosine) parts.Add(Schedule.ToString().ToLowerInvariant());
        if (WarmupEpochs != 0) parts.Add("wu" + WarmupEpochs.ToString(inv));
        if (ValidationFraction != 0.1) parts.Add("v" + ValidationFraction.ToString(inv));
        return string.Join("-", parts);
    }

    /// <summary>Checks ranges and names the bad option, before any data is loaded or libtorch sees a value.</summary>
    public TrainOptions Validate()
    {
        // Upper bounds: beyond them a value is a typo, not an experiment.
        const int MaxEpochs = 100_000, MaxBatchSize = 1 << 20, MaxWidth = 1 << 16;
        const double MaxLearningRate = 10;
        Losses.LabelSmoothing.Validate(Alpha, "--alpha");
        if (string.IsNullOrWhiteSpace(Dataset)) throw new LsLabException("--dataset: empty; expected a data set name (see `lslab datasets`).");
        if (!Models.ModelRegistry.List().Any(m => m.Name.Equals(Model, StringComparison.OrdinalIgnoreCase)))
            throw new LsLabException($"Unknown model '{Model}'. Known models: {string.Join(", ", Models.ModelRegistry.List().Select(m => m.Name))}.");
        if (Epochs < 1) throw new LsLabException($"--epochs must be ≥ 1, got {Epochs}.");
        if (Epochs > MaxEpochs) throw new LsLabException($"--epochs must be at most {MaxEpochs}, got {Epochs}.");
        if (BatchSize < 1) throw new LsLabException($"--batch-size must be ≥ 1, got {BatchSize}.");
        if (BatchSize > MaxBatchSize) throw new LsLabException($"--batch-size must be at most {MaxBatchSize}, got {BatchSize}.");
        if (!double.IsFinite(EffectiveLearningRate) || EffectiveLearningRate <= 0 || EffectiveLearningRate > MaxLearningRate)
            throw new LsLabException($"--lr must be a finite number in (0, {MaxLearningRate}], got {EffectiveLearningRate}" +
                                     (EffectiveLearningRate > MaxLearningRate && double.IsFinite(EffectiveLearningRate) ? " (SGD diverges at once at such a rate; the paper's nets use 0.01–0.1)." : "."));
        if (!double.IsFinite(EffectiveWeightDecay) || EffectiveWeightDecay < 0 || EffectiveWeightDecay > 1)
            throw new LsLabException($"--weight-decay must be a finite number in [0, 1], got {EffectiveWeightDecay} (typical: 5e-4).");
        if (!double.IsFinite(Momentum) || Momentum < 0 || Momentum >= 1) throw new LsLabException($"--momentum must be in [0, 1), got {Momentum}.");
        if (!double.IsFinite(WarmupEpochs) || WarmupEpochs < 0 || WarmupEpochs > Epochs)
            throw new LsLabException($"--warmup-epochs must be in [0, --epochs = {Epochs}], got {WarmupEpochs}.");
        if (double.IsNaN(ValidationFraction) || ValidationFraction < 0 || ValidationFraction >= 1)
            throw new LsLabException($"--val-fraction must be in (0, 1), got {ValidationFraction}.");
        if (ValidationFraction == 0)
            throw new LsLabException("the validation split is empty: --val-fraction 0 holds out nothing, but training reports validation accuracy and NLL every epoch; use a value in (0, 1), e.g. 0.1.");
        if (Width is int w && (w < 1 || w > MaxWidth)) throw new LsLabException($"--width must be in [1, {MaxWidth}], got {w}.");
        if (Dropout is double d && (!double.IsFinite(d) || d < 0 || d >= 1)) throw new LsLabException($"--dropout must be in [0, 1), got {d}.");
        if (TrainLimit is int l && l < 1) throw new LsLabException($"--train-limit must be ≥ 1 (the number of training examples to use), got {l}.");
        return this;
    }
}
