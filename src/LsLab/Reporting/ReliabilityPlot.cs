using LsLab.Calibration;
using ScottPlot;

namespace LsLab.Reporting;

/// <summary>Reliability diagrams: accuracy per confidence bin against the diagonal, with the confidence histogram.</summary>
public static class ReliabilityPlot
{
    /// <summary>
    /// One model: bars of per-bin accuracy, the gap to the diagonal in red, ECE in the title; and the
    /// histogram of confidences under it. Writes basePath.png/.svg.
    /// </summary>
    public static (string Png, string Svg) Single(IReadOnlyList<ReliabilityBin> bins, string title, double ece, string basePath)
    {
        var diagram = new Plot();
        int m = bins.Count;
        double w = 1.0 / m;
        var accBars = new List<Bar>();
        var gapBars = new List<Bar>();
        for (int b = 0; b < m; b++)
        {
            var bin = bins[b];
            if (bin.Count == 0) continue;
            double center = (b + 0.5) * w;
            accBars.Add(new Bar { Position = center, Value = bin.Accuracy, Size = w * 0.95, FillColor = Figures.Palette[0].WithAlpha(0.8) });
            gapBars.Add(new Bar
            {
                Position = center, ValueBase = bin.Accuracy, Value = bin.MeanConfidence, Size = w * 0.95,
                FillColor = Figures.Palette[1].WithAlpha(0.35), LineColor = Figures.Palette[1],
            });
        }
        var acc = diagram.Add.Bars(accBars);
        acc.LegendText = "accuracy";
        var gap = diagram.Add.Bars(gapBars);
        gap.LegendText = "gap to confidence";
        var diag = diagram.Add.Line(0, 0, 1, 1);
        diag.LineColor = Colors.Gray;
        diag.LinePattern = LinePattern.Dashed;
        diag.LegendText = "perfect calibration";
        diagram.Title($"{title}\nECE[{m} bins] = {ece:F4}");
        diagram.XLabel("confidence");
        diagram.YLabel("accuracy");
        diagram.Axes.SetLimits(0, 1, 0, 1);
        diagram.ShowLegend(Alignment.UpperLeft);

        var hist = new Plot();
        int total = bins.Sum(b => b.Count);
        var hb = new List<Bar>();
        for (int b = 0; b < m; b++)
            hb.Add(new Bar { Position = (b + 0.5) * w, Value = total > 0 ? (double)bins[b].Count / total : 0, Size = w * 0.95, FillColor = Figures.Palette[7] });
        hist.Add.Bars(hb);
        hist.XLabel("confidence");
        hist.YLabel("share of examples");
        hist.Axes.SetLimitsX(0, 1);
        return Figures.SaveGrid(new[] { diagram, hist }, 2, 1, basePath, 520, 330);
    }

    /// <summary>Several models in one diagram (the paper's Figure 2): accuracy vs mean confidence per non-empty bin, one line each.</summary>
    public static (string Png, string Svg) Compare(IReadOnlyList<(string Label, IReadOnlyList<ReliabilityBin> Bins, double Ece)> models, string title, string basePath)
    {
        var plt = new Plot();
        var diag = plt.Add.Line(0, 0, 1, 1);
        diag.LineColor = Colors.Gray;
        diag.LinePattern = LinePattern.Dashed;
        diag.LegendText = "perfect calibration";
        for (int i = 0; i < models.Count; i++)
        {
            var (label, bins, ece) = models[i];
            var pts = bins.Where(b => b.Count > 0).ToArray();
            var s = plt.Add.Scatter(pts.Select(b => b.MeanConfidence).ToArray(), pts.Select(b => b.Accuracy).ToArray());
            s.Color = Figures.Palette[i % Figures.Palette.Length];
            s.MarkerSize = 6;
            s.LineWidth = 2;
            s.LegendText = $"{label} (ECE {ece:F3})";
        }
        plt.Title(title);
        plt.XLabel("confidence (mean per bin)");
        plt.YLabel("accuracy");
        plt.Axes.SetLimits(0, 1, 0, 1);
        plt.ShowLegend(Alignment.UpperLeft);
        return Figures.Save(plt, basePath, 560, 500);
    }
}
