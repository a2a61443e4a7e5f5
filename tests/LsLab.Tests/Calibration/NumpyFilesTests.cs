using System.Text.Json;
using LsLab.Calibration;
using LsLab.Data;

namespace LsLab.Tests.Calibration;

/// <summary>
/// `lslab calibrate` and <see cref="CalibrationAnalysis"/> on files written by numpy (several dtypes, np.savetxt CSV,
/// probabilities), against numbers numpy computed (bench/reference/calibration_files_reference.py).
/// </summary>
public sealed class NumpyFilesTests : TempDirTest
{
    static string F(string name) => Path.Combine(AppContext.BaseDirectory, "Calibration", "Fixtures", "numpy", name);

    static readonly JsonElement Ref = JsonDocument.Parse(File.ReadAllText(F("reference.json"))).RootElement;

    static double R(string set, string metric) => Ref.GetProperty(set).GetProperty(metric).GetDouble();

    static void AssertMatches(string set, Predictions p, double tol)
    {
        Assert.Equal(R(set, "accuracy"), Metrics.Accuracy(p), 1e-12);
        Assert.Equal(R(set, "nll"), Metrics.Nll(p), tol);
        Assert.Equal(R(set, "brier"), Metrics.Brier(p), tol);
        Assert.Equal(R(set, "ece"), Metrics.Ece(p), tol);
        Assert.Equal(R(set, "mce"), Metrics.CalibrationError(p, new CalibrationSettings(Norm: GapNorm.Max)).Value, tol);
        Assert.Equal(R(set, "rmsce"), Metrics.CalibrationError(p, new CalibrationSettings(Norm: GapNorm.L2)).Value, tol);
        Assert.Equal(R(set, "adaptive_ece"), Metrics.CalibrationError(p, new CalibrationSettings(Binning: Binning.EqualMass)).Value, tol);
        Assert.Equal(R(set, "classwise_ece"), Metrics.CalibrationError(p, new CalibrationSettings(ClassWise: true)).Value, tol);
    }

    [Fact]
    public void Float32_logits_with_int32_or_int64_labels_match_numpy_before_and_after_temperature_scaling()
    {
        foreach (var labels in new[] { "labels_i32.npy", "labels_i64.npy" })
        {
            var eval = CalibrationAnalysis.Load(F("logits_f32.npy"), F(labels));
            Assert.False(eval.WereProbabilities);
            Assert.Equal((300, 5), (eval.Labels.Length, eval.K));
            AssertMatches("before", Predictions.FromLogits(eval.Logits, eval.K, eval.Labels), 1e-9);
            var fit = CalibrationAnalysis.Load(F("fit_logits_f32.npy"), F("fit_labels_i64.npy"));
            var ts = TemperatureScaling.Fit(fit.Logits, fit.K, fit.Labels);
            Assert.Equal(Ref.GetProperty("temperature").GetDouble(), ts.Temperature, 1e-6);
            AssertMatches("after", Predictions.FromLogits(ts.Transform(eval.Logits, eval.K), eval.K, eval.Labels), 1e-7);
        }
    }

    [Fact]
    public void Probabilities_and_savetxt_csv_give_the_same_numbers_as_the_logits()
    {
        var probs = CalibrationAnalysis.Load(F("probs_f64.npy"), F("labels_i64.npy"));
        Assert.True(probs.WereProbabilities);
        AssertMatches("before", Predictions.FromLogits(probs.Logits, probs.K, probs.Labels), 1e-9);

        var csv = CalibrationAnalysis.Load(F("logits.csv"), F("labels.csv")); // header line skipped
        Assert.Equal(300, csv.Labels.Length);
        AssertMatches("before", Predictions.FromLogits(csv.Logits, csv.K, csv.Labels), 1e-7);
        var npy = CalibrationAnalysis.Load(F("logits_f32.npy"), F("labels_i32.npy"));
        Assert.Equal(npy.Labels, csv.Labels);
        for (int i = 0; i < npy.Logits.Length; i++) Assert.Equal(npy.Logits[i], csv.Logits[i], 1e-6);
    }

    [Fact]
    public void Bad_csv_files_name_the_file_the_line_and_the_problem()
    {
        string logits = Path.Combine(Dir, "z.csv"), labels = Path.Combine(Dir, "y.csv");
        File.WriteAllText(logits, "1,2,3\n4,5,6\n");
        File.WriteAllText(labels, "0\n3\n");
        var e = Assert.Throws<LsLabException>(() => CalibrationAnalysis.Load(logits, labels));
        Assert.Contains(labels, e.Message);
        Assert.Contains("out of range 0..2", e.Message);
        File.WriteAllText(labels, "0\n1\n2\n");
        Assert.Contains("length mismatch", Assert.Throws<LsLabException>(() => CalibrationAnalysis.Load(logits, labels)).Message);
        File.WriteAllText(labels, "0\n1\n");
        File.WriteAllText(logits, "1,2,3\n4,oops,6\n");
        Assert.Contains("line 2, column 2: 'oops' is not a number", Assert.Throws<LsLabException>(() => CalibrationAnalysis.Load(logits, labels)).Message);
        File.WriteAllText(logits, "1,2,3\n4,5\n");
        Assert.Contains("line 2 has 2 columns, expected 3", Assert.Throws<LsLabException>(() => CalibrationAnalysis.Load(logits, labels)).Message);
        File.WriteAllText(logits, "1,2,3\n4,NaN,6\n");
        Assert.Contains("NaN or infinite", Assert.Throws<LsLabException>(() => CalibrationAnalysis.Load(logits, labels)).Message);
        File.WriteAllText(logits, "1,2,3\n4,5,6\n");
        File.WriteAllText(labels, "0\n1.5\n");
        Assert.Contains("expected an integer class index", Assert.Throws<LsLabException>(() => CalibrationAnalysis.Load(logits, labels)).Message);
    }

