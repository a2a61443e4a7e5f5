namespace LsLab.Tests;

/// <summary>Base for tests that need a fresh folder: created per test, deleted afterwards.</summary>
public abstract class TempDirTest : IDisposable
{
    protected TempDirTest() => Dir = Directory.CreateTempSubdirectory("lslab-test-").FullName;

    /// <summary>The test's own empty folder.</summary>
    protected string Dir { get; }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } // a killed child may still hold a file
        GC.SuppressFinalize(this);
    }
}
