"""NAdam: Adam with Nesterov momentum (Dozat, 2016), with PyTorch's momentum-decay schedule."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ._ops import ema_sq_, fma, lerp_
from ._validation import check_betas, nonneg
from .optimizer import Optimizer, check_common

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam as in PyTorch:

        t ← t + 1;   g ← ∇θ (−∇θ if maximize);   g ← g + λ·θ   (θ ← θ·(1 − ηλ) if decoupled_weight_decay)
        μ_t ← β₁·(1 − ½·0.96^(t·ψ))        μ_{t+1} ← β₁·(1 − ½·0.96^((t+1)·ψ))      (ψ = momentum_decay)
        Π_t ← Π_{t−1}·μ_t   (state "mu_product", Π₀ = 1)
        m ← β₁·m + (1 − β₁)·g              v ← β₂·v + (1 − β₂)·g²
        d ← √(v / (1 − β₂ᵗ)) + ε
        θ ← θ − η·(1 − μ_t)/(1 − Π_t) · g/d − η·μ_{t+1}/(1 − Π_t·μ_{t+1}) · m/d

    State: ``step``, ``mu_product`` (0-d float32), ``exp_avg``, ``exp_avg_sq``.
    Paper: https://openreview.net/forum?id=OM0jvwB8jIp57ZJjtNEZ
    """

    def __init__(
        self, params: Any, lr: float | Tensor = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8, weight_decay: float = 0.0, momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False, *, foreach: Any = None, maximize: bool = False,
        capturable: bool = False, differentiable: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_common(group, "NAdam")
        check_betas("NAdam", group["betas"])
        nonneg("NAdam", "momentum_decay", group["momentum_decay"])

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            state["step"] = Tensor._make(np.zeros((), np.float32))
            state["mu_product"] = Tensor._make(np.ones((), np.float32))
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
        psi = group["momentum_decay"]
        mu = b1 * (1.0 - 0.5 * 0.96 ** (step * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
        mu_product = state["mu_product"]._data
        mu_product *= mu
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        lerp_(m, g, 1 - b1)
        ema_sq_(v, g, b2)
        denom = np.sqrt(v / (1 - b2**step))
        denom += eps
        prod = float(mu_product)
        p += (-lr * (1.0 - mu) / (1.0 - prod)) * g / denom
        p += (-lr * mu_next / (1.0 - prod * mu_next)) * m / denom