    [Fact]
    public void Calibrate_command_on_numpy_files_writes_the_reference_numbers_and_the_diagrams()
    {
        var outDir = Path.Combine(Dir, "cal");
        var (code, stdout, err) = CliProcess.Run("calibrate", "--logits", F("logits_f32.npy"), "--labels", F("labels_i32.npy"),
            "--fit-logits", F("fit_logits_f32.npy"), "--fit-labels", F("fit_labels_i64.npy"), "--bootstrap", "20", "--out", outDir);
        Assert.True(code == 0, err);
        Assert.Contains("ECE[15 bins, equal-width, top-label, L1]", stdout); // fits in 80 columns
        Assert.Matches($@"temperature T\s*│\s*1\s*│\s*{Ref.GetProperty("temperature").GetDouble():F3}", stdout);
        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "calibration.json"))).RootElement;
        Assert.Equal(Ref.GetProperty("temperature").GetDouble(), json.GetProperty("temperature").GetDouble(), 1e-6);
        Assert.Equal("fit set", json.GetProperty("fittedOn").GetString());
        foreach (var (set, key) in new[] { ("before", "before"), ("after", "after") })
        {
            var s = json.GetProperty(key);
            Assert.Equal(R(set, "ece"), s.GetProperty("ece").GetDouble(), 1e-7);
            Assert.Equal(R(set, "nll"), s.GetProperty("nll").GetDouble(), 1e-7);
            Assert.Equal(R(set, "brier"), s.GetProperty("brier").GetDouble(), 1e-7);
            Assert.Equal(R(set, "adaptive_ece"), s.GetProperty("adaptiveEce").GetDouble(), 1e-7);
            Assert.InRange(s.GetProperty("ece").GetDouble(), s.GetProperty("eceLower").GetDouble(), s.GetProperty("eceUpper").GetDouble());
            Assert.Equal(300, s.GetProperty("bins").EnumerateArray().Sum(b => b.GetProperty("count").GetInt32()));
        }
        foreach (var f in new[] { "reliability-uncalibrated", "reliability-temperature-scaled", "reliability-compare" })
        {
            Assert.True(new FileInfo(Path.Combine(outDir, f + ".png")).Length > 10_000, f);
            Assert.Contains("<svg", File.ReadAllText(Path.Combine(outDir, f + ".svg")));
        }
    }

    [Fact]
    public void Calibrate_run_on_a_folder_that_is_not_a_run_says_so()
    {
        var run = Path.Combine(Dir, "run");
        Directory.CreateDirectory(run);
        var (code, _, err) = CliProcess.Run("calibrate", "--run", run);
        Assert.Equal(2, code);
        Assert.Contains($"{run}: not an LsLab run folder", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void Rounded_probabilities_need_input_probabilities_and_are_renormalised()
    {
        // Probabilities rounded to 2 decimals: rows sum to 1 ± 0.025, so auto-detection (±1e-3) refuses them rather than read them as logits.
        var p = Npy.Read(F("probs_f64.npy"));
        var rounded = p.Values.Select(v => Math.Round(v, 2)).ToArray();
        string csv = Path.Combine(Dir, "rounded.csv");
        File.WriteAllLines(csv, Enumerable.Range(0, 300).Select(r => string.Join(",", rounded.Skip(r * 5).Take(5).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))));
        Assert.Contains("rounded probabilities", Assert.Throws<LsLabException>(() => CalibrationAnalysis.Load(csv, F("labels.csv"))).Message);
        var forced = CalibrationAnalysis.Load(csv, F("labels.csv"), InputKind.Probabilities);
        Assert.True(forced.WereProbabilities);
        var q = Predictions.FromLogits(forced.Logits, 5, forced.Labels);
        for (int r = 0; r < 300; r++)
        {
            double s = rounded.Skip(r * 5).Take(5).Sum();
            for (int k = 0; k < 5; k++) Assert.Equal(Math.Max(rounded[r * 5 + k], 1e-12) / s, q.Probs[r * 5 + k], 1e-9);
        }
        Assert.Equal(R("before", "ece"), Metrics.Ece(q), 0.02);
        Assert.False(CalibrationAnalysis.Load(F("probs_f64.npy"), F("labels_i64.npy"), InputKind.Logits).WereProbabilities);
        Assert.Contains("probabilities must be non-negative", Assert.Throws<LsLabException>(() => CalibrationAnalysis.Load(F("logits_f32.npy"), F("labels_i64.npy"), InputKind.Probabilities)).Message);

        var (code, stdout, err) = CliProcess.Run("calibrate", "--logits", csv, "--labels", F("labels.csv"), "--input", "probabilities", "--bootstrap", "2", "--out", Path.Combine(Dir, "cal"));
        Assert.True(code == 0, err);
        Assert.Contains("treated as probabilities", stdout);
    }
}
