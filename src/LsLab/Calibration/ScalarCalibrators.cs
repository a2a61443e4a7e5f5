namespace LsLab.Calibration;

/// <summary>
/// Ensemble temperature scaling (Zhang, Kailkhura &amp; Han 2020): p = w₁ softmax(z/T) + w₂ softmax(z) + w₃/K
/// with T from temperature scaling and w on the simplex fitted by NLL (L-BFGS on w = softmax(θ)).
/// Transform returns log p.
/// </summary>
public sealed class EnsembleTemperatureScaling : ICalibrator
{
    EnsembleTemperatureScaling(double t, double[] w, FitReport? report) { Temperature = t; Weights = w; Report = report; }

    /// <summary>The temperature T of the softmax(z/T) component (from temperature scaling).</summary>
    public double Temperature { get; }
    /// <summary>Weights of softmax(z/T), softmax(z) and the uniform distribution (sum 1).</summary>
    public double[] Weights { get; }
    /// <inheritdoc />
    public FitReport? Report { get; }
    /// <inheritdoc />
    public string Method => "ets";

    /// <summary>Fits T by temperature scaling, then the weights w by NLL.</summary>
    public static EnsembleTemperatureScaling Fit(ReadOnlySpan<double> logits, int k, ReadOnlySpan<int> labels, int maxIterations = 500)
    {
        var ts = TemperatureScaling.Fit(logits, k, labels);
        int n = labels.Length;
        // Per row, the three components' probability of the true class.
        var a = new double[n]; var b = new double[n];
        var row = new double[k];
        for (int i = 0; i < n; i++)
        {
            var z = logits.Slice(i * k, k);
            for (int j = 0; j < k; j++) row[j] = z[j] / ts.Temperature;
            CalMath.Softmax(row, row); a[i] = row[labels[i]];
            CalMath.Softmax(z, row); b[i] = row[labels[i]];
        }
        double u = 1.0 / k;
        (double F, double[] G) Obj(double[] th)
        {
            var w = Simplex(th);
            double f = 0; var gw = new double[3];
            for (int i = 0; i < n; i++)
            {
                double p = Math.Max(w[0] * a[i] + w[1] * b[i] + w[2] * u, 1e-300);
                f -= Math.Log(p);
                gw[0] -= a[i] / p; gw[1] -= b[i] / p; gw[2] -= u / p;
            }
            f /= n;
            for (int j = 0; j < 3; j++) gw[j] /= n;
            // Chain rule through the softmax: dθ_j = w_j (gw_j − Σ_l w_l gw_l).
            double dot = w[0] * gw[0] + w[1] * gw[1] + w[2] * gw[2];
            return (f, new[] { w[0] * (gw[0] - dot), w[1] * (gw[1] - dot), w[2] * (gw[2] - dot) });
        }
        var res = Lbfgs.Minimize(Obj, new[] { 2.0, 0.0, 0.0 }, maxIterations, gtol: 1e-9);
        var weights = Simplex(res.X);
        var cal = new EnsembleTemperatureScaling(ts.Temperature, weights, null);
        double initial = CalMath.Nll(logits, k, labels);
        double final = CalMath.Nll(cal.Transform(logits, k), k, labels);
        var report = FitReport.Parametric("ets", res.Converged, res.Iterations, initial, final,
            moved: ts.Temperature != 1 || weights[1] < 1 - 1e-12, couldImprove: Math.Abs(ts.Temperature - 1) > 1e-6, res.Reason)
            with { Details = new() { ["temperature"] = ts.Temperature, ["w1"] = weights[0], ["w2"] = weights[1], ["w3"] = weights[2], ["temperatureScalingNll"] = ts.FittedNll } };
        return new EnsembleTemperatureScaling(ts.Temperature, weights, report);
    }

