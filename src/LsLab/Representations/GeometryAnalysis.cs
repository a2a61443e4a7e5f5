using LsLab.Data;
using LsLab.Runs;
using LsLab.Training;
using static TorchSharp.torch;

namespace LsLab.Representations;

/// <summary>Measures of one projection: in the plane and in the full penultimate space.</summary>
public sealed record GeometryMeasures(string Split, int Examples, double TightnessPlane, double TightnessFull, double WrongTemplateSpread, double MeanNorm, double WrongLogitSpread = double.NaN, double TightnessTemplateSpan = double.NaN);

/// <summary>
/// A projection of one split: points per example (with class), template positions, measures, and the
/// per-example values behind the mean-type measures, so intervals can resample examples.
/// </summary>
public sealed record GeometryView(string Split, (double X, double Y)[] Points, int[] Labels, (double X, double Y)[] Templates, int[] ClassIds, string[] ClassNames, GeometryMeasures Measures)
{
    /// <summary>Each example's wrong-template distance CV (their mean is <see cref="GeometryMeasures.WrongTemplateSpread"/>).</summary>
    public double[] WrongTemplateSpreads { get; init; } = Array.Empty<double>();
    /// <summary>Each example's activation norm ‖x‖ (their mean is <see cref="GeometryMeasures.MeanNorm"/>).</summary>
    public double[] Norms { get; init; } = Array.Empty<double>();

    /// <summary>Tightness in the plane of the examples <paramref name="idx"/> (a bootstrap resample).</summary>
    public double PlaneTightness(int[] idx) => ClusterMeasures.Tightness(idx.Select(i => Points[i]).ToArray(), idx.Select(i => Labels[i]).ToArray());

    /// <summary>Mean distance between the three templates in the plane: the unit the plane measures below are in.</summary>
    public double TemplateScale => (Dist(Templates[0], Templates[1]) + Dist(Templates[1], Templates[2]) + Dist(Templates[0], Templates[2])) / 3;

    /// <summary>Centroid of each of the three classes over the examples <paramref name="idx"/> (order of <see cref="ClassIds"/>).</summary>
    public (double X, double Y)[] Centroids(int[] idx) => ClassIds.Select(c =>
    {
        double x = 0, y = 0; int n = 0;
        foreach (int i in idx) if (Labels[i] == c) { x += Points[i].X; y += Points[i].Y; n++; }
        return n == 0 ? (double.NaN, double.NaN) : (x / n, y / n);
    }).ToArray();

    /// <summary>Mean distance from each class centroid to its own template, in units of <see cref="TemplateScale"/> (0: clusters sit on their templates).</summary>
    public double CentroidToTemplate(int[] idx)
    {
        var c = Centroids(idx);
        return Enumerable.Range(0, 3).Average(j => Dist(c[j], Templates[j])) / TemplateScale;
    }

    /// <summary>Shortest / longest side of the triangle of class centroids (1: equilateral, the paper's "regular triangle").</summary>
    public double Regularity(int[] idx)
    {
        var c = Centroids(idx);
        var sides = new[] { Dist(c[0], c[1]), Dist(c[1], c[2]), Dist(c[0], c[2]) };
        return sides.Min() / sides.Max();
    }

    /// <summary>Mean distance of the examples to the centre of the three templates, in units of <see cref="TemplateScale"/>.</summary>
    public double CentreDistance(int[] idx)
    {
        double cx = Templates.Average(t => t.X), cy = Templates.Average(t => t.Y);
        return idx.Average(i => Dist(Points[i], (cx, cy))) / TemplateScale;
    }

    static double Dist((double X, double Y) a, (double X, double Y) b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));
}

