namespace LsLab.Information;

/// <summary>One mutual-information estimate (nats) and the quantities it was made from.</summary>
/// <param name="Mi">Î, the mean of the two readings below (our reported value; see <see cref="MutualInformation"/>).</param>
/// <param name="MiFresh">Î with a fresh draw as the outer sample y_x (biased down by about 1/(2L)).</param>
/// <param name="MiInSample">Î with each of the L draws in turn as y_x, averaged (biased up by about 1/(2L)).</param>
/// <param name="Sigma2">Pooled within-example variance σ².</param>
/// <param name="Examples">N.</param>
/// <param name="Draws">L.</param>
public sealed record MiEstimate(double Mi, double MiFresh, double MiInSample, double Sigma2, int Examples, int Draws)
{
    /// <summary>log N, the estimator's upper bound (every example distinguishable).</summary>
    public double UpperBound => Math.Log(Examples);
}

/// <summary>
/// The probe's raw readings: <see cref="Draws"/>[x][l] (N examples × L draws) and one fresh draw per example
/// (<see cref="Outer"/>), saved per epoch as mi/e{epoch}.npy ([N, L+1], the fresh draw last) by the tracker.
/// </summary>
public sealed record MiSample(double[][] Draws, double[] Outer)
{
    /// <summary>Number of examples N.</summary>
    public int Examples => Draws.Length;

    /// <summary>Î on all examples.</summary>
    public MiEstimate Estimate() => MutualInformation.Estimate(Draws, Outer);

    /// <summary>Î on the examples <paramref name="idx"/> (a bootstrap resample; repeats allowed).</summary>
    public double Estimate(int[] idx) => MutualInformation.Estimate(idx.Select(i => Draws[i]).ToArray(), idx.Select(i => Outer[i]).ToArray()).Mi;

    /// <summary>
    /// The collapse the paper's Figure 6 is about, as one number: the within-class standard deviation of the
    /// example means μ_x over the pooled within-example σ (first half of the examples class A, second half class B,
    /// as the probe picks them). Large: examples stay distinguishable; near 0: each class collapses to one point.
    /// </summary>
    public double WithinClassSpread()
    {
        int half = Examples / 2;
        var (mu, sigma2) = MutualInformation.Moments(Draws);
        double Var(IEnumerable<double> m) { var a = m.ToArray(); double mean = a.Average(); return a.Sum(v => (v - mean) * (v - mean)) / (a.Length - 1); }
        double within = 0.5 * (Var(mu.Take(half)) + Var(mu.Skip(half)));
        return Math.Sqrt(within / Math.Max(sigma2, 1e-300));
    }

    /// <summary>Writes the readings as an [N, L+1] float64 .npy (atomically), the fresh draw in the last column.</summary>
    public void Save(string path)
    {
        int l = Draws[0].Length;
        var flat = new double[Examples * (l + 1)];
        for (int x = 0; x < Examples; x++)
        {
            Draws[x].CopyTo(flat, x * (l + 1));
            flat[x * (l + 1) + l] = Outer[x];
        }
        Data.Npy.Write(path, flat, Examples, l + 1);
    }

    /// <summary>Reads a file written by <see cref="Save"/>; a file of another shape is one clear error naming it.</summary>
    public static MiSample Load(string path)
    {
        var a = Data.Npy.Read(path);
        if (a.Shape.Length != 2 || a.Shape[1] < 3)
            throw new LsLabException($"{path}: expected an [N, L+1] array of MI probe readings (L ≥ 2), got shape [{string.Join(", ", a.Shape)}].");
        int n = (int)a.Shape[0], l = (int)a.Shape[1] - 1;
        var v = a.Values;
        var draws = Enumerable.Range(0, n).Select(x => v.AsSpan(x * (l + 1), l).ToArray()).ToArray();
        return new MiSample(draws, Enumerable.Range(0, n).Select(x => v[x * (l + 1) + l]).ToArray());
    }
}

