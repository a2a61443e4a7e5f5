using LsLab.Data;

namespace LsLab.Tests.Reliability;

/// <summary>
/// Class 6: option values out of range, outputs that cannot be written and a damaged run store are
/// user errors (one line naming the option or file, exit 2), found before libtorch or any work.
/// </summary>
public sealed class OptionRangeTests : TempDirTest
{
    string Out => Path.Combine(Dir, "run");

    static string[] Train(string outDir, params string[] extra) =>
        new[] { "train", "--dataset", DatasetCatalog.Embedded, "--model", "mlp-small", "--out", outDir }
            .Concat(extra.Contains("--epochs") ? Array.Empty<string>() : new[] { "--epochs", "1" }).Concat(extra).ToArray();

    [Theory]
    [InlineData("--width must be in [1, 65536], got 0", "--width", "0")]
    [InlineData("--width must be in [1, 65536], got -5", "--width", "-5")]
    [InlineData("--dropout must be in [0, 1), got -0.5", "--dropout", "-0.5")]
    [InlineData("--dropout must be in [0, 1), got 1", "--dropout", "1")]
    [InlineData("--weight-decay must be a finite number in [0, 1], got -1", "--weight-decay", "-1")]
    [InlineData("--weight-decay must be a finite number in [0, 1], got NaN", "--weight-decay", "NaN")]
    [InlineData("--lr must be a finite number in (0, 10], got 1E+300", "--lr", "1e300")]
    [InlineData("--lr must be a finite number in (0, 10], got 0", "--lr", "0")]
    [InlineData("--lr must be a finite number in (0, 10], got Infinity", "--lr", "Infinity")]
    [InlineData("--momentum must be in [0, 1), got 1", "--momentum", "1")]
    [InlineData("--batch-size must be ≥ 1, got 0", "--batch-size", "0")]
    [InlineData("--epochs must be ≥ 1, got 0", "--epochs", "0")]
    [InlineData("--warmup-epochs must be in [0, --epochs = 1], got -1", "--warmup-epochs", "-1")]
    [InlineData("--train-limit must be ≥ 1", "--train-limit", "0")]
    [InlineData("--alpha must be in [0, 1), got 1", "--alpha", "1")]
    public void Out_of_range_training_options_are_one_line_before_any_work(string expected, string option, string value)
    {
        var line = UserErrors.AssertOneLine(UserErrors.Run(Train(Out, option, value)), expected);
        Assert.DoesNotContain("libtorch", line);
        Assert.False(Directory.Exists(Out), "no run folder for a run that never started");
    }

    [Theory]
    [InlineData("--dropout must be in [0, 1), got -0.5", "train", "--dropout", "-0.5")]
    [InlineData("--lr must be a finite number in (0, 10], got 1E+300", "train", "--lr", "1e300")]
    [InlineData("--epochs must be at least 1, got 0", "train", "--epochs", "0")]
    [InlineData("--d-model (30) must be a positive multiple of --heads (4)", "train", "--d-model", "30")]
    [InlineData("--beam must be at least 1, got 0", "decode", "--beam", "0", "hello")]
    [InlineData("--temperature must be positive, got -1", "decode", "--temperature", "-1", "hello")]
    public void Out_of_range_translate_options_name_the_option(string expected, string sub, params string[] extra)
    {
        string[] args = sub == "train"
            ? new[] { "translate", "train", "--out", Out }.Concat(extra).ToArray()
            : new[] { "translate", "decode", "--run", Dir }.Concat(extra).ToArray();
        UserErrors.AssertOneLine(UserErrors.Run(args), expected);
        Assert.False(Directory.Exists(Out));
    }

    [Fact]
    public void Models_check_their_arguments_before_libtorch()
    {
        Assert.Contains("--width must be ≥ 1, got 0", Assert.Throws<LsLabException>(() => global::LsLab.Models.ModelRegistry.Create("mlp", new global::LsLab.Models.ModelSpec(1, 28, 28, 10, 0))).Message);
        Assert.Contains("--dropout must be in [0, 1), got -0.5", Assert.Throws<LsLabException>(() => global::LsLab.Models.ModelRegistry.Create("mlp-small", new global::LsLab.Models.ModelSpec(1, 28, 28, 10, 8, -0.5))).Message);
        Assert.Contains("at least 2 classes", Assert.Throws<LsLabException>(() => global::LsLab.Models.ModelRegistry.Create("resnet20", new global::LsLab.Models.ModelSpec(3, 32, 32, 1))).Message);
        Assert.Contains("too small", Assert.Throws<LsLabException>(() => global::LsLab.Models.ModelRegistry.Create("convnet", new global::LsLab.Models.ModelSpec(1, 2, 2, 10))).Message);
    }

