using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace LsLab.Calibration;

/// <summary>Penalty on the parameters of an affine calibration map.</summary>
public enum CalibrationPenalty
{
    /// <summary>Unregularised maximum likelihood.</summary>
    None,
    /// <summary>Off-diagonal and intercept regularisation (Kull et al. 2019): λ/(K(K−1)) Σ_{i≠j} w_ij² + μ/K Σ b_j².</summary>
    Odir,
    /// <summary>L2 shrinkage towards the temperature-scaling solution: λ/K² Σ (w_ij − δ_ij/T)² + λ/K Σ b_j² (so λ → ∞ is temperature scaling).</summary>
    L2,
}

/// <summary>Settings of an affine calibrator fit: penalty, its strengths (null: chosen by cross-validation), CV folds, iteration cap,
/// and the final fit's stopping test ‖g‖∞ ≤ <paramref name="Tolerance"/> (the mean NLL's gradient).</summary>
public sealed record LinearFitOptions(CalibrationPenalty Penalty = CalibrationPenalty.None, double? Lambda = null, double? Mu = null,
    int CvFolds = 3, double[]? LambdaGrid = null, int MaxIterations = 500, int Seed = 0, double Tolerance = LinearFitOptions.DefaultTolerance)
{
    /// <summary>Default stopping tolerance on ‖g‖∞: on a 10⁴ × 100 fit set the fit NLL is within 5e-6 of a 1e-7 fit, with a third fewer iterations.</summary>
    public const double DefaultTolerance = 1e-5;

    /// <summary>Default λ grid for cross-validation (μ = λ for ODIR). The CV always adds the path's limit λ = ∞
    /// (ODIR: diagonal W, b = 0 when μ follows λ; L2: temperature scaling), so a strongest-edge choice cannot over-fit a K×K map.</summary>
    public static readonly double[] DefaultGrid = { 1e-2, 1e-1, 1, 10 };
}

/// <summary>
/// Affine calibration maps z' = W x + b, fitted by minimising NLL (+ penalty) with L-BFGS from the
/// temperature-scaling solution W = I/T, b = 0, so the fitted NLL on the fit data is never above
/// temperature scaling's (the penalty is 0 there and the line search only accepts decreases).
/// x is the logits (vector scaling: diagonal W; matrix scaling: full W, Guo et al. 2017) or the
/// log-probabilities log softmax(z) (Dirichlet calibration, Kull et al. 2019: full or diagonal W).
/// </summary>
public sealed class LinearCalibrator : ICalibrator
{
    LinearCalibrator(string method, int k, bool full, bool logProbs, double[] w, double[] b, CalibrationPenalty penalty, double lambda, double mu, FitReport? report)
    {
        Method = method; K = k; Full = full; LogProbabilityFeatures = logProbs; Weights = w; Bias = b;
        Penalty = penalty; Lambda = lambda; Mu = mu; Report = report;
    }

    /// <inheritdoc />
    public string Method { get; }
    /// <summary>Number of classes the calibrator was fitted for.</summary>
    public int K { get; }
    /// <summary>Full K×K matrix (row-major, output × input) or a diagonal of K scales.</summary>
    public bool Full { get; }
    /// <summary>Features are log softmax(z) (Dirichlet) rather than z.</summary>
    public bool LogProbabilityFeatures { get; }
    /// <summary>W: K×K row-major when <see cref="Full"/>, else the K diagonal scales.</summary>
    public double[] Weights { get; }
    /// <summary>b, one per class.</summary>
    public double[] Bias { get; }
    /// <summary>The penalty the fit minimised besides the NLL (e.g. ODIR for Dirichlet calibration).</summary>
    public CalibrationPenalty Penalty { get; }
    /// <summary>Weight λ of the penalty on the off-diagonal (or all) entries of W.</summary>
    public double Lambda { get; }
    /// <summary>Weight μ of the penalty on the bias (ODIR).</summary>
    public double Mu { get; }
    /// <inheritdoc />
    public FitReport? Report { get; }

    /// <summary>The method names this class implements and their family.</summary>
    public static (bool Full, bool LogProbs, CalibrationPenalty Penalty) Family(string method) => method switch
    {
        "vector" => (false, false, CalibrationPenalty.None),
        "matrix" => (true, false, CalibrationPenalty.Odir),
        "dirichlet" => (true, true, CalibrationPenalty.Odir),
        "dirichlet-l2" => (true, true, CalibrationPenalty.L2),
        "dirichlet-diag" => (false, true, CalibrationPenalty.None),
        _ => throw new LsLabException($"unknown affine calibrator '{method}' (expected vector, matrix, dirichlet, dirichlet-l2, dirichlet-diag)."),
    };

