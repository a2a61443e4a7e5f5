using System.IO.Compression;
using System.Text.Json;
using LsLab.Calibration;
using LsLab.Data;

namespace LsLab.Tests.Calibration;

/// <summary>
/// Calibrators and estimators of the toolkit against independent references (numpy / scipy / scikit-learn,
/// bench/reference/calibration_toolkit_reference.py) and hand-computed cases.
/// </summary>
public sealed class ToolkitTests : TempDirTest
{
    static string F(string name) => Path.Combine(AppContext.BaseDirectory, "Calibration", "Fixtures", "toolkit", name);
    static readonly JsonElement Ref = JsonDocument.Parse(File.ReadAllText(F("toolkit_reference.json"))).RootElement;
    const int K = 4;

    static (double[] Z, int[] Y) Load(string set) =>
        (Npy.Read(F($"{set}_logits.npy")).Values, Npy.Read(F($"{set}_labels.npy")).Values.Select(v => (int)v).ToArray());

    static double D(params string[] path)
    {
        var e = Ref;
        foreach (var p in path) e = e.GetProperty(p);
        return e.GetDouble();
    }

    [Fact]
    public void Isotonic_matches_scikit_learn_one_vs_rest_renormalised()
    {
        var (zf, yf) = Load("fit");
        var (zt, _) = Load("test");
        var iso = IsotonicCalibrator.Fit(zf, K, yf);
        var mine = iso.Probabilities(zt, K);
        var sk = Npy.Read(F("isotonic_test_probs.npy")).Values;
        Assert.Equal(sk.Length, mine.Length);
        for (int i = 0; i < sk.Length; i++) Assert.Equal(sk[i], mine[i], 1e-10);
        Assert.True(iso.Report!.Success, iso.Report.Message);
        // Transform returns log-probabilities: softmax gives the same probabilities back.
        var back = ((ICalibrator)iso).TransformProbabilities(zt, K);
        for (int i = 0; i < sk.Length; i++) Assert.Equal(sk[i], back[i], 1e-12);
    }

    [Fact]
    public void Histogram_binning_bin_values_match_scikit_learn_calibration_curve()
    {
        var (zf, yf) = Load("fit");
        foreach (var (strategy, binning) in new[] { ("quantile", Binning.EqualMass), ("uniform", Binning.EqualWidth) })
        {
            var h = HistogramBinning.Fit(zf, K, yf, BinningTarget.ClassWise, 10, binning);
            for (int k = 0; k < K; k++)
            {
                var sk = Ref.GetProperty("histogram").GetProperty($"{strategy}{k}").GetProperty("prob_true").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                var mine = Enumerable.Range(0, 10).Where(b => h.Counts[k][b] > 0).Select(b => h.Values[k][b]).ToArray();
                Assert.Equal(sk.Length, mine.Length);
                for (int b = 0; b < sk.Length; b++) Assert.Equal(sk[b], mine[b], 1e-12);
            }
        }
        var top = HistogramBinning.Fit(zf, K, yf, BinningTarget.TopLabel, 15);
        var p = CalMath.SoftmaxRows(top.Transform(zf, K), K);
        for (int i = 0; i < yf.Length; i++) Assert.Equal(1, p.AsSpan(i * K, K).ToArray().Sum(), 1e-9);
        Assert.True(top.Report!.FinalNll < top.Report.InitialNll, "top-label histogram binning lowers the fit NLL of over-confident logits");
    }

    [Theory]
    [InlineData("vector")]
    [InlineData("matrix")]
    [InlineData("dirichlet")]
    [InlineData("dirichlet-l2")]
    [InlineData("dirichlet-diag")]
    public void Affine_calibrators_equal_the_scipy_fit_and_are_not_above_temperature_scaling(string method)
    {
        var (zf, yf) = Load("fit");
        var r = Ref.GetProperty("affine").GetProperty(method);
        double lambda = r.GetProperty("lambda").GetDouble();
        var cal = LinearCalibrator.Fit(method, zf, K, yf, new LinearFitOptions(Lambda: lambda));
        var ts = TemperatureScaling.Fit(zf, K, yf);
        Assert.Equal(D("temperature"), ts.Temperature, 1e-6);
        Assert.Equal(D("ts_nll"), ts.FittedNll, 1e-9);
        double nll = CalMath.Nll(cal.Transform(zf, K), K, yf);
        Assert.Equal(r.GetProperty("fit_nll").GetDouble(), nll, 1e-4);
        Assert.Equal(r.GetProperty("fit_nll").GetDouble(), cal.Report!.FinalNll, 1e-4);
        Assert.Equal(r.GetProperty("objective").GetDouble(), cal.Report.Details["finalObjective"], 1e-6);
        Assert.True(nll <= ts.FittedNll + 1e-12, $"{method} NLL {nll} above temperature scaling's {ts.FittedNll}");
        Assert.True(cal.Report.Success, cal.Report.Message);
        var (zt, yt) = Load("test");
        Assert.Equal(r.GetProperty("test_nll").GetDouble(), CalMath.Nll(cal.Transform(zt, K), K, yt), 1e-4);
        // Large problems take the TorchSharp path of the same objective: forced here, it gives the same fit.
        long saved = LinearCalibrator.TorchThreshold;
        try
        {
            LinearCalibrator.TorchThreshold = 0;
            var torchFit = LinearCalibrator.Fit(method, zf, K, yf, new LinearFitOptions(Lambda: lambda));
            Assert.Equal(nll, torchFit.Report!.FinalNll, 1e-9);
        }
        finally { LinearCalibrator.TorchThreshold = saved; }
        // λ by cross-validation: still never above temperature scaling on the fit data.
        if (method is "matrix" or "dirichlet" or "dirichlet-l2")
        {
            var cv = LinearCalibrator.Fit(method, zf, K, yf);
            Assert.True(cv.Report!.FinalNll <= ts.FittedNll + 1e-12);
            Assert.Contains(cv.Report.Details.Keys, k => k.StartsWith("cvNll"));
            Assert.True(double.IsPositiveInfinity(cv.Lambda) || LinearFitOptions.DefaultGrid.Contains(cv.Lambda), $"λ = {cv.Lambda}");
        }
    }

