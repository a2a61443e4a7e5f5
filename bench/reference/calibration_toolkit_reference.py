"""Independent reference numbers for LsLab's calibration toolkit (calibrators and estimators).

    /usr/bin/python3 bench/reference/calibration_toolkit_reference.py tests/LsLab.Tests/Calibration/Fixtures/toolkit

Needs only Debian's python3-numpy, python3-scipy and python3-sklearn (reference side only, never a
product dependency). Everything below is written from the papers / library docs, not from LsLab's code:

* isotonic: sklearn.isotonic.IsotonicRegression(out_of_bounds="clip") per class on p_k vs (y == k), the
  rows renormalised as CalibratedClassifierCV does for K > 2 (a zero row becomes uniform);
* histogram binning: sklearn.calibration.calibration_curve(y == k, p_k, n_bins, strategy) per class
  (the per-bin frequencies are histogram binning's bin values; empty bins are dropped there);
* affine maps (vector, matrix ODIR, Dirichlet ODIR / L2-towards-TS, diagonal Dirichlet): the same
  penalised NLL minimised by scipy.optimize.minimize(method="L-BFGS-B") from W = I/T, b = 0;
* Platt / beta: maximum likelihood logistic regressions (scipy L-BFGS-B) on (s, 1) and (ln p1, -ln p0, 1);
* debiased L2 ECE (Kumar et al. 2019), KS error (Gupta et al. 2021), smooth ECE (Blasiok & Nakkiran 2023,
  evaluated exactly at every score, no grid rounding), AURC / risk at coverage, binned ECE under the
  torchmetrics (numpy searchsorted side="right" emulation of torch.bucketize(right=True)), netcal
  (scipy.stats.binned_statistic_dd, netcal's own primitive) and sklearn (calibration_curve) conventions.
"""
import json, os, sys
import numpy as np
from scipy import optimize, stats
from sklearn.isotonic import IsotonicRegression
from sklearn.calibration import calibration_curve
import sklearn, scipy

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(16)
K = 4


def make(n):
    y = rng.integers(0, K, n)
    z = rng.normal(0, 1.2, (n, K))
    z[np.arange(n), y] += rng.normal(1.4, 1.0, n)
    z[:, 0] += 0.6  # a class bias that vector/matrix scaling can fix and temperature cannot
    return z * 2.0, y


def softmax(z):
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def log_softmax(z):
    m = z.max(1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(1, keepdims=True))


zf, yf = make(1500)
zt, yt = make(800)
np.save(os.path.join(out, "fit_logits.npy"), zf)
np.save(os.path.join(out, "fit_labels.npy"), yf.astype(np.int64))
np.save(os.path.join(out, "test_logits.npy"), zt)
np.save(os.path.join(out, "test_labels.npy"), yt.astype(np.int64))
pf, pt = softmax(zf), softmax(zt)
res = {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__}

# ---- isotonic (sklearn) ----
iso = np.zeros_like(pt)
for k in range(K):
    ir = IsotonicRegression(out_of_bounds="clip").fit(pf[:, k], (yf == k).astype(float))
    iso[:, k] = ir.predict(pt[:, k])
den = iso.sum(1, keepdims=True)
iso = np.divide(iso, den, out=np.full_like(iso, 1.0 / K), where=den != 0)
np.save(os.path.join(out, "isotonic_test_probs.npy"), iso)

# ---- histogram binning bin values (sklearn calibration_curve) ----
hist = {}
for strategy in ("quantile", "uniform"):
    for k in range(K):
        prob_true, prob_pred = calibration_curve((yf == k).astype(int), pf[:, k], n_bins=10, strategy=strategy)
        hist[f"{strategy}{k}"] = {"prob_true": prob_true.tolist(), "prob_pred": prob_pred.tolist()}
res["histogram"] = hist

# ---- temperature scaling (bounded 1-D search on log T) ----
def nll_t(logt, z, y):
    return -log_softmax(z / np.exp(logt))[np.arange(len(y)), y].mean()

r = optimize.minimize_scalar(lambda a: nll_t(a, zf, yf), bounds=(-4, 4), method="bounded", options={"xatol": 1e-12})
T = float(np.exp(r.x))
res["temperature"] = T
res["ts_nll"] = float(nll_t(r.x, zf, yf))


