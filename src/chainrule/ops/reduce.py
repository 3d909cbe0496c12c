"""Reductions: sum, mean, prod, max/min, var/std, logsumexp, norm, median ... (cumulative ops: ``cumulative.py``)

Each primitive's ``forward``/``backward`` take NumPy arrays; ``g`` is ∂L/∂out. ``_expand`` puts
the reduced axes back (as size 1) so a gradient broadcasts over the input again.
"""

from __future__ import annotations

import collections
import math
from typing import Any

import numpy as np

from .. import _dtype
from ..autograd.function import CompositeDoubleBackward
from . import _composites
from . import copy as _copy
from . import elementwise as _ew
from . import index as _index
from . import shape as _shape
from ._numpy_names import numpy_names
from ._util import Function, make, norm_dim, norm_dims, promote_float, tensor_cls

__all__ = [
    "sum", "mean", "prod", "max", "min", "amax", "amin", "aminmax", "argmax", "argmin", "var",
    "std", "var_mean", "std_mean", "logsumexp", "norm", "cumsum", "cumprod", "nansum", "nanmean",
]  # fmt: skip

_np_sum, _np_max, _np_min = np.add.reduce, np.maximum.reduce, np.minimum.reduce


class ValuesIndices(collections.namedtuple("ValuesIndices", ["values", "indices"])):
    """``(values, indices)`` returned by max/min/median/sort/topk, like ``torch.return_types``."""

    __slots__ = ()
    _op = "ValuesIndices"

    def __repr__(self) -> str:
        return f"chainrule.return_types.{self._op}(\nvalues={self.values!r},\nindices={self.indices!r})"


_RETURN_TYPES: dict[str, type] = {}


def return_type(op: str) -> type:
    """The ``ValuesIndices`` subclass named after ``op`` (``return_type("max")(values, indices)``)."""
    cls = _RETURN_TYPES.get(op)
    if cls is None:
        cls = _RETURN_TYPES[op] = type(op, (ValuesIndices,), {"__slots__": (), "_op": op})
    return cls


