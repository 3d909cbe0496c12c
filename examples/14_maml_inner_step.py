"""A MAML-style inner step: differentiating through an optimizer step.

Model-agnostic meta-learning looks for weights θ that become good for a new task after one gradient
step on that task's few examples (the support set):

    θ′(θ) = θ − α·∇θ L_support(θ)          (the inner SGD step)
    meta-loss  M(θ) = L_query(θ′(θ))        (how good the adapted weights are on held-out points)

By the chain rule, ∇M = (I − α·∇²L_support(θ))·∇L_query(θ′): the meta-gradient contains the Hessian
of the inner loss. Computing the inner gradient with ``create_graph=True`` records it, so θ′ is an
ordinary differentiable function of θ and ``autograd.grad(M, θ)`` applies that chain rule, Hessian
included. First-order MAML drops the Hessian term and gets a different (approximate) gradient.

Tasks: sine waves y = a·sin(x + φ) with random amplitude and phase; model: a 1-32-32-1 tanh MLP.
The example checks the meta-gradient against central finite differences of M (float64), shows how
far first-order MAML is from it, and meta-trains a few steps: the loss after one inner step falls.

Run:  python examples/14_maml_inner_step.py
"""

from __future__ import annotations

import math

import chainrule as cr
from chainrule.nn import functional as F


def net(params: list[cr.Tensor], x: cr.Tensor) -> cr.Tensor:
    """The 1-32-32-1 tanh MLP as a function of its weights."""
    w1, b1, w2, b2, w3, b3 = params
    return F.linear(cr.tanh(F.linear(cr.tanh(F.linear(x, w1, b1)), w2, b2)), w3, b3)


def inner_step(params: list[cr.Tensor], xs: cr.Tensor, ys: cr.Tensor, alpha: float) -> list[cr.Tensor]:
    """θ′ = θ − α·∇L_support(θ), recorded (``create_graph=True``) so θ′ stays differentiable in θ."""
    grads = cr.autograd.grad(F.mse_loss(net(params, xs), ys), params, create_graph=True)
    return [p - alpha * g for p, g in zip(params, grads)]


def meta_loss(params: list[cr.Tensor], task: tuple, alpha: float) -> cr.Tensor:
    """M(θ) = L_query(θ′(θ))."""
    xs, ys, xq, yq = task
    return F.mse_loss(net(inner_step(params, xs, ys, alpha), xq), yq)


def sample_task(gen: cr.Generator, k: int = 10) -> tuple:
    """Support and query points of y = a·sin(x + φ), a ∈ [0.5, 2], φ ∈ [0, π]."""
    a = 0.5 + 1.5 * cr.rand(1, generator=gen, dtype=cr.float64)
    phi = math.pi * cr.rand(1, generator=gen, dtype=cr.float64)
    x = cr.rand(2 * k, 1, generator=gen, dtype=cr.float64) * 10 - 5
    y = a * cr.sin(x + phi)
    return x[:k], y[:k], x[k:], y[k:]


def init(gen: cr.Generator) -> list[cr.Tensor]:
    sizes = [(32, 1), (32,), (32, 32), (32,), (1, 32), (1,)]
    params = []
    for s in sizes:
        fan_in = s[1] if len(s) == 2 else 32
        params.append((cr.randn(*s, generator=gen, dtype=cr.float64) / math.sqrt(fan_in)).requires_grad_(True))
    return params


def main(meta_steps: int = 40, alpha: float = 0.05, seed: int = 0) -> dict:
    gen = cr.Generator().manual_seed(seed)
    params = init(gen)
    task = sample_task(gen)

    # 1. the meta-gradient (through the inner step, Hessian included) against finite differences
    meta = cr.autograd.grad(meta_loss(params, task, alpha), params)
    h, worst = 1e-6, 0.0
    for p, g in zip(params, meta):
        flat = p.data.view(-1)
        for i in (0, flat.numel() // 2, flat.numel() - 1):
            old = flat[i].item()
            flat[i] = old + h
            up = meta_loss(params, task, alpha).item()
            flat[i] = old - h
            down = meta_loss(params, task, alpha).item()
            flat[i] = old
            fd = (up - down) / (2 * h)
            worst = max(worst, abs(fd - g.view(-1)[i].item()) / max(1.0, abs(fd)))
    # first-order MAML: ∇L_query at θ′, the inner step's Hessian term dropped
    adapted = [q.detach().requires_grad_(True) for q in inner_step(params, *task[:2], alpha)]
    first = cr.autograd.grad(F.mse_loss(net(adapted, task[2]), task[3]), adapted)
    num = sum(((a - b) ** 2).sum() for a, b in zip(meta, first)).sqrt().item()
    den = sum((a**2).sum() for a in meta).sqrt().item()
    fo_gap = num / den
    print(f"meta-gradient vs finite differences: worst relative error {worst:.2e}; "
          f"first-order MAML differs from it by {100 * fo_gap:.1f}%")  # fmt: skip

    # 2. meta-train: Adam on the mean meta-loss over a few fresh tasks per step
    val_tasks = [sample_task(gen) for _ in range(20)]

    def post_update_loss() -> float:
        return sum(meta_loss(params, t, alpha).item() for t in val_tasks) / len(val_tasks)

    before = post_update_loss()
    opt = cr.optim.Adam(params, lr=3e-3)
    for _ in range(meta_steps):
        opt.zero_grad()
        batch = [sample_task(gen) for _ in range(4)]
        (sum(meta_loss(params, t, alpha) for t in batch) / len(batch)).backward()
        opt.step()
    after = post_update_loss()
    print(f"query loss after one inner step, 20 held-out tasks: {before:.3f} before, {after:.3f} after "
          f"{meta_steps} meta-steps")  # fmt: skip

    assert worst < 1e-6, worst
    assert fo_gap > 1e-3, fo_gap  # the Hessian term matters
    assert after < 0.8 * before, (before, after)
    return {"fd_err": worst, "first_order_gap": fo_gap, "before": before, "after": after}


if __name__ == "__main__":
    main()
