using LsLab.Representations;

namespace LsLab.Tests.Representations;

/// <summary>
/// The projection checked against an independent computation: the orthogonal projection onto the
/// affine plane through three templates found by solving the 2×2 normal equations, not by
/// Gram–Schmidt; plus invariances and hand-computed measures.
/// </summary>
public class ProjectionReferenceTests
{
    const int K = 5, D = 7;

    static double[] Random(Random rng, int n, double scale = 1) => Enumerable.Range(0, n).Select(_ => scale * (2 * rng.NextDouble() - 1)).ToArray();

    static double[] Row(double[] m, int i, int d) => m.AsSpan(i * d, d).ToArray();
    static double[] Aug(double[] v, double? last) => last is double l ? v.Append(l).ToArray() : v;
    static double[] Sub(double[] a, double[] b) => a.Select((v, i) => v - b[i]).ToArray();
    static double Dot(double[] a, double[] b) => a.Select((v, i) => v * b[i]).Sum();
    static double Dist(double[] a, double[] b) => Math.Sqrt(Dot(Sub(a, b), Sub(a, b)));
    static double Dist((double X, double Y) a, (double X, double Y) b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));

    /// <summary>Foot of the perpendicular from x̃ to the plane w̃_a + s e1 + t e2, by the normal equations.</summary>
    static double[] Foot(double[] xt, double[] wa, double[] wb, double[] wc)
    {
        double[] e1 = Sub(wb, wa), e2 = Sub(wc, wa), r = Sub(xt, wa);
        double g11 = Dot(e1, e1), g12 = Dot(e1, e2), g22 = Dot(e2, e2), r1 = Dot(e1, r), r2 = Dot(e2, r);
        double det = g11 * g22 - g12 * g12;
        double s = (r1 * g22 - r2 * g12) / det, t = (g11 * r2 - g12 * r1) / det;
        return wa.Select((v, i) => v + s * e1[i] + t * e2[i]).ToArray();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Coordinates_match_the_least_squares_foot_of_the_perpendicular(bool includeBias)
    {
        var rng = new Random(7);
        double[] w = Random(rng, K * D, 2), b = Random(rng, K), x = Random(rng, 20 * D, 3);
        int a = 3, bb = 0, c = 4;
        var p = TemplateProjection.Fit(w, b, K, a, bb, c, includeBias);
        var pts = p.Transform(x, 20);
        var tpl = new[] { a, bb, c }.Select(k => Aug(Row(w, k, D), includeBias ? b[k] : null)).ToArray();
        var feet = Enumerable.Range(0, 20).Select(i => Foot(Aug(Row(x, i, D), includeBias ? 1.0 : null), tpl[0], tpl[1], tpl[2])).ToArray();

        for (int i = 0; i < 20; i++)
        {
            for (int j = 0; j < 3; j++)
                Assert.Equal(Dist(feet[i], tpl[j]), Dist(pts[i], p.Templates[j]), 9);
            Assert.Equal(Dist(feet[i], feet[(i + 1) % 20]), Dist(pts[i], pts[(i + 1) % 20]), 9);
        }
        for (int j = 0; j < 3; j++)
            Assert.Equal(Dist(tpl[j], tpl[(j + 1) % 3]), Dist(p.Templates[j], p.Templates[(j + 1) % 3]), 10);
        // Orientation: template a at the origin, template b on the positive first axis.
        Assert.Equal(0, p.Templates[0].X, 12);
        Assert.Equal(0, p.Templates[0].Y, 12);
        Assert.True(p.Templates[1].X > 0);
        Assert.Equal(0, p.Templates[1].Y, 12);
    }

    [Fact]
    public void The_plane_keeps_the_logit_differences_of_the_three_classes_when_the_bias_is_appended()
    {
        // With x̃ = [x, 1] and w̃ = [w, b], z_k − z_a = x̃·(w̃_k − w̃_a) and w̃_k − w̃_a lies in the plane,
        // so it is (x̃ − w̃_a)'s in-plane part dotted with the template's 2-D position, plus a constant.
        var rng = new Random(11);
        double[] w = Random(rng, K * D, 2), b = Random(rng, K, 3), x = Random(rng, 10 * D, 3);
        var p = TemplateProjection.Fit(w, b, K, 1, 2, 0);
        var pts = p.Transform(x, 10);
        double[] wa = Aug(Row(w, 1, D), b[1]);
        for (int i = 0; i < 10; i++)
        {
            double Logit(int k) => Dot(Row(x, i, D), Row(w, k, D)) + b[k];
            for (int j = 1; j < 3; j++)
            {
                int k = new[] { 1, 2, 0 }[j];
                double constant = Dot(wa, Sub(Aug(Row(w, k, D), b[k]), wa));
                double viaPlane = pts[i].X * p.Templates[j].X + pts[i].Y * p.Templates[j].Y + constant;
                Assert.Equal(Logit(k) - Logit(1), viaPlane, 9);
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Rotating_weights_and_activations_together_leaves_the_coordinates_unchanged(bool includeBias)
    {
        var rng = new Random(5);
        double[] w = Random(rng, K * D), b = Random(rng, K), x = Random(rng, 8 * D, 2);
        // A random orthogonal D×D matrix by Gram–Schmidt on random rows.
        var q = new double[D][];
        for (int i = 0; i < D; i++)
        {
            var v = Random(rng, D);
            for (int j = 0; j < i; j++) { double dd = Dot(v, q[j]); v = v.Select((e, t) => e - dd * q[j][t]).ToArray(); }
            double n = Math.Sqrt(Dot(v, v));
            q[i] = v.Select(e => e / n).ToArray();
        }
        double[] Rotate(double[] m, int rows) => Enumerable.Range(0, rows).SelectMany(r => q.Select(qi => Dot(qi, Row(m, r, D)))).ToArray();

        var p0 = TemplateProjection.Fit(w, b, K, 0, 1, 2, includeBias);
        var p1 = TemplateProjection.Fit(Rotate(w, K), b, K, 0, 1, 2, includeBias);
        var before = p0.Transform(x, 8);
        var after = p1.Transform(Rotate(x, 8), 8);
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(before[i].X, after[i].X, 9);
            Assert.Equal(before[i].Y, after[i].Y, 9);
        }
    }

    [Fact]
    public void Activations_of_the_wrong_width_are_rejected()
    {
        var rng = new Random(1);
        var p = TemplateProjection.Fit(Random(rng, K * D), Random(rng, K), K, 0, 1, 2);
        var e = Assert.Throws<ArgumentException>(() => p.Transform(new double[3 * (D + 1)], 3));
        Assert.Contains($"{D}", e.Message);
        Assert.Throws<ArgumentException>(() => p.Transform(new double[10], 3));
    }

    [Fact]
    public void Tightness_matches_a_hand_computed_case_and_ignores_rigid_motions()
    {
        // Class 0: (0,0),(2,0) → centroid (1,0), mean squared distance 1. Class 1: (10,0),(10,2) → (10,1), 1.
        // Between: ‖(1,0) − (10,1)‖² = 82. Tightness = 1/82.
        double[] pts = { 0, 0, 2, 0, 10, 0, 10, 2 };
        int[] y = { 0, 0, 1, 1 };
        Assert.Equal(1.0 / 82, ClusterMeasures.Tightness(pts, 2, y), 14);
        // Rotated by 90° and shifted: unchanged.
        var moved = Enumerable.Range(0, 4).SelectMany(i => new[] { -pts[2 * i + 1] + 5, pts[2 * i] - 3 }).ToArray();
        Assert.Equal(1.0 / 82, ClusterMeasures.Tightness(moved, 2, y), 14);
        // Three classes: within averaged over classes, between over the three pairs.
        double[] three = { 0, 0, 2, 0, 10, 0, 10, 2, 0, 10, 0, 14 };
        int[] y3 = { 0, 0, 1, 1, 2, 2 };
        // Centroids (1,0), (10,1), (0,12): squared distances 82, 1 + 144, 100 + 121.
        double between = (82 + (1 + 144) + (100 + 121)) / 3.0, within = (1 + 1 + 4) / 3.0;
        Assert.Equal(within / between, ClusterMeasures.Tightness(three, 2, y3), 14);
        Assert.Throws<LsLabException>(() => ClusterMeasures.Tightness(pts, 2, new[] { 0, 0, 0, 0 }));
        Assert.Throws<ArgumentException>(() => ClusterMeasures.Tightness(pts, 2, new[] { 0, 1, 1 }));
    }

    [Fact]
    public void Wrong_template_spread_and_norm_match_hand_computed_values()
    {
        // Templates (0,0), (3,0), (0,4), zero bias; x = (0,0) of class 0. With x̃ = [x,1], w̃ = [w,0]:
        // distances to the wrong templates √10 and √17; CV (population std / mean) = (√17 − √10)/(√17 + √10).
        double[] w = { 0, 0, 3, 0, 0, 4 };
        double cv = ClusterMeasures.WrongTemplateSpread(new double[] { 0, 0 }, 1, new[] { 0 }, w, new double[3], 3);
        Assert.Equal((Math.Sqrt(17) - Math.Sqrt(10)) / (Math.Sqrt(17) + Math.Sqrt(10)), cv, 12);
        // A bias enters as the appended coordinate: b = (0, 0, 1) puts w̃_2 = (0,4,1) at distance 4 from x̃ = (0,0,1).
        double cvb = ClusterMeasures.WrongTemplateSpread(new double[] { 0, 0 }, 1, new[] { 0 }, w, new double[] { 0, 0, 1 }, 3);
        Assert.Equal((4 - Math.Sqrt(10)) / (4 + Math.Sqrt(10)), cvb, 12);
        Assert.Equal(2.5, ClusterMeasures.MeanNorm(new double[] { 3, 4, 0, 0 }, 2), 14);
    }

    [Fact]
    public void Wrong_logit_spread_matches_a_hand_computed_case_and_ignores_scale_and_shift()
    {
        // Row 0, label 0: wrong logits 1, 3, 2 → std √(2/3), gap 5 − 2 = 3. Row 1, label 1: wrong 1, 1, 1 → std 0, gap 5.
        double[] z = { 5, 1, 3, 2, 1, 6, 1, 1 };
        int[] y = { 0, 1 };
        double expected = (Math.Sqrt(2.0 / 3) + 0) / (3 + 5);
        Assert.Equal(expected, ClusterMeasures.WrongLogitSpread(z, 2, y), 14);
        var moved = z.Select((v, i) => 7 * v + (i < 4 ? -3 : 11)).ToArray();
        Assert.Equal(expected, ClusterMeasures.WrongLogitSpread(moved, 2, y), 12);
        Assert.True(double.IsNaN(ClusterMeasures.WrongLogitSpread(new double[] { 0, 1, 2 }, 1, new[] { 0 })));
        Assert.Throws<ArgumentException>(() => ClusterMeasures.WrongLogitSpread(z, 2, new[] { 0, 4 }));
    }

    [Fact]
    public void Template_span_tightness_equals_full_tightness_when_templates_span_the_space_and_ignores_the_null_space()
    {
        var rng = new Random(21);
        int n = 60;
        var y = Enumerable.Range(0, n).Select(i => i % 3).ToArray();
        // K=5 templates in D=2 (3 augmented dims): their differences span everything, so nothing is dropped.
        double[] w5 = Random(rng, 5 * 2, 2), b5 = Random(rng, 5), x2 = Enumerable.Range(0, n).SelectMany(i => new[] { y[i] * 3 + rng.NextDouble(), rng.NextDouble() - y[i] }).ToArray();
        Assert.Equal(3, ClusterMeasures.TemplateSpanCoordinates(x2, n, w5, b5, 5).Rank);
        Assert.Equal(ClusterMeasures.Tightness(x2, 2, y), ClusterMeasures.TightnessInTemplateSpan(x2, n, y, w5, b5, 5), 10);

        // K=3 templates in D=6: adding to x a random amount of a direction orthogonal to every template
        // difference changes no logit difference and no template-span coordinate, but loosens the full-space clusters.
        double[] w = Random(rng, 3 * 6), b = Random(rng, 3), x = Enumerable.Range(0, n).SelectMany(i => Random(rng, 6, 0.3).Select((v, j) => v + (j == y[i] ? 2 : 0))).ToArray();
        double[] e1 = Sub(Row(w, 1, 6), Row(w, 0, 6)), e2 = Sub(Row(w, 2, 6), Row(w, 0, 6));
        var null1 = Random(rng, 6);
        foreach (var e in new[] { e1, e2 })
        {
            // Make e orthogonal to the earlier one before removing it from null1 (Gram–Schmidt in the test).
            var u = e == e2 ? Sub(e2, e1.Select(v => v * Dot(e1, e2) / Dot(e1, e1)).ToArray()) : e;
            null1 = Sub(null1, u.Select(v => v * Dot(null1, u) / Dot(u, u)).ToArray());
        }
        Assert.Equal(0, Dot(null1, e1), 10);
        Assert.Equal(0, Dot(null1, e2), 10);
        var noisy = Enumerable.Range(0, n).SelectMany(i => { double t = 20 * rng.NextDouble(); return Row(x, i, 6).Select((v, j) => v + t * null1[j]); }).ToArray();
        double spanBefore = ClusterMeasures.TightnessInTemplateSpan(x, n, y, w, b, 3), spanAfter = ClusterMeasures.TightnessInTemplateSpan(noisy, n, y, w, b, 3);
        Assert.Equal(spanBefore, spanAfter, 9);
        Assert.True(ClusterMeasures.Tightness(noisy, 6, y) > 2 * ClusterMeasures.Tightness(x, 6, y));
        Assert.Equal(2, ClusterMeasures.TemplateSpanCoordinates(x, n, w, b, 3).Rank);

        // Repeated templates add no dimension.
        double[] wRep = Row(w, 0, 6).Concat(Row(w, 1, 6)).Concat(Row(w, 0, 6)).ToArray();
        Assert.Equal(1, ClusterMeasures.TemplateSpanCoordinates(x, n, wRep, new[] { b[0], b[1], b[0] }, 3).Rank);
    }
}