    [Fact]
    public void Platt_and_beta_equal_the_maximum_likelihood_reference()
    {
        var (zb, yb) = Load("binary");
        foreach (var m in new[] { "platt", "beta" })
        {
            var c = BinaryCalibrator.Fit(m, zb, 2, yb);
            var coef = Ref.GetProperty(m).GetProperty("coef").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (int j = 0; j < coef.Length; j++) Assert.Equal(coef[j], c.Coefficients[j], 1e-4);
            Assert.Equal(Ref.GetProperty(m).GetProperty("nll").GetDouble(), c.Report!.FinalNll, 1e-8);
            Assert.True(c.Report.Success, c.Report.Message);
        }
        var (zf, yf) = Load("fit");
        Assert.Contains("binary problems", Assert.Throws<LsLabException>(() => BinaryCalibrator.Fit("platt", zf, K, yf)).Message);
    }

    [Fact]
    public void Ensemble_TS_and_scaling_binning_fit_and_report()
    {
        var (zf, yf) = Load("fit");
        var ets = EnsembleTemperatureScaling.Fit(zf, K, yf);
        Assert.Equal(1, ets.Weights.Sum(), 1e-12);
        var ts = TemperatureScaling.Fit(zf, K, yf);
        Assert.True(ets.Report!.FinalNll <= ts.FittedNll + 1e-6, "ETS contains TS (w = (1, 0, 0))");
        Assert.True(ets.Report.Success, ets.Report.Message);
        var sb = ScalingBinning.Fit(zf, K, yf, 10);
        Assert.Equal(10, sb.Values.Length);
        var (zt, _) = Load("test");
        var before = CalMath.SoftmaxRows(zt, K);
        var after = CalMath.SoftmaxRows(sb.Transform(zt, K), K);
        var top = Enumerable.Range(0, zt.Length / K).Select(i => after[i * K + Metrics.ArgMax(before.AsSpan(i * K, K))]).Select(v => Math.Round(v, 9)).Distinct().Count();
        Assert.True(top <= 10, $"scaling-binning gives the predicted class at most 10 distinct probabilities, got {top}");
        Assert.False(sb.Report!.NoOp);
    }

    [Fact]
    public void No_op_fits_are_flagged_and_optimal_inputs_are_not()
    {
        var noOp = FitReport.Parametric("x", true, 10, 1.0, 1.0, moved: false, couldImprove: true, "stopped");
        Assert.True(noOp.NoOp);
        Assert.False(noOp.Success);
        Assert.Equal("no-op", noOp.Status);
        Assert.True(FitReport.Parametric("x", true, 10, 1.0, 1.0, moved: true, couldImprove: true, "stopped").NoOp); // moved but NLL not lower
        // Logits already at their optimal temperature: T = 1 is right, which is not a no-op.
        var (zf, yf) = Load("fit");
        var ts = TemperatureScaling.Fit(zf, K, yf);
        var scaled = zf.Select(v => v / ts.Temperature).ToArray();
        var again = TemperatureScaling.Fit(scaled, K, yf);
        Assert.Equal(1, again.Temperature, 1e-6);
        Assert.False(again.Report!.NoOp, again.Report.Message);
        Assert.True(ts.Report!.Success);
        Assert.True(ts.Report.FinalNll < ts.Report.InitialNll);
    }