    static double[] Simplex(double[] th)
    {
        double m = th.Max();
        var e = th.Select(v => Math.Exp(v - m)).ToArray();
        double s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    /// <inheritdoc />
    public double[] Transform(ReadOnlySpan<double> logits, int k) => CalMath.LogProbs(TransformProbabilities(logits, k));

    /// <summary>The mixture's probabilities themselves, not the softmax of their logs.</summary>
    public double[] TransformProbabilities(ReadOnlySpan<double> logits, int k)
    {
        var o = new double[logits.Length];
        var r1 = new double[k]; var r2 = new double[k];
        for (int i = 0; i < logits.Length / k; i++)
        {
            var z = logits.Slice(i * k, k);
            for (int j = 0; j < k; j++) r1[j] = z[j] / Temperature;
            CalMath.Softmax(r1, r1);
            CalMath.Softmax(z, r2);
            for (int j = 0; j < k; j++) o[i * k + j] = Weights[0] * r1[j] + Weights[1] * r2[j] + Weights[2] / k;
        }
        return o;
    }

    /// <inheritdoc />
    public string Describe() => $"ensemble temperature scaling, T = {Temperature:F4}, w = ({Weights[0]:F3}, {Weights[1]:F3}, {Weights[2]:F3})";

    /// <inheritdoc />
    public CalibratorState State() => new("ets", new() { ["temperature"] = new[] { Temperature }, ["weights"] = Weights }, new());

    /// <summary>Rebuilds a fitted calibrator from a saved file's state.</summary>
    public static EnsembleTemperatureScaling FromState(CalibratorState s)
    {
        double t = s.Get("temperature", 1)[0];
        var w = s.Get("weights", 3);
        if (!(t > 0) || w.Any(v => v < 0) || Math.Abs(w.Sum() - 1) > 1e-9) throw new LsLabException("calibrator 'ets': temperature must be > 0 and weights a probability vector.");
        return new EnsembleTemperatureScaling(t, w, null);
    }
}

/// <summary>
/// Binary calibrators on the positive-class score s = z₁ − z₀ (the log-odds of softmax(z)₁; K must be 2).
/// Platt scaling (Platt 1999): p₁ = σ(a s + c). Beta calibration (Kull, Silva Filho &amp; Flach 2017):
/// p₁ = σ(a ln p₁ − b ln(1 − p₁) + c) with a, b ≥ 0 (a feature whose coefficient would be negative is
/// dropped and the model refitted, as in the paper). Both fitted by maximum likelihood (no Platt target
/// smoothing, unlike scikit-learn's sigmoid). Transform returns logits [0, s'] (s' the calibrated log-odds).
/// </summary>
public sealed class BinaryCalibrator : ICalibrator
{
    BinaryCalibrator(string method, double[] coef, FitReport? report) { Method = method; Coefficients = coef; Report = report; }

    /// <summary>"platt" or "beta".</summary>
    public string Method { get; }
    /// <summary>Platt: (a, c). Beta: (a, b, c).</summary>
    public double[] Coefficients { get; }
    /// <inheritdoc />
    public FitReport? Report { get; }

    static void RequireBinary(int k, string method)
    {
        if (k != 2) throw new LsLabException($"{method} calibration is for binary problems (K = 2 columns); these logits have K = {k}. Use temperature, vector, dirichlet, ... for multiclass.");
    }

    /// <summary>Features per row: Platt (s, 1); beta (ln p₁, −ln p₀, 1).</summary>
    static double[] Features(string method, ReadOnlySpan<double> z2)
    {
        double s = z2[1] - z2[0];
        if (method == "platt") return new[] { s, 1.0 };
        // ln p1 = −softplus(−s), ln p0 = −softplus(s)
        double lp1 = -Softplus(-s), lp0 = -Softplus(s);
        return new[] { lp1, -lp0, 1.0 };
    }

    static double Softplus(double x) => x > 0 ? x + Math.Log(1 + Math.Exp(-x)) : Math.Log(1 + Math.Exp(x));

