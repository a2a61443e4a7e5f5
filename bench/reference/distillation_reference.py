"""Reference values for LsLab's distillation losses (LsLab.Distillation.DistillationLoss).

Run with Debian's PyTorch:
  /usr/bin/python3 bench/reference/distillation_reference.py > tests/LsLab.Tests/Distillation/Fixtures/distillation_reference.json
Inputs are written in full into the JSON so the C# test needs no RNG agreement.

Modes (student logits s, teacher logits t, labels y, temperature T, weight beta):
  hinton : (1-beta)*CE(s, y) + beta * T^2 * KL(softmax(t/T) || softmax(s/T)), KL 'batchmean'
  paper  : (1-beta)*CE(s, y) + beta * KL(softmax(t/T) || softmax(s))          (student temperature 1)
  logits : (1-beta)*CE(s, y) + beta * mean_n 1/2 * mean_k (s - t)^2            (paper's MNIST variant)
Also the equivalent smoothing gamma = mean_n sum_k (1 - y_k) * softmax(t/T)_k * K/(K-1).
"""
import json
import torch
import torch.nn.functional as F

torch.manual_seed(20191)


def kd(s, t, y, T, beta, mode):
    ce = F.cross_entropy(s, y)
    if mode == "hinton":
        soft = F.kl_div(F.log_softmax(s / T, dim=1), F.softmax(t / T, dim=1), reduction="batchmean") * T * T
    elif mode == "paper":
        soft = F.kl_div(F.log_softmax(s, dim=1), F.softmax(t / T, dim=1), reduction="batchmean")
    else:
        soft = 0.5 * ((s - t) ** 2).mean(dim=1).mean()
    return (1 - beta) * ce + beta * soft, ce, soft


inputs, cases = [], []
for (n, k) in [(4, 3), (8, 10), (5, 100)]:
    s = (torch.randn(n, k, dtype=torch.float64) * 3).float().double()
    t = (torch.randn(n, k, dtype=torch.float64) * 4).float().double()
    y = torch.randint(0, k, (n,))
    inputs.append({"n": n, "k": k, "student": s.flatten().tolist(), "teacher": t.flatten().tolist(), "labels": y.tolist()})
    for mode in ["hinton", "paper", "logits"]:
        temps = [1.0] if mode == "logits" else [1.0, 2.0, 4.0, 16.0]
        for T in temps:
            for beta in [0.0, 0.6, 1.0]:
                loss, ce, soft = kd(s, t, y, T, beta, mode)
                # gradient w.r.t. the student logits, to check the backward pass too
                sg = s.clone().requires_grad_(True)
                kd(sg, t, y, T, beta, mode)[0].backward()
                cases.append({"input": len(inputs) - 1, "mode": mode, "temperature": T, "beta": beta,
                              "loss": loss.item(), "ce": ce.item(), "soft": soft.item(),
                              "grad": [round(g, 10) for g in sg.grad.flatten().tolist()] if k <= 10 else None})

smoothing = []
for (n, k, T) in [(6, 10, 1.0), (6, 10, 3.0), (9, 4, 8.0)]:
    t = (torch.randn(n, k, dtype=torch.float64) * 4).float().double()
    y = torch.randint(0, k, (n,))
    p = F.softmax(t / T, dim=1)
    wrong = 1 - F.one_hot(y, k).double()
    gamma = ((wrong * p).sum(dim=1) * k / (k - 1)).mean()
    smoothing.append({"n": n, "k": k, "temperature": T, "teacher": t.flatten().tolist(), "labels": y.tolist(), "gamma": gamma.item()})

print(json.dumps({"torch_version": torch.__version__, "inputs": inputs, "cases": cases, "equivalent_smoothing": smoothing}))
