"""RAdam: Adam with the variance of the adaptive learning rate rectified (Liu et al., 2020)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._tensor import Tensor
from ._ops import ema_sq_, fma, lerp_
from ._validation import check_betas
from .optimizer import Optimizer, check_common

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam as in PyTorch:

        t ← t + 1;   g ← ∇θ (−∇θ if maximize);   g ← g + λ·θ   (θ ← θ·(1 − ηλ) if decoupled_weight_decay)
        m ← β₁·m + (1 − β₁)·g              v ← β₂·v + (1 − β₂)·g²
        m̂ ← m / (1 − β₁ᵗ)
        ρ_∞ ← 2/(1 − β₂) − 1               ρ_t ← ρ_∞ − 2t·β₂ᵗ/(1 − β₂ᵗ)
        if ρ_t > 5:  r ← √((ρ_t − 4)(ρ_t − 2)ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2)ρ_t))
                     θ ← θ − η·m̂·√(1 − β₂ᵗ)/(√v + ε)·r
        else:        θ ← θ − η·m̂             (the early steps are SGD with momentum)

    State: ``step``, ``exp_avg``, ``exp_avg_sq``.
    Paper: https://arxiv.org/abs/1908.03265
    """

    def __init__(
        self, params: Any, lr: float | Tensor = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8, weight_decay: float = 0.0, decoupled_weight_decay: bool = False, *,
        foreach: Any = None, maximize: bool = False, capturable: bool = False, differentiable: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_common(group, "RAdam")
        check_betas("RAdam", group["betas"])

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            state["step"] = Tensor._make(np.zeros((), np.float32))
            state["exp_avg"] = Tensor._make(np.zeros_like(p))
            state["exp_avg_sq"] = Tensor._make(np.zeros_like(p))
        step_t = state["step"]._data
        step_t += 1
        step = float(step_t)
        if group["maximize"]:
            g = -g
        if wd:
            if group["decoupled_weight_decay"]:
                p *= 1 - lr * wd
            else:
                g = fma(wd, p, g, p.dtype)
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        lerp_(m, g, 1 - b1)
        ema_sq_(v, g, b2)
        bc1, bc2 = 1 - b1**step, 1 - b2**step
        m_hat = m / bc1
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * step * (b2**step) / bc2
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            adaptive = np.sqrt(v)
            adaptive += eps
            np.divide(bc2**0.5, adaptive, out=adaptive)
            p -= m_hat * lr * adaptive * rect
        else:
            p -= m_hat * lr
