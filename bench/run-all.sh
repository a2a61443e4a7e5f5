#!/usr/bin/env bash
# Runs every LsLab-vs-PyTorch benchmark and writes docs/performance.md.
#   bench/run-all.sh                 # full run, 3 processes per side and row (about 10-15 minutes)
#   PROCS=1 QUICK=1 bench/run-all.sh # smoke test (about 2 minutes; numbers not for quoting)
#   GROUP_ONLY=1 bench/run-all.sh    # only the grouped-training rows, report written to out/bench/performance.md
# Each measurement is its own process; LsLab and PyTorch alternate (L P L P L P), and the report
# quotes the median over processes of each process's median. Run it on an otherwise idle machine:
# the load average before and after is written into the report.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${OUT:-$root/out/bench}"
procs="${PROCS:-3}"
quick="${QUICK:-0}"
python="${PYTHON:-/usr/bin/python3}"
results="$out/results.jsonl"
mkdir -p "$out"
: > "$results"
tunables="glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296"
start=$(date +%s)
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "building bench/LsLab.Bench (Release) ..." >&2
dotnet build "$root/bench/LsLab.Bench/LsLab.Bench.csproj" -c Release -o "$out/bin" --nologo -v quiet -clp:ErrorsOnly > "$out/build.log" 2>&1 \
  || { cat "$out/build.log" >&2; exit 1; }
gcc -O2 -fopenmp "$root/bench/peak/fma_peak.c" -o "$out/fma_peak"

# LsLab runs the way `./lslab` runs it: tuned allocator, 2 threads, MKL override as Engine decides.
lslab() { GLIBC_TUNABLES="$tunables" "$out/bin/LsLab.Bench" "$@" --threads 2 >> "$results"; }
# PyTorch's fast set-up: OpenBLAS (OpenMP flavour, core type auto-detected), same allocator tuning, 2 threads.
pytorch() { env -u OPENBLAS_CORETYPE LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp GLIBC_TUNABLES="$tunables" \
              "$python" "$root/bench/pytorch_bench.py" "$@" --threads 2 >> "$results"; }
# Grouped-training rows: OpenBLAS's core type is chosen from the CPU flags (Debian's 0.3.21 falls back to a
# generic kernel on CPUs it does not know), and the bench stops if PyTorch would not run on OpenBLAS at all.
openblas_dir="${OPENBLAS_DIR:-/usr/lib/x86_64-linux-gnu/openblas-openmp}"
coretype="$(grep -qw avx512f /proc/cpuinfo && echo SkylakeX || { grep -qw avx2 /proc/cpuinfo && echo Haswell || echo ''; })"
pytorch_group() { OPENBLAS_CORETYPE="$coretype" LD_LIBRARY_PATH="$openblas_dir" GLIBC_TUNABLES="$tunables" \
                    "$python" "$root/bench/pytorch_group_bench.py" "$@" --threads 2 >> "$results"; }
