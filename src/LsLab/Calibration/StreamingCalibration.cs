using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace LsLab.Calibration;

/// <summary>
/// Accumulates top-label equal-width reliability bins, accuracy, NLL and Brier over batches of
/// logits, so memory is bounded by the batch, not by the number of predictions (e.g. during
/// evaluation of a large model, or over a logits file read in chunks). Each batch is split over
/// <see cref="Threads"/> cores and processed without copying it; max, softmax and the row sums
/// are vectorised. Results equal <see cref="Metrics"/> on the concatenated data up to float
/// rounding (float32 input: exp is computed in float32, sums in float64).
/// A batch with bad input (NaN/±inf, label out of range) throws and leaves the accumulator unchanged.
/// </summary>
public sealed class StreamingCalibration
{
    readonly int bins;
    readonly double[] sumConf, sumCorrect;
    readonly long[] count;
    double nll, brier;
    long n, correct;

    /// <param name="numClasses">K, the number of columns of every batch.</param>
    /// <param name="bins">Equal-width confidence bins, (m−1)/M &lt; c ≤ m/M.</param>
    /// <param name="threads">Cores to split each batch over (default: all).</param>
    public StreamingCalibration(int numClasses, int bins = 15, int threads = 0)
    {
        if (numClasses < 2) throw new LsLabException($"numClasses: need at least 2 classes, got {numClasses}.");
        if (bins < 1) throw new LsLabException($"bins must be ≥ 1, got {bins}.");
        K = numClasses;
        this.bins = bins;
        Threads = threads > 0 ? threads : Environment.ProcessorCount;
        sumConf = new double[bins]; sumCorrect = new double[bins]; count = new long[bins];
    }

    public int K { get; }
    public int Bins => bins;
    public int Threads { get; }
    public long Count => n;

    /// <summary>Adds a batch of logits [B,K] (row-major float32) and labels [B].</summary>
    public unsafe void Add(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels)
    {
        CheckLength(logits.Length, labels.Length);
        fixed (float* z = logits) fixed (int* y = labels) AddCore<float, int>((nint)z, (nint)y, labels.Length);
    }

    /// <summary>Adds a batch of logits [B,K] (row-major float64) and labels [B]; exp is computed in float64.</summary>
    public unsafe void Add(ReadOnlySpan<double> logits, ReadOnlySpan<int> labels)
    {
        CheckLength(logits.Length, labels.Length);
        fixed (double* z = logits) fixed (int* y = labels) AddCore<double, int>((nint)z, (nint)y, labels.Length);
    }

    /// <summary>Adds a batch of float32 logits with int64 labels (as numpy and PyTorch store them).</summary>
    public unsafe void Add(ReadOnlySpan<float> logits, ReadOnlySpan<long> labels)
    {
        CheckLength(logits.Length, labels.Length);
        fixed (float* z = logits) fixed (long* y = labels) AddCore<float, long>((nint)z, (nint)y, labels.Length);
    }

    /// <summary>Adds a batch of float64 logits with int64 labels.</summary>
    public unsafe void Add(ReadOnlySpan<double> logits, ReadOnlySpan<long> labels)
    {
        CheckLength(logits.Length, labels.Length);
        fixed (double* z = logits) fixed (long* y = labels) AddCore<double, long>((nint)z, (nint)y, labels.Length);
    }

    /// <summary>Adds a batch from tensors: logits [B,K] (any float dtype, any device) and integer labels [B].</summary>
    public void Add(Tensor logits, Tensor labels)
    {
        if (logits.dim() != 2 || logits.shape[1] != K)
            throw new LsLabException($"logits: shape [{string.Join(",", logits.shape)}], expected [B, {K}].");
        if (labels.dim() != 1 || labels.shape[0] != logits.shape[0])
            throw new LsLabException($"labels: shape [{string.Join(",", labels.shape)}], expected [{logits.shape[0]}] to match the logits (length mismatch).");
        using var scope = NewDisposeScope();
        var z = logits.dtype == ScalarType.Float64 ? logits.cpu().contiguous() : logits.to(ScalarType.Float32).cpu().contiguous();
        var y = labels.to(ScalarType.Int64).cpu().contiguous();
        var ys = TensorSpan<long>(y);
        if (z.dtype == ScalarType.Float64) Add(TensorSpan<double>(z), ys);
        else Add(TensorSpan<float>(z), ys);
    }

