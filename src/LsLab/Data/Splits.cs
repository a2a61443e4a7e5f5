namespace LsLab.Data;

/// <summary>Seeded, class-stratified splits: the same seed always gives the same indices.</summary>
public static class Splits
{
    /// <summary>
    /// Splits indices 0..N−1 so that each class contributes round(fraction × its count) examples to
    /// the held-out part. Both parts are returned in increasing index order.
    /// </summary>
    public static (long[] Keep, long[] HeldOut) Stratified(IReadOnlyList<byte> labels, double fraction, int seed)
    {
        if (fraction < 0 || fraction >= 1) throw new LsLabException($"validation fraction must be in [0,1), got {fraction}.");
        var rng = new Random(seed);
        var keep = new List<long>();
        var held = new List<long>();
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var idx = group.ToArray();
            rng.Shuffle(idx);
            int take = (int)Math.Round(fraction * idx.Length);
            held.AddRange(idx.Take(take).Select(i => (long)i));
            keep.AddRange(idx.Skip(take).Select(i => (long)i));
        }
        keep.Sort();
        held.Sort();
        return (keep.ToArray(), held.ToArray());
    }

    /// <summary>
    /// Refuses splits too small to train or report on, with one line saying why: no training examples,
    /// a validation share that rounds to nothing in every class (a tiny data set), or one that leaves
    /// nothing to train on. A fraction of 0 asks for no validation and is not an error here.
    /// </summary>
    public static void CheckSizes(IReadOnlyList<byte> labels, double fraction, int keep, int heldOut, string source)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (labels.Count == 0) throw new LsLabException($"the training split is empty: {source} has 0 training examples.");
        int maxPerClass = labels.GroupBy(l => l).Max(g => g.Count());
        int classes = labels.Distinct().Count();
        if (fraction > 0 && heldOut == 0)
            throw new LsLabException($"the validation split is empty: --val-fraction {fraction.ToString(inv)} of {labels.Count} training examples ({source}) " +
                                     $"rounds to 0 in every class ({classes} classes, at most {maxPerClass} examples each); " +
                                     $"use a --val-fraction above {(0.5 / maxPerClass).ToString("G3", inv)} or more data.");
        if (keep == 0)
            throw new LsLabException($"the training split is empty: --val-fraction {fraction.ToString(inv)} holds out all {labels.Count} training examples ({source}); use a smaller --val-fraction or more data.");
    }
}
