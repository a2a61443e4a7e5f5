using LsLab.Native;

namespace LsLab.Tests.Native;

public class ElfVersionPatcherTests
{
    static string ShippedGlueLibrary()
    {
        // The untouched copy in the NuGet cache (read only here, never written).
        var home = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                   ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(home, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }

    [Fact]
    public void Shipped_library_requires_GLIBCXX_3_4_32_as_a_hard_requirement()
    {
        var path = ShippedGlueLibrary();
        Assert.True(File.Exists(path), $"TorchSharp package not restored at {path}");
        var needs = ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(path), path);
        var v = Assert.Single(needs, n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", v.Library);
        Assert.False(v.IsWeak);
        Assert.Contains(needs, n => n.Library.StartsWith("libc.so", StringComparison.Ordinal));
    }

    [Fact]
    public void Patch_weakens_only_missing_versions_is_idempotent_and_leaves_the_original_alone()
    {
        var original = ShippedGlueLibrary();
        var before = File.ReadAllBytes(original);
        var copy = Path.Combine(Path.GetTempPath(), $"lslab-elf-{Guid.NewGuid():N}.so");
        File.Copy(original, copy);
        try
        {
            var system = new HashSet<string> { "GLIBCXX_3.4", "GLIBCXX_3.4.9", "GLIBCXX_3.4.11", "GLIBCXX_3.4.14", "GLIBCXX_3.4.15",
                "GLIBCXX_3.4.18", "GLIBCXX_3.4.19", "GLIBCXX_3.4.20", "GLIBCXX_3.4.21", "GLIBCXX_3.4.22", "GLIBCXX_3.4.26", "GLIBCXX_3.4.29", "GLIBCXX_3.4.30" };
            Assert.Equal(ElfPatchResult.Patched, ElfVersionPatcher.Patch(copy, system, out var weakened));
            Assert.Equal(new[] { "GLIBCXX_3.4.32" }, weakened);
            var after = ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(copy));
            Assert.True(after.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
            Assert.All(after.Where(n => n.Version != "GLIBCXX_3.4.32"), n => Assert.False(n.IsWeak));
            // Exactly one byte differs from the original.
            var patched = File.ReadAllBytes(copy);
            Assert.Equal(1, before.Zip(patched).Count(p => p.First != p.Second));
            Assert.Equal(ElfPatchResult.AlreadyPatched, ElfVersionPatcher.Patch(copy, system, out _));
            system.Add("GLIBCXX_3.4.32");
            Assert.Equal(ElfPatchResult.NothingToDo, ElfVersionPatcher.Patch(File.Exists(copy) ? copy : original, system, out _));
            Assert.Equal(before, File.ReadAllBytes(original));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void Folder_patch_fixes_every_copy_the_system_needs_fixed_once()
    {
        var dir = Directory.CreateTempSubdirectory("lslab-elf-").FullName;
        try
        {
            // A RID-neutral and a RID-specific layout in one folder, as a build and a tool package hold them.
            foreach (var rel in ElfVersionPatcher.GlueLibraryPaths)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(dir, rel))!);
                File.Copy(ShippedGlueLibrary(), Path.Combine(dir, rel));
            }
            var system = ElfVersionPatcher.DefinedGlibcxxVersions(File.ReadAllBytes(ElfVersionPatcher.FindSystemLibStdCxx()!));
            var changed = ElfVersionPatcher.PatchFolderForSystem(dir);
            if (system.Contains("GLIBCXX_3.4.32")) Assert.Empty(changed);
            else
            {
                Assert.Equal(ElfVersionPatcher.GlueLibraryPaths.Select(r => Path.Combine(dir, r)), changed.Select(c => c.Path));
                Assert.All(changed, c => Assert.Equal(new[] { "GLIBCXX_3.4.32" }, c.Weakened));
            }
            Assert.Empty(ElfVersionPatcher.PatchFolderForSystem(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Build_output_copy_loads_and_runs_libtorch()
    {
        // If the build step had not patched the copy next to the tests (on a system lacking the
        // version), this would throw instead.
        Engine.Initialize();
        using var x = TorchSharp.torch.ones(2, 2);
        Assert.Equal(4f, x.sum().item<float>());
    }

    [Fact]
    public void Non_elf_input_is_rejected_with_the_file_named()
    {
        var e = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(new byte[100], "x.so"));
        Assert.Contains("x.so", e.Message);
    }
}
