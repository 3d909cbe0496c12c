"""Copying rearrangements: repeat/tile, cat/stack, flip, roll, tril/triu, diag.

Unlike the views in ``shape.py`` these return new memory, as in PyTorch; ``g`` is ∂L/∂out.
Re-exported by ``shape.py``, so ``chainrule.ops.<name>`` finds them.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate
from typing import Any

import numpy as np

from .. import _dtype
from .._size_keyword import sizes_or_keyword
from ._numpy_names import numpy_names
from ._util import Function, _cast_to, norm_dim, shape_str, tensor_cls
from .shape import _diag_of, _diag_view, _diag_write, _pieces, _sizes, _zeros_t, reshape

__all__ = [
    "repeat", "tile", "cat", "concat", "concatenate", "stack", "hstack", "vstack", "flip", "fliplr",
    "flipud", "roll", "tril", "triu", "diag",
]  # fmt: skip


class Repeat(Function):
    """out = x tiled ``reps`` times per dim (leading reps add dims).   VJP: gx = Σ over the tiles of g."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, reps: Any) -> Any:
        ctx.shape = (1,) * (len(reps) - x.ndim) + x.shape
        ctx.reps = reps
        return np.tile(x.reshape(ctx.shape), reps)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        tiles = [n for pair in zip(ctx.reps, ctx.shape) for n in pair]
        return ctx.xp.sum(g.reshape(tiles), axis=tuple(range(0, len(tiles), 2))), None


class Cat(Function):
    """out = [x₀ | x₁ | …] along ``dim`` (empty 1-D xᵢ are skipped).   VJP: gxᵢ = the slice of g where xᵢ sits."""

    _array_op = True
    _graph_backward = True
    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents

    @staticmethod
    def forward(ctx: Any, dim: Any, *xs: Any) -> Any:
        ctx.dim = dim
        nd = max(x.ndim for x in xs)
        ctx.skip = skip = (
            [x.shape == (0,) for x in xs] if nd > 1 and any(x.shape == (0,) for x in xs) else None
        )
        if skip:
            xs = tuple(x for x, s in zip(xs, skip) if not s)
        ctx.bounds = tuple(accumulate(x.shape[dim] for x in xs[:-1]))
        return np.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        gs = _pieces(g, ctx.dim, ctx.bounds)
        if ctx.skip:
            it = iter(gs)
            gs = [ctx.xp.zeros_like(g.reshape(-1)[:0]) if s else next(it) for s in ctx.skip]
        return (None, *gs)


class Stack(Function):
    """out = the xᵢ stacked along a new ``dim``.   VJP: gxᵢ = g[..., i, ...] (index i at ``dim``)."""

    _array_op = True
    _graph_backward = True
    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents

    @staticmethod
    def forward(ctx: Any, dim: Any, *xs: Any) -> Any:
        ctx.dim = dim
        return np.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return (None, *ctx.xp.moveaxis(g, ctx.dim, 0))


class Flip(Function):
    """out = x reversed along ``dims`` (a copy, as PyTorch).   VJP: gx = g reversed along ``dims``."""

    _array_op = True
    _graph_backward = True
    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents

    @staticmethod
    def forward(ctx: Any, x: Any, dims: Any) -> Any:
        ctx.dims = dims
        return np.flip(x, dims).copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return ctx.xp.flip(g, ctx.dims), None


class Roll(Function):
    """out = x shifted cyclically by ``shifts`` along ``dims``.   VJP: gx = g shifted back."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, shifts: Any, dims: Any) -> Any:
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        back = tuple(-s for s in ctx.shifts) if isinstance(ctx.shifts, tuple) else -ctx.shifts
        return ctx.xp.roll(g, back, ctx.dims), None, None


class Tri(Function):
    """out = x with entries above (tril) / below (triu) diagonal k zeroed.   VJP: gx = g masked alike."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, k: Any, upper: Any) -> Any:
        ctx.k, ctx.upper = k, upper
        return np.triu(x, k) if upper else np.tril(x, k)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return (ctx.xp.triu(g, ctx.k) if ctx.upper else ctx.xp.tril(g, ctx.k)), None, None