class MinMax(collections.namedtuple("aminmax", ["min", "max"])):
    """``(min, max)`` returned by ``aminmax``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"chainrule.return_types.aminmax(\nmin={self.min!r},\nmax={self.max!r})"


def _expand(g: Any, axes: tuple[int, ...] | None, keepdim: bool) -> Any:
    """``g`` with the reduced ``axes`` re-inserted as size-1 dims (``None`` = all dims: g is 0-d)."""
    if keepdim or not axes:
        return g
    shape = list(g.shape)
    for a in axes:  # ascending, as norm_dims returns them
        shape.insert(a, 1)
    return g.reshape(shape)


def _spread(g: Any, shape: tuple[int, ...]) -> Any:
    """``g`` broadcast to ``shape``: materialized when small (cheaper than a view), a view when large."""
    if math.prod(shape) <= 65536:
        out = np.empty(shape, g.dtype)
        out[...] = g
        return out
    return np.broadcast_to(g, shape)


def _count(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> int:
    return math.prod(shape) if axes is None else math.prod(shape[a] for a in axes)


def _data(x: Any, op: str) -> Any:
    try:
        return x._data
    except AttributeError:
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}") from None


# --- primitives -----------------------------------------------------------------------------------
class Sum(Function):
    """out = Σ_axes x.   VJP: gx = g broadcast back over the reduced axes."""

    _array_op = True
    _graph_backward = True
    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents

    @staticmethod
    def forward(ctx: Any, x: Any, axes: Any, keepdim: bool, np_dtype: Any) -> Any:
        ctx.axes, ctx.keepdim, ctx.shape = axes, keepdim, x.shape
        return _np_sum(x, axis=axes, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return ctx.xp.spread(_expand(g, ctx.axes, ctx.keepdim), ctx.shape), None, None, None


class Mean(Function):
    """out = Σ_axes x / n.   VJP: gx = g / n broadcast back over the reduced axes."""

    _array_op = True
    _graph_backward = True
    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents

    @staticmethod
    def forward(ctx: Any, x: Any, axes: Any, keepdim: bool) -> Any:
        n = _count(x.shape, axes)
        ctx.axes, ctx.keepdim, ctx.shape, ctx.n = axes, keepdim, x.shape, n
        s = _np_sum(x, axis=axes, keepdims=keepdim)
        return s / n if n else s * np.nan

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        scale = 1.0 / ctx.n if ctx.n else np.nan
        return ctx.xp.spread(_expand(g, ctx.axes, ctx.keepdim) * scale, ctx.shape), None, None


class Prod(Function):
    """out = Π_axis x.   VJP: gxᵢ = g·Π_{k<i} xₖ·Π_{k>i} xₖ (exclusive cumulative products; exact with zeros)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, axis: Any, keepdim: bool, np_dtype: Any) -> Any:
        ctx.axis, ctx.keepdim = axis, keepdim
        ctx.save_for_backward(x)
        with np.errstate(over="ignore"):
            return np.prod(x, axis=axis, keepdims=keepdim, dtype=np_dtype)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        axis, xp = ctx.axis, ctx.xp
        ge = _expand(g, None if axis is None else (axis,), ctx.keepdim)
        xm = xp.reshape(x, -1) if axis is None else xp.moveaxis(x, axis, -1)
        if xm.shape[-1] == 0 or x.ndim == 0:
            return xp.broadcast_to(ge, x.shape) * (x.ndim == 0), None, None, None
        if xp.is_tensor:  # the same exclusive products, recorded (cumprod and cat instead of out=)
            one = xp.ones_like(xm[..., :1])
            pre = xp.concatenate([one, xp.cumprod(xm[..., :-1], -1)], -1)
            suf = xp.flip(xp.concatenate([one, xp.cumprod(xp.flip(xm[..., 1:], -1), -1)], -1), -1)
            ex = pre * suf
            ex = xp.reshape(ex, x.shape) if axis is None else xp.moveaxis(ex, -1, axis)
            return ge * ex, None, None, None
        pre, suf = np.empty_like(xm), np.empty_like(xm)
        pre[..., 0] = suf[..., -1] = 1
        with np.errstate(over="ignore", invalid="ignore"):
            np.cumprod(xm[..., :-1], axis=-1, out=pre[..., 1:])
            np.cumprod(xm[..., :0:-1], axis=-1, out=suf[..., -2::-1])
            ex = pre * suf
        ex = ex.reshape(x.shape) if axis is None else np.moveaxis(ex, -1, axis)
        return ge * ex, None, None, None


