namespace LsLab.Calibration;

/// <summary>Which probabilities a binning calibrator recalibrates.</summary>
public enum BinningTarget
{
    /// <summary>Only the top-label confidence (max probability) against "argmax is right"; the other classes share the rest in proportion.</summary>
    TopLabel,
    /// <summary>Every class's probability one-vs-rest against "label is this class", then rows renormalised.</summary>
    ClassWise,
}

/// <summary>1-D bin edges and assignment shared by the binning calibrators and estimators.</summary>
public static class BinEdges
{
    /// <summary>
    /// Inner edges (B − 1 of them) of B bins over scores: equal-width j/B, or equal-mass at the
    /// j/B quantiles (linear interpolation, numpy's default, as scikit-learn's calibration_curve 'quantile').
    /// </summary>
    public static double[] Inner(ReadOnlySpan<double> scores, int bins, Binning binning)
    {
        if (bins < 1) throw new LsLabException($"bins must be ≥ 1, got {bins}.");
        var e = new double[bins - 1];
        if (binning == Binning.EqualWidth) { for (int j = 1; j < bins; j++) e[j - 1] = (double)j / bins; return e; }
        var s = scores.ToArray();
        Array.Sort(s);
        for (int j = 1; j < bins; j++) e[j - 1] = Quantile(s, (double)j / bins);
        return e;
    }

    /// <summary>numpy.percentile(sorted, 100 q) with linear interpolation.</summary>
    public static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        if (lo >= sorted.Length - 1) return sorted[^1];
        double t = pos - lo, a = sorted[lo], b = sorted[lo + 1];
        return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t; // numpy's _lerp
    }

    /// <summary>Bin of score c: the number of inner edges strictly below c, so bins are (lo, hi], 0 in the first, 1 in the last.</summary>
    public static int Index(double c, double[] inner)
    {
        int lo = 0, hi = inner.Length;
        while (lo < hi) { int m = (lo + hi) >> 1; if (inner[m] < c) lo = m + 1; else hi = m; }
        return lo;
    }
}

/// <summary>
/// Histogram binning (Zadrozny &amp; Elkan 2001): B bins over the fit set's scores (equal-mass by default),
/// each mapped to the fit set's frequency of the event in the bin. Top-label (confidence vs correct, one
/// histogram shared by all predicted classes) or class-wise (one histogram per class, rows renormalised).
/// An empty bin maps to its midpoint. Transform returns log-probabilities.
/// </summary>
public sealed class HistogramBinning : ICalibrator
{
    HistogramBinning(BinningTarget target, int k, int bins, Binning binning, double[][] edges, double[][] values, long[][] counts, FitReport? report)
    { Target = target; K = k; Bins = bins; Binning = binning; Edges = edges; Values = values; Counts = counts; Report = report; }

    /// <summary>Top-label (one histogram of the confidence) or class-wise (one histogram per class).</summary>
    public BinningTarget Target { get; }
    /// <summary>Number of classes the calibrator was fitted for.</summary>
    public int K { get; }
    /// <summary>Number of bins per histogram.</summary>
    public int Bins { get; }
    /// <summary>How the bin edges were placed on the fit set's scores (equal-mass by default).</summary>
    public Binning Binning { get; }
    /// <summary>Inner edges per histogram (one histogram top-label, K class-wise).</summary>
    public double[][] Edges { get; }
    /// <summary>Calibrated value per bin.</summary>
    public double[][] Values { get; }
    /// <summary>Fit examples per bin.</summary>
    public long[][] Counts { get; }
    /// <inheritdoc />
    public FitReport? Report { get; }
    /// <inheritdoc />
    public string Method => Target == BinningTarget.TopLabel ? "histogram" : "histogram-classwise";

