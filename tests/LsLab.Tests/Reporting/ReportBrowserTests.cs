using LsLab.Experiments;
using LsLab.Reporting;
using Microsoft.Playwright;
using ScottPlot;

namespace LsLab.Tests.Reporting;

/// <summary>Opens the HTML report in headless Debian Chromium (driven by Playwright) like a reader would.</summary>
public sealed class ReportBrowserTests : TempDirTest
{
    string dir => Dir;

    static string ChromiumPath() =>
        Environment.GetEnvironmentVariable("LSLAB_CHROMIUM") ?? new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("Chromium not found: install Debian's `chromium` (.ci/run does) or set LSLAB_CHROMIUM.");

    ExperimentResult SampleResult()
    {
        var plot = new Plot();
        plot.Add.Scatter(new double[] { 0, 1, 2 }, new double[] { 1, 3, 2 });
        plot.Title("sample");
        var (png, svg) = Figures.Save(plot, Path.Combine(dir, "fig"));
        var r = new ExperimentResult("sample", "A sample experiment");
        r.Tables.Add(new ReportTable("numbers", new[] { "a", "b" }, new[] { new[] { "1", "<2>" } }, "note"));
        r.Figures.Add(new ReportFigure("a figure", svg, png, "caption"));
        r.Figures.Add(new ReportFigure("the same figure again", svg, png, "ids must not clash"));
        r.Claims.Add(new Claim("claim", "paper 1", "ours 2", Verdict.Partly, "because"));
        r.Findings.Add("a finding");
        return r;
    }

    [Fact]
    public async Task Report_renders_in_headless_chromium_with_figures_tables_and_no_console_errors()
    {
        var index = Report.Write(Path.Combine(dir, "report"), new[] { SampleResult() },
            new ReportInfo("Tiny", DateTime.UtcNow, 1, "test", "lslab reproduce --profile tiny"));
        var html = File.ReadAllText(index);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", ""));   // self-contained: no external requests
        Assert.DoesNotContain("https://", html);

        using var pw = await Playwright.CreateAsync();
        await using var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            Args = new[] { "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync" },
        });
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        var requests = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.PageError += (_, e) => errors.Add(e);
        page.Request += (_, r) => requests.Add(r.Url);
        await page.GotoAsync(new Uri(index).AbsoluteUri);
        Assert.Empty(errors);
        Assert.All(requests, u => Assert.StartsWith("file://", u));
        var figures = await page.QuerySelectorAllAsync("figure svg");
        Assert.Equal(2, figures.Count);
        foreach (var f in figures)
        {
            var box = await f.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box!.Width > 100 && box.Height > 100, $"figure rendered at {box.Width}×{box.Height}");
        }
        Assert.True(await page.Locator("table").CountAsync() >= 2);
        await page.EvaluateAsync("() => document.querySelectorAll('details').forEach(d => d.open = true)"); // tables are folded
        Assert.Equal("<2>", await page.Locator("td", new() { HasTextString = "<2>" }).First.InnerTextAsync());
        Assert.Equal(1, await page.Locator("article.card .badge.partly").CountAsync());
        Assert.Equal(1, await page.Locator("article.card .noiv").CountAsync()); // an old claim without evidence still renders
        var shot = Path.Combine(AppContext.BaseDirectory, "TestResults", "report-screenshot.png");
        Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        Assert.True(new FileInfo(shot).Length > 10_000);
    }
}
