#nullable enable
// This file is compiled twice: into the LsLab library (LSLAB_LIBRARY defined) and, by the
// RoslynCodeTaskFactory in Directory.Build.targets, into the build task that patches the
// build output. Keep it free of dependencies beyond the BCL.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace LsLab.Native
{
    /// <summary>Outcome of <see cref="ElfVersionPatcher.Patch"/>.</summary>
    public enum ElfPatchResult
    {
        /// <summary>The system has every required version: the file was left alone.</summary>
        NothingToDo,
        /// <summary>Missing requirements were marked weak.</summary>
        Patched,
        /// <summary>Every missing requirement was already weak.</summary>
        AlreadyPatched,
    }

    /// <summary>
    /// Makes a shared library load against an older libstdc++ by marking the symbol-version
    /// requirements the system lacks as weak (VER_FLG_WEAK) in the ELF version-needs table.
    /// TorchSharp 0.107's glue library asks for GLIBCXX_3.4.32 (GCC 13) only for
    /// <c>std::ios_base_library_init()</c>, which nothing calls; Debian 12 has GCC 12's libstdc++.
    /// </summary>
    public static class ElfVersionPatcher
    {
        const uint ShtGnuVerneed = 0x6ffffffe;
        const ushort VerFlagWeak = 0x2;

        /// <summary>One entry of the version-needs table: library, version name, flags, file offset of the flags.</summary>
        public sealed class VersionNeed
        {
            /// <summary>An entry read at <paramref name="flagsOffset"/> of the file.</summary>
            public VersionNeed(string library, string version, ushort flags, long flagsOffset)
            { Library = library; Version = version; Flags = flags; FlagsOffset = flagsOffset; }
            /// <summary>The library the version is required from, e.g. "libstdc++.so.6".</summary>
            public string Library { get; }
            /// <summary>The version name, e.g. "GLIBCXX_3.4.32".</summary>
            public string Version { get; }
            /// <summary>vna_flags of the entry (VER_FLG_WEAK = 2).</summary>
            public ushort Flags { get; }
            /// <summary>File offset of vna_flags, where a patch writes.</summary>
            public long FlagsOffset { get; }
            /// <summary>True when the loader only warns if the version is missing.</summary>
            public bool IsWeak => (Flags & VerFlagWeak) != 0;
        }

        /// <summary>Reads the version-needs table (library file name, version, flags) of an ELF64 little-endian file.</summary>
        public static List<VersionNeed> ReadVersionNeeds(byte[] elf, string fileForErrors = "<bytes>")
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException($"{fileForErrors}: not an ELF file (bad magic).");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException($"{fileForErrors}: only 64-bit little-endian ELF is supported.");
            ulong shoff = BitConverter.ToUInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            var result = new List<VersionNeed>();
            for (int i = 0; i < shnum; i++)
            {
                long sh = checked((long)shoff + (long)i * shentsize);
                if (sh + 0x40 > elf.Length) throw new InvalidDataException($"{fileForErrors}: section header {i} lies past the end of the file.");
                if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
                long secOff = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
                int link = (int)BitConverter.ToUInt32(elf, (int)sh + 0x28);
                int count = (int)BitConverter.ToUInt32(elf, (int)sh + 0x2C);
                long strSh = checked((long)shoff + (long)link * shentsize);
                long strOff = (long)BitConverter.ToUInt64(elf, (int)strSh + 0x18);
                long need = secOff;
                for (int n = 0; n < count; n++)
                {
                    int vnCnt = BitConverter.ToUInt16(elf, (int)need + 2);
                    string file = ReadString(elf, strOff + BitConverter.ToUInt32(elf, (int)need + 4));
                    long aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                    for (int a = 0; a < vnCnt; a++)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        string name = ReadString(elf, strOff + BitConverter.ToUInt32(elf, (int)aux + 8));
                        result.Add(new VersionNeed(file, name, flags, aux + 4));
                        uint nextAux = BitConverter.ToUInt32(elf, (int)aux + 12);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint next = BitConverter.ToUInt32(elf, (int)need + 12);
                    if (next == 0) break;
                    need += next;
                }
            }
            return result;
        }

        static string ReadString(byte[] b, long off)
        {
            int end = (int)off;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)off, end - (int)off);
        }

        /// <summary>The GLIBCXX_* version names a libstdc++ binary defines (found as strings in the file).</summary>
        public static HashSet<string> DefinedGlibcxxVersions(byte[] libstdcxx)
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            var text = Encoding.ASCII.GetString(libstdcxx);
            int i = 0;
            while ((i = text.IndexOf("GLIBCXX_", i, StringComparison.Ordinal)) >= 0)
            {
                int end = i;
                while (end < text.Length && text[end] != '\0') end++;
                set.Add(text.Substring(i, end - i));
                i = end;
            }
            return set;
        }

        /// <summary>Standard places of the system libstdc++; the first that exists is the one the loader uses on Debian/Ubuntu/Fedora.</summary>
        public static string? FindSystemLibStdCxx()
        {
            string[] candidates =
            {
                "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
                "/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            };
            return candidates.FirstOrDefault(File.Exists);
        }

        /// <summary>
        /// Marks weak every libstdc++ version requirement of <paramref name="libraryPath"/> that
        /// <paramref name="availableVersions"/> lacks. Writes a temporary file and renames it over
        /// the original, so a hard-linked or cached original is never modified in place.
        /// Idempotent: a second call returns <see cref="ElfPatchResult.AlreadyPatched"/>.
        /// </summary>
        public static ElfPatchResult Patch(string libraryPath, ISet<string> availableVersions, out IReadOnlyList<string> weakened)
        {
            var bytes = File.ReadAllBytes(libraryPath);
            var missing = ReadVersionNeeds(bytes, libraryPath)
                .Where(v => v.Library.StartsWith("libstdc++", StringComparison.Ordinal)
                            && v.Version.StartsWith("GLIBCXX_", StringComparison.Ordinal)
                            && !availableVersions.Contains(v.Version))
                .ToList();
            weakened = missing.Select(v => v.Version).ToList();
            if (missing.Count == 0) return ElfPatchResult.NothingToDo;
            if (missing.All(v => v.IsWeak)) return ElfPatchResult.AlreadyPatched;
            foreach (var v in missing)
            {
                ushort flags = (ushort)(v.Flags | VerFlagWeak);
                bytes[v.FlagsOffset] = (byte)(flags & 0xff);
                bytes[v.FlagsOffset + 1] = (byte)(flags >> 8);
            }
            string tmp = libraryPath + ".lslab-tmp";
            File.WriteAllBytes(tmp, bytes);
            File.Replace(tmp, libraryPath, null);
            return ElfPatchResult.Patched;
        }

        /// <summary>Patches against the system libstdc++; does nothing when that has every required version.</summary>
        public static ElfPatchResult PatchForSystem(string libraryPath, out IReadOnlyList<string> weakened)
        {
            var sys = FindSystemLibStdCxx();
            if (sys is null) { weakened = Array.Empty<string>(); return ElfPatchResult.NothingToDo; }
            return Patch(libraryPath, DefinedGlibcxxVersions(File.ReadAllBytes(sys)), out weakened);
        }

        /// <summary>Where a build, publish or tool folder holds TorchSharp's glue library (RID-neutral, RID-specific).</summary>
        public static readonly string[] GlueLibraryPaths = { "runtimes/linux-x64/native/libLibTorchSharp.so", "libLibTorchSharp.so" };

        /// <summary>
        /// Patches, against the system libstdc++, every copy of the glue library in <paramref name="directory"/>
        /// (used by the build task and by the installed `lslab` tool at start-up); returns the copies it changed.
        /// </summary>
        public static List<(string Path, IReadOnlyList<string> Weakened)> PatchFolderForSystem(string directory)
        {
            var changed = new List<(string, IReadOnlyList<string>)>();
            foreach (var rel in GlueLibraryPaths)
            {
                var path = Path.Combine(directory, rel);
                if (File.Exists(path) && PatchForSystem(path, out var weak) == ElfPatchResult.Patched) changed.Add((path, weak));
            }
            return changed;
        }
    }
}

#if !LSLAB_LIBRARY
/// <summary>MSBuild task: patches the copies of libLibTorchSharp.so in a build or publish folder.</summary>
public class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required] public string Directory { get; set; } = "";

    public override bool Execute()
    {
        if (!System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux)) return true;
        foreach (var (path, weak) in LsLab.Native.ElfVersionPatcher.PatchFolderForSystem(Directory))
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                $"LsLab: marked {string.Join(", ", weak)} weak in {path} (system libstdc++ lacks it; see docs/torchsharp-glibcxx.md)");
        return true;
    }
}
#endif
