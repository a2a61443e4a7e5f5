"""numpy side of `dotnet run -c Release --project bench/LsLab.Bench -- calibration --toolkit`.

    /usr/bin/python3 bench/calibration_toolkit_numpy.py --n 10000000 --k 10 --batch 1000000

Collects the top-label confidence and correctness of N hashed predictions (the same batch generator as
calibration_numpy.py, bit-identical logits), then times each estimator on them the way LsLab computes it:
binned ECE (15 bins, (lo, hi]), equal-mass ECE, debiased L2 (Kumar et al.), KS (Gupta et al.), smooth ECE
(scores split onto a 1000-interval grid, reflected Gaussian kernel, bisection on the bandwidth), AURC.
Prints one JSON line.
"""
import argparse, json, resource, time
import numpy as np
from calibration_numpy import batch

ap = argparse.ArgumentParser()
ap.add_argument("--n", type=int, default=10_000_000)
ap.add_argument("--k", type=int, default=10)
ap.add_argument("--batch", type=int, default=1_000_000)
a = ap.parse_args()

z, y = batch(a.batch, a.k)
t0 = time.perf_counter()
conf = np.empty(a.n); ok = np.empty(a.n)
for r0 in range(0, a.n, a.batch):
    m = z.max(1)
    e = np.exp(z - m[:, None])
    conf[r0:r0 + a.batch] = 1.0 / e.sum(1, dtype=np.float64)
    ok[r0:r0 + a.batch] = z.argmax(1) == y
t_collect = time.perf_counter() - t0
del z


def timed(f):
    t = time.perf_counter(); v = f(); return time.perf_counter() - t, v


def ece(f, y, B=15):
    idx = np.clip(np.ceil(f * B).astype(np.int64) - 1, 0, B - 1)
    n = np.bincount(idx, minlength=B); sf = np.bincount(idx, f, B); sy = np.bincount(idx, y, B)
    return float(np.abs(sy - sf).sum() / len(f))


def groups(f, B):
    o = np.argsort(f, kind="stable"); n = len(f)
    cuts = (np.arange(B + 1) * n) // B
    return o, cuts


def ace(f, y, B=15):
    o, cuts = groups(f, B)
    sf = np.add.reduceat(f[o], cuts[:-1]); sy = np.add.reduceat(y[o], cuts[:-1])
    return float(np.abs(sy - sf).sum() / len(f))


def debiased(f, y, B=15):
    o, cuts = groups(f, B)
    m = np.diff(cuts)
    mf = np.add.reduceat(f[o], cuts[:-1]) / m; my = np.add.reduceat(y[o], cuts[:-1]) / m
    return float((m / len(f) * ((my - mf) ** 2 - my * (1 - my) / (m - 1))).sum())


def ks(f, y):
    o = np.argsort(f, kind="stable"); fs = f[o]
    h = np.cumsum(y[o] - fs) / len(f)
    ends = np.r_[fs[1:] != fs[:-1], True]
    return float(np.abs(h[ends]).max())


def smooth(f, y, G=1000):
    x = np.clip(f, 0, 1) * G
    lo = np.minimum(np.floor(x).astype(np.int64), G - 1); t = x - lo
    r = np.bincount(lo, (1 - t) * (y - f), G + 1) + np.bincount(lo + 1, t * (y - f), G + 1)
    grid = np.arange(G + 1)
    def at(sigma):
        d = np.arange(-2 * G, 2 * G + 1) / G
        per = sum(np.exp(-0.5 * ((d + 2 * k) / sigma) ** 2) for k in (-1, 0, 1)) / (sigma * np.sqrt(2 * np.pi))
        K = per[(grid[:, None] - grid[None, :]) + 2 * G] + per[(grid[:, None] + grid[None, :]) + 2 * G]
        v = np.abs(K @ r)
        return (v.sum() - 0.5 * (v[0] + v[-1])) / G / len(f)
    lo_s, hi_s = 1e-6, 1.0
    for _ in range(50):
        mid = 0.5 * (lo_s + hi_s)
        if at(mid) - mid > 0: lo_s = mid
        else: hi_s = mid
        if hi_s - lo_s <= 1e-10: break
    return float(at(0.5 * (lo_s + hi_s)))


def aurc(c, o_):
    o = np.argsort(-c, kind="stable")
    return float((np.cumsum(1 - o_[o]) / np.arange(1, len(c) + 1)).mean())


res = {"impl": "numpy", "n": a.n, "k": a.k, "collect": t_collect}
for name, f in [("ece", lambda: ece(conf, ok)), ("ace", lambda: ace(conf, ok)), ("debiased", lambda: debiased(conf, ok)),
                ("ks", lambda: ks(conf, ok)), ("smece", lambda: smooth(conf, ok)), ("aurc", lambda: aurc(conf, ok))]:
    t, v = timed(f)
    res[name] = t; res[name + "_value"] = v
res["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps(res))
