"""Adadelta: an adaptive learning rate from running averages of g² and Δθ² (Zeiler, 2012)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ._ops import coupled_grad, ema_sq_
from ._validation import real
from .optimizer import Optimizer, check_common

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta as in PyTorch:

        g ← ∇θ (−∇θ if maximize) + λ·θ
        s ← ρ·s + (1 − ρ)·g²
        Δ ← √(a + ε) / √(s + ε) · g
        a ← ρ·a + (1 − ρ)·Δ²
        θ ← θ − η·Δ

    State: ``step``, ``square_avg`` (s), ``acc_delta`` (a).
    Paper: https://arxiv.org/abs/1212.5701
    """

    def __init__(
        self, params: Any, lr: float | Tensor = 1.0, rho: float = 0.9, eps: float = 1e-6,
        weight_decay: float = 0.0, foreach: Any = None, *, capturable: bool = False,
        maximize: bool = False, differentiable: bool = False,
    ) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_common(group, "Adadelta")
        rho = real("Adadelta", "rho", group["rho"])
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {group['rho']}")

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        rho, eps = group["rho"], group["eps"]
        if not state:
            state["step"] = Tensor._make(np.zeros((), np.float32))
            state["square_avg"] = Tensor._make(np.zeros_like(p))
            state["acc_delta"] = Tensor._make(np.zeros_like(p))
        state["step"]._data += 1
        g = coupled_grad(p, g, group["maximize"], group["weight_decay"])
        s, a = state["square_avg"]._data, state["acc_delta"]._data
        ema_sq_(s, g, rho)
        std = np.sqrt(s + eps)
        delta = np.sqrt(a + eps)
        delta /= std
        delta *= g
        ema_sq_(a, delta, rho)
        p += -group["lr"] * delta
