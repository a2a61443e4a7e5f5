using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using LsLab.Experiments;
using LsLab.Runs;

namespace LsLab.Reporting;

/// <summary>Facts about how a report was made, printed at its top.</summary>
public sealed record ReportInfo(string Profile, DateTime StartedUtc, double Seconds, string Machine, string Command);

/// <summary>
/// Writes the reproduction report: report/index.html (one self-contained page: inline CSS and
/// inline SVG figures, no scripts, no network requests) and report/README.md with the same tables
/// (PNG figures copied beside it).
/// </summary>
public static partial class Report
{
    public static string Write(string reportDir, IReadOnlyList<ExperimentResult> results, ReportInfo info)
    {
        Directory.CreateDirectory(reportDir);
        var figDir = Path.Combine(reportDir, "figures");
        Directory.CreateDirectory(figDir);
        AtomicFile.WriteAllText(Path.Combine(reportDir, "index.html"), Html(results, info));
        AtomicFile.WriteAllText(Path.Combine(reportDir, "README.md"), Markdown(results, info, figDir));
        return Path.Combine(reportDir, "index.html");
    }

    static string E(string s) => WebUtility.HtmlEncode(s);

    static string VerdictClass(Verdict v) => v switch
    {
        Verdict.Reproduced => "ok", Verdict.Partly => "partly", Verdict.NotReproduced => "no", _ => "unclear",
    };

    static string VerdictText(Verdict v) => v switch
    {
        Verdict.Reproduced => "reproduced", Verdict.Partly => "partly", Verdict.NotReproduced => "not reproduced", _ => "inconclusive",
    };

