namespace LsLab.Experiments;

/// <summary>Every experiment of the paper by name, in the order `reproduce` runs them. One line each.</summary>
public static class ExperimentCatalog
{
    static readonly List<(string Name, string Description, Func<IExperiment> Create)> Entries = new()
    {
        ("accuracy", "Table 2 analogue: accuracy with and without label smoothing, per data set and architecture", () => new AccuracyExperiment()),
        ("calibration", "Table 3 / Figure 2 analogue: ECE of baseline, temperature scaling and label smoothing", () => new CalibrationExperiment()),
        ("geometry", "Figure 1 analogue: template-plane projections and cluster measures, with and without label smoothing", () => new GeometryExperiment()),
        ("distillation", "Figure 5 analogue: students of label-smoothed teachers vs the hard-target teacher at temperature T", () => new DistillationExperiment()),
        ("distillation-mnist", "MNIST anecdote: dropout vs label-smoothed teacher and their distilled students (with each teacher's mutual-information curve)", () => new DistillationMnistExperiment()),
        ("mutual-information", "Figure 6 analogue over a long training: I(X;Y) and the within-class collapse for α ∈ {0, 0.1, 0.3}", () => new MutualInformationExperiment()),
        ("translation", "Figure 4 analogue: Transformer EN→DE with and without label smoothing, BLEU/NLL/ECE against temperature", () => new TranslationExperiment()),
    };

    /// <summary>Every experiment's name and one-line description, in `reproduce` order.</summary>
    public static IEnumerable<(string Name, string Description)> List() => Entries.Select(e => (e.Name, e.Description));

    /// <summary>A new experiment by name (any case); an unknown name is a user error listing the known ones.</summary>
    public static IExperiment Create(string name) =>
        Entries.FirstOrDefault(e => e.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Create?.Invoke()
        ?? throw new LsLabException($"Unknown experiment '{name}'. Known: {string.Join(", ", Entries.Select(e => e.Name))}.");
}
