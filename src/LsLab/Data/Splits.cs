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
}
