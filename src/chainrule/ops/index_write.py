"""Writing into tensors by index: scatter_reduce, index_copy, index_fill, masked_scatter, take,
repeat_interleave.

scatter_reduce and index_copy are primitives; the rest are compositions of index_select,
index_put, where and getitem, so their gradients come from those.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .. import _dtype
from ._util import Function, _cast_to, check_tensor, make, norm_dim, shape_str, tensor_cls
from .elementwise import where
from .index import (
    _check_bounds,
    _fancy,
    _gather_checks,
    _int_index,
    _scatter_src,
    getitem,
    index_put,
    index_select,
)
from .shape import expand, reshape

__all__ = [
    "scatter_reduce", "index_reduce", "index_copy", "index_fill", "masked_scatter", "take", "put", "repeat_interleave",
]  # fmt: skip

_REDUCE_UFUNC = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _scatter_reduce(x: Any, fancy: Any, src: Any, reduce: str, include_self: bool) -> tuple[Any, Any]:
    """The forward of scatter_reduce on arrays; also returns the per-position count (for 'mean')."""
    out = x.copy()
    hit = np.zeros(x.shape, bool)
    hit[fancy] = True
    if not include_self:  # start the touched positions from the reduction's identity
        ident = {"sum": 0, "mean": 0, "prod": 1}.get(reduce)
        if ident is None:
            first = np.zeros(x.shape, src.dtype)
            first[fancy] = src  # any element of each group: maximum/minimum of the group then follows
            out[hit] = first[hit]
        else:
            out[hit] = ident
    _REDUCE_UFUNC[reduce].at(out, fancy, src)
    count = None
    if reduce == "mean":
        count = np.zeros(x.shape, np.int64) + (1 if include_self else 0)
        np.add.at(count, fancy, 1)
        count = np.maximum(count, 1)
        out = out // count if out.dtype.kind in "iub" else out / count
    return out.astype(x.dtype, copy=False), count


class ScatterReduce(Function):
    """out = input with src reduced into it at index along ``dim`` (sum, prod, mean, amax, amin);
    ``include_self`` says whether input's own value takes part.
    VJP (h: positions written, c: their counts, gather = pick at index):
      sum   gx = g (0 at h unless include_self),   gsrc = gather(g)
      mean  gx = g / c,                            gsrc = gather(g / c)
      prod  gx = g·out / x,                        gsrc = gather(g·out) / src   (zeros handled exactly)
      amax/amin: g is split evenly among the values equal to the result (input's and src's)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, dim: int, idx: Any, src: Any, reduce: str, include_self: bool) -> Any:
        fancy = _fancy(idx, dim)
        ctx.fancy, ctx.reduce, ctx.include_self, ctx.src_shape = fancy, reduce, include_self, src.shape
        ctx.dim, ctx.idx, ctx.dtype = dim, idx, x.dtype
        ctx.cut = tuple(slice(0, n) for n in idx.shape)  # the part of src that index reaches
        out, count = _scatter_reduce(x, fancy, src[ctx.cut], reduce, include_self)
        ctx.save_for_backward(x, src, out, count)  # (src whole: under create_graph it is the input's Tensor)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, src, out, count = ctx.saved_tensors
        src = src[ctx.cut]
        fancy, reduce, xp = ctx.fancy, ctx.reduce, ctx.xp
        with np.errstate(divide="ignore", invalid="ignore"):
            if reduce == "sum":
                gx, gsrc = g, xp.take_at(g, fancy)
            elif reduce == "mean":
                gx = g / count
                gsrc = xp.take_at(gx, fancy)
            elif reduce == "prod":
                gx, gsrc = _prod_grads(ctx, g, x, src, out)
            else:  # (which values equal the result: constant masks)
                at_x = xp.equal(x, out).astype(ctx.dtype)
                at_src = xp.equal(src, xp.take_at(out, fancy)).astype(ctx.dtype)
                n = at_x.copy()
                np.add.at(n, fancy, at_src)
                share = g / np.where(n == 0, 1, n)
                gx, gsrc = at_x * share, at_src * xp.take_at(share, fancy)
        if not ctx.include_self:
            gx = xp.zero_at(gx, fancy)
        return gx, None, None, _pad(gsrc, ctx.src_shape, xp), None, None


