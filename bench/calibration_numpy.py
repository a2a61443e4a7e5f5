"""numpy side of the calibration benchmark (run by `dotnet run -c Release --project bench/LsLab.Bench -- calibration`).

    /usr/bin/python3 bench/calibration_numpy.py --n 10000000 --k 10 --batch 1000000

Streams N predictions x K classes through a bounded-memory accumulator (15 equal-width bins, NLL,
Brier, accuracy), batch by batch, doing the same work as LsLab's StreamingCalibration: row max and
argmax, softmax (exp in float32, row sums then float64), label-range and finiteness checks, NLL,
Brier, bin index (m-1)/M < c <= m/M, per-bin sums. Prints one JSON line like the C# worker.
The batch is generated once by the same 64-bit hash as CalibrationBench.Batch (bit-identical logits).
"""
import argparse, json, resource, time
import numpy as np

SIGNAL = 4.0
U64 = np.uint64


def hash64(x):
    x = x * U64(0x9E3779B97F4A7C15)
    x ^= x >> U64(29)
    x *= U64(0xBF58476D1CE4E5B9)
    x ^= x >> U64(32)
    return x


def batch(rows, k):
    # Filled in chunks so the hash temporaries do not dominate the peak RSS.
    z = np.empty((rows, k), np.float32)
    step = max(1, 65536 // k)
    for r0 in range(0, rows, step):
        r1 = min(rows, r0 + step)
        g = np.arange(r0 * k + 1, r1 * k + 1, dtype=U64)
        u = (hash64(g) >> U64(40)).astype(np.float32) * np.float32(2.0 ** -24)
        z[r0:r1] = (np.float32(8) * u - np.float32(4)).reshape(r1 - r0, k)
    y = (hash64(np.arange(rows, dtype=U64) ^ U64(0xD1B54A32D192ED03)) >> U64(33)) % U64(k)
    y = y.astype(np.int64)
    z[np.arange(rows), y] += np.float32(SIGNAL)
    return z, y


class Accumulator:
    def __init__(self, k, bins=15):
        self.k, self.bins = k, bins
        self.count = np.zeros(bins, np.int64)
        self.sum_conf = np.zeros(bins)
        self.sum_correct = np.zeros(bins)
        self.nll = self.brier = 0.0
        self.n = self.correct = 0

    def add(self, z, y):
        b = len(y)
        if z.shape != (b, self.k):
            raise ValueError(f"logits: shape {z.shape}, expected ({b}, {self.k})")
        if y.min() < 0 or y.max() >= self.k:
            raise ValueError("labels: out of range")
        rows = np.arange(b)
        m = z.max(axis=1)
        arg = z.argmax(axis=1)
        e = z - m[:, None]
        np.exp(e, out=e)
        s = e.sum(axis=1).astype(np.float64)
        if not np.isfinite(s).all():
            raise ValueError("logits: NaN or infinite values")
        sq = np.einsum("ij,ij->i", e, e).astype(np.float64)
        p_true = e[rows, y] / s
        conf = 1.0 / s  # the max entry is exp(0) = 1
        self.nll += float(np.sum(np.log(s) - (z[rows, y] - m).astype(np.float64)))
        self.brier += float(np.sum(sq / (s * s) - 2 * p_true + 1))
        ok = arg == y
        self.correct += int(ok.sum())
        idx = np.clip(np.ceil(conf * self.bins).astype(np.int64) - 1, 0, self.bins - 1)
        self.count += np.bincount(idx, minlength=self.bins)
        self.sum_conf += np.bincount(idx, weights=conf, minlength=self.bins)
        self.sum_correct += np.bincount(idx, weights=ok, minlength=self.bins)
        self.n += b

    def ece(self):
        nz = self.count > 0
        gap = np.abs(self.sum_correct[nz] / self.count[nz] - self.sum_conf[nz] / self.count[nz])
        return float(np.sum(gap * self.count[nz] / self.n))


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--batch", type=int, default=1_000_000)
    ap.add_argument("--bins", type=int, default=15)
    a = ap.parse_args()
    assert a.n % a.batch == 0, "--n must be a multiple of --batch"
    z, y = batch(a.batch, a.k)
    after_data = rss_kib() * 1024
    warm = min(a.batch, 10_000)
    Accumulator(a.k, a.bins).add(z[:warm], y[:warm])
    acc = Accumulator(a.k, a.bins)
    c0, t0 = time.process_time(), time.perf_counter()
    for _ in range(a.n // a.batch):
        acc.add(z, y)
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({
        "impl": "numpy (1 thread)", "n": a.n, "k": a.k, "batch": a.batch, "seconds": seconds, "cpu_seconds": cpu_seconds, "preds_per_s": a.n / seconds,
        "peak_rss": peak, "rss_after_data": after_data, "ece": acc.ece(), "nll": acc.nll / acc.n, "brier": acc.brier / acc.n,
        "accuracy": acc.correct / acc.n, "counts": acc.count.tolist(),
    }))


if __name__ == "__main__":
    main()
