using System.Reflection;
using System.Text.RegularExpressions;
using LsLab.Data;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LsLab.Tests.Docs;

/// <summary>The snippets change the working directory and Console.Out of the process: nothing may run beside them.</summary>
[CollectionDefinition(nameof(SnippetCollection), DisableParallelization = true)]
public sealed class SnippetCollection;

/// <summary>
/// Every csharp block of docs/library.md, compiled exactly as written (as a console project's
/// Program.cs: the SDK's implicit usings) against this build of LsLab and run in a fresh folder.
/// </summary>
[Collection(nameof(SnippetCollection))]
public sealed partial class LibrarySnippetsTests : TempDirTest
{
    static readonly string[] ImplicitUsings =
        ["System", "System.IO", "System.Collections.Generic", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    [GeneratedRegex(@"<!-- snippet: (\w+) -->\s*```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex SnippetRe();

    /// <summary>The named csharp blocks of docs/library.md; every csharp block must be named.</summary>
    public static Dictionary<string, string> Snippets()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "LsLab.slnx"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        var text = File.ReadAllText(Path.Combine(root, "docs", "library.md")).Replace("\r\n", "\n");
        var named = SnippetRe().Matches(text).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Assert.Equal(Regex.Matches(text, "```csharp").Count, named.Count);
        return named;
    }

    /// <summary>Compiles one snippet and runs it with <see cref="TempDirTest.Dir"/> as working directory; returns what it printed.</summary>
    string Run(string name)
    {
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(Snippets()[name], new CSharpParseOptions(LanguageVersion.Latest), path: $"library.md#{name}"),
            CSharpSyntaxTree.ParseText(string.Concat(ImplicitUsings.Select(u => $"global using global::{u};\n"))),
        };
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("snippet_" + name, trees, references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        var problems = emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToList();
        Assert.True(emitted.Success && problems.Count == 0, $"docs/library.md snippet '{name}' does not compile cleanly:\n" + string.Join("\n", problems));

        var entry = Assembly.Load(image.ToArray()).EntryPoint!;
        var cwd = Environment.CurrentDirectory;
        var stdout = Console.Out;
        var output = new StringWriter();
        try
        {
            Environment.CurrentDirectory = Dir;
            Console.SetOut(output);
            entry.Invoke(null, entry.GetParameters().Length == 1 ? [Array.Empty<string>()] : null);
        }
        finally
        {
            Console.SetOut(stdout);
            Environment.CurrentDirectory = cwd;
        }
        return output.ToString();
    }

    [Fact]
    public void Calibrate_fits_the_temperature_that_undoes_known_overconfidence()
    {
        // Labels drawn from softmax(z); the saved logits are 3z, so the right temperature is 3.
        var rng = new Random(19);
        void Save(string logits, string labels, int n)
        {
            const int k = 10;
            var z = new float[n * k];
            var y = new int[n];
            for (int i = 0; i < n; i++)
            {
                var row = Enumerable.Range(0, k).Select(_ => rng.NextDouble() * 3).ToArray();
                var p = row.Select(Math.Exp).ToArray();
                double u = rng.NextDouble() * p.Sum(), acc = 0;
                y[i] = k - 1;
                for (int c = 0; c < k; c++) { acc += p[c]; if (u < acc) { y[i] = c; break; } }
                for (int c = 0; c < k; c++) z[i * k + c] = (float)(3 * row[c]);
            }
            Npy.Write(Path.Combine(Dir, logits), z, n, k);
            Npy.Write(Path.Combine(Dir, labels), y, n);
        }
        Save("logits.npy", "labels.npy", 2000);
        Save("val_logits.npy", "val_labels.npy", 4000);

        var output = Run("calibrate");
        var m = Regex.Match(output, @"T = ([0-9.]+): ECE ([0-9.]+) -> ([0-9.]+)");
        Assert.True(m.Success, output);
        Assert.InRange(double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 2.6, 3.4);
        Assert.True(double.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) < double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), output);
    }

    [Fact]
    public void Train_project_and_distil_snippets_run_and_leave_their_results()
    {
        var train = Run("train");
        var accuracy = Regex.Match(train, @"test accuracy ([0-9.]+) ?%");
        Assert.True(accuracy.Success, train);
        Assert.True(double.Parse(accuracy.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 30, train);
        var runDir = Assert.Single(Directory.GetDirectories(Path.Combine(Dir, "runs")));
        Assert.True(File.Exists(Path.Combine(runDir, "model.dat")));

        var project = Run("project");
        Assert.Matches(@"tightness in the plane [0-9]", project);
        Assert.DoesNotContain("epoch", project); // the finished run was reused, not trained again
        Assert.True(File.Exists(Path.Combine(Dir, "projection.png")));

        var distil = Run("distil");
        Assert.Matches(@"student .*: test accuracy [0-9.]+ ?%", distil);
        Assert.Equal(3, Directory.GetDirectories(Path.Combine(Dir, "runs")).Length); // α=0.1 run, the teacher, the student
    }
}
