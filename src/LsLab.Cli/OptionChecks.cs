namespace LsLab.Cli;

/// <summary>
/// Checks of option values that commands share, made before any work starts (and before libtorch
/// sees a value), each failing with one line that names the option and what was expected.
/// </summary>
public static class OptionChecks
{
    /// <summary>
    /// An output folder: missing (it will be created) or an existing folder; not a file, not a dangling
    /// symbolic link, and not below a file. Returns the full path.
    /// </summary>
    public static string OutDir(string path, string option = "--out")
    {
        if (string.IsNullOrWhiteSpace(path)) throw new LsLabException($"{option}: empty path; expected a folder.");
        string full = Path.GetFullPath(path);
        var info = new FileInfo(full.TrimEnd(Path.DirectorySeparatorChar) is { Length: > 0 } t ? t : full);
        // File.Exists is true for a dangling link on Unix: follow the link to see what it names.
        if (info.LinkTarget is string target && !Directory.Exists(full))
            throw new LsLabException(Dangling(info)
                ? $"{option} {path}: a symbolic link to {target}, which does not exist (a dangling link); remove it or point it at a folder."
                : $"{option} {path}: a symbolic link to the file {target}, expected a folder.");
        if (File.Exists(full)) throw new LsLabException($"{option} {path}: is a file, expected a folder (an existing or a new one).");
        for (var parent = Path.GetDirectoryName(full); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (Directory.Exists(parent)) break;
            var link = new FileInfo(parent);
            if (link.LinkTarget is string dangling && Dangling(link))
                throw new LsLabException($"{option} {path}: {parent} is a symbolic link to {dangling}, which does not exist.");
            if (File.Exists(parent)) throw new LsLabException($"{option} {path}: {parent} is a file, so the folder cannot be made below it.");
        }
        return full;
    }