/// <summary>
/// The paper's mutual-information estimator (Müller, Kornblith &amp; Hinton 2019, §4) between
/// X, the index of one of N examples chosen uniformly, and Y, a scalar the network computes from a
/// randomly augmented copy of it (there: the difference of two classes' logits).
/// <para>
/// Derivation. Approximate Y | X=x by N(μ_x, σ²) with one variance shared by all examples. Then
/// p(y) = (1/N)·Σ_x' N(y; μ_x', σ²) and
/// I(X;Y) = E_{x,y}[log p(y|x) − log p(y)]
///        = E_{x,y}[ −(y−μ_x)²/(2σ²) − log( (1/N)·Σ_x' exp(−(y−μ_x')²/(2σ²)) ) ]
/// (the Gaussian normalising constants cancel). Replacing the expectation by one sample y_x per
/// example gives
/// </para>
/// <code>
///   Î = (1/N)·Σ_x [ −(y_x − μ_x)²/(2σ²) − log( (1/N)·Σ_x' exp(−(y_x − μ_x')²/(2σ²)) ) ]
///   μ_x = (1/L)·Σ_l y_x,l                      (L augmented draws of example x)
///   σ²  = Σ_x Σ_l (y_x,l − μ_x)² / (N·(L−1))   (pooled, unbiased within-example variance)
/// </code>
/// <para>
/// The inner log-mean-exp is computed with log-sum-exp. The x'=x term alone gives
/// (1/N)·exp(−(y_x−μ_x)²/(2σ²)), so every summand is at most log N and Î ≤ log N exactly. The
/// lower bound 0 of the true I(X;Y) holds for Î only approximately: when Y does not depend on X, Î
/// scatters around 0 (see the next paragraph for the bias of each reading).
/// </para>
/// <para>
/// Which draw is y_x: the paper's text leaves it open, and the choice biases Î by about ±1/(2L)
/// nats (±0.1 at L = 5), through the first term alone: with μ_x estimated from L draws,
/// E[(y_x − μ_x)²] = σ²·(1 + 1/L) when y_x is a fresh draw but σ²·(1 − 1/L) when it is one of the
/// L, against σ² if μ_x were known. The log-mean-exp term is nearly the same in both readings.
/// So we compute both, Î_fresh with an independent (L+1)-th draw and Î_in-sample with each of the L
/// draws in turn (averaged), and report their mean, whose first term has exactly the known-μ
/// expectation −½. On synthetic data with known I(X;Y) (tests; N = 600, L = 5) the fresh reading
/// is 0.08–0.10 too low, the in-sample one 0.10–0.11 too high, and the mean within 0.02.
/// All three are ≤ log N. σ² is pooled over all N·L draws (the paper pools one draw per example;
/// same quantity, less noise).
/// </para>
/// </summary>
public static class MutualInformation
{
    /// <summary>
    /// Î from <paramref name="draws"/>[x][l] (N examples × L ≥ 2 draws, used for μ_x and σ²) and
    /// <paramref name="outer"/>[x] (a further, independent draw per example, for the fresh reading).
    /// </summary>
    public static MiEstimate Estimate(IReadOnlyList<double[]> draws, IReadOnlyList<double> outer)
    {
        int n = draws.Count;
        if (n < 2) throw new ArgumentException($"mutual information needs at least 2 examples, got {n}.");
        if (outer.Count != n) throw new ArgumentException($"{n} examples of draws but {outer.Count} outer draws.");
        int l = draws[0].Length;
        if (l < 2) throw new ArgumentException($"mutual information needs at least 2 draws per example (to estimate σ²), got {l}.");
        for (int x = 0; x < n; x++)
        {
            var d = draws[x];
            if (d.Length != l) throw new ArgumentException($"example {x} has {d.Length} draws, example 0 has {l}.");
            foreach (var v in d)
                if (!double.IsFinite(v)) throw new ArgumentException($"example {x} has a non-finite draw ({v}).");
        }
        var (mu, sigma2) = Moments(draws);
        // A deterministic network (no augmentation effect at all) gives σ² = 0: keep the formula finite by
        // flooring σ² far below the spread of the means; distinct means then give Î = log N, as they should.
        double muMean = mu.Average();
        double spread = mu.Select(m => (m - muMean) * (m - muMean)).Average();
        sigma2 = Math.Max(sigma2, 1e-12 * (spread + 1e-12));
        double fresh = Core(outer, mu, sigma2);
        double inSample = Enumerable.Range(0, l).Select(j => Core(draws.Select(d => d[j]).ToArray(), mu, sigma2)).Average();
        return new MiEstimate(0.5 * (fresh + inSample), fresh, inSample, sigma2, n, l);
    }

    /// <summary>μ_x = mean of example x's draws, and σ² = Σ_x Σ_l (y_x,l − μ_x)² / (N·(L−1)), the pooled within-example variance.</summary>
    internal static (double[] Mu, double Sigma2) Moments(IReadOnlyList<double[]> draws)
    {
        int n = draws.Count, l = draws[0].Length;
        var mu = new double[n];
        double ss = 0;
        for (int x = 0; x < n; x++)
        {
            mu[x] = draws[x].Average();
            foreach (var v in draws[x]) ss += (v - mu[x]) * (v - mu[x]);
        }
        return (mu, ss / ((double)n * (l - 1)));
    }

    /// <summary>(1/N)·Σ_x [ −(y_x−μ_x)²/(2σ²) − logmeanexp_x'(−(y_x−μ_x')²/(2σ²)) ], with log-sum-exp.</summary>
    static double Core(IReadOnlyList<double> y, double[] mu, double sigma2)
    {
        int n = mu.Length;
        double logN = Math.Log(n), total = 0, inv = 1 / (2 * sigma2);
        var e = new double[n];
        for (int x = 0; x < n; x++)
        {
            double yx = y[x], max = double.NegativeInfinity;
            for (int j = 0; j < n; j++)
            {
                double dj = yx - mu[j];
                e[j] = -dj * dj * inv;
                if (e[j] > max) max = e[j];
            }
            double sum = 0;
            for (int j = 0; j < n; j++) sum += Math.Exp(e[j] - max);
            double logMeanExp = max + Math.Log(sum) - logN;
            total += e[x] - logMeanExp;
        }
        return total / n;
    }
}
