"""``numpy_xp``: the namespace a ``backward`` receives as ``ctx.xp`` for ordinary first-order backward.

NumPy's own functions (the same objects: no cost, bit-identical results) plus the few helpers that
backward formulas share with the Tensor namespace (``chainrule.ops._xp.tensor_xp``), which records
the same formulas as a graph under ``create_graph=True``.
"""

from __future__ import annotations

import math
import types
from typing import Any

import numpy as np

__all__ = ["numpy_xp"]


def _np_scatter_zeros(shape: tuple[int, ...], index: Any, g: Any, accumulate: bool, pre: Any = None) -> Any:
    """zeros(shape) with ``g`` written (``accumulate``: added, repeats summed) at ``[pre][index]``."""
    gx = np.zeros(shape, g.dtype)
    tgt = gx if pre is None else gx[pre]  # a view: ``pre`` is a basic index
    if accumulate:
        np.add.at(tgt, index, g)
    else:
        tgt[index] = g
    return gx


def _np_take_at(g: Any, index: Any, pre: Any = None) -> Any:
    """``g[pre][index]`` (``pre`` None: ``g[index]``): the adjoint of ``scatter_zeros``."""
    return (g if pre is None else g[pre])[index]


def _np_spread(g: Any, shape: tuple[int, ...]) -> Any:
    """``g`` broadcast to ``shape``: materialized when small (cheaper than a view), a view when large."""
    if math.prod(shape) <= 65536:
        out = np.empty(shape, g.dtype)
        out[...] = g
        return out
    return np.broadcast_to(g, shape)


def _np_zero_at(g: Any, index: Any) -> Any:
    """A copy of ``g`` with the positions ``index`` set to 0."""
    gx = g.copy()
    gx[index] = 0
    return gx


# NumPy's already-loaded public names (``vars``, not ``dir``: no lazily imported submodules)
numpy_xp = types.SimpleNamespace(
    **{k: v for k, v in vars(np).items() if not k.startswith("_") and not isinstance(v, types.ModuleType)}
)
numpy_xp.scatter_zeros = _np_scatter_zeros
numpy_xp.spread = _np_spread
numpy_xp.take_at = _np_take_at
numpy_xp.zero_at = _np_zero_at
numpy_xp.is_tensor = False
numpy_xp.linalg = np.linalg  # (a module: the loop above keeps functions only)
