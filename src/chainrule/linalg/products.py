"""Products: ``cross`` (3-vectors), ``multi_dot`` (a chain of matmuls in the cheapest order), ``vecdot``,
and ``diagonal`` (the linalg spelling of ``Tensor.diagonal`` over the last two dims)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..ops import elementwise as _ew
from ..ops import linalg as _mm
from ..ops import reduce as _red
from ..ops import shape as _shape
from ..ops._util import Function, broadcast_error, check_tensor, norm_dim
from ._common import check_float, legacy_name

__all__ = ["cross", "multi_dot", "vecdot", "diagonal"]


class Cross(Function):
    """c = a × b along ``dim`` (length 3; other dims broadcast).
    VJP (from g·(a × b) = a·(b × g) = b·(g × a)):  ga = b × g,  gb = g × a."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, dim: int) -> Any:
        ctx.dim = dim
        ctx.save_for_backward(a, b)
        return np.cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        d, xp = ctx.dim, ctx.xp
        return (xp.cross(b, g, axis=d) if ctx.needs_input_grad[0] else None,
                xp.cross(g, a, axis=d) if ctx.needs_input_grad[1] else None, None)  # fmt: skip


def cross(input: Any, other: Any, *, dim: int = -1) -> Any:  # noqa: A002
    """Cross product of the 3-vectors along ``dim`` of ``input`` and ``other`` (same ndim; other dims broadcast)."""
    op = "linalg.cross"
    check_tensor(input, op, "input")
    check_tensor(other, op, "other")
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise RuntimeError(f"{op}: inputs must have the same number of dimensions.")
    if a.dtype != b.dtype:
        raise RuntimeError(f"{op}: expected both inputs to have the same dtype, got {legacy_name(a)} and {legacy_name(b)}")
    d = norm_dim(dim, a.ndim, op)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"{op}: inputs dimension {dim} must have length 3. Got {a.shape[d]} and {b.shape[d]}")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_error(op, a.shape, b.shape) from None
    return Cross.apply(input, other, d)


def _chain_order(dims: list[int]) -> Any:
    """The cheapest parenthesisation of a matrix chain with sizes dims[0]×dims[1], dims[1]×dims[2] ...
    (the classic O(n³) dynamic programme); returns a nested (i, j) split tree."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j], split[i][j] = min(
                (cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1], k) for k in range(i, j)
            )

    def tree(i: int, j: int) -> Any:
        return i if i == j else (tree(i, split[i][j]), tree(split[i][j] + 1, j))

    return tree(0, n - 1)


def multi_dot(tensors: Sequence[Any]) -> Any:
    """A₁ A₂ ⋯ Aₙ computed in the order with the fewest multiplications; the first (last) may be 1-D, a row
    (column) vector; the others must be 2-D."""
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    for k, t in enumerate(ts):
        check_tensor(t, "multi_dot", f"tensors[{k}]")
    first, last = ts[0]._data, ts[-1]._data
    if first.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first.ndim}D")
    if last.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last.ndim}D")
    for k, t in enumerate(ts[1:-1], 1):
        if t._data.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {k} must be 2D but got {t._data.ndim}D")
    for k, t in enumerate(ts[1:], 1):
        if t._data.dtype != first.dtype:
            raise RuntimeError(
                f"multi_dot(): all tensors must have be the same dtype but tensor 0 is {_c_name(first)} and "
                f"tensor {k} {_c_name(t._data)}"
            )
    mats = list(ts)
    if first.ndim == 1:
        mats[0] = _shape.unsqueeze(ts[0], 0)
    if last.ndim == 1:
        mats[-1] = _shape.unsqueeze(ts[-1], 1)
    for k in range(len(mats) - 1):
        if mats[k]._data.shape[1] != mats[k + 1]._data.shape[0]:
            raise RuntimeError(
                f"multi_dot(): tensors {k} and {k + 1} with shapes {list(ts[k]._data.shape)} and "
                f"{list(ts[k + 1]._data.shape)} cannot be multiplied"
            )
    dims = [m._data.shape[0] for m in mats] + [mats[-1]._data.shape[1]]

    def build(node: Any) -> Any:
        return mats[node] if isinstance(node, int) else _mm.matmul(build(node[0]), build(node[1]))

    result = build(_chain_order(dims))
    if first.ndim == 1 and last.ndim == 1:
        return _shape.reshape(result, ())
    if first.ndim == 1:
        return _shape.squeeze(result, 0)
    if last.ndim == 1:
        return _shape.squeeze(result, 1)
    return result


def _c_name(x: np.ndarray) -> str:
    return {"float32": "float", "float64": "double", "int64": "long", "int32": "int"}.get(x.dtype.name, x.dtype.name)


def vecdot(x: Any, y: Any, *, dim: int = -1) -> Any:
    """Σᵢ xᵢ yᵢ along ``dim`` (other dims broadcast)."""
    op = "linalg.vecdot"
    a = check_float(op, x, "x")
    check_tensor(y, op, "y")
    if a.dtype != y._data.dtype:
        raise RuntimeError(
            f"{op}: Expected x and y to have the same dtype, but found x of type {legacy_name(a)} and y of type "
            f"{legacy_name(y._data)} instead"
        )
    return _red.sum(_ew.mul(x, y), dim=dim)


def diagonal(A: Any, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Any:
    """The ``offset`` diagonal of each matrix over (dim1, dim2), as the last dim (a view)."""
    check_tensor(A, "linalg.diagonal", "A")
    return _shape.diagonal(A, offset, dim1, dim2)