    /// <summary>Fits "platt" or "beta" by maximum likelihood on binary logits [N,2] and labels.</summary>
    public static BinaryCalibrator Fit(string method, ReadOnlySpan<double> logits, int k, ReadOnlySpan<int> labels, int maxIterations = 500)
    {
        if (method is not ("platt" or "beta")) throw new LsLabException($"unknown binary calibrator '{method}' (expected platt or beta).");
        RequireBinary(k, method);
        Predictions.FromLogits(logits, k, labels);
        int n = labels.Length;
        var feats = new double[n][];
        for (int i = 0; i < n; i++) feats[i] = Features(method, logits.Slice(i * 2, 2));
        var y = labels.ToArray();
        int d = feats[0].Length;
        bool[] active = Enumerable.Repeat(true, d).ToArray();
        MinimizeResult res;
        double[] start = method == "platt" ? new[] { 1.0, 0.0 } : new[] { 1.0, 1.0, 0.0 };
        while (true)
        {
            var mask = active;
            res = Lbfgs.Minimize(th => LogisticObjective(feats, y, th, mask), start.Select((v, j) => mask[j] ? v : 0).ToArray(), maxIterations, gtol: 1e-10);
            if (method != "beta") break;
            int neg = Array.FindIndex(res.X, v => v < 0);
            if (neg < 0 || neg == 2 || !active[neg]) break;
            active[neg] = false; // the paper's rule: drop a feature with a negative coefficient and refit
        }
        var coef = res.X.Select((v, j) => active[j] ? v : 0).ToArray();
        var cal = new BinaryCalibrator(method, coef, null);
        double initial = CalMath.Nll(logits, 2, labels), final = CalMath.Nll(cal.Transform(logits, 2), 2, labels);
        var (_, g0) = LogisticObjective(feats, y, start, Enumerable.Repeat(true, d).ToArray());
        var report = FitReport.Parametric(method, res.Converged, res.Iterations, initial, final, !coef.SequenceEqual(start), g0.Max(v => Math.Abs(v)) > 1e-6, res.Reason)
            with { Details = coef.Select((v, j) => (v, j)).ToDictionary(t => method == "platt" ? (t.j == 0 ? "a" : "c") : (t.j == 0 ? "a" : t.j == 1 ? "b" : "c"), t => t.v) };
        return new BinaryCalibrator(method, coef, report);
    }

    static (double F, double[] G) LogisticObjective(double[][] x, int[] y, double[] th, bool[] active)
    {
        double f = 0;
        var g = new double[th.Length];
        for (int i = 0; i < y.Length; i++)
        {
            double s = 0;
            for (int j = 0; j < th.Length; j++) if (active[j]) s += th[j] * x[i][j];
            // −log σ(s) if y = 1, −log σ(−s) if y = 0
            f += y[i] == 1 ? Softplus(-s) : Softplus(s);
            double p = 1 / (1 + Math.Exp(-s));
            double r = p - y[i];
            for (int j = 0; j < th.Length; j++) if (active[j]) g[j] += r * x[i][j];
        }
        for (int j = 0; j < th.Length; j++) g[j] /= y.Length;
        return (f / y.Length, g);
    }

    /// <inheritdoc />
    public double[] Transform(ReadOnlySpan<double> logits, int k)
    {
        RequireBinary(k, Method);
        var o = new double[logits.Length];
        for (int i = 0; i < logits.Length / 2; i++)
        {
            var f = Features(Method, logits.Slice(i * 2, 2));
            double s = 0;
            for (int j = 0; j < f.Length; j++) s += Coefficients[j] * f[j];
            o[i * 2] = 0; o[i * 2 + 1] = s;
        }
        return o;
    }

    /// <inheritdoc />
    public string Describe() => Method == "platt" ? $"Platt scaling, σ({Coefficients[0]:F4}·s + {Coefficients[1]:F4})"
        : $"beta calibration, a = {Coefficients[0]:F4}, b = {Coefficients[1]:F4}, c = {Coefficients[2]:F4}";

    /// <inheritdoc />
    public CalibratorState State() => new(Method, new() { ["coefficients"] = Coefficients }, new() { ["k"] = "2" });

    /// <summary>Rebuilds a fitted calibrator from a saved file's state.</summary>
    public static BinaryCalibrator FromState(CalibratorState s) => new(s.Type, s.Get("coefficients", s.Type == "platt" ? 2 : 3), null);
}
