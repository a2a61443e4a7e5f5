using LsLab.Representations;
using ScottPlot;

namespace LsLab.Reporting;

/// <summary>Scatter plots of template-plane projections: one colour per class, templates as large outlined markers.</summary>
public static class ProjectionPlot
{
    /// <summary>The projection as a scatter of points per class with the three templates marked.</summary>
    public static Plot Panel(GeometryView view, string title)
    {
        var plt = new Plot();
        for (int c = 0; c < view.ClassIds.Length; c++)
        {
            var mine = view.Points.Where((_, i) => view.Labels[i] == view.ClassIds[c]).ToArray();
            var s = plt.Add.ScatterPoints(mine.Select(p => p.X).ToArray(), mine.Select(p => p.Y).ToArray());
            s.Color = Figures.Palette[c].WithAlpha(0.6);
            s.MarkerSize = 5;
            s.LegendText = view.ClassNames[c];
            var t = plt.Add.Marker(view.Templates[c].X, view.Templates[c].Y);
            t.MarkerShape = MarkerShape.FilledDiamond;
            t.MarkerSize = 16;
            t.Color = Figures.Palette[c];
            t.MarkerLineColor = Colors.Black;
            t.MarkerLineWidth = 1.5f;
        }
        plt.Title($"{title}\ntightness {view.Measures.TightnessPlane:F3} (plane), {view.Measures.TightnessFull:F3} (full)");
        plt.ShowLegend(Alignment.UpperRight);
        plt.Axes.SquareUnits();
        return plt;
    }

    /// <summary>One projection as PNG + SVG.</summary>
    public static (string Png, string Svg) Save(GeometryView view, string title, string basePath) => Figures.Save(Panel(view, title), basePath, 560, 520);
}