    static ReadOnlySpan<T> TensorSpan<T>(Tensor t) where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(t.bytes);

    void CheckLength(int values, int rows)
    {
        if (values != (long)rows * K)
            throw new LsLabException($"logits: {values} values do not match {rows} labels × {K} classes (length mismatch).");
    }

    /// <summary>Per-worker sums, merged into the accumulator only when the whole batch is valid.</summary>
    sealed class Partial(int bins)
    {
        public readonly double[] SumConf = new double[bins], SumCorrect = new double[bins];
        public readonly long[] Count = new long[bins];
        public double Nll, Brier;
        public long Correct;
        public long ErrorRow = long.MaxValue;
        public string? Error;
    }

    void AddCore<T, TL>(nint z, nint y, int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TL : unmanaged, IBinaryInteger<TL>
    {
        if (rows == 0) return;
        int parts = Math.Max(1, Math.Min(Threads, rows / 2048));
        var partials = new Partial[parts];
        if (parts == 1) partials[0] = Rows<T, TL>(z, y, 0, rows);
        else Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
            partials[part] = Rows<T, TL>(z, y, (int)((long)part * rows / parts), (int)((long)(part + 1) * rows / parts)));
        var bad = partials.Where(p => p.Error is not null).MinBy(p => p.ErrorRow);
        if (bad is not null) throw new LsLabException(bad.Error!);
        foreach (var p in partials)
        {
            for (int b = 0; b < bins; b++) { sumConf[b] += p.SumConf[b]; sumCorrect[b] += p.SumCorrect[b]; count[b] += p.Count[b]; }
            nll += p.Nll; brier += p.Brier; correct += p.Correct;
        }
        n += rows;
    }