class Diag(Function):
    """1-D x: out = the matrix with x on diagonal k; 2-D x: out = diagonal k of x (a copy).   VJP: the other way round."""

    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents (a linear map)
    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, k: Any) -> Any:
        ctx.k, ctx.shape = k, x.shape
        return np.diag(x, k).copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if ctx.xp.is_tensor:
            if len(ctx.shape) == 1:
                return _diag_of(g, ctx.k, 0, 1), None
            return _diag_write(_zeros_t(ctx.shape, g), g, ctx.k, 0, 1), None
        if len(ctx.shape) == 1:
            return np.diagonal(g, ctx.k), None
        gx = np.zeros(ctx.shape, g.dtype)
        _diag_view(gx, ctx.k, 0, 1)[...] = g
        return gx, None


# --- public functions ---------------------------------------------------------------------------
def repeat(input: Any, *sizes: Any, **kw: Any) -> Any:  # noqa: A002
    """Tile ``input`` ``sizes[i]`` times along each dim (extra leading sizes add dims); a copy."""
    reps = _sizes(sizes_or_keyword(sizes, kw, "repeats", "repeat"), "repeat")
    if len(reps) < input._data.ndim:
        raise RuntimeError(
            "repeat: Number of dimensions of repeat dims can not be smaller than number of dimensions "
            f"of tensor; expected at least {input._data.ndim} sizes, got {len(reps)}"
        )
    if any(r < 0 for r in reps):
        raise RuntimeError(
            f"repeat: Trying to create tensor with negative dimension; got repeats {shape_str(reps)}"
        )
    return Repeat.apply(input, reps)


def tile(input: Any, dims: Sequence[int]) -> Any:  # noqa: A002
    """``repeat`` with ``dims`` padded by leading ones to the tensor's ndim."""
    reps = _sizes((dims,), "tile")
    return repeat(input, (1,) * (input._data.ndim - len(reps)) + reps)


# --- joining -------------------------------------------------------------------------------------
def _promoted(tensors: Sequence[Any], op: str) -> list[Any]:
    T = tensor_cls()
    if isinstance(tensors, T) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a sequence of Tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty list of Tensors")
    for i, x in enumerate(tensors):
        if not isinstance(x, T):
            raise TypeError(f"{op}: expected Tensor as element {i} in argument 0, but got {type(x).__name__}")
    dt = tensors[0]._data.dtype
    if all(x._data.dtype == dt for x in tensors):
        return list(tensors)
    common = _dtype.result_type(*tensors)
    return [_cast_to(x, common) for x in tensors]


def cat(tensors: Sequence[Any], dim: int = 0, *, axis: Any = None) -> Any:
    """Join tensors along existing dim ``dim`` (dtypes promote; empty 1-D tensors are skipped)."""
    if axis is not None:
        dim, _ = numpy_names(dim, None, axis, None, "cat", 0)
    xs = _promoted(tensors, "cat")
    kept = [x for x in xs if x._data.shape != (0,)] or xs[:1]
    ref = kept[0]._data.shape
    if not ref:
        raise RuntimeError("cat: zero-dimensional tensor (at position 0) cannot be concatenated; use stack")
    d = norm_dim(dim, len(ref), "cat")
    for i, x in enumerate(xs):
        s = x._data.shape
        if s == (0,) and x is not kept[0]:
            continue
        if len(s) != len(ref):
            raise RuntimeError(
                f"cat: Tensors must have same number of dimensions: got {len(ref)} and {len(s)} "
                f"(tensor number {i} has shape {shape_str(s)})"
            )
        for j, (a, b) in enumerate(zip(ref, s)):
            if j != d and a != b:
                raise RuntimeError(
                    f"cat: Sizes of tensors must match except in dimension {d}. Expected size {a} but "
                    f"got size {b} for tensor number {i} in the list; shapes {shape_str(ref)} and {shape_str(s)}"
                )
    return Cat.apply(d, *xs)


concat = concatenate = cat


