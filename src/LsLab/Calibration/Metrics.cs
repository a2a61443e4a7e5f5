namespace LsLab.Calibration;

/// <summary>How confidences are grouped: equal-width intervals ((m−1)/M, m/M], or equal-mass (quantile) bins.</summary>
public enum Binning
{
    /// <summary>Bins of equal width in confidence, (m−1)/M &lt; c ≤ m/M.</summary>
    EqualWidth,
    /// <summary>Bins holding equal numbers of predictions (adaptive ECE).</summary>
    EqualMass,
}

/// <summary>The norm applied to per-bin gaps: L1 (ECE), L2 (RMS calibration error), Max (MCE).</summary>
public enum GapNorm
{
    /// <summary>Count-weighted mean of |accuracy − confidence| (ECE).</summary>
    L1,
    /// <summary>Square root of the count-weighted mean squared gap (RMSCE).</summary>
    L2,
    /// <summary>Largest gap over the bins (MCE).</summary>
    Max,
}

/// <summary>Settings of a calibration-error estimator; printed next to every number because libraries disagree on defaults.</summary>
public sealed record CalibrationSettings(int Bins = 15, Binning Binning = Binning.EqualWidth, GapNorm Norm = GapNorm.L1, bool ClassWise = false)
{
    /// <summary>The settings alone, e.g. "15 bins, equal-width, top-label, L1" (<see cref="Name"/> adds the estimator).</summary>
    public override string ToString() =>
        $"{Bins} bins, {(Binning == Binning.EqualWidth ? "equal-width" : "equal-mass")}, {(ClassWise ? "class-wise" : "top-label")}, {Norm}";

    /// <summary>The name of the estimator with its settings, e.g. "ECE[15 bins, equal-width, top-label, L1]".</summary>
    public string Name => $"{(Norm == GapNorm.Max ? "MCE" : Norm == GapNorm.L2 ? "RMSCE" : ClassWise ? "CWCE" : "ECE")}[{this}]";
}

/// <summary>One bin of a reliability diagram.</summary>
public sealed record ReliabilityBin(double Lower, double Upper, double MeanConfidence, double Accuracy, int Count);

/// <summary>A metric value with the settings that produced it.</summary>
public sealed record MetricValue(string Name, double Value)
{
    /// <summary>The name with its value, e.g. "ECE[15 bins, equal-width, top-label, L1] = 0.0123".</summary>
    public override string ToString() => $"{Name} = {Value:F4}";
}

/// <summary>
/// Calibration and accuracy metrics as plain functions of <see cref="Predictions"/>.
/// ECE follows Guo et al. (2017): Σ_m |B_m|/n · |acc(B_m) − conf(B_m)| with confidence = max
/// probability and bins (m−1)/M &lt; p ≤ m/M (a confidence of exactly 0 goes in the first bin).
/// </summary>
public static class Metrics
{
    /// <summary>Fraction of rows whose most probable class is the label.</summary>
    public static double Accuracy(Predictions p)
    {
        int correct = 0;
        for (int i = 0; i < p.N; i++) if (ArgMax(p.Row(i)) == p.Labels[i]) correct++;
        return (double)correct / p.N;
    }

    /// <summary>Mean negative log-likelihood of the true class (natural log; probabilities floored at 1e-300).</summary>
    public static double Nll(Predictions p)
    {
        double s = 0;
        for (int i = 0; i < p.N; i++) s -= Math.Log(Math.Max(p.Probs[i * p.K + p.Labels[i]], 1e-300));
        return s / p.N;
    }

    /// <summary>Multiclass Brier score: mean over examples of Σ_k (p_k − y_k)² (range 0..2).</summary>
    public static double Brier(Predictions p)
    {
        double s = 0;
        for (int i = 0; i < p.N; i++)
        {
            var row = p.Row(i);
            for (int k = 0; k < p.K; k++) { double d = row[k] - (k == p.Labels[i] ? 1 : 0); s += d * d; }
        }
        return s / p.N;
    }

    internal static int ArgMax(ReadOnlySpan<double> row)
    {
        int best = 0;
        for (int k = 1; k < row.Length; k++) if (row[k] > row[best]) best = k;
        return best;
    }

    /// <summary>Index of the equal-width bin for confidence c in [0,1]: bins (m−1)/M &lt; c ≤ m/M, 0 in the first.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static int EqualWidthBin(double c, int bins)
    {
        int b = Math.Clamp((int)Math.Ceiling(c * bins) - 1, 0, bins - 1);
        // c · bins rounds: compare with the edges m/M themselves, so a confidence equal to an edge (0.2 of 15 bins) is in the bin the edge closes.
        if (b > 0 && c <= (double)b / bins) b--;
        else if (b < bins - 1 && c > (double)(b + 1) / bins) b++;
        return b;
    }