# ---- affine maps ----
def objective(theta, x, y, full, penalty, lam, mu, w0):
    n = len(y)
    nw = K * K if full else K
    W = theta[:nw].reshape(K, K) if full else theta[:nw]
    b = theta[nw:]
    L = x @ W.T + b if full else x * W + b
    lp = log_softmax(L)
    f = -lp[np.arange(n), y].mean()
    G = np.exp(lp)
    G[np.arange(n), y] -= 1
    G /= n
    gW = (G.T @ x).ravel() if full else (G * x).sum(0)
    g = np.concatenate([gW, G.sum(0)])
    if penalty == "odir":
        if full:
            off = ~np.eye(K, dtype=bool)
            c = lam / (K * (K - 1))
            f += c * (W[off] ** 2).sum()
            gw = np.zeros((K, K)); gw[off] = 2 * c * W[off]
            g[:nw] += gw.ravel()
        f += mu / K * (b ** 2).sum()
        g[nw:] += 2 * mu / K * b
    elif penalty == "l2":
        c = lam / (K * K if full else K)
        target = (np.eye(K) * w0).ravel() if full else np.full(K, w0)
        d = theta[:nw] - target
        f += c * (d ** 2).sum(); g[:nw] += 2 * c * d
        f += lam / K * (b ** 2).sum(); g[nw:] += 2 * lam / K * b
    return f, g


def fit_affine(name, full, logprobs, penalty, lam):
    x = log_softmax(zf) if logprobs else zf
    nw = K * K if full else K
    theta0 = np.concatenate([(np.eye(K) / T).ravel() if full else np.full(K, 1 / T), np.zeros(K)])
    r = optimize.minimize(objective, theta0, args=(x, yf, full, penalty, lam, lam, 1 / T), jac=True, method="L-BFGS-B",
                          options={"maxiter": 20000, "ftol": 1e-15, "gtol": 1e-11, "maxcor": 20})
    nll = objective(r.x, x, yf, full, "none", 0, 0, 1)[0]
    xt = log_softmax(zt) if logprobs else zt
    W = r.x[:nw].reshape(K, K) if full else r.x[:nw]
    Lt = xt @ W.T + r.x[nw:] if full else xt * W + r.x[nw:]
    return {"lambda": lam, "objective": float(r.fun), "fit_nll": float(nll), "test_nll": float(-log_softmax(Lt)[np.arange(len(yt)), yt].mean()),
            "iterations": int(r.nit), "converged": bool(r.success)}


res["affine"] = {
    "vector": fit_affine("vector", False, False, "none", 0.0),
    "matrix": fit_affine("matrix", True, False, "odir", 1e-3),
    "dirichlet": fit_affine("dirichlet", True, True, "odir", 1e-3),
    "dirichlet-l2": fit_affine("dirichlet-l2", True, True, "l2", 1e-2),
    "dirichlet-diag": fit_affine("dirichlet-diag", False, True, "none", 0.0),
}

# ---- binary: Platt and beta (maximum likelihood) ----
nb = 600
yb = rng.integers(0, 2, nb)
sb = rng.normal(0, 1.5, nb) + np.where(yb == 1, 1.2, -1.2)
sb = 2.5 * sb + 0.7
zb = np.stack([np.zeros(nb), sb], 1)
np.save(os.path.join(out, "binary_logits.npy"), zb)
np.save(os.path.join(out, "binary_labels.npy"), yb.astype(np.int64))


def logistic(feats, y):
    def f(th):
        s = feats @ th
        loss = np.where(y == 1, np.logaddexp(0, -s), np.logaddexp(0, s)).mean()
        p = 1 / (1 + np.exp(-s))
        return loss, feats.T @ (p - y) / len(y)
    r = optimize.minimize(f, np.zeros(feats.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 10000, "ftol": 1e-15, "gtol": 1e-12})
    return r.x, float(r.fun)


platt, platt_nll = logistic(np.stack([sb, np.ones(nb)], 1), yb)
lp1 = -np.logaddexp(0, -sb); lp0 = -np.logaddexp(0, sb)
beta, beta_nll = logistic(np.stack([lp1, -lp0, np.ones(nb)], 1), yb)
res["platt"] = {"coef": platt.tolist(), "nll": platt_nll}
res["beta"] = {"coef": beta.tolist(), "nll": beta_nll, "note": "both a, b came out positive, so no feature is dropped" if (beta[:2] > 0).all() else "NEGATIVE"}

