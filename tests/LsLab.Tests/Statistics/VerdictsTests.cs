using LsLab.Experiments;
using LsLab.Statistics;

namespace LsLab.Tests.Statistics;

public class VerdictsTests
{
    static ClaimEvidence Ev(ClaimKind kind, double est, double lo, double hi, int n = 2000, int seeds = 3) =>
        new(kind, "accuracy", est, lo, hi) { Examples = n, Seeds = seeds };

    static readonly ClaimRule Increase = ClaimRule.Difference("accuracy", Direction.Increase);
    static readonly ClaimRule Equal = ClaimRule.Equivalence("accuracy", Margins.AccuracyEquivalence);

    [Theory]
    [InlineData(0.02, 0.01, 0.03, Verdict.Reproduced)]       // interval above 0
    [InlineData(-0.02, -0.03, -0.01, Verdict.NotReproduced)] // clear difference the wrong way
    [InlineData(0.004, -0.006, 0.014, Verdict.Inconclusive)] // contains 0
    [InlineData(0.0, 0.0, 0.01, Verdict.Inconclusive)]       // touching 0 is not excluding it
    public void Difference_increase(double est, double lo, double hi, Verdict expected) =>
        Assert.Equal(expected, Verdicts.Decide(Increase, Ev(ClaimKind.Difference, est, lo, hi)).Verdict);

    [Fact]
    public void Difference_decrease_flips_the_sides()
    {
        var rule = ClaimRule.Difference("ECE", Direction.Decrease);
        Assert.Equal(Verdict.Reproduced, Verdicts.Decide(rule, Ev(ClaimKind.Difference, -0.05, -0.07, -0.03)).Verdict);
        Assert.Equal(Verdict.NotReproduced, Verdicts.Decide(rule, Ev(ClaimKind.Difference, 0.05, 0.03, 0.07)).Verdict);
    }

    [Fact]
    public void Difference_far_below_the_papers_effect_is_partly_and_never_reproduced_when_the_interval_contains_0()
    {
        var rule = ClaimRule.Difference("ECE", Direction.Decrease, paperEffect: -0.129);
        var small = Verdicts.Decide(rule, Ev(ClaimKind.Difference, -0.02, -0.03, -0.01));
        Assert.Equal(Verdict.Partly, small.Verdict);
        Assert.Contains("size does not", small.Why);
        Assert.Equal(Verdict.Reproduced, Verdicts.Decide(rule, Ev(ClaimKind.Difference, -0.1, -0.14, -0.07)).Verdict);
        // Narrow interval at 0, excluding the paper's effect: powered, and no effect seen.
        var none = Verdicts.Decide(rule, Ev(ClaimKind.Difference, -0.005, -0.02, 0.01));
        Assert.Equal(Verdict.NotReproduced, none.Verdict);
        Assert.Contains("would have been seen", none.Why);
        // Wide interval containing both 0 and the paper's effect: underpowered.
        var wide = Verdicts.Decide(rule, Ev(ClaimKind.Difference, -0.06, -0.2, 0.05, n: 500));
        Assert.Equal(Verdict.Inconclusive, wide.Verdict);
        // Half-width 0.125 against half the paper's effect 0.0645: (0.125/0.0645)² ≈ 3.76× the data.
        Assert.Equal(Math.Pow(0.125 / 0.0645, 2), wide.MoreData!.Value, 1e-9);
        Assert.Contains($"≈ {Math.Ceiling(500 * Math.Pow(0.125 / 0.0645, 2)):F0} test examples", wide.Why);
    }

    [Theory]
    [InlineData(0.001, -0.002, 0.003, Verdict.Reproduced)]     // tight, inside ±0.005
    [InlineData(0.001, -0.012, 0.014, Verdict.Inconclusive)]   // half-width > margin: underpowered
    [InlineData(0.003, -0.001, 0.007, Verdict.Inconclusive)]   // straddles the margin
    [InlineData(0.02, 0.01, 0.03, Verdict.NotReproduced)]      // entirely outside
    [InlineData(-0.02, -0.03, -0.005, Verdict.NotReproduced)]  // entirely outside, other side (touching the margin counts as outside)
    [InlineData(0.001, -0.005, 0.004, Verdict.Inconclusive)]   // touching −margin is not inside
    public void Equivalence(double est, double lo, double hi, Verdict expected) =>
        Assert.Equal(expected, Verdicts.Decide(Equal, Ev(ClaimKind.Equivalence, est, lo, hi)).Verdict);

    static readonly ClaimRule AtLeastAsGood = ClaimRule.NonInferiority("accuracy", Margins.DistillationAccuracyEquivalence);

