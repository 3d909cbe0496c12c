"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ._fused_updates import plain, run, sgd_momentum_update
from ._validation import check_fused, nonneg, real
from .optimizer import Optimizer, check, check_common

__all__ = ["SGD"]

_PY = (int, float)  # hyperparameter types whose products keep the array's dtype (NumPy scalars may not)
_SMALL = 4096  # elements: below this, NumPy's small-array cache makes allocating free


class SGD(Optimizer):
    """SGD as in PyTorch:

        g ← ∇θ (−∇θ if maximize) + λ·θ
        b ← μ·b + (1 − τ)·g          (b ← g on the first step)
        g ← g + μ·b  if nesterov  else  b      (when μ ≠ 0)
        θ ← θ − η·g

    Args: lr η (1e-3), momentum μ, dampening τ, weight_decay λ, nesterov, maximize.
    """

    def __init__(
        self, params: Any, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
        weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False,
        foreach: Any = None, differentiable: bool = False, fused: Any = None,
    ) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_common(group, "SGD", nan_lr_ok=True)
        nonneg("SGD", "momentum", group["momentum"])
        real("SGD", "dampening", group["dampening"])
        check(not group["nesterov"] or (group["momentum"] > 0 and group["dampening"] == 0),
              "Nesterov momentum requires a momentum and zero dampening")
        check_fused(group)

    def _step_group(self, group: dict[str, Any]) -> bool:
        """Plain SGD (no momentum, decay or maximize): θ ← θ − η·g with the group read once."""
        if group["momentum"] or group["weight_decay"] or group["maximize"]:
            return False
        lr, scratch, multiply, subtract = group["lr"], self._scratch, np.multiply, np.subtract
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            d = p._data
            g = grad._data
            if g.size < _SMALL:  # a fresh product is cheaper than finding the scratch buffer
                subtract(d, multiply(g, lr), out=d)
            else:
                subtract(d, multiply(g, lr, out=scratch(d)), out=d)
            p._bump_version()
        return True

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, mu, wd = group["lr"], group["momentum"], group["weight_decay"]
        buf = state.get("momentum_buffer") if mu else None
        if buf is not None and plain(lr, mu, wd, group["dampening"]) and run(
            sgd_momentum_update, (p, g, buf._data),
            (bool(group["maximize"]), wd, mu, 1 - group["dampening"], bool(group["nesterov"]), lr),
        ):  # the update below in one pass (same bits)
            return
        if group["maximize"]:
            g = -g
        if wd:
            g = g + wd * p
        if mu:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = Tensor._make(np.array(g, copy=True))
            else:
                b = buf._data
                b *= mu
                damp = group["dampening"]
                if type(damp) in _PY and g.dtype == b.dtype:  # (1 − τ)·g into scratch, same bits
                    b += np.multiply(g, 1 - damp, out=self._scratch(p))
                else:
                    b += (1 - damp) * g
            g = g + mu * buf._data if group["nesterov"] else buf._data
        p -= np.multiply(g, lr, out=self._scratch(p))  # = lr * g, without allocating
