using LsLab.Experiments;
using LsLab.Reporting;
using LsLab.Statistics;
using Microsoft.Playwright;
using ScottPlot;

namespace LsLab.Tests.Reporting;

/// <summary>The claim cards of the report in headless Chromium: cards, badges, interval plots, thumbnails, and no overflow on screen or in print.</summary>
public sealed class ReportCardsBrowserTests : TempDirTest
{
    static string ChromiumPath() =>
        Environment.GetEnvironmentVariable("LSLAB_CHROMIUM") ?? new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("Chromium not found: install Debian's `chromium` (.ci/run does) or set LSLAB_CHROMIUM.");

    ExperimentResult[] Results()
    {
        var plot = new Plot();
        plot.Add.Scatter(new double[] { 0, 1, 2 }, new double[] { 1, 3, 2 });
        var (png, svg) = Figures.Save(plot, Path.Combine(Dir, "fig"));
        var a = new ExperimentResult("accuracy", "Accuracy with and without label smoothing");
        a.Figures.Add(new ReportFigure("accuracy figure", svg, png, "caption"));
        // A wide table with long unbreakable cells: it must wrap, not overflow.
        var wide = Enumerable.Range(0, 10).Select(i => $"column-{i}-with-a-long-header").ToArray();
        a.Tables.Add(new ReportTable("wide", wide, new[] { wide.Select(c => c + "_" + new string('x', 60)).ToArray() }, "note"));
        var equivalence = Bootstrap.Paired(Enumerable.Repeat(1.0, 150).Concat(Enumerable.Repeat(0.0, 50)).ToArray(),
            Enumerable.Repeat(1.0, 148).Concat(Enumerable.Repeat(0.0, 52)).ToArray(), 300, 0).ToEvidence(ClaimKind.Equivalence, "accuracy", Margins.AccuracyEquivalence.Value);
        var eqDecision = Verdicts.Decide(ClaimRule.Equivalence("accuracy", Margins.AccuracyEquivalence), equivalence);
        a.Claims.Add(new Claim("Label smoothing changes accuracy little.", "−0.1…+0.6 points", "+1.0 points", eqDecision.Verdict, eqDecision.Why) { Evidence = equivalence });
        var diff = new ClaimEvidence(ClaimKind.Difference, "ECE", -0.05, -0.07, -0.03) { Examples = 2000, Seeds = 3 };
        var dd = Verdicts.Decide(ClaimRule.Difference("ECE", Direction.Decrease), diff);
        a.Claims.Add(new Claim("Temperature scaling lowers ECE.", "0.150 → 0.021", "0.09 → 0.04 " + new string('y', 200), dd.Verdict, dd.Why) { Evidence = diff });
        var b = new ExperimentResult("geometry", "Geometry (no figure)");
        b.Claims.Add(new Claim("An old claim without evidence.", "qualitative", "3 of 4", Verdict.Partly, "an old rule"));
        return new[] { a, b };
    }

