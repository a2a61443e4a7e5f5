using static TorchSharp.torch;

namespace LsLab.Training;

/// <summary>
/// What the trainer minimises for one batch. `indices` are the batch's positions in
/// the training set, so objectives with per-example targets (cached teacher logits) can look them up.
/// </summary>
public interface ITrainingObjective
{
    /// <summary>The batch's loss to back-propagate, from the logits [B,K], labels [B] and the batch's positions in the training set.</summary>
    Tensor Loss(Tensor logits, Tensor labels, Tensor indices);
    /// <summary>One line for logs and config files, e.g. "label smoothing α=0.1".</summary>
    string Describe();
}

/// <summary>Cross-entropy against label-smoothed targets (α=0 is plain cross-entropy).</summary>
public sealed class LabelSmoothingObjective(double alpha) : ITrainingObjective
{
    /// <summary>Label-smoothing α in [0,1) (checked when constructed).</summary>
    public double Alpha { get; } = Losses.LabelSmoothing.Validate(alpha);
    /// <inheritdoc />
    public Tensor Loss(Tensor logits, Tensor labels, Tensor indices) => Losses.LabelSmoothing.Loss(logits, labels, Alpha);
    /// <inheritdoc />
    public string Describe() => Alpha == 0 ? "cross-entropy (α=0)" : $"label smoothing α={Alpha}";
}
