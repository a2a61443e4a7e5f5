using TorchSharp;
using static TorchSharp.torch;

namespace LsLab.Calibration;

/// <summary>
/// A post-hoc calibrator (scikit-learn verbs): Fit on held-out logits and labels (a static Fit on each
/// class, or <see cref="CalibratorFactory.Fit"/> by name), then Transform any logits. Transform returns
/// calibrated logits; calibrators that produce probabilities (histogram binning, isotonic, ensemble TS)
/// return their log-probabilities, so softmax of the output is always the calibrated distribution.
/// </summary>
public interface ICalibrator
{
    /// <summary>Calibrated logits, same shape [N,K] row-major.</summary>
    double[] Transform(ReadOnlySpan<double> logits, int k);
    /// <summary>One line naming the method and its fitted parameters, for reports and the CLI.</summary>
    string Describe();

    /// <summary>The method's name as the CLI and saved files spell it (e.g. "temperature", "dirichlet").</summary>
    string Method => GetType().Name;

    /// <summary>What the fit did (converged, iterations, NLL on the fit data, no-op flag); null when built from saved parameters.</summary>
    FitReport? Report => null;

    /// <summary>Parameters and settings for a saved calibrator file (see <see cref="CalibratorFile"/>).</summary>
    CalibratorState State() => throw new NotSupportedException($"{Method} cannot be saved.");

    /// <summary>Calibrated probabilities [N,K]: softmax of <see cref="Transform"/>.</summary>
    double[] TransformProbabilities(ReadOnlySpan<double> logits, int k) => CalMath.SoftmaxRows(Transform(logits, k), k);
}

/// <summary>
/// Temperature scaling (Guo et al. 2017): logits/T with one T > 0 minimising held-out NLL.
/// NLL is convex in 1/T, hence unimodal in log T: we scan log T on a grid, then refine the
/// bracket by golden-section search. It cannot go negative or stop early (known failure modes of
/// the LBFGS recipe).
/// </summary>
public sealed class TemperatureScaling : ICalibrator
{
    /// <summary>A temperature scaling with a given T (e.g. from a saved calibrator).</summary>
    public TemperatureScaling(double temperature)
    {
        if (!(temperature > 0) || !double.IsFinite(temperature)) throw new LsLabException($"temperature must be > 0 and finite, got {temperature}.");
        Temperature = temperature;
    }

    TemperatureScaling() { }

    /// <summary>The fitted temperature T &gt; 0 (T &gt; 1 softens overconfident predictions).</summary>
    public double Temperature { get; private init; } = 1;

    /// <inheritdoc />
    public string Method => "temperature";

    /// <summary>What the fit did; null for a temperature given by hand.</summary>
    public FitReport? Report { get; private init; }

    /// <inheritdoc />
    public CalibratorState State() => new("temperature", new() { ["temperature"] = new[] { Temperature } }, new());

    /// <summary>Held-out NLL at the fitted temperature.</summary>
    public double FittedNll { get; private init; }

    /// <summary>Fits T on tensors: held-out logits [N,K] and integer labels [N].</summary>
    public static TemperatureScaling Fit(Tensor logits, Tensor labels)
    {
        var (z, y, k) = Predictions.Arrays(logits, labels, "logits");
        return Fit(z, k, y);
    }

    /// <summary>Calibrated logits as a tensor (logits / T), same shape, dtype and device.</summary>
    public Tensor Transform(Tensor logits) => logits / Temperature;

    /// <summary>Fits T by a bracketing search on log T in [<paramref name="minLogT"/>, <paramref name="maxLogT"/>] minimising the NLL, so it cannot stop early or go negative.</summary>
    public static TemperatureScaling Fit(ReadOnlySpan<double> logits, int k, ReadOnlySpan<int> labels, double minLogT = -4, double maxLogT = 4)
    {
        Predictions.FromLogits(logits, k, labels); // validates the input once
        var z = logits.ToArray();
        var y = labels.ToArray();
        int evaluations = 0;
        double Nll(double logT) { evaluations++; return NllAt(z, k, y, Math.Exp(logT)); } // z, y: arrays (the parallel overload)
        const int grid = 64;
        int best = 0;
        for (int attempt = 0; ; attempt++)
        {
            double bestVal = double.PositiveInfinity;
            for (int i = 0; i <= grid; i++)
            {
                double v = Nll(minLogT + (maxLogT - minLogT) * i / grid);
                if (v < bestVal) { bestVal = v; best = i; }
            }
            // The minimum is on the edge of the window: slide the window that way (up to |log T| = 24).
            double span = maxLogT - minLogT;
            if (best == 0 && minLogT > -24 && attempt < 16) { maxLogT = minLogT + span / grid; minLogT -= span; }
            else if (best == grid && maxLogT < 24 && attempt < 16) { minLogT = maxLogT - span / grid; maxLogT += span; }
            else break;
        }
        double step = (maxLogT - minLogT) / grid;
        double a = minLogT + Math.Max(0, best - 1) * step, b = minLogT + Math.Min(grid, best + 1) * step;
        double phi = (Math.Sqrt(5) - 1) / 2;
        double c = b - phi * (b - a), d = a + phi * (b - a), fc = Nll(c), fd = Nll(d);
        while (b - a > 1e-9)
        {
            if (fc < fd) { b = d; d = c; fd = fc; c = b - phi * (b - a); fc = Nll(c); }
            else { a = c; c = d; fc = fd; d = a + phi * (b - a); fd = Nll(d); }
        }
        double logT = (a + b) / 2;
        double fitted = Nll(logT), initial = Nll(0);
        // Could T = 1 be improved? The derivative of the NLL in log T at 0 (central difference).
        double slope = (Nll(1e-4) - Nll(-1e-4)) / 2e-4;
        bool edge = Math.Abs(logT) >= 23.9;
        var report = FitReport.Parametric("temperature", converged: !edge, iterations: evaluations, initial, fitted,
            moved: Math.Abs(logT) > 0, couldImprove: Math.Abs(slope) > 1e-6,
            edge ? $"log T reached the search limit ±24 (T = {Math.Exp(logT):G3}): the logits are degenerate" : $"bracket [{a:F6}, {b:F6}] in log T narrower than 1e-9");
        return new TemperatureScaling { Temperature = Math.Exp(logT), FittedNll = fitted, Report = report };
    }

