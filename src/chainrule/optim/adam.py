"""Adam and AdamW (Kingma & Ba, 2015; Loshchilov & Hutter, 2019)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, check, check_common

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam as in PyTorch:

        t ← t + 1;   g ← ∇θ (−∇θ if maximize) + λ·θ
        m ← β₁·m + (1 − β₁)·g              v ← β₂·v + (1 − β₂)·g²
        v̂ ← max(v̂, v) if amsgrad else v
        θ ← θ − η/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)

    AdamW replaces the λ·θ term by decoupled decay θ ← θ·(1 − ηλ) before the update.
    Paper: https://arxiv.org/abs/1412.6980
    """

    _decoupled = False

    def __init__(
        self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
        maximize: bool = False, foreach: Any = None, capturable: bool = False,
        differentiable: bool = False, fused: Any = None, decoupled_weight_decay: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay or self._decoupled)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_common(group)
        b1, b2 = group["betas"]
        check(0.0 <= b1 < 1.0, f"Invalid beta parameter at index 0: {b1}")
        check(0.0 <= b2 < 1.0, f"Invalid beta parameter at index 1: {b2}")

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if not state:
            state["step"] = Tensor._make(np.zeros((), np.float32))
            state["exp_avg"] = Tensor._make(np.zeros_like(p))
            state["exp_avg_sq"] = Tensor._make(np.zeros_like(p))
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(p))
        step_t = state["step"]._data
        step_t += 1
        step = float(step_t)
        if group["maximize"]:
            g = -g
        if wd:
            if group["decoupled_weight_decay"]:
                p *= 1 - lr * wd
            else:
                g = g + wd * p
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        # the same float operations as  m += (1-β₁)(g-m);  v = β₂v + (1-β₂)g²;
        # p -= η/(1-β₁ᵗ) · m / (√v̂/√(1-β₂ᵗ) + ε)  — written into one scratch buffer with out=
        tmp = self._scratch(p)
        np.subtract(g, m, out=tmp)
        tmp *= 1 - b1
        m += tmp  # lerp toward g, PyTorch's form of β₁·m + (1 − β₁)·g
        v *= b2
        np.multiply(g, g, out=tmp)
        tmp *= 1 - b2
        v += tmp
        if group["amsgrad"]:
            v_hat = state["max_exp_avg_sq"]._data
            np.maximum(v_hat, v, out=v_hat)
        else:
            v_hat = v
        step_size = lr / (1 - b1**step)
        denom = np.sqrt(v_hat, out=tmp)
        denom /= math.sqrt(1 - b2**step)
        denom += eps
        np.divide(m, denom, out=denom)
        denom *= step_size
        p -= denom


class AdamW(Adam):
    """Adam with decoupled weight decay (default weight_decay=1e-2): θ ← θ·(1 − ηλ), then Adam.

    Paper: https://arxiv.org/abs/1711.05101
    """

    _decoupled = True

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, **kwargs: Any) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, **kwargs)