    [Theory]
    [InlineData(0.001, -0.003, 0.005, Verdict.Reproduced)]     // whole interval above −0.005
    [InlineData(0.03, 0.02, 0.04, Verdict.Reproduced)]         // clearly better also satisfies "at least as good" (equivalence would reject it)
    [InlineData(-0.02, -0.03, -0.006, Verdict.NotReproduced)]  // worse by more than the margin
    [InlineData(-0.03, -0.04, -0.005, Verdict.NotReproduced)]  // touching −margin from below counts as below
    [InlineData(0.0, -0.012, 0.012, Verdict.Inconclusive)]     // underpowered: reaches below −margin
    [InlineData(-0.006, -0.02, 0.008, Verdict.Inconclusive)]   // estimate itself below −margin
    public void NonInferiority(double est, double lo, double hi, Verdict expected) =>
        Assert.Equal(expected, Verdicts.Decide(AtLeastAsGood, Ev(ClaimKind.NonInferiority, est, lo, hi)).Verdict);

    [Fact]
    public void Underpowered_non_inferiority_says_how_much_more_data_is_needed_and_carries_its_margin()
    {
        var d = Verdicts.Decide(AtLeastAsGood, Ev(ClaimKind.NonInferiority, 0.0, -0.012, 0.012, n: 2000));
        // Half-width 0.012 against estimate + margin = 0.005: (0.012 / 0.005)² = 5.76× the data.
        Assert.Equal(5.76, d.MoreData!.Value, 1e-9);
        var claim = Verdicts.ToClaim("s", "p", "o", AtLeastAsGood, Ev(ClaimKind.NonInferiority, 0.001, -0.003, 0.005));
        Assert.Equal(0.005, claim.Evidence!.Margin);
        Assert.Equal(Verdict.Reproduced, claim.Verdict);
    }

    [Fact]
    public void Weakest_cell_is_the_one_a_claim_that_must_hold_everywhere_is_judged_on()
    {
        var tight = Bootstrap.Paired(Enumerable.Repeat(0.02, 50).Select((v, i) => v + 0.001 * (i % 3)).ToArray(), new double[50], resamples: 200);
        var loose = Bootstrap.Paired(Enumerable.Range(0, 50).Select(i => i % 2 == 0 ? 0.1 : -0.05).ToArray(), new double[50], resamples: 200);
        var cells = new[] { ("tight", tight), ("loose", loose) };
        Assert.Equal("loose", Verdicts.Weakest(cells, Increase).Cell); // lowest lower end
        Assert.Equal("loose", Verdicts.Weakest(cells, Equal).Cell);    // furthest from 0
        var negTight = Bootstrap.Paired(new double[50], tight.Resampled.Take(50).ToArray(), resamples: 200);
        var decrease = ClaimRule.Difference("x", Direction.Decrease);
        Assert.Equal("b", Verdicts.Weakest(new[] { ("a", negTight), ("b", loose) }, decrease).Cell); // highest upper end
    }

    [Fact]
    public void Consistency_check_rejects_claims_without_evidence_or_reproduced_against_their_interval()
    {
        var ok = Verdicts.ToClaim("s", "p", "o", Increase, Ev(ClaimKind.Difference, 0.02, 0.01, 0.03));
        Verdicts.CheckConsistent(ok);
        Assert.Throws<InvalidOperationException>(() => Verdicts.CheckConsistent(new Claim("s", "p", "o", Verdict.Reproduced, "hand-made")));
        Assert.Throws<InvalidOperationException>(() => Verdicts.CheckConsistent(ok with { Evidence = Ev(ClaimKind.Difference, 0.01, -0.01, 0.03) }));
        var eq = Ev(ClaimKind.Equivalence, 0.001, -0.002, 0.007) with { Margin = 0.005 };
        Assert.Throws<InvalidOperationException>(() => Verdicts.CheckConsistent(ok with { Evidence = eq }));
        Verdicts.CheckConsistent(ok with { Evidence = eq, Verdict = Verdict.Inconclusive });
    }

    [Fact]
    public void Unjudged_claims_are_inconclusive_and_still_carry_every_evidence_field()
    {
        var c = Verdicts.Unjudged("s", "p", "o", Equal, "nothing to compare", seeds: 1, examples: 300);
        Assert.Equal(Verdict.Inconclusive, c.Verdict);
        Assert.NotNull(c.Evidence);
        Assert.Equal(ClaimKind.Equivalence, c.Evidence!.Kind);
        Assert.Equal(0.005, c.Evidence.Margin);
        Assert.True(double.IsNaN(c.Evidence.Estimate));
        Assert.Equal("none", c.Evidence.SelectedOn);
    }

