using LsLab.Statistics;

namespace LsLab.Tests.Statistics;

public class SelectionAndMarginsTests
{
    sealed record Candidate(double Alpha, double ValidationEce, double TestEce);

    [Fact]
    public void Picks_the_validation_best_alpha_when_test_best_differs()
    {
        var candidates = new[]
        {
            new Candidate(0.0, 0.080, 0.079),
            new Candidate(0.05, 0.021, 0.030), // validation-best
            new Candidate(0.1, 0.026, 0.018),  // test-best
        };
        Assert.NotEqual(candidates.MinBy(c => c.TestEce), candidates.MinBy(c => c.ValidationEce));
        Assert.Equal(0.05, Select.OnValidation(candidates, c => c.ValidationEce, Better.Lower).Alpha);
        Assert.Equal(0.0, Select.OnValidation(candidates, c => c.ValidationEce, Better.Higher).Alpha);
    }

    [Fact]
    public void Ties_go_to_the_first_and_NaN_is_never_chosen()
    {
        Assert.Equal(1, Select.OnValidation(new[] { 1, 2, 3 }, i => i == 3 ? double.NaN : 0.5));
        Assert.Equal(2, Select.OnValidation(new[] { 1, 2 }, i => i == 1 ? double.NaN : -1));
        Assert.Throws<ArgumentException>(() => Select.OnValidation(Array.Empty<int>(), _ => 0));
        Assert.Throws<ArgumentException>(() => Select.OnValidation(new[] { 1 }, _ => double.NaN));
    }

    [Fact]
    public void Margins_table_has_unique_names_positive_values_and_a_reason_each()
    {
        Assert.Equal(Margins.All.Count, Margins.All.Select(m => m.Name).Distinct().Count());
        Assert.All(Margins.All, m => { Assert.True(m.Value > 0, m.Name); Assert.False(string.IsNullOrWhiteSpace(m.Why), m.Name); });
        Assert.Equal(0.005, Margins.Get("accuracy.equivalence").Value);
        Assert.Equal(Margins.All.Count, Margins.Rows().Count);
        Assert.All(Margins.Rows(), r => Assert.Equal(Margins.Columns.Count, r.Count));
        Assert.Throws<ArgumentException>(() => Margins.Get("no.such.margin"));
    }

    [Fact]
    public void The_papers_own_LS_and_TS_ECE_gaps_fit_inside_the_ECE_margin()
    {
        // The margin is chosen so the paper's own "about as well" numbers would count as equivalent.
        Assert.True(Math.Abs(0.024 - 0.021) < Margins.EceEquivalence.Value);
        Assert.True(Math.Abs(0.035 - 0.022) < Margins.EceEquivalence.Value);
    }
}
