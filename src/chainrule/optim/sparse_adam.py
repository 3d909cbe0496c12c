"""SparseAdam: Adam whose moments and parameters move only where the gradient has entries."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._tensor import Tensor
from ._validation import check_betas, check_lr, nonneg
from .optimizer import Optimizer

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """SparseAdam as in PyTorch, on the rows R of the gradient that have entries:

        t ← t + 1;   g ← ∇θ (−∇θ if maximize)
        m_R ← m_R + (1 − β₁)·(g_R − m_R)          v_R ← v_R + (1 − β₂)·(g_R² − v_R)
        θ_R ← θ_R − η·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m_R / (√v_R + ε)

    Rows outside R (and their moments) are left as they are. PyTorch feeds SparseAdam the sparse
    gradients of ``nn.Embedding(sparse=True)``, whose entries are the rows looked up in the batch,
    and refuses dense gradients. chainrule's gradients are always dense arrays, so here R is the
    set of rows (indices along dim 0) whose gradient is not all zero: the looked-up rows of an
    embedding, the same update as PyTorch's except for a looked-up row whose gradient is exactly
    zero (PyTorch decays its moments; here it is skipped). ``step`` counts every call that found a
    gradient, as in PyTorch (a Python int there and here).

    State: ``step`` (int), ``exp_avg``, ``exp_avg_sq``.
    """

    def __init__(
        self, params: Any, lr: float | Tensor = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8, maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, maximize=maximize)
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        check_lr("SparseAdam", group["lr"], strict=True)
        nonneg("SparseAdam", "eps", group["eps"], "epsilon", strict=True)
        check_betas("SparseAdam", group["betas"])
        for p in group["params"]:
            if p._data.dtype.kind == "c":
                raise ValueError("SparseAdam does not support complex parameters")

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = Tensor._make(np.zeros_like(p))
            state["exp_avg_sq"] = Tensor._make(np.zeros_like(p))
        state["step"] += 1
        step = state["step"]
        if group.get("maximize", False):
            g = -g
        if p.ndim == 0:
            rows: Any = () if g != 0 else None
        else:
            hit = np.flatnonzero(g.reshape(g.shape[0], -1).any(axis=1))
            rows = hit if hit.size else None
        if rows is None:  # no entries: nothing moves (the step still counts, as in PyTorch)
            return
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        g_r = g[rows]
        old_m, old_v = m[rows], v[rows]
        m_update = (g_r - old_m) * (1 - b1)
        v_update = (g_r**2 - old_v) * (1 - b2)
        m[rows] = old_m + m_update
        v[rows] = old_v + v_update
        numer = m_update + old_m
        denom = np.sqrt(v_update + old_v)
        denom += eps
        step_size = lr * math.sqrt(1 - b2**step) / (1 - b1**step)
        p[rows] = p[rows] + (-step_size * (numer / denom))