    [Fact]
    public void Underpowered_no_difference_is_inconclusive_and_says_how_many_examples_are_needed()
    {
        // A real, computed interval: two classifiers on only 200 examples that disagree on 10 of them,
        // 5 each way, so the estimate is exactly 0 but the interval is far wider than ±0.5 points.
        var rng = new Random(1);
        var a = Enumerable.Range(0, 200).Select(_ => rng.NextDouble() < 0.8 ? 1.0 : 0.0).ToArray();
        var b = (double[])a.Clone();
        foreach (int i in Enumerable.Range(0, 200).Where(i => a[i] == 1).Take(5).Concat(Enumerable.Range(0, 200).Where(i => a[i] == 0).Take(5))) b[i] = 1 - a[i];
        var e = Bootstrap.Paired(a, b, 1000, 0).ToEvidence(ClaimKind.Equivalence, "accuracy", Margins.AccuracyEquivalence.Value);
        Assert.Equal(0, e.Estimate, 1e-15);
        Assert.True(e.HalfWidth > Margins.AccuracyEquivalence.Value);
        var d = Verdicts.Decide(Equal, e);
        Assert.Equal(Verdict.Inconclusive, d.Verdict);
        double factor = Math.Pow(e.HalfWidth / Margins.AccuracyEquivalence.Value, 2);
        Assert.Equal(factor, d.MoreData!.Value, 1e-9);
        Assert.Contains($"≈ {Math.Ceiling(200 * factor):F0} test examples instead of 200", d.Why);
        Assert.Contains("one seed", d.Why);
        Assert.Contains("fails", d.Why); // TOST at 5 % fails too
    }

    [Fact]
    public void Powered_equivalence_with_a_tight_computed_interval_is_reproduced()
    {
        // 20,000 examples; B loses 50 of A's correct answers and gains 45: difference 0.025 points, half-width ≈ 0.1 point.
        var rng = new Random(2);
        var a = Enumerable.Range(0, 20000).Select(_ => rng.NextDouble() < 0.9 ? 1.0 : 0.0).ToArray();
        var b = (double[])a.Clone();
        foreach (int i in Enumerable.Range(0, a.Length).Where(i => a[i] == 1).Take(50).Concat(Enumerable.Range(0, a.Length).Where(i => a[i] == 0).Take(45))) b[i] = 1 - a[i];
        var e = Bootstrap.Paired(a, b, 500, 0).ToEvidence(ClaimKind.Equivalence, "accuracy", Margins.AccuracyEquivalence.Value);
        Assert.Equal(5.0 / 20000, e.Estimate, 1e-12);
        Assert.InRange(e.HalfWidth, 0.0005, 0.0015);
        var d = Verdicts.Decide(Equal, e);
        Assert.Equal(Verdict.Reproduced, d.Verdict);
        Assert.Contains("TOST at 5%", d.Why);
        Assert.Contains("passes", d.Why);
        // The same data judged as a difference: the interval contains 0.
        var asDifference = Verdicts.Decide(Increase, e with { Kind = ClaimKind.Difference });
        Assert.Equal(Verdict.Inconclusive, asDifference.Verdict);
    }

    [Fact]
    public void Equivalence_margin_comes_from_the_rule_or_the_evidence()
    {
        var bare = new ClaimRule(ClaimKind.Equivalence, "BLEU");
        var e = new ClaimEvidence(ClaimKind.Equivalence, "BLEU", 0.1, -0.2, 0.3) { Margin = 0.5, Examples = 500 };
        Assert.Equal(Verdict.Reproduced, Verdicts.Decide(bare, e).Verdict);
        Assert.Throws<ArgumentException>(() => Verdicts.Decide(bare, e with { Margin = null }));
    }

    [Theory]
    [InlineData(0.02, 0.01, 0.03, Verdict.Reproduced)]
    [InlineData(-0.02, -0.03, -0.01, Verdict.NotReproduced)]
    [InlineData(0.01, -0.01, 0.03, Verdict.Inconclusive)]
    public void Ordering(double est, double lo, double hi, Verdict expected) =>
        Assert.Equal(expected, Verdicts.Decide(ClaimRule.Ordering("accuracy"), Ev(ClaimKind.Ordering, est, lo, hi)).Verdict);

    [Theory]
    [InlineData(-0.4, -0.6, -0.2, Verdict.Reproduced)]
    [InlineData(0.4, 0.2, 0.6, Verdict.NotReproduced)]
    [InlineData(-0.1, -0.5, 0.3, Verdict.Inconclusive)]
    public void Trend_falling(double est, double lo, double hi, Verdict expected) =>
        Assert.Equal(expected, Verdicts.Decide(ClaimRule.Trend("MI", Direction.Decrease), Ev(ClaimKind.Trend, est, lo, hi)).Verdict);

