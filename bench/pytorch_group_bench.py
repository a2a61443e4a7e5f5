"""PyTorch side of the grouped-training benchmark (bench/LsLab.Bench `group` does the same work).

    group --model mlp|mlp-small|convnet|resnet20 --members G --steps S --epochs E --mode vmap|sequential
    conv-profile --members G --reps R    # convnet's two convolutions, forward + backward, process CPU ms per call:
                                         # grouped (groups = G), G separate, and functorch vmap over G members

G runs differing in seed and label-smoothing alpha, on uniform random images with random labels, batch 128,
SGD lr 0.1 Nesterov 0.9 with a cosine schedule (weight decay 5e-4 for the conv nets, as LsLab's default); each
member its own data order; convnet on 1x28x28, resnet20 on 3x32x32 (with batch norm: vmap gets each member's
stacked running statistics as buffers). `vmap` is functorch's model
ensemble (combine_state_for_ensemble + vmap, randomness="different" so each member draws its own dropout),
one SGD over the stacked weights; `sequential` trains the members one after another. Throughput: examples per
second summed over members, over the training loops of epochs 2..E (epoch 1 is the warm-up). Prints one JSON
line, with the OpenBLAS core in use (run with OPENBLAS_CORETYPE set from the CPU flags: run-all.sh does it).
"""
import argparse, json, math, os, time

import torch
import torch.nn.functional as F
from functorch import combine_state_for_ensemble, vmap

import pytorch_bench
from pytorch_bench import Mlp, rss

ALPHAS = [0.0, 0.05, 0.1, 0.2]


def create(model):
    # Mlp.cs via ModelRegistry: mlp = 1200 wide, dropout 0.2; mlp-small = 800 wide, no dropout; conv nets as pytorch_bench.
    if model == "mlp-small":
        return Mlp(784, hidden=800, dropout=0.0)
    return pytorch_bench.create(model)


def lr_at(step, total):
    return 0.1 * 0.5 * (1 + math.cos(math.pi * step / total))