/// <summary>Loads a run, takes N examples per class of three classes, projects them and measures the clusters.</summary>
public static class GeometryAnalysis
{
    /// <summary>Parses "A,B,C" as class indices or (case-insensitive) class names.</summary>
    public static int[] ParseClasses(string text, IReadOnlyList<string> names, int count = 3)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != count) throw new LsLabException($"--classes needs {count} classes separated by commas, got '{text}'.");
        return parts.Select(p =>
        {
            if (int.TryParse(p, out int i))
                return i >= 0 && i < names.Count ? i : throw new LsLabException($"--classes: index {i} is out of range 0..{names.Count - 1}.");
            int k = names.ToList().FindIndex(n => n.Equals(p, StringComparison.OrdinalIgnoreCase));
            return k >= 0 ? k : throw new LsLabException($"--classes: unknown class '{p}'. Classes: {string.Join(", ", names.Select((n, j) => $"{j}={n}"))}.");
        }).ToArray();
    }

    /// <summary>Projects <paramref name="perClass"/> examples of each class of a split (the first ones, in data order).</summary>
    public static GeometryView Analyse(RunFolder run, string split, int[] classes, int perClass = 100, bool includeBias = true)
    {
        var o = run.ReadConfig();
        using var data = TrainingRun.LoadData(o);
        var ds = split switch { "train" => data.Train, "test" => data.Test, "validation" => data.Validation, _ => throw new LsLabException($"--split must be train, validation or test, got '{split}'.") };
        using var model = TrainingRun.LoadModel(run, data.Train);
        return Analyse(model, ds, split, classes, perClass, includeBias);
    }

    /// <summary>Projects the first <paramref name="perClass"/> examples of each class of <paramref name="ds"/> through <paramref name="model"/>.</summary>
    public static GeometryView Analyse(Models.Classifier model, Dataset ds, string split, int[] classes, int perClass = 100, bool includeBias = true)
    {
        var labels = ds.Labels.ToCpuArray<long>();
        var pick = classes.SelectMany(c => Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).Take(perClass)).Select(i => (long)i).ToArray();
        if (pick.Length == 0) throw new LsLabException($"no examples of classes {string.Join(",", classes)} in the {split} split.");
        using var idx = tensor(pick);
        using var subset = ds.Subset(idx);
        using var feats = Evaluator.Features(model, subset);
        double[] f = feats.to_type(ScalarType.Float64).ToCpuArray<double>();
        int k = (int)model.Head.weight!.shape[0];
        double[] w = model.Head.weight!.detach().to_type(ScalarType.Float64).ToCpuArray<double>();
        double[] b = model.Head.bias!.detach().to_type(ScalarType.Float64).ToCpuArray<double>();
        var y = pick.Select(i => (int)labels[i]).ToArray();
        var proj = TemplateProjection.Fit(w, b, k, classes[0], classes[1], classes[2], includeBias);
        var pts = proj.Transform(f, pick.Length);
        var measures = new GeometryMeasures(split, pick.Length,
            ClusterMeasures.Tightness(pts, y),
            ClusterMeasures.Tightness(f, f.Length / pick.Length, y),
            ClusterMeasures.WrongTemplateSpread(f, pick.Length, y, w, b, k),
            ClusterMeasures.MeanNorm(f, pick.Length),
            ClusterMeasures.WrongLogitSpread(Logits(f, pick.Length, w, b, k), pick.Length, y),
            ClusterMeasures.TightnessInTemplateSpan(f, pick.Length, y, w, b, k, includeBias));
        int dim = f.Length / pick.Length;
        var rows = Enumerable.Range(0, pick.Length).Select(i => f.AsSpan(i * dim, dim).ToArray()).ToArray();
        return new GeometryView(split, pts, y, proj.Templates, classes, classes.Select(c => ds.ClassNames[c]).ToArray(), measures)
        {
            WrongTemplateSpreads = rows.Select((r, i) => ClusterMeasures.WrongTemplateSpread(r, 1, new[] { y[i] }, w, b, k)).ToArray(),
            Norms = rows.Select(r => ClusterMeasures.MeanNorm(r, 1)).ToArray(),
        };
    }

    static double[] Logits(double[] f, int n, double[] w, double[] b, int k)
    {
        int d = f.Length / n;
        var z = new double[n * k];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < k; c++)
            {
                double s = b[c];
                for (int j = 0; j < d; j++) s += f[i * d + j] * w[c * d + j];
                z[i * k + c] = s;
            }
        return z;
    }
}
