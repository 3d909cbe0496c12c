"""Splitting, selecting and broadcasting helpers composed from views and indexing:
broadcast_tensors, tensor_split/hsplit/vsplit/dsplit, select, ravel, row_stack,
combinations, unravel_index, diagflat, vdot, addr, and the scatter forms of slicing
(slice_scatter, select_scatter, diagonal_scatter; the last one a small primitive).
"""

from __future__ import annotations

import itertools
import operator
from typing import Any

import numpy as np

from .. import _dtype
from ._util import Function, _cast_to, broadcast_error, check_tensor, make, norm_dim, shape_str, tensor_cls
from .elementwise import add, mul
from .index import getitem, index_put
from .linalg import dot, outer
from .shape import _diag_of, _diag_view, _diag_write, _zeros_t, diag, expand, narrow, reshape, vstack

__all__ = [
    "broadcast_tensors", "tensor_split", "hsplit", "vsplit", "dsplit", "select",
    "ravel", "row_stack", "split_with_sizes", "ger", "narrow_copy", "vander", "combinations", "unravel_index", "diagflat", "vdot", "addr",
    "slice_scatter", "select_scatter", "diagonal_scatter",
]  # fmt: skip

row_stack = vstack


class DiagonalScatter(Function):
    """out = x with its diagonal ``offset`` over (d1, d2) replaced by src.
    VJP: gx = g with that diagonal zeroed,  gsrc = the diagonal of g."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, src: Any, offset: int, d1: int, d2: int) -> Any:
        ctx.args = (offset, d1, d2)
        out = x.copy()
        _diag_view(out, offset, d1, d2)[...] = src
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        gx = gsrc = None
        if ctx.xp.is_tensor:
            if ctx.needs_input_grad[0]:
                gx = _diag_write(g, _zeros_t(_diag_view(g._data, *ctx.args).shape, g), *ctx.args)
            if ctx.needs_input_grad[1]:
                gsrc = _diag_of(g, *ctx.args)
            return gx, gsrc, None, None, None
        if ctx.needs_input_grad[0]:
            gx = g.copy()
            _diag_view(gx, *ctx.args)[...] = 0
        if ctx.needs_input_grad[1]:
            gsrc = _diag_view(g, *ctx.args).copy()
        return gx, gsrc, None, None, None


def broadcast_tensors(*tensors: Any) -> tuple[Any, ...]:
    """The tensors expanded to their common broadcast shape (views)."""
    xs = [check_tensor(t, "broadcast_tensors", f"tensors[{i}]") for i, t in enumerate(tensors)]
    shapes = [x._data.shape for x in xs]
    try:
        common = np.broadcast_shapes(*shapes)
    except ValueError:
        raise broadcast_error("broadcast_tensors", *shapes) from None
    return tuple(x if x._data.shape == common else expand(x, common) for x in xs)


def _split_points(arg: Any, n: int, op: str) -> list[int]:
    T = tensor_cls()
    if isinstance(arg, T):
        a = arg._data
        if a.dtype.kind not in "iu":
            raise RuntimeError(f"{op}: tensor_indices_or_sections must be an integer tensor; got {arg.dtype}")
        if a.ndim > 1:
            raise RuntimeError(f"{op}: tensor_indices_or_sections must be a zero-dimensional or one-dimensional tensor")
        arg = int(a) if a.ndim == 0 else [int(i) for i in a]
    if isinstance(arg, (int, np.integer)):
        k = operator.index(arg)
        if k <= 0:
            raise RuntimeError(f"{op}: number of sections must be larger than 0, got {k}")
        q, r = divmod(n, k)
        sizes = [q + 1] * r + [q] * (k - r)
        return list(itertools.accumulate(sizes))[:-1]
    return [operator.index(i) for i in arg]


def tensor_split(input: Any, indices_or_sections: Any, dim: int = 0) -> tuple[Any, ...]:  # noqa: A002
    """Views of ``input`` split along ``dim``: into n near-equal parts (the first ``len % n`` one longer) or at the given indices."""
    x = check_tensor(input, "tensor_split")
    if not x._data.ndim:
        raise RuntimeError("tensor_split: expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = norm_dim(dim, x._data.ndim, "tensor_split")
    n = x._data.shape[d]
    cuts = _split_points(indices_or_sections, n, "tensor_split")
    out, prev = [], 0
    for c in [*cuts, n]:
        c = min(max(c if c >= 0 else c + n, 0), n)
        out.append(narrow(x, d, prev, max(c - prev, 0)))  # (indices out of order give empty pieces)
        prev = c
    return tuple(out)


def _even_split(op: str, x: Any, arg: Any, d: int) -> tuple[Any, ...]:
    if isinstance(arg, (int, np.integer)):
        n = x._data.shape[d]
        if arg <= 0 or n % arg:
            raise RuntimeError(
                f"{op}: torch.{op} attempted to split along dimension {d}, but the size of the dimension {n} "
                f"is not divisible by the split_size {arg}!"
            )
    return tensor_split(x, arg, d)


def hsplit(input: Any, indices_or_sections: Any) -> tuple[Any, ...]:  # noqa: A002
    """Split along dim 1 (dim 0 for 1-D tensors); an int must divide the size evenly."""
    x = check_tensor(input, "hsplit")
    if not x._data.ndim:
        raise RuntimeError("hsplit: torch.hsplit requires a tensor with at least 1 dimension, but got a tensor with 0 dimensions!")
    return _even_split("hsplit", x, indices_or_sections, 1 if x._data.ndim > 1 else 0)


def vsplit(input: Any, indices_or_sections: Any) -> tuple[Any, ...]:  # noqa: A002
    """Split along dim 0 of a tensor with at least 2 dims."""
    x = check_tensor(input, "vsplit")
    if x._data.ndim < 2:
        raise RuntimeError(
            f"vsplit: torch.vsplit requires a tensor with at least 2 dimension, but got a tensor with {x._data.ndim} dimensions!"
        )
    return _even_split("vsplit", x, indices_or_sections, 0)


def dsplit(input: Any, indices_or_sections: Any) -> tuple[Any, ...]:  # noqa: A002
    """Split along dim 2 of a tensor with at least 3 dims."""
    x = check_tensor(input, "dsplit")
    if x._data.ndim < 3:
        raise RuntimeError(
            f"dsplit: torch.dsplit requires a tensor with at least 3 dimension, but got a tensor with {x._data.ndim} dimensions!"
        )
    return _even_split("dsplit", x, indices_or_sections, 2)


def select(input: Any, dim: int, index: int) -> Any:  # noqa: A002
    """The slice at ``index`` along ``dim`` (that dim removed); a view."""
    x = check_tensor(input, "select")
    nd = x._data.ndim
    if not nd:
        raise IndexError("select(): index cannot be applied to a 0-dim tensor.")
    d = norm_dim(dim, nd, "select")
    n = x._data.shape[d]
    i = operator.index(index)
    if not -n <= i < n:
        raise IndexError(f"select(): index {i} out of range for tensor of size {shape_str(x._data.shape)} at dimension {d}")
    return getitem(x, (slice(None),) * d + (i,))


def ravel(input: Any) -> Any:  # noqa: A002
    """``input`` flattened to 1-D (a view when possible)."""
    return reshape(check_tensor(input, "ravel"), -1)


def split_with_sizes(input: Any, split_sizes: Any, dim: int = 0) -> tuple[Any, ...]:  # noqa: A002
    """``split`` into pieces of the given sizes, which must add up to the size of ``dim``."""
    from .shape import split

    x = check_tensor(input, "split_with_sizes")
    d = norm_dim(dim, x._data.ndim, "split_with_sizes")
    sizes = [operator.index(s) for s in split_sizes]
    if sum(sizes) != x._data.shape[d] or any(s < 0 for s in sizes):
        raise RuntimeError(
            f"split_with_sizes: expects split_sizes to sum exactly to {x._data.shape[d]} (input tensor's size at "
            f"dimension {d}), but got split_sizes={sizes}"
        )
    return split(x, sizes, d)


def ger(input: Any, vec2: Any) -> Any:  # noqa: A002
    """Outer product (PyTorch's older name for ``outer``)."""
    return outer(input, vec2)


def narrow_copy(input: Any, dim: int, start: int, length: int) -> Any:  # noqa: A002
    """``narrow`` as a copy rather than a view."""
    from .copy import clone

    return clone(narrow(check_tensor(input, "narrow_copy"), dim, start, length))


def vander(x: Any, N: int | None = None, increasing: bool = False) -> Any:  # noqa: N803 - PyTorch's name
    """The Vandermonde matrix of 1-D ``x``: columns x^(N−1), …, x, 1 (or the reverse when ``increasing``)."""
    from .elementwise import pow as _pow
    from .shape import unsqueeze

    v = check_tensor(x, "vander", "x")
    if v._data.ndim != 1:
        raise RuntimeError(f"vander: x must be a one-dimensional tensor; got shape {shape_str(v._data.shape)}")
    n = v._data.shape[0] if N is None else operator.index(N)
    if n < 0:
        raise RuntimeError(f"vander: N must be non-negative; got {n}")
    if v._data.dtype == np.bool_:
        v = _cast_to(v, _dtype.int64)
    powers = np.arange(n, dtype=np.int64) if increasing else np.arange(n - 1, -1, -1, dtype=np.int64)
    exps = make(powers.astype(v._data.dtype))
    return _pow(unsqueeze(v, 1), exps)


def combinations(input: Any, r: int = 2, with_replacement: bool = False) -> Any:  # noqa: A002
    """All length-``r`` combinations of the elements of a 1-D tensor, as rows (like itertools.combinations)."""
    x = check_tensor(input, "combinations")
    if x._data.ndim != 1:
        raise RuntimeError(f"combinations: Expect a 1D vector, but got shape {shape_str(x._data.shape)}")
    if r < 0:
        raise RuntimeError(f"combinations: Expect a non-negative number, but got {r}")
    if r == 0:
        return make(np.zeros(0, x._data.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(pick(range(x._data.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return getitem(x, make(idx))


def unravel_index(indices: Any, shape: Any) -> tuple[Any, ...]:
    """The coordinates in a tensor of ``shape`` of each flat index (a tuple of int64 tensors)."""
    T = tensor_cls()
    a = indices._data if isinstance(indices, T) else np.asarray(indices)
    if a.dtype.kind not in "iu":
        raise TypeError(f"unravel_index: expected 'indices' to be integer dtype, but got {a.dtype}")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"unravel_index: 'shape' cannot have negative values, but got {shape}")
    n = int(np.prod(shape, dtype=np.int64))
    if a.size and (a.min() < -n or a.max() >= n):
        raise RuntimeError(f"unravel_index: 'indices' must be in range [-{n}, {n - 1}] for shape {list(shape)}")
    coords = np.unravel_index(np.where(a < 0, a + n, a), shape) if shape else ()
    return tuple(make(np.asarray(c, np.int64)) for c in coords)


def diagflat(input: Any, offset: int = 0) -> Any:  # noqa: A002
    """A matrix with the flattened ``input`` on its diagonal ``offset``."""
    return diag(reshape(check_tensor(input, "diagflat"), -1), offset)


def vdot(input: Any, other: Any) -> Any:  # noqa: A002
    """Dot product of two 1-D tensors (real tensors: no conjugation)."""
    return dot(input, other)


def addr(input: Any, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:  # noqa: A002
    """β·input + α·outer(vec1, vec2) (input ignored when β = 0)."""
    prod = outer(vec1, vec2)
    if alpha != 1:
        prod = mul(prod, alpha)
    if beta == 0:
        return prod
    return add(input if beta == 1 else mul(input, beta), prod)


def slice_scatter(
    input: Any, src: Any, dim: int = 0, start: int | None = None, end: int | None = None, step: int = 1  # noqa: A002
) -> Any:
    """A copy of ``input`` with ``input[..., start:end:step, ...] = src`` along ``dim``."""
    x = check_tensor(input, "slice_scatter")
    d = norm_dim(dim, x._data.ndim, "slice_scatter")
    at = (slice(None),) * d + (slice(start, end, step),)
    want = x._data[at].shape
    if tuple(src._data.shape) != want:
        raise RuntimeError(
            f"slice_scatter: expected src to have a size equal to the slice of self. src size = "
            f"{shape_str(src._data.shape)}, slice size = {shape_str(want)}"
        )
    return index_put(x, at, src)


def select_scatter(input: Any, src: Any, dim: int, index: int) -> Any:  # noqa: A002
    """A copy of ``input`` with the slice at ``index`` along ``dim`` replaced by ``src``."""
    x = check_tensor(input, "select_scatter")
    want = select(x, dim, index)._data.shape
    if tuple(src._data.shape) != want:
        raise RuntimeError(
            f"select_scatter: expected src to have a size equal to the slice of self. src size = "
            f"{shape_str(src._data.shape)}, slice size = {shape_str(want)}"
        )
    d = norm_dim(dim, x._data.ndim, "select_scatter")
    return index_put(x, (slice(None),) * d + (operator.index(index),), src)


def diagonal_scatter(input: Any, src: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:  # noqa: A002
    """A copy of ``input`` whose diagonal ``offset`` over (dim1, dim2) is ``src``."""
    x = check_tensor(input, "diagonal_scatter")
    src = check_tensor(src, "diagonal_scatter", "src")
    nd = x._data.ndim
    d1, d2 = norm_dim(dim1, nd, "diagonal_scatter"), norm_dim(dim2, nd, "diagonal_scatter")
    if d1 == d2:
        raise RuntimeError(f"diagonal_scatter: diagonal dimensions cannot be identical {dim1}, {dim2}")
    want = _diag_view(x._data, int(offset), d1, d2).shape
    if tuple(src._data.shape) != want:
        raise RuntimeError(
            f"diagonal_scatter: expected src to have a size equal to the diagonal of self. src size = "
            f"{shape_str(src._data.shape)}, diagonal size = {shape_str(want)}"
        )
    if src._data.dtype != x._data.dtype:
        src = _cast_to(src, _dtype.from_numpy_dtype(x._data.dtype))
    return DiagonalScatter.apply(x, src, int(offset), d1, d2)