class SelectEven(Function):
    """out = the element chosen by ``pick`` (max, min, median).   VJP: g split evenly among xᵢ = out."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, axes: Any, keepdim: bool, pick: Any, nan_match: bool) -> Any:
        out = pick(x, axis=axes, keepdims=keepdim)
        ctx.axes, ctx.keepdim, ctx.nan_match = axes, keepdim, nan_match
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, out = ctx.saved_tensors
        axes, keepdim = ctx.axes, ctx.keepdim
        xp = ctx.xp
        oe = _expand(out, axes, keepdim)
        mask = xp.equal(x, oe)
        if ctx.nan_match and xp.isnan(out).any():  # median's NaN is picked; amax's NaN matches nothing
            mask |= xp.isnan(x)
        with np.errstate(invalid="ignore", divide="ignore"):
            return _expand(g, axes, keepdim) * mask / np.count_nonzero(mask, axis=axes, keepdims=True), None, None, None, None


class Var(CompositeDoubleBackward, Function):
    """out = Σ(x − x̄)²/(n − c)  (√ of it for std).   VJP: gx = g·2(x − x̄)/(n − c)  (std: g·(x − x̄)/((n − c)·out), 0 where out = 0)."""

    composite = staticmethod(_composites.var)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, axes: Any, correction: float, keepdim: bool, take_sqrt: bool) -> Any:
        n = _count(x.shape, axes)
        dof = n - correction if n > correction else 0
        with np.errstate(invalid="ignore", divide="ignore"):
            d = x - _np_sum(x, axis=axes, keepdims=True) / n
            out = _np_sum(d * d, axis=axes, keepdims=keepdim) / dof
            if take_sqrt:
                out = np.sqrt(out)
        ctx.axes, ctx.keepdim, ctx.dof, ctx.sqrt = axes, keepdim, dof, take_sqrt
        ctx.save_for_backward(d, out if take_sqrt else None)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        d, out = ctx.saved_tensors
        ge = _expand(g, ctx.axes, ctx.keepdim)
        with np.errstate(invalid="ignore", divide="ignore"):
            if ctx.sqrt:
                oe = _expand(out, ctx.axes, ctx.keepdim)
                gx = np.where(oe == 0, 0, ge / (oe * ctx.dof)) * d
            else:
                gx = ge * (2.0 / ctx.dof if ctx.dof else np.inf) * d
        return gx, None, None, None, None


class LogSumExp(Function):
    """out = m + log Σ exp(x − m), m = max x.   VJP: gx = g·exp(x − out)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, axes: Any, keepdim: bool) -> Any:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if x.size == 0:
                out = np.log(_np_sum(np.exp(x), axis=axes, keepdims=keepdim))
            else:
                m = _np_max(x, axis=axes, keepdims=True)
                m = np.where(np.isfinite(m), m, 0)
                s = np.log(_np_sum(np.exp(x - m), axis=axes, keepdims=True)) + m
                out = s if keepdim else (s.reshape(()) if axes is None else np.squeeze(s, axes))
        ctx.axes, ctx.keepdim = axes, keepdim
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, out = ctx.saved_tensors
        with np.errstate(invalid="ignore", over="ignore"):
            return _expand(g, ctx.axes, ctx.keepdim) * ctx.xp.exp(x - _expand(out, ctx.axes, ctx.keepdim)), None, None


class Norm(Function):
    """out = (Σ|x|ᵖ)^{1/p}  (p = ∞: max|x|, 0: count of nonzeros).
    VJP: gx = g·sign(x)·|x|ᵖ⁻¹/outᵖ⁻¹ (0 where out = 0); p = ∞: g·sign(x) split among |x| = out; p = 0: 0."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, p: float, axes: Any, keepdim: bool) -> Any:
        ctx.p, ctx.axes, ctx.keepdim = p, axes, keepdim
        a = np.abs(x)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if p == 2:
                out = np.sqrt(_np_sum(x * x, axis=axes, keepdims=keepdim))
            elif p == 1:
                out = _np_sum(a, axis=axes, keepdims=keepdim)
            elif p == math.inf:
                out = _np_max(a, axis=axes, keepdims=keepdim)
            elif p == -math.inf:
                out = _np_min(a, axis=axes, keepdims=keepdim)
            elif p == 0:
                out = _np_sum(a != 0, axis=axes, keepdims=keepdim, dtype=x.dtype)
            else:
                out = _np_sum(a**p, axis=axes, keepdims=keepdim) ** (1.0 / p)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, out = ctx.saved_tensors
        p = ctx.p
        xp = ctx.xp
        ge = _expand(g, ctx.axes, ctx.keepdim)
        oe = _expand(out, ctx.axes, ctx.keepdim)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if p == 0:
                gx = xp.zeros_like(x)
            elif p == 1:
                gx = ge * xp.sign(x)
            elif p == 2:
                gx = xp.where(oe == 0, 0, ge / oe) * x
            elif math.isinf(p):
                mask = xp.abs(x) == oe
                gx = ge * xp.sign(x) * mask / xp.count_nonzero(mask, axis=ctx.axes, keepdims=True)
            else:
                a = xp.abs(x)
                gx = xp.where((oe == 0) | (a == 0), 0, ge * xp.sign(x) * (a / oe) ** (p - 1))
        return gx, None, None, None


# --- public functions -----------------------------------------------------------------------------
def _sum_dtype(x: Any, dtype: Any) -> Any:
    if dtype is not None:
        return _dtype.to_dtype(dtype).np
    return np.int64 if x._data.dtype.kind in "biu" else None


def sum(  # noqa: A001
    input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None, axis: Any = None, keepdims: bool | None = None  # noqa: A002
) -> Any:
    """Sum over ``dim`` (int, tuple or None = all); int/bool input sums to int64."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names(dim, keepdim, axis, keepdims, "sum", None)
    axes = norm_dims(dim, _data(input, "sum").ndim, "sum")
    return Sum.apply(input, axes, keepdim, _sum_dtype(input, dtype))


