using TorchSharp;
using static TorchSharp.torch;

namespace LsLab.Losses;

/// <summary>
/// Cross-entropy against label-smoothed targets y(1−α) + α/K, with PyTorch's semantics:
/// α/K goes to every class, so the true class gets 1−α+α/K (not fairseq's α/(K−1) to the others).
/// Equivalent to <c>F.cross_entropy(logits, y, label_smoothing=α, ignore_index=…)</c>.
/// </summary>
public static class LabelSmoothing
{
    /// <summary>Checks α is in [0, 1) and says which option was wrong when it is not.</summary>
    public static double Validate(double alpha, string optionName = "alpha")
    {
        if (double.IsNaN(alpha) || alpha < 0 || alpha >= 1)
            throw new LsLabException($"{optionName} must be in [0, 1), got {alpha}.");
        return alpha;
    }

    /// <summary>
    /// Mean loss over the targets that are not <paramref name="ignoreIndex"/>.
    /// logits [N,K], targets [N] int64.
    /// Loss = (1−α)·NLL(true class) + α·mean_k(−log p_k), the same as CE against the smoothed target.
    /// </summary>
    public static Tensor Loss(Tensor logits, Tensor targets, double alpha, long? ignoreIndex = null)
    {
        Validate(alpha);
        using var scope = NewDisposeScope();
        var logp = logits.log_softmax(-1);
        Tensor keep, safeTargets;
        if (ignoreIndex is long ig)
        {
            keep = targets.ne(ig);
            safeTargets = targets.MaskedZero(keep.logical_not());
        }
        else
        {
            keep = ones_like(targets, dtype: ScalarType.Bool);
            safeTargets = targets;
        }
        var nll = -logp.gather(-1, safeTargets.unsqueeze(-1)).squeeze(-1);
        var uniform = -logp.mean(new long[] { -1 });
        var perExample = nll * (1 - alpha) + uniform * alpha;
        var w = keep.to_type(perExample.dtype);
        // With every target ignored PyTorch returns NaN (0/0); we do the same rather than hide it.
        var loss = (perExample * w).sum() / w.sum();
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>The smoothed target distribution [N,K] itself, for soft-target losses and for inspection.</summary>
    public static Tensor Targets(Tensor labels, int numClasses, double alpha)
    {
        Validate(alpha);
        using var scope = NewDisposeScope();
        var oneHot = nn.functional.one_hot(labels, numClasses).to_type(ScalarType.Float32);
        return (oneHot * (1 - alpha) + alpha / numClasses).MoveToOuterDisposeScope();
    }
}

/// <summary>Cross-entropy against any target distribution: mean over examples of −Σ_k q_k log p_k.</summary>
public static class SoftTargetCrossEntropy
{
    /// <summary>logits [N,K], targets [N,K] rows summing to 1.</summary>
    public static Tensor Loss(Tensor logits, Tensor targets)
    {
        if (!logits.shape.SequenceEqual(targets.shape))
            throw new ArgumentException($"logits [{string.Join(",", logits.shape)}] and targets [{string.Join(",", targets.shape)}] differ in shape.");
        using var scope = NewDisposeScope();
        return (-(targets * logits.log_softmax(-1)).sum(-1)).mean().MoveToOuterDisposeScope();
    }
}
