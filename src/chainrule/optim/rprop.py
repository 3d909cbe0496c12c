"""Rprop: resilient backpropagation, steps from the sign of the gradient (Riedmiller & Braun, 1993)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ._validation import check_lr, real
from .optimizer import Optimizer

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop as in PyTorch, per element:

        g ← ∇θ (−∇θ if maximize);   s ← sign(g·g_prev)
        Δ ← clamp(Δ·η₊, Δ_min, Δ_max) where s > 0,   clamp(Δ·η₋, ...) where s < 0,   Δ where s = 0
        g ← 0 where s < 0                (after a sign change, skip this step)
        θ ← θ − sign(g)·Δ;   g_prev ← g

    Args: lr (the initial step Δ₀), etas (η₋, η₊) with 0 < η₋ < 1 < η₊, step_sizes (Δ_min, Δ_max).
    State: ``step``, ``prev`` (g_prev), ``step_size`` (Δ).
    Paper: https://doi.org/10.1109/ICNN.1993.298623
    """

    def __init__(
        self, params: Any, lr: float | Tensor = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False, foreach: Any = None,
        maximize: bool = False, differentiable: bool = False,
    ) -> None:
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_lr("Rprop", group["lr"])
        for name in ("etas", "step_sizes"):
            pair = group[name]
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise ValueError(f"Rprop: {name} must be a pair of two numbers; got {pair!r}")
            for i, v in enumerate(pair):
                real("Rprop", f"{name}[{i}]", v)
        eta_minus, eta_plus = group["etas"]
        if not 0.0 < eta_minus < 1.0 < eta_plus:
            raise ValueError(f"Invalid eta values: {eta_minus}, {eta_plus}")

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        (eta_minus, eta_plus), (step_min, step_max) = group["etas"], group["step_sizes"]
        if not state:
            state["step"] = Tensor._make(np.zeros((), np.float32))
            state["prev"] = Tensor._make(np.zeros_like(p))
            state["step_size"] = Tensor._make(np.full_like(g, group["lr"]))
        state["step"]._data += 1
        prev, step_size = state["prev"]._data, state["step_size"]._data
        if group["maximize"]:
            g = -g
        sign = np.sign(g * prev)
        sign[sign > 0] = eta_plus
        sign[sign < 0] = eta_minus
        sign[sign == 0] = 1
        step_size *= sign
        np.clip(step_size, step_min, step_max, out=step_size)
        g = np.array(g, copy=True)
        g[sign == eta_minus] = 0
        p -= np.sign(g) * step_size
        np.copyto(prev, g)
