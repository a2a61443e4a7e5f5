"""PyTorch side of LsLab's performance comparison (bench/run-all.sh runs both sides, alternating).

The same work as bench/LsLab.Bench/ThroughputBench.cs, written as a PyTorch user would:
    train    --model mlp|convnet|resnet20 --steps S --epochs E   (the Trainer's loop: LS 0.1, SGD lr 0.1 Nesterov 0.9)
    infer    --model M --batches B --repeats R                    (eval mode, no_grad, batch 512, like Evaluator.Predict)
    gemm     --size 1024 --count 40 --repeats 5                   (torch.mm GFLOP/s)
    pipeline --model M --steps S [--augment]                      (randperm + index_select (+ batched crop/flip))
Each call prints one JSON line. Run with Debian's python3-torch at its fast set-up (run-all.sh does this):
    LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp \
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296 \
    /usr/bin/python3 bench/pytorch_bench.py train --model mlp
The models are written from src/LsLab/Models/*.cs (same layers, same shapes, same parameter counts).
"""
import argparse, json, math, os, statistics, time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Mlp(nn.Module):
    """Mlp.cs: input -> 1200 -> 1200 -> K, ReLU, dropout 0.2 after each hidden layer."""

    def __init__(self, inputs, k=10, hidden=1200, dropout=0.2):
        super().__init__()
        self.fc1, self.fc2, self.head = nn.Linear(inputs, hidden), nn.Linear(hidden, hidden), nn.Linear(hidden, k)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        h = self.drop(F.relu(self.fc1(x.flatten(1))))
        return self.head(self.drop(F.relu(self.fc2(h))))


