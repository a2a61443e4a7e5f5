namespace LsLab.Calibration;

/// <summary>Outcome of a numerical minimisation: the point, its value, iterations, and whether a stopping test (not the iteration cap) ended it.</summary>
public sealed record MinimizeResult(double[] X, double F, double GradientNorm, int Iterations, int Evaluations, bool Converged, string Reason);

/// <summary>
/// Limited-memory BFGS with a backtracking Armijo line search, for the smooth convex calibration
/// objectives (NLL of a softmax of an affine map, plus a quadratic penalty). Written here because
/// TorchSharp's LBFGS has no line search (it stops early or diverges on these problems, the
/// gpleiss/temperature_scaling failure mode). Stops on ‖g‖∞ ≤ gtol, or a relative change of f
/// below ftol over an iteration; hitting the iteration cap is reported as not converged.
/// </summary>
public static class Lbfgs
{
    /// <param name="fg">Value and gradient at x (the gradient array is owned by the caller after return).</param>
    /// <param name="x0">Starting point.</param>
    /// <param name="maxIterations">Iteration cap (reaching it is "not converged").</param>
    /// <param name="gtol">Stop when the largest gradient component is at most this.</param>
    /// <param name="ftol">Stop when f changes by at most this (relative) over an iteration near a stationary point.</param>
    /// <param name="history">Correction pairs kept.</param>
    public static MinimizeResult Minimize(Func<double[], (double F, double[] G)> fg, double[] x0, int maxIterations = 500,
        double gtol = 1e-7, double ftol = 1e-13, int history = 10)
    {
        int n = x0.Length;
        var x = (double[])x0.Clone();
        var (f, g) = fg(x);
        int evals = 1;
        if (!double.IsFinite(f)) throw new LsLabException("calibrator fit: the objective is not finite at the starting point (check the logits).");
        var s = new List<double[]>(); var y = new List<double[]>(); var rho = new List<double>();
        var d = new double[n];
        for (int it = 0; it < maxIterations; it++)
        {
            double gmax = MaxAbs(g);
            if (gmax <= gtol) return new MinimizeResult(x, f, gmax, it, evals, true, $"gradient ‖g‖∞ = {gmax:G3} ≤ {gtol:G1}");
            // Two-loop recursion: d = −H g.
            Array.Copy(g, d, n);
            var alpha = new double[s.Count];
            for (int i = s.Count - 1; i >= 0; i--) { alpha[i] = rho[i] * Dot(s[i], d); Axpy(-alpha[i], y[i], d); }
            double gamma = s.Count > 0 ? Dot(s[^1], y[^1]) / Dot(y[^1], y[^1]) : 1.0 / Math.Max(1, Norm(g));
            for (int i = 0; i < n; i++) d[i] *= gamma;
            for (int i = 0; i < s.Count; i++) { double beta = rho[i] * Dot(y[i], d); Axpy(alpha[i] - beta, s[i], d); }
            for (int i = 0; i < n; i++) d[i] = -d[i];
            double slope = Dot(g, d);
            if (!(slope < 0)) // not a descent direction: reset the memory and use steepest descent
            {
                s.Clear(); y.Clear(); rho.Clear();
                double sc = 1.0 / Math.Max(1, Norm(g));
                for (int i = 0; i < n; i++) d[i] = -g[i] * sc;
                slope = Dot(g, d);
            }
            double step = 1;
            double[] xn = new double[n];
            double fn; double[] gn;
            int tries = 0;
            while (true)
            {
                for (int i = 0; i < n; i++) xn[i] = x[i] + step * d[i];
                (fn, gn) = fg(xn);
                evals++;
                if (double.IsFinite(fn) && fn <= f + 1e-4 * step * slope) break;
                step *= double.IsFinite(fn) ? 0.5 : 0.1;
                if (++tries > 40) return new MinimizeResult(x, f, gmax, it, evals, gmax <= Math.Sqrt(gtol), "line search found no decrease");
            }
            var sk = new double[n]; var yk = new double[n];
            for (int i = 0; i < n; i++) { sk[i] = xn[i] - x[i]; yk[i] = gn[i] - g[i]; }
            double sy = Dot(sk, yk);
            if (sy > 1e-12 * Norm(sk) * Norm(yk))
            {
                if (s.Count == history) { s.RemoveAt(0); y.RemoveAt(0); rho.RemoveAt(0); }
                s.Add(sk); y.Add(yk); rho.Add(1 / sy);
            }
            double fOld = f;
            x = xn; f = fn; g = gn;
            // A negligible decrease ends the fit only near a stationary point (a tiny backtracked step far from it is not convergence).
            if (Math.Abs(fOld - f) <= ftol * Math.Max(1, Math.Abs(f)) && MaxAbs(g) <= 1e-4)
                return new MinimizeResult(x, f, MaxAbs(g), it + 1, evals, true, $"relative change of f ≤ {ftol:G1} (‖g‖∞ = {MaxAbs(g):G3})");
        }
        return new MinimizeResult(x, f, MaxAbs(g), maxIterations, evals, false, $"iteration cap {maxIterations} reached (‖g‖∞ = {MaxAbs(g):G3})");
    }

    static double Dot(double[] a, double[] b) { double s = 0; for (int i = 0; i < a.Length; i++) s += a[i] * b[i]; return s; }
    static double Norm(double[] a) => Math.Sqrt(Dot(a, a));
    static double MaxAbs(double[] a) { double m = 0; foreach (var v in a) m = Math.Max(m, Math.Abs(v)); return m; }
    static void Axpy(double a, double[] x, double[] y) { for (int i = 0; i < y.Length; i++) y[i] += a * x[i]; }
}
