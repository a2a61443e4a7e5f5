"""Reference values for LsLab's label-smoothing and soft-target cross-entropy.

Run with Debian's PyTorch:  /usr/bin/python3 bench/reference/losses_reference.py > tests/LsLab.Tests/Losses/Fixtures/losses_reference.json
Inputs are fixed small arrays (written in full into the JSON) so the C# test needs no RNG agreement.
"""
import json
import torch
import torch.nn.functional as F

torch.manual_seed(1234)
cases = []
for (n, k, alpha, ignore) in [(5, 3, 0.0, None), (5, 3, 0.1, None), (8, 10, 0.1, None),
                              (8, 10, 0.45, None), (6, 4, 0.2, 0), (7, 1000, 0.1, None),
                              (6, 5, 0.1, -100)]:
    logits = (torch.randn(n, k, dtype=torch.float64) * 3).float()
    targets = torch.randint(0, k, (n,))
    if ignore is not None:
        targets[1] = ignore
        targets[3] = ignore
    kw = {} if ignore is None else {"ignore_index": ignore}
    loss = F.cross_entropy(logits.double(), targets, label_smoothing=alpha, **kw)
    cases.append({"kind": "label_smoothing", "n": n, "k": k, "alpha": alpha, "ignore_index": ignore,
                  "logits": logits.flatten().tolist(), "targets": targets.tolist(), "loss": loss.item()})
for (n, k) in [(4, 3), (6, 10)]:
    logits = (torch.randn(n, k) * 2)
    q = torch.softmax(torch.randn(n, k), dim=1)
    loss = F.cross_entropy(logits.double(), q.double())   # probabilities as targets (PyTorch >= 1.10)
    cases.append({"kind": "soft_target", "n": n, "k": k, "logits": logits.flatten().tolist(),
                  "soft_targets": q.flatten().tolist(), "loss": loss.item()})
print(json.dumps({"torch_version": torch.__version__, "cases": cases}, indent=1))