def run(a):
    n = a.steps * a.batch
    torch.manual_seed(0)
    images, labels = torch.rand(n, *pytorch_bench.shape(a.model)), torch.randint(0, 10, (n,))
    decay = 0.0 if a.model.startswith("mlp") else 5e-4
    models = []
    for i in range(a.members):
        torch.manual_seed(i)
        models.append(create(a.model))
    alphas = torch.tensor([ALPHAS[i % 4] for i in range(a.members)])
    total = a.steps * a.epochs
    loop_s, loop_cpu, losses = 0.0, 0.0, []
    c0 = time.process_time()
    if a.mode == "vmap":
        fmodel, params, buffers = combine_state_for_ensemble(models)
        params = [p.detach().requires_grad_() for p in params]
        opt = torch.optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True, weight_decay=decay)
        forward = vmap(fmodel, randomness="different")
        for m in models:
            m.train()
        for epoch in range(1, a.epochs + 1):
            gens = [torch.Generator().manual_seed(i * 1_000_003 + epoch) for i in range(a.members)]
            perms = [torch.randperm(n, generator=g) for g in gens]
            t0, c1 = time.perf_counter(), time.process_time()
            for step in range(a.steps):
                idx = [p.narrow(0, step * a.batch, a.batch) for p in perms]
                x = torch.stack([images.index_select(0, i) for i in idx])
                y = torch.stack([labels.index_select(0, i) for i in idx])
                for g in opt.param_groups:
                    g["lr"] = lr_at((epoch - 1) * a.steps + step, total)
                opt.zero_grad(set_to_none=True)
                logits = forward(params, buffers, x)  # [G,B,K]
                # Each member's own alpha: (1-a)*NLL + a*mean(-log p), summed over members.
                logp = logits.log_softmax(-1)
                nll = -logp.gather(-1, y.unsqueeze(-1)).squeeze(-1).mean(1)
                uniform = -logp.mean(-1).mean(1)
                per_member = (1 - alphas) * nll + alphas * uniform
                loss = per_member.sum()
                lv = per_member.detach()
                if not torch.isfinite(lv).all():
                    raise SystemExit(f"diverged at epoch {epoch} step {step}")
                loss.backward()
                opt.step()
            if epoch > 1:
                loop_s += time.perf_counter() - t0
                loop_cpu += time.process_time() - c1
            losses = lv.tolist()
    elif a.mode == "sequential":
        for i, model in enumerate(models):
            opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=decay)
            model.train()
            for epoch in range(1, a.epochs + 1):
                gen = torch.Generator().manual_seed(i * 1_000_003 + epoch)
                perm = torch.randperm(n, generator=gen)
                t0, c1 = time.perf_counter(), time.process_time()
                for step in range(a.steps):
                    idx = perm.narrow(0, step * a.batch, a.batch)
                    x, y = images.index_select(0, idx), labels.index_select(0, idx)
                    for g in opt.param_groups:
                        g["lr"] = lr_at((epoch - 1) * a.steps + step, total)
                    opt.zero_grad(set_to_none=True)
                    loss = F.cross_entropy(model(x), y, label_smoothing=float(alphas[i]))
                    lv = loss.item()
                    if not math.isfinite(lv):
                        raise SystemExit(f"diverged at epoch {epoch} step {step}")
                    loss.backward()
                    opt.step()
                if epoch > 1:
                    loop_s += time.perf_counter() - t0
                    loop_cpu += time.process_time() - c1
            losses.append(lv)
    else:
        raise SystemExit(f"--mode must be vmap or sequential, got {a.mode}")
    print(json.dumps({"side": "pytorch", "work": "group-" + a.mode, "model": a.model, "members": a.members,
                      "threads": torch.get_num_threads(), "batch": a.batch, "steps": a.steps, "epochs": a.epochs,
                      "ex_per_s": a.members * n * (a.epochs - 1) / loop_s, "loop_s": loop_s, "loop_cpu_s": loop_cpu,
                      "ex_per_cpu_s": a.members * n * (a.epochs - 1) / loop_cpu, "process_cpu_s": time.process_time() - c0,
                      "peak_rss": rss()[0], "final_loss_mean": sum(losses) / len(losses),
                      "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "")}), flush=True)


def conv_profile(a):
    """The per-layer convolution timing of LsLab.Bench `group-profile --model convnet`, plus the vmap'd convolution."""
    g, batch, out = a.members, a.batch, {"side": "pytorch", "work": "conv-profile", "model": "convnet", "members": a.members,
                                        "threads": torch.get_num_threads(), "batch": a.batch}

    def timed(work):
        work()
        c0 = time.process_time()
        for _ in range(a.reps):
            work()
        return (time.process_time() - c0) * 1e3 / a.reps

    torch.manual_seed(0)
    for layer, cin, cout, size in (("conv1", 1, 32, 28), ("conv2", 32, 64, 14)):
        x = torch.rand(batch, g * cin, size, size, requires_grad=True)
        w = (torch.randn(g * cout, cin, 5, 5) * 0.1).requires_grad_()
        b = torch.zeros(g * cout, requires_grad=True)
        out[layer + "_grouped_cpu_ms"] = timed(lambda: F.conv2d(x, w, b, padding=2, groups=g).sum().backward())
        xs = [x.detach().view(batch, g, cin, size, size)[:, i].contiguous().requires_grad_() for i in range(g)]
        ws = [w.detach().view(g, cout, cin, 5, 5)[i].clone().requires_grad_() for i in range(g)]
        bs = [b.detach().view(g, cout)[i].clone().requires_grad_() for i in range(g)]
        out[layer + "_separate_cpu_ms"] = timed(lambda: sum(F.conv2d(xs[i], ws[i], bs[i], padding=2).sum() for i in range(g)).backward())
        xv = x.detach().view(batch, g, cin, size, size).transpose(0, 1).contiguous().requires_grad_()
        wv = w.detach().view(g, cout, cin, 5, 5).clone().requires_grad_()
        bv = b.detach().view(g, cout).clone().requires_grad_()
        conv = vmap(lambda xi, wi, bi: F.conv2d(xi, wi, bi, padding=2))
        out[layer + "_vmap_cpu_ms"] = timed(lambda: conv(xv, wv, bv).sum().backward())
    print(json.dumps(out), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("work", choices=["group", "conv-profile"])
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--model", default="mlp-small", choices=["mlp", "mlp-small", "convnet", "resnet20"])
    p.add_argument("--members", type=int, default=16)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--mode", default="vmap")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    if a.epochs < 2:
        raise SystemExit("--epochs must be >= 2 (epoch 1 is the warm-up)")
    torch.set_num_threads(a.threads)
    conv_profile(a) if a.work == "conv-profile" else run(a)


if __name__ == "__main__":
    main()
