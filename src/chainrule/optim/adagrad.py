"""Adagrad (Duchi et al., 2011)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ._validation import check_fused, nonneg
from .optimizer import Optimizer, check_common

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad as in PyTorch:

        t ← t + 1;   g ← ∇θ (−∇θ if maximize) + λ·θ
        η_t ← η / (1 + (t − 1)·lr_decay)
        s ← s + g²;   θ ← θ − η_t · g / (√s + ε)
    """

    def __init__(
        self, params: Any, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0, eps: float = 1e-10, foreach: Any = None, *,
        maximize: bool = False, differentiable: bool = False, fused: Any = None,
    ) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        from ..nn.parameter import is_lazy

        for group in self.param_groups:  # PyTorch creates Adagrad's state eagerly
            for p in group["params"]:
                if is_lazy(p):
                    raise ValueError(
                        "Adagrad: attempted to use an uninitialized parameter (a lazy module's); Adagrad creates its "
                        "state on construction, so call forward with a dummy batch before building the optimizer"
                    )
                self.state[p] = {
                    "step": Tensor._make(np.zeros((), np.float32)),
                    "sum": Tensor._make(np.full_like(p._data, group["initial_accumulator_value"])),
                }

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_common(group, "Adagrad")
        nonneg("Adagrad", "lr_decay", group["lr_decay"])
        nonneg("Adagrad", "initial_accumulator_value", group["initial_accumulator_value"])
        check_fused(group)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        if not state:
            state["step"] = Tensor._make(np.zeros((), np.float32))
            state["sum"] = Tensor._make(np.full_like(p, group["initial_accumulator_value"]))
        step_t = state["step"]._data
        step_t += 1
        if group["maximize"]:
            g = -g
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p
        clr = group["lr"] / (1 + (float(step_t) - 1) * group["lr_decay"])
        s = state["sum"]._data
        s += g * g
        std = np.sqrt(s)
        std += group["eps"]
        p -= clr * (g / std)
