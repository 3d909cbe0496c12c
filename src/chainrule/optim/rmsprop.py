"""RMSprop (Hinton, 2012), with centering, momentum and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ._validation import nonneg
from .optimizer import Optimizer, check_common

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop as in PyTorch:

        g ← ∇θ (−∇θ if maximize) + λ·θ
        s ← α·s + (1 − α)·g²
        d ← √(s − ḡ²) + ε  with ḡ ← α·ḡ + (1 − α)·g  if centered,  else  √s + ε
        b ← μ·b + g/d;  θ ← θ − η·b     (μ > 0)      or      θ ← θ − η·g/d
    """

    def __init__(
        self, params: Any, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
        weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
        capturable: bool = False, foreach: Any = None, maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_common(group, "RMSprop")
        nonneg("RMSprop", "momentum", group["momentum"])
        nonneg("RMSprop", "alpha", group["alpha"])

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, alpha, eps, wd, mu = group["lr"], group["alpha"], group["eps"], group["weight_decay"], group["momentum"]
        if not state:
            state["step"] = Tensor._make(np.zeros((), np.float32))
            state["square_avg"] = Tensor._make(np.zeros_like(p))
            if mu > 0:
                state["momentum_buffer"] = Tensor._make(np.zeros_like(p))
            if group["centered"]:
                state["grad_avg"] = Tensor._make(np.zeros_like(p))
        state["step"]._data += 1
        if group["maximize"]:
            g = -g
        if wd:
            g = g + wd * p
        s = state["square_avg"]._data
        s *= alpha
        s += (1 - alpha) * (g * g)
        if group["centered"]:
            gbar = state["grad_avg"]._data
            gbar += (1 - alpha) * (g - gbar)
            avg = np.sqrt(s - gbar * gbar)
        else:
            avg = np.sqrt(s)
        avg += eps
        if mu > 0:
            buf = state["momentum_buffer"]._data
            buf *= mu
            buf += g / avg
            p -= lr * buf
        else:
            p -= lr * (g / avg)
