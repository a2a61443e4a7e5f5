using ScottPlot;

namespace LsLab.Reporting;

/// <summary>One curve of a line chart.</summary>
public sealed record Curve(string Label, double[] X, double[] Y);

/// <summary>Line charts of a quantity against a parameter, several curves per panel (e.g. BLEU against temperature per model).</summary>
public static class LineCharts
{
    /// <summary>A panel with markers and lines, legend, axis labels; optional vertical guide lines (value, label).</summary>
    public static Plot Panel(string title, string xLabel, string yLabel, IReadOnlyList<Curve> curves, IEnumerable<(double X, string Label)>? guides = null)
    {
        var plt = new Plot();
        for (int i = 0; i < curves.Count; i++)
        {
            var c = curves[i];
            if (c.X.Length != c.Y.Length) throw new ArgumentException($"curve '{c.Label}': {c.X.Length} x values but {c.Y.Length} y values.");
            var s = plt.Add.Scatter(c.X, c.Y);
            s.Color = Figures.Palette[i % Figures.Palette.Length];
            s.LineWidth = 2;
            s.MarkerSize = 6;
            s.LegendText = c.Label;
        }
        int g = 0;
        foreach (var (x, label) in guides ?? Enumerable.Empty<(double, string)>())
        {
            var v = plt.Add.VerticalLine(x);
            v.Color = Figures.Palette[g++ % Figures.Palette.Length].WithAlpha(0.5);
            v.LinePattern = LinePattern.Dashed;
            v.LegendText = label;
        }
        plt.Title(title);
        plt.XLabel(xLabel);
        plt.YLabel(yLabel);
        plt.ShowLegend(Edge.Bottom); // outside the data area: the curves run into every corner
        return plt;
    }
}