    /// <summary>Fits the histograms on held-out logits [N,K] and labels.</summary>
    public static HistogramBinning Fit(ReadOnlySpan<double> logits, int k, ReadOnlySpan<int> labels, BinningTarget target = BinningTarget.TopLabel, int bins = 15, Binning binning = Binning.EqualMass)
    {
        var p = Predictions.FromLogits(logits, k, labels);
        int h = target == BinningTarget.TopLabel ? 1 : k;
        var edges = new double[h][]; var values = new double[h][]; var counts = new long[h][];
        for (int c = 0; c < h; c++)
        {
            var (score, hit) = target == BinningTarget.TopLabel ? TopLabel(p) : OneVsRest(p, c);
            edges[c] = BinEdges.Inner(score, bins, binning);
            var sum = new double[bins]; counts[c] = new long[bins];
            for (int i = 0; i < score.Length; i++) { int b = BinEdges.Index(score[i], edges[c]); sum[b] += hit[i]; counts[c][b]++; }
            values[c] = new double[bins];
            for (int b = 0; b < bins; b++)
                values[c][b] = counts[c][b] > 0 ? sum[b] / counts[c][b] : ((b == 0 ? 0 : edges[c][b - 1]) + (b == bins - 1 ? 1 : edges[c][b])) / 2;
        }
        var cal = new HistogramBinning(target, k, bins, binning, edges, values, counts, null);
        var after = cal.Transform(logits, k);
        var report = FitReport.NonParametric(cal.Method, CalMath.Nll(logits, k, labels), CalMath.Nll(after, k, labels),
            CalMath.MaxProbabilityChange(logits, after, k), $"{bins} {(binning == Binning.EqualMass ? "equal-mass" : "equal-width")} bins");
        return new HistogramBinning(target, k, bins, binning, edges, values, counts, report);
    }

    internal static (double[] Score, double[] Hit) TopLabel(Predictions p)
    {
        var s = new double[p.N]; var h = new double[p.N];
        for (int i = 0; i < p.N; i++) { var r = p.Row(i); int a = Metrics.ArgMax(r); s[i] = r[a]; h[i] = a == p.Labels[i] ? 1 : 0; }
        return (s, h);
    }

    internal static (double[] Score, double[] Hit) OneVsRest(Predictions p, int c)
    {
        var s = new double[p.N]; var h = new double[p.N];
        for (int i = 0; i < p.N; i++) { s[i] = p.Probs[i * p.K + c]; h[i] = p.Labels[i] == c ? 1 : 0; }
        return (s, h);
    }

    /// <summary>Replaces the top probability of a row by <paramref name="top"/> and scales the others to share 1 − top.</summary>
    internal static void SetTop(Span<double> row, int arg, double top)
    {
        double conf = row[arg];
        int k = row.Length;
        for (int j = 0; j < k; j++)
            if (j != arg) row[j] = conf < 1 ? row[j] * (1 - top) / (1 - conf) : (1 - top) / (k - 1);
        row[arg] = top;
    }

    /// <summary>Renormalises a row of one-vs-rest calibrated probabilities (a zero row becomes uniform, as scikit-learn does).</summary>
    internal static void Renormalise(Span<double> row)
    {
        double s = 0;
        foreach (var v in row) s += v;
        for (int j = 0; j < row.Length; j++) row[j] = s > 0 ? row[j] / s : 1.0 / row.Length;
    }

    /// <inheritdoc />
    public double[] Transform(ReadOnlySpan<double> logits, int k) => CalMath.LogProbs(TransformProbabilities(logits, k));

    /// <summary>The calibrated probabilities themselves (equal bin values stay exactly equal, so sort-based estimators break their ties by index).</summary>
    public double[] TransformProbabilities(ReadOnlySpan<double> logits, int k)
    {
        if (k != K) throw new LsLabException($"calibrator '{Method}' was fitted on {K} classes, the logits have {k}.");
        var p = CalMath.SoftmaxRows(logits, k);
        for (int i = 0; i < p.Length / k; i++)
        {
            var row = p.AsSpan(i * k, k);
            if (Target == BinningTarget.TopLabel)
            {
                int a = Metrics.ArgMax(row);
                SetTop(row, a, Values[0][BinEdges.Index(row[a], Edges[0])]);
            }
            else
            {
                for (int j = 0; j < k; j++) row[j] = Values[j][BinEdges.Index(row[j], Edges[j])];
                Renormalise(row);
            }
        }
        return p;
    }

