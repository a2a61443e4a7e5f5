namespace LsLab.Calibration;

/// <summary>Where a score on a bin edge goes; libraries disagree (see docs/calibration.md).</summary>
public enum BinConvention
{
    /// <summary>(lo, hi], 0 in the first bin (Guo et al., gpleiss, scikit-learn's calibration_curve, LsLab).</summary>
    LowerOpen,
    /// <summary>[lo, hi), the last bin closed [lo, 1] (numpy.histogram, scipy binned_statistic: netcal).</summary>
    UpperOpen,
    /// <summary>[lo, hi) with 1.0 counted in an extra (B+1)-th bin of its own (torchmetrics' bucketize(right=True), issue #3510).</summary>
    UpperOpenPhantomBin,
}

/// <summary>Which probability is scored against which event.</summary>
public enum CalibrationMode
{
    /// <summary>max probability vs "argmax is right".</summary>
    TopLabel,
    /// <summary>every p_k vs "label is k", averaged over classes (Kull et al.'s class-wise ECE; Kumar's "marginal").</summary>
    ClassWise,
    /// <summary>Binary problems: p₁ vs "label is 1" (torchmetrics' and netcal's binary input, scikit-learn's calibration_curve).</summary>
    PositiveClass,
}

/// <summary>A smooth ECE value with its bandwidth.</summary>
public sealed record SmoothEceResult(double Value, double Bandwidth, double[] Grid, double[] SmoothedAccuracy, double[] Density);

/// <summary>The risk–coverage curve of selective classification (abstain on the least confident).</summary>
public sealed record RiskCoverage(double[] Coverage, double[] Risk, double Aurc);

/// <summary>
/// Calibration estimators beyond binned ECE: smooth ECE (Błasiok &amp; Nakkiran 2023), the debiased L2
/// calibration error (Kumar et al. 2019), the KS calibration error (Gupta et al. 2021), binned errors
/// under each library's bin convention, and selective-classification risk (AURC, risk at coverage).
/// All take per-example scores f ∈ [0,1] and events y ∈ {0,1}; <see cref="Scores"/> builds them from predictions.
/// </summary>
public static class Estimators
{
    /// <summary>Per-example (score, event) pairs of a mode: one pair per example (top-label, positive class) or K per example (class-wise, class-major).</summary>
    public static (double[] F, double[] Y) Scores(Predictions p, CalibrationMode mode)
    {
        switch (mode)
        {
            case CalibrationMode.TopLabel: return HistogramBinning.TopLabel(p);
            case CalibrationMode.PositiveClass:
                if (p.K != 2) throw new LsLabException($"positive-class mode needs K = 2 classes, got {p.K}.");
                return HistogramBinning.OneVsRest(p, 1);
            default:
                var f = new double[(long)p.N * p.K]; var y = new double[f.Length];
                for (int c = 0; c < p.K; c++) { var (s, h) = HistogramBinning.OneVsRest(p, c); s.CopyTo(f, (long)c * p.N); h.CopyTo(y, (long)c * p.N); }
                return (f, y);
        }
    }