    /// <summary>
    /// Rows [lo, hi): per row max/argmax and z − max into a scratch block, exp over the whole block
    /// (vectorised regardless of K), then per row Σe, Σe², e_label.
    /// </summary>
    unsafe Partial Rows<T, TL>(nint zp, nint yp, int lo, int hi)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TL : unmanaged, IBinaryInteger<TL>
    {
        var acc = new Partial(bins);
        int k = K, w = Vector256<T>.Count;
        int block = Math.Max(1, 4096 / k);
        var scratchArray = ArrayPool<T>.Shared.Rent(block * k + w);
        scratchArray.AsSpan().Clear();
        var maxArray = ArrayPool<T>.Shared.Rent(block);
        var argArray = ArrayPool<int>.Shared.Rent(block);
        try
        {
            fixed (T* scratch = scratchArray)
            {
                T* z = (T*)zp;
                TL* y = (TL*)yp;
                var tailMask = TailMask<T>(k);
                for (int r0 = lo; r0 < hi; r0 += block)
                {
                    int rows = Math.Min(block, hi - r0);
                    for (int i = 0; i < rows; i++)
                    {
                        T* row = z + (long)(r0 + i) * k;
                        var (max, arg) = MaxArg(row, k);
                        maxArray[i] = max; argArray[i] = arg;
                        SubtractInto(row, max, scratch + i * k, k);
                    }
                    ExpInPlace(scratch, rows * k);
                    for (int i = 0; i < rows; i++)
                    {
                        long r = r0 + i;
                        long label = long.CreateTruncating(y[r]);
                        if ((ulong)label >= (ulong)k)
                        {
                            Fail(acc, r, $"labels: label {label} at index {r} is out of range 0..{k - 1}.");
                            return acc;
                        }
                        T* e = scratch + i * k;
                        var (sum, sumSq) = Sums(e, k, tailMask);
                        if (!double.IsFinite(sum) || !T.IsFinite(maxArray[i]))
                        {
                            Fail(acc, r, $"logits: row {r} contains NaN or infinite values.");
                            return acc;
                        }
                        double eTrue = double.CreateTruncating(e[label]);
                        double conf = double.CreateTruncating(e[argArray[i]]) / sum;
                        double zTrue = double.CreateTruncating(z[r * k + label]) - double.CreateTruncating(maxArray[i]);
                        // Metrics.Nll floors probabilities at 1e-300, i.e. caps the term at −log(1e-300) ≈ 690.8.
                        acc.Nll += Math.Min(Math.Log(sum) - zTrue, 690.7755278982137);
                        acc.Brier += sumSq / (sum * sum) - 2 * eTrue / sum + 1;
                        bool ok = argArray[i] == label;
                        if (ok) acc.Correct++;
                        int b = Metrics.EqualWidthBin(conf, bins);
                        acc.SumConf[b] += conf; acc.SumCorrect[b] += ok ? 1 : 0; acc.Count[b]++;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(scratchArray);
            ArrayPool<T>.Shared.Return(maxArray);
            ArrayPool<int>.Shared.Return(argArray);
        }
        return acc;
    }

    static void Fail(Partial acc, long row, string message) { acc.ErrorRow = row; acc.Error = message; }

    /// <summary>Largest value and the first index holding it (NaN is skipped here and caught by the sum check).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe (T Max, int Arg) MaxArg<T>(T* row, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        if (k < 2 * w)
        {
            T max = row[0]; int arg = 0;
            for (int j = 1; j < k; j++) if (row[j] > max) { max = row[j]; arg = j; }
            return (max, arg);
        }
        var m = Vector256.Load(row);
        int i = w;
        for (; i <= k - w; i += w) m = Vector256.MaxNative(m, Vector256.Load(row + i));
        m = Vector256.MaxNative(m, Vector256.Load(row + k - w)); // overlapping tail: max is idempotent
        T best = m[0];
        for (int j = 1; j < w; j++) if (m[j] > best) best = m[j];
        var target = Vector256.Create(best);
        for (i = 0; i <= k - w; i += w)
        {
            uint bits = Vector256.Equals(Vector256.Load(row + i), target).ExtractMostSignificantBits();
            if (bits != 0) return (best, i + BitOperations.TrailingZeroCount(bits));
        }
        for (; i < k; i++) if (row[i] == best) return (best, i);
        return (best, 0); // only when the max came from a NaN-poisoned lane; the sum check rejects the row
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe void SubtractInto<T>(T* row, T max, T* dst, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        if (k < w) { for (int j = 0; j < k; j++) dst[j] = row[j] - max; return; }
        var m = Vector256.Create(max);
        int i = 0;
        for (; i <= k - w; i += w) Vector256.Store(Vector256.Load(row + i) - m, dst + i);
        if (i < k) Vector256.Store(Vector256.Load(row + k - w) - m, dst + k - w);
    }

    /// <summary>exp in place over n values (the buffer has room for one vector past n).</summary>
    static unsafe void ExpInPlace<T>(T* x, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        for (int i = 0; i < n; i += w)
        {
            if (typeof(T) == typeof(float)) Vector256.Store(Vector256.Exp(Vector256.Load((float*)x + i)), (float*)x + i);
            else Vector256.Store(Vector256.Exp(Vector256.Load((double*)x + i)), (double*)x + i);
        }
    }

    /// <summary>Lanes of the last (overlapping) vector of a row that were not covered by the full vectors before it.</summary>
    static Vector256<T> TailMask<T>(int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        if (k < w || k % w == 0) return Vector256<T>.Zero;
        int covered = k / w * w, start = k - w;
        var lanes = new T[w];
        for (int j = 0; j < w; j++) lanes[j] = start + j >= covered ? T.One : T.Zero;
        return Vector256.Create<T>(lanes);
    }

    /// <summary>Σe and Σe² of one row, accumulated in float64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe (double Sum, double SumSq) Sums<T>(T* e, int k, Vector256<T> tailMask) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        if (k < w)
        {
            double s = 0, q = 0;
            for (int j = 0; j < k; j++) { double v = double.CreateTruncating(e[j]); s += v; q += v * v; }
            return (s, q);
        }
        var vs = Vector256<double>.Zero;
        var vq = Vector256<double>.Zero;
        int i = 0;
        for (; i <= k - w; i += w) AddWidened(Vector256.Load(e + i), ref vs, ref vq);
        if (i < k) AddWidened(Vector256.Load(e + k - w) * tailMask, ref vs, ref vq);
        return (Vector256.Sum(vs), Vector256.Sum(vq));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void AddWidened<T>(Vector256<T> v, ref Vector256<double> s, ref Vector256<double> q) where T : unmanaged
    {
        if (typeof(T) == typeof(float))
        {
            var (a, b) = Vector256.Widen(v.As<T, float>());
            s += a + b;
            q += a * a + b * b;
        }
        else
        {
            var d = v.As<T, double>();
            s += d;
            q += d * d;
        }
    }

    /// <summary>Adds another accumulator's counts (e.g. one per worker or per file shard).</summary>
    public void Merge(StreamingCalibration other)
    {
        if (other.K != K || other.bins != bins) throw new LsLabException($"cannot merge accumulators with K={other.K}, {other.bins} bins into K={K}, {bins} bins.");
        for (int b = 0; b < bins; b++) { sumConf[b] += other.sumConf[b]; sumCorrect[b] += other.sumCorrect[b]; count[b] += other.count[b]; }
        nll += other.nll; brier += other.brier; correct += other.correct; n += other.n;
    }

    void RequireData()
    {
        if (n == 0) throw new LsLabException("no predictions added yet.");
    }

    /// <summary>Per-bin edges, mean confidence, accuracy and count (NaN for empty bins).</summary>
    public List<ReliabilityBin> Reliability() => Enumerable.Range(0, bins).Select(b => new ReliabilityBin((double)b / bins, (double)(b + 1) / bins,
        count[b] > 0 ? sumConf[b] / count[b] : double.NaN, count[b] > 0 ? sumCorrect[b] / count[b] : double.NaN, (int)Math.Min(int.MaxValue, count[b]))).ToList();

    /// <summary>Per-bin counts as 64-bit integers (the <see cref="ReliabilityBin.Count"/> of <see cref="Reliability"/> saturates at int.MaxValue).</summary>
    public long[] BinCounts() => (long[])count.Clone();

    double Gap(int b) => Math.Abs(sumCorrect[b] / count[b] - sumConf[b] / count[b]);
    IEnumerable<int> NonEmpty => Enumerable.Range(0, bins).Where(b => count[b] > 0);

    /// <summary>ECE[bins, equal-width, top-label, L1].</summary>
    public double Ece() { RequireData(); return NonEmpty.Sum(b => Gap(b) * count[b] / n); }

    /// <summary>MCE: the largest gap over non-empty bins.</summary>
    public double Mce() { RequireData(); return NonEmpty.Max(Gap); }

    /// <summary>RMS calibration error: sqrt(Σ w_b gap_b²).</summary>
    public double Rmsce() { RequireData(); return Math.Sqrt(NonEmpty.Sum(b => Gap(b) * Gap(b) * count[b] / n)); }

    public double Accuracy() { RequireData(); return (double)correct / n; }
    public double Nll() { RequireData(); return nll / n; }

    /// <summary>Multiclass Brier score: mean over examples of Σ_k (p_k − y_k)².</summary>
    public double Brier() { RequireData(); return brier / n; }

    /// <summary>Every metric with its settings, e.g. "ECE[15 bins, equal-width, top-label, L1] = 0.0123".</summary>
    public IReadOnlyList<MetricValue> Summary() => new[]
    {
        new MetricValue("accuracy", Accuracy()),
        new MetricValue("NLL", Nll()),
        new MetricValue("Brier[sum over classes, mean over examples]", Brier()),
        new MetricValue(new CalibrationSettings(bins).Name, Ece()),
        new MetricValue(new CalibrationSettings(bins, Norm: GapNorm.Max).Name, Mce()),
        new MetricValue(new CalibrationSettings(bins, Norm: GapNorm.L2).Name, Rmsce()),
    };
}
