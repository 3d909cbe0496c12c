"""ASGD: averaged stochastic gradient descent (Polyak & Juditsky, 1992), PyTorch's schedule."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ._ops import coupled_grad
from ._validation import real
from .optimizer import Optimizer, check_common

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """ASGD as in PyTorch:

        t ← t + 1;   g ← ∇θ (−∇θ if maximize) + λ_w·θ
        θ ← θ·(1 − λ·η_t) − η_t·g
        θ̄ ← θ̄ + μ_t·(θ − θ̄)   (θ̄ ← θ while μ_t = 1)
        η_{t+1} ← η / (1 + λ·η·t)^α        μ_{t+1} ← 1 / max(1, t − t₀)

    Args: lr η, lambd λ (decay term), alpha α (power for η's update), t0 t₀ (the step at which
    averaging starts), weight_decay λ_w. State: ``step``, ``eta`` (η_t), ``mu`` (μ_t) as 0-d float32,
    ``ax`` (the averaged parameters θ̄, which ``state[p]["ax"]`` holds for evaluation).
    Paper: https://doi.org/10.1137/0330046
    """

    def __init__(
        self, params: Any, lr: float | Tensor = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
        t0: float = 1e6, weight_decay: float = 0.0, foreach: Any = None, maximize: bool = False,
        differentiable: bool = False, capturable: bool = False,
    ) -> None:
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_common(group, "ASGD")
        for name in ("lambd", "alpha", "t0"):  # PyTorch checks no range here, but a non-number fails in step
            real("ASGD", name, group[name])

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, lambd = group["lr"], group["lambd"]
        if not state:
            state["step"] = Tensor._make(np.zeros((), np.float32))
            state["eta"] = Tensor._make(np.array(lr, np.float32))
            state["mu"] = Tensor._make(np.ones((), np.float32))
            state["ax"] = Tensor._make(np.zeros_like(p))
        step_t, eta, mu, ax = (state[k]._data for k in ("step", "eta", "mu", "ax"))
        step_t += 1
        g = coupled_grad(p, g, group["maximize"], group["weight_decay"])
        eta_value = float(eta)
        p *= 1 - lambd * eta_value
        p += -eta_value * g
        if float(mu) != 1:
            ax += (p - ax) * mu
        else:
            np.copyto(ax, p)
        step = float(step_t)
        eta[...] = lr / ((1 + lambd * lr * step) ** group["alpha"])
        mu[...] = 1 / max(1, step - group["t0"])