    /// <summary>Fits one of "vector", "matrix" (MS-ODIR), "dirichlet" (ODIR), "dirichlet-l2", "dirichlet-diag" on held-out logits.</summary>
    public static LinearCalibrator Fit(string method, ReadOnlySpan<double> logits, int k, ReadOnlySpan<int> labels, LinearFitOptions? options = null)
    {
        var o = options ?? new LinearFitOptions();
        var (full, logProbs, penalty) = Family(method);
        if (options is not null && options.Penalty != CalibrationPenalty.None && penalty != CalibrationPenalty.None) penalty = options.Penalty;
        Predictions.FromLogits(logits, k, labels); // validates
        var z = logits.ToArray();
        var y = labels.ToArray();
        var x = logProbs ? CalMath.LogSoftmaxRows(z, k) : z;
        var ts = TemperatureScaling.Fit(z, k, y);
        var details = new Dictionary<string, double> { ["temperatureScalingNll"] = ts.FittedNll, ["initialTemperature"] = ts.Temperature };
        double lambda = 0, mu = 0;
        double[]? warmFinal = null; // the chosen λ's fit on the first CV training split: a start close to the final optimum
        if (penalty != CalibrationPenalty.None)
        {
            if (o.Lambda is double l) { lambda = l; mu = o.Mu ?? l; }
            else
            {
                int nf = Math.Max(2, o.CvFolds);
                var folds = CalMath.Folds(y.Length, nf, o.Seed);
                // Strong to weak, starting at the limit λ = ∞: with many classes and few rows per class the held-out NLL can keep
                // falling past any finite edge (10⁴ rows × 100 classes: 3.64 at λ = 10, 2.79 at 1e4), and the limit is a cheap,
                // well-conditioned fit where a strong finite λ is not (L-BFGS hit its cap at λ = 1e4).
                var grid = new[] { double.PositiveInfinity }.Concat((o.LambdaGrid ?? LinearFitOptions.DefaultGrid).Where(double.IsFinite).OrderByDescending(v => v)).ToArray();
                var held = new double[grid.Length];
                var firstFold = new double[grid.Length][];
                // A large fit split judges λ on its first held-out fold only: the held-out NLL of thousands of rows is already
                // precise enough to pick among a grid a factor 10 apart, and the other folds would triple the cost.
                int used = y.Length >= OneFoldRows ? 1 : nf;
                int heldRows = 0;
                int path = grid.Length; // the first fold's path ends once its held-out NLL has risen twice in a row; later folds follow it
                bool firstEvaluated = true;
                for (int f = 0; f < used; f++)
                {
                    int ff = f;
                    var (xt, yt) = CalMath.Select(x, k, y, i => folds[i] != ff);
                    var (xv, yv) = CalMath.Select(x, k, y, i => folds[i] == ff);
                    if (yt.Length == 0 || yv.Length == 0) continue;
                    heldRows += yv.Length;
                    var tsf = TemperatureScaling.Fit(CalMath.Select(z, k, y, i => folds[i] != ff).Z, k, yt);
                    using var train = new Problem(xt, yt, k, full);
                    using var valid = new Problem(xv, yv, k, full);
                    double[]? warm = null; // the path from strong to weak regularisation, each fit started from the previous one
                    var foldHeld = new double[grid.Length];
                    for (int g = 0; g < path; g++)
                    {
                        var (theta, _) = double.IsInfinity(grid[g])
                            ? SolveLimit(xt, yt, k, penalty, o.Mu, tsf.Temperature, o.MaxIterations, o.Tolerance)
                            : Solve(train, penalty, grid[g], o.Mu ?? grid[g], tsf.Temperature, Math.Min(o.MaxIterations, CvIterations), warm, o.Tolerance);
                        warm = theta;
                        if (f == 0) firstFold[g] = theta;
                        foldHeld[g] = valid.Value(CalibrationPenalty.None, 0, 0, 1, theta, gradient: false).F;
                        held[g] += foldHeld[g] * yv.Length;
                        if (firstEvaluated && g >= 2 && foldHeld[g] > foldHeld[g - 1] && foldHeld[g - 1] > foldHeld[g - 2]) path = g + 1;
                    }
                    firstEvaluated = false;
                }
                details["cvPathLength"] = path;
                double best = double.PositiveInfinity;
                for (int g = 0; g < path; g++)
                {
                    double h = held[g] / Math.Max(1, heldRows);
                    details[$"cvNll[λ={Format(grid[g])}]"] = h;
                    if (h < best) { best = h; lambda = grid[g]; mu = o.Mu ?? grid[g]; warmFinal = firstFold[g]; }
                }
                details["cvFolds"] = Math.Max(2, o.CvFolds);
                details["cvFoldsEvaluated"] = used;
            }
            details["lambda"] = lambda;
            details["mu"] = mu;
        }
        using var problem = new Problem(x, y, k, full);
        var (th, res) = double.IsInfinity(lambda)
            ? SolveLimit(x, y, k, penalty, o.Mu, ts.Temperature, o.MaxIterations, o.Tolerance, ts.FittedNll)
            : Solve(problem, penalty, lambda, mu, ts.Temperature, o.MaxIterations, warmFinal, o.Tolerance);
        if (warmFinal is not null && double.IsFinite(lambda))
        {
            // The guarantee "fit NLL ≤ temperature scaling's" needs a start whose objective is at most TS's: else restart from TS.
            double fromTs = problem.Value(penalty, lambda, mu, 1.0 / ts.Temperature, Start(k, full, 1.0 / ts.Temperature), gradient: false).F;
            if (res.F > fromTs) (th, res) = Solve(problem, penalty, lambda, mu, ts.Temperature, o.MaxIterations, null, o.Tolerance);
        }
        int nw = full ? k * k : k;
        var identity = Start(k, full, 1.0);
        double initialNll = CalMath.Nll(z, k, y);
        double finalNll = problem.Value(CalibrationPenalty.None, 0, 0, 1, th, gradient: false).F;
        var (_, g0) = problem.Value(CalibrationPenalty.None, 0, 0, 1.0, identity);
        double g0max = g0.Max(v => Math.Abs(v));
        bool moved = th.Zip(identity).Any(p => p.First != p.Second);
        details["finalObjective"] = res.F;
        details["gradientNorm"] = res.GradientNorm;
        if (finalNll > ts.FittedNll + 1e-9)
            throw new InvalidOperationException($"{method}: fitted NLL {finalNll} is above temperature scaling's {ts.FittedNll} (optimiser failure).");
        var report = FitReport.Parametric(method, res.Converged, res.Iterations, initialNll, finalNll, moved, g0max > 1e-6, res.Reason) with { Details = details };
        return new LinearCalibrator(method, k, full, logProbs, th[..nw], th[nw..], penalty, lambda, mu, report);
    }

