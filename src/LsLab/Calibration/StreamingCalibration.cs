namespace LsLab.Calibration;

/// <summary>
/// Accumulates top-label equal-width reliability bins, accuracy, NLL and Brier over batches of
/// logits, so memory is bounded by the batch, not by the number of predictions. Batches are split
/// over the cores; results equal <see cref="Metrics"/> on the concatenated data (up to summation order).
/// </summary>
public sealed class StreamingCalibration
{
    readonly int bins;
    readonly double[] sumConf, sumCorrect;
    readonly long[] count;
    double nll, brier;
    long n, correct;
    readonly object gate = new();

    public StreamingCalibration(int numClasses, int bins = 15)
    {
        if (numClasses < 2) throw new LsLabException($"need at least 2 classes, got {numClasses}.");
        K = numClasses;
        this.bins = bins;
        sumConf = new double[bins]; sumCorrect = new double[bins]; count = new long[bins];
    }

    public int K { get; }
    public long Count => n;

    /// <summary>Adds a batch of logits [B,K] (row-major float32) and labels [B].</summary>
    public void Add(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels)
    {
        if (logits.Length != labels.Length * K) throw new LsLabException($"logits: {logits.Length} values do not match {labels.Length} labels × {K} classes.");
        var z = logits.ToArray();
        var y = labels.ToArray();
        int parts = Math.Max(1, Math.Min(Environment.ProcessorCount, y.Length / 4096));
        Parallel.For(0, parts, part =>
        {
            int lo = (int)((long)part * y.Length / parts), hi = (int)((long)(part + 1) * y.Length / parts);
            var lc = new double[bins]; var la = new double[bins]; var ln = new long[bins];
            double lnll = 0, lbrier = 0; long lcorrect = 0;
            for (int i = lo; i < hi; i++)
            {
                var row = z.AsSpan(i * K, K);
                int label = y[i];
                if ((uint)label >= (uint)K) throw new LsLabException($"labels: label {label} is out of range 0..{K - 1}.");
                float max = float.NegativeInfinity; int arg = 0;
                for (int k = 0; k < K; k++) if (row[k] > max) { max = row[k]; arg = k; }
                if (!float.IsFinite(max)) throw new LsLabException("logits: NaN or infinite value.");
                double sum = 0, sumSq = 0;
                for (int k = 0; k < K; k++) { double e = Math.Exp(row[k] - max); sum += e; sumSq += e * e; }
                double pTrue = Math.Exp(row[label] - max) / sum;
                double conf = 1.0 / sum; // max probability: exp(0)/sum
                lnll += Math.Log(sum) - (row[label] - max);
                lbrier += sumSq / (sum * sum) - 2 * pTrue + 1;
                bool ok = arg == label;
                if (ok) lcorrect++;
                int b = Metrics.EqualWidthBin(conf, bins);
                lc[b] += conf; la[b] += ok ? 1 : 0; ln[b]++;
            }
            lock (gate)
            {
                for (int b = 0; b < bins; b++) { sumConf[b] += lc[b]; sumCorrect[b] += la[b]; count[b] += ln[b]; }
                nll += lnll; brier += lbrier; correct += lcorrect;
            }
        });
        n += y.Length;
    }

    public List<ReliabilityBin> Reliability() => Enumerable.Range(0, bins).Select(b => new ReliabilityBin((double)b / bins, (double)(b + 1) / bins,
        count[b] > 0 ? sumConf[b] / count[b] : double.NaN, count[b] > 0 ? sumCorrect[b] / count[b] : double.NaN, (int)Math.Min(int.MaxValue, count[b]))).ToList();

    public double Ece() => Enumerable.Range(0, bins).Where(b => count[b] > 0).Sum(b => Math.Abs(sumCorrect[b] / count[b] - sumConf[b] / count[b]) * count[b] / n);
    public double Accuracy() => (double)correct / n;
    public double Nll() => nll / n;
    public double Brier() => brier / n;
}