    [Fact]
    public void Debiased_KS_smooth_ECE_and_selective_risk_match_the_numpy_references()
    {
        var f = Npy.Read(F("scores_f.npy")).Values;
        var y = Npy.Read(F("scores_y.npy")).Values;
        var s = Ref.GetProperty("scores");
        Assert.Equal(s.GetProperty("debiased_sq").GetDouble(), Estimators.DebiasedSquared(f, y), 1e-12);
        Assert.Equal(s.GetProperty("ks").GetDouble(), Estimators.KsOf(f, y), 1e-12);
        Assert.Equal(s.GetProperty("aurc").GetDouble(), Estimators.Selective(f, y).Aurc, 1e-12);
        Assert.Equal(s.GetProperty("risk_at_0.5").GetDouble(), Estimators.RiskAtCoverage(f, y, 0.5), 1e-12);
        // Smooth ECE: LsLab puts scores on a 1000-interval grid, the reference evaluates the kernel at every score.
        Assert.Equal(s.GetProperty("smece_at_0.05").GetDouble(), Estimators.SmoothEce(f, y, 0.05).Value, 2e-4);
        var sm = Estimators.SmoothEce(f, y);
        Assert.Equal(s.GetProperty("smece").GetDouble(), sm.Value, 2e-4);
        Assert.Equal(sm.Value, sm.Bandwidth, 1e-6); // the fixed point smECE_σ = σ
        Assert.True(sm.Value > 5 * s.GetProperty("global_gap").GetDouble(), "sign-changing miscalibration is not averaged away");
        Assert.Equal(s.GetProperty("ece_lslab").GetDouble(), Estimators.Binned(f, y, 15), 1e-12);
        Assert.Equal(s.GetProperty("ece_torchmetrics").GetDouble(), Estimators.Binned(f, y, 15, BinConvention.UpperOpenPhantomBin, numpyEdges: true), 1e-12);
        var clipped = f.Select(v => Math.Clamp(v, 2.220446049250313e-16, 1 - 2.220446049250313e-16)).ToArray();
        Assert.Equal(s.GetProperty("ece_netcal").GetDouble(), Estimators.Binned(clipped, y, 10, BinConvention.UpperOpen, numpyEdges: true), 1e-12);
        Assert.Equal(s.GetProperty("ace_netcal").GetDouble(), Estimators.Binned(clipped, y, 10, BinConvention.UpperOpen, equalBinWeight: true, numpyEdges: true), 1e-12);
        Assert.Equal(s.GetProperty("ece_sklearn").GetDouble(), Estimators.Binned(f, y, 5, numpyEdges: true), 1e-12);
        // Scores on interior edges, 5 bins everywhere: only the edge rule differs.
        var e5 = Ref.GetProperty("edges5");
        var fe = e5.GetProperty("f").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var ye = e5.GetProperty("y").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(e5.GetProperty("lslab").GetDouble(), Estimators.Binned(fe, ye, 5), 1e-12);
        Assert.Equal(e5.GetProperty("sklearn").GetDouble(), Estimators.Binned(fe, ye, 5, numpyEdges: true), 1e-12);
        Assert.Equal(e5.GetProperty("netcal").GetDouble(), Estimators.Binned(fe, ye, 5, BinConvention.UpperOpen, numpyEdges: true), 1e-12);
        Assert.Equal(e5.GetProperty("torchmetrics").GetDouble(), Estimators.Binned(fe, ye, 5, BinConvention.UpperOpenPhantomBin, numpyEdges: true), 1e-12);
        Assert.Equal(1, Metrics.EqualWidthBin(0.4, 5)); // 0.4 closes bin (0.2, 0.4] although 0.4 · 5 rounds above 2
        Assert.Equal(2, Metrics.EqualWidthBin(0.2, 15));

        var (zt, yt) = Load("test");
        var p = Predictions.FromLogits(zt, K, yt);
        var e = Ref.GetProperty("estimators");
        Assert.Equal(e.GetProperty("debiased_top").GetDouble(), Estimators.DebiasedL2(p), 1e-12);
        Assert.Equal(e.GetProperty("debiased_marginal").GetDouble(), Estimators.DebiasedL2(p, CalibrationMode.ClassWise), 1e-12);
        Assert.Equal(e.GetProperty("ks_top").GetDouble(), Estimators.Ks(p), 1e-12);
        Assert.Equal(e.GetProperty("ks_classwise").GetDouble(), Estimators.Ks(p, CalibrationMode.ClassWise), 1e-12);
        Assert.Equal(e.GetProperty("smece").GetDouble(), Estimators.SmoothEce(p).Value, 2e-4);
        Assert.Equal(e.GetProperty("aurc").GetDouble(), Estimators.Selective(p).Aurc, 1e-12);
        var (cf, ok) = Estimators.Scores(p, CalibrationMode.TopLabel);
        Assert.Equal(e.GetProperty("risk_at_0.8").GetDouble(), Estimators.RiskAtCoverage(cf, ok, 0.8), 1e-12);
    }