group_rows() {
  [[ -e "$openblas_dir/libblas.so.3" ]] || { echo "no OpenBLAS in $openblas_dir (install libopenblas0-openmp or set OPENBLAS_DIR): PyTorch would run on reference BLAS" >&2; exit 1; }
  group_core="$(OPENBLAS_VERBOSE=2 OPENBLAS_CORETYPE="$coretype" LD_LIBRARY_PATH="$openblas_dir" "$python" -c 'import torch; torch.mm(torch.ones(64,64), torch.ones(64,64))' 2>&1 | sed -n 's/^Core: //p' | head -1)"
  echo "  grouped training (PyTorch OpenBLAS core: ${group_core:-?}, OPENBLAS_CORETYPE=$coretype)" >&2
  [[ -n "$group_core" && "$group_core" != Prescott* && "$group_core" != Generic* ]] || { echo "PyTorch's OpenBLAS is on a generic kernel (${group_core:-none}): not a fair baseline" >&2; exit 1; }
  for row in mlp-small:16 mlp:16 convnet:8 resnet20:4; do
    model="${row%:*}" g="${row#*:}"
    for ((r = 1; r <= procs; r++)); do
      lslab group --model "$model" --members "$g" --steps "$s_group" --epochs 3 --mode grouped
      pytorch_group group --model "$model" --members "$g" --steps "$s_group" --epochs 3 --mode vmap
      lslab group --model "$model" --members "$g" --steps "$s_group" --epochs 3 --mode sequential
      pytorch_group group --model "$model" --members "$g" --steps "$s_group" --epochs 3 --mode sequential
    done
  done
}
both() {
  echo "  $*" >&2
  for ((r = 1; r <= procs; r++)); do lslab "$@"; pytorch "$@"; done
}
if [[ "$quick" == 1 ]]; then s_mlp=20; s_cnn=8; s_r20=4; epochs=3; pipe=50; s_group=10; else s_mlp=100; s_cnn=30; s_r20=15; epochs=5; pipe=300; s_group=20; fi

echo "peak probe ..." >&2
OMP_NUM_THREADS=2 "$out/fma_peak" 2>/dev/null >> "$results" || echo "peak probe failed (it needs AVX2 and FMA): no % of peak in the report" >&2
pytorch info
openblas_core="$(OPENBLAS_VERBOSE=2 LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp env -u OPENBLAS_CORETYPE \
  "$python" -c 'import torch; torch.mm(torch.ones(64,64), torch.ones(64,64))' 2>&1 | sed -n 's/^Core: //p' | head -1)"

echo "measuring ($procs processes per side and row) ..." >&2
if [[ "${GROUP_ONLY:-0}" == 1 ]]; then  # only the grouped-training rows, report to $out/performance.md
  group_rows
else
both gemm
both train --model mlp --steps "$s_mlp" --epochs "$epochs"
both train --model convnet --steps "$s_cnn" --epochs "$epochs"
both train --model resnet20 --steps "$s_r20" --epochs "$epochs"
both infer --model mlp --batches 40
both infer --model convnet --batches 8
both infer --model resnet20 --batches 4
both pipeline --model mlp --steps "$pipe"
both pipeline --model convnet --augment --steps "$pipe"
both pipeline --model resnet20 --augment --steps "$pipe"
echo "  beam (LsLab only)" >&2
for ((r = 1; r <= procs; r++)); do lslab beam --sentences "$([[ $quick == 1 ]] && echo 64 || echo 128)"; done
group_rows
fi

load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
minutes=$(( ($(date +%s) - start + 30) / 60 ))
report="$root/docs/performance.md"; [[ "${GROUP_ONLY:-0}" == 1 ]] && report="$out/performance.md"
"$out/bin/LsLab.Bench" performance-report --results "$results" --out "$report" \
  --meta-date "$(date -u '+%Y-%m-%d %H:%M UTC')" \
  --meta-CPU "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1) ($(nproc) vCPUs, $(grep -m1 -o 'avx512f' /proc/cpuinfo || echo 'no AVX-512'))" \
  --meta-threads "2 on both sides (torch.set_num_threads(2); LsLab Engine.Initialize(2))" \
  --meta-software "LsLab: TorchSharp-cpu 0.107.0 / libtorch 2.10 (MKL, oneDNN), .NET $(dotnet --version); PyTorch: Debian python3-torch $("$python" -c 'import torch; print(torch.__version__)') + libopenblas0-openmp (OpenBLAS core: ${openblas_core:-?})" \
  --meta-allocator "GLIBC_TUNABLES=$tunables on both sides" \
  --meta-load "load average (1/5/15 min) before: $load_before; after: $load_after" \
  --meta-duration "$minutes min, $procs processes per side and row$([[ $quick == 1 ]] && echo " (QUICK smoke run: not for quoting)")" \
  --meta-raw "$results (JSON line per process)"
echo "done: $report ($minutes min)" >&2