    /// <inheritdoc />
    public string Describe() => $"histogram binning ({(Target == BinningTarget.TopLabel ? "top-label" : "class-wise")}, {Bins} {(Binning == Binning.EqualMass ? "equal-mass" : "equal-width")} bins)";

    /// <inheritdoc />
    public CalibratorState State()
    {
        var prm = new Dictionary<string, double[]>();
        for (int c = 0; c < Edges.Length; c++) { prm[$"edges{c}"] = Edges[c]; prm[$"values{c}"] = Values[c]; }
        return new(Method, prm, new() { ["k"] = K.ToString(), ["bins"] = Bins.ToString(), ["binning"] = Binning.ToString() });
    }

    /// <summary>Rebuilds a fitted calibrator from a saved file's state.</summary>
    public static HistogramBinning FromState(CalibratorState s)
    {
        var target = s.Type == "histogram" ? BinningTarget.TopLabel : BinningTarget.ClassWise;
        int k = CalibratorFile.IntSetting(s, "k", 2), bins = CalibratorFile.IntSetting(s, "bins", 1);
        int h = target == BinningTarget.TopLabel ? 1 : k;
        var edges = new double[h][]; var values = new double[h][]; var counts = new long[h][];
        for (int c = 0; c < h; c++) { edges[c] = s.Get($"edges{c}", bins - 1); values[c] = s.Get($"values{c}", bins); counts[c] = new long[bins]; }
        Enum.TryParse<Binning>(s.Setting("binning", "EqualMass"), out var binning);
        return new HistogramBinning(target, k, bins, binning, edges, values, counts, null);
    }
}

/// <summary>
/// Isotonic regression calibration (Zadrozny &amp; Elkan 2002), one-vs-rest: per class, the pool-adjacent-
/// violators fit of "label is k" on p_k, predicted by linear interpolation between the fitted points and
/// clipped outside them (scikit-learn's IsotonicRegression(out_of_bounds="clip")); rows renormalised
/// (a zero row becomes uniform), as scikit-learn's CalibratedClassifierCV(method="isotonic") does for
/// K &gt; 2. Transform returns log-probabilities.
/// </summary>
public sealed class IsotonicCalibrator : ICalibrator
{
    IsotonicCalibrator(int k, double[][] x, double[][] y, FitReport? report)
    {
        K = k; X = x; Y = y; Report = report;
        knots = new (double[], double[])[k];
        for (int c = 0; c < k; c++) knots[c] = Knots(x[c], y[c]);
    }

    /// <summary>Per class, the fitted points where the fitted value changes (first and last point of each PAV block).</summary>
    readonly (double[] X, double[] Y)[] knots;

    /// <summary>
    /// The points that matter for interpolation: inside a block of equal values the interpolant is that value, so only
    /// block ends are kept. Interpolating on them gives bit-identical results to all points (same ends, or a
    /// difference of exactly 0) with a much shorter search (a few hundred points instead of one per fit example).
    /// </summary>
    static (double[] X, double[] Y) Knots(double[] x, double[] y)
    {
        var kx = new List<double>(); var ky = new List<double>();
        for (int i = 0; i < x.Length; i++)
            if (i == 0 || i == x.Length - 1 || y[i] != y[i - 1] || y[i] != y[i + 1]) { kx.Add(x[i]); ky.Add(y[i]); }
        return (kx.ToArray(), ky.ToArray());
    }

    /// <summary>Number of classes the calibrator was fitted for.</summary>
    public int K { get; }
    /// <summary>Per class, the fitted points' scores (increasing) and values (non-decreasing).</summary>
    public double[][] X { get; }
    /// <summary>Per class, the fitted values at <see cref="X"/> (non-decreasing).</summary>
    public double[][] Y { get; }
    /// <inheritdoc />
    public FitReport? Report { get; }
    /// <inheritdoc />
    public string Method => "isotonic";