def mean(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None, axis: Any = None, keepdims: bool | None = None) -> Any:  # noqa: A002
    """Arithmetic mean over ``dim`` (floating input, or a floating ``dtype``)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names(dim, keepdim, axis, keepdims, "mean", None)
    x = _data(input, "mean")
    if dtype is not None:
        dt = _dtype.to_dtype(dtype)
        if not dt.is_floating_point:
            raise RuntimeError(f"mean(): could not infer output dtype; expected a floating point dtype, got {dt}")
        input = _copy.cast(input, dt) if x.dtype != dt.np else input
    elif x.dtype.kind != "f":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {_dtype.from_numpy_dtype(x.dtype)}; use x.float().mean() or dtype="
        )
    return Mean.apply(input, norm_dims(dim, x.ndim, "mean"), keepdim)


def prod(input: Any, dim: int | None = None, keepdim: bool = False, *, dtype: Any = None, axis: Any = None, keepdims: bool | None = None) -> Any:  # noqa: A002
    """Product of all elements, or along one ``dim``; int/bool input gives int64."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names(dim, keepdim, axis, keepdims, "prod", None)
    x = _data(input, "prod")
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
    axis = None if dim is None else norm_dim(dim, x.ndim, "prod")
    if x.ndim == 0:
        axis = None
    return Prod.apply(input, axis, keepdim, _sum_dtype(input, dtype))