    static bool Dangling(FileInfo link)
    {
        try { return link.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true }; }
        catch (IOException) { return true; } // a loop of links
    }

    /// <summary>An output file: not an existing folder, and its folder not a file. Returns the full path.</summary>
    public static string OutFile(string path, string option)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new LsLabException($"{option}: empty path; expected a file name.");
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new LsLabException($"{option} {path}: is a folder, expected a file name.");
        if (Path.GetDirectoryName(full) is string dir) OutDir(dir, option);
        return full;
    }

    /// <summary>An input folder that must exist (a run folder, a store).</summary>
    public static string InDir(string path, string option)
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full)) throw new LsLabException($"{option} {path}: is a file, expected a folder.");
        if (!Directory.Exists(full)) throw new LsLabException($"{option} {path}: folder not found.");
        return full;
    }

    static readonly byte[] SqliteMagic = "SQLite format 3\0"u8.ToArray();

    /// <summary>
    /// The run store DIR/store.db, when it exists, must be an SQLite database: junk there is named
    /// before SQLite reports it without a file name. Remembers the path for <see cref="Cli.UserError"/>.
    /// </summary>
    public static void Store(string dir, string option)
    {
        if (File.Exists(dir)) throw new LsLabException($"{option} {dir}: is a file, expected the output folder holding store.db.");
        string path = Path.Combine(Path.GetFullPath(dir), "store.db");
        Cli.StorePath = path;
        if (Directory.Exists(path)) throw new LsLabException($"{path}: a folder, expected the run store (an SQLite file).");
        if (!File.Exists(path)) return;
        var head = new byte[SqliteMagic.Length];
        int n;
        using (var fs = File.OpenRead(path)) n = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (n == 0) return; // SQLite treats an empty file as an empty database
        if (n < head.Length || !head.AsSpan().SequenceEqual(SqliteMagic))
            throw new LsLabException($"{path}: not an SQLite database (the run store of {option} {dir} is damaged or was overwritten); move it away to start a new store, or choose another folder.");
    }

    /// <summary>
    /// A translator run folder for `translate decode|score`: says so when it is a classifier run
    /// (made by `lslab train`) or no run at all, instead of naming one missing file.
    /// </summary>
    public static string TranslatorRun(string dir, string option = "--run")
    {
        string full = InDir(dir, option);
        if (File.Exists(Path.Combine(full, "model.json"))) return full;
        string config = Path.Combine(full, "config.json");
        if (File.Exists(config))
        {
            string text = File.ReadAllText(config);
            if (text.Contains("\"dataset\"", StringComparison.Ordinal) && !text.Contains("\"corpusSize\"", StringComparison.Ordinal))
                throw new LsLabException($"{option} {dir}: a classifier run (made by `lslab train` or `lslab distill`), not a translator; " +
                                         $"use it with `lslab evaluate --run {dir}`, or train a translator with `lslab translate train --out DIR`.");
            if (!File.Exists(Path.Combine(full, "model.dat")))
                throw new LsLabException($"{option} {dir}: the translator run has not finished (no model.dat, no model.json). Resume it with `lslab translate train --resume --out {dir}` and the same options.");
            return full;
        }
        throw new LsLabException($"{option} {dir}: not a translator run folder (no model.json, no config.json). Train one with `lslab translate train --out {dir}`.");
    }

    /// <summary>
    /// Runs <paramref name="check"/> and, when it fails with a message naming one of the <paramref name="renames"/>'
    /// first names (e.g. "--classes" of `lslab mi`), rewrites it to the name the user typed (e.g. "--mi-classes" of `lslab train`).
    /// </summary>
    public static T Renamed<T>(Func<T> check, params (string From, string To)[] renames)
    {
        try { return check(); }
        catch (LsLabException e)
        {
            string m = e.Message;
            foreach (var (from, to) in renames)
                m = System.Text.RegularExpressions.Regex.Replace(m, $@"(?<![\w-]){System.Text.RegularExpressions.Regex.Escape(from)}(?![\w-])", to);
            if (m == e.Message) throw;
            throw new LsLabException(m, e);
        }
    }

    /// <summary>
    /// A student learns from the teacher's logits on the student's training images, so both must be of
    /// one data set (the embedded subset counts as Fashion-MNIST): anything else fails inside libtorch.
    /// </summary>
    public static void SameDataSet(string teacher, string student, string teacherRun)
    {
        static string Family(string n) => n.Equals(Data.DatasetCatalog.Embedded, StringComparison.OrdinalIgnoreCase) ? "fashion-mnist" : n.ToLowerInvariant();
        if (Family(teacher) != Family(student))
            throw new LsLabException($"--dataset {student}: the teacher {teacherRun} was trained on {teacher}; a student is distilled on the teacher's data set " +
                                     $"(its logits are computed on the student's images). Leave --dataset out, or train a teacher on {student}.");
    }

    /// <summary>How the translator library names the fields `translate train` takes as options.</summary>
    public static readonly (string From, string To)[] TranslateTrainNames =
    {
        ("epochs", "--epochs"), ("batch size", "--batch-size"), ("learning rate", "--lr"), ("warm-up steps", "--warmup-steps"),
        ("vocabulary sizes", "--vocab"), ("validation and test need", "--held-out needs"), ("corpus size", "--corpus-size"),
        ("d_model", "--d-model"), ("heads", "--heads"), ("layers and feed-forward width", "--layers and --ff"), ("dropout", "--dropout"),
        ("alpha", "--alpha"),
    };

    /// <summary>How the decoder names the fields `translate decode|score` take as options.</summary>
    public static readonly (string From, string To)[] DecodeNames =
    {
        ("n-best", "--nbest"), ("beam", "--beam"), ("temperature", "--temperature"), ("length-penalty α", "--length-alpha"), ("max length", "--max-length"),
    };

    /// <summary>A peak learning rate: finite, in (0, 10] (beyond, training diverges at once).</summary>
    public static double LearningRate(double lr, string option = "--lr") =>
        double.IsFinite(lr) && lr > 0 && lr <= 10 ? lr : throw new LsLabException($"{option} must be a finite number in (0, 10], got {lr}.");
}
