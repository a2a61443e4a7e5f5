using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using LsLab.Distillation;
using LsLab.Information;
using LsLab.Training;
using LsLab.Translation;

namespace LsLab.Runs;

/// <summary>
/// A training run as data: everything that defines it, as a plain record that round-trips through
/// JSON (the "kind" field tells which). Its <see cref="Id"/> is the content hash of that JSON, so the
/// same spec is the same run wherever it is planned; its folder is <see cref="Name"/>, a readable
/// canonical name derived from the spec. A run that needs another run's result (a student needs its
/// teacher) carries that run's spec, and so depends on its id.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ClassifierRun), "classifier")]
[JsonDerivedType(typeof(StudentRun), "student")]
[JsonDerivedType(typeof(TranslatorRun), "translator")]
public abstract record RunSpec
{
    /// <summary>"classifier", "student" or "translator" (the store's kind column).</summary>
    [JsonIgnore] public abstract string Kind { get; }
    /// <summary>The run folder's name: readable, canonical for the spec.</summary>
    [JsonIgnore] public abstract string Name { get; }
    /// <summary>Runs that must be finished before this one can start.</summary>
    [JsonIgnore] public virtual IReadOnlyList<RunSpec> Dependencies => Array.Empty<RunSpec>();
    /// <summary>Content hash of the spec's JSON (first 16 hex digits of SHA-256).</summary>
    [JsonIgnore] public string Id => RunStore.IdFor(Kind, ToJson());

    /// <summary>The spec as JSON, with its kind.</summary>
    public string ToJson() => JsonSerializer.Serialize<RunSpec>(this, AtomicFile.Json);

    /// <summary>Reads a spec written by <see cref="ToJson"/>; <paramref name="source"/> names where it came from in the error.</summary>
    public static RunSpec FromJson(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<RunSpec>(json, AtomicFile.Json) ?? throw new LsLabException($"{source}: the run spec is empty.");
        }
        catch (JsonException e)
        {
            throw new LsLabException($"{source}: not a run spec this build can read ({e.Message}).");
        }
    }

    /// <summary>The classifier options of a classifier or student run (null for translators).</summary>
    [JsonIgnore] public virtual TrainOptions? ClassifierOptions => null;

    /// <summary>The same spec with a data folder filled in where none was given.</summary>
    public abstract RunSpec WithDataDir(string? dataDir);
}

/// <summary>
/// A classifier trained on labels with label smoothing α (the options' <see cref="TrainOptions.Alpha"/>),
/// optionally recording the mutual information every epoch, and validation/test logits along training.
/// </summary>
public sealed record ClassifierRun(TrainOptions Options, MiSettings? TrackMi = null, LogitTrace? Trace = null) : RunSpec
{
    /// <inheritdoc />
    [JsonIgnore] public override string Kind => "classifier";
    /// <inheritdoc />
    [JsonIgnore] public override string Name => Options.RunName() + (TrackMi is { } m ? $"-mi{m.ClassA}-{m.ClassB}-n{m.Examples}-L{m.Draws}" : "")
        + (Trace is { } t ? (t.Every > 0 ? $"-trace{t.Every}" : "-trace") : "");
    /// <inheritdoc />
    [JsonIgnore] public override TrainOptions ClassifierOptions => Options;
    /// <inheritdoc />
    public override RunSpec WithDataDir(string? dataDir) => this with { Options = Options with { DataDir = Options.DataDir ?? dataDir } };
}

/// <summary>A student distilled from a teacher run at temperature T with weight β on the soft term (<see cref="DistillationLoss"/>).</summary>
public sealed record StudentRun(TrainOptions Options, ClassifierRun Teacher, double Temperature, double Beta, SoftTerm Soft) : RunSpec
{
    /// <inheritdoc />
    [JsonIgnore] public override string Kind => "student";
    /// <inheritdoc />
    [JsonIgnore] public override string Name => string.Create(CultureInfo.InvariantCulture,
        $"{Options.RunName()}-kd-{Teacher.Name}-T{Temperature}-b{Beta}-{Soft.ToString().ToLowerInvariant()}");
    /// <inheritdoc />
    [JsonIgnore] public override IReadOnlyList<RunSpec> Dependencies => new RunSpec[] { Teacher };
    /// <inheritdoc />
    [JsonIgnore] public override TrainOptions ClassifierOptions => Options;
    /// <inheritdoc />
    public override RunSpec WithDataDir(string? dataDir) => this with
    {
        Options = Options with { DataDir = Options.DataDir ?? dataDir },
        Teacher = (ClassifierRun)Teacher.WithDataDir(dataDir),
    };
}

/// <summary>A Transformer translator trained with label smoothing over target tokens (padding ignored).</summary>
public sealed record TranslatorRun(TranslatorOptions Options) : RunSpec
{
    /// <inheritdoc />
    [JsonIgnore] public override string Kind => "translator";
    /// <inheritdoc />
    [JsonIgnore] public override string Name => string.Create(CultureInfo.InvariantCulture,
        $"translator-{Options.Data.ToString().ToLowerInvariant()}-d{Options.Model.DModel}-n{Options.CorpusSize}-e{Options.Epochs}-a{Options.Alpha}-s{Options.Seed}{(Options.TrainLimit is int l ? $"-l{l}" : "")}");
    /// <inheritdoc />
    public override RunSpec WithDataDir(string? dataDir) => this;
}
