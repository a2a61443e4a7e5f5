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

    /// <summary>Number of classes K of every batch.</summary>
    public int K { get; }
    /// <summary>Number of equal-width confidence bins.</summary>
    public int Bins => bins;
    /// <summary>Cores each batch is split over.</summary>
    public int Threads { get; }
    /// <summary>Predictions added so far.</summary>
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
    /// Rows [lo, hi). Narrow rows (K &lt; 64): per row max/argmax and z − max into a scratch block,
    /// exp over the whole block at once (vectorised whatever K is), then per row Σe, Σe².
    /// Wide rows: per row max/argmax, then one fused pass exp(z − max) → Σe, Σe² without storing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop called a few times per batch: skip the unoptimised tier
    unsafe Partial Rows<T, TL>(nint zp, nint yp, int lo, int hi)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TL : unmanaged, IBinaryInteger<TL>
    {
        var acc = new Partial(bins);
        int k = K, w = Vector256<T>.Count;
        bool wide = k >= 64;
        int block = wide ? 1 : Math.Max(1, 4096 / k);
        var scratchArray = ArrayPool<T>.Shared.Rent(wide ? 0 : block * k + w);
        scratchArray.AsSpan().Clear();
        var maxArray = ArrayPool<T>.Shared.Rent(block);
        var argArray = ArrayPool<int>.Shared.Rent(block);
        var tailMask = TailMask<T>(k);
        var sumConf = acc.SumConf;
        var sumCorrect = acc.SumCorrect;
        var count = acc.Count;
        var logSum = new LogProduct();
        double nllRest = 0, brierSum = 0;
        long correctCount = 0;
        try
        {
            fixed (T* scratch = scratchArray)
            {
                T* z = (T*)zp;
                TL* y = (TL*)yp;
                for (int r0 = lo; r0 < hi; r0 += block)
                {
                    int rows = Math.Min(block, hi - r0);
                    if (!wide)
                    {
                        for (int i = 0; i < rows; i++)
                        {
                            T* row = z + (long)(r0 + i) * k;
                            (maxArray[i], argArray[i]) = MaxArg(row, k);
                            SubtractInto(row, maxArray[i], scratch + i * k, k);
                        }
                        ExpInPlace(scratch, rows * k);
                    }
                    for (int i = 0; i < rows; i++)
                    {
                        long r = r0 + i;
                        T* row = z + r * k;
                        long label = long.CreateTruncating(y[r]);
                        if ((ulong)label >= (ulong)k)
                        {
                            Fail(acc, r, $"labels: label {label} at index {r} is out of range 0..{k - 1}.");
                            return acc;
                        }
                        double sum, sumSq, eTrue, eArg;
                        var (max, arg) = wide ? MaxArg(row, k) : (maxArray[i], argArray[i]);
                        if (wide)
                        {
                            (sum, sumSq) = ExpSums(row, max, k, tailMask);
                            eTrue = Math.Exp(double.CreateTruncating(row[label] - max));
                            eArg = 1;
                        }
                        else
                        {
                            T* e = scratch + i * k;
                            (sum, sumSq) = Sums(e, k, tailMask);
                            eTrue = double.CreateTruncating(e[label]);
                            eArg = double.CreateTruncating(e[arg]);
                        }
                        if (!double.IsFinite(sum))
                        {
                            Fail(acc, r, $"logits: row {r} contains NaN or infinite values.");
                            return acc;
                        }
                        double zTrue = double.CreateTruncating(row[label] - max);
                        // NLL term log Σe − (z_y − max); Metrics.Nll floors p at 1e-300, i.e. caps the term at −log(1e-300).
                        if (-zTrue < NllCap - 50) { logSum.Multiply(sum); nllRest -= zTrue; }
                        else nllRest += Math.Min(Math.Log(sum) - zTrue, NllCap);
                        double inv = 1 / sum;
                        brierSum += sumSq * inv * inv - 2 * eTrue * inv + 1;
                        double conf = eArg * inv;
                        int ok = arg == label ? 1 : 0;
                        correctCount += ok;
                        int b = Metrics.EqualWidthBin(conf, bins);
                        sumConf[b] += conf; sumCorrect[b] += ok; count[b]++;
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
        acc.Nll = logSum.Log() + nllRest;
        acc.Brier = brierSum;
        acc.Correct = correctCount;
        return acc;
    }

    const double NllCap = 690.7755278982137; // −log(1e-300)

    /// <summary>
    /// Σ log s_i as the log of a running product kept as mantissa × 2^exponent: one multiply per
    /// row instead of one log (each s_i is in [1, K], so 16 factors cannot overflow a double).
    /// </summary>
    struct LogProduct
    {
        double mantissa;
        long exponent;
        int pending;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Multiply(double s)
        {
            if (pending == 0 && mantissa == 0) mantissa = 1;
            mantissa *= s;
            if (++pending == 16)
            {
                int e = Math.ILogB(mantissa);
                mantissa = Math.ScaleB(mantissa, -e);
                exponent += e;
                pending = 0;
            }
        }

        public readonly double Log() => mantissa == 0 ? 0 : Math.Log(mantissa) + exponent * Math.Log(2);
    }

    static void Fail(Partial acc, long row, string message) { acc.ErrorRow = row; acc.Error = message; }

    /// <summary>Largest value and the first index holding it (NaN is skipped here and caught by the sum check).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe (T Max, int Arg) MaxArg<T>(T* row, int k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        if (k < w)
        {
            T max = row[0]; int arg = 0;
            for (int j = 1; j < k; j++) if (row[j] > max) { max = row[j]; arg = j; }
            return (max, arg);
        }
        var m = Vector256.Load(row);
        var m1 = Vector256.Load(row + k - w); // overlapping tail: max is idempotent
        int i = w;
        for (; i <= k - 2 * w; i += 2 * w) // two chains, so the loop is not bound by the latency of max
        {
            m = Vector256.MaxNative(m, Vector256.Load(row + i));
            m1 = Vector256.MaxNative(m1, Vector256.Load(row + i + w));
        }
        if (i <= k - w) m = Vector256.MaxNative(m, Vector256.Load(row + i));
        m = Vector256.MaxNative(m, m1);
        var target = HorizontalMax(m);
        T best = target.ToScalar();
        for (i = 0; i <= k - w; i += w)
        {
            uint bits = Vector256.Equals(Vector256.Load(row + i), target).ExtractMostSignificantBits();
            if (bits != 0) return (best, i + BitOperations.TrailingZeroCount(bits));
        }
        uint tail = Vector256.Equals(Vector256.Load(row + k - w), target).ExtractMostSignificantBits();
        // tail == 0 only when the max came from a NaN-poisoned lane; the sum check rejects the row.
        return (best, tail != 0 ? k - w + BitOperations.TrailingZeroCount(tail) : 0);
    }

    /// <summary>The maximum of all lanes, broadcast to every lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<T> HorizontalMax<T>(Vector256<T> m) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            var f = m.As<T, float>();
            f = Vector256.MaxNative(f, Vector256.Shuffle(f, Vector256.Create(4, 5, 6, 7, 0, 1, 2, 3)));
            f = Vector256.MaxNative(f, Vector256.Shuffle(f, Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5)));
            f = Vector256.MaxNative(f, Vector256.Shuffle(f, Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6)));
            return f.As<float, T>();
        }
        var d = m.As<T, double>();
        d = Vector256.MaxNative(d, Vector256.Shuffle(d, Vector256.Create(2L, 3, 0, 1)));
        d = Vector256.MaxNative(d, Vector256.Shuffle(d, Vector256.Create(1L, 0, 3, 2)));
        return d.As<double, T>();
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<T> Exp<T>(Vector256<T> x) where T : unmanaged =>
        typeof(T) == typeof(float) ? ExpNonPositive(x.As<T, float>()).As<float, T>() : Vector256.Exp(x.As<T, double>()).As<double, T>();

    /// <summary>
    /// exp(x) for x ≤ 0 (here x = z − max), inlined: Cephes' expf (range reduction by ln 2, degree-6
    /// polynomial, 2^n through the exponent bits); relative error ≤ 1.2e-7 on [−87, 0] (checked against
    /// Math.Exp in the tests), 0 below −87.3, NaN stays NaN. .NET's Vector256.Exp(float) is a call per
    /// vector and a quarter slower.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> ExpNonPositive(Vector256<float> x)
    {
        var tiny = Vector256.LessThan(x, Vector256.Create(-87.3f));
        var xc = Vector256.ConditionalSelect(tiny, Vector256.Create(-87.3f), x);
        var n = Vector256.Round(xc * Vector256.Create(1.44269504088896341f));
        var r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-0.693359375f), xc);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(2.12194440e-4f), r);
        var p = Vector256.FusedMultiplyAdd(Vector256.Create(1.9875691500e-4f), r, Vector256.Create(1.3981999507e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(8.3334519073e-3f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(4.1665795894e-2f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.6666665459e-1f));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(5.0000001201e-1f));
        p = Vector256.FusedMultiplyAdd(p, r * r, r + Vector256<float>.One);
        var scale = Vector256.ShiftLeft(Vector256.ConvertToInt32Native(n) + Vector256.Create(127), 23).AsSingle();
        return Vector256.ConditionalSelect(tiny, Vector256<float>.Zero, p * scale);
    }

    /// <summary>exp in place over n values (the buffer has room for one vector past n).</summary>
    static unsafe void ExpInPlace<T>(T* x, int n) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        for (int i = 0; i < n; i += w) Vector256.Store(Exp(Vector256.Load(x + i)), x + i);
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

    /// <summary>Σe and Σe² of one row of exponentials, accumulated in float64.</summary>
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

    /// <summary>
    /// Σ exp(z − max) and Σ exp(z − max)² of one wide row (K ≥ 64) in one pass, without storing.
    /// float32: four vectors are summed in float32, then each partial sum is added in float64.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe (double Sum, double SumSq) ExpSums<T>(T* row, T max, int k, Vector256<T> tailMask) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        var m = Vector256.Create(max);
        Vector256<double> s = default, q = default;
        int i = 0;
        if (typeof(T) == typeof(float))
        {
            var mf = m.As<T, float>();
            float* zf = (float*)row;
            for (; i <= k - 4 * w; i += 4 * w)
            {
                var e0 = ExpNonPositive(Vector256.Load(zf + i) - mf);
                var e1 = ExpNonPositive(Vector256.Load(zf + i + w) - mf);
                var e2 = ExpNonPositive(Vector256.Load(zf + i + 2 * w) - mf);
                var e3 = ExpNonPositive(Vector256.Load(zf + i + 3 * w) - mf);
                var fs = (e0 + e1) + (e2 + e3);
                var fq = Vector256.FusedMultiplyAdd(e0, e0, e1 * e1) + Vector256.FusedMultiplyAdd(e2, e2, e3 * e3);
                var (sa, sb) = Vector256.Widen(fs);
                var (qa, qb) = Vector256.Widen(fq);
                s += sa + sb;
                q += qa + qb;
            }
        }
        for (; i <= k - w; i += w) AddWidened(Exp(Vector256.Load(row + i) - m), ref s, ref q);
        if (i < k) AddWidened(Exp(Vector256.Load(row + k - w) - m) * tailMask, ref s, ref q);
        return (Vector256.Sum(s), Vector256.Sum(q));
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

    /// <summary>Accuracy of everything added so far.</summary>
    public double Accuracy() { RequireData(); return (double)correct / n; }
    /// <summary>Mean negative log-likelihood of everything added so far.</summary>
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
