"""Reference calibration numbers for LsLab's tests, computed independently with numpy and PyTorch.

    /usr/bin/python3 bench/reference/calibration_reference.py tests/LsLab.Tests/Calibration/Fixtures

Writes cal_logits.npy (float64 [2000,10]), cal_labels.npy (int64 [2000]) and calibration_reference.json:
ECE (15 equal-width bins, top-label, L1, bins (lo, hi] as in Guo et al. / gpleiss' _ECELoss),
MCE, Brier (sum over classes, mean over examples), NLL, accuracy, and the NLL-optimal temperature
fitted by PyTorch's LBFGS with strong-Wolfe line search on log T (many iterations, so it converges).
"""
import json, os, sys
import numpy as np
import torch

out = sys.argv[1]
rng = np.random.default_rng(2019)
n, k = 2000, 10
labels = rng.integers(0, k, n)
# Over-confident logits: a signal towards the true class plus large noise, scaled up.
logits = rng.normal(0, 1, (n, k)) * 2.5
logits[np.arange(n), labels] += rng.normal(2.0, 1.5, n)
logits *= 1.8

def softmax(z):
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)

def ece_mce(p, y, bins=15):
    conf = p.max(1); pred = p.argmax(1); acc = (pred == y).astype(float)
    edges = np.linspace(0, 1, bins + 1)
    ece, mce = 0.0, 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (conf > lo) & (conf <= hi)
        if m.sum() > 0:
            gap = abs(acc[m].mean() - conf[m].mean())
            ece += m.mean() * gap
            mce = max(mce, gap)
    return ece, mce

p = softmax(logits)
onehot = np.eye(k)[labels]
ece, mce = ece_mce(p, labels)
res = {
    "ece15": ece, "mce15": mce,
    "brier": float(((p - onehot) ** 2).sum(1).mean()),
    "nll": float(-np.log(p[np.arange(n), labels]).mean()),
    "accuracy": float((p.argmax(1) == labels).mean()),
}
z = torch.tensor(logits); y = torch.tensor(labels)
log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
opt = torch.optim.LBFGS([log_t], lr=1, max_iter=500, tolerance_grad=1e-12, tolerance_change=1e-15, line_search_fn="strong_wolfe")
def closure():
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(z / log_t.exp(), y)
    loss.backward()
    return loss
for _ in range(5):
    opt.step(closure)
t = float(log_t.exp())
pt = softmax(logits / t)
res["temperature"] = t
res["nll_at_t"] = float(-np.log(pt[np.arange(n), labels]).mean())
res["ece15_at_t"] = ece_mce(pt, labels)[0]
res["torch_version"] = torch.__version__
np.save(os.path.join(out, "cal_logits.npy"), logits)
np.save(os.path.join(out, "cal_labels.npy"), labels.astype(np.int64))
with open(os.path.join(out, "calibration_reference.json"), "w") as f:
    json.dump(res, f, indent=1)
print(json.dumps(res, indent=1))