    static double[] Start(int k, bool full, double scale)
    {
        var t = new double[(full ? k * k : k) + k];
        for (int i = 0; i < k; i++) t[full ? i * k + i : i] = scale;
        return t;
    }

    /// <summary>Problems with N·K² (full) or N·K (diagonal) at or above this use TorchSharp matmuls; smaller ones plain C#.</summary>
    internal static long TorchThreshold = 20_000_000;

    /// <summary>Fit splits with at least this many rows choose λ on one held-out fold instead of all of them.</summary>
    internal const int OneFoldRows = 5000;

    /// <summary>L-BFGS iterations per λ on each CV split (warm-started along the λ path, strong to weak).</summary>
    internal const int CvIterations = 60;

    /// <summary>
    /// The fit at λ = ∞ (a full-size θ): ODIR forces the off-diagonal entries to 0, leaving a diagonal W fitted from
    /// temperature scaling, with b = 0 when μ follows λ or b penalised by a fixed μ; L2 leaves the temperature-scaling map itself.
    /// </summary>
    static (double[] Theta, MinimizeResult Result) SolveLimit(double[] x, int[] y, int k, CalibrationPenalty penalty, double? mu, double t0,
        int maxIter, double gtol, double tsNll = double.NaN)
    {
        if (penalty == CalibrationPenalty.L2)
        {
            var ts = Start(k, true, 1.0 / t0);
            return (ts, new MinimizeResult(ts, tsNll, double.NaN, 0, 0, true, "λ = ∞: the temperature-scaling map"));
        }
        using var diag = new Problem(x, y, k, full: false);
        var start = Start(k, false, 1.0 / t0);
        MinimizeResult r;
        if (mu is double m)
            r = Lbfgs.Minimize(th => diag.Value(CalibrationPenalty.Odir, 0, m, 1, th), start, maxIter, gtol);
        else
        {
            r = Lbfgs.Minimize(w => { var (f, g) = diag.Value(CalibrationPenalty.None, 0, 0, 1, [.. w, .. new double[k]]); return (f, g[..k]); },
                start[..k], maxIter, gtol);
            r = r with { X = [.. r.X, .. new double[k]] };
        }
        var theta = new double[k * k + k];
        for (int i = 0; i < k; i++) { theta[i * k + i] = r.X[i]; theta[k * k + i] = r.X[k + i]; }
        return (theta, r with { X = theta, Reason = "λ = ∞ (diagonal W" + (mu is null ? ", b = 0" : "") + "): " + r.Reason });
    }