    [Fact]
    public void An_out_that_is_a_file_a_dangling_link_or_below_a_file_is_named()
    {
        var file = Path.Combine(Dir, "a-file");
        File.WriteAllText(file, "keep me");
        UserErrors.AssertOneLine(UserErrors.Run(Train(file)), $"--out {file}: is a file");
        Assert.Equal("keep me", File.ReadAllText(file));

        var below = Path.Combine(file, "run");
        UserErrors.AssertOneLine(UserErrors.Run(Train(below)), $"{file} is a file");

        var link = Path.Combine(Dir, "link");
        File.CreateSymbolicLink(link, Path.Combine(Dir, "nowhere"));
        UserErrors.AssertOneLine(UserErrors.Run(Train(link)), $"--out {link}: a symbolic link to {Path.Combine(Dir, "nowhere")}, which does not exist (a dangling link)");
        Assert.False(Directory.Exists(Path.Combine(Dir, "nowhere")));
        var toFile = Path.Combine(Dir, "link-to-file");
        File.CreateSymbolicLink(toFile, file);
        UserErrors.AssertOneLine(UserErrors.Run(Train(toFile)), $"--out {toFile}: a symbolic link to the file {file}");
        UserErrors.AssertOneLine(UserErrors.Run(Train(Path.Combine(link, "sub"))), $"{link} is a symbolic link to {Path.Combine(Dir, "nowhere")}, which does not exist");

        // The same check guards the other commands that write folders or files.
        UserErrors.AssertOneLine(UserErrors.Run("experiment", "accuracy", "--profile", "tiny", "--out", file), "--out", "is a file");
        UserErrors.AssertOneLine(UserErrors.Run("translate", "train", "--out", link), "--out", "which does not exist");
        UserErrors.AssertOneLine(UserErrors.Run("runs", "export", "--store", Dir, "--output", Dir), "--output", "is a folder");
    }

    [Fact]
    public void Junk_in_store_db_is_named_not_a_bare_SQLite_error()
    {
        File.WriteAllText(Path.Combine(Dir, "store.db"), "this is not a database, it is a note to self\n");
        var before = UserErrors.Snapshot(Dir);
        UserErrors.AssertOneLine(UserErrors.Run("runs", "list", "--store", Dir), Path.Combine(Dir, "store.db"), "not an SQLite database");
        UserErrors.AssertOneLine(UserErrors.Run("run-cell", "--store", Dir, "--cell", "abc"), Path.Combine(Dir, "store.db"));
        UserErrors.AssertOneLine(UserErrors.Run("reproduce", "--plan", "--profile", "tiny", "--out", Dir), Path.Combine(Dir, "store.db"));
        Assert.Equal(before, UserErrors.Snapshot(Dir));
    }

    [Fact]
    public void IO_errors_map_to_one_line_and_bugs_stay_bugs()
    {
        Assert.StartsWith("disk full", LsLab.Cli.Cli.UserError(new IOException("No space left on device : '/data/run/.model.dat.tmp'", 28)));
        Assert.Contains("/data/run/x", LsLab.Cli.Cli.UserError(new IOException("Read-only file system : '/data/run/x'")));
        Assert.Contains("store.db", LsLab.Cli.Cli.UserError(new AggregateException(new LsLabException("/x/store.db: damaged"))));
        Assert.Null(LsLab.Cli.Cli.UserError(new EndOfStreamException()));   // a short read that names no file stays "internal"
        Assert.Null(LsLab.Cli.Cli.UserError(new NullReferenceException()));
    }

    [Fact]
    public void The_real_executable_exits_2_with_one_line_for_width_0()
    {
        var r = CliProcess.Run(Train(Out, "--width", "0"));
        UserErrors.AssertOneLine(r, "--width must be in [1, 65536], got 0");
        Assert.False(Directory.Exists(Out));
    }
}
