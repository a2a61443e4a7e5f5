using LsLab.Representations;

namespace LsLab.Tests.Representations;

public class GeometryTests
{
    // K=4 classes in D=3 dimensions, row-major.
    static readonly double[] W = { 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 1, 1 };
    static readonly double[] B = { 0.5, -0.5, 0, 0 };

    [Fact]
    public void Basis_is_orthonormal_and_templates_project_to_their_distances()
    {
        var p = TemplateProjection.Fit(W, B, 4, 0, 1, 2);
        Assert.Equal(1, TemplateProjection.Dot(p.U1, p.U1), 12);
        Assert.Equal(1, TemplateProjection.Dot(p.U2, p.U2), 12);
        Assert.Equal(0, TemplateProjection.Dot(p.U1, p.U2), 12);
        var t = p.Templates;
        Assert.Equal((0.0, 0.0), (Math.Round(t[0].X, 12), Math.Round(t[0].Y, 12)));
        // ‖w̃_b − w̃_a‖ with w̃ = [w, b]: (−1, 2, 0, −1) → √6, on the first axis.
        Assert.Equal(Math.Sqrt(6), t[1].X, 12);
        Assert.Equal(0, t[1].Y, 12);
        // Distances between projected templates equal the distances between the templates (they lie in the plane).
        double d02 = Math.Sqrt(1 + 0 + 9 + 0.25);
        Assert.Equal(d02, Math.Sqrt(t[2].X * t[2].X + t[2].Y * t[2].Y), 12);
    }

    [Fact]
    public void Points_on_the_plane_project_to_themselves_and_the_normal_direction_is_lost()
    {
        var p = TemplateProjection.Fit(W, B, 4, 0, 1, 2, includeBias: false);
        // x = w_a + 0.3 (w_b − w_a) + 0.5 (w_c − w_a) lies in the plane; its coordinates match that combination.
        double[] wa = { 1, 0, 0 }, wb = { 0, 2, 0 }, wc = { 0, 0, 3 };
        var x = wa.Select((v, i) => v + 0.3 * (wb[i] - v) + 0.5 * (wc[i] - v)).ToArray();
        var px = p.Transform(x, 1)[0];
        var expected = (X: 0.3 * p.Templates[1].X + 0.5 * p.Templates[2].X, Y: 0.3 * p.Templates[1].Y + 0.5 * p.Templates[2].Y);
        Assert.Equal(expected.X, px.X, 12);
        Assert.Equal(expected.Y, px.Y, 12);
        // Moving along the normal of the plane (cross product of its edges) does not change the projection.
        double[] e1 = { -1, 2, 0 }, e2 = { -1, 0, 3 };
        double[] n = { e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0] };
        var moved = x.Select((v, i) => v + 5 * n[i]).ToArray();
        var pm = p.Transform(moved, 1)[0];
        Assert.Equal(px.X, pm.X, 10);
        Assert.Equal(px.Y, pm.Y, 10);
    }

    [Fact]
    public void Collinear_templates_and_repeated_classes_are_rejected()
    {
        double[] w = { 0, 0, 1, 1, 2, 2 };
        Assert.Contains("collinear", Assert.Throws<LsLabException>(() => TemplateProjection.Fit(w, new double[3], 3, 0, 1, 2, includeBias: false)).Message);
        Assert.Contains("must differ", Assert.Throws<LsLabException>(() => TemplateProjection.Fit(W, B, 4, 0, 0, 2)).Message);
    }

    [Fact]
    public void Tightness_is_scale_invariant_and_orders_tight_below_spread_clusters()
    {
        var rng = new Random(3);
        (double[] Pts, int[] Labels) Make(double spread)
        {
            var centers = new[] { (0.0, 0.0), (10.0, 0.0), (0.0, 10.0) };
            var pts = new List<double>(); var labels = new List<int>();
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < 200; i++)
                {
                    pts.Add(centers[c].Item1 + spread * (rng.NextDouble() - 0.5));
                    pts.Add(centers[c].Item2 + spread * (rng.NextDouble() - 0.5));
                    labels.Add(c);
                }
            return (pts.ToArray(), labels.ToArray());
        }
        var (tight, lt) = Make(1);
        var (loose, ll) = Make(8);
        double a = ClusterMeasures.Tightness(tight, 2, lt), b = ClusterMeasures.Tightness(loose, 2, ll);
        Assert.True(a < b / 10, $"{a} vs {b}");
        Assert.Equal(a, ClusterMeasures.Tightness(tight.Select(v => v * 37).ToArray(), 2, lt), 10);
        // Uniform noise of width s has variance s²/12 per axis: within = 2·s²/12; between = mean of 100, 100, 200.
        Assert.Equal(2.0 / 12 / (400.0 / 3), a, 2);
    }

    [Fact]
    public void Wrong_template_spread_is_zero_for_an_equidistant_point()
    {
        // Templates at the corners of a simplex, zero bias: the origin's distances to all of them are equal.
        double[] w = { 1, 0, 0, 0, 1, 0, 0, 0, 1 };
        double[] x = { 0, 0, 0 };
        Assert.Equal(0, ClusterMeasures.WrongTemplateSpread(x, 1, new[] { 0 }, w, new double[3], 3), 12);
        Assert.True(ClusterMeasures.WrongTemplateSpread(new double[] { 0, 0.9, 0 }, 1, new[] { 0 }, w, new double[3], 3) > 0.1);
    }

    [Fact]
    public void Class_names_and_indices_parse_and_bad_ones_are_explained()
    {
        var names = LsLab.Data.DatasetCatalog.FashionClasses;
        Assert.Equal(new[] { 6, 0, 2 }, GeometryAnalysis.ParseClasses("shirt, T-shirt/top,Pullover", names));
        Assert.Equal(new[] { 1, 7, 8 }, GeometryAnalysis.ParseClasses("1,7,8", names));
        Assert.Contains("unknown class 'Hat'", Assert.Throws<LsLabException>(() => GeometryAnalysis.ParseClasses("Hat,1,2", names)).Message);
    }
}
