namespace LsLab.Representations;

/// <summary>
/// Numbers for the paper's geometric claim, so it can be tested rather than only looked at.
/// <list type="bullet">
/// <item><b>Tightness</b> = (mean over classes of the mean squared distance of a class's points to
/// its centroid) / (mean squared distance between class centroids). Scale-invariant; smaller =
/// tighter, better-separated clusters. Computed in the 2-D projection and in the full
/// penultimate space.</item>
/// <item><b>Wrong-template spread</b>: for each example, the coefficient of variation (std/mean) of
/// its distances ‖x̃ − w̃_k‖ to the templates of the wrong classes k ≠ y (all K classes, full space,
/// bias-augmented as in <see cref="TemplateProjection"/>), averaged over examples. The paper says
/// label smoothing makes an example equidistant from all wrong templates: smaller = more equal.</item>
/// <item><b>Mean activation norm</b> ‖x‖: the paper says LS keeps activations on a bounded scale.</item>
/// </list>
/// </summary>
public static class ClusterMeasures
{
    /// <summary>Tightness of labelled points of any dimension (rows of <paramref name="points"/>, row-major, d columns).</summary>
    public static double Tightness(double[] points, int d, int[] labels)
    {
        var classes = labels.Distinct().OrderBy(c => c).ToArray();
        if (classes.Length < 2) throw new LsLabException("tightness needs points of at least two classes.");
        var centroids = new Dictionary<int, double[]>();
        foreach (var c in classes)
        {
            var m = new double[d];
            int n = 0;
            for (int i = 0; i < labels.Length; i++)
                if (labels[i] == c) { n++; for (int j = 0; j < d; j++) m[j] += points[i * d + j]; }
            for (int j = 0; j < d; j++) m[j] /= n;
            centroids[c] = m;
        }
        double within = 0;
        foreach (var c in classes)
        {
            double s = 0; int n = 0;
            for (int i = 0; i < labels.Length; i++)
                if (labels[i] == c) { n++; s += Sq(points.AsSpan(i * d, d), centroids[c]); }
            within += s / n;
        }
        within /= classes.Length;
        double between = 0; int pairs = 0;
        for (int x = 0; x < classes.Length; x++)
            for (int y = x + 1; y < classes.Length; y++) { between += Sq(centroids[classes[x]], centroids[classes[y]]); pairs++; }
        between /= pairs;
        return within / between;
    }

    /// <summary>Tightness of 2-D points.</summary>
    public static double Tightness((double X, double Y)[] points, int[] labels) =>
        Tightness(points.SelectMany(p => new[] { p.X, p.Y }).ToArray(), 2, labels);

    /// <summary>Mean over examples of std/mean of the distances to the wrong-class templates (bias-augmented).</summary>
    public static double WrongTemplateSpread(double[] features, int n, int[] labels, double[] weight, double[] bias, int numClasses)
    {
        int d = features.Length / n;
        double total = 0;
        var dist = new double[numClasses - 1];
        for (int i = 0; i < n; i++)
        {
            int m = 0;
            for (int k = 0; k < numClasses; k++)
            {
                if (k == labels[i]) continue;
                double s = 0;
                for (int j = 0; j < d; j++) { double t = features[i * d + j] - weight[k * d + j]; s += t * t; }
                double tb = 1 - bias[k];
                dist[m++] = Math.Sqrt(s + tb * tb);
            }
            double mean = dist.Average();
            double sd = Math.Sqrt(dist.Sum(v => (v - mean) * (v - mean)) / dist.Length);
            total += sd / mean;
        }
        return total / n;
    }

    /// <summary>Mean Euclidean norm of the activations.</summary>
    public static double MeanNorm(double[] features, int n)
    {
        int d = features.Length / n;
        double s = 0;
        for (int i = 0; i < n; i++) { double q = 0; for (int j = 0; j < d; j++) q += features[i * d + j] * features[i * d + j]; s += Math.Sqrt(q); }
        return s / n;
    }

    static double Sq(ReadOnlySpan<double> a, ReadOnlySpan<double> b) { double s = 0; for (int i = 0; i < a.Length; i++) { double t = a[i] - b[i]; s += t * t; } return s; }
}