    /// <summary>
    /// Stable ascending order of scores (ties by index; −0 equals +0; NaN first, as Array.Sort puts it): an LSD radix sort
    /// of the scores' order-preserving 64-bit keys, 11 bits per pass, skipping the passes whose digit every key shares
    /// (a confidence's sign and high exponent bits). Linear in N: the sort-based estimators ran 2.4–3× faster at 10⁷ scores than with Array.Sort (docs/calibration-benchmark.md).
    /// </summary>
    public static int[] Order(ReadOnlySpan<double> f)
    {
        const int Bits = 11, Radix = 1 << Bits, Passes = (64 + Bits - 1) / Bits;
        int n = f.Length;
        var keys = new ulong[n];
        var idx = new int[n];
        var counts = new int[Passes * Radix];
        for (int i = 0; i < n; i++)
        {
            double v = f[i];
            ulong b = (ulong)BitConverter.DoubleToInt64Bits(v == 0 ? 0.0 : v);
            ulong key = double.IsNaN(v) ? 0 : (b & 0x8000_0000_0000_0000UL) != 0 ? ~b : b | 0x8000_0000_0000_0000UL;
            keys[i] = key; idx[i] = i;
            for (int p = 0; p < Passes; p++) counts[p * Radix + (int)((key >> (p * Bits)) & (Radix - 1))]++;
        }
        var keys2 = new ulong[n];
        var idx2 = new int[n];
        for (int p = 0; p < Passes; p++)
        {
            var count = counts.AsSpan(p * Radix, Radix);
            int shift = p * Bits;
            if (n == 0 || count[(int)((keys[0] >> shift) & (Radix - 1))] == n) continue;  // every key has this digit
            for (int d = 0, sum = 0; d < Radix; d++) { int c = count[d]; count[d] = sum; sum += c; }
            for (int i = 0; i < n; i++)
            {
                ulong key = keys[i];
                int at = count[(int)((key >> shift) & (Radix - 1))]++;
                keys2[at] = key; idx2[at] = idx[i];
            }
            (keys, keys2) = (keys2, keys);
            (idx, idx2) = (idx2, idx);
        }
        return idx;
    }

    /// <summary>Equal-mass binned L1 error: sorted scores cut into B groups (ranks [⌊bn/B⌋, ⌊(b+1)n/B⌋)), Σ_b (n_b/n)|ȳ_b − f̄_b|.</summary>
    public static double EqualMass(ReadOnlySpan<double> f, ReadOnlySpan<double> y, int bins, int[]? order = null)
    {
        order ??= Order(f);
        int n = f.Length;
        double total = 0;
        for (int b = 0; b < bins; b++)
        {
            int lo = (int)((long)b * n / bins), hi = (int)((long)(b + 1) * n / bins);
            if (hi <= lo) continue;
            double sf = 0, sy = 0;
            for (int j = lo; j < hi; j++) { sf += f[order[j]]; sy += y[order[j]]; }
            total += Math.Abs(sy - sf) / n;
        }
        return total;
    }

    // ---------------- binned ----------------

    /// <summary>
    /// Edges 0 = e₀ &lt; … &lt; e_B = 1 of B equal-width bins: m/B (LsLab), or as numpy.linspace(0, 1, B + 1) computes them
    /// (m · (1/B), the last set to 1), which the numpy-based libraries use; they differ in the last bit for some m (0.3 vs 0.30000000000000004).
    /// </summary>
    public static double[] Edges(int bins, bool numpyLinspace = false)
    {
        var e = new double[bins + 1];
        double step = 1.0 / bins;
        for (int m = 0; m <= bins; m++) e[m] = numpyLinspace ? m * step : (double)m / bins;
        e[bins] = 1;
        return e;
    }

    /// <summary>Bin of a score under a convention (B bins; the phantom convention returns B for a score of 1).</summary>
    public static int Bin(double c, double[] edges, BinConvention conv)
    {
        int bins = edges.Length - 1;
        // Count the inner edges e_1..e_{B−1} below c (strictly for (lo, hi], or at most c for [lo, hi)).
        int lo = 1, hi = bins; // search in [1, bins)
        bool strict = conv == BinConvention.LowerOpen;
        while (lo < hi) { int m = (lo + hi) >> 1; if (strict ? edges[m] < c : edges[m] <= c) lo = m + 1; else hi = m; }
        int b = lo - 1;
        if (conv == BinConvention.UpperOpenPhantomBin && c >= edges[bins]) b = bins;
        return b;
    }

    /// <summary>Bin of a score with LsLab's edges m/B.</summary>
    public static int Bin(double c, int bins, BinConvention conv) => Bin(c, Edges(bins), conv);