def stack(tensors: Sequence[Any], dim: int = 0, *, axis: Any = None) -> Any:
    """Join same-shaped tensors along a new dim ``dim``."""
    if axis is not None:
        dim, _ = numpy_names(dim, None, axis, None, "stack", 0)
    xs = _promoted(tensors, "stack")
    ref = xs[0]._data.shape
    for i, x in enumerate(xs):
        if x._data.shape != ref:
            raise RuntimeError(
                f"stack: expects each tensor to be equal size, but got {shape_str(ref)} at entry 0 and "
                f"{shape_str(x._data.shape)} at entry {i}"
            )
    return Stack.apply(norm_dim(dim, len(ref) + 1, "stack"), *xs)


def hstack(tensors: Sequence[Any]) -> Any:
    """Concatenate along dim 1 (dim 0 for 1-D tensors); 0-d tensors count as 1-D."""
    xs = [x if x._data.ndim else reshape(x, (1,)) for x in _promoted(tensors, "hstack")]
    return cat(xs, 0 if xs[0]._data.ndim == 1 else 1)


def vstack(tensors: Sequence[Any]) -> Any:
    """Concatenate along dim 0 after making every tensor at least 2-D."""
    xs = [x if x._data.ndim >= 2 else reshape(x, (1, -1)) for x in _promoted(tensors, "vstack")]
    return cat(xs, 0)


# --- flips, rolls, triangles and diagonals -------------------------------------------------------
def flip(input: Any, *dims: Any, **kw: Any) -> Any:  # noqa: A002
    """Reverse the order of elements along ``dims``; a copy."""
    nd = input._data.ndim
    dd = _sizes(sizes_or_keyword(dims, kw, "dims", "flip"), "flip")
    ds = tuple(norm_dim(x, nd, "flip") for x in dd)
    if len(set(ds)) != len(ds):
        raise RuntimeError(f"flip: dim {ds[0]} appears multiple times in the list of dims; got {list(dd)}")
    return Flip.apply(input, ds if nd else ())


def fliplr(input: Any) -> Any:  # noqa: A002
    """Flip dim 1 (input must be ≥ 2-D)."""
    if input._data.ndim < 2:
        raise RuntimeError(f"fliplr: Input must be >= 2-d; got {input._data.ndim}-d")
    return flip(input, 1)


def flipud(input: Any) -> Any:  # noqa: A002
    """Flip dim 0 (input must be ≥ 1-D)."""
    if input._data.ndim < 1:
        raise RuntimeError("flipud: Input must be >= 1-d; got 0-d")
    return flip(input, 0)


def roll(input: Any, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None) -> Any:  # noqa: A002
    """Shift elements cyclically along ``dims`` (the flattened tensor when ``dims`` is None)."""
    sh = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(int(s) for s in shifts)
    if dims is None:
        if len(sh) != 1:
            raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        return Roll.apply(input, sh[0], None)
    ds = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(sh) != len(ds):
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(sh)}, dims:{len(ds)}")
    nd = input._data.ndim
    return Roll.apply(input, sh, tuple(norm_dim(d, nd, "roll") for d in ds))


def _tri(input: Any, diagonal: int, upper: bool, op: str) -> Any:
    if input._data.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions; got {input._data.ndim}")
    return Tri.apply(input, int(diagonal), upper)


def tril(input: Any, diagonal: int = 0) -> Any:  # noqa: A002
    """Lower triangle of the last two dims (entries with j − i ≤ diagonal); the rest is 0."""
    return _tri(input, diagonal, False, "tril")


def triu(input: Any, diagonal: int = 0) -> Any:  # noqa: A002
    """Upper triangle of the last two dims (entries with j − i ≥ diagonal); the rest is 0."""
    return _tri(input, diagonal, True, "triu")


def diag(input: Any, diagonal: int = 0) -> Any:  # noqa: A002
    """1-D: a square matrix with ``input`` on diagonal ``diagonal``; 2-D: that diagonal (a copy)."""
    nd = input._data.ndim
    if nd not in (1, 2):
        raise RuntimeError(f"diag: Supports 1D or 2D tensors; expected 1-D or 2-D input, got {nd}D")
    return Diag.apply(input, int(diagonal))
