namespace LsLab.Training;

/// <summary>Metrics of one finished epoch.</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double ValidationLoss, double ValidationAccuracy,
    double LearningRate, double Seconds, double ExamplesPerSecond)
{
    /// <summary>Extra per-epoch measurements (e.g. "mi" from --track-mi).</summary>
    public Dictionary<string, double> Extra { get; init; } = new();
}

/// <summary>Where a run stands: epochs done and their metrics. Saved as checkpoint state for --resume.</summary>
public sealed record TrainingState
{
    public int EpochsDone { get; init; }
    public List<EpochMetrics> History { get; init; } = new();
    public double TotalSeconds { get; init; }
    public bool Finished { get; init; }
}