    public static string Html(IReadOnlyList<ExperimentResult> results, ReportInfo info)
    {
        var sb = new StringBuilder();
        sb.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>LsLab report: When Does Label Smoothing Help?</title>
            <style>
            body{font-family:system-ui,-apple-system,"DejaVu Sans",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
            h1{font-size:1.6em}h2{margin-top:2em;border-bottom:2px solid #ddd;padding-bottom:.2em}
            table{border-collapse:collapse;margin:1em 0;font-size:.92em}th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
            th{background:#f3f3f3}caption{caption-side:bottom;font-size:.85em;color:#555;text-align:left;padding-top:.3em}
            .ok{background:#e3f6e3}.partly{background:#fff4d6}.no{background:#fde2e2}.unclear{background:#eee}
            figure{margin:1.5em 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}figcaption{font-size:.9em;color:#444}
            .meta{color:#555;font-size:.9em}.theirs{color:#555;font-style:italic}
            </style></head><body>
            """);
        sb.Append("<h1>When Does Label Smoothing Help? — LsLab reproduction</h1>");
        sb.Append($"<p class=\"meta\">Profile <b>{E(info.Profile)}</b>; started {info.StartedUtc:yyyy-MM-dd HH:mm} UTC; {info.Seconds / 60:F1} minutes; {E(info.Machine)}.<br>Command: <code>{E(info.Command)}</code></p>");
        sb.Append("<p>Müller, Kornblith &amp; Hinton (NeurIPS 2019). Every number below marked <span class=\"theirs\">paper</span> is the paper's; every other number was measured by this run.</p>");

        sb.Append("<h2 id=\"claims\">Claims at a glance</h2><table><thead><tr><th>experiment</th><th>claim</th><th>paper (theirs)</th><th>ours</th><th>verdict</th><th>why</th></tr></thead><tbody>");
        foreach (var r in results)
            foreach (var c in r.Claims)
                sb.Append($"<tr class=\"{VerdictClass(c.Verdict)}\"><td>{E(r.Name)}</td><td>{E(c.Statement)}</td><td class=\"theirs\">{E(c.PaperValue)}</td><td>{E(c.OurValue)}</td><td><b>{VerdictText(c.Verdict)}</b></td><td>{E(c.Why)}</td></tr>");
        sb.Append("</tbody></table>");

        int fig = 0;
        foreach (var r in results)
        {
            sb.Append($"<h2 id=\"{E(r.Name)}\">{E(r.Title)}</h2>");
            foreach (var f in r.Findings) sb.Append($"<p>{E(f)}</p>");
            foreach (var t in r.Tables) sb.Append(TableHtml(t));
            foreach (var f in r.Figures)
            {
                fig++;
                string svg = File.Exists(f.SvgPath) ? InlineSvg(File.ReadAllText(f.SvgPath), $"f{fig}") : $"<p>(figure file missing: {E(f.SvgPath)})</p>";
                sb.Append($"<figure id=\"fig{fig}\">{svg}<figcaption><b>Figure {fig}.</b> {E(f.Title)}. {E(f.Caption)}</figcaption></figure>");
            }
        }
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    static string TableHtml(ReportTable t)
    {
        var sb = new StringBuilder($"<table><thead><tr>");
        foreach (var c in t.Columns) sb.Append($"<th>{E(c)}</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in t.Rows)
        {
            sb.Append("<tr>");
            foreach (var cell in row) sb.Append($"<td>{E(cell)}</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody>");
        sb.Append($"<caption><b>{E(t.Title)}</b>{(t.Note is null ? "" : ". " + E(t.Note))}</caption></table>");
        return sb.ToString();
    }

    [GeneratedRegex(@"\bid=""([^""]+)""")] private static partial Regex IdRe();
    [GeneratedRegex(@"url\(#([^)]+)\)")] private static partial Regex UrlRe();
    [GeneratedRegex(@"href=""#([^""]+)""")] private static partial Regex HrefRe();

    /// <summary>Strips the XML prologue and prefixes ids so several SVGs can live in one page.</summary>
    public static string InlineSvg(string svg, string prefix)
    {
        int start = svg.IndexOf("<svg", StringComparison.Ordinal);
        if (start < 0) return "<p>(not an SVG)</p>";
        svg = svg[start..];
        svg = IdRe().Replace(svg, m => $"id=\"{prefix}-{m.Groups[1].Value}\"");
        svg = UrlRe().Replace(svg, m => $"url(#{prefix}-{m.Groups[1].Value})");
        svg = HrefRe().Replace(svg, m => $"href=\"#{prefix}-{m.Groups[1].Value}\"");
        return svg;
    }

    public static string Markdown(IReadOnlyList<ExperimentResult> results, ReportInfo info, string figDir)
    {
        static string Cell(string s) => s.Replace("|", "\\|").Replace("\n", " ");
        var sb = new StringBuilder();
        sb.AppendLine("# When Does Label Smoothing Help? — LsLab reproduction").AppendLine();
        sb.AppendLine($"Profile **{info.Profile}**, started {info.StartedUtc:yyyy-MM-dd HH:mm} UTC, {info.Seconds / 60:F1} minutes, {info.Machine}. Command: `{info.Command}`.").AppendLine();
        sb.AppendLine("Numbers in the *paper* column are the paper's; all others were measured by this run.").AppendLine();
        sb.AppendLine("## Claims at a glance").AppendLine();
        sb.AppendLine("| experiment | claim | paper (theirs) | ours | verdict | why |").AppendLine("|---|---|---|---|---|---|");
        foreach (var r in results)
            foreach (var c in r.Claims)
                sb.AppendLine($"| {r.Name} | {Cell(c.Statement)} | *{Cell(c.PaperValue)}* | {Cell(c.OurValue)} | **{VerdictText(c.Verdict)}** | {Cell(c.Why)} |");
        int fig = 0;
        foreach (var r in results)
        {
            sb.AppendLine().AppendLine($"## {r.Title}").AppendLine();
            foreach (var f in r.Findings) sb.AppendLine(f).AppendLine();
            foreach (var t in r.Tables)
            {
                sb.AppendLine($"**{t.Title}**").AppendLine();
                sb.AppendLine("| " + string.Join(" | ", t.Columns.Select(Cell)) + " |");
                sb.AppendLine("|" + string.Concat(t.Columns.Select(_ => "---|")));
                foreach (var row in t.Rows) sb.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
                if (t.Note is not null) sb.AppendLine().AppendLine($"_{t.Note}_");
                sb.AppendLine();
            }
            foreach (var f in r.Figures)
            {
                fig++;
                if (File.Exists(f.PngPath))
                {
                    var name = $"fig{fig}-{Path.GetFileName(f.PngPath)}";
                    File.Copy(f.PngPath, Path.Combine(figDir, name), overwrite: true);
                    sb.AppendLine($"![Figure {fig}: {f.Title}](figures/{name})").AppendLine();
                }
                sb.AppendLine($"*Figure {fig}. {f.Title}. {f.Caption}*").AppendLine();
            }
        }
        return sb.ToString();
    }
}
