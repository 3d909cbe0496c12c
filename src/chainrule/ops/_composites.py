"""Fused activations re-built from differentiable primitives, for their double backward.

``Gelu`` and ``Silu`` save derived arrays (Φ(x), σ(x)) for their fast first-order backward; under
``create_graph=True`` the engine differentiates these compositions instead (``CompositeDoubleBackward``).
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["gelu", "silu", "var"]


def gelu(ctx: Any, x: Any, approximate: str) -> Any:
    """x·Φ(x) with Φ = ½(1 + erf(x/√2)), or the tanh form ½x(1 + tanh(√(2/π)(x + 0.044715x³)))."""
    import chainrule as cr

    if approximate == "tanh":
        return 0.5 * x * (1.0 + cr.tanh((x + 0.044715 * x * x * x) * math.sqrt(2.0 / math.pi)))
    return x * (0.5 * (1.0 + cr.erf(x * math.sqrt(0.5))))


def silu(ctx: Any, x: Any) -> Any:
    """x·σ(x)."""
    import chainrule as cr

    return x * cr.sigmoid(x)


def var(ctx: Any, x: Any, axes: Any, correction: float, keepdim: bool, take_sqrt: bool) -> Any:
    """Σ(x − x̄)²/(n − c) over ``axes`` (all when None), or its square root."""
    dims = tuple(range(x.ndim)) if axes is None else tuple(axes)
    if not dims:
        dims = tuple(range(x.ndim))
    d = x - x.mean(dims, keepdim=True) if dims else x - x
    out = ((d * d).sum(dims, keepdim=keepdim) if dims else d * d) / ctx.dof
    return out.sqrt() if take_sqrt else out
