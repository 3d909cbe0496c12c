"""Cumulative ops along one axis: ``cumsum`` and ``cumprod`` (out_i over the prefix x_0..x_i).

Each primitive's ``forward``/``backward`` take NumPy arrays; ``g`` is ∂L/∂out.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._numpy_names import numpy_names
from ._util import Function, norm_dim
from .reduce import _data, _sum_dtype

__all__ = ["cumsum", "cumprod"]


class Cumsum(Function):
    """outᵢ = Σ_{k≤i} xₖ along axis.   VJP: gxᵢ = Σ_{j≥i} gⱼ (reversed cumsum)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int, np_dtype: Any) -> Any:
        ctx.axis = axis
        if x.ndim == 0:
            return x.astype(np_dtype or x.dtype, copy=True)
        return np.cumsum(x, axis=axis, dtype=np_dtype)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if g.ndim == 0:
            return g, None, None
        ax = ctx.axis
        xp = ctx.xp
        return xp.flip(xp.cumsum(xp.flip(g, ax), axis=ax), ax), None, None


class Cumprod(Function):
    """outᵢ = Π_{k≤i} xₖ along axis.   VJP: gxᵢ = Σ_{j≥i} gⱼ·Π_{k≤j, k≠i} xₖ (exact with zeros)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, axis: int, np_dtype: Any) -> Any:
        ctx.axis = axis
        if x.ndim == 0:
            out = x.astype(np_dtype or x.dtype, copy=True)
        else:
            with np.errstate(over="ignore"):
                out = np.cumprod(x, axis=axis, dtype=np_dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, out = ctx.saved_tensors
        if x.ndim == 0:
            return g, None, None
        ax, xp = ctx.axis, ctx.xp

        def rcumsum(a: Any) -> Any:
            return xp.flip(xp.cumsum(xp.flip(a, ax), axis=ax), ax)

        zero = xp.equal(x, 0)
        if xp.is_tensor and zero.any():  # the formula below is exact with zeros, but its derivative is not
            return _cumprod_vjp_dense(g, x, ax, xp), None, None
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            gx = rcumsum(g * out) / xp.where(zero, 1, x)
            if zero.any():  # first zero of a row: product of the others; later positions: 0
                first = zero & (np.cumsum(zero, axis=ax) == 1)
                s = rcumsum(g * xp.cumprod(xp.where(first, 1, x), axis=ax))
                gx = xp.where(zero, xp.where(first, s, 0), gx)
        return gx, None, None


def _cumprod_vjp_dense(g: Any, x: Any, ax: int, xp: Any) -> Any:
    """gx_k = Σ_{j≥k} g_j·C[k, j] with C[k] = the cumulative product of x with x_k replaced by 1: no
    division, so differentiable again where x has zeros (O(n²) along the axis; create_graph only)."""
    n = x.shape[ax]
    xm, gm = xp.moveaxis(x, ax, -1), xp.moveaxis(g, ax, -1)
    c = xp.cumprod(xp.where(np.eye(n, dtype=bool), 1.0, xp.expand_dims(xm, -2)), axis=-1)
    gx = xp.sum(c * xp.expand_dims(gm, -2) * np.triu(np.ones((n, n), dtype=x._data.dtype)), axis=-1)
    return xp.moveaxis(gx, -1, ax)


def cumsum(input: Any, dim: int | None = None, *, dtype: Any = None, axis: Any = None) -> Any:  # noqa: A002
    """Cumulative sum along ``dim`` (``axis`` is its NumPy spelling); int/bool input gives int64."""
    if axis is not None:
        dim, _ = numpy_names(dim, None, axis, None, "cumsum")
    if dim is None:
        raise TypeError("cumsum() missing 1 required positional argument: 'dim'")
    x = _data(input, "cumsum")
    return Cumsum.apply(input, norm_dim(dim, x.ndim, "cumsum"), _sum_dtype(input, dtype))


def cumprod(input: Any, dim: int | None = None, *, dtype: Any = None, axis: Any = None) -> Any:  # noqa: A002
    """Cumulative product along ``dim`` (``axis`` is its NumPy spelling); int/bool input gives int64."""
    if axis is not None:
        dim, _ = numpy_names(dim, None, axis, None, "cumprod")
    if dim is None:
        raise TypeError("cumprod() missing 1 required positional argument: 'dim'")
    x = _data(input, "cumprod")
    return Cumprod.apply(input, norm_dim(dim, x.ndim, "cumprod"), _sum_dtype(input, dtype))