    static string Format(double lambda) => double.IsInfinity(lambda) ? "∞" : lambda.ToString("G3", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Started from <paramref name="warm"/>, or from temperature scaling W = I/T, b = 0.</summary>
    static (double[] Theta, MinimizeResult Result) Solve(Problem p, CalibrationPenalty penalty, double lambda, double mu, double t0, int maxIter, double[]? warm, double gtol)
    {
        var start = warm ?? Start(p.K, p.Full, 1.0 / t0);
        var res = Lbfgs.Minimize(th => p.Value(penalty, lambda, mu, 1.0 / t0, th), start, maxIter, gtol);
        return (res.X, res);
    }

    /// <summary>Fit data as TorchSharp float64 tensors, built once per fit; the objective reuses them at every evaluation.</summary>
    sealed class Problem : IDisposable
    {
        readonly Tensor x, y, minusOne;
        public readonly int N, K;
        public readonly bool Full;

        readonly double[] features;
        readonly int[] labels;

        public Problem(double[] features, int[] labels, int k, bool full)
        {
            N = labels.Length; K = k; Full = full;
            this.features = features; this.labels = labels;
            if ((long)N * K * (Full ? K : 1) < TorchThreshold) { x = y = minusOne = null!; return; }
            Native.Engine.Initialize();
            x = tensor(features, new long[] { N, k });
            y = tensor(labels.Select(v => (long)v).ToArray(), new long[] { N, 1 });
            minusOne = TorchSharp.torch.full(N, 1, -1.0, dtype: ScalarType.Float64);
        }

        public void Dispose() { x?.Dispose(); y?.Dispose(); minusOne?.Dispose(); }

        /// <summary>The same objective in plain C#, rows split over the cores in fixed blocks (deterministic): no per-op overhead for small problems.</summary>
        (double F, double[] G) ValueManaged(CalibrationPenalty penalty, double lambda, double mu, double w0, double[] theta, bool gradient)
        {
            int k = K, nw = Full ? k * k : k, n = N;
            int blocks = n * (long)k * (Full ? k : 1) > 200_000 ? Environment.ProcessorCount * 2 : 1;
            var fs = new double[blocks];
            var gs = new double[blocks][];
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, blk =>
            {
                int lo = (int)((long)blk * n / blocks), hi = (int)((long)(blk + 1) * n / blocks);
                var g = gradient ? new double[theta.Length] : Array.Empty<double>();
                var l = new double[k];
                double f = 0;
                for (int i = lo; i < hi; i++)
                {
                    var xi = features.AsSpan(i * k, k);
                    double max = double.NegativeInfinity;
                    for (int j = 0; j < k; j++)
                    {
                        double v = theta[nw + j];
                        if (Full) { var wj = theta.AsSpan(j * k, k); for (int m = 0; m < k; m++) v += wj[m] * xi[m]; }
                        else v += theta[j] * xi[j];
                        l[j] = v;
                        if (v > max) max = v;
                    }
                    double se = 0;
                    for (int j = 0; j < k; j++) { l[j] = Math.Exp(l[j] - max); se += l[j]; }
                    int yi = labels[i];
                    f += Math.Log(se) - Math.Log(l[yi]);
                    if (!gradient) continue;
                    for (int j = 0; j < k; j++)
                    {
                        double r = l[j] / se - (j == yi ? 1 : 0);
                        if (Full) { var gj = g.AsSpan(j * k, k); for (int m = 0; m < k; m++) gj[m] += r * xi[m]; }
                        else g[j] += r * xi[j];
                        g[nw + j] += r;
                    }
                }
                fs[blk] = f; gs[blk] = g;
            });
            double ft = 0;
            var gt = new double[theta.Length];
            for (int b = 0; b < blocks; b++)
            {
                ft += fs[b];
                if (gradient) for (int j = 0; j < gt.Length; j++) gt[j] += gs[b][j];
            }
            ft /= n;
            for (int j = 0; j < gt.Length; j++) gt[j] /= n;
            AddPenalty(penalty, lambda, mu, w0, theta, k, Full, ref ft, gt);
            return (ft, gt);
        }

        /// <summary>Mean NLL of softmax(W x + b) plus the penalty, and its gradient.</summary>
        public (double F, double[] G) Value(CalibrationPenalty penalty, double lambda, double mu, double w0, double[] theta, bool gradient = true)
        {
            if ((long)N * K * (Full ? K : 1) < TorchThreshold) return ValueManaged(penalty, lambda, mu, w0, theta, gradient);
            using var scope = NewDisposeScope();
            int k = K, nw = Full ? k * k : k;
            var W = Full ? tensor(theta[..nw], new long[] { k, k }) : tensor(theta[..nw]);
            var B = tensor(theta[nw..]);
            // Plus and a held Scalar, not `+` / div_(N): TorchSharp's temporary Scalars can be finalized mid-call when fits run in parallel.
            var L = Full ? x.matmul(W.t()).Plus(B) : x.mul(W).Plus(B);
            var logp = L.log_softmax(1);
            double f = -logp.gather(1, y).mean().item<double>();
            var g = new double[theta.Length];
            if (gradient)
            {
                var G = logp.exp();
                G.scatter_add_(1, y, minusOne);
                using var count = ((double)N).ToScalar();
                G.div_(count);
                var gw = Full ? G.t().matmul(x) : (G * x).sum(dim: 0); // not sum(0): a literal 0 binds to sum(ScalarType) = Byte
                
                Array.Copy(gw.ToCpuArray<double>(), 0, g, 0, nw);
                Array.Copy(G.sum(dim: 0).ToCpuArray<double>(), 0, g, nw, k);
            }
            AddPenalty(penalty, lambda, mu, w0, theta, k, Full, ref f, g);
            return (f, g);
        }
    }

