#!/usr/bin/env bash
# Test accuracy of every run folder under OUT_DIR (via `lslab evaluate`), equivalent smoothing γ of
# distilled students (distill.json) and the per-epoch mutual information of teachers (metrics.json).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:?usage: $0 OUT_DIR}"
for run in "$out"/*/; do
  run="${run%/}"
  [[ -f "$run/model.dat" ]] || { echo "$(basename "$run"): not finished"; continue; }
  nice -n 10 "$here/lslab" evaluate --run "$run" --threads 1 > /dev/null
  /usr/bin/python3 - "$run" <<'PY'
import json, os, sys
run = sys.argv[1]
score = json.load(open(os.path.join(run, "eval", "test", "score.json")))
line = f"{os.path.basename(run):28s} test accuracy {100 * score['accuracy']:.2f}%"
kd = os.path.join(run, "distill.json")
if os.path.exists(kd):
    d = json.load(open(kd))
    line += f"  gamma {d['equivalentSmoothing']:.3f}"
hist = json.load(open(os.path.join(run, "metrics.json")))["history"]
mi = [h["extra"]["mi"] for h in hist if "mi" in h.get("extra", {})]
if mi:
    line += "  MI per epoch " + " ".join(f"{v:.3f}" for v in mi)
line += f"  ({sum(h['seconds'] for h in hist):.0f} s training)"
print(line)
PY
done
