"""Files as numpy users write them, plus the numbers numpy computes from them, for LsLab's
`lslab calibrate` tests (reading .npy of several dtypes, .csv from np.savetxt, probabilities).

    /usr/bin/python3 bench/reference/calibration_files_reference.py tests/LsLab.Tests/Calibration/Fixtures/numpy

Writes, for an evaluation set (300 x 5) and a fit set (400 x 5) of over-confident logits:
  logits_f32.npy (float32), labels_i32.npy (int32), labels_i64.npy (int64),
  probs_f64.npy (float64 softmax of the float32 logits), logits.csv (np.savetxt, with a header line),
  labels.csv (np.savetxt '%d'), fit_logits_f32.npy, fit_labels_i64.npy,
and reference.json with, on the evaluation set, before and after temperature scaling fitted on the fit set:
accuracy, NLL, Brier (sum over classes, mean over examples), ECE / MCE / RMSCE (15 equal-width bins
(lo, hi], top-label), equal-mass ECE (15 groups of the sorted confidences, group b = rows
[floor(b n/15), floor((b+1) n/15)), class-wise ECE (per class k: p_k against y == k in 15
equal-width bins, L1, averaged over classes). T is found by a dense grid on log T then golden-section
refinement, in numpy (no PyTorch needed).
"""
import json, os, sys
import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
K = 5


def make(n):
    y = rng.integers(0, K, n)
    z = rng.normal(0, 1.5, (n, K))
    z[np.arange(n), y] += rng.normal(1.5, 1.0, n)
    return (z * 2.2).astype(np.float32), y


def softmax(z):
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def binned(conf, hit, bins=15):
    """Per equal-width bin (lo, hi] (0 in the first): (weight, |acc - conf|) of the non-empty bins."""
    idx = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)
    res = []
    for b in range(bins):
        m = idx == b
        if m.any():
            res.append((m.mean(), abs(hit[m].mean() - conf[m].mean())))
    return res


def metrics(p, y):
    n = len(y)
    conf, pred = p.max(1), p.argmax(1)
    hit = (pred == y).astype(float)
    bw = binned(conf, hit)
    order = np.argsort(conf, kind="stable")
    edges = (np.arange(16) * n) // 15
    ace = sum((hi - lo) / n * abs(hit[order[lo:hi]].mean() - conf[order[lo:hi]].mean()) for lo, hi in zip(edges[:-1], edges[1:]) if hi > lo)
    cw = np.mean([sum(w * g for w, g in binned(p[:, k], (y == k).astype(float))) for k in range(K)])
    return {
        "accuracy": float(hit.mean()),
        "nll": float(-np.log(p[np.arange(n), y]).mean()),
        "brier": float(((p - np.eye(K)[y]) ** 2).sum(1).mean()),
        "ece": float(sum(w * g for w, g in bw)),
        "mce": float(max(g for _, g in bw)),
        "rmsce": float(np.sqrt(sum(w * g * g for w, g in bw))),
        "adaptive_ece": float(ace),
        "classwise_ece": float(cw),
    }


def nll_at(z, y, log_t):
    zt = z / np.exp(log_t)
    zt = zt - zt.max(1, keepdims=True)
    return float((np.log(np.exp(zt).sum(1)) - zt[np.arange(len(y)), y]).mean())


def fit_temperature(z, y):
    grid = np.linspace(-4, 4, 8001)
    vals = [nll_at(z, y, g) for g in grid]
    i = int(np.argmin(vals))
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    phi = (np.sqrt(5) - 1) / 2
    while b - a > 1e-12:
        c, d = b - phi * (b - a), a + phi * (b - a)
        if nll_at(z, y, c) < nll_at(z, y, d):
            b = d
        else:
            a = c
    return float(np.exp((a + b) / 2))


z, y = make(300)
fz, fy = make(400)
z64, fz64 = z.astype(np.float64), fz.astype(np.float64)
t = fit_temperature(fz64, fy)
ref = {"before": metrics(softmax(z64), y), "after": metrics(softmax(z64 / t), y), "temperature": t,
       "n": int(len(y)), "k": K, "numpy_version": np.__version__}

np.save(os.path.join(out, "logits_f32.npy"), z)
np.save(os.path.join(out, "labels_i32.npy"), y.astype(np.int32))
np.save(os.path.join(out, "labels_i64.npy"), y.astype(np.int64))
np.save(os.path.join(out, "probs_f64.npy"), softmax(z64))
np.savetxt(os.path.join(out, "logits.csv"), z, fmt="%.9g", delimiter=",", header=",".join(f"class{k}" for k in range(K)), comments="")
np.savetxt(os.path.join(out, "labels.csv"), y, fmt="%d")
np.save(os.path.join(out, "fit_logits_f32.npy"), fz)
np.save(os.path.join(out, "fit_labels_i64.npy"), fy.astype(np.int64))
with open(os.path.join(out, "reference.json"), "w") as f:
    json.dump(ref, f, indent=1)
print(json.dumps(ref, indent=1))
