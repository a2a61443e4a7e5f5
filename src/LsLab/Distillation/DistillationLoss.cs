using TorchSharp;
using static TorchSharp.torch;

namespace LsLab.Distillation;

/// <summary>Which soft term a distilled student is trained with.</summary>
public enum SoftTerm
{
    /// <summary>Hinton et al. (2015): T²·KL(p_teacher(T) ‖ p_student(T)); student and teacher both at temperature T.</summary>
    Hinton,
    /// <summary>
    /// Müller et al. (2019), CIFAR experiment: KL(p_teacher(T) ‖ p_student(1)). Only the teacher's
    /// temperature varies; the student's softmax stays at 1, so there is no T² factor.
    /// </summary>
    Paper,
    /// <summary>
    /// Müller et al. (2019), MNIST anecdote: "½ squared error on logits", taken as ½·(1/K)·Σ_k (z_student − z_teacher)²
    /// on raw logits. The 1/K makes it the high-temperature limit of T²·KL (Hinton et al. 2015 §2.1: for
    /// zero-mean logits T²·KL → (1/2K)·Σ_k (z_s − z_t)²), which is the equivalence the paper invokes.
    /// </summary>
    Logits,
}

/// <summary>
/// Knowledge-distillation losses, written out with log_softmax rather than through <c>kl_div</c>
/// (TorchSharp's <c>kl_div</c> defaults to log_target=true and has no "batchmean" reduction).
/// Every loss is summed over classes and averaged over the batch; the total is
/// (1−β)·CE(student, labels) + β·soft. Checked against PyTorch
/// (<c>bench/reference/distillation_reference.py</c>).
/// </summary>
public static class DistillationLoss
{
    /// <summary>Checks T &gt; 0 and β ∈ [0,1], naming the option when they are not.</summary>
    public static void Validate(double temperature, double beta)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new LsLabException($"--temperature must be a positive number, got {temperature}.");
        if (!(beta >= 0 && beta <= 1))
            throw new LsLabException($"--beta must be in [0, 1], got {beta}.");
    }

    /// <summary>
    /// (1−β)·CE(student, labels) + β·soft(student, teacher) for student and teacher logits [N,K] and labels [N].
    /// The teacher gets no gradient.
    /// </summary>
    public static Tensor Loss(Tensor student, Tensor teacher, Tensor labels, double temperature, double beta, SoftTerm soft = SoftTerm.Hinton)
    {
        Validate(temperature, beta);
        using var scope = NewDisposeScope();
        teacher = teacher.detach().to_type(student.dtype);
        Tensor total;
        if (beta == 1) total = Soft(student, teacher, temperature, soft);
        else if (beta == 0) total = nn.functional.cross_entropy(student, labels);
        else total = nn.functional.cross_entropy(student, labels) * (1 - beta) + Soft(student, teacher, temperature, soft) * beta;
        return total.MoveToOuterDisposeScope();
    }

    /// <summary>The soft term alone (mean over the batch).</summary>
    public static Tensor Soft(Tensor student, Tensor teacher, double temperature, SoftTerm soft) => soft switch
    {
        SoftTerm.Hinton => KlBatchMean(student / temperature, teacher / temperature) * (temperature * temperature),
        SoftTerm.Paper => KlBatchMean(student, teacher / temperature),
        SoftTerm.Logits => LogitSquaredError(student, teacher),
        _ => throw new ArgumentOutOfRangeException(nameof(soft)),
    };

    /// <summary>
    /// KL(softmax(teacherLogits) ‖ softmax(studentLogits)) summed over classes, averaged over the batch:
    /// (1/N)·Σ_n Σ_k q_nk·(log q_nk − log p_nk). PyTorch's <c>kl_div(log p, q, reduction='batchmean')</c>.
    /// </summary>
    public static Tensor KlBatchMean(Tensor studentLogits, Tensor teacherLogits)
    {
        using var scope = NewDisposeScope();
        var logq = teacherLogits.log_softmax(-1);
        var logp = studentLogits.log_softmax(-1);
        // q·(log q − log p) with q = exp(log q): zero where q underflows to 0, as in PyTorch (xlogy).
        var kl = (logq.exp() * (logq - logp)).sum(-1).mean();
        return kl.MoveToOuterDisposeScope();
    }

    /// <summary>(1/N)·Σ_n ½·(1/K)·Σ_k (s_nk − t_nk)²: squared error on raw logits, averaged over classes and batch.</summary>
    public static Tensor LogitSquaredError(Tensor studentLogits, Tensor teacherLogits)
    {
        using var scope = NewDisposeScope();
        return ((studentLogits - teacherLogits).square().mean() * 0.5).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The paper's equivalent smoothing of a teacher at temperature T (§4):
    /// γ = E_train[Σ_k (1−y_k)·p_k^t(T)·K/(K−1)], the teacher's probability mass on wrong classes,
    /// rescaled so that label-smoothed targets with α give γ = α. teacherLogits [N,K], labels [N].
    /// </summary>
    public static double EquivalentSmoothing(Tensor teacherLogits, Tensor labels, double temperature)
    {
        if (!(temperature > 0)) throw new LsLabException($"temperature must be positive, got {temperature}.");
        using var scope = NewDisposeScope();
        long k = teacherLogits.shape[1];
        if (k < 2) throw new ArgumentException("equivalent smoothing needs at least two classes.");
        var p = (teacherLogits.to_type(ScalarType.Float64) / temperature).softmax(-1);
        var onTrue = p.gather(1, labels.unsqueeze(1)).squeeze(1);
        return ((1 - onTrue).mean() * ((double)k / (k - 1))).item<double>();
    }
}
