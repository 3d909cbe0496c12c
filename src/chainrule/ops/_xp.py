"""The two array namespaces a ``backward`` runs on: ``ctx.xp``.

Every op writes its vector-Jacobian product once, in NumPy's spelling (``xp.exp``, ``xp.where``,
``xp.sum(g, axis=..., keepdims=...)``, ``xp.matmul`` ...). The engine hands the context one of two
namespaces (the idea of HIPS autograd, where each VJP is NumPy code that also runs on traced values):

* ``numpy_xp``: NumPy itself plus a few helpers — the ordinary first-order backward, on arrays, at
  today's speed (``Function.xp`` is this namespace, a class attribute: no cost per node);
* ``tensor_xp``: the same names implemented with chainrule's differentiable ops on Tensors, used
  when ``backward(create_graph=True)`` records the backward pass itself as a graph.

Arguments may mix Tensors with arrays and numbers (masks, indices and constants stay arrays).
Helpers that NumPy lacks (``scatter_zeros``, ``spread``) have the same meaning in both.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

__all__ = ["numpy_xp", "tensor_xp"]


from ..autograd._numpy_xp import _np_scatter_zeros, _np_spread, _np_take_at, _np_zero_at, numpy_xp


# --- the Tensor namespace --------------------------------------------------------------------------
def _cr() -> Any:
    import chainrule

    return chainrule


def _t(x: Any) -> Any:
    """A Tensor for ``x`` (arrays and numbers become constants)."""
    cr = _cr()
    if isinstance(x, cr.Tensor):
        return x
    from ._util import make

    return make(np.asarray(x))


def _val(x: Any) -> Any:
    """The array behind ``x`` (for comparisons and masks, which carry no gradient)."""
    cr = _cr()
    return x._data if isinstance(x, cr.Tensor) else x


def _is_t(x: Any) -> bool:
    return isinstance(x, _cr().Tensor)


def _unary(name: str) -> Any:
    def f(x: Any) -> Any:
        if not _is_t(x):
            return getattr(np, name)(x)
        return getattr(_cr(), name)(x)

    f.__name__ = name
    f.__doc__ = f"``{name}`` on Tensors (recorded) or arrays."
    return f


def _sum(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Any:
    if not _is_t(x):
        return np.sum(x, axis=axis, keepdims=keepdims)
    if axis is None:
        axis = tuple(range(x.ndim))
    if isinstance(axis, int):
        axis = (axis,)
    if len(axis) == 0:
        return x
    return _cr().sum(x, dim=tuple(axis), keepdim=keepdims)


def _mean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    if not _is_t(x):
        return np.mean(x, axis=axis, keepdims=keepdims)
    if axis is None:
        axis = tuple(range(x.ndim))
    if isinstance(axis, int):
        axis = (axis,)
    return _cr().mean(x, dim=tuple(axis), keepdim=keepdims)


def _reshape(x: Any, shape: Any) -> Any:
    if not _is_t(x):
        return np.reshape(x, shape)
    return _cr().reshape(x, tuple(shape) if not isinstance(shape, int) else (shape,))


def _transpose(x: Any, axes: Any = None) -> Any:
    if not _is_t(x):
        return np.transpose(x, axes)
    if axes is None:
        axes = tuple(range(x.ndim))[::-1]
    return _cr().permute(x, tuple(axes))


def _swapaxes(x: Any, a: int, b: int) -> Any:
    if not _is_t(x):
        return np.swapaxes(x, a, b)
    return _cr().transpose(x, a, b)


def _moveaxis(x: Any, src: Any, dst: Any) -> Any:
    if not _is_t(x):
        return np.moveaxis(x, src, dst)
    return _cr().movedim(x, src, dst)


def _expand_dims(x: Any, axis: Any) -> Any:
    if not _is_t(x):
        return np.expand_dims(x, axis)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    nd = x.ndim + len(axes)
    shape = list(x.shape)
    for a in sorted(ax % nd for ax in axes):
        shape.insert(a, 1)
    return _reshape(x, shape)


def _broadcast_to(x: Any, shape: Any) -> Any:
    if not _is_t(x):
        return np.broadcast_to(x, shape)
    return _cr().broadcast_to(x, tuple(shape))


def _spread(g: Any, shape: tuple[int, ...]) -> Any:
    if not _is_t(g):
        return _np_spread(g, shape)
    return _broadcast_to(g, shape)


def _where(cond: Any, a: Any, b: Any) -> Any:
    cond = _val(cond)
    if not (_is_t(a) or _is_t(b)):
        return np.where(cond, a, b)
    return _cr().where(np.asarray(cond, dtype=bool), a, b)


def _binary(name: str, np_name: str) -> Any:
    def f(a: Any, b: Any) -> Any:
        if not (_is_t(a) or _is_t(b)):
            return getattr(np, np_name)(a, b)
        a = _t(a) if isinstance(a, np.ndarray) else a
        b = _t(b) if isinstance(b, np.ndarray) else b
        return getattr(_cr(), name)(a, b)

    f.__name__ = np_name
    f.__doc__ = f"``{np_name}`` on Tensors (recorded) or arrays."
    return f


def _constant(fn_name: str) -> Any:
    def f(x: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(np, fn_name)(_val(x), *[_val(a) for a in args], **kwargs)

    f.__name__ = fn_name
    f.__doc__ = f"``{fn_name}``: a constant array (no gradient flows through it)."
    return f


def _zeros_like(x: Any, dtype: Any = None) -> Any:
    if not _is_t(x):
        return np.zeros_like(x, dtype=dtype)
    return _t(np.zeros_like(x._data, dtype=dtype))


def _ones_like(x: Any, dtype: Any = None) -> Any:
    if not _is_t(x):
        return np.ones_like(x, dtype=dtype)
    return _t(np.ones_like(x._data, dtype=dtype))


def _scatter_zeros(shape: tuple[int, ...], index: Any, g: Any, accumulate: bool, pre: Any = None) -> Any:
    if not _is_t(g):
        return _np_scatter_zeros(shape, index, g, accumulate, pre)
    return ScatterZeros.apply(g, shape, index, accumulate, pre)


def _take_at(g: Any, index: Any, pre: Any = None) -> Any:
    """``g[pre][index]`` (recorded on Tensors)."""
    if not _is_t(g):
        return _np_take_at(g, index, pre)
    return TakeAt.apply(g, index, pre)


def _zero_at(g: Any, index: Any) -> Any:
    if not _is_t(g):
        return _np_zero_at(g, index)
    mask = np.zeros(g.shape, bool)
    mask[index] = True
    return _cr().where(_t(mask), _t(np.zeros((), g._data.dtype)), g)


def _concatenate(xs: Any, axis: int = 0) -> Any:
    if not any(_is_t(x) for x in xs):
        return np.concatenate(xs, axis=axis)
    return _cr().cat([_t(x) for x in xs], dim=axis)


def _stack(xs: Any, axis: int = 0) -> Any:
    if not any(_is_t(x) for x in xs):
        return np.stack(xs, axis=axis)
    return _cr().stack([_t(x) for x in xs], dim=axis)


def _flip(x: Any, axis: Any) -> Any:
    if not _is_t(x):
        return np.flip(x, axis)
    return _cr().flip(x, (axis,) if isinstance(axis, int) else tuple(axis))


def _cumsum(x: Any, axis: int) -> Any:
    if not _is_t(x):
        return np.cumsum(x, axis=axis)
    return _cr().cumsum(x, dim=axis)


def _clip(x: Any, lo: Any, hi: Any) -> Any:
    if not _is_t(x):
        return np.clip(x, lo, hi)
    return _cr().clamp(x, lo, hi)


def _square(x: Any) -> Any:
    return x * x


def _power(a: Any, b: Any) -> Any:
    if not (_is_t(a) or _is_t(b)):
        return np.power(a, b)
    return _cr().pow(a, b)


def _build_tensor_xp() -> types.SimpleNamespace:
    ns = types.SimpleNamespace()
    for name in ("exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tan", "tanh", "sinh", "cosh",
                 "abs", "exp2", "log2", "sigmoid", "erf", "reciprocal"):  # fmt: skip
        setattr(ns, name, _unary(name))
    ns.arctan = _unary("atan")
    ns.arcsin = _unary("asin")
    ns.arccos = _unary("acos")
    ns.absolute = ns.abs
    for name, np_name in (("maximum", "maximum"), ("minimum", "minimum"), ("matmul", "matmul"),
                          ("atan2", "arctan2")):  # fmt: skip
        setattr(ns, np_name, _binary(name, np_name))
    for name in ("sign", "isnan", "isinf", "isfinite", "floor", "ceil", "trunc", "floor_divide",
                 "count_nonzero", "signbit", "equal", "logical_and", "logical_or", "logical_not"):  # fmt: skip
        setattr(ns, name, _constant(name))
    ns.sum, ns.mean, ns.reshape, ns.transpose = _sum, _mean, _reshape, _transpose
    ns.swapaxes, ns.moveaxis, ns.expand_dims, ns.broadcast_to = _swapaxes, _moveaxis, _expand_dims, _broadcast_to
    ns.where, ns.zeros_like, ns.ones_like, ns.spread = _where, _zeros_like, _ones_like, _spread
    ns.scatter_zeros, ns.take_at, ns.zero_at = _scatter_zeros, _take_at, _zero_at
    ns.concatenate, ns.stack, ns.flip, ns.cumsum = _concatenate, _stack, _flip, _cumsum
    ns.clip, ns.square, ns.power = _clip, _square, _power
    ns.zeros, ns.ones, ns.empty, ns.errstate, ns.newaxis = np.zeros, np.ones, np.empty, np.errstate, None
    ns.float64, ns.float32, ns.inf, ns.nan, ns.pi, ns.e = np.float64, np.float32, np.inf, np.nan, np.pi, np.e
    ns.asarray = np.asarray
    ns.roll = lambda x, shift, axis=None: np.roll(x, shift, axis) if not _is_t(x) else _cr().roll(x, shift, axis)
    ns.triu = lambda x, k=0: np.triu(x, k) if not _is_t(x) else _cr().triu(x, k)
    ns.tril = lambda x, k=0: np.tril(x, k) if not _is_t(x) else _cr().tril(x, k)
    ns.outer = lambda a, b: _reshape(a, (-1, 1)) * _reshape(b, (1, -1))
    ns.add = types.SimpleNamespace(reduce=lambda a, axis=0: _sum(a, axis=axis))
    ns.is_tensor = True
    return ns


# --- two primitives for index-shaped backward formulas (each the other's VJP) ------------------------
from ._util import Function  # noqa: E402  (after the NumPy helpers they use)


class ScatterZeros(Function):
    """out = zeros(shape) with g written (``accumulate``: added) at ``[pre][index]``.
    VJP: gg = out_grad[pre][index]  (what each position of g was written to).
    """

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, g: Any, shape: Any, index: Any, accumulate: Any, pre: Any) -> Any:
        ctx.index, ctx.pre = index, pre
        return _np_scatter_zeros(shape, index, g, accumulate, pre)

    @staticmethod
    def backward(ctx: Any, gg: Any) -> Any:
        return ctx.xp.take_at(gg, ctx.index, ctx.pre), None, None, None, None


class TakeAt(Function):
    """out = g[pre][index] (basic or advanced NumPy indices).
    VJP: gg = zeros with out_grad added at ``[pre][index]``.
    """

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, g: Any, index: Any, pre: Any) -> Any:
        ctx.index, ctx.pre, ctx.shape = index, pre, g.shape
        out = _np_take_at(g, index, pre)
        return out if type(out) is np.ndarray else np.asarray(out)

    @staticmethod
    def backward(ctx: Any, gg: Any) -> Any:
        return ctx.xp.scatter_zeros(ctx.shape, ctx.index, gg, True, ctx.pre), None, None


tensor_xp = _build_tensor_xp()


# --- more names (special functions, index ops, cumulative products) ----------------------------------
for _name in ("less", "less_equal", "greater", "greater_equal", "not_equal", "bincount"):
    setattr(tensor_xp, _name, _constant(_name))


def _cumprod(x: Any, axis: int) -> Any:
    if not _is_t(x):
        return np.cumprod(x, axis=axis)
    return _cr().cumprod(x, dim=axis)


def _take(x: Any, idx: Any, axis: int) -> Any:
    """``np.take(x, idx, axis)`` for an integer array ``idx`` (recorded on Tensors)."""
    if not _is_t(x):
        return np.take(x, idx, axis=axis)
    return TakeAt.apply(x, (slice(None),) * (axis % x.ndim) + (np.asarray(_val(idx)),), None)


tensor_xp.cumprod = _cumprod
tensor_xp.take = _take


# --- linear algebra on Tensors (recorded): the decompositions and solves a VJP needs -----------------
def _linalg_fn(name: str) -> Any:
    def f(*args: Any, **kwargs: Any) -> Any:
        return getattr(_cr().linalg, name)(*[_t(a) if isinstance(a, np.ndarray) else a for a in args], **kwargs)

    f.__name__ = name
    f.__doc__ = f"``linalg.{name}`` on Tensors (recorded; ``chainrule.linalg.{name}``)."
    return f


def _einsum(spec: str, *xs: Any, optimize: Any = False) -> Any:
    """``einsum`` on Tensors (recorded) or arrays (``optimize`` only matters for arrays)."""
    if not any(_is_t(x) for x in xs):
        return np.einsum(spec, *xs, optimize=optimize)
    return _cr().einsum(spec, *[_t(x) for x in xs])


def _cross(a: Any, b: Any, axis: int = -1) -> Any:
    """``cross`` of 3-vectors along ``axis`` on Tensors (recorded) or arrays."""
    if not (_is_t(a) or _is_t(b)):
        return np.cross(a, b, axis=axis)
    return _cr().linalg.cross(_t(a), _t(b), dim=axis)


tensor_xp.linalg = types.SimpleNamespace(
    **{n: _linalg_fn(n) for n in ("solve", "inv", "det", "slogdet", "cholesky", "eigh", "svd", "qr", "pinv",
                                 "solve_triangular", "matrix_exp", "matrix_power")}  # fmt: skip
)
tensor_xp.einsum, tensor_xp.cross, tensor_xp.eye = _einsum, _cross, np.eye
