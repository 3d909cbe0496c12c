"""RMSprop (Hinton, 2012), with centering, momentum and weight decay."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from ._fused_updates import plain, rmsprop_update, run
from ._validation import nonneg
from .optimizer import Optimizer, check_common

__all__ = ["RMSprop"]

_PY = (int, float)


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
        s = state["square_avg"]._data
        g_avg = state["grad_avg"]._data if group["centered"] else s  # (unused stand-ins: not written)
        b = state["momentum_buffer"]._data if mu > 0 else s
        if plain(lr, alpha, eps, wd, mu) and run(
            rmsprop_update, (p, g, s, g_avg, b),
            (bool(group["maximize"]), wd, alpha, 1 - alpha, eps, mu, lr, bool(group["centered"]), mu > 0),
        ):  # the update below in one pass (same bits)
            return
        if group["maximize"]:
            g = -g
        if wd:
            g = g + wd * p
        if not (type(lr) in _PY and type(alpha) in _PY and type(eps) in _PY and type(mu) in _PY
                and g.dtype == p.dtype):  # a NumPy scalar or another dtype promotes: keep those roundings
            _composite_update(p, g, state, group["centered"], lr, alpha, eps, mu)
            return
        # the same float operations as  s = αs + (1−α)g²;  avg = √(s − ḡ²) (or √s) + ε;
        # b = μb + g/avg; θ −= η·b  (or θ −= η·(g/avg)) — temporaries written into two scratch buffers
        s, t, u = state["square_avg"]._data, self._scratch(p), self._scratch(p, 1)
        s *= alpha
        np.multiply(g, g, out=t)
        t *= 1 - alpha
        s += t
        if group["centered"]:
            gbar = state["grad_avg"]._data
            np.subtract(g, gbar, out=t)
            t *= 1 - alpha
            gbar += t
            np.multiply(gbar, gbar, out=t)
            avg = np.subtract(s, t, out=t)
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(s, out=t)
        avg += eps
        np.divide(g, avg, out=u)
        if mu > 0:
            buf = state["momentum_buffer"]._data
            buf *= mu
            buf += u
            np.multiply(buf, lr, out=u)
        else:
            u *= lr
        p -= u


def _composite_update(p: np.ndarray, g: np.ndarray, state: dict[str, Any], centered: bool,
                      lr: Any, alpha: Any, eps: Any, mu: Any) -> None:
    """The update as plain array expressions (each temporary allocated): the reference that the
    scratch-buffer form in ``RMSprop._update`` equals bit for bit, and the path for NumPy scalars."""
    s = state["square_avg"]._data
    s *= alpha
    s += (1 - alpha) * (g * g)
    if centered:
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