    /// <summary>Fits one isotonic regression per class on held-out logits [N,K] and labels.</summary>
    public static IsotonicCalibrator Fit(ReadOnlySpan<double> logits, int k, ReadOnlySpan<int> labels)
    {
        var p = Predictions.FromLogits(logits, k, labels);
        var xs = new double[k][]; var ys = new double[k][];
        for (int c = 0; c < k; c++)
        {
            var (s, h) = HistogramBinning.OneVsRest(p, c);
            (xs[c], ys[c]) = Pav(s, h);
        }
        var cal = new IsotonicCalibrator(k, xs, ys, null);
        var after = cal.Transform(logits, k);
        var report = FitReport.NonParametric("isotonic", CalMath.Nll(logits, k, labels), CalMath.Nll(after, k, labels),
            CalMath.MaxProbabilityChange(logits, after, k), $"{xs.Sum(a => a.Length)} fitted points over {k} classes");
        return new IsotonicCalibrator(k, xs, ys, report);
    }

    /// <summary>Increasing isotonic fit: sort by (x, y), merge equal x (weighted mean of y), pool adjacent violators.</summary>
    public static (double[] X, double[] Y) Pav(double[] x, double[] y)
    {
        var order = Enumerable.Range(0, x.Length).ToArray();
        Array.Sort(order, (a, b) => x[a] != x[b] ? x[a].CompareTo(x[b]) : y[a].CompareTo(y[b]));
        var ux = new List<double>(); var uy = new List<double>(); var uw = new List<double>();
        const double eps = 1e-15; // numpy float64 resolution, scikit-learn's _make_unique tolerance
        double cur = double.NaN, sy = 0, sw = 0;
        foreach (var i in order)
        {
            if (double.IsNaN(cur) || x[i] - cur >= eps)
            {
                if (sw > 0) { ux.Add(cur); uy.Add(sy / sw); uw.Add(sw); }
                cur = x[i]; sy = 0; sw = 0;
            }
            sy += y[i]; sw += 1;
        }
        if (sw > 0) { ux.Add(cur); uy.Add(sy / sw); uw.Add(sw); }
        // Pool adjacent violators over blocks (value, weight, length).
        int n = ux.Count;
        var bv = new double[n]; var bw = new double[n]; var bl = new int[n];
        int top = 0;
        for (int i = 0; i < n; i++)
        {
            bv[top] = uy[i]; bw[top] = uw[i]; bl[top] = 1; top++;
            while (top > 1 && bv[top - 2] >= bv[top - 1])
            {
                double w = bw[top - 2] + bw[top - 1];
                bv[top - 2] = (bv[top - 2] * bw[top - 2] + bv[top - 1] * bw[top - 1]) / w;
                bw[top - 2] = w; bl[top - 2] += bl[top - 1]; top--;
            }
        }
        var fy = new double[n];
        int pos = 0;
        for (int b = 0; b < top; b++) for (int j = 0; j < bl[b]; j++) fy[pos++] = bv[b];
        return (ux.ToArray(), fy);
    }

    /// <summary>np.interp(v, x, y): linear interpolation, clipped to the end values.</summary>
    public static double Interpolate(double v, double[] x, double[] y)
    {
        if (v <= x[0]) return y[0];
        if (v >= x[^1]) return y[^1];
        int lo = 0, hi = x.Length - 1;
        while (hi - lo > 1) { int m = (lo + hi) >> 1; if (x[m] <= v) lo = m; else hi = m; }
        double t = (v - x[lo]) / (x[hi] - x[lo]);
        return y[lo] + t * (y[hi] - y[lo]);
    }

    /// <summary>Calibrated probabilities (renormalised one-vs-rest).</summary>
    public double[] Probabilities(ReadOnlySpan<double> logits, int k)
    {
        if (k != K) throw new LsLabException($"calibrator 'isotonic' was fitted on {K} classes, the logits have {k}.");
        var p = CalMath.SoftmaxRows(logits, k);
        for (int i = 0; i < p.Length / k; i++)
        {
            var row = p.AsSpan(i * k, k);
            for (int j = 0; j < k; j++) row[j] = Interpolate(row[j], knots[j].X, knots[j].Y);
            HistogramBinning.Renormalise(row);
        }
        return p;
    }