    /// <summary>
    /// Binned calibration error Σ_b w_b |acc_b − conf_b| (L1), sqrt(Σ w_b gap²) (L2) or max gap (Max) over
    /// equal-width bins under a convention; <paramref name="equalBinWeight"/> gives every non-empty bin the
    /// same weight (netcal's "ACE", average calibration error); <paramref name="numpyEdges"/> uses numpy.linspace's edges.
    /// </summary>
    public static double Binned(ReadOnlySpan<double> f, ReadOnlySpan<double> y, int bins, BinConvention conv = BinConvention.LowerOpen, GapNorm norm = GapNorm.L1,
        bool equalBinWeight = false, bool numpyEdges = false)
    {
        var edges = Edges(bins, numpyEdges);
        int nb = conv == BinConvention.UpperOpenPhantomBin ? bins + 1 : bins;
        var sf = new double[nb]; var sy = new double[nb]; var n = new long[nb];
        for (int i = 0; i < f.Length; i++) { int b = Bin(f[i], edges, conv); sf[b] += f[i]; sy[b] += y[i]; n[b]++; }
        int nonEmpty = n.Count(c => c > 0);
        double acc = 0;
        for (int b = 0; b < nb; b++)
        {
            if (n[b] == 0) continue;
            double gap = Math.Abs(sy[b] / n[b] - sf[b] / n[b]);
            double w = equalBinWeight ? 1.0 / nonEmpty : (double)n[b] / f.Length;
            acc = norm switch { GapNorm.L1 => acc + w * gap, GapNorm.L2 => acc + w * gap * gap, _ => Math.Max(acc, gap) };
        }
        return norm == GapNorm.L2 ? Math.Sqrt(acc) : acc;
    }

    // ---------------- debiased L2 (Kumar et al. 2019) ----------------

    /// <summary>
    /// Debiased squared L2 calibration error of one (score, event) set over B equal-mass bins (sorted
    /// scores cut into B groups, group b = ranks [⌊bn/B⌋, ⌊(b+1)n/B⌋)): Σ_b (n_b/n)[(ȳ_b − f̄_b)² − ȳ_b(1 − ȳ_b)/(n_b − 1)]
    /// (the plug-in estimate minus its expected bias). Can be negative; bins with one example get no correction.
    /// </summary>
    public static double DebiasedSquared(ReadOnlySpan<double> f, ReadOnlySpan<double> y, int bins = 15, int[]? order = null)
    {
        order ??= Order(f);
        int n = f.Length;
        double total = 0;
        for (int b = 0; b < bins; b++)
        {
            int lo = (int)((long)b * n / bins), hi = (int)((long)(b + 1) * n / bins);
            int m = hi - lo;
            if (m == 0) continue;
            double sf = 0, sy = 0;
            for (int j = lo; j < hi; j++) { sf += f[order[j]]; sy += y[order[j]]; }
            double mf = sf / m, my = sy / m;
            double term = (my - mf) * (my - mf) - (m > 1 ? my * (1 - my) / (m - 1) : 0);
            total += (double)m / n * term;
        }
        return total;
    }

    /// <summary>
    /// Debiased L2 calibration error (Kumar et al. 2019): top-label, or marginal (class-wise: the debiased
    /// squared errors averaged over classes), then sqrt(max(·, 0)).
    /// </summary>
    public static double DebiasedL2(Predictions p, CalibrationMode mode = CalibrationMode.TopLabel, int bins = 15)
    {
        if (mode != CalibrationMode.ClassWise)
        {
            var (f, y) = Scores(p, mode);
            return Math.Sqrt(Math.Max(0, DebiasedSquared(f, y, bins)));
        }
        double s = 0;
        for (int c = 0; c < p.K; c++) { var (f, y) = HistogramBinning.OneVsRest(p, c); s += DebiasedSquared(f, y, bins); }
        return Math.Sqrt(Math.Max(0, s / p.K));
    }

    // ---------------- KS (Gupta et al. 2021) ----------------

    /// <summary>
    /// KS calibration error of one (score, event) set: sort by score; the largest |Σ_{j≤i}(y_j − f_j)|/n over
    /// prefixes ending where the score changes (ties are not split).
    /// </summary>
    public static double KsOf(ReadOnlySpan<double> f, ReadOnlySpan<double> y, int[]? order = null)
    {
        order ??= Order(f);
        double s = 0, best = 0;
        int n = f.Length;
        for (int j = 0; j < n; j++)
        {
            s += y[order[j]] - f[order[j]];
            if (j == n - 1 || f[order[j + 1]] != f[order[j]]) best = Math.Max(best, Math.Abs(s));
        }
        return best / n;
    }