    [Fact]
    public void Six_examples_three_bins_top_label_by_hand()
    {
        // conf .6 right, .55 wrong → bin (1/3, 2/3]: |1 − 1.15| / 6 = 0.025.
        // conf .9, .8, .7 right and 1.0 wrong → bin (2/3, 1]: |3 − 3.4| / 6 = 0.4/6. ECE = 0.025 + 0.0666… = 11/120.
        // torchmetrics puts 1.0 in an extra bin: |3 − 2.4|/6 + |0 − 1|/6 + 0.025 = 35/120.
        var probs = new[] { 0.6, 0.4, 0.45, 0.55, 0.9, 0.1, 0.2, 0.8, 0.3, 0.7, 1.0, 0.0 };
        var labels = new[] { 0, 0, 0, 1, 1, 1 };
        var p = Predictions.FromProbabilities(probs, 2, labels);
        Assert.Equal(11.0 / 120, Metrics.Ece(p, 3), 12);
        Assert.Equal(0.1, Metrics.CalibrationError(p, new CalibrationSettings(3, Norm: GapNorm.Max)).Value, 12); // bin gaps .075 and .1
        var (f, y) = Estimators.Scores(p, CalibrationMode.TopLabel);
        Assert.Equal(11.0 / 120, Estimators.Binned(f, y, 3), 12);
        Assert.Equal(35.0 / 120, Estimators.Binned(f, y, 3, BinConvention.UpperOpenPhantomBin), 12);
        Assert.Equal(11.0 / 120, Estimators.Binned(f, y, 3, BinConvention.UpperOpen), 12); // numpy.histogram closes the last bin
    }

    [Fact]
    public void Torchmetrics_3510_case_and_confidence_zero_land_in_real_bins()
    {
        // confidences [0.95, 1.0], targets [1, 0]: both in the last of 15 bins → |1 − 1.95| / 2 = 0.475 (torchmetrics: 0.525).
        var p = Predictions.FromProbabilities(new[] { 0.05, 0.95, 0.0, 1.0 }, 2, new[] { 1, 0 });
        Assert.Equal(0.475, Metrics.Ece(p), 12);
        var bins = Metrics.Reliability(p);
        Assert.Equal(2, bins[14].Count);
        var (f, y) = Estimators.Scores(p, CalibrationMode.PositiveClass);
        var c = Ref.GetProperty("compat").GetProperty("issue3510");
        Assert.Equal(c.GetProperty("lslab").GetDouble(), Estimators.Binned(f, y, 15), 12);
        Assert.Equal(c.GetProperty("torchmetrics").GetDouble(), Estimators.Binned(f, y, 15, BinConvention.UpperOpenPhantomBin, numpyEdges: true), 12);
        Assert.Equal(c.GetProperty("netcal").GetDouble(), Estimators.Binned(f, y, 10, BinConvention.UpperOpen, numpyEdges: true), 12);
        Assert.Equal(c.GetProperty("sklearn").GetDouble(), Estimators.Binned(f, y, 5, numpyEdges: true), 12);
        // Confidence 0.0 goes in the first bin under every convention (torchmetrics once indexed bin −1).
        var z = new[] { 0.0, 0.0, 1.0, 0.5, 0.2 };
        var h = new[] { 0.0, 1.0, 1.0, 1.0, 0.0 };
        var c0 = Ref.GetProperty("compat").GetProperty("zero_and_one");
        Assert.Equal(0, Estimators.Bin(0.0, 15, BinConvention.LowerOpen));
        Assert.Equal(0, Estimators.Bin(0.0, 15, BinConvention.UpperOpenPhantomBin));
        Assert.Equal(c0.GetProperty("lslab").GetDouble(), Estimators.Binned(z, h, 15), 12);
        Assert.Equal(c0.GetProperty("torchmetrics").GetDouble(), Estimators.Binned(z, h, 15, BinConvention.UpperOpenPhantomBin, numpyEdges: true), 12);
        Assert.Equal(c0.GetProperty("netcal").GetDouble(), Estimators.Binned(z, h, 10, BinConvention.UpperOpen, numpyEdges: true), 12);
        Assert.Equal(c0.GetProperty("sklearn").GetDouble(), Estimators.Binned(z, h, 5, numpyEdges: true), 12);
        var pz = Predictions.FromProbabilities(new[] { 1.0, 0.0, 0.0, 1.0 }, 2, new[] { 1, 1 }); // a class with probability 0
        // class 0: p₀ = 1 (no hit) in the last bin, gap 1, weight ½; class 1: p₁ = 0 (a hit) in the first bin, gap 1, weight ½.
        Assert.Equal(0.5, Metrics.CalibrationError(pz, new CalibrationSettings(ClassWise: true)).Value, 12);
    }

