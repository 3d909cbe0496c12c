"""Sliding windows and running reductions along a dim: ``Tensor.unfold``, cummax/cummin,
logcumsumexp.

cummax/cummin find their indices in NumPy and ``gather`` the values, so the gradient flows to
the element each running extreme came from (PyTorch's rule); unfold and logcumsumexp are
primitives.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .. import _dtype
from ._util import Function, check_tensor, make, norm_dim
from .index import gather
from .reduce import return_type
from .shape import reshape

__all__ = ["cummax", "cummin", "logcumsumexp"]  # (unfold is the method Tensor.unfold only, as in PyTorch)


class Unfold(Function):
    """out[..., w, ..., k] = x[..., w·step + k, ...]: the n = ⌊(L − size)/step⌋ + 1 windows of
    ``size`` along ``dim`` (a new last dim of length ``size``): a read-only view of x when windows
    overlap, else a copy (so writes never reach x behind autograd's back).
    VJP: gx[..., w·step + k, ...] += g[..., w, ..., k]  (one strided add per k)."""

    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents (a linear map)
    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, dim: int, size: int, step: int) -> Any:
        n = (x.shape[dim] - size) // step + 1
        ctx.shape, ctx.args = x.shape, (dim, size, step, n)
        shape = x.shape[:dim] + (n,) + x.shape[dim + 1 :] + (size,)
        st = x.strides
        strides = st[:dim] + (st[dim] * step,) + st[dim + 1 :] + (st[dim],)
        view = np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)
        return view if step < size else view.copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        dim, size, step, n = ctx.args
        lead = (slice(None),) * dim
        if ctx.xp.is_tensor:  # the same strided adds, recorded: one scatter of g[..., k] per k
            xp = ctx.xp
            gx = None
            for k in range(size):
                part = xp.scatter_zeros(ctx.shape, (*lead, slice(k, k + step * (n - 1) + 1, step)), g[..., k], True)
                gx = part if gx is None else gx + part
            return (gx if gx is not None else make(np.zeros(ctx.shape, g._data.dtype))), None, None, None
        gx = np.zeros(ctx.shape, g.dtype)
        for k in range(size):
            gx[(*lead, slice(k, k + step * (n - 1) + 1, step))] += g[..., k]
        return gx, None, None, None


class LogCumSumExp(Function):
    """out_i = ln Σ_{j ≤ i} e^(x_j) along ``dim``.
    VJP: gx_j = Σ_{i ≥ j} g_i·e^(x_j − out_i), summed in log space separately for g > 0 and g < 0
    (gx = e^(x + R(ln g⁺ − out)) − e^(x + R(ln g⁻ − out)), R the reversed log-cum-sum-exp)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, dim: int) -> Any:
        with np.errstate(all="ignore"):
            out = np.logaddexp.accumulate(x, axis=dim) if x.size else x.copy()
        ctx.dim = dim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, out = ctx.saved_tensors
        d = ctx.dim
        if ctx.xp.is_tensor:
            return _lcse_vjp_recorded(g, x, out, d, ctx.xp), None
        if not g.size:
            return np.zeros_like(g), None

        def rev_lcse(a: Any) -> Any:
            return np.flip(np.logaddexp.accumulate(np.flip(a, d), axis=d), d)

        with np.errstate(all="ignore"):
            pos = np.exp(x + rev_lcse(np.log(np.maximum(g, 0)) - out))
            neg = np.exp(x + rev_lcse(np.log(np.maximum(-g, 0)) - out))
        return (pos - neg).astype(g.dtype, copy=False), None


