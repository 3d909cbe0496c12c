"""Optimizer updates as fused kernels: one pass over a parameter, its gradient and its state.

Each kernel does per element exactly the float operations of its optimizer's NumPy passes, in the
same order and dtype (the scalars arrive as the array's dtype, as NumPy casts a Python float), so
the two paths give the same bits; see ``chainrule._fused``. The optimizers call a kernel when
``kernel.compiled`` is not None and fall back to their passes otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _parallel
from .._fused import FLOATS, kernel

__all__ = ["adam_update", "sgd_momentum_update", "rmsprop_update", "plain", "run"]


@kernel
def adam_update(p, g, m, v, v_max, grad_mode, wd, decay, c1, b2, c2, bias2_sqrt, eps, step_size):  # noqa: ANN001
    """Adam on flat arrays, in place on ``p``, ``m``, ``v`` (and ``v_max`` when it has ``p``'s size):

        θ ← θ·decay  (AdamW, when decay ≠ 1)      g ← ∇, −∇, λθ + ∇ or λθ − ∇  (grad_mode 0, 1, 2, 3)
        m ← m + c₁·(g − m)                          v ← v·β₂ + c₂·g²        v̂ ← max(v̂, v)  (amsgrad)
        θ ← θ − step_size · m / (√v̂ / bias2_sqrt + ε)

    with c₁ = 1 − β₁, c₂ = 1 − β₂, bias2_sqrt = √(1 − β₂ᵗ), step_size = η/(1 − β₁ᵗ).
    """
    amsgrad = v_max.size == p.size
    for i in range(p.size):
        theta = p[i]
        if decay != 1:
            theta = theta * decay
        gi = g[i]
        if grad_mode == 1:
            gi = -gi
        elif grad_mode == 2:
            gi = theta * wd + gi
        elif grad_mode == 3:
            gi = theta * wd - gi
        mi = m[i] + (gi - m[i]) * c1
        m[i] = mi
        vi = v[i] * b2 + (gi * gi) * c2
        v[i] = vi
        if amsgrad:
            vm = v_max[i]
            if not (vm > vi or vm != vm):
                vm = vi
            v_max[i] = vm
            vi = vm
        p[i] = theta - mi / (np.sqrt(vi) / bias2_sqrt + eps) * step_size


@kernel
def sgd_momentum_update(p, g, b, maximize, wd, mu, c_damp, nesterov, lr):  # noqa: ANN001
    """SGD with momentum after its first step, in place on flat ``p`` and ``b``:

        g ← ∇ (−∇ if maximize) + λθ          b ← b·μ + g·(1 − τ)
        θ ← θ − (g + b·μ if nesterov else b)·η
    """
    for i in range(p.size):
        gi = g[i]
        if maximize:
            gi = -gi
        if wd != 0:
            gi = gi + p[i] * wd
        bi = b[i] * mu + gi * c_damp
        b[i] = bi
        if nesterov:
            gi = gi + bi * mu
        else:
            gi = bi
        p[i] = p[i] - gi * lr


@kernel
def rmsprop_update(p, g, s, g_avg, b, maximize, wd, alpha, c_alpha, eps, mu, lr, centered, momentum):  # noqa: ANN001
    """RMSprop in place on flat ``p``, ``s`` (and ``g_avg`` if centered, ``b`` with momentum):

        g ← ∇ (−∇ if maximize) + λθ         s ← s·α + g²·(1 − α)         ḡ ← ḡ + (g − ḡ)·(1 − α)
        d ← √(s − ḡ²) + ε  (centered)  or  √s + ε
        θ ← θ − (b ← b·μ + g/d)·η  (momentum)  or  θ ← θ − (g/d)·η
    """
    for i in range(p.size):
        gi = g[i]
        if maximize:
            gi = -gi
        if wd != 0:
            gi = gi + p[i] * wd
        si = s[i] * alpha + (gi * gi) * c_alpha
        s[i] = si
        if centered:
            ga = g_avg[i] + (gi - g_avg[i]) * c_alpha
            g_avg[i] = ga
            d = np.sqrt(si - ga * ga)
        else:
            d = np.sqrt(si)
        u = gi / (d + eps)
        if momentum:
            bi = b[i] * mu + u
            b[i] = bi
            u = bi * lr
        else:
            u = u * lr
        p[i] = p[i] - u


def plain(*hyperparameters: Any) -> bool:
    """Whether every hyperparameter is a Python number, which NumPy casts to the array's dtype (a
    Tensor or a NumPy float64 scalar would promote the arithmetic: those keep the NumPy passes)."""
    return all(type(h) in (int, float, bool) for h in hyperparameters)


def run(fn: Any, arrays: Sequence[np.ndarray], scalars: Sequence[Any]) -> bool:
    """``fn(*flat arrays, *scalars)`` — the arrays C-contiguous, of one shape and float dtype, the
    scalars cast to it — over chunks on chainrule's threads for a large parameter.

    Returns False (nothing done) when the kernel is off or the arrays do not qualify; the caller
    then runs its NumPy passes.
    """
    k = fn.compiled
    first = arrays[0]
    if k is None or first.dtype.name not in FLOATS:
        return False
    for a in arrays:
        if a.shape != first.shape or a.dtype != first.dtype or not a.flags.c_contiguous:
            return False
    flats = [a.reshape(-1) for a in arrays]
    f = first.dtype.type
    cast = [s if type(s) is bool else f(s) for s in scalars]
    n = first.size
    threads = _parallel.elementwise_threads() if n >= _parallel.PARALLEL_MIN else 1
    if threads == 1:
        k(*flats, *cast)
        return True
    _parallel.run_chunks(lambda sl: k(*(a[sl] for a in flats), *cast), _parallel.row_slices(n, threads))
    return True