def _prod_grads(ctx: Any, g: Any, x: Any, src: Any, out: Any) -> tuple[Any, Any]:
    """Gradients of a product scatter without dividing by zero: each factor's gradient is the
    product of the other factors in its group (recomputed with that factor replaced by 1)."""
    xp, fancy, include_self = ctx.xp, ctx.fancy, ctx.include_self

    def prod_into(base: Any, s: Any) -> Any:  # the forward again (recorded on Tensors)
        if xp.is_tensor:
            return ScatterReduce.apply(base, ctx.dim, ctx.idx, s, "prod", include_self)
        return _scatter_reduce(base, fancy, s, "prod", include_self)[0]

    x1 = xp.where(xp.equal(x, 0), 1, x)
    gx = g * prod_into(x1, src) / x1
    zero = xp.equal(src, 0)
    nz = np.zeros(out.shape, np.int64)
    np.add.at(nz, fancy, zero.astype(np.int64))
    single = zero & (nz[fancy] == 1)  # the only zero in its group: the others' product is needed
    others = prod_into(x, xp.where(single, 1, src))
    gsrc = xp.where(single, xp.take_at(g * others, fancy), xp.take_at(g * out, fancy) / xp.where(zero, 1, src))
    if xp.is_tensor and (nz > 1).any():  # (as PyTorch: this gsrc is right, its derivative is not)
        from ..autograd._delayed import DelayedError

        gsrc = DelayedError.apply(gsrc, "scatter_reduce(): Double backward is unsupported for src when >1 zeros "
                                        "in src are scattered to the same position in self")
    return gx, gsrc


def _pad(gsrc: Any, shape: tuple[int, ...], xp: Any) -> Any:
    """Place ``gsrc`` (index's extent) in the corner of zeros of the full src shape."""
    if tuple(gsrc.shape) == shape:
        return gsrc
    return xp.scatter_zeros(shape, tuple(slice(0, n) for n in gsrc.shape), gsrc, False)


