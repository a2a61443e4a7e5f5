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
        AddDiagonal(diagram);
        FinishDiagram(diagram, $"{title}\nECE[{m} bins] = {ece:F4}", "confidence");

        return Figures.SaveGrid(new[] { diagram, Histogram(bins) }, 2, 1, basePath, 520, 330);
    }

    /// <summary>Several models in one diagram (the paper's Figure 2): accuracy vs mean confidence per non-empty bin, one line each.</summary>
    public static (string Png, string Svg) Compare(IReadOnlyList<(string Label, IReadOnlyList<ReliabilityBin> Bins, double Ece)> models, string title, string basePath) =>
        Figures.Save(CompareDiagram(models, title, markerSize: 6, lineWidth: 2), basePath, 660, 540);

    static Plot CompareDiagram(IReadOnlyList<(string Label, IReadOnlyList<ReliabilityBin> Bins, double Ece)> models, string title, float markerSize, float lineWidth)
    {
        var plt = new Plot();
        AddDiagonal(plt);
        for (int i = 0; i < models.Count; i++)
        {
            var (label, bins, ece) = models[i];
            var pts = bins.Where(b => b.Count > 0).ToArray();
            if (pts.Length == 0) continue;
            var s = plt.Add.Scatter(pts.Select(b => b.MeanConfidence).ToArray(), pts.Select(b => b.Accuracy).ToArray());
            s.Color = Figures.Palette[i % Figures.Palette.Length];
            s.MarkerSize = markerSize;
            s.LineWidth = lineWidth;
            s.LegendText = $"{label} (ECE {ece:F3})";
        }
        FinishDiagram(plt, title, "confidence (mean per bin)");
        return plt;
    }

    /// <summary>
    /// One model with a band (consistency or bootstrap, see <see cref="ReliabilityBands"/>): per-bin accuracy
    /// at the bin's mean confidence, the band around the diagonal (consistency) or the accuracy (bootstrap)
    /// shaded, and the confidence histogram under it. Writes basePath.png/.svg.
    /// </summary>
    public static (string Png, string Svg) WithBand(IReadOnlyList<ReliabilityBin> bins, BinBand band, string title, double ece, string basePath)
    {
        var diagram = new Plot();
        int m = bins.Count;
        var idx = Enumerable.Range(0, m).Where(b => bins[b].Count > 0 && !double.IsNaN(band.Lower[b])).ToArray();
        bool consistency = band.Kind.Contains("consistency");
        // The band as one vertical interval per bin at the bin's mean confidence (where the diagonal is, for a consistency band).
        for (int j = 0; j < idx.Length; j++)
        {
            int b = idx[j];
            double x = bins[b].MeanConfidence;
            var seg = diagram.Add.Line(x, band.Lower[b], x, band.Upper[b]);
            seg.LineColor = Figures.Palette[consistency ? 7 : 0].WithAlpha(0.6);
            seg.LineWidth = 6;
            if (j == 0) seg.LegendText = band.Kind;
        }
        var pts = Enumerable.Range(0, m).Where(b => bins[b].Count > 0).ToArray();
        var s = diagram.Add.Scatter(pts.Select(b => bins[b].MeanConfidence).ToArray(), pts.Select(b => bins[b].Accuracy).ToArray());
        s.Color = Figures.Palette[1];
        s.MarkerSize = 6;
        s.LineWidth = 2;
        s.LegendText = "accuracy per bin";
        AddDiagonal(diagram);
        FinishDiagram(diagram, $"{title}\nECE[{m} bins] = {ece:F4}", "confidence (mean per bin)");
        return Figures.SaveGrid(new[] { diagram, Histogram(bins) }, 2, 1, basePath, 520, 330);
    }

    /// <summary>Several calibrators on one figure (accuracy vs mean confidence per bin) with the uncalibrated model's confidence histogram under it.</summary>
    public static (string Png, string Svg) CompareWithHistogram(IReadOnlyList<(string Label, IReadOnlyList<ReliabilityBin> Bins, double Ece)> models, string title, string basePath) =>
        Figures.SaveGrid(new[] { CompareDiagram(models, title, markerSize: 4, lineWidth: 1.5f), Histogram(models[0].Bins) }, 2, 1, basePath, 640, 420);

    /// <summary>Smooth-ECE reliability curves (kernel-smoothed accuracy against confidence at each method's automatic bandwidth), densities under them.</summary>
    public static (string Png, string Svg) SmoothCurves(IReadOnlyList<(string Label, SmoothEceResult Smooth)> models, string basePath)
    {
        var plt = new Plot();
        AddDiagonal(plt);
        var dens = new Plot();
        for (int i = 0; i < models.Count; i++)
        {
            var (label, sm) = models[i];
            var keep = Enumerable.Range(0, sm.Grid.Length).Where(j => j % 5 == 0 && !double.IsNaN(sm.SmoothedAccuracy[j]) && sm.Density[j] > 1e-3).ToArray();
            if (keep.Length < 2) continue;
            var s = plt.Add.Scatter(keep.Select(j => sm.Grid[j]).ToArray(), keep.Select(j => Math.Clamp(sm.SmoothedAccuracy[j], 0, 1)).ToArray());
            s.MarkerSize = 0;
            s.Color = Figures.Palette[i % Figures.Palette.Length];
            s.LineWidth = 2;
            s.LegendText = $"{label} (smECE {sm.Value:F3}, σ = {sm.Bandwidth:F3})";
            var all = Enumerable.Range(0, sm.Grid.Length).Where(j => j % 5 == 0).ToArray();
            var d = dens.Add.Scatter(all.Select(j => sm.Grid[j]).ToArray(), all.Select(j => sm.Density[j]).ToArray());
            d.MarkerSize = 0;
            d.Color = s.Color;
            d.LineWidth = 1.5f;
        }
        plt.Title("Smooth ECE reliability curves");
        plt.XLabel("confidence");
        plt.YLabel("smoothed accuracy");
        plt.Axes.SetLimits(0, 1, 0, 1);
        plt.ShowLegend(Alignment.UpperLeft);
        dens.XLabel("confidence");
        dens.YLabel("density (kernel)");
        dens.Axes.SetLimitsX(0, 1);
        return Figures.SaveGrid(new[] { plt, dens }, 2, 1, basePath, 640, 420);
    }

    /// <summary>The dashed y = x line of perfect calibration.</summary>
    static void AddDiagonal(Plot plt)
    {
        var diag = plt.Add.Line(0, 0, 1, 1);
        diag.LineColor = Colors.Gray;
        diag.LinePattern = LinePattern.Dashed;
        diag.LegendText = "perfect calibration";
    }

    /// <summary>Title, axis labels, the unit square and the legend of a reliability diagram.</summary>
    static void FinishDiagram(Plot plt, string title, string xLabel)
    {
        plt.Title(title);
        plt.XLabel(xLabel);
        plt.YLabel("accuracy");
        plt.Axes.SetLimits(0, 1, 0, 1);
        plt.ShowLegend(Alignment.UpperLeft);
    }

    static Plot Histogram(IReadOnlyList<ReliabilityBin> bins)
    {
        var hist = new Plot();
        int m = bins.Count, total = bins.Sum(b => b.Count);
        double w = 1.0 / m;
        var hb = new List<Bar>();
        for (int b = 0; b < m; b++)
            hb.Add(new Bar { Position = (b + 0.5) * w, Value = total > 0 ? (double)bins[b].Count / total : 0, Size = w * 0.95, FillColor = Figures.Palette[7] });
        hist.Add.Bars(hb);
        hist.XLabel("confidence");
        hist.YLabel("share of examples");
        hist.Axes.SetLimitsX(0, 1);
        return hist;
    }
}