    static void AddPenalty(CalibrationPenalty penalty, double lambda, double mu, double w0, double[] theta, int k, bool full, ref double f, double[] g)
    {
        int nw = full ? k * k : k;
        if (penalty == CalibrationPenalty.Odir)
        {
            if (full && k > 1)
            {
                double c = lambda / (k * (k - 1.0));
                for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) if (i != j) { double w = theta[i * k + j]; f += c * w * w; g[i * k + j] += 2 * c * w; }
            }
            for (int j = 0; j < k; j++) { double b = theta[nw + j]; f += mu / k * b * b; g[nw + j] += 2 * mu / k * b; }
        }
        else if (penalty == CalibrationPenalty.L2)
        {
            double c = lambda / (full ? (double)k * k : k);
            for (int i = 0; i < nw; i++)
            {
                bool diag = !full || i / k == i % k;
                double d = theta[i] - (diag ? w0 : 0);
                f += c * d * d; g[i] += 2 * c * d;
            }
            for (int j = 0; j < k; j++) { double b = theta[nw + j]; f += lambda / k * b * b; g[nw + j] += 2 * lambda / k * b; }
        }
    }

    /// <inheritdoc />
    public double[] Transform(ReadOnlySpan<double> logits, int k)
    {
        if (k != K) throw new LsLabException($"calibrator '{Method}' was fitted on {K} classes, the logits have {k}.");
        int n = logits.Length / k;
        var x = LogProbabilityFeatures ? CalMath.LogSoftmaxRows(logits, k) : logits.ToArray();
        if (!Full)
        {
            for (int i = 0; i < x.Length; i++) x[i] = x[i] * Weights[i % k] + Bias[i % k];
            return x;
        }
        // Plain C# (no libtorch): the leaderboard calls this from several threads on small chunks.
        var o = new double[x.Length];
        var rows = (long)n * k * k > 4_000_000 ? Environment.ProcessorCount : 1;
        Parallel.For(0, rows, new ParallelOptions { MaxDegreeOfParallelism = rows }, t =>
        {
            for (int i = (int)((long)t * n / rows); i < (int)((long)(t + 1) * n / rows); i++)
            {
                var xi = x.AsSpan(i * k, k);
                int j = 0;
                for (; j + 4 <= k; j += 4) Dot4(Weights.AsSpan(j * k, 4 * k), xi, o.AsSpan(i * k + j, 4));
                for (; j < k; j++) o[i * k + j] = Dot(Weights.AsSpan(j * k, k), xi);
                for (j = 0; j < k; j++) o[i * k + j] += Bias[j];
            }
        });
        return o;
    }

    /// <summary><see cref="Dot"/> of four consecutive rows of <paramref name="w"/> with x (each x load serves four rows; the same sums as four Dots).</summary>
    static void Dot4(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> o)
    {
        int k = x.Length, m = 0;
        Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
        for (; m + 4 <= k; m += 4)
        {
            var xv = Vector256.Create(x.Slice(m, 4));
            a0 += Vector256.Create(w.Slice(m, 4)) * xv;
            a1 += Vector256.Create(w.Slice(k + m, 4)) * xv;
            a2 += Vector256.Create(w.Slice(2 * k + m, 4)) * xv;
            a3 += Vector256.Create(w.Slice(3 * k + m, 4)) * xv;
        }
        double s0 = Vector256.Sum(a0), s1 = Vector256.Sum(a1), s2 = Vector256.Sum(a2), s3 = Vector256.Sum(a3);
        for (; m < k; m++) { s0 += w[m] * x[m]; s1 += w[k + m] * x[m]; s2 += w[2 * k + m] * x[m]; s3 += w[3 * k + m] * x[m]; }
        o[0] = s0; o[1] = s1; o[2] = s2; o[3] = s3;
    }

    /// <summary>Σ a_i b_i in 4-wide vectors.</summary>
    static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int i = 0;
        var acc = Vector256<double>.Zero;
        for (; i + 4 <= a.Length; i += 4) acc += Vector256.Create(a.Slice(i, 4)) * Vector256.Create(b.Slice(i, 4));
        double s = Vector256.Sum(acc);
        for (; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <inheritdoc />
    public string Describe() => Method switch
    {
        "vector" => $"vector scaling on logits ({K} scales + biases)",
        "matrix" => $"matrix scaling on logits, ODIR λ = {Format(Lambda)}, μ = {Format(Mu)}{Limit}",
        "dirichlet" => $"Dirichlet calibration (full), ODIR λ = {Format(Lambda)}, μ = {Format(Mu)}{Limit}",
        "dirichlet-l2" => $"Dirichlet calibration (full), L2 towards TS, λ = {Format(Lambda)}{Limit}",
        _ => $"Dirichlet calibration (diagonal, {K} scales + biases)",
    };

    string Limit => !double.IsInfinity(Lambda) ? "" : Penalty == CalibrationPenalty.L2 ? " (= temperature scaling)" : " (diagonal W: the CV chose the strongest regularisation)";

    /// <inheritdoc />
    public CalibratorState State() => new(Method, new() { ["weights"] = Weights, ["bias"] = Bias },
        new() { ["k"] = K.ToString(), ["penalty"] = Penalty.ToString(), ["lambda"] = Lambda.ToString("R", System.Globalization.CultureInfo.InvariantCulture), ["mu"] = Mu.ToString("R", System.Globalization.CultureInfo.InvariantCulture) });

    /// <summary>Rebuilds a saved calibrator.</summary>
    public static LinearCalibrator FromState(CalibratorState s)
    {
        var (full, logProbs, _) = Family(s.Type);
        int k = int.TryParse(s.Setting("k"), out var kk) && kk >= 2 ? kk : throw new LsLabException($"calibrator '{s.Type}': setting 'k' is missing or not an integer ≥ 2.");
        var w = s.Get("weights", full ? k * k : k);
        var b = s.Get("bias", k);
        Enum.TryParse<CalibrationPenalty>(s.Setting("penalty", "None"), out var pen);
        double.TryParse(s.Setting("lambda", "0"), System.Globalization.CultureInfo.InvariantCulture, out var lam);
        double.TryParse(s.Setting("mu", "0"), System.Globalization.CultureInfo.InvariantCulture, out var mu);
        return new LinearCalibrator(s.Type, k, full, logProbs, w, b, pen, lam, mu, null);
    }
}