class IndexCopy(Function):
    """out = x with out[…, idx[j], …] = src[…, j, …] along ``dim``.
    VJP: gx = g with 0 at the copied slices,  gsrc = g[…, idx, …]."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, dim: int, idx: Any, src: Any) -> Any:
        ctx.at = (slice(None),) * dim + (idx,)
        ctx.dim, ctx.idx = dim, idx
        out = x.copy()
        out[ctx.at] = src
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        gx = None
        if ctx.needs_input_grad[0]:
            gx = ctx.xp.zero_at(g, ctx.at)
        gsrc = ctx.xp.take(g, ctx.idx, axis=ctx.dim) if ctx.needs_input_grad[3] else None
        return gx, None, None, gsrc


# --- public functions ---------------------------------------------------------------------------
def scatter_reduce(
    input: Any, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True  # noqa: A002
) -> Any:
    """A copy of ``input`` with ``src`` reduced in at ``index`` along ``dim``: 'sum', 'prod', 'mean', 'amax' or 'amin'."""
    x = check_tensor(input, "scatter_reduce")
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)  # (older names PyTorch still accepts)
    if reduce not in _REDUCE_UFUNC:
        raise RuntimeError(
            f"scatter_reduce: reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    idx = _int_index(index, "scatter_reduce")
    src = _scatter_src(x, src, "scatter_reduce")
    sdata = src._data if hasattr(src, "_data") else src
    d = _gather_checks(x, dim, idx, "scatter_reduce", sdata)
    if not idx.ndim:
        x, idx = reshape(x, 1), idx.reshape(1)
        src = reshape(src, 1) if isinstance(src, tensor_cls()) else np.reshape(src, 1)
        return reshape(ScatterReduce.apply(x, 0, idx, src, reduce, bool(include_self)), ())
    return ScatterReduce.apply(x, d, idx, src, reduce, bool(include_self))


def index_reduce(
    input: Any, dim: int, index: Any, source: Any, reduce: str, *, include_self: bool = True  # noqa: A002
) -> Any:
    """A copy of ``input`` with each slice ``source[…, j, …]`` reduced into slice ``index[j]`` along
    ``dim`` ('prod', 'mean', 'amax' or 'amin'): ``scatter_reduce`` with the index spread over the slice."""
    x = check_tensor(input, "index_reduce")
    source = check_tensor(source, "index_reduce", "source")
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    idx = _int_index(index, "index_reduce", "int64")
    d = _index_checks(x, dim, idx, source, "index_reduce")
    if not x._data.ndim:
        return reshape(index_reduce(reshape(x, 1), 0, idx.reshape(-1), reshape(source, 1), reduce, include_self=include_self), ())
    shape = [1] * x._data.ndim
    shape[d] = -1
    full = np.broadcast_to(idx.reshape(shape), source._data.shape)
    return ScatterReduce.apply(x, d, np.ascontiguousarray(full), source, reduce, bool(include_self))


def _index_checks(x: Any, dim: int, idx: np.ndarray, source: Any, op: str) -> int:
    shape, sshape = x._data.shape, source._data.shape
    d = norm_dim(dim, len(shape), op)
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index should have dimension 1 or 0 (got {idx.ndim})")
    n = idx.size
    if len(sshape) != len(shape) and not (len(shape) == 0 and sshape in ((), (1,))):
        raise IndexError(
            f"{op}(): When source and destination are not scalars, their dimensionality must match. "
            f"Source dimensionality ({len(sshape)}), destination dimensionality ({len(shape)})"
        )
    if shape and sshape[d] != n:
        raise IndexError(f"{op}(): Number of indices ({n}) should be equal to source.size(dim) ({sshape[d]})")
    if shape and any(a != b for i, (a, b) in enumerate(zip(shape, sshape)) if i != d):
        raise RuntimeError(
            f"{op}(): Number of indices ({n}) should be equal to source.size(dim) and source must match "
            f"self apart from dim {d}; expected source shape like {shape_str(shape)}, got {shape_str(sshape)}"
        )
    _check_bounds(idx, shape[d] if shape else 1, d, op, IndexError)
    return d


def index_copy(input: Any, dim: int, index: Any, source: Any) -> Any:  # noqa: A002
    """A copy of ``input`` with the slices ``index[j]`` along ``dim`` replaced by ``source[…, j, …]``."""
    x = check_tensor(input, "index_copy")
    source = check_tensor(source, "index_copy", "source")
    idx = _int_index(index, "index_copy", "int64")
    if source._data.dtype != x._data.dtype:
        raise RuntimeError(
            f"index_copy_(): self and source expected to have the same dtype, but got (self) {x.dtype} and (source) {source.dtype}"
        )
    d = _index_checks(x, dim, idx, source, "index_copy")
    if not x._data.ndim:
        return reshape(IndexCopy.apply(reshape(x, 1), 0, idx.reshape(-1), reshape(source, 1)), ())
    return IndexCopy.apply(x, d, idx.reshape(-1), source)


def index_fill(input: Any, dim: int, index: Any, value: Any) -> Any:  # noqa: A002
    """A copy of ``input`` with ``value`` (a number or 0-d tensor) in the slices ``index`` along ``dim``."""
    x = check_tensor(input, "index_fill")
    idx = _int_index(index, "index_fill", "int64")
    if idx.ndim > 1:
        raise IndexError(f"index_fill(): Index is supposed to be a vector; got shape {shape_str(idx.shape)}")
    shape = x._data.shape
    d = norm_dim(dim, len(shape), "index_fill")
    _check_bounds(idx, shape[d] if shape else 1, d, "index_fill", IndexError)
    T = tensor_cls()
    if isinstance(value, T):
        if value._data.ndim:
            raise RuntimeError(
                f"index_fill_(): only supports a 0-dimensional value tensor, but got tensor with {value._data.ndim} dimension(s)"
            )
        value = _cast_to(value, _dtype.from_numpy_dtype(x._data.dtype))
    else:
        value = make(np.asarray(value).astype(x._data.dtype))
    mask = np.zeros(shape[d] if shape else 1, bool)
    mask[idx.reshape(-1)] = True
    mask = mask.reshape((-1,) + (1,) * (len(shape) - d - 1)) if shape else mask.reshape(())
    return where(make(mask), value, x)


def masked_scatter(input: Any, mask: Any, source: Any) -> Any:  # noqa: A002
    """A copy of ``input`` whose positions where ``mask`` is True take ``source``'s elements in row-major order."""
    x = check_tensor(input, "masked_scatter")
    source = check_tensor(source, "masked_scatter", "source")
    m = mask._data if isinstance(mask, tensor_cls()) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_scatter_: expected BoolTensor for mask; got {_dtype.from_numpy_dtype(m.dtype)}")
    if source._data.dtype != x._data.dtype:
        raise RuntimeError(
            f"masked_scatter: expected self and source to have same dtypes but got {x.dtype} and {source.dtype}"
        )
    try:
        common = np.broadcast_shapes(x._data.shape, m.shape)
    except ValueError:
        raise RuntimeError(
            f"masked_scatter: the mask of shape {shape_str(m.shape)} does not broadcast with input of shape "
            f"{shape_str(x._data.shape)}"
        ) from None
    mb = np.broadcast_to(m, common)
    k = int(mb.sum())
    if k > source._data.size:
        raise RuntimeError(
            f"masked_scatter: Number of elements of source < number of ones in mask ({source._data.size} < {k})"
        )
    xb = x if common == x._data.shape else expand(x, common)
    return index_put(xb, (make(mb),), getitem(reshape(source, -1), slice(0, k)))


