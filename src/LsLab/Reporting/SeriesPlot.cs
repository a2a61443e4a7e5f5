using ScottPlot;

namespace LsLab.Reporting;

/// <summary>One series of a line/scatter plot; <paramref name="PointLabels"/> (optional) are drawn beside the points.</summary>
public sealed record Series(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Connect = true, IReadOnlyList<string>? PointLabels = null);

/// <summary>Plain x/y plots with several labelled series and optional horizontal reference lines; the legend sits below the axes.</summary>
public static class SeriesPlot
{
    /// <summary>A plot of <paramref name="series"/> with optional horizontal reference lines.</summary>
    public static Plot Create(string title, string xLabel, string yLabel, IReadOnlyList<Series> series,
        IReadOnlyList<(double Y, string Label)>? referenceLines = null)
    {
        var plt = new Plot();
        var markers = new[] { MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.OpenCircle };
        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i];
            if (s.X.Count != s.Y.Count) throw new ArgumentException($"series '{s.Label}': {s.X.Count} x values but {s.Y.Count} y values.");
            if (s.X.Count == 0) continue;
            var sc = plt.Add.Scatter(s.X.ToArray(), s.Y.ToArray());
            sc.Color = Figures.Palette[i % Figures.Palette.Length];
            sc.MarkerShape = markers[i % markers.Length];
            sc.MarkerSize = 7;
            sc.LineWidth = s.Connect ? 2 : 0;
            sc.LegendText = s.Label;
            if (s.PointLabels is { } labels)
                for (int j = 0; j < Math.Min(labels.Count, s.X.Count); j++)
                {
                    var t = plt.Add.Text(labels[j], s.X[j], s.Y[j]);
                    t.LabelFontSize = 10;
                    t.LabelFontColor = sc.Color;
                    t.LabelOffsetX = 5;
                    t.LabelOffsetY = -5;
                }
        }
        if (referenceLines is not null)
            foreach (var (y, label) in referenceLines)
            {
                var h = plt.Add.HorizontalLine(y);
                h.LineColor = Colors.Gray;
                h.LinePattern = LinePattern.Dashed;
                h.LegendText = label;
            }
        plt.Title(title);
        plt.XLabel(xLabel);
        plt.YLabel(yLabel);
        plt.ShowLegend(Edge.Bottom); // outside the data area, so it never hides points
        return plt;
    }
}
