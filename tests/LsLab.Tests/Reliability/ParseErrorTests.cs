namespace LsLab.Tests.Reliability;

/// <summary>Class 7: every parse error is one line naming the option and what was expected, a hint to --help, exit 2.</summary>
public sealed class ParseErrorTests : TempDirTest
{
    [Theory]
    [InlineData("lslab train", "--alpha: 'abc' is not a number", "train", "--alpha", "abc", "--out", "x")]
    [InlineData("lslab train", "--epochs: '2.5' is not an integer", "train", "--epochs", "2.5", "--out", "x")]
    [InlineData("lslab train", "--schedule: 'Linear' is not one of Cosine, Step, Constant", "train", "--schedule", "Linear", "--out", "x")]
    [InlineData("lslab train", "unknown option '--alhpa' for `lslab train`; did you mean --alpha?", "train", "--alhpa", "0.1", "--out", "x")]
    [InlineData("lslab train", "--out is required", "train", "--alpha", "0.1")]
    [InlineData("lslab train", "--alpha needs a value", "train", "--out", "x", "--alpha")]
    [InlineData("lslab train", "--epochs takes one value, got 2: '1', '0'", "train", "--epochs", "1", "--epochs", "0", "--out", "x")]
    [InlineData("lslab evaluate", "--split", "evaluate", "--run", "x", "--split", "dev")]
    [InlineData("lslab calibrate", "--bins", "calibrate", "--logits", "a.npy", "--labels", "b.npy", "--bins", "many")]
    [InlineData("lslab translate decode", "--beam: 'wide' is not an integer", "translate", "decode", "--run", "x", "--beam", "wide", "hello")]
    [InlineData("lslab translate", "unknown command 'decod' for `lslab translate`", "translate", "decod")]
    [InlineData("lslab", "unknown command 'trian'", "trian")]
    [InlineData("lslab runs", "needs a command", "runs")]
    [InlineData("lslab train", "--threads must be in [0, 1024]", "train", "--threads", "-3", "--out", "x")]
    public void Parse_errors_are_one_line_and_a_hint(string command, string expected, params string[] args)
    {
        var line = UserErrors.AssertParseError(UserErrors.Run(args), command, expected);
        Assert.True(line.Length < 300, line);
        Assert.False(Directory.Exists("x"), "a parse error must not create anything");
    }

    [Fact]
    public void Help_is_still_help_even_with_a_required_option_missing()
    {
        var r = UserErrors.Run("train", "--help");
        Assert.Equal(0, r.Code);
        Assert.Contains("--alpha", r.Out);
        Assert.Contains("Examples:", r.Out);
        Assert.True(string.IsNullOrWhiteSpace(r.Err), r.Err);
    }

    [Fact]
    public void The_real_executable_says_the_same_and_exits_2()
    {
        var r = CliProcess.Run("train", "--alpha", "abc", "--out", Path.Combine(Dir, "run"));
        UserErrors.AssertParseError(r, "lslab train", "--alpha", "'abc'", "a number");
        Assert.False(Directory.Exists(Path.Combine(Dir, "run")));
    }
}
