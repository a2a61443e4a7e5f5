"""Writes over-confident logits and labels as numpy files for the end-to-end `lslab calibrate --method all` timing.

  /usr/bin/python3 bench/make_calibration_files.py OUT [--n 1000000] [--fit 10000] [--k 100] [--seed 0]

OUT/logits.npy (float32 [n, k]), OUT/labels.npy (int64), OUT/fit_logits.npy, OUT/fit_labels.npy: a true class gets a
mean boost of 2.5, every logit unit Gaussian noise; the Bayes posterior is then softmax(2.5 z), and the files hold 5 z
(twice the calibrated logits: over-confidence a calibrator should undo, T = 2).
"""
import argparse, os
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--n", type=int, default=1_000_000)
ap.add_argument("--fit", type=int, default=10_000)
ap.add_argument("--k", type=int, default=100)
ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()
os.makedirs(a.out, exist_ok=True)
rng = np.random.default_rng(a.seed)

def rows(n):
    y = rng.integers(0, a.k, n)
    z = rng.standard_normal((n, a.k), dtype=np.float32)
    z[np.arange(n), y] += 2.5
    return (5.0 * z).astype(np.float32), y.astype(np.int64)

for prefix, n in (("", a.n), ("fit_", a.fit)):
    z, y = rows(n)
    np.save(os.path.join(a.out, f"{prefix}logits.npy"), z)
    np.save(os.path.join(a.out, f"{prefix}labels.npy"), y)
print(f"wrote {a.out}: {a.n} x {a.k} evaluation rows, {a.fit} fit rows")
