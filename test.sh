#!/usr/bin/env bash
# README's test command: runs the whole test suite on a machine that has only the .NET SDK.
# First installs what the tests need beyond the SDK (Debian packages), when it is missing and this
# script may (root with apt-get); otherwise says in one line what is missing and fails — a test that
# needs a tool fails without it, it is never skipped. Then: dotnet test -c Release [ARGS...].
#   fontconfig + a font (libfontconfig1, fonts-dejavu-core): ScottPlot/SkiaSharp text in figures
#   chromium: the report test (headless browser, driven by Playwright; or set LSLAB_CHROMIUM)
#   gcc, libc6-dev: the MKL-override library built next to the assemblies (its tests need it)
#   unzip: the package check lists the library package's files
#   postgresql: the PostgreSQL run-store tests (tools/ci-postgres.sh installs and starts a throwaway cluster)
# After the tests, unless a --filter was given: tools/package-check.sh (packs LsLab and LsLab.Tool, installs
# and runs the tool, builds a project against the package; a few minutes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

missing=()
compgen -G "/usr/lib/*/libfontconfig.so.1" >/dev/null || compgen -G "/usr/lib*/libfontconfig.so.1" >/dev/null || missing+=(libfontconfig1)
compgen -G "/usr/share/fonts/truetype/dejavu/*.ttf" >/dev/null || missing+=(fonts-dejavu-core)
command -v cc >/dev/null 2>&1 || missing+=(gcc)
[ -f /usr/include/stdio.h ] || missing+=(libc6-dev)
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
if [ -n "${LSLAB_CHROMIUM:-}" ]; then
  [ -x "$LSLAB_CHROMIUM" ] || { echo "test.sh: LSLAB_CHROMIUM=$LSLAB_CHROMIUM is not an executable" >&2; exit 1; }
elif [ ! -x /usr/bin/chromium ] && [ ! -x /usr/bin/chromium-browser ]; then
  missing+=(chromium)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${missing[*]} (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test.sh: not installed but needed by the tests: ${missing[*]}; run: sudo apt-get install -y ${missing[*]} (or run ./test.sh as root), then ./test.sh again" >&2
    exit 1
  fi
fi

# The PostgreSQL store tests need a server: start a throwaway one on 127.0.0.1 unless one is given
# (LSLAB_TEST_POSTGRES); it is stopped when this script exits.
if [ -z "${LSLAB_TEST_POSTGRES:-}" ]; then
  source tools/ci-postgres.sh || { echo "test.sh: could not start PostgreSQL for the store tests (see above)" >&2; exit 1; }
fi
dotnet test -c Release "$@"
case " $* " in
  *" --filter "*|*" --filter="*) ;;
  *) tools/package-check.sh ;;
esac
