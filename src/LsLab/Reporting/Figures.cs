using System.Text;
using ScottPlot;

namespace LsLab.Reporting;

/// <summary>Saves ScottPlot figures as PNG + SVG (atomically), single or as a grid of panels.</summary>
public static class Figures
{
    /// <summary>Standard palette: one colour per series/class, readable on white.</summary>
    public static readonly Color[] Palette =
    {
        Color.FromHex("#1f77b4"), Color.FromHex("#d62728"), Color.FromHex("#2ca02c"), Color.FromHex("#ff7f0e"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"),
    };

    /// <summary>Writes basePath.png and basePath.svg; returns both paths.</summary>
    public static (string Png, string Svg) Save(Plot plot, string basePath, int width = 640, int height = 480)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(basePath))!);
        string png = basePath + ".png", svg = basePath + ".svg";
        Runs.AtomicFile.Write(png, tmp => plot.SavePng(tmp, width, height));
        Runs.AtomicFile.WriteAllText(svg, plot.GetSvgXml(width, height));
        return (png, svg);
    }

    /// <summary>
    /// A rows×cols grid of panels (row-major), each width×height pixels: the PNG composed with
    /// SkiaSharp from each panel's PNG, the SVG by nesting each panel's SVG at its offset.
    /// </summary>
    public static (string Png, string Svg) SaveGrid(IReadOnlyList<Plot> panels, int rows, int cols, string basePath, int width = 420, int height = 360)
    {
        if (panels.Count != rows * cols) throw new ArgumentException($"{panels.Count} panels for a {rows}×{cols} grid.");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(basePath))!);
        string png = basePath + ".png", svg = basePath + ".svg";
        Runs.AtomicFile.Write(png, tmp =>
        {
            using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(width * cols, height * rows));
            surface.Canvas.Clear(SkiaSharp.SKColors.White);
            for (int i = 0; i < panels.Count; i++)
            {
                using var bmp = SkiaSharp.SKBitmap.Decode(panels[i].GetImageBytes(width, height, ImageFormat.Png));
                surface.Canvas.DrawBitmap(bmp, (i % cols) * width, (i / cols) * height);
            }
            using var image = surface.Snapshot();
            using var data = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            using var fs = File.Create(tmp);
            data.SaveTo(fs);
        });
        var sb = new StringBuilder($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width * cols}\" height=\"{height * rows}\" viewBox=\"0 0 {width * cols} {height * rows}\">");
        for (int i = 0; i < panels.Count; i++)
        {
            var inner = Report.InlineSvg(panels[i].GetSvgXml(width, height), $"p{i}");
            int x = (i % cols) * width, y = (i / cols) * height;
            sb.Append($"<g transform=\"translate({x},{y})\">{inner}</g>");
        }
        sb.Append("</svg>");
        Runs.AtomicFile.WriteAllText(svg, sb.ToString());
        return (png, svg);
    }
}
