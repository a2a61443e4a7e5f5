namespace LsLab.Representations;

/// <summary>
/// Numbers for the paper's geometric claim, so it can be tested rather than only looked at.
/// <list type="bullet">
/// <item><b>Tightness</b> = (mean over classes of the mean squared distance of a class's points to
/// its centroid) / (mean squared distance between class centroids). Scale-invariant; smaller =
/// tighter, better-separated clusters. Computed in the 2-D projection and in the full
/// penultimate space, and in the template span (below).</item>
/// <item><b>Template span</b>: the affine span of all K bias-augmented templates w̃_k, i.e. the
/// directions the logits see. The loss cannot feel a component of x orthogonal to every template
/// (it changes no logit), so the full-space tightness mixes the geometry the paper talks about with
/// directions no training target constrains; the template-span tightness leaves those out. It is the
/// K-class version of the paper's three-template plane, and equals the full-space tightness when the
/// templates span the whole (augmented) space.</item>
/// <item><b>Wrong-template spread</b>: for each example, the coefficient of variation (std/mean) of
/// its distances ‖x̃ − w̃_k‖ to the templates of the wrong classes k ≠ y (all K classes, full space,
/// bias-augmented as in <see cref="TemplateProjection"/>), averaged over examples. The paper says
/// label smoothing makes an example equidistant from all wrong templates: smaller = more equal.</item>
/// <item><b>Wrong-logit spread</b>: mean over examples of the standard deviation of the wrong-class
/// logits z_k (k ≠ y), divided by the mean over examples of the gap z_y − mean_{k≠y} z_k. Since
/// ‖x̃ − w̃_k‖² = ‖x̃‖² − 2 z_k + ‖w̃_k‖², this is the same question as the distance CV with the
/// activation's own norm taken out (the distance CV shrinks whenever ‖x‖ grows, which hard targets
/// encourage); it is invariant to scaling the logits, and 0 when the wrong logits are equal, as at
/// the optimum of the label-smoothing loss. Ratio of means so misclassified examples (gap ≤ 0) do
/// not blow it up; NaN when the mean gap is not positive (a model worse than guessing).</item>
/// <item><b>Mean activation norm</b> ‖x‖: the paper says LS keeps activations on a bounded scale.</item>
/// </list>
/// </summary>
public static class ClusterMeasures
{
    /// <summary>Tightness of labelled points of any dimension (rows of <paramref name="points"/>, row-major, d columns).</summary>
    public static double Tightness(double[] points, int d, int[] labels)
    {
        if (d <= 0 || points.Length != labels.Length * d)
            throw new ArgumentException($"points must be [N={labels.Length}, d={d}] to match the labels, got {points.Length} values.", nameof(points));
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

    /// <summary>
    /// Coordinates of activations [N,D] in an orthonormal basis of the affine span of all K templates
    /// (bias-augmented unless <paramref name="includeBias"/> is false), relative to w̃_0; returns the
    /// coordinates [N,r] and the span's dimension r ≤ K−1 (dependent template differences are dropped).
    /// </summary>
    public static (double[] Coordinates, int Rank) TemplateSpanCoordinates(double[] features, int n, double[] weight, double[] bias, int numClasses, bool includeBias = true)
    {
        int d = weight.Length / numClasses;
        if (numClasses < 2 || bias.Length != numClasses || weight.Length != numClasses * d)
            throw new ArgumentException($"weight must be [K,D] and bias [K], got K={numClasses}, {weight.Length} weights, {bias.Length} biases.");
        if (n <= 0 || features.Length != n * d)
            throw new ArgumentException($"features must be [N={n}, D={d}] (the head's input width), got {features.Length} values.", nameof(features));
        int m = d + (includeBias ? 1 : 0);
        double[] Tpl(int k) { var t = new double[m]; Array.Copy(weight, k * d, t, 0, d); if (includeBias) t[d] = bias[k]; return t; }
        var origin = Tpl(0);
        var basis = new List<double[]>();
        for (int k = 1; k < numClasses; k++)
        {
            var v = Tpl(k);
            for (int j = 0; j < m; j++) v[j] -= origin[j];
            double scale = Math.Sqrt(v.Sum(e => e * e));
            for (int pass = 0; pass < 2; pass++)   // Gram–Schmidt twice: orthogonal to rounding
                foreach (var u in basis)
                {
                    double dot = 0; for (int j = 0; j < m; j++) dot += v[j] * u[j];
                    for (int j = 0; j < m; j++) v[j] -= dot * u[j];
                }
            double norm = Math.Sqrt(v.Sum(e => e * e));
            if (norm > 1e-9 * Math.Max(scale, 1e-300)) basis.Add(v.Select(e => e / norm).ToArray());
        }
        int r = basis.Count;
        var coords = new double[n * r];
        var xt = new double[m];
        for (int i = 0; i < n; i++)
        {
            Array.Copy(features, i * d, xt, 0, d);
            if (includeBias) xt[d] = 1;
            for (int q = 0; q < r; q++)
            {
                double s = 0; for (int j = 0; j < m; j++) s += (xt[j] - origin[j]) * basis[q][j];
                coords[i * r + q] = s;
            }
        }
        return (coords, r);
    }

    /// <summary>Tightness of activations [N,D] measured in the affine span of all K templates (see the class summary).</summary>
    public static double TightnessInTemplateSpan(double[] features, int n, int[] labels, double[] weight, double[] bias, int numClasses, bool includeBias = true)
    {
        var (coords, r) = TemplateSpanCoordinates(features, n, weight, bias, numClasses, includeBias);
        return Tightness(coords, r, labels);
    }

    /// <summary>Mean over examples of std/mean of the distances to the wrong-class templates (bias-augmented).</summary>
    public static double WrongTemplateSpread(double[] features, int n, int[] labels, double[] weight, double[] bias, int numClasses)
    {
        int d = weight.Length / numClasses;
        if (numClasses < 3 || bias.Length != numClasses || weight.Length != numClasses * d)
            throw new ArgumentException($"weight must be [K,D] and bias [K] with K ≥ 3 (two wrong classes at least), got K={numClasses}, {weight.Length} weights, {bias.Length} biases.");
        if (n <= 0 || features.Length != n * d || labels.Length != n)
            throw new ArgumentException($"features must be [N={n}, D={d}] with N labels, got {features.Length} values and {labels.Length} labels.");
        foreach (var l in labels)
            if (l < 0 || l >= numClasses) throw new ArgumentException($"label {l} is out of range 0..{numClasses - 1}.", nameof(labels));
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

    /// <summary>Mean std of the wrong-class logits over the mean gap true-logit − mean wrong logit (logits [N,K], row-major).</summary>
    public static double WrongLogitSpread(double[] logits, int n, int[] labels)
    {
        if (n <= 0 || labels.Length != n || logits.Length % n != 0 || logits.Length / n < 3)
            throw new ArgumentException($"logits must be [N={n}, K≥3] with N labels, got {logits.Length} values and {labels.Length} labels.");
        int k = logits.Length / n;
        double spread = 0, gap = 0;
        for (int i = 0; i < n; i++)
        {
            if (labels[i] < 0 || labels[i] >= k) throw new ArgumentException($"label {labels[i]} is out of range 0..{k - 1}.", nameof(labels));
            var row = logits.AsSpan(i * k, k);
            double mean = 0;
            for (int j = 0; j < k; j++) if (j != labels[i]) mean += row[j];
            mean /= k - 1;
            double v = 0;
            for (int j = 0; j < k; j++) if (j != labels[i]) v += (row[j] - mean) * (row[j] - mean);
            spread += Math.Sqrt(v / (k - 1));
            gap += row[labels[i]] - mean;
        }
        return gap > 0 ? spread / gap : double.NaN;
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