    [Fact]
    public void Saved_calibrators_round_trip_and_corrupt_files_are_one_clear_line()
    {
        var (zf, yf) = Load("fit");
        var (zt, _) = Load("test");
        foreach (var m in CalibratorFactory.Multiclass)
        {
            var cal = CalibratorFactory.Fit(m, zf, K, yf, new CalibratorOptions(Lambda: 1e-3));
            string path = Path.Combine(Dir, $"{m}.json");
            CalibratorFile.Save(path, cal, zf, K, yf);
            var (back, body) = CalibratorFile.Load(path);
            Assert.Equal(m, body.Type);
            Assert.Equal(CalibratorFile.FitDataHash(zf, K, yf), body.FitDataSha256);
            var a = cal.TransformProbabilities(zt, K);
            var b = back.TransformProbabilities(zt, K);
            for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 1e-12);
        }
        string good = Path.Combine(Dir, "dirichlet.json");
        var text = File.ReadAllText(good);
        string bad = Path.Combine(Dir, "bad.json");
        File.WriteAllText(bad, text.Replace("\"weights\": [", "\"weights\": [1e-3, "));
        var e = Assert.Throws<LsLabException>(() => CalibratorFile.Load(bad));
        Assert.Contains(bad, e.Message);
        Assert.Contains("checksum mismatch", e.Message);
        File.WriteAllText(bad, text[..(text.Length / 2)]);
        Assert.Contains("malformed JSON", Assert.Throws<LsLabException>(() => CalibratorFile.Load(bad)).Message);
        // An unknown type with a valid checksum.
        var body0 = CalibratorFile.Load(good).Body with { Type = "bbq" };
        var doc = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(text)!;
        doc["type"] = JsonSerializer.SerializeToElement("bbq");
        doc["checksum"] = JsonSerializer.SerializeToElement(CalibratorFile.Checksum(body0));
        File.WriteAllText(bad, JsonSerializer.Serialize(doc));
        var u = Assert.Throws<LsLabException>(() => CalibratorFile.Load(bad));
        Assert.Contains("unknown calibrator type 'bbq'", u.Message);
        Assert.Contains(bad, u.Message);
    }

    [Fact]
    public void Leaderboard_warns_when_a_calibrator_costs_accuracy()
    {
        const int k = 20;
        var (zf, yf) = LambdaPathTests.Make(200, k, 5, t => t.Select(v => 2 * v).ToArray()); // 10 fit rows per class
        var (ze, ye) = LambdaPathTests.Make(3000, k, 6, t => t.Select(v => 2 * v).ToArray());
        var r = CalibrationLeaderboard.Run(new LogitsFile(ze, ye, k, false), new LogitsFile(zf, yf, k, false),
            new LeaderboardOptions(new[] { "temperature", "histogram-classwise" }, Resamples: 50));
        var cw = r.Rows.Single(x => x.Method == "histogram-classwise");
        Assert.True(cw.Delta["accuracy"].Upper < -0.01, $"class-wise binning on 10 rows per class: Δaccuracy {cw.Delta["accuracy"]}");
        Assert.Equal(new[] { "histogram-classwise" }, r.AccuracyLosers().Select(x => x.Method));
        Assert.Contains("warning: histogram-classwise lowers accuracy by", r.ToText());
        Assert.DoesNotContain("warning: temperature", r.ToText());
    }

    [Fact]
    public void Leaderboard_fits_every_calibrator_and_pairs_the_bootstrap()
    {
        var (zf, yf) = Load("fit");
        var (zt, yt) = Load("test");
        var eval = new LogitsFile(zt, yt, K, false);
        var fit = new LogitsFile(zf, yf, K, false);
        var r = CalibrationLeaderboard.Run(eval, fit, new LeaderboardOptions(CalibratorFactory.All(K), Resamples: 50));
        Assert.Equal(1 + CalibratorFactory.Multiclass.Length, r.Rows.Count);
        Assert.All(r.Rows, row => Assert.Equal(r.Columns.Count, row.Values.Count));
        Assert.All(r.Rows.Skip(1), row => Assert.True(row.Fit!.Success, $"{row.Method}: {row.Fit.Message}"));
        var ts = r.Rows.Single(x => x.Method == "temperature");
        Assert.Equal(new DeltaInterval(0, 0), ts.Delta["accuracy"]); // TS keeps the argmax: Δaccuracy is 0 in every resample
        Assert.True(ts.Delta["nll"].Upper < 0, "TS lowers NLL significantly on over-confident logits");
        foreach (var m in new[] { "matrix", "dirichlet", "dirichlet-l2", "vector", "dirichlet-diag" })
            Assert.True(r.Rows.Single(x => x.Method == m).Fit!.FinalNll <= ts.Fit!.FinalNll + 1e-12, m);
        Assert.Equal(r.Rows.MinBy(x => x.Values["nll"])!.Method, r.Best["nll"]);
        var text = r.ToText();
        Assert.Contains("*", text);
        Assert.Contains("smooth ECE", text);
        var csv = r.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(r.Rows.Count + 1, csv.Length);
        Assert.StartsWith("method,status,fit_nll,fit_seconds,accuracy,accuracy_delta_lower", csv[0]);
        // The uncalibrated row's values equal the plain metrics.
        var p = Predictions.FromLogits(zt, K, yt);
        Assert.Equal(Metrics.Ece(p), r.Rows[0].Values["ece"], 12);
        Assert.Equal(Metrics.Nll(p), r.Rows[0].Values["nll"], 12);
        Assert.Equal(Metrics.CalibrationError(p, new CalibrationSettings(ClassWise: true)).Value, r.Rows[0].Values["cwece"], 12);
        Assert.Equal(Metrics.CalibrationError(p, new CalibrationSettings(Binning: Binning.EqualMass)).Value, r.Rows[0].Values["ace"], 12);
        Assert.Equal(Estimators.Selective(p).Aurc, r.Rows[0].Values["aurc"], 12);
        var (cf, ok) = Estimators.Scores(p, CalibrationMode.TopLabel);
        Assert.Equal(Estimators.RiskAtCoverage(cf, ok, 0.9), r.Rows[0].Values["risk90"], 12);

        // Cross-fitting: every evaluation row is calibrated by a calibrator that did not see it.
        var cv = CalibrationLeaderboard.Run(eval, null, new LeaderboardOptions(new[] { "temperature", "isotonic" }, Resamples: 0, CvFolds: 4));
        Assert.Contains("4-fold cross-fitting", cv.FitSource);
        Assert.Equal(600, cv.FitRows);
        Assert.All(cv.Rows, row => Assert.True(double.IsFinite(row.Values["nll"])));
        Assert.Empty(cv.Rows[1].Delta);
        // --compat torchmetrics: the ECE column changes only by its conventions.
        var tm = CalibrationLeaderboard.Run(eval, fit, new LeaderboardOptions(new[] { "temperature" }, Resamples: 0, Compat: CompatMode.Torchmetrics));
        Assert.Equal(Estimators.Binned(cf, ok, 15, BinConvention.UpperOpenPhantomBin, numpyEdges: true), tm.Rows[0].Values["ece"], 12);
        Assert.Contains("extra bin", tm.Columns.Single(c => c.Key == "ece").Name);
    }

    [Fact]
    public void Leaderboard_rows_equal_the_plain_estimators_on_each_calibrators_probabilities()
    {
        // The leaderboard's chunked evaluation (one softmax per row, probabilities of binning calibrators passed straight
        // through) against the one-call estimators on the full probability matrix TransformProbabilities gives.
        var (zf, yf) = Load("fit");
        var (zt, yt) = Load("test");
        var r = CalibrationLeaderboard.Run(new LogitsFile(zt, yt, K, false), new LogitsFile(zf, yf, K, false), new LeaderboardOptions(CalibratorFactory.All(K), Resamples: 0));
        foreach (var row in r.Rows)
        {
            var probs = row.Method == "uncalibrated" ? CalMath.SoftmaxRows(zt, K) : CalibratorFactory.Fit(row.Method, zf, K, yf).TransformProbabilities(zt, K);
            var p = Predictions.FromProbabilities(probs, K, yt);
            var v = row.Values;
            string m = row.Method;
            Assert.True(Math.Abs(Metrics.Accuracy(p) - v["accuracy"]) < 1e-12, m);
            Assert.True(Math.Abs(Metrics.Nll(p) - v["nll"]) < 1e-12, m);
            Assert.True(Math.Abs(Metrics.Brier(p) - v["brier"]) < 1e-12, m);
            Assert.True(Math.Abs(Metrics.Ece(p) - v["ece"]) < 1e-12, m);
            Assert.True(Math.Abs(Metrics.CalibrationError(p, new CalibrationSettings(ClassWise: true)).Value - v["cwece"]) < 1e-12, m);
            // The sort-based estimators: equal confidences stay exactly equal, so their ties go by index as documented.
            Assert.True(Math.Abs(Metrics.CalibrationError(p, new CalibrationSettings(Binning: Binning.EqualMass)).Value - v["ace"]) < 1e-12, m);
            Assert.True(Math.Abs(Estimators.Ks(p) - v["ks"]) < 1e-12, m);
            Assert.True(Math.Abs(Estimators.DebiasedL2(p) - v["dece"]) < 1e-12, m);
            Assert.True(Math.Abs(Estimators.Selective(p).Aurc - v["aurc"]) < 1e-12, m);
            Assert.True(Math.Abs(Estimators.SmoothEce(p).Value - v["smece"]) < 1e-12, m);
        }
        // Top-label histogram binning gives the predicted class one of its 15 bin values, exactly (no log/exp round trip that
        // would make equal values unequal), and the leaderboard's confidences are those probabilities.
        var hist = r.Rows.Single(x => x.Method == "histogram");
        var hp = CalibratorFactory.Fit("histogram", zf, K, yf).TransformProbabilities(zt, K);
        var before = CalMath.SoftmaxRows(zt, K);
        var top = Enumerable.Range(0, yt.Length).Select(i => hp[i * K + Metrics.ArgMax(before.AsSpan(i * K, K))]).Distinct().Count();
        Assert.True(top <= 15, $"{top} distinct probabilities of the predicted class");
        for (int i = 0; i < yt.Length; i++) Assert.Equal(hp.AsSpan(i * K, K).ToArray().Max(), hist.Confidences[i]);
    }

    [Theory]
    [InlineData(CompatMode.None)]
    [InlineData(CompatMode.Torchmetrics)]
    public void Leaderboard_bootstrap_equals_a_plain_loop_over_the_same_resamples(CompatMode compat)
    {
        var (zf, yf) = Load("fit");
        var (zt, yt) = Load("test");
        string[] methods = { "temperature", "histogram" };
        const int resamples = 21, seed = 3; // 21: not a multiple of the 8 resamples the fast path takes per pass
        var r = CalibrationLeaderboard.Run(new LogitsFile(zt, yt, K, false), new LogitsFile(zf, yf, K, false),
            new LeaderboardOptions(methods, Resamples: resamples, Seed: seed, Compat: compat));
        int n = yt.Length;
        var conv = CalibrationLeaderboard.Convention(compat);
        // Per method, the per-example values computed the plain way: p = exp(log softmax(calibrated logits)).
        var perMethod = new List<(double[] Ok, double[] Nll, double[] Brier, double[] F, double[] Y)>();
        foreach (var z in new[] { zt }.Concat(methods.Select(m => CalibratorFactory.Fit(m, zf, K, yf).Transform(zt, K))))
        {
            var (ok, nll, brier, f, y) = (new double[n], new double[n], new double[n], new double[n], new double[n]);
            var p = new double[K];
            for (int i = 0; i < n; i++)
            {
                CalMath.LogSoftmax(z.AsSpan(i * K, K), p);
                for (int j = 0; j < K; j++) p[j] = Math.Exp(p[j]);
                int a = Array.IndexOf(p, p.Max());
                ok[i] = a == yt[i] ? 1 : 0;
                nll[i] = -Math.Log(Math.Max(p[yt[i]], 1e-300));
                brier[i] = Enumerable.Range(0, K).Sum(j => Math.Pow(p[j] - (j == yt[i] ? 1 : 0), 2));
                (f[i], y[i]) = (p[a], ok[i]);
            }
            perMethod.Add((ok, nll, brier, f, y));
        }
        // Each resample as the list of drawn rows (repeats included), every metric recomputed on it.
        var stats = new double[resamples, perMethod.Count, 4];
        for (int rs = 0; rs < resamples; rs++)
        {
            var counts = CalibrationLeaderboard.ResampleCounts(n, seed, rs);
            Assert.Equal(n, counts.Sum());
            var rowsDrawn = Enumerable.Range(0, n).SelectMany(i => Enumerable.Repeat(i, counts[i])).ToArray();
            for (int m = 0; m < perMethod.Count; m++)
            {
                var v = perMethod[m];
                stats[rs, m, 0] = rowsDrawn.Average(i => v.Ok[i]);
                stats[rs, m, 1] = rowsDrawn.Average(i => v.Nll[i]);
                stats[rs, m, 2] = rowsDrawn.Average(i => v.Brier[i]);
                stats[rs, m, 3] = Estimators.Binned(rowsDrawn.Select(i => v.F[i]).ToArray(), rowsDrawn.Select(i => v.Y[i]).ToArray(), 15, conv, numpyEdges: compat != CompatMode.None);
            }
        }
        string[] keys = { "accuracy", "nll", "brier", "ece" };
        for (int m = 1; m < perMethod.Count; m++)
            for (int q = 0; q < 4; q++)
            {
                var d = Enumerable.Range(0, resamples).Select(rs => stats[rs, m, q] - stats[rs, 0, q]).OrderBy(x => x).ToArray();
                var got = r.Rows[m].Delta[keys[q]];
                Assert.Equal(BinEdges.Quantile(d, 0.025), got.Lower, 1e-9);
                Assert.Equal(BinEdges.Quantile(d, 0.975), got.Upper, 1e-9);
            }
        Assert.True(r.Rows[2].Delta["ece"].Upper < 0, "histogram binning lowers the ECE of these over-confident logits");
    }

    static void WriteNpz(string path, params (string Name, string NpyFile)[] arrays)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, file) in arrays) zip.CreateEntryFromFile(file, name + ".npy");
    }

    [Fact]
    public void Inputs_npz_keys_float_labels_binary_scores_and_rounded_probabilities()
    {
        var (zt, yt) = Load("test");
        string lg = Path.Combine(Dir, "z.npy"), lb = Path.Combine(Dir, "y.npy"), npz = Path.Combine(Dir, "both.npz");
        Npy.Write(lg, zt, yt.Length, K);
        Npy.Write(lb, yt.Select(v => (double)v).ToArray(), yt.Length); // float-integral labels
        WriteNpz(npz, ("logits", lg), ("labels", lb));
        var a = CalibrationInputs.Load(npz, npz, InputKind.Auto, "logits");
        Assert.Equal(zt, a.Logits);
        Assert.Equal(yt, a.Labels);
        Assert.Contains("no array 'nope'", Assert.Throws<LsLabException>(() => CalibrationInputs.Load(npz, npz, InputKind.Auto, "nope")).Message);
        // Positive-class probabilities as a 1-D array: a binary problem.
        var s = Npy.Read(F("binary_positive_scores.npy")).Values;
        var yb = Npy.Read(F("binary_labels.npy")).Values.Select(v => (int)v).ToArray();
        string sp = Path.Combine(Dir, "s.npy");
        Npy.Write(sp, s, s.Length);
        var bin = CalibrationInputs.Load(sp, F("binary_labels.npy"));
        Assert.True(bin.WereProbabilities);
        Assert.Equal(2, bin.K);
        var q = Predictions.FromLogits(bin.Logits, 2, bin.Labels);
        for (int i = 0; i < s.Length; i++) Assert.Equal(s[i], q.Probs[2 * i + 1], 1e-9);
        // Probabilities rounded to 2 decimals are refused in auto mode (not silently read as logits).
        var pr = CalMath.SoftmaxRows(zt, K).Select(v => Math.Round(v, 2)).ToArray();
        string rp = Path.Combine(Dir, "rounded.npy");
        Npy.Write(rp, pr, yt.Length, K);
        var e = Assert.Throws<LsLabException>(() => CalibrationInputs.Load(rp, lb));
        Assert.Contains("rounded probabilities", e.Message);
        Assert.Contains(rp, e.Message);
        Assert.True(CalibrationInputs.Load(rp, lb, InputKind.Probabilities).WereProbabilities);
        File.WriteAllText(Path.Combine(Dir, "bad.csv"), "0\n1.5\n");
        Assert.Contains("integer class index", Assert.Throws<LsLabException>(() => CalibrationInputs.ReadLabels(Path.Combine(Dir, "bad.csv"))).Message);
    }
}

