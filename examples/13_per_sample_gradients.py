"""Per-sample gradients with ``vmap``: one gradient per example, at the cost of one batched backward.

``loss.backward()`` on a batch gives the gradient of the *mean* loss: the per-example gradients are summed
away. Some methods need each example's own gradient — differentially private SGD clips every one to a
norm bound before averaging, and the gradient norm per example finds mislabelled or hard examples. The
obvious way is a Python loop, one backward per example. ``chainrule.func`` composes two transforms instead:

    grad(loss)                          ∂loss(θ; xᵢ, yᵢ)/∂θ for ONE example
    vmap(grad(loss), in_dims=(None, 0, 0))   the same for every example, θ shared (None), x and y mapped (0)

``vmap`` runs the function once on tensors that carry the batch dimension in front, so every layer does one
NumPy call for the whole batch (a batched matmul for the per-example weights), and backward is batched too.
The example checks the result against the loop, then clips each gradient as DP-SGD does.

Run:  python examples/13_per_sample_gradients.py
"""

from __future__ import annotations

import chainrule as cr
from chainrule import datasets
from chainrule.func import functional_call, grad, vmap
from chainrule.nn import functional as F


def main(n_samples: int = 64, seed: int = 0, clip: float = 1.5) -> dict:
    cr.manual_seed(seed)
    data = datasets.load("moons", n_samples=n_samples, noise=0.2, seed=seed, val=0.0, test=0.0)
    x, y = data.x_train, data.y_train.long()
    model = cr.nn.Sequential(cr.nn.Linear(2, 32), cr.nn.Tanh(), cr.nn.Linear(32, 32), cr.nn.ReLU(), cr.nn.Linear(32, 2))
    params = {name: p.detach() for name, p in model.named_parameters()}

    def loss(params: dict, xi: cr.Tensor, yi: cr.Tensor) -> cr.Tensor:
        """The loss of ONE example (shapes (2,) and ()): a batch of one for the model."""
        return F.cross_entropy(functional_call(model, params, (xi.unsqueeze(0),)), yi.unsqueeze(0))

    per_sample = vmap(grad(loss), in_dims=(None, 0, 0))(params, x, y)  # {name: (N, *param.shape)}
    norms = cr.cat([g.flatten(1) for g in per_sample.values()], dim=1).norm(dim=1)  # (N,)

    # the same, one example at a time
    loop = [grad(loss)(params, x[i], y[i]) for i in range(len(x))]
    loop_norms = cr.stack([cr.cat([g.flatten() for g in gs.values()]).norm() for gs in loop])
    max_err = max((per_sample[k][i] - loop[i][k]).abs().max().item() for i in range(len(x)) for k in params)

    # DP-SGD's step direction: every example's gradient clipped to norm ≤ clip, then averaged
    scale = (clip / (norms + 1e-12)).clamp(max=1.0)
    clipped = {k: (g * scale.reshape(-1, *[1] * (g.dim() - 1))).mean(0) for k, g in per_sample.items()}
    mean_grad = grad(lambda p: F.cross_entropy(functional_call(model, p, (x,)), y))(params)
    mean_err = max((per_sample[k].mean(0) - mean_grad[k]).abs().max().item() for k in params)
    print(f"{len(x)} per-example gradients; norms from {norms.min().item():.3f} to {norms.max().item():.3f}; "
          f"|vmap - loop| = {max_err:.1e}; clipped {int((norms > clip).sum().item())} of them to norm {clip}")  # fmt: skip
    return {
        "max_err": max_err,
        "norm_err": (norms - loop_norms).abs().max().item(),
        "mean_err": mean_err,
        "clipped_norm_max": cr.cat([g.flatten() for g in clipped.values()]).norm().item(),
        "n": len(x),
    }


if __name__ == "__main__":
    main()