class ConvNet(nn.Module):
    """ConvNet.cs: conv5x5-32 pad 2, maxpool 2, conv5x5-64 pad 2, maxpool 2, fc-256, linear."""

    def __init__(self, c, h, w, k=10, width=256):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(c, 32, 5, padding=2), nn.Conv2d(32, 64, 5, padding=2)
        self.fc, self.head = nn.Linear(64 * (h // 4) * (w // 4), width), nn.Linear(width, k)

    def forward(self, x):
        h = F.max_pool2d(F.relu(self.conv1(x)), 2)
        h = F.max_pool2d(F.relu(self.conv2(h)), 2)
        return self.head(F.relu(self.fc(h.flatten(1))))


class BasicBlock(nn.Module):
    """CifarResNet.BasicBlock: conv3x3-BN-ReLU-conv3x3-BN + option-A shortcut (subsample, zero-pad channels), ReLU."""

    def __init__(self, in_c, out_c, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(in_c, out_c, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_c)
        self.conv2 = nn.Conv2d(out_c, out_c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_c)
        self.stride, self.pad_c = stride, out_c - in_c

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        s = x
        if self.stride != 1 or self.pad_c != 0:
            s = F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, self.pad_c // 2, self.pad_c - self.pad_c // 2))
        return F.relu(y + s)


class CifarResNet(nn.Module):
    """CifarResNet.cs: conv3x3-16 + BN, 3 stages x n blocks (16/32/64), global average pool, linear."""

    def __init__(self, c, k=10, n=3):
        super().__init__()
        self.stem, self.stem_bn = nn.Conv2d(c, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16)
        blocks, in_c = [], 16
        for out_c, stride in ((16, 1), (32, 2), (64, 2)):
            for b in range(n):
                blocks.append(BasicBlock(in_c, out_c, stride if b == 0 else 1))
                in_c = out_c
        self.blocks = nn.ModuleList(blocks)
        self.head = nn.Linear(64, k)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        y = F.relu(self.stem_bn(self.stem(x)))
        for b in self.blocks:
            y = b(y)
        return self.head(F.adaptive_avg_pool2d(y, 1).flatten(1))


def shape(model):
    return (3, 32, 32) if model.startswith("resnet") else (1, 28, 28)


def create(model):
    c, h, w = shape(model)
    if model == "mlp":
        return Mlp(c * h * w)
    if model == "convnet":
        return ConvNet(c, h, w)
    if model == "resnet20":
        return CifarResNet(c, n=3)
    raise SystemExit(f"unknown model {model}")


def rss():
    peak = cur = 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
            elif line.startswith("VmRSS:"):
                cur = int(line.split()[1]) * 1024
    return peak, cur


def emit(d):
    print(json.dumps(d), flush=True)


def train(a):
    c, h, w = shape(a.model)
    n = a.steps * a.batch
    torch.manual_seed(0)
    images, labels = torch.rand(n, c, h, w), torch.randint(0, 10, (n,))
    model = create(a.model)
    wd = 0.0 if a.model.startswith("mlp") else 5e-4
    lr0 = 0.1
    opt = torch.optim.SGD(model.parameters(), lr=lr0, momentum=0.9, nesterov=True, weight_decay=wd)
    total = a.steps * a.epochs
    rates, rss_epochs, losses, first, cpu = [], [], [], 0.0, []
    for epoch in range(1, a.epochs + 1):
        seed = epoch  # Trainer: seed * 1_000_003 + epoch with seed 0
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        perm = torch.randperm(n, generator=gen)
        model.train()
        t0, c0 = time.perf_counter(), time.process_time()
        loss_sum, correct, seen = 0.0, 0, 0
        for step in range(a.steps):
            idx = perm.narrow(0, step * a.batch, a.batch)
            x = images.index_select(0, idx)
            y = labels.index_select(0, idx)
            t = ((epoch - 1) * a.steps + step) / total
            for g in opt.param_groups:
                g["lr"] = lr0 * 0.5 * (1 + math.cos(math.pi * t))
            opt.zero_grad(set_to_none=True)
            logits = model(x)
            loss = F.cross_entropy(logits, y, label_smoothing=0.1)
            lv = loss.item()
            if not math.isfinite(lv):
                raise SystemExit(f"diverged at epoch {epoch} step {step}")
            loss.backward()
            opt.step()
            loss_sum += lv * a.batch
            with torch.no_grad():
                correct += logits.argmax(1).eq(y).sum().item()
            seen += a.batch
        s = time.perf_counter() - t0
        cpu.append(time.process_time() - c0)
        if epoch == 1:
            first = s
        rates.append(seen / s)
        losses.append(loss_sum / seen)
        rss_epochs.append(rss()[1])
    emit({"side": "pytorch", "work": "train", "model": a.model, "threads": torch.get_num_threads(), "batch": a.batch,
          "steps": a.steps, "first_epoch_s": first, "ex_per_s_epochs": rates, "ex_per_s": statistics.median(rates[1:]),
          "cpu_s_epochs": cpu, "ex_per_cpu_s": statistics.median([seen / c for c in cpu[1:]]), "rss_epochs": rss_epochs, "peak_rss": rss()[0], "final_loss": losses[-1]})


def infer(a):
    c, h, w = shape(a.model)
    n = a.batches * a.batch
    torch.manual_seed(0)
    images = torch.rand(n, c, h, w)
    model = create(a.model)
    rates, checksum = [], 0.0
    for r in range(a.repeats + 1):
        t0 = time.perf_counter()
        model.eval()
        with torch.no_grad():
            parts = [model(images.narrow(0, s, min(a.batch, n - s))) for s in range(0, n, a.batch)]
            logits = torch.cat(parts, 0)
        model.train()
        s = time.perf_counter() - t0
        if r > 0:
            rates.append(n / s)
        checksum = logits.abs().sum().item()
    emit({"side": "pytorch", "work": "infer", "model": a.model, "threads": torch.get_num_threads(), "batch": a.batch, "n": n,
          "ex_per_s_repeats": rates, "ex_per_s": statistics.median(rates), "peak_rss": rss()[0], "checksum": checksum})


def gemm(a):
    torch.manual_seed(0)
    x, y = torch.randn(a.size, a.size), torch.randn(a.size, a.size)
    for _ in range(5):
        torch.mm(x, y)
    rates = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        for _ in range(a.count):
            torch.mm(x, y)
        rates.append(a.count * 2.0 * a.size ** 3 / (time.perf_counter() - t0) / 1e9)
    emit({"side": "pytorch", "work": "gemm", "model": f"{a.size}^3", "threads": torch.get_num_threads(),
          "gflops_repeats": rates, "gflops": statistics.median(rates)})


def crop_flip(x, pad, flip, g):
    """Augmentation.CropFlip: zero-pad, one gather for the whole batch, random horizontal flip."""
    b, c, h, w = x.shape
    pw = w + 2 * pad
    padded = F.pad(x, (pad, pad, pad, pad)).reshape(b, c, -1)
    dy = torch.randint(0, 2 * pad + 1, (b, 1), generator=g)
    dx = torch.randint(0, 2 * pad + 1, (b, 1), generator=g)
    base = (torch.arange(h).unsqueeze(1) * pw + torch.arange(w).unsqueeze(0)).reshape(1, -1)
    idx = (base + dy * pw + dx).unsqueeze(1).expand(b, c, h * w)
    y = padded.gather(2, idx).reshape(b, c, h, w)
    if flip:
        mask = torch.rand((b, 1, 1, 1), generator=g).lt(0.5)
        y = torch.where(mask, y.flip(3), y)
    return y


def pipeline(a):
    c, h, w = shape(a.model)
    n = 50_000 if h == 32 else 60_000
    torch.manual_seed(0)
    images, labels = torch.rand(n, c, h, w), torch.randint(0, 10, (n,))
    pad = 4 if h >= 32 else 2
    per_batch, checksum = [], 0.0
    for r in range(a.repeats + 1):
        g = torch.Generator().manual_seed(r + 1)
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=g)
        for step in range(a.steps):
            idx = perm.narrow(0, step * a.batch % (n - a.batch), a.batch)
            x = images.index_select(0, idx)
            if a.augment:
                x = crop_flip(x, pad, True, g)
            y = labels.index_select(0, idx)
            if step == a.steps - 1:
                checksum = x.sum().item() + y.sum().item()
        if r > 0:
            per_batch.append((time.perf_counter() - t0) * 1000 / a.steps)
    emit({"side": "pytorch", "work": "pipeline-augment" if a.augment else "pipeline", "model": a.model,
          "threads": torch.get_num_threads(), "ms_per_batch_repeats": per_batch, "ms_per_batch": statistics.median(per_batch),
          "checksum": checksum})


def step_profile(a):
    """The training step taken apart per phase (ms, median over steps), like StepProfile.cs."""
    c, h, w = shape(a.model)
    warm = 10
    n = (a.steps + warm) * a.batch
    torch.manual_seed(0)
    images, labels = torch.rand(n, c, h, w), torch.randint(0, 10, (n,))
    model = create(a.model)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.0 if a.model.startswith("mlp") else 5e-4)
    g = torch.Generator().manual_seed(1)
    perm = torch.randperm(n, generator=g)
    phases = ["batch", "augment", "zero_grad", "forward", "loss", "loss.item", "backward", "step", "accuracy", "dispose", "total"]
    times = {p: [] for p in phases}
    pad = 4 if h >= 32 else 2
    clock = time.process_time if a.clock == "cpu" else time.perf_counter
    model.train()
    for s in range(a.steps + warm):
        t = [0.0] * len(phases)
        t0 = last = clock()

        def mark(i):
            nonlocal last
            now = clock()
            t[i] += (now - last) * 1000
            last = now
        idx = perm.narrow(0, s * a.batch, a.batch)
        x = images.index_select(0, idx)
        y = labels.index_select(0, idx)
        mark(0)
        if a.augment:
            x = crop_flip(x, pad, True, g)
        mark(1)
        opt.zero_grad(set_to_none=True)
        mark(2)
        logits = model(x)
        mark(3)
        loss = F.cross_entropy(logits, y, label_smoothing=0.1)
        mark(4)
        loss.item()
        mark(5)
        loss.backward()
        mark(6)
        opt.step()
        mark(7)
        with torch.no_grad():
            logits.argmax(1).eq(y).sum().item()
        mark(8)
        del x, y, logits, loss
        mark(9)
        t[10] = (clock() - t0) * 1000
        if s >= warm:
            for i, p in enumerate(phases):
                times[p].append(t[i])
    out = {"side": "pytorch", "work": "step-profile", "model": a.model, "threads": torch.get_num_threads(), "clock": a.clock}
    for p in phases:
        out["ms_" + p] = statistics.median(times[p])
    emit(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("work", choices=["train", "infer", "gemm", "pipeline", "step-profile", "info"])
    p.add_argument("--model", default="mlp")
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch", type=int, default=None)
    p.add_argument("--batches", type=int, default=20)
    p.add_argument("--repeats", type=int, default=None)
    p.add_argument("--size", type=int, default=1024)
    p.add_argument("--count", type=int, default=40)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--augment", action="store_true")
    p.add_argument("--clock", choices=["wall", "cpu"], default="wall", help="step-profile: wall time or process CPU time")
    a = p.parse_args()
    if a.batch is None:
        a.batch = 512 if a.work == "infer" else 128
    if a.repeats is None:
        a.repeats = 5 if a.work == "gemm" else 3
    torch.set_num_threads(a.threads)
    if a.work == "info":
        emit({"side": "pytorch", "work": "info", "torch": torch.__version__, "threads": torch.get_num_threads(), "interop_threads": torch.get_num_interop_threads(),
              "mkldnn": torch.backends.mkldnn.is_available(), "LD_LIBRARY_PATH": os.environ.get("LD_LIBRARY_PATH", ""),
              "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", ""), "GLIBC_TUNABLES": os.environ.get("GLIBC_TUNABLES", "")})
        return
    {"train": train, "infer": infer, "gemm": gemm, "pipeline": pipeline, "step-profile": step_profile}[a.work](a)


if __name__ == "__main__":
    main()