/// <summary>`lslab calibrate --method all`, `--save` and `calibrate apply` through the real CLI (child processes).</summary>
public sealed class CalibrateCliTests : TempDirTest
{
    static string F(string name) => Path.Combine(AppContext.BaseDirectory, "Calibration", "Fixtures", "toolkit", name);
    const int K = 4;

    [Fact]
    public void Cli_leaderboard_save_and_apply_round_trip()
    {
        var outDir = Path.Combine(Dir, "lb");
        var (code, stdout, err) = CliProcess.Run("calibrate", "--logits", F("test_logits.npy"), "--labels", F("test_labels.npy"),
            "--fit-logits", F("fit_logits.npy"), "--fit-labels", F("fit_labels.npy"), "--method", "all", "--bootstrap", "20", "--out", outDir);
        Assert.True(code == 0, err);
        foreach (var m in CalibratorFactory.Multiclass) Assert.Contains(m, stdout);
        Assert.Contains("smece", stdout);
        Assert.True(File.Exists(Path.Combine(outDir, "leaderboard.json")));
        Assert.Equal(1 + CalibratorFactory.Multiclass.Length + 1, File.ReadAllLines(Path.Combine(outDir, "leaderboard.csv")).Length);
        foreach (var f in new[] { "reliability-all.png", "reliability-uncalibrated.png", "smooth-ece.png" })
            Assert.True(new FileInfo(Path.Combine(outDir, f)).Length > 5_000, f);

        string cal = Path.Combine(Dir, "cal.json"), probs = Path.Combine(Dir, "probs.npy");
        (code, _, err) = CliProcess.Run("calibrate", "--logits", F("fit_logits.npy"), "--labels", F("fit_labels.npy"), "--method", "dirichlet",
            "--bootstrap", "0", "--save", cal, "--format", "csv");
        Assert.True(code == 0, err);
        (code, stdout, err) = CliProcess.Run("calibrate", "apply", "--calibrator", cal, "--logits", F("test_logits.npy"), "--out", probs);
        Assert.True(code == 0, err);
        var (c, _) = CalibratorFile.Load(cal);
        var want = c.TransformProbabilities(Npy.Read(F("test_logits.npy")).Values, K);
        var got = Npy.Read(probs).Values;
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < got.Length; i++) Assert.Equal(want[i], got[i], 1e-6);

        File.WriteAllText(cal, File.ReadAllText(cal).Replace("\"bias\": [", "\"bias\": [0.5, "));
        (code, _, err) = CliProcess.Run("calibrate", "apply", "--calibrator", cal, "--logits", F("test_logits.npy"), "--out", probs);
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(cal, err);
        (code, _, err) = CliProcess.Run("calibrate", "--run", Dir, "--logits", F("test_logits.npy"));
        Assert.Equal(2, code);
        Assert.Contains("--run and --logits cannot be used together", err);
    }
}