# ---- estimators on the uncalibrated test probabilities ----
conf = pt.max(1); ok = (pt.argmax(1) == yt).astype(float)


def order(f):
    return np.argsort(f, kind="stable")


def debiased_sq(f, y, B=15):
    o = order(f); n = len(f); tot = 0.0
    for b in range(B):
        lo, hi = (b * n) // B, ((b + 1) * n) // B
        m = hi - lo
        if m == 0: continue
        fm, ym = f[o[lo:hi]].mean(), y[o[lo:hi]].mean()
        tot += m / n * ((ym - fm) ** 2 - (ym * (1 - ym) / (m - 1) if m > 1 else 0))
    return tot


def ks(f, y):
    o = order(f); fs, ys = f[o], y[o]
    h = np.cumsum(ys - fs) / len(f)
    ends = np.r_[fs[1:] != fs[:-1], True]  # last index of each run of equal scores
    return float(np.abs(h[ends]).max())


def smooth_ece_sigma(f, y, sigma, grid=2001):
    t = np.linspace(0, 1, grid)[:, None]
    r = (y - f)[None, :]
    def phi(x): return np.exp(-0.5 * (x / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))
    kern = 0
    for k in (-1, 0, 1):  # reflections at 0 and 1: images +-s + 2k
        kern = kern + phi(t - f[None, :] - 2 * k) + phi(t + f[None, :] - 2 * k)
    h = np.abs((kern * r).sum(1)) / len(f)
    return float(np.trapz(h, t[:, 0]))


def smooth_ece(f, y):
    lo, hi = 1e-6, 1.0
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        if smooth_ece_sigma(f, y, mid) - mid > 0: lo = mid
        else: hi = mid
    s = 0.5 * (lo + hi)
    return smooth_ece_sigma(f, y, s), s


def aurc(conf, ok):
    o = np.argsort(-conf, kind="stable")
    risk = np.cumsum(1 - ok[o]) / np.arange(1, len(ok) + 1)
    return float(risk.mean())


def risk_at(conf, ok, c):
    o = np.argsort(-conf, kind="stable")
    m = max(1, int(np.ceil(c * len(ok) - 1e-9)))
    return float((1 - ok[o[:m]]).mean())


# ---- binned ECE under three libraries' conventions ----
def ece_torchmetrics(f, y, B=15):
    edges = np.linspace(0, 1, B + 1)
    idx = np.searchsorted(edges, f, side="right") - 1  # torch.bucketize(right=True) - 1; 1.0 -> B (extra bin)
    n = np.bincount(idx, minlength=B + 1); sf = np.bincount(idx, f, B + 1); sy = np.bincount(idx, y, B + 1)
    nz = n > 0
    return float((np.abs(sy[nz] / n[nz] - sf[nz] / n[nz]) * n[nz] / len(f)).sum())


def ece_netcal(f, y, B=10, ace=False):
    f = np.clip(f, np.finfo(float).eps, 1 - np.finfo(float).eps)
    edges = [np.linspace(0, 1, B + 1)]
    acc, _, _ = stats.binned_statistic_dd(f[:, None], y, statistic="mean", bins=edges)
    cf, _, _ = stats.binned_statistic_dd(f[:, None], f, statistic="mean", bins=edges)
    n, _ = np.histogramdd(f[:, None], bins=edges)
    acc, cf = np.nan_to_num(acc), np.nan_to_num(cf)
    dev = np.abs(acc - cf)
    if ace:
        return float(dev.sum() / np.count_nonzero(n))
    return float((dev * n / len(f)).sum())


def ece_sklearn(f, y, B=5):
    edges = np.linspace(0, 1, B + 1)
    prob_true, prob_pred = calibration_curve(y, f, n_bins=B, strategy="uniform")
    ids = np.searchsorted(edges[1:-1], f)
    counts = np.bincount(ids, minlength=B); counts = counts[counts > 0]
    return float((np.abs(prob_true - prob_pred) * counts / len(f)).sum())


def ece_lslab(f, y, B=15):
    # bins (m-1)/B < f <= m/B with edges m/B (correctly rounded divisions), 0 in the first bin
    idx = np.searchsorted(np.arange(1, B) / B, f, side="left")
    n = np.bincount(idx, minlength=B); sf = np.bincount(idx, f, B); sy = np.bincount(idx, y, B)
    nz = n > 0
    return float((np.abs(sy[nz] / n[nz] - sf[nz] / n[nz]) * n[nz] / len(f)).sum())


