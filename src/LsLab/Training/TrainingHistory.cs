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
    /// <summary>Epochs completed so far.</summary>
    public int EpochsDone { get; init; }
    /// <summary>Metrics of every completed epoch, in order.</summary>
    public List<EpochMetrics> History { get; init; } = new();
    /// <summary>Training seconds over all epochs (across resumes).</summary>
    public double TotalSeconds { get; init; }
    /// <summary>True once every epoch is done and the model is saved.</summary>
    public bool Finished { get; init; }
}