def take(input: Any, index: Any) -> Any:  # noqa: A002
    """``input.flatten()[index]``: out has index's shape; negative indices count from the end."""
    x = check_tensor(input, "take")
    idx = _int_index(index, "take")
    n = x._data.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].flat[0]
        raise IndexError(f"take: out of range: tried to access index {bad} on a tensor of {n} elements")
    return getitem(reshape(x, -1), make(idx))


def put(input: Any, index: Any, source: Any, accumulate: bool = False) -> Any:  # noqa: A002
    """A copy of ``input`` with ``input.flatten()[index] = source`` (``+=`` when ``accumulate``); negative indices count from the end."""
    x = check_tensor(input, "put")
    source = check_tensor(source, "put", "source")
    idx = _int_index(index, "put")
    n = x._data.size
    if idx.size != source._data.size:
        raise RuntimeError(
            f"put: Expected source and index to have the same number of elements, but got source.numel() = "
            f"{source._data.size}, index.numel() = {idx.size}"
        )
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].flat[0]
        raise IndexError(f"put: out of range: tried to access index {bad} on a tensor of {n} elements.")
    flat = index_put(reshape(x, -1), (make(np.where(idx < 0, idx + n, idx).reshape(-1)),), reshape(source, -1), accumulate)
    return reshape(flat, x._data.shape)


def repeat_interleave(
    input: Any, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None  # noqa: A002
) -> Any:
    """Repeat each element (or slice along ``dim``) ``repeats`` times in place: [a, b] → [a, a, b, b].

    ``repeat_interleave(r)`` with one integer tensor gives the indices ``arange(len(r))`` repeated ``r`` times."""
    T = tensor_cls()
    if repeats is None:  # repeat_interleave(repeats): the repeated indices
        r = _int_index(check_tensor(input, "repeat_interleave"), "repeat_interleave")
        if r.ndim != 1:
            raise RuntimeError(f"repeat_interleave: repeats must be 0-dim or 1-dim tensor; got {r.ndim} dims")
        if r.size and r.min() < 0:
            raise RuntimeError("repeat_interleave: repeats can not be negative")
        return make(np.repeat(np.arange(r.size, dtype=np.int64), r))
    x = check_tensor(input, "repeat_interleave")
    if dim is None:
        x, d = reshape(x, -1), 0
    else:
        d = norm_dim(dim, x._data.ndim, "repeat_interleave")
        if not x._data.ndim:
            x = reshape(x, 1)
    n = x._data.shape[d]
    if isinstance(repeats, T):
        r = _int_index(repeats, "repeat_interleave")
        if r.ndim > 1:
            raise RuntimeError(f"repeat_interleave: repeats must be 0-dim or 1-dim tensor; got {r.ndim} dims")
        r = r.reshape(-1)
        if r.size == 1:
            r = np.full(n, r[0])
        elif r.size != n:
            raise RuntimeError(
                f"repeat_interleave: repeats must have the same size as input along dim, but got "
                f"repeats.size(0) = {r.size} and input.size({d}) = {n}"
            )
    else:
        r = np.full(n, operator.index(repeats))
    if r.size and r.min() < 0:
        raise RuntimeError("repeat_interleave: repeats can not be negative")
    if output_size is not None and int(r.sum()) != output_size:
        raise RuntimeError(f"repeat_interleave: allocated size does not match required size {int(r.sum())}")
    return index_select(x, d, make(np.repeat(np.arange(n, dtype=np.int64), r)))