def _empty_check(x: Any, axes: Any, op: str) -> None:
    if x.size == 0:
        if axes is None:
            raise RuntimeError(
                f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        for a in axes:
            if x.shape[a] == 0:
                raise IndexError(f"{op}(): Expected reduction dim {a} to have non-zero size.")


def amax(input: Any, dim: Any = (), keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Any:  # noqa: A002
    """Maximum over ``dim`` (int or tuple; default all); the gradient is split evenly among ties."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names(dim, keepdim, axis, keepdims, "amax", ())
    x = _data(input, "amax")
    axes = norm_dims(dim, x.ndim, "amax")
    _empty_check(x, axes, "amax")
    return SelectEven.apply(input, axes, keepdim, _np_max, False)


def amin(input: Any, dim: Any = (), keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Any:  # noqa: A002
    """Minimum over ``dim`` (int or tuple; default all); the gradient is split evenly among ties."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names(dim, keepdim, axis, keepdims, "amin", ())
    x = _data(input, "amin")
    axes = norm_dims(dim, x.ndim, "amin")
    _empty_check(x, axes, "amin")
    return SelectEven.apply(input, axes, keepdim, _np_min, False)


def _select_along(op: str, input: Any, dim: Any, keepdim: bool, find: Any) -> Any:
    """(values, indices) along ``dim``: ``find`` gives keepdim indices; values come from ``gather``."""
    x = _data(input, op)
    if x.ndim == 0:
        norm_dim(dim, 0, op)
        return return_type(op)(_copy.clone(input), make(np.zeros((), np.int64)))
    d = norm_dim(dim, x.ndim, op)
    _empty_check(x, (d,), op)
    idx = find(x, d)
    values = _index.gather(input, d, make(idx))
    if not keepdim:
        values, idx = _shape.squeeze(values, d), np.squeeze(idx, d)
    return return_type(op)(values, make(idx))


def _argmax_keep(x: Any, d: int) -> Any:
    return np.argmax(x, axis=d, keepdims=True)


def _argmin_keep(x: Any, d: int) -> Any:
    return np.argmin(x, axis=d, keepdims=True)


def _extreme(op: str, input: Any, dim: Any, keepdim: bool) -> Any:
    is_max = op == "max"
    if dim is None:
        _empty_check(_data(input, op), None, op)
        return SelectEven.apply(input, None, False, _np_max if is_max else _np_min, False)
    if isinstance(dim, tensor_cls()):
        return (_ew.maximum if is_max else _ew.minimum)(input, dim)
    return _select_along(op, input, dim, keepdim, _argmax_keep if is_max else _argmin_keep)


def max(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Any:  # noqa: A001,A002
    """``max(x)``: the largest element; ``max(x, dim)``: (values, indices); ``max(x, other)``: maximum."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names(dim, keepdim, axis, keepdims, "max", None)
    return _extreme("max", input, dim, keepdim)


def min(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Any:  # noqa: A001,A002
    """``min(x)``: the smallest element; ``min(x, dim)``: (values, indices); ``min(x, other)``: minimum."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names(dim, keepdim, axis, keepdims, "min", None)
    return _extreme("min", input, dim, keepdim)


def aminmax(input: Any, *, dim: int | None = None, keepdim: bool = False) -> Any:  # noqa: A002
    """``(min, max)`` over ``dim`` (or all elements)."""
    x = _data(input, "aminmax")
    if x.size == 0 and (dim is None or x.shape[norm_dim(dim, x.ndim, "aminmax")] == 0):
        raise RuntimeError(
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity."
        )
    d = () if dim is None else dim
    return MinMax(amin(input, d, keepdim), amax(input, d, keepdim))


def _arg(op: str, fn: Any, input: Any, dim: Any, keepdim: bool) -> Any:
    x = _data(input, op)
    if dim is None:
        if x.size == 0:
            raise IndexError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0.")
        i = fn(x.reshape(-1))  # array methods, not np.full: inside vmap, i holds every sample's index
        return make(i.astype(np.int64).reshape((1,) * x.ndim if keepdim else ()))
    if x.ndim == 0:
        norm_dim(dim, 0, op)
        return make(np.zeros((), np.int64))
    d = norm_dim(dim, x.ndim, op)
    _empty_check(x, (d,), op)
    return make(fn(x, axis=d, keepdims=keepdim).astype(np.int64, copy=False))


def argmax(input: Any, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Any:  # noqa: A002
    """Index of the largest element (of the flattened input when ``dim`` is None)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names(dim, keepdim, axis, keepdims, "argmax", None)
    return _arg("argmax", np.argmax, input, dim, keepdim)


def argmin(input: Any, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Any:  # noqa: A002
    """Index of the smallest element (of the flattened input when ``dim`` is None)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names(dim, keepdim, axis, keepdims, "argmin", None)
    return _arg("argmin", np.argmin, input, dim, keepdim)


def _var(op: str, input: Any, dim: Any, unbiased: Any, keepdim: bool, correction: Any, root: bool) -> Any:
    x = _data(input, op)
    if isinstance(dim, bool):  # legacy var(x, unbiased)
        unbiased, dim = dim, None
    if x.dtype.kind != "f":
        raise RuntimeError(
            f"{op}(): std and var only support floating point and complex dtypes; "
            f"got {_dtype.from_numpy_dtype(x.dtype)}. Convert with x.float()"
        )
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}(): pass either 'unbiased' or 'correction', not both")
    c = (1 if unbiased is None or unbiased else 0) if correction is None else correction
    out = Var.apply(input, norm_dims(dim, x.ndim, op), float(c), keepdim, root)
    return (out, mean(input, dim, keepdim)) if op.endswith("_mean") else out


_Bool = bool | None


def var(input: Any, dim: Any = None, unbiased: _Bool = None, keepdim: bool = False, *, correction: Any = None, axis: Any = None, keepdims: bool | None = None) -> Any:  # noqa: A002
    """Variance over ``dim`` with Bessel's ``correction`` (default 1; ``unbiased=False`` means 0)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names(dim, keepdim, axis, keepdims, "var", None)
    return _var("var", input, dim, unbiased, keepdim, correction, False)


def std(input: Any, dim: Any = None, unbiased: _Bool = None, keepdim: bool = False, *, correction: Any = None, axis: Any = None, keepdims: bool | None = None) -> Any:  # noqa: A002
    """Standard deviation over ``dim`` (√var; ``correction`` as in ``var``)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names(dim, keepdim, axis, keepdims, "std", None)
    return _var("std", input, dim, unbiased, keepdim, correction, True)


def var_mean(input: Any, dim: Any = None, unbiased: _Bool = None, keepdim: bool = False, *, correction: Any = None) -> Any:  # noqa: A002
    """``(var, mean)`` over ``dim``."""
    return _var("var_mean", input, dim, unbiased, keepdim, correction, False)


def std_mean(input: Any, dim: Any = None, unbiased: _Bool = None, keepdim: bool = False, *, correction: Any = None) -> Any:  # noqa: A002
    """``(std, mean)`` over ``dim``."""
    return _var("std_mean", input, dim, unbiased, keepdim, correction, True)


def logsumexp(input: Any, dim: Any, keepdim: bool = False) -> Any:  # noqa: A002
    """log Σ exp(input) over ``dim``, computed stably (integers give the default float dtype)."""
    x = _data(input, "logsumexp")
    axes = norm_dims(dim, x.ndim, "logsumexp")
    return LogSumExp.apply(promote_float(input), axes, keepdim)


def norm(input: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Any:  # noqa: A002
    """Vector p-norm over ``dim`` (default all): p = 'fro', any number, inf, -inf or 0; p = 'nuc' is the
    nuclear norm of the matrices over the two dims ``dim`` (default: a 2-D input's both)."""
    x = _data(input, "norm")
    if isinstance(p, str) and p != "fro":  # 'nuc' (or a typo, which matrix_norm names)
        from ..linalg import matrix_norm

        return matrix_norm(input, p, tuple(range(x.ndim)) if dim is None else dim, keepdim, dtype=dtype)
    if dtype is not None:
        input = _copy.cast(input, _dtype.to_dtype(dtype))
        x = input._data
    if x.dtype.kind != "f":
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {_dtype.from_numpy_dtype(x.dtype)}; convert it with x.float()"
        )
    if p is None or p == "fro":
        p = 2.0
    axes = norm_dims(dim, x.ndim, "norm")
    if math.isinf(p) and x.size == 0 and (axes is None or any(x.shape[a] == 0 for a in axes)):
        raise RuntimeError(
            "linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation "
            "does not have an identity"
        )
    return Norm.apply(input, float(p), axes, keepdim)


def nansum(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None, axis: Any = None, keepdims: bool | None = None) -> Any:  # noqa: A002
    """``sum`` treating NaN as zero."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names(dim, keepdim, axis, keepdims, "nansum", None)
    x = _data(input, "nansum")
    if x.dtype.kind == "f":
        nan = np.isnan(x)
        if nan.any():
            input = _ew.where(make(nan), 0.0, input)
    return sum(input, dim, keepdim, dtype=dtype)


def nanmean(input: Any, dim: Any = None, keepdim: bool = False, *, dtype: Any = None, axis: Any = None, keepdims: bool | None = None) -> Any:  # noqa: A002
    """``mean`` over the non-NaN elements."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names(dim, keepdim, axis, keepdims, "nanmean", None)
    x = _data(input, "nanmean")
    if dtype is not None:
        input = _copy.cast(input, _dtype.to_dtype(dtype))
        x = input._data
    if x.dtype.kind != "f":
        raise RuntimeError(
            f"nanmean(): expected input to have floating point or complex dtype but got "
            f"{_dtype.from_numpy_dtype(x.dtype)}"
        )
    nan = np.isnan(x)
    if not nan.any():
        return mean(input, dim, keepdim)
    axes = norm_dims(dim, x.ndim, "nanmean")
    count = _np_sum(~nan, axis=axes, keepdims=keepdim, dtype=x.dtype)
    return _ew.div(nansum(input, dim, keepdim), make(count))


from .cumulative import cumprod, cumsum  # noqa: E402  (re-exported: cumsum/cumprod are listed above)
