using System.Globalization;
using LsLab.Data;
using LsLab.Models;
using LsLab.Runs;
using LsLab.Training;
using static TorchSharp.torch;

namespace LsLab.Distillation;

/// <summary>What a distilled student learns from: the teacher's run folder, its temperature, β and the soft term.</summary>
public sealed record DistillationSpec(string TeacherRun, double Temperature, double Beta, SoftTerm Soft = SoftTerm.Hinton)
{
    /// <summary>Checks T, β and the teacher folder before any work (user errors name the option).</summary>
    public DistillationSpec Validate()
    {
        DistillationLoss.Validate(Temperature, Beta);
        if (string.IsNullOrWhiteSpace(TeacherRun)) throw new LsLabException("--teacher: a teacher run folder is required.");
        return this;
    }

    /// <summary>One line for logs, e.g. "distillation from runs/t (T=4, β=1, hinton)".</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"distillation from {Path.GetFileName(Path.TrimEndingDirectorySeparator(TeacherRun))} (T={Temperature}, β={Beta}, {Soft.ToString().ToLowerInvariant()})");
}

/// <summary>
/// Trains a student on (1−β)·CE(labels) + β·soft(teacher) (see <see cref="DistillationLoss"/>).
/// Teacher logits are computed once per run, with the teacher in eval mode over the student's
/// un-augmented training set, and looked up by the batch <c>indices</c> the trainer passes.
/// With --augment on, the student sees an augmented image but is matched to the teacher's logits
/// for the un-augmented one (the trainer hands objectives logits, not images; the paper's students
/// are trained without augmentation, and so are ours).
/// </summary>
public sealed class DistillationObjective : ITrainingObjective, IRunHooks, IDisposable
{
    /// <summary>A student objective for <paramref name="spec"/> (validated); call <see cref="BindTrainSet"/> or let the trainer bind it.</summary>
    public DistillationObjective(DistillationSpec spec) => Spec = spec.Validate();

    /// <summary>The teacher, temperature, β and soft term.</summary>
    public DistillationSpec Spec { get; }
    /// <summary>Cached teacher logits [N,K] over the training set, in training-set order (null until bound).</summary>
    public Tensor? TeacherLogits { get; private set; }
    /// <summary>γ of the teacher at this temperature over the training set (see <see cref="DistillationLoss.EquivalentSmoothing"/>); NaN until bound.</summary>
    public double EquivalentSmoothing { get; private set; } = double.NaN;

    /// <inheritdoc />
    public string Describe() => Spec.Describe();

    /// <inheritdoc />
    public void Bind(DataSplits data) => BindTrainSet(data.Train);

    /// <summary>Computes (once) the teacher's logits over <paramref name="train"/>.</summary>
    public void BindTrainSet(Dataset train)
    {
        if (TeacherLogits is not null && TeacherLogits.shape[0] == train.Count) return;
        TeacherLogits?.Dispose();
        TeacherLogits = ComputeTeacherLogits(new RunFolder(Spec.TeacherRun), train);
        EquivalentSmoothing = DistillationLoss.EquivalentSmoothing(TeacherLogits, train.Labels, Spec.Temperature);
    }

    /// <summary>Uses logits computed elsewhere (e.g. shared by several students of one teacher); they are copied.</summary>
    public void BindLogits(Tensor teacherLogits, Tensor trainLabels)
    {
        TeacherLogits?.Dispose();
        TeacherLogits = teacherLogits.detach().clone().DetachFromDisposeScope();
        EquivalentSmoothing = DistillationLoss.EquivalentSmoothing(TeacherLogits, trainLabels, Spec.Temperature);
    }

    /// <summary>The finished teacher run's logits [N,K] over <paramref name="data"/> (eval mode, no augmentation).</summary>
    public static Tensor ComputeTeacherLogits(RunFolder teacher, Dataset data)
    {
        Native.Engine.Initialize();
        using var model = TrainingRun.LoadModel(teacher, data);
        var logits = Evaluator.Predict(model, data).DetachFromDisposeScope();
        if (logits.shape[1] != data.NumClasses)
        {
            logits.Dispose();
            throw new LsLabException($"{teacher.ConfigPath}: the teacher predicts {logits.shape[1]} classes but {data.Name} has {data.NumClasses}.");
        }
        return logits;
    }

    /// <inheritdoc />
    public Tensor Loss(Tensor logits, Tensor labels, Tensor indices)
    {
        var cached = TeacherLogits ?? throw new InvalidOperationException("DistillationObjective used before Bind: the trainer binds it to the training data first.");
        using var scope = NewDisposeScope();
        var teacher = cached.index_select(0, indices).to(logits.device);
        return DistillationLoss.Loss(logits, teacher, labels, Spec.Temperature, Spec.Beta, Spec.Soft).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void OnEpochEnd(int epoch, Classifier model, EpochMetrics metrics) { }

    /// <summary>Frees the cached teacher logits.</summary>
    public void Dispose()
    {
        TeacherLogits?.Dispose();
        TeacherLogits = null;
    }
}

/// <summary>distill.json beside a student's config.json: what the student was distilled from.</summary>
public sealed record DistillationRecord(
    string TeacherRun, string TeacherModel, double TeacherAlpha, string TeacherDataset,
    double Temperature, double Beta, SoftTerm Soft, double EquivalentSmoothing, string Description)
{
    /// <summary>Name of the record in the student's run folder.</summary>
    public const string FileName = "distill.json";

    /// <summary>The record of a bound objective (teacher model, α and data set read from the teacher's config).</summary>
    public static DistillationRecord For(DistillationObjective objective)
    {
        var s = objective.Spec;
        var t = new RunFolder(s.TeacherRun).ReadConfig();
        return new DistillationRecord(new RunFolder(s.TeacherRun).Path, t.Model, t.Alpha, t.Dataset, s.Temperature, s.Beta, s.Soft,
            objective.EquivalentSmoothing, objective.Describe());
    }

    /// <summary>Writes distill.json into the student's run folder (atomically).</summary>
    public void Save(RunFolder student) => AtomicFile.WriteJson(student.Combine(FileName), this);

    /// <summary>Reads a run's distill.json; null when the run was not distilled.</summary>
    public static DistillationRecord? Load(RunFolder run) =>
        File.Exists(run.Combine(FileName)) ? AtomicFile.ReadJson<DistillationRecord>(run.Combine(FileName)) : null;
}