    [Fact]
    public void Trend_with_the_papers_slope_can_be_partly_or_ruled_out()
    {
        var rule = ClaimRule.Trend("MI", Direction.Decrease, paperSlope: -1.0);
        Assert.Equal(Verdict.Partly, Verdicts.Decide(rule, Ev(ClaimKind.Trend, -0.2, -0.3, -0.1)).Verdict);
        Assert.Equal(Verdict.NotReproduced, Verdicts.Decide(rule, Ev(ClaimKind.Trend, -0.1, -0.4, 0.2)).Verdict);
        Assert.Equal(Verdict.Inconclusive, Verdicts.Decide(rule, Ev(ClaimKind.Trend, -0.5, -1.5, 0.5)).Verdict);
    }

    [Fact]
    public void Tost_uses_the_90_percent_interval_and_can_pass_where_the_95_percent_verdict_does_not()
    {
        // Resample values 0..999 / 1000 · 0.01: 90 % interval ≈ [0.0005, 0.0095], 95 % ≈ [0.00025, 0.00975].
        var d = new BootstrapDistribution(0.005, Enumerable.Range(0, 1000).Select(i => i / 1000.0 * 0.01).ToArray(), 1000, 1);
        Assert.True(d.TostEquivalent(0.0096));
        Assert.False(d.TostEquivalent(0.0094));
        var e = d.ToEvidence(ClaimKind.Equivalence, "accuracy", 0.0096);
        var v = Verdicts.Decide(new ClaimRule(ClaimKind.Equivalence, "accuracy"), e);
        Assert.Equal(Verdict.Inconclusive, v.Verdict); // 95 % upper end 0.00975 ≥ 0.0096
        Assert.Contains("passes", v.Why);
    }

    [Fact]
    public void Smoke_runs_are_inconclusive_whatever_the_numbers()
    {
        var clear = Ev(ClaimKind.Difference, 0.2, 0.1, 0.3);
        Assert.Equal(Verdict.Reproduced, Verdicts.Decide(Increase, clear).Verdict);
        var d = Verdicts.Decide(Increase, clear, smoke: true);
        Assert.Equal((Verdict.Inconclusive, Verdicts.SmokeWhy), (d.Verdict, d.Why));
        Assert.Equal(Verdict.Inconclusive, Verdicts.Decide(Increase, clear, Profile.Tiny).Verdict);
        Assert.Equal(Verdict.Reproduced, Verdicts.Decide(Increase, clear, Profile.Quick).Verdict);
    }

    [Fact]
    public void Mismatched_kind_and_non_finite_evidence_are_handled()
    {
        Assert.Throws<ArgumentException>(() => Verdicts.Decide(Increase, Ev(ClaimKind.Equivalence, 0, -1, 1)));
        Assert.Equal(Verdict.Inconclusive, Verdicts.Decide(Increase, Ev(ClaimKind.Difference, double.NaN, 0, 1)).Verdict);
    }

    [Fact]
    public void Zero_estimate_without_a_paper_effect_says_no_amount_of_data_helps()
    {
        var d = Verdicts.Decide(Increase, Ev(ClaimKind.Difference, 0, -0.01, 0.01));
        Assert.Equal(Verdict.Inconclusive, d.Verdict);
        Assert.Null(d.MoreData);
        Assert.Contains("no amount of data", d.Why);
    }
}

public class ToClaimTests
{
    [Fact]
    public void ToClaim_attaches_evidence_with_the_rules_margin_and_the_decided_verdict()
    {
        var e = new ClaimEvidence(ClaimKind.Equivalence, "accuracy", 0.001, -0.002, 0.003) { Examples = 10000, Seeds = 3 };
        var c = Verdicts.ToClaim("LS changes accuracy little.", "+0.6 points", "+0.1 points", ClaimRule.Equivalence("accuracy", Margins.AccuracyEquivalence), e);
        Assert.Equal(LsLab.Experiments.Verdict.Reproduced, c.Verdict);
        Assert.Equal(0.005, c.Evidence!.Margin);
        Assert.Contains("inside the margin", c.Why);
        var smoke = Verdicts.ToClaim("s", "p", "o", ClaimRule.Equivalence("accuracy", Margins.AccuracyEquivalence), e, smoke: true);
        Assert.Equal((LsLab.Experiments.Verdict.Inconclusive, Verdicts.SmokeWhy), (smoke.Verdict, smoke.Why));
    }
}