def _lcse_vjp_recorded(g: Any, x: Any, out: Any, d: int, xp: Any) -> Any:
    """gx_j = Σ_{i ≥ j} g_i·e^(x_j − out_i), recorded (create_graph). Where out spans less than the
    exponent range: e^(x_j − c)·Σ_{i ≥ j} g_i·e^(c − out_i) with c = the last out (a constant shift);
    else the n×n terms, each e^(≤ 0), summed (O(n²) along d)."""
    if not g.numel():
        return xp.zeros_like(g)
    o = out._data
    span = float(np.max(o.max(axis=d) - o.min(axis=d))) if o.shape[d] else 0.0
    if np.isfinite(span) and span < 0.5 * np.log(np.finfo(o.dtype).max):
        c = make(np.take(o, [-1], axis=d))
        return xp.exp(x - c) * xp.flip(xp.cumsum(xp.flip(g * xp.exp(c - out), d), axis=d), d)
    n = o.shape[d]
    xm, om, gm = (xp.moveaxis(t, d, -1) for t in (x, out, g))
    upper = np.triu(np.ones((n, n), dtype=bool))  # [j, i]: i ≥ j
    terms = xp.exp(xp.where(upper, xp.expand_dims(xm, -1) - xp.expand_dims(om, -2), -np.inf))
    return xp.moveaxis(xp.sum(terms * xp.expand_dims(gm, -2), axis=-1), -1, d)


def unfold(input: Any, dimension: int, size: int, step: int) -> Any:  # noqa: A002
    """``Tensor.unfold``: every window of length ``size`` along ``dimension``, ``step`` apart, as a new last dim."""
    x = check_tensor(input, "unfold")
    size, step = operator.index(size), operator.index(step)
    nd = x._data.ndim
    d = norm_dim(dimension, nd, "unfold")
    length = x._data.shape[d] if nd else 1
    if size > length:
        raise RuntimeError(f"unfold: maximum size for tensor at dimension {d} is {length} but size is {size}")
    if size < 0:
        raise RuntimeError(f"unfold: size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"unfold: step is {step} but must be > 0")
    if not nd:
        return reshape(Unfold.apply(reshape(x, 1), 0, size, step), size)
    return Unfold.apply(x, d, size, step)


def _running(op: str, input: Any, dim: int, acc: Any) -> Any:
    x = check_tensor(input, op)
    a = x._data
    if not a.ndim:
        norm_dim(dim, 0, op)
        zero = make(np.zeros(1, np.int64))
        return return_type(op)(reshape(gather(reshape(x, 1), 0, zero), ()), make(np.zeros((), np.int64)))
    d = norm_dim(dim, a.ndim, op)
    if not a.size:
        return return_type(op)(gather(x, d, make(np.zeros(a.shape, np.int64))), make(np.zeros(a.shape, np.int64)))
    vals = acc.accumulate(a, axis=d)
    hit = a == vals  # ties move the index forward, and so does every nan (PyTorch's rule)
    if a.dtype.kind == "f":
        hit |= np.isnan(a)
    pos = np.arange(a.shape[d]).reshape((-1,) + (1,) * (a.ndim - d - 1))
    idx = np.maximum.accumulate(np.where(hit, pos, 0), axis=d).astype(np.int64)
    return return_type(op)(gather(x, d, make(idx)), make(idx))


def cummax(input: Any, dim: int) -> Any:  # noqa: A002
    """``(values, indices)`` of the running maximum along ``dim`` (the latest index among ties)."""
    return _running("cummax", input, dim, np.maximum)


def cummin(input: Any, dim: int) -> Any:  # noqa: A002
    """``(values, indices)`` of the running minimum along ``dim`` (the latest index among ties)."""
    return _running("cummin", input, dim, np.minimum)


def logcumsumexp(input: Any, dim: int) -> Any:  # noqa: A002
    """ln Σ_{j ≤ i} e^(x_j) along ``dim``, computed stably."""
    x = check_tensor(input, "logcumsumexp")
    if x._data.dtype.kind != "f":
        raise NotImplementedError(
            f'logcumsumexp: "logcumsumexp_out_cpu" not implemented for {_dtype.from_numpy_dtype(x._data.dtype)}; '
            "expected a floating-point tensor"
        )
    nd = x._data.ndim
    d = norm_dim(dim, nd, "logcumsumexp")
    if not nd:
        return reshape(LogCumSumExp.apply(reshape(x, 1), 0), ())
    return LogCumSumExp.apply(x, d)
