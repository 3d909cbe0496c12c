"""Adamax: Adam with the infinity norm (Kingma & Ba, 2015, section 7)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ._ops import coupled_grad, lerp_
from ._validation import check_betas
from .optimizer import Optimizer, check_common

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax as in PyTorch:

        t ← t + 1;   g ← ∇θ (−∇θ if maximize) + λ·θ
        m ← β₁·m + (1 − β₁)·g
        u ← max(β₂·u, |g| + ε)
        θ ← θ − η/(1 − β₁ᵗ) · m/u

    State: ``step``, ``exp_avg`` (m), ``exp_inf`` (u).
    Paper: https://arxiv.org/abs/1412.6980
    """

    def __init__(
        self, params: Any, lr: float | Tensor = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8, weight_decay: float = 0.0, foreach: Any = None, *, maximize: bool = False,
        differentiable: bool = False, capturable: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_common(group, "Adamax")
        check_betas("Adamax", group["betas"])

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        if not state:
            state["step"] = Tensor._make(np.zeros((), np.float32))
            state["exp_avg"] = Tensor._make(np.zeros_like(p))
            state["exp_inf"] = Tensor._make(np.zeros_like(p))
        step_t = state["step"]._data
        step_t += 1
        g = coupled_grad(p, g, group["maximize"], group["weight_decay"])
        m, u = state["exp_avg"]._data, state["exp_inf"]._data
        lerp_(m, g, 1 - b1)
        u *= b2
        np.maximum(u, np.abs(g) + eps, out=u)
        clr = lr / (1 - b1 ** float(step_t))
        p += -clr * m / u