sm, sig = smooth_ece(conf, ok)
# A score set whose miscalibration changes sign (under-confident low, over-confident high), so the
# estimators do not all collapse to the global gap |mean(y - f)| as on the over-confident logits above.
fs = rng.uniform(0, 1, 1000)
ys = (rng.uniform(0, 1, 1000) < np.clip(fs + 0.15 * np.sin(2 * np.pi * fs), 0, 1)).astype(float)
np.save(os.path.join(out, "scores_f.npy"), fs)
np.save(os.path.join(out, "scores_y.npy"), ys)
sm2, sig2 = smooth_ece(fs, ys)
res["scores"] = {"debiased": float(np.sqrt(max(0.0, debiased_sq(fs, ys)))), "debiased_sq": float(debiased_sq(fs, ys)), "ks": ks(fs, ys),
                 "smece": sm2, "smece_sigma": sig2, "smece_at_0.05": smooth_ece_sigma(fs, ys, 0.05),
                 "aurc": aurc(fs, ys), "risk_at_0.5": risk_at(fs, ys, 0.5), "global_gap": float(abs((ys - fs).mean())),
                 "ece_lslab": ece_lslab(fs, ys), "ece_torchmetrics": ece_torchmetrics(fs, ys), "ece_netcal": ece_netcal(fs, ys),
                 "ace_netcal": ece_netcal(fs, ys, ace=True), "ece_sklearn": ece_sklearn(fs, ys)}
res["estimators"] = {
    "debiased_top": float(np.sqrt(max(0.0, debiased_sq(conf, ok)))),
    "debiased_marginal": float(np.sqrt(max(0.0, np.mean([debiased_sq(pt[:, k], (yt == k).astype(float)) for k in range(K)])))),
    "ks_top": ks(conf, ok),
    "ks_classwise": float(np.mean([ks(pt[:, k], (yt == k).astype(float)) for k in range(K)])),
    "smece": sm, "smece_sigma": sig,
    "aurc": aurc(conf, ok), "risk_at_0.8": risk_at(conf, ok, 0.8),
}


pb = softmax(zb)
cases = {
    "multiclass_top": (conf, ok),
    "binary_positive": (pb[:, 1], yb.astype(float)),
    "binary_top": (pb.max(1), (pb.argmax(1) == yb).astype(float)),
    "issue3510": (np.array([0.95, 1.0]), np.array([1.0, 0.0])),
    "zero_and_one": (np.array([0.0, 0.0, 1.0, 0.5, 0.2]), np.array([0.0, 1.0, 1.0, 1.0, 0.0])),
    # scores exactly on interior edges of 5 and 10 bins (0.2, 0.4, 0.6): (lo, hi] and [lo, hi) disagree
    "interior_edges": (np.array([0.2, 0.2, 0.4, 0.4, 0.6, 0.65]), np.array([1.0, 0.0, 1.0, 1.0, 0.0, 1.0])),
}
res["compat"] = {name: {"lslab": ece_lslab(f, y), "torchmetrics": ece_torchmetrics(f, y), "netcal": ece_netcal(f, y),
                        "netcal_ace": ece_netcal(f, y, ace=True), "sklearn": ece_sklearn(f, y)} for name, (f, y) in cases.items()}
# The same scores under each convention at the same bin count (5): only the edge rule differs.
fe = np.array([0.15, 0.2, 0.25, 0.4, 0.45, 0.35, 0.6, 0.8, 1.0])
ye = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0])
res["edges5"] = {"f": fe.tolist(), "y": ye.tolist(), "lslab": ece_lslab(fe, ye, 5), "torchmetrics": ece_torchmetrics(fe, ye, 5),
                 "netcal": ece_netcal(fe, ye, 5), "sklearn": ece_sklearn(fe, ye, 5)}
np.save(os.path.join(out, "binary_positive_scores.npy"), pb[:, 1])

with open(os.path.join(out, "toolkit_reference.json"), "w") as fh:
    json.dump(res, fh, indent=1)
print(json.dumps({k: v for k, v in res.items() if k not in ("histogram",)}, indent=1))
