// TEMPORARY placeholder so the trainer and CLI compile before the Data work lands.
// DATA HELPER: delete this file when you add the real DatasetCatalog and Augmentation, keeping
// these signatures (or update their callers: Training/TrainingRun.cs, Cli/Commands/DatasetsCommand.cs).
using static TorchSharp.torch;
namespace LsLab.Data;
public static class DatasetCatalog
{
    public static DataSplits Load(string name, string? dataDir, double validationFraction, int seed) => throw new NotImplementedException();
    public static IEnumerable<(string Name, bool Found, string Location)> List(string? dataDir) => throw new NotImplementedException();
}
/// <summary>Batch augmentation for a data set: images [B,C,H,W] + seeded generator → augmented images (null = none).</summary>
public static class Augmentation { public static Func<Tensor, Generator, Tensor>? For(Dataset d) => null; }
