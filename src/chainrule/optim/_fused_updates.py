"""Optimizer updates as fused kernels: one pass over a parameter, its gradient and its state.

Each kernel does per element exactly the float operations of its optimizer's NumPy passes, in the
same order and dtype (the scalars arrive as the array's dtype, as NumPy casts a Python float), so
the two paths give the same bits; see ``chainrule._fused``. The optimizers call a kernel when
``kernel.compiled`` is not None and fall back to their passes otherwise.
"""

from __future__ import annotations

import numpy as np

from .._fused import kernel

__all__ = ["adam_update"]


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
