"""In-place ops on views of tensors in the graph (PyTorch's ``CopySlices``).

``v = y[0]; v.mul_(2)`` changes ``y`` too, so ``y`` must take a new history: new_y = y with the
view's elements replaced by f(old view). The positions of the view's elements inside the base are
found once from the two arrays' memory addresses, which works for every NumPy view (slices,
transposes, diagonals, reshapes).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .function import Function

__all__ = ["view_base", "positions_in", "CopySlices", "ViewOf"]


def view_base(t: Any) -> Any:
    """The tensor at the root of ``t``'s chain of view nodes (``None`` if ``t`` is not such a view)."""
    base = None
    node = t._grad_fn
    while node is not None and node._is_view and node._edges and node._edges[0] is not None:
        base = node._edges[0][2]  # view nodes keep their base tensor (see function.edge)
        node = base._grad_fn
    return base


def _addresses(a: np.ndarray) -> np.ndarray:
    addr = np.full(a.shape, a.__array_interface__["data"][0], dtype=np.int64)
    for axis, (n, s) in enumerate(zip(a.shape, a.strides)):
        shape = [1] * a.ndim
        shape[axis] = n
        addr = addr + (np.arange(n, dtype=np.int64) * s).reshape(shape)
    return addr.reshape(-1)


def positions_in(view: np.ndarray, base: np.ndarray) -> np.ndarray | None:
    """Flat (C-order) index into ``base`` of every element of ``view``; None if not all inside."""
    addr_b = _addresses(base)
    order = np.argsort(addr_b, kind="stable")
    sorted_b = addr_b[order]
    addr_v = _addresses(view)
    pos = np.searchsorted(sorted_b, addr_v)
    if pos.size and (pos.max() >= sorted_b.size or not np.array_equal(sorted_b[pos], addr_v)):
        return None
    return order[pos]


class CopySlices(Function):
    """out = base with base.flat[idx] = values (already written in place).
    VJP: gbase = g with g.flat[idx] = 0,   gvalues = g.flat[idx] in the view's shape."""

    _array_op = True

    @classmethod
    def name(cls) -> str:
        return "CopySlices"  # PyTorch's name

    @staticmethod
    def forward(ctx: Any, base: Any, values: Any, idx: Any) -> Any:
        ctx.idx, ctx.vshape = idx, values.shape
        return base

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        flat = g.reshape(-1)
        gv = flat[ctx.idx].reshape(ctx.vshape) if ctx.needs_input_grad[1] else None
        gb = None
        if ctx.needs_input_grad[0]:
            gb = flat.copy()
            gb[ctx.idx] = 0
            gb = gb.reshape(g.shape)
        return gb, gv, None


class ViewOf(Function):
    """out = base.flat[idx] in the view's shape (the view, re-attached to its base's new history).
    VJP: gbase = 0 with gbase.flat[idx] = g."""

    _array_op = True
    _is_view = True

    @classmethod
    def name(cls) -> str:
        return "AsStridedBackward"  # PyTorch's name (without its "0")

    @staticmethod
    def forward(ctx: Any, base: Any, view: Any, idx: Any) -> Any:
        ctx.idx, ctx.shape = idx, base.shape
        return view

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        gb = np.zeros(int(np.prod(ctx.shape)), g.dtype)
        gb[ctx.idx] = g.reshape(-1)
        return gb.reshape(ctx.shape), None, None
