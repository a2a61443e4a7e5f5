#!/usr/bin/env bash
# A larger distillation run on the full Fashion-MNIST (54,000 train / 6,000 validation / 10,000 test),
# between the experiment's Quick and Full profiles: convnet teachers with α ∈ {0, 0.1, 0.3, 0.6}
# (10 epochs, no augmentation, MI tracked every epoch on classes 0/1), mlp-small students (10 epochs):
# (i) from labels with α ∈ {0, 0.3, 0.6}, (ii) distilled from the α=0 teacher at T ∈ {1, 2, 4, 8},
# (iii) distilled from each smoothed teacher at T=1; students use β=1 and student temperature 1
# (--soft Paper), as in the paper's CIFAR-10 experiment. Resumable: rerun to continue.
# Usage: bench/distillation/fashion_full.sh OUT_DIR   (then bench/distillation/summarize.sh OUT_DIR)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:?usage: $0 OUT_DIR}"
lslab() { nice -n 10 "$here/lslab" "$@" --threads "${THREADS:-1}" --quiet; }
mkdir -p "$out"
common=(--dataset fashion-mnist --seed 0)
for a in 0 0.1 0.3 0.6; do
  lslab train "${common[@]}" --model convnet --alpha "$a" --epochs 10 --track-mi --mi-classes 0,1 --out "$out/teacher-a$a" --resume
done
for a in 0 0.3 0.6; do
  lslab train "${common[@]}" --model mlp-small --alpha "$a" --epochs 10 --out "$out/student-ls-a$a" --resume
done
for t in 1 2 4 8; do
  lslab distill --teacher "$out/teacher-a0" --student-model mlp-small --temperature "$t" --beta 1 --soft Paper --epochs 10 --out "$out/student-kd-a0-T$t" --resume
done
for a in 0.1 0.3 0.6; do
  lslab distill --teacher "$out/teacher-a$a" --student-model mlp-small --temperature 1 --beta 1 --soft Paper --epochs 10 --out "$out/student-kd-a$a-T1" --resume
done
