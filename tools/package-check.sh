#!/usr/bin/env bash
# The packages, installed as a user would (issue 19): packs LsLab and LsLab.Tool into a temporary
# folder P (its own build output, so the repository's bin/ and obj/ are untouched), installs the tool
# from P into a temporary tool path and runs `lslab --version` and `lslab reproduce --profile tiny`
# with it, then builds and runs docs/library.md's training snippet in a temporary console project that
# references LsLab from P (restored into its own packages folder, so a stale cached LsLab cannot stand in).
# Fails with one line saying which step broke. Run by ./test.sh after the tests; alone: tools/package-check.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# It unpacks libtorch several times over (pack, publish, tool install, console app): check the space first,
# so a full disk is one line here rather than a copy error deep in a publish log. Measured peak: 4.3 GiB (2026-12-02).
need_mib=6144
free_mib=$(df -Pm "${TMPDIR:-/tmp}" | awk 'NR == 2 {print $4}')
[ "$free_mib" -ge "$need_mib" ] || { echo "package-check: FAILED: ${TMPDIR:-/tmp} has $free_mib MiB free; the check needs about $need_mib MiB (set TMPDIR to a roomier folder)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lslab-package-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
start=$(date +%s)
fail() { echo "package-check: FAILED: $1 (log: below)" >&2; [ -f "${2:-}" ] && tail -n 40 "$2" >&2; exit 1; }
step() { echo "package-check: [$(( $(date +%s) - start ))s] $*" >&2; }

step "packing LsLab and LsLab.Tool $version"
for project in src/LsLab/LsLab.csproj src/LsLab.Cli/LsLab.Cli.csproj; do
  dotnet pack "$project" -c Release -o "$tmp/P" --artifacts-path "$tmp/artifacts" >>"$tmp/pack.log" 2>&1 || fail "dotnet pack $project" "$tmp/pack.log"
done
for p in "LsLab.$version.nupkg" "LsLab.Tool.$version.nupkg" "LsLab.Tool.linux-x64.$version.nupkg"; do
  [ -f "$tmp/P/$p" ] || fail "dotnet pack did not write $p"
done
contents=$(unzip -Z1 "$tmp/P/LsLab.$version.nupkg")
for f in lib/net10.0/LsLab.dll lib/net10.0/LsLab.xml README.md LICENSE LICENSE-Fashion-MNIST.txt buildTransitive/LsLab.targets buildTransitive/ElfVersionPatcher.cs buildTransitive/mkl_vendor_override.c; do
  grep -qx "$f" <<<"$contents" || fail "LsLab.$version.nupkg lacks $f"
done
for p in "LsLab.$version.nupkg" "LsLab.Tool.$version.nupkg"; do
  # Read whole before grep -q (which stops early): under pipefail an unzip killed by SIGPIPE fails the check at random.
  nuspec=$(unzip -p "$tmp/P/$p" '*.nuspec'); files=$(unzip -Z1 "$tmp/P/$p")
  grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || fail "$p does not declare its licence (MIT) in its nuspec"
  grep -qx LICENSE <<<"$files" || fail "$p lacks LICENSE"
done

step "installing the tool from P"
cd "$tmp"
dotnet tool install --tool-path "$tmp/tools" --add-source "$tmp/P" --version "$version" LsLab.Tool >"$tmp/install.log" 2>&1 || fail "dotnet tool install" "$tmp/install.log"
got=$("$tmp/tools/lslab" --version) || fail "lslab --version exited with $?"
[ "$got" = "$version" ] || fail "lslab --version printed '$got', expected $version"
"$tmp/tools/lslab" info >"$tmp/info.log" 2>&1 || fail "lslab info" "$tmp/info.log"
grep -q "mmap_threshold" "$tmp/info.log" || fail "the installed lslab does not run with the tuned allocator (GLIBC_TUNABLES)" "$tmp/info.log"

# A tool packed where libstdc++ has GLIBCXX_3.4.32 carries the glue library unpatched: the installed
# tool must fix its own copy at start-up. Put the untouched copy from the NuGet cache in its place.
installed=$(find "$tmp/tools/.store" -name libLibTorchSharp.so | head -n 1)
pristine=$(ls "$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')"torchsharp/*/runtimes/linux-x64/native/libLibTorchSharp.so | head -n 1)
[ -n "$installed" ] && [ -n "$pristine" ] || fail "no libLibTorchSharp.so in the installed tool or the NuGet cache"
cp "$pristine" "$installed"
"$tmp/tools/lslab" info >"$tmp/info2.log" 2>&1 || fail "the installed lslab does not run with TorchSharp's unpatched glue library" "$tmp/info2.log"
grep -q "TorchSharp" "$tmp/info2.log" || fail "lslab info printed no TorchSharp version" "$tmp/info2.log"

step "lslab reproduce --profile tiny (installed tool)"
"$tmp/tools/lslab" reproduce --profile tiny --out "$tmp/repro" --quiet >"$tmp/repro.log" 2>&1 || fail "lslab reproduce --profile tiny" "$tmp/repro.log"
[ -s "$tmp/repro/report/index.html" ] || fail "lslab reproduce wrote no report/index.html" "$tmp/repro.log"
grep -q "LsLab $version" "$tmp/repro/report/index.html" || fail "the report header does not name LsLab $version"

step "console project referencing LsLab $version from P: docs/library.md's training snippet"
global=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
torch_so=$(ls "$global"torchsharp/*/runtimes/linux-x64/native/libLibTorchSharp.so 2>/dev/null | head -n 1 || true)
cache_before=$( [ -n "$torch_so" ] && sha256sum "$torch_so" || true)
mkdir "$tmp/app"
cat >"$tmp/app/nuget.config" <<XML
<configuration>
  <config><add key="globalPackagesFolder" value="$tmp/packages" /></config>
  <packageSources><clear /><add key="P" value="$tmp/P" /><add key="nuget.org" value="https://api.nuget.org/v3/index.json" /></packageSources>
  <fallbackPackageFolders><add key="cache" value="$global" /></fallbackPackageFolders>
</configuration>
XML
cat >"$tmp/app/app.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><Nullable>enable</Nullable></PropertyGroup>
  <ItemGroup><PackageReference Include="LsLab" Version="$version" /></ItemGroup>
</Project>
XML
awk '/<!-- snippet: train -->/ {s=1; next} s && /^```csharp/ {c=1; next} c && /^```/ {exit} c {print}' "$repo/docs/library.md" >"$tmp/app/Program.cs"
[ -s "$tmp/app/Program.cs" ] || fail "docs/library.md has no '<!-- snippet: train -->' csharp block"
cd "$tmp/app"
dotnet build -c Release >"$tmp/app.log" 2>&1 || fail "the console project does not build against the LsLab package" "$tmp/app.log"
[ -f "$tmp/packages/lslab/$version/lslab.$version.nupkg" ] || fail "LsLab $version was not restored from P (a cached copy was used)" "$tmp/app.log"
dotnet run -c Release --no-build >"$tmp/run.log" 2>&1 || fail "the training snippet failed in the console project" "$tmp/run.log"
grep -q "test accuracy" "$tmp/run.log" || fail "the training snippet printed no test accuracy" "$tmp/run.log"
cache_after=$( [ -n "$torch_so" ] && sha256sum "$torch_so" || true)
[ "$cache_before" = "$cache_after" ] || fail "the build changed $torch_so in the NuGet cache"
step "passed: $(ls -s --block-size=M "$tmp/P" | tail -n +2 | tr '\n' ' ')"
