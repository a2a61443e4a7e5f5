using System.Globalization;
using LsLab.Data;
using LsLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LsLab.Information;

/// <summary>
/// Which examples the mutual information is measured on: N/2 training examples of each of two
/// classes (the paper: N = 600, 300 "airplane" and 300 "dog"), L augmented draws per example.
/// </summary>
public sealed record MiSettings(int ClassA, int ClassB, int Examples = 600, int Draws = 5, int Seed = 0)
{
    /// <summary>Checks the classes against <paramref name="numClasses"/> and the sizes (N even and ≥ 4, L ≥ 2, so σ² can be estimated); names the option on error.</summary>
    public MiSettings Validate(int numClasses)
    {
        if (ClassA < 0 || ClassA >= numClasses || ClassB < 0 || ClassB >= numClasses)
            throw new LsLabException($"--classes: class indices must be in [0, {numClasses - 1}], got {ClassA},{ClassB}.");
        if (ClassA == ClassB) throw new LsLabException($"--classes: the two classes must differ, got {ClassA} twice.");
        if (Examples < 4 || Examples % 2 != 0) throw new LsLabException($"--n: the number of examples must be even and ≥ 4, got {Examples}.");
        if (Draws < 2) throw new LsLabException($"--draws: at least 2 augmented draws per example are needed to estimate σ², got {Draws}.");
        return this;
    }

    /// <summary>Parses "A,B" where each is a class index or a class name (case-insensitive).</summary>
    public static (int A, int B) ParseClasses(string text, IReadOnlyList<string> classNames)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2)
            throw new LsLabException($"--classes: expected two classes separated by a comma (index or name), got '{text}'.");
        int One(string p)
        {
            if (int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i))
            {
                if (i < 0 || i >= classNames.Count) throw new LsLabException($"--classes: class index {i} is out of range [0, {classNames.Count - 1}].");
                return i;
            }
            for (int k = 0; k < classNames.Count; k++)
                if (string.Equals(classNames[k], p, StringComparison.OrdinalIgnoreCase)) return k;
            throw new LsLabException($"--classes: no class named '{p}'. Classes: {string.Join(", ", classNames.Select((n, k) => $"{k}={n}"))}.");
        }
        return (One(parts[0]), One(parts[1]));
    }
}

/// <summary>
/// Measures the paper's I(X;Y) on a fixed set of examples: X = example index, Y = z_A − z_B, the
/// difference of the two classes' logits of the model (eval mode) on a randomly augmented copy.
/// The same seeded augmentations are used at every call, so a curve over training compares like with like.
/// </summary>
public sealed class LogitDifferenceProbe : IDisposable
{
    readonly Func<Tensor, Generator, Tensor> augment;

    LogitDifferenceProbe(Dataset examples, MiSettings settings, Func<Tensor, Generator, Tensor> augment)
    {
        Examples = examples;
        Settings = settings;
        this.augment = augment;
    }

    /// <summary>The N chosen examples: the first N/2 of class A then the first N/2 of class B, in training-set order.</summary>
    public Dataset Examples { get; }
    /// <summary>The classes, N, L and seed the probe measures with.</summary>
    public MiSettings Settings { get; }

    /// <summary>
    /// Picks the examples from <paramref name="train"/>. <paramref name="augment"/> defaults to the
    /// data set's standard augmentation (random shifts by padding + crop, flips where the data allow).
    /// </summary>
    public static LogitDifferenceProbe Create(Dataset train, MiSettings settings, Func<Tensor, Generator, Tensor>? augment = null)
    {
        Native.Engine.Initialize();
        settings.Validate(train.NumClasses);
        var labels = train.Labels.ToCpuArray<long>();
        int half = settings.Examples / 2;
        var pick = new List<long>();
        foreach (var c in new[] { settings.ClassA, settings.ClassB })
        {
            var idx = Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).Take(half).Select(i => (long)i).ToList();
            if (idx.Count < half)
                throw new LsLabException($"{train.Name}: class {c} ({train.ClassNames[c]}) has only {idx.Count} training examples; --n {settings.Examples} needs {half} per class.");
            pick.AddRange(idx);
        }
        using var t = tensor(pick.ToArray());
        return new LogitDifferenceProbe(train.Subset(t, $"{train.Name} (MI probe)"), settings, augment ?? Augmentation.For(train));
    }

    /// <summary>Estimates I(X;Y) for <paramref name="model"/>; leaves the model's train/eval mode as it was.</summary>
    public MiEstimate Measure(Classifier model) => Sample(model).Estimate();

    /// <summary>
    /// The logit differences behind one estimate (L draws and one fresh draw per example, the same augmentations
    /// every call), kept so an interval can resample examples (<see cref="MiSample.Estimate(int[])"/>).
    /// </summary>
    public MiSample Sample(Classifier model)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var gen = new Generator((ulong)(Settings.Seed * 7919L + 17));
            int n = Examples.Count, l = Settings.Draws;
            var draws = Enumerable.Range(0, n).Select(_ => new double[l]).ToArray();
            var outer = new double[n];
            for (int d = 0; d <= l; d++)
            {
                var y = LogitDifference(model, gen);
                for (int x = 0; x < n; x++)
                    if (d < l) draws[x][d] = y[x]; else outer[x] = y[x];
            }
            return new MiSample(draws, outer);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    double[] LogitDifference(Classifier model, Generator gen)
    {
        var result = new double[Examples.Count];
        const int batch = 256;
        for (long start = 0; start < Examples.Count; start += batch)
        {
            using var scope = NewDisposeScope();
            long len = Math.Min(batch, Examples.Count - start);
            var x = Native.Engine.ToDevice(augment(Examples.Images.narrow(0, start, len), gen));
            var logits = model.forward(x).to_type(ScalarType.Float64);
            var diff = logits[TensorIndex.Colon, Settings.ClassA] - logits[TensorIndex.Colon, Settings.ClassB];
            diff.ToCpuArray<double>().CopyTo(result, start);
        }
        return result;
    }

    /// <summary>Frees the chosen examples.</summary>
    public void Dispose() => Examples.Dispose();
}
