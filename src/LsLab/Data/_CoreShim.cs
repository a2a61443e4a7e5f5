// TEMPORARY: replaced by the Data and Calibration work when it merges.
using static TorchSharp.torch;
namespace LsLab.Data;
public static class DatasetCatalog
{
    public static DataSplits Load(string name, string? dataDir, double validationFraction, int seed) => throw new NotImplementedException();
    public static IEnumerable<(string Name, bool Found, string Location)> List(string? dataDir) => throw new NotImplementedException();
}
public static class Augmentation { public static Func<Tensor, Generator, Tensor>? For(Dataset d) => null; }
public static class Npy { public static void Write(string path, Tensor t) => throw new NotImplementedException(); }