    /// <summary>Top-label reliability bins (confidence = max probability, correct = argmax is the label).</summary>
    public static List<ReliabilityBin> Reliability(Predictions p, int bins = 15, Binning binning = Binning.EqualWidth)
    {
        var conf = new double[p.N];
        var correct = new bool[p.N];
        for (int i = 0; i < p.N; i++)
        {
            var row = p.Row(i);
            int a = ArgMax(row);
            conf[i] = row[a];
            correct[i] = a == p.Labels[i];
        }
        return Bin(conf, correct, bins, binning);
    }

    static List<ReliabilityBin> Bin(double[] conf, bool[] correct, int bins, Binning binning)
    {
        if (bins < 1) throw new LsLabException($"bins must be ≥ 1, got {bins}.");
        var result = new List<ReliabilityBin>();
        if (binning == Binning.EqualWidth)
        {
            var sumC = new double[bins];
            var sumA = new double[bins];
            var count = new int[bins];
            for (int i = 0; i < conf.Length; i++)
            {
                int b = EqualWidthBin(conf[i], bins);
                sumC[b] += conf[i]; sumA[b] += correct[i] ? 1 : 0; count[b]++;
            }
            for (int b = 0; b < bins; b++)
                result.Add(new ReliabilityBin((double)b / bins, (double)(b + 1) / bins,
                    count[b] > 0 ? sumC[b] / count[b] : double.NaN, count[b] > 0 ? sumA[b] / count[b] : double.NaN, count[b]));
        }
        else
        {
            // Equal mass: sort by confidence and cut into `bins` groups whose sizes differ by at most one.
            var order = Enumerable.Range(0, conf.Length).OrderBy(i => conf[i]).ToArray();
            int n = order.Length;
            for (int b = 0; b < bins; b++)
            {
                int lo = (int)((long)b * n / bins), hi = (int)((long)(b + 1) * n / bins);
                if (hi <= lo) { result.Add(new ReliabilityBin(double.NaN, double.NaN, double.NaN, double.NaN, 0)); continue; }
                double sc = 0, sa = 0;
                for (int j = lo; j < hi; j++) { sc += conf[order[j]]; sa += correct[order[j]] ? 1 : 0; }
                result.Add(new ReliabilityBin(conf[order[lo]], conf[order[hi - 1]], sc / (hi - lo), sa / (hi - lo), hi - lo));
            }
        }
        return result;
    }

    /// <summary>Combines bin gaps by the norm: Σ w|gap| (L1), sqrt(Σ w gap²) (L2), max |gap| over non-empty bins (Max).</summary>
    static double Combine(IEnumerable<ReliabilityBin> bins, int n, GapNorm norm)
    {
        double acc = 0;
        foreach (var b in bins.Where(b => b.Count > 0))
        {
            double gap = Math.Abs(b.Accuracy - b.MeanConfidence);
            double w = (double)b.Count / n;
            acc = norm switch { GapNorm.L1 => acc + w * gap, GapNorm.L2 => acc + w * gap * gap, _ => Math.Max(acc, gap) };
        }
        return norm == GapNorm.L2 ? Math.Sqrt(acc) : acc;
    }

    /// <summary>Calibration error with explicit settings (top-label or class-wise; any binning and norm).</summary>
    public static MetricValue CalibrationError(Predictions p, CalibrationSettings s)
    {
        if (!s.ClassWise) return new MetricValue(s.Name, Combine(Reliability(p, s.Bins, s.Binning), p.N, s.Norm));
        // Class-wise: for each class k, bin p_k over all examples against the indicator y == k; average over classes.
        double total = 0;
        for (int k = 0; k < p.K; k++)
        {
            var conf = new double[p.N];
            var hit = new bool[p.N];
            for (int i = 0; i < p.N; i++) { conf[i] = p.Probs[i * p.K + k]; hit[i] = p.Labels[i] == k; }
            total += Combine(Bin(conf, hit, s.Bins, s.Binning), p.N, s.Norm);
        }
        return new MetricValue(s.Name, total / p.K);
    }

    /// <summary>The paper's metric: ECE with 15 equal-width bins, top-label, L1.</summary>
    public static double Ece(Predictions p, int bins = 15) => CalibrationError(p, new CalibrationSettings(bins)).Value;

    /// <summary>Percentile bootstrap confidence interval of any metric (seeded).</summary>
    public static (double Lower, double Upper) Bootstrap(Predictions p, Func<Predictions, double> metric, int resamples = 200, double level = 0.95, int seed = 0)
    {
        if (resamples < 2) throw new LsLabException($"bootstrap resamples must be ≥ 2, got {resamples}.");
        var rng = new Random(seed);
        var values = new double[resamples];
        var idx = new int[p.N];
        for (int r = 0; r < resamples; r++)
        {
            for (int i = 0; i < p.N; i++) idx[i] = rng.Next(p.N);
            values[r] = metric(p.Take(idx));
        }
        Array.Sort(values);
        double a = (1 - level) / 2;
        return (Quantile(values, a), Quantile(values, 1 - a));
    }

    static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
