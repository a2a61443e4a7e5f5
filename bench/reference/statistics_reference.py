"""Reference numbers for LsLab's statistics layer (src/LsLab/Statistics), computed independently with numpy.

    /usr/bin/python3 bench/reference/statistics_reference.py tests/LsLab.Tests/Statistics/Fixtures

Writes statistics_reference.json. The bootstrap resample indices are regenerated here from the seed
with SplitMix64 (the generator LsLab documents), index = next() % n; one example-index vector per
resample, drawn from the stream seeded with `seed`; seeds (hierarchical bootstrap) are drawn from a
second stream seeded with `seed + 0xD1B54A32D192ED03` (mod 2^64), only when an arm has more than one seed.
Intervals are percentile intervals with numpy's default (linear) quantile. McNemar's exact p-values
come from scipy.stats.binomtest.
"""
import json, os, sys
import numpy as np
from scipy.stats import binomtest

MASK = (1 << 64) - 1
SEED_STREAM_OFFSET = 0xD1B54A32D192ED03


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def indices(self, count, n):
        return np.array([self.next() % n for _ in range(count)], dtype=np.int64)


def bootstrap(n, arms, statistic, resamples, seed, paired_seeds=True):
    """arms[a][s] is a function of an index array; an arm's value is the mean over its drawn seeds."""
    full = np.arange(n)
    estimate = statistic(np.array([np.mean([m(full) for m in arm]) for arm in arms]))
    ex, sd = SplitMix64(seed), SplitMix64(seed + SEED_STREAM_OFFSET)

    def draw(count):
        return np.zeros(1, dtype=np.int64) if count == 1 else sd.indices(count, count)

    values = []
    for _ in range(resamples):
        idx = ex.indices(n, n)
        shared = draw(len(arms[0])) if paired_seeds else None
        per_arm = []
        for arm in arms:
            drawn = shared if paired_seeds else draw(len(arm))
            per_arm.append(np.mean([arm[s](idx) for s in drawn]))
        values.append(statistic(np.array(per_arm)))
    values = np.array(values)
    return {
        "estimate": float(estimate),
        "ci95": [float(np.quantile(values, 0.025)), float(np.quantile(values, 0.975))],
        "ci90": [float(np.quantile(values, 0.05)), float(np.quantile(values, 0.95))],
        "share_above_zero": float(np.mean(values > 0)),
    }


def mean_of(v):
    return lambda idx: float(v[idx].mean())


def slope(x, y):
    x = np.asarray(x, float); y = np.asarray(y, float)
    return float(((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum())


out = sys.argv[1] if len(sys.argv) > 1 else "."
rng = np.random.default_rng(2019)
cases = {}

# 1. Paired accuracy difference: correct/incorrect of two classifiers on the same 300 examples.
n = 300
truth_easy = rng.random(n)
a = (rng.random(n) < 0.70 + 0.2 * truth_easy).astype(float)
b = np.where(rng.random(n) < 0.8, a, (rng.random(n) < 0.6).astype(float))
cases["paired_mean"] = {"a": a.tolist(), "b": b.tolist(), "resamples": 500, "seed": 7,
                        "first_indices": SplitMix64(7).indices(10, n).tolist(),
                        **bootstrap(n, [[mean_of(a)], [mean_of(b)]], lambda v: v[0] - v[1], 500, 7)}

# 2. Paired difference of a ratio metric (not a mean: sum(num) / sum(den), like corpus BLEU's precisions).
n = 250
num_a, den = rng.integers(0, 20, n).astype(float), rng.integers(10, 30, n).astype(float)
num_b = np.clip(num_a + rng.integers(-3, 3, n), 0, None).astype(float)
ratio = lambda num: (lambda idx: float(num[idx].sum() / den[idx].sum()))
cases["paired_ratio"] = {"num_a": num_a.tolist(), "num_b": num_b.tolist(), "den": den.tolist(), "resamples": 400, "seed": 11,
                         **bootstrap(n, [[ratio(num_a)], [ratio(num_b)]], lambda v: v[0] - v[1], 400, 11)}

# 3. One-sample interval of a mean (per-example NLL-like values).
n = 200
nll = rng.gamma(2.0, 0.3, n)
cases["one_sample_mean"] = {"values": nll.tolist(), "resamples": 600, "seed": 3,
                            **bootstrap(n, [[mean_of(nll)]], lambda v: v[0], 600, 3)}

# 4. Hierarchical: 3 seeds per arm (seed-level offsets), 150 shared test examples; paired and unpaired seeds.
n, seeds = 150, 3
base = rng.random(n)
ha = [(rng.random(n) < 0.6 + 0.25 * base + 0.04 * (s - 1)).astype(float) for s in range(seeds)]
hb = [(rng.random(n) < 0.55 + 0.25 * base + 0.05 * (s - 1)).astype(float) for s in range(seeds)]
arms = [[mean_of(v) for v in ha], [mean_of(v) for v in hb]]
cases["hierarchical"] = {"a": [v.tolist() for v in ha], "b": [v.tolist() for v in hb], "resamples": 300, "seed": 5,
                         "paired": bootstrap(n, arms, lambda v: v[0] - v[1], 300, 5, True),
                         "unpaired": bootstrap(n, arms, lambda v: v[0] - v[1], 300, 5, False)}

# 5. Trend: accuracy at four sweep values on the same 200 examples.
n = 200
x = [0.0, 0.05, 0.1, 0.2]
pts = [(rng.random(n) < 0.80 - 0.3 * xv).astype(float) for xv in x]
cases["trend"] = {"x": x, "points": [p.tolist() for p in pts], "resamples": 400, "seed": 9,
                  "slope": slope(x, [p.mean() for p in pts]),
                  **bootstrap(n, [[mean_of(p)] for p in pts], lambda v: slope(x, v), 400, 9)}

# 6. McNemar's exact test on discordant counts.
counts = [(0, 0), (5, 5), (3, 12), (12, 3), (40, 61), (0, 9), (150, 118), (700, 640)]
cases["mcnemar"] = [{"only_a": i, "only_b": j, "p": float(binomtest(i, i + j, 0.5).pvalue) if i + j > 0 else 1.0} for i, j in counts]

os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "statistics_reference.json"), "w") as f:
    json.dump(cases, f, indent=1)
print("wrote", os.path.join(out, "statistics_reference.json"))
