namespace LsLab.Statistics;

/// <summary>Which way a score is better.</summary>
public enum Better
{
    /// <summary>Higher scores are better (accuracy, BLEU).</summary>
    Higher,
    /// <summary>Lower scores are better (NLL, ECE).</summary>
    Lower,
}

/// <summary>
/// Choices (α, temperature, epoch, checkpoint) made on the validation split only, so the test split
/// is touched once, for the reported number. Taking a validation score function, and nothing else,
/// makes it impossible to pass test numbers in by accident at the call site's shape.
/// </summary>
public static class Select
{
    /// <summary>
    /// The candidate with the best validation score (the first one on ties, in the given order).
    /// NaN scores are never chosen; all-NaN or no candidates is an error.
    /// </summary>
    public static T OnValidation<T>(IEnumerable<T> candidates, Func<T, double> validationScore, Better better = Better.Higher)
    {
        bool found = false;
        T best = default!;
        double bestScore = 0;
        int count = 0;
        foreach (var c in candidates)
        {
            count++;
            double s = validationScore(c);
            if (double.IsNaN(s)) continue;
            if (!found || (better == Better.Higher ? s > bestScore : s < bestScore)) { best = c; bestScore = s; found = true; }
        }
        if (!found) throw new ArgumentException(count == 0 ? "selection needs at least one candidate." : $"every one of the {count} candidates has a NaN validation score.");
        return best;
    }
}