    /// <inheritdoc />
    public double[] Transform(ReadOnlySpan<double> logits, int k) => CalMath.LogProbs(Probabilities(logits, k));

    /// <summary>The calibrated probabilities themselves (<see cref="Probabilities"/>), not the softmax of their logs.</summary>
    public double[] TransformProbabilities(ReadOnlySpan<double> logits, int k) => Probabilities(logits, k);

    /// <inheritdoc />
    public string Describe() => $"isotonic regression (one-vs-rest, renormalised; {X.Sum(a => a.Length)} points)";

    /// <inheritdoc />
    public CalibratorState State()
    {
        var prm = new Dictionary<string, double[]>();
        for (int c = 0; c < K; c++) { prm[$"x{c}"] = X[c]; prm[$"y{c}"] = Y[c]; }
        return new("isotonic", prm, new() { ["k"] = K.ToString() });
    }

    /// <summary>Rebuilds a fitted calibrator from a saved file's state.</summary>
    public static IsotonicCalibrator FromState(CalibratorState s)
    {
        int k = CalibratorFile.IntSetting(s, "k", 2);
        var xs = new double[k][]; var ys = new double[k][];
        for (int c = 0; c < k; c++)
        {
            xs[c] = s.Get($"x{c}"); ys[c] = s.Get($"y{c}", xs[c].Length);
            if (xs[c].Length == 0) throw new LsLabException($"calibrator 'isotonic': class {c} has no fitted points.");
        }
        return new IsotonicCalibrator(k, xs, ys, null);
    }
}

/// <summary>
/// Scaling-binning (Kumar, Liang &amp; Ma 2019, "Verified uncertainty calibration"), top-label: Platt scaling
/// g(c) = σ(a·logit(c) + b) of the confidence fitted on one half of the fit data; on the other half, B
/// equal-mass bins of g, each mapped to the mean of g (not of the labels) in the bin, so the output takes
/// B values and its calibration error can be measured without binning bias. The other classes share
/// the rest in proportion. Transform returns log-probabilities.
/// </summary>
public sealed class ScalingBinning : ICalibrator
{
    ScalingBinning(int k, double a, double b, double[] edges, double[] values, FitReport? report) { K = k; A = a; B = b; Edges = edges; Values = values; Report = report; }

    /// <summary>Number of classes the calibrator was fitted for.</summary>
    public int K { get; }
    /// <summary>Platt slope a of g(c) = σ(a·logit(c) + b).</summary>
    public double A { get; }
    /// <summary>Platt offset b of g(c) = σ(a·logit(c) + b).</summary>
    public double B { get; }
    /// <summary>Inner edges of the equal-mass bins of g.</summary>
    public double[] Edges { get; }
    /// <summary>Output confidence per bin: the mean of g in the bin.</summary>
    public double[] Values { get; }
    /// <inheritdoc />
    public FitReport? Report { get; }
    /// <inheritdoc />
    public string Method => "scaling-binning";

    static double Logit(double c) { c = Math.Clamp(c, 1e-12, 1 - 1e-12); return Math.Log(c / (1 - c)); }
    double G(double c) => 1 / (1 + Math.Exp(-(A * Logit(c) + B)));

