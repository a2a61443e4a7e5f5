namespace LsLab.Calibration;

/// <summary>Per-bin interval of the observed accuracy (NaN for empty bins).</summary>
public sealed record BinBand(double[] Lower, double[] Upper, string Kind);

/// <summary>
/// Bands for reliability diagrams. Consistency band (Bröcker &amp; Smith 2007): where each bin's observed
/// accuracy would fall if the model were perfectly calibrated — resample every event as Bernoulli(its
/// own confidence) and take the per-bin quantiles (a normal approximation of the Poisson-binomial for
/// bins over 5000 examples). Bootstrap band (relplot's): quantiles of the bin accuracy over resamples of
/// the examples. Bins are equal-width (lo, hi] as in <see cref="Metrics.Reliability"/>.
/// </summary>
public static class ReliabilityBands
{
    /// <summary>Per-bin quantiles of the accuracy a perfectly calibrated model with these confidences would show.</summary>
    public static BinBand Consistency(ReadOnlySpan<double> conf, int bins = 15, double level = 0.9, int resamples = 1000, int seed = 0)
    {
        var members = Group(conf, bins);
        var lo = new double[bins]; var hi = new double[bins];
        double a = (1 - level) / 2, z = NormalQuantile(1 - a);
        var rng = new Random(seed);
        for (int b = 0; b < bins; b++)
        {
            var c = members[b];
            if (c.Count == 0) { lo[b] = hi[b] = double.NaN; continue; }
            if (c.Count > 5000)
            {
                double mean = c.Average(), v = c.Sum(x => x * (1 - x)) / ((double)c.Count * c.Count);
                lo[b] = Math.Max(0, mean - z * Math.Sqrt(v)); hi[b] = Math.Min(1, mean + z * Math.Sqrt(v));
                continue;
            }
            var sim = new double[resamples];
            for (int r = 0; r < resamples; r++)
            {
                int hits = 0;
                foreach (var x in c) if (rng.NextDouble() < x) hits++;
                sim[r] = (double)hits / c.Count;
            }
            Array.Sort(sim);
            lo[b] = BinEdges.Quantile(sim, a); hi[b] = BinEdges.Quantile(sim, 1 - a);
        }
        return new BinBand(lo, hi, $"{level:P0} consistency band (Bröcker & Smith 2007)");
    }

    /// <summary>Per-bin quantiles of the observed accuracy over bootstrap resamples of the examples.</summary>
    public static BinBand Bootstrap(ReadOnlySpan<double> conf, ReadOnlySpan<double> correct, int bins = 15, double level = 0.9, int resamples = 200, int seed = 0)
    {
        int n = conf.Length;
        var bin = new int[n];
        for (int i = 0; i < n; i++) bin[i] = Metrics.EqualWidthBin(conf[i], bins);
        var acc = new double[bins][];
        for (int b = 0; b < bins; b++) acc[b] = new double[resamples];
        var rng = new Random(seed);
        var s = new double[bins]; var c = new double[bins];
        for (int r = 0; r < resamples; r++)
        {
            Array.Clear(s); Array.Clear(c);
            for (int i = 0; i < n; i++) { int j = rng.Next(n); s[bin[j]] += correct[j]; c[bin[j]]++; }
            for (int b = 0; b < bins; b++) acc[b][r] = c[b] > 0 ? s[b] / c[b] : double.NaN;
        }
        double a = (1 - level) / 2;
        var lo = new double[bins]; var hi = new double[bins];
        for (int b = 0; b < bins; b++)
        {
            var v = acc[b].Where(x => !double.IsNaN(x)).OrderBy(x => x).ToArray();
            if (v.Length < 2) { lo[b] = hi[b] = double.NaN; continue; }
            lo[b] = BinEdges.Quantile(v, a); hi[b] = BinEdges.Quantile(v, 1 - a);
        }
        return new BinBand(lo, hi, $"{level:P0} bootstrap band ({resamples} resamples)");
    }

    static List<double>[] Group(ReadOnlySpan<double> conf, int bins)
    {
        var g = Enumerable.Range(0, bins).Select(_ => new List<double>()).ToArray();
        foreach (var c in conf) g[Metrics.EqualWidthBin(c, bins)].Add(c);
        return g;
    }

    /// <summary>Standard normal quantile (Acklam's rational approximation, relative error &lt; 1.2e-9).</summary>
    public static double NormalQuantile(double p)
    {
        double[] a = { -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00 };
        double[] b = { -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01 };
        double[] c = { -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00 };
        double[] d = { 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00 };
        double q, r;
        if (p < 0.02425) { q = Math.Sqrt(-2 * Math.Log(p)); return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1); }
        if (p > 1 - 0.02425) { q = Math.Sqrt(-2 * Math.Log(1 - p)); return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1); }
        q = p - 0.5; r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
}
