"""SGD vs Momentum vs RMSProp vs Adam: the same network, the same start, the same number of steps.

With g = ∇L(θ) and step size η, the four update rules are
    SGD       θ ← θ − η g
    Momentum  v ← μ v + g;            θ ← θ − η v              (a velocity that keeps past directions)
    RMSProp   s ← α s + (1 − α) g²;   θ ← θ − η g / (√s + ε)   (per-parameter step scaled by |g|'s size)
    Adam      m ← β₁m + (1 − β₁) g;   s ← β₂s + (1 − β₂) g²;   θ ← θ − η m̂ / (√ŝ + ε)
              (momentum and RMS scaling together; m̂, ŝ correct the bias of starting at zero)
All four train a copy of one initial MLP, full batch, on a three-armed spiral; the script prints
the final losses and draws the loss curves (matplotlib is optional: the plot is skipped without it).

Run:  python examples/06_optimizers.py [curves.png]
"""

from __future__ import annotations

import copy
import math
import sys

import chainrule as cr
from chainrule import nn, optim

OPTIMIZERS = {
    "SGD": lambda p: optim.SGD(p, lr=0.05),
    "Momentum": lambda p: optim.SGD(p, lr=0.05, momentum=0.9),
    "RMSProp": lambda p: optim.RMSprop(p, lr=3e-3),
    "Adam": lambda p: optim.Adam(p, lr=1e-2),
}


def make_spirals(n_per_class: int = 100, classes: int = 3, noise: float = 0.2) -> tuple[cr.Tensor, cr.Tensor]:
    """Points on ``classes`` interleaved spiral arms (radius r ∈ [0, 1], angle growing with r)."""
    y = cr.arange(classes * n_per_class) // n_per_class
    r = cr.linspace(0.05, 1.0, n_per_class).repeat(classes)
    angle = 4.0 * r + y.float() * (2 * math.pi / classes) + noise * cr.randn(len(y))
    return cr.stack([r * angle.cos(), r * angle.sin()], dim=1), y


def plot_curves(curves: dict[str, list[float]], path: str) -> bool:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib is not installed (python -m pip install matplotlib): skipping the plot")
        return False
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.add_subplot()
    for name, losses in curves.items():
        ax.plot(losses, label=name, linewidth=1.6)
    ax.set(
        xlabel="step",
        ylabel="training loss (cross-entropy)",
        yscale="log",
        title="SGD vs Momentum vs RMSProp vs Adam (same start)",
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.savefig(path, dpi=120)
    print(f"loss curves saved to {path}")
    return True


def main(steps: int = 300, hidden: int = 32, out: str | None = None, seed: int = 0) -> dict:
    cr.manual_seed(seed)
    x, y = make_spirals()
    initial = nn.Sequential(
        nn.Linear(2, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, 3)
    )
    loss_fn = nn.CrossEntropyLoss()

    curves: dict[str, list[float]] = {}
    for name, make_optimizer in OPTIMIZERS.items():
        model = copy.deepcopy(initial)  # every optimizer starts from the very same weights
        optimizer = make_optimizer(model.parameters())
        losses = []
        for _ in range(steps):
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        with cr.no_grad():
            losses.append(loss_fn(model(x), y).item())
            acc = (model(x).argmax(1) == y).float().mean().item()
        curves[name] = losses
        print(f"{name:9s} final loss {losses[-1]:.4f}   training accuracy {acc:.1%}")

    plotted = plot_curves(curves, out) if out else False
    return {"final_loss": {name: c[-1] for name, c in curves.items()}, "curves": curves, "plotted": plotted}


if __name__ == "__main__":
    main(out=sys.argv[1] if len(sys.argv) > 1 else "optimizers.png")