    /// <summary>KS calibration error: top-label, positive class, or class-wise (averaged over classes).</summary>
    public static double Ks(Predictions p, CalibrationMode mode = CalibrationMode.TopLabel)
    {
        if (mode != CalibrationMode.ClassWise) { var (f, y) = Scores(p, mode); return KsOf(f, y); }
        double s = 0;
        for (int c = 0; c < p.K; c++) { var (f, y) = HistogramBinning.OneVsRest(p, c); s += KsOf(f, y); }
        return s / p.K;
    }

    // ---------------- smooth ECE (Błasiok & Nakkiran 2023) ----------------

    /// <summary>Grid intervals of the smooth-ECE integral (scores are split linearly between the two nearest grid points).</summary>
    public const int SmoothGrid = 1000;

    /// <summary>
    /// Smooth ECE with the automatic bandwidth: smECE_σ = ∫₀¹ |(1/n) Σ_i K_σ(t, f_i)(y_i − f_i)| dt with the
    /// Gaussian kernel reflected at 0 and 1, and σ* the fixed point smECE_σ* = σ* (found by bisection;
    /// smECE_σ decreases in σ). The scores are put on a grid of <see cref="SmoothGrid"/> intervals
    /// (linear splitting) and the integral is the trapezoid rule on that grid.
    /// </summary>
    public static SmoothEceResult SmoothEce(ReadOnlySpan<double> f, ReadOnlySpan<double> y, double? bandwidth = null)
    {
        int g = SmoothGrid;
        var r = new double[g + 1]; var mass = new double[g + 1];
        for (int i = 0; i < f.Length; i++)
        {
            double x = Math.Clamp(f[i], 0, 1) * g;
            int lo = Math.Min((int)Math.Floor(x), g - 1);
            double t = x - lo, res = y[i] - f[i];
            r[lo] += (1 - t) * res; r[lo + 1] += t * res;
            mass[lo] += 1 - t; mass[lo + 1] += t;
        }
        int n = f.Length;
        double At(double sigma) => Integral(Smooth(r, sigma), n);
        double sig;
        if (bandwidth is double bw) sig = bw;
        else
        {
            double lo = 1e-6, hi = 1.0;
            if (At(lo) - lo <= 0) sig = lo;
            else if (At(hi) - hi >= 0) sig = hi;
            else
            {
                for (int it = 0; it < 50 && hi - lo > 1e-10; it++)
                {
                    double mid = 0.5 * (lo + hi);
                    if (At(mid) - mid > 0) lo = mid; else hi = mid;
                }
                sig = 0.5 * (lo + hi);
            }
        }
        var rs = Smooth(r, sig);
        var dens = Smooth(mass, sig);
        var grid = Enumerable.Range(0, g + 1).Select(j => (double)j / g).ToArray();
        var accCurve = new double[g + 1];
        for (int j = 0; j <= g; j++) accCurve[j] = dens[j] > 1e-12 ? grid[j] + rs[j] / dens[j] : double.NaN;
        return new SmoothEceResult(Integral(rs, n), sig, grid, accCurve, dens.Select(v => v / n).ToArray());
    }

    /// <summary>Smooth ECE of predictions in a mode (top-label by default, as relplot).</summary>
    public static SmoothEceResult SmoothEce(Predictions p, CalibrationMode mode = CalibrationMode.TopLabel)
    {
        var (f, y) = Scores(p, mode);
        return SmoothEce(f, y);
    }

    static double Integral(double[] v, int n)
    {
        int g = v.Length - 1;
        double s = 0.5 * (Math.Abs(v[0]) + Math.Abs(v[g]));
        for (int j = 1; j < g; j++) s += Math.Abs(v[j]);
        return s / g / n;
    }

