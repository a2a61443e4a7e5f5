using LsLab.Data;
using static TorchSharp.torch;

namespace LsLab.Tests;

/// <summary>Small synthetic data made in the test: K Gaussian blobs rendered as 1×8×8 "images".</summary>
public static class TestData
{
    public static Dataset Blobs(int n, int classes = 3, int seed = 0, string name = "blobs", int size = 8, double noise = 0.15)
    {
        Engine.Initialize();
        using var g = new Generator((ulong)seed + 1);
        using var centers = rand(new long[] { classes, 1, size, size }, generator: new Generator(12345));
        var labels = arange(n, dtype: ScalarType.Int64).remainder(classes);
        using var noiseT = randn(new long[] { n, 1, size, size }, generator: g);
        var images = (centers.index_select(0, labels) + noiseT * noise).clamp(0, 1);
        return new Dataset(name, images, labels, Enumerable.Range(0, classes).Select(i => $"c{i}").ToArray(), "synthetic");
    }

    public static DataSplits BlobSplits(int train = 300, int val = 60, int test = 60, int classes = 3) =>
        new(Blobs(train, classes, 1), Blobs(val, classes, 2), Blobs(test, classes, 3));
}
