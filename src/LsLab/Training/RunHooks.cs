using LsLab.Data;
using LsLab.Models;

namespace LsLab.Training;

/// <summary>
/// An objective that needs the run's data before the first step (e.g. to cache teacher logits over
/// the training set) or that observes every epoch (e.g. mutual-information tracking). The trainer
/// calls <see cref="Bind"/> once before training (not when the run is already finished) and
/// <see cref="OnEpochEnd"/> after each epoch's validation, so these work through any path that
/// trains with an objective (`lslab train`, experiments, `reproduce`, `run-cell`).
/// </summary>
public interface IRunHooks
{
    /// <summary>Called once before the first step, with the run's data.</summary>
    void Bind(DataSplits data);
    /// <summary>Called after each epoch's validation; may add entries to <see cref="EpochMetrics.Extra"/>.</summary>
    void OnEpochEnd(int epoch, Classifier model, EpochMetrics metrics);
}
