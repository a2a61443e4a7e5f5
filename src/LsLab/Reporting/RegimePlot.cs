using ScottPlot;

namespace LsLab.Reporting;

/// <summary>A point with a vertical 95 % interval.</summary>
public sealed record IntervalPoint(double X, double Y, double Low, double High);

/// <summary>One cell of a map: its row and column labels and the outcome that colours it.</summary>
public sealed record MapCell(string Row, string Column, string Outcome, string Text);

/// <summary>The figures of the calibration regime map: effects with intervals against a regime axis, and an outcome map.</summary>
public static class RegimePlot
{
    /// <summary>Scatter of several series of points, each with its interval drawn as a vertical bar; a dashed line at y = 0.</summary>
    public static Plot Intervals(string title, string xLabel, string yLabel, IReadOnlyList<(string Label, IReadOnlyList<IntervalPoint> Points)> series)
    {
        var plt = new Plot();
        for (int i = 0; i < series.Count; i++)
        {
            var (label, pts) = series[i];
            if (pts.Count == 0) continue;
            var color = Figures.Palette[i % Figures.Palette.Length];
            foreach (var p in pts)
            {
                var bar = plt.Add.Line(p.X, p.Low, p.X, p.High);
                bar.Color = color.WithAlpha(0.6);
                bar.LineWidth = 2;
            }
            var sc = plt.Add.ScatterPoints(pts.Select(p => p.X).ToArray(), pts.Select(p => p.Y).ToArray());
            sc.Color = color;
            sc.MarkerSize = 7;
            sc.MarkerShape = i == 0 ? MarkerShape.FilledCircle : MarkerShape.FilledSquare;
            sc.LegendText = label;
        }
        var zero = plt.Add.HorizontalLine(0);
        zero.LineColor = Colors.Gray;
        zero.LinePattern = LinePattern.Dashed;
        plt.Title(title);
        plt.XLabel(xLabel);
        plt.YLabel(yLabel);
        plt.ShowLegend(Edge.Bottom);
        return plt;
    }

    /// <summary>Colours for the outcomes of <see cref="Map"/>.</summary>
    public static readonly IReadOnlyDictionary<string, Color> OutcomeColors = new Dictionary<string, Color>
    {
        ["helps"] = Color.FromHex("#2ca02c"),
        ["no difference"] = Color.FromHex("#bbbbbb"),
        ["hurts"] = Color.FromHex("#d62728"),
    };

    /// <summary>A grid of coloured squares, rows × columns in the given order, each labelled with its text.</summary>
    public static Plot Map(string title, string rowLabel, string columnLabel, IReadOnlyList<string> rows, IReadOnlyList<string> columns, IReadOnlyList<MapCell> cells)
    {
        var plt = new Plot();
        foreach (var c in cells)
        {
            int r = rows.ToList().IndexOf(c.Row), k = columns.ToList().IndexOf(c.Column);
            if (r < 0 || k < 0) continue;
            var rect = plt.Add.Rectangle(k + 0.05, k + 0.95, r + 0.05, r + 0.95);
            rect.FillColor = OutcomeColors.TryGetValue(c.Outcome, out var col) ? col : Colors.White;
            rect.LineColor = Colors.White;
            var t = plt.Add.Text(c.Text, k + 0.5, r + 0.5);
            t.LabelFontSize = 11;
            t.LabelAlignment = Alignment.MiddleCenter;
        }
        foreach (var (outcome, color) in OutcomeColors)
        {
            var key = plt.Add.ScatterPoints(new[] { double.NaN }, new[] { double.NaN });
            key.Color = color;
            key.MarkerShape = MarkerShape.FilledSquare;
            key.MarkerSize = 10;
            key.LegendText = "LS " + outcome;
        }
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            columns.Select((c, i) => new Tick(i + 0.5, c)).ToArray());
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            rows.Select((r, i) => new Tick(i + 0.5, r)).ToArray());
        plt.Axes.SetLimits(0, columns.Count, 0, rows.Count);
        plt.Title(title);
        plt.XLabel(columnLabel);
        plt.YLabel(rowLabel);
        plt.ShowLegend(Edge.Bottom);
        return plt;
    }
}
