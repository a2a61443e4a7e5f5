namespace LsLab.Representations;

/// <summary>
/// The paper's Section 2 visualisation: project penultimate activations onto the plane through
/// the last-layer templates of three classes a, b, c.
/// <para>
/// The paper writes a logit as xᵀw_k with "1" appended to x to absorb the bias, so by default a
/// template is w̃_k = [w_k, b_k] and an activation x̃ = [x, 1] (set <c>includeBias: false</c> to use
/// weights only). The plane is the affine plane through w̃_a, w̃_b, w̃_c; its orthonormal basis
/// (u₁, u₂) comes from Gram–Schmidt on w̃_b − w̃_a and w̃_c − w̃_a, and a point maps to
/// ((x̃ − w̃_a)·u₁, (x̃ − w̃_a)·u₂): the coordinates of its orthogonal projection onto the plane,
/// with template a at the origin and template b on the positive first axis.
/// </para>
/// </summary>
public sealed class TemplateProjection
{
    TemplateProjection(double[] origin, double[] u1, double[] u2, bool includeBias, (int A, int B, int C) classes)
    {
        Origin = origin; U1 = u1; U2 = u2; IncludeBias = includeBias; Classes = classes;
    }

    /// <summary>Template a (w̃_a), the plane's origin.</summary>
    public double[] Origin { get; }
    /// <summary>First basis vector u₁ (towards template b).</summary>
    public double[] U1 { get; }
    /// <summary>Second basis vector u₂ (orthogonal to u₁, in the plane of the three templates).</summary>
    public double[] U2 { get; }
    /// <summary>True when templates and activations carry the bias (w̃ = [w, b], x̃ = [x, 1]).</summary>
    public bool IncludeBias { get; }
    /// <summary>The three classes (a, b, c) whose templates span the plane.</summary>
    public (int A, int B, int C) Classes { get; }
    /// <summary>2-D coordinates of the three templates (a, b, c).</summary>
    public (double X, double Y)[] Templates { get; private init; } = Array.Empty<(double, double)>();

    /// <summary>Builds the basis from the head's weight [K,D] (row-major) and bias [K].</summary>
    public static TemplateProjection Fit(double[] weight, double[] bias, int numClasses, int a, int b, int c, bool includeBias = true)
    {
        int d = weight.Length / numClasses;
        if (weight.Length != numClasses * d || bias.Length != numClasses) throw new ArgumentException("weight must be [K,D] and bias [K].");
        foreach (var k in new[] { a, b, c })
            if (k < 0 || k >= numClasses) throw new LsLabException($"class index {k} is out of range 0..{numClasses - 1}.");
        if (a == b || b == c || a == c) throw new LsLabException($"the three classes must differ, got {a},{b},{c}.");
        double[] T(int k) => Augment(weight.AsSpan(k * d, d), includeBias ? bias[k] : (double?)null);
        double[] wa = T(a), wb = T(b), wc = T(c);
        var e1 = Sub(wb, wa);
        double n1 = Norm(e1);
        if (n1 < 1e-12) throw new LsLabException("templates a and b coincide: no plane through them.");
        var u1 = Scale(e1, 1 / n1);
        var e2 = Sub(wc, wa);
        var v = Sub(e2, Scale(u1, Dot(e2, u1)));
        double n2 = Norm(v);
        if (n2 < 1e-12 * Math.Max(1, Norm(e2))) throw new LsLabException("the three templates are collinear: no unique plane through them.");
        var u2 = Scale(v, 1 / n2);
        var p = new TemplateProjection(wa, u1, u2, includeBias, (a, b, c));
        return new TemplateProjection(wa, u1, u2, includeBias, (a, b, c))
        {
            Templates = new[] { wa, wb, wc }.Select(p.ProjectAugmented).ToArray(),
        };
    }

    static double[] Augment(ReadOnlySpan<double> x, double? last)
    {
        var r = new double[x.Length + (last.HasValue ? 1 : 0)];
        x.CopyTo(r);
        if (last is double l) r[^1] = l;
        return r;
    }

    (double X, double Y) ProjectAugmented(double[] xt)
    {
        double x = 0, y = 0;
        for (int i = 0; i < xt.Length; i++) { double dlt = xt[i] - Origin[i]; x += dlt * U1[i]; y += dlt * U2[i]; }
        return (x, y);
    }

    /// <summary>Width D of the activations the templates were fitted for.</summary>
    public int Dimension => Origin.Length - (IncludeBias ? 1 : 0);

    /// <summary>2-D coordinates of activations [N,D] (row-major).</summary>
    public (double X, double Y)[] Transform(double[] features, int n)
    {
        int d = Dimension;
        if (n < 0 || features.Length != n * d)
            throw new ArgumentException($"features must be [N={n}, D={d}] (the head's input width), got {features.Length} values.", nameof(features));
        var result = new (double, double)[n];
        for (int i = 0; i < n; i++) result[i] = ProjectAugmented(Augment(features.AsSpan(i * d, d), IncludeBias ? 1.0 : null));
        return result;
    }

    /// <summary>Dot product of two vectors.</summary>
    public static double Dot(double[] a, double[] b) { double s = 0; for (int i = 0; i < a.Length; i++) s += a[i] * b[i]; return s; }
    internal static double Norm(double[] a) => Math.Sqrt(Dot(a, a));
    static double[] Sub(double[] a, double[] b) { var r = new double[a.Length]; for (int i = 0; i < a.Length; i++) r[i] = a[i] - b[i]; return r; }
    static double[] Scale(double[] a, double s) { var r = new double[a.Length]; for (int i = 0; i < a.Length; i++) r[i] = a[i] * s; return r; }
}