    /// <summary>(K_σ * v)(t_j) = Σ_m v_m K_σ(t_j, t_m) with the reflected Gaussian density kernel on the grid t = j/g.</summary>
    static double[] Smooth(double[] v, double sigma)
    {
        int g = v.Length - 1;
        double h = 1.0 / g;
        // φ_σ at every grid offset d·h, d ∈ [−3g, 3g]: the reflections t + s and 2 − t − s need offsets up to 2g, the periodic copies 3g.
        int span = 3 * g;
        var phi = new double[2 * span + 1];
        double norm = 1 / (sigma * Math.Sqrt(2 * Math.PI));
        for (int d = -span; d <= span; d++) { double x = d * h / sigma; phi[d + span] = x * x > 1400 ? 0 : norm * Math.Exp(-0.5 * x * x); }
        double Phi(int d) => d < -span || d > span ? 0 : phi[d + span];
        // Periodic sum P(d) = Σ_k φ((d + 2gk)h), k ∈ {−1, 0, 1}; then K(t_j, t_m) = P(j − m) + P(j + m)
        // (the image of s = m h reflected at 0 is −s; the images under reflection at 1 are 2 − s and 2 + s, ...).
        var per = new double[4 * g + 1]; // d ∈ [−2g, 2g]
        for (int d = -2 * g; d <= 2 * g; d++) per[d + 2 * g] = Phi(d) + Phi(d - 2 * g) + Phi(d + 2 * g);
        var o = new double[g + 1];
        for (int m = 0; m <= g; m++)
        {
            double vm = v[m];
            if (vm == 0) continue;
            int a = 2 * g - m, b = 2 * g + m; // per[a + j] = P(j − m), per[b + j] = P(j + m)
            for (int j = 0; j <= g; j++) o[j] += vm * (per[a + j] + per[b + j]);
        }
        return o;
    }

    // ---------------- selective classification ----------------

    /// <summary>
    /// Risk–coverage: sort by confidence, most confident first (ties by index); risk(i) = errors among the
    /// first i / i at coverage i/n; AURC = (1/n) Σ_i risk(i) (Geifman &amp; El-Yaniv 2017). The returned curve
    /// is thinned to at most <paramref name="points"/> points; AURC uses every example.
    /// </summary>
    public static RiskCoverage Selective(ReadOnlySpan<double> conf, ReadOnlySpan<double> correct, int points = 200, int[]? order = null)
    {
        int n = conf.Length;
        var idx = Descending(conf, order ?? Order(conf));
        double errors = 0, area = 0;
        var cov = new List<double>(); var risk = new List<double>();
        int step = Math.Max(1, n / points);
        for (int i = 0; i < n; i++)
        {
            errors += 1 - correct[idx[i]];
            double rsk = errors / (i + 1);
            area += rsk;
            if ((i + 1) % step == 0 || i == n - 1) { cov.Add((i + 1.0) / n); risk.Add(rsk); }
        }
        return new RiskCoverage(cov.ToArray(), risk.ToArray(), area / n);
    }

    /// <summary>Most confident first, ties by index (numpy's argsort(−conf, kind="stable")), from the stable ascending order.</summary>
    static int[] Descending(ReadOnlySpan<double> conf, int[] ascending)
    {
        int n = ascending.Length;
        var o = new int[n];
        int w = 0;
        for (int e = n; e > 0;)
        {
            int s = e - 1;
            while (s > 0 && conf[ascending[s - 1]] == conf[ascending[e - 1]]) s--;
            for (int j = s; j < e; j++) o[w++] = ascending[j];
            e = s;
        }
        return o;
    }

    /// <summary>Risk–coverage of predictions (top-label confidence, argmax correct).</summary>
    public static RiskCoverage Selective(Predictions p) { var (f, y) = HistogramBinning.TopLabel(p); return Selective(f, y); }

    /// <summary>Error rate among the ⌈c·n⌉ most confident predictions (c in (0, 1]).</summary>
    public static double RiskAtCoverage(ReadOnlySpan<double> conf, ReadOnlySpan<double> correct, double coverage)
    {
        if (!(coverage > 0 && coverage <= 1)) throw new LsLabException($"coverage must be in (0, 1], got {coverage}.");
        int n = conf.Length, m = Math.Max(1, (int)Math.Ceiling(coverage * n - 1e-9));
        var idx = Descending(conf, Order(conf));
        double errors = 0;
        for (int i = 0; i < m; i++) errors += 1 - correct[idx[i]];
        return errors / m;
    }
}