    /// <summary>Mean NLL of softmax(z/T) (stable log-sum-exp). Large inputs are summed in fixed row blocks on all cores (deterministic).</summary>
    public static double NllAt(ReadOnlySpan<double> z, int k, ReadOnlySpan<int> y, double t)
    {
        if ((long)y.Length * k < 200_000) return NllRows(z, k, y, t, 0, y.Length) / y.Length;
        return NllAt(z.ToArray(), k, y.ToArray(), t);
    }

    static double NllAt(double[] za, int k, int[] ya, double t)
    {
        if ((long)ya.Length * k < 200_000) return NllRows(za, k, ya, t, 0, ya.Length) / ya.Length;
        int blocks = Environment.ProcessorCount * 4;
        var part = new double[blocks];
        Parallel.For(0, blocks, b => part[b] = NllRows(za, k, ya, t, (int)((long)b * ya.Length / blocks), (int)((long)(b + 1) * ya.Length / blocks)));
        double s = 0;
        foreach (var v in part) s += v;
        return s / ya.Length;
    }

    static double NllRows(ReadOnlySpan<double> z, int k, ReadOnlySpan<int> y, double t, int lo, int hi)
    {
        double s = 0;
        for (int i = lo; i < hi; i++)
        {
            var row = z.Slice(i * k, k);
            double max = double.NegativeInfinity;
            foreach (var v in row) max = Math.Max(max, v);
            double sum = 0;
            foreach (var v in row) sum += Math.Exp((v - max) / t);
            s += Math.Log(sum) - (row[y[i]] - max) / t;
        }
        return s;
    }

    /// <inheritdoc />
    public double[] Transform(ReadOnlySpan<double> logits, int k)
    {
        var o = new double[logits.Length];
        for (int i = 0; i < o.Length; i++) o[i] = logits[i] / Temperature;
        return o;
    }

    /// <inheritdoc />
    public string Describe() => $"temperature scaling, T = {Temperature:F4}";
}

/// <summary>
/// Vector scaling: per-class scale w_k and bias b_k, z'_k = w_k z_k + b_k, fitted by minimising
/// held-out NLL (L-BFGS, full batch, started from the temperature-scaling solution so it can only
/// improve on it on its fit data).
/// </summary>
public sealed class VectorScaling : ICalibrator
{
    /// <summary>Per-class scale w_k.</summary>
    public double[] Scale { get; private init; } = Array.Empty<double>();
    /// <summary>Per-class bias b_k.</summary>
    public double[] Bias { get; private init; } = Array.Empty<double>();

    /// <summary>What the fit did.</summary>
    public FitReport? Report { get; private init; }

    /// <inheritdoc />
    public string Method => "vector";

    /// <summary>Fits by L-BFGS from the temperature-scaling solution (<see cref="LinearCalibrator"/> "vector"); <paramref name="iterations"/> caps the iterations.</summary>
    public static VectorScaling Fit(ReadOnlySpan<double> logits, int k, ReadOnlySpan<int> labels, int iterations = 500)
    {
        var lin = LinearCalibrator.Fit("vector", logits, k, labels, new LinearFitOptions(MaxIterations: iterations));
        return new VectorScaling { Scale = lin.Weights, Bias = lin.Bias, Report = lin.Report };
    }

    /// <inheritdoc />
    public double[] Transform(ReadOnlySpan<double> logits, int k)
    {
        var o = new double[logits.Length];
        for (int i = 0; i < o.Length; i++) o[i] = logits[i] * Scale[i % k] + Bias[i % k];
        return o;
    }

    /// <inheritdoc />
    public string Describe() => $"vector scaling ({Scale.Length} scales + biases)";
}