    [Fact]
    public async Task Cards_badges_and_intervals_render_without_overflow_on_screen_and_in_print()
    {
        var results = Results();
        var index = Report.Write(Path.Combine(Dir, "report"), results, new ReportInfo("Quick", DateTime.UtcNow, 60, "test", "lslab reproduce"));
        var md = File.ReadAllText(Path.Combine(Dir, "report", "README.md"));
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults"));
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "TestResults", "report-cards.md"), md);
        Assert.Contains("### 1. ⚪ [inconclusive] Label smoothing changes accuracy little.", md);
        Assert.Contains("interval: none", md); // the claim without evidence
        Assert.Contains("claim-1-interval.svg", md);
        Assert.Contains("margins and thresholds", md, StringComparison.OrdinalIgnoreCase);
        Assert.True(File.Exists(Path.Combine(Dir, "report", "figures", "thumb-fig1.png")));

        using var pw = await Playwright.CreateAsync();
        await using var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(), Headless = true,
            Args = new[] { "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync" },
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        await page.GotoAsync(new Uri(index).AbsoluteUri);
        Assert.Empty(errors);

        Assert.Equal(3, await page.Locator("article.card").CountAsync());
        var badges = await page.Locator("article.card .badge").AllInnerTextsAsync();
        Assert.Equal(new[] { "inconclusive", "reproduced", "partly" }, badges.Select(t => t.Trim()).ToArray());
        Assert.Equal(2, await page.Locator("article.card svg.interval").CountAsync());
        foreach (var iv in await page.QuerySelectorAllAsync("svg.interval"))
        {
            var box = await iv.BoundingBoxAsync();
            Assert.True(box is { Width: > 100, Height: > 10 }, $"interval plot at {box?.Width}×{box?.Height}");
        }
        Assert.Equal(1, await page.Locator("svg.interval rect.margin").CountAsync()); // the equivalence claim's margin band
        Assert.Equal(1, await page.Locator("article.card .noiv").CountAsync());     // the claim without evidence says so
        Assert.Equal(2, await page.Locator("article.card .thumb img").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => [...document.querySelectorAll('.thumb img')].every(i => i.complete && i.naturalWidth > 0)"));
        Assert.Equal(1, await page.Locator("#methods + p").CountAsync());
        Assert.Equal(1, await page.Locator("td", new() { HasTextRegex = new System.Text.RegularExpressions.Regex(@"^\s*accuracy\.equivalence\s*$") }).CountAsync()); // the margins table
        var cardsBottom = await page.EvaluateAsync<double>("() => document.querySelector('.cards').getBoundingClientRect().bottom");
        Assert.True(cardsBottom < 2 * 800, $"summary ends at {cardsBottom}px");

        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "TestResults", "report-cards.png") });

        // Open every <details> (tables included), then nothing may be wider than its box.
        await page.EvaluateAsync("() => document.querySelectorAll('details').forEach(d => d.open = true)");
        await AssertNoOverflow(page, "screen");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "TestResults", "report-cards-full.png"), FullPage = true });
        Assert.True(new FileInfo(Path.Combine(AppContext.BaseDirectory, "TestResults", "report-cards.png")).Length > 10_000);

        await page.SetViewportSizeAsync(794, 1123); // A4 at 96 dpi
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        await AssertNoOverflow(page, "print");
    }

    [Fact]
    public async Task Twenty_claims_fit_in_about_two_screens_at_1280_by_800()
    {
        var plot = new Plot();
        plot.Add.Scatter(new double[] { 0, 1, 2 }, new double[] { 1, 3, 2 });
        var (png, svg) = Figures.Save(plot, Path.Combine(Dir, "fig"));
        var results = Enumerable.Range(0, 5).Select(x =>
        {
            var r = new ExperimentResult($"experiment{x}", $"Experiment {x}");
            r.Figures.Add(new ReportFigure("figure", svg, png, "caption"));
            for (int i = 0; i < 4; i++)
            {
                var e = new ClaimEvidence(ClaimKind.Difference, "accuracy", 0.004 * (i - 1), 0.004 * (i - 1) - 0.006, 0.004 * (i - 1) + 0.006) { Examples = 2000, Seeds = 1 };
                var d = Verdicts.Decide(ClaimRule.Difference("accuracy", Direction.Increase, 0.01), e);
                r.Claims.Add(new Claim("Label smoothing makes the student of a smoothed teacher worse than the student of a hard-target teacher.",
                    "CIFAR-10: ResNet-56 teacher 91.5 → student AlexNet 86.1 vs 86.9 (hard teacher at its best T)",
                    "student of α=0.1 teacher 85.20% vs 85.62% at T=2; LS teacher 89.1%, hard teacher 88.7%; 2,000 test examples", d.Verdict, d.Why) { Evidence = e });
            }
            return r;
        }).ToArray();
        var index = Report.Write(Path.Combine(Dir, "report"), results, new ReportInfo("Quick", DateTime.UtcNow, 60, "test", "lslab reproduce"));
        using var pw = await Playwright.CreateAsync();
        await using var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(), Headless = true,
            Args = new[] { "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync" },
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        await page.GotoAsync(new Uri(index).AbsoluteUri);
        Assert.Equal(20, await page.Locator("article.card").CountAsync());
        var bottom = await page.EvaluateAsync<double>("() => document.querySelector('.cards').getBoundingClientRect().bottom");
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "TestResults", "report-20-cards.png"), FullPage = true });
        Assert.True(bottom <= 2.25 * 800, $"the summary of 20 claims ends at {bottom}px (two screens = 1600px)");
        await AssertNoOverflow(page, "20 cards");
    }

    static async Task AssertNoOverflow(IPage page, string mode)
    {
        var bad = await page.EvaluateAsync<string[]>("""
            () => {
              const out = [];
              const root = document.documentElement;
              if (root.scrollWidth > root.clientWidth) out.push(`page ${root.scrollWidth} > ${root.clientWidth}`);
              const body = document.body.getBoundingClientRect();
              for (const el of document.querySelectorAll('table, article.card, figure, .cards')) {
                const r = el.getBoundingClientRect();
                if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.tagName}.${el.className} scroll ${el.scrollWidth} > client ${el.clientWidth}`);
                if (r.right > body.right + 1) out.push(`${el.tagName}.${el.className} right ${r.right} > body ${body.right}`);
              }
              return out;
            }
            """);
        Assert.True(bad.Length == 0, $"{mode}: " + string.Join("; ", bad));
    }
}