    /// <summary>Fits Platt scaling on one half of the fit data and the bins on the other (split by <paramref name="seed"/>).</summary>
    public static ScalingBinning Fit(ReadOnlySpan<double> logits, int k, ReadOnlySpan<int> labels, int bins = 10, int seed = 0)
    {
        var p = Predictions.FromLogits(logits, k, labels);
        if (p.N < 2 * bins) throw new LsLabException($"scaling-binning needs at least {2 * bins} fit examples for {bins} bins, got {p.N}.");
        var (conf, hit) = HistogramBinning.TopLabel(p);
        var half = CalMath.Folds(p.N, 2, seed);
        var f1 = Enumerable.Range(0, p.N).Where(i => half[i] == 0).ToArray();
        var f2 = Enumerable.Range(0, p.N).Where(i => half[i] == 1).ToArray();
        (double F, double[] G) Obj(double[] th)
        {
            double f = 0, ga = 0, gb = 0;
            foreach (var i in f1)
            {
                double x = Logit(conf[i]), s = th[0] * x + th[1];
                f += hit[i] == 1 ? Softplus(-s) : Softplus(s);
                double r = 1 / (1 + Math.Exp(-s)) - hit[i];
                ga += r * x; gb += r;
            }
            return (f / f1.Length, new[] { ga / f1.Length, gb / f1.Length });
        }
        var res = Lbfgs.Minimize(Obj, new[] { 1.0, 0.0 }, 500, gtol: 1e-9);
        var tmp = new ScalingBinning(k, res.X[0], res.X[1], Array.Empty<double>(), Array.Empty<double>(), null);
        var g2 = f2.Select(i => tmp.G(conf[i])).ToArray();
        var edges = BinEdges.Inner(g2, bins, Binning.EqualMass);
        var sum = new double[bins]; var cnt = new int[bins];
        foreach (var v in g2) { int bi = BinEdges.Index(v, edges); sum[bi] += v; cnt[bi]++; }
        var values = new double[bins];
        for (int bi = 0; bi < bins; bi++) values[bi] = cnt[bi] > 0 ? sum[bi] / cnt[bi] : ((bi == 0 ? 0 : edges[bi - 1]) + (bi == bins - 1 ? 1 : edges[bi])) / 2;
        var cal = new ScalingBinning(k, res.X[0], res.X[1], edges, values, null);
        var after = cal.Transform(logits, k);
        var report = new FitReport("scaling-binning", res.Converged, res.Iterations, CalMath.Nll(logits, k, labels), CalMath.Nll(after, k, labels),
            CalMath.MaxProbabilityChange(logits, after, k) < 1e-12, $"Platt on {f1.Length} rows ({res.Reason}), {bins} equal-mass bins on {f2.Length} rows")
            { Details = new() { ["a"] = res.X[0], ["b"] = res.X[1] } };
        return new ScalingBinning(k, res.X[0], res.X[1], edges, values, report);
    }

    static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

    /// <inheritdoc />
    public double[] Transform(ReadOnlySpan<double> logits, int k) => CalMath.LogProbs(TransformProbabilities(logits, k));

    /// <summary>The calibrated probabilities themselves (equal bin values stay exactly equal, so sort-based estimators break their ties by index).</summary>
    public double[] TransformProbabilities(ReadOnlySpan<double> logits, int k)
    {
        if (k != K) throw new LsLabException($"calibrator 'scaling-binning' was fitted on {K} classes, the logits have {k}.");
        var p = CalMath.SoftmaxRows(logits, k);
        for (int i = 0; i < p.Length / k; i++)
        {
            var row = p.AsSpan(i * k, k);
            int a = Metrics.ArgMax(row);
            HistogramBinning.SetTop(row, a, Values[BinEdges.Index(G(row[a]), Edges)]);
        }
        return p;
    }

    /// <inheritdoc />
    public string Describe() => $"scaling-binning (top-label; Platt a = {A:F3}, b = {B:F3}; {Values.Length} equal-mass bins)";

    /// <inheritdoc />
    public CalibratorState State() => new("scaling-binning", new() { ["platt"] = new[] { A, B }, ["edges"] = Edges, ["values"] = Values },
        new() { ["k"] = K.ToString(), ["bins"] = Values.Length.ToString() });

    /// <summary>Rebuilds a fitted calibrator from a saved file's state.</summary>
    public static ScalingBinning FromState(CalibratorState s)
    {
        int k = CalibratorFile.IntSetting(s, "k", 2), bins = CalibratorFile.IntSetting(s, "bins", 1);
        var ab = s.Get("platt", 2);
        return new ScalingBinning(k, ab[0], ab[1], s.Get("edges", bins - 1), s.Get("values", bins), null);
    }
}
