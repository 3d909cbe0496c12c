"""Shape ops that view their input: reshape, permute, expand, squeeze, split, narrow, diagonal ...

They return NumPy views and set ``_is_view`` so the output shares its input's version counter
(reshape copies when the strides don't allow a view, as PyTorch's does). The copying
rearrangements (cat, repeat, flip, roll, tril, diag ...) live in ``arrange.py`` and are re-exported
here. ``g`` is ∂L/∂out.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate
from typing import Any

import numpy as np

from .. import _dtype
from .._size_keyword import sizes_or_keyword
from ._util import Function, norm_dim, norm_dims, shape_str

__all__ = [
    "reshape", "view", "view_as", "reshape_as", "flatten", "unflatten", "permute", "transpose",
    "swapaxes", "swapdims", "t", "squeeze", "unsqueeze", "expand", "expand_as", "broadcast_to",
    "split", "chunk", "unbind", "narrow", "movedim", "moveaxis", "diagonal",
]  # fmt: skip


class Reshape(Function):
    """out = x with a new shape (a view when the strides allow).   VJP: gx = g reshaped to x's shape."""

    _array_op = True
    _graph_backward = True
    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents
    _is_view = True

    @staticmethod
    def forward(ctx: Any, x: Any, shape: Any) -> Any:
        ctx.shape = x.shape
        out = x.reshape(shape)
        if not x.flags.c_contiguous and out.size and not np.may_share_memory(out, x):
            ctx._is_view = False  # NumPy had to copy: the result is a new tensor, as in PyTorch
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g.reshape(ctx.shape), None


class Permute(Function):
    """out = x with its dims reordered by ``dims`` (a view).   VJP: gx = g permuted by the inverse."""

    _array_op = True
    _graph_backward = True
    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents
    _is_view = True

    @staticmethod
    def forward(ctx: Any, x: Any, dims: Any) -> Any:
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        d = ctx.dims
        return ctx.xp.transpose(g, sorted(range(len(d)), key=d.__getitem__)), None  # inverse permutation


class Expand(Function):
    """out = x broadcast to ``shape`` (a read-only view).   VJP: gx = g (the engine sums it back)."""

    _array_op = True
    _graph_backward = True
    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents
    _is_view = True

    @staticmethod
    def forward(ctx: Any, x: Any, shape: Any) -> Any:
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g, None


class Split(Function):
    """outᵢ = x[bᵢ:bᵢ₊₁] along ``dim`` (views; ``squeeze`` drops dim, as unbind).   VJP: gx = [g₀ | g₁ | …]."""

    _array_op = True
    _graph_backward = True
    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents
    # NumPy views, but not flagged ``_is_view``: Function.apply shares the version counter of
    # single outputs only.

    @staticmethod
    def forward(ctx: Any, x: Any, dim: Any, bounds: Any, squeeze: Any) -> Any:
        ctx.dim, ctx.squeeze = dim, squeeze
        if squeeze:
            return tuple(np.moveaxis(x, dim, 0))
        return _pieces(x, dim, bounds)

    @staticmethod
    def backward(ctx: Any, *gs: Any) -> Any:
        xp = ctx.xp
        gx = xp.stack(gs, axis=ctx.dim) if ctx.squeeze else xp.concatenate(gs, axis=ctx.dim)
        return gx, None, None, None


def _pieces(a: np.ndarray, dim: int, bounds: Sequence[int]) -> tuple[np.ndarray, ...]:
    """Views of ``a`` cut along ``dim`` at ``bounds`` (a leaner ``np.split``)."""
    lead = (slice(None),) * dim
    edges = (0, *bounds, a.shape[dim])
    return tuple(a[(*lead, slice(lo, hi))] for lo, hi in zip(edges[:-1], edges[1:]))


def _diag_view(a: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
    """A writable view of the diagonal ``offset`` of ``a`` over dims d1, d2 (moved to the end)."""
    if offset >= 0:
        a = a[(slice(None),) * d2 + (slice(offset, None),)]
    else:
        a = a[(slice(None),) * d1 + (slice(-offset, None),)]
    n = max(min(a.shape[d1], a.shape[d2]), 0)
    keep = [i for i in range(a.ndim) if i not in (d1, d2)]
    shape = tuple(a.shape[i] for i in keep) + (n,)
    strides = tuple(a.strides[i] for i in keep) + (a.strides[d1] + a.strides[d2],)
    return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=a.flags.writeable)


class Diagonal(Function):
    """out = x[..., i, i + offset] over dims d1, d2 (a view; the diagonal is the last dim).   VJP: gx = g on that diagonal, 0 elsewhere."""

    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents (a linear map)
    _array_op = True
    _graph_backward = True
    _is_view = True

    @staticmethod
    def forward(ctx: Any, x: Any, offset: Any, d1: Any, d2: Any) -> Any:
        ctx.shape, ctx.args = x.shape, (offset, d1, d2)
        return _diag_view(x, offset, d1, d2)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if ctx.xp.is_tensor:
            return _diag_write(_zeros_t(ctx.shape, g), g, *ctx.args), None, None, None
        gx = np.zeros(ctx.shape, g.dtype)
        _diag_view(gx, *ctx.args)[...] = g
        return gx, None, None, None


# the diagonal ops' recorded VJPs (backward under create_graph=True): each is another of them
def _zeros_t(shape: tuple[int, ...], like: Any) -> Any:
    """A constant Tensor of zeros in the dtype of Tensor ``like``."""
    from ._util import make

    return make(np.zeros(shape, like._data.dtype))


def _diag_of(g: Any, offset: int, d1: int, d2: int) -> Any:
    """The diagonal ``offset`` of Tensor g over (d1, d2), last (recorded)."""
    return Diagonal.apply(g, offset, d1, d2)


def _diag_write(base: Any, src: Any, offset: int, d1: int, d2: int) -> Any:
    """Tensor ``base`` with that diagonal replaced by ``src`` (recorded)."""
    from .split_join import DiagonalScatter

    return DiagonalScatter.apply(base, src, offset, d1, d2)


# --- public functions: views and reshapes --------------------------------------------------------
def _sizes(args: Sequence[Any], op: str) -> tuple[int, ...]:
    """``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` all give ``(2, 3)``."""
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)) and hasattr(args[0], "__len__"):
        args = tuple(args[0])
    try:
        return tuple(int(a) for a in args)
    except (TypeError, ValueError):
        raise TypeError(
            f"{op}: sizes must be ints; expected a tuple of ints, got {tuple(type(a).__name__ for a in args)}"
        ) from None


def _infer(shape: tuple[int, ...], numel: int, op: str) -> tuple[int, ...]:
    """Resolve one -1 in ``shape`` for ``numel`` elements, with PyTorch's errors."""
    infer = None
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError(f"{op}: only one dimension can be inferred; got shape {shape_str(shape)}")
            infer = i
        elif s < 0:
            raise RuntimeError(f"{op}: invalid shape dimension {s} at index {i} of shape {shape_str(shape)}")
        else:
            known *= s
    if infer is None:
        if known != numel:
            raise RuntimeError(f"{op}: shape '{shape_str(shape)}' is invalid for input of size {numel}")
        return shape
    if known == 0:
        if numel == 0:
            raise RuntimeError(
                f"{op}: cannot reshape tensor of 0 elements into shape {shape_str(shape)} because the "
                "unspecified dimension size -1 can be any value and is ambiguous"
            )
        raise RuntimeError(f"{op}: shape '{shape_str(shape)}' is invalid for input of size {numel}")
    if numel % known:
        raise RuntimeError(f"{op}: shape '{shape_str(shape)}' is invalid for input of size {numel}")
    return shape[:infer] + (numel // known,) + shape[infer + 1 :]


def reshape(input: Any, *shape: Any, **kw: Any) -> Any:  # noqa: A002
    """``input`` with a new shape (one dim may be -1); a view when the strides allow, else a copy."""
    shape = sizes_or_keyword(shape, kw, "shape", "reshape")
    sizes = _infer(_sizes(shape, "reshape"), input._data.size, "reshape")
    return Reshape.apply(input, sizes)


def view(input: Any, *shape: Any, dtype: Any = None, **kw: Any) -> Any:  # noqa: A002
    """Same as ``reshape`` here: NumPy copies where PyTorch's ``view`` would refuse a non-viewable layout.

    ``view(dtype)`` reinterprets the bits instead (see ``bits.view_dtype``)."""
    shape = sizes_or_keyword(shape, kw, "size", "view")
    if dtype is not None or (len(shape) == 1 and isinstance(shape[0], _dtype.dtype)):
        from .bits import view_dtype

        return view_dtype(input, dtype if dtype is not None else shape[0])
    sizes = _infer(_sizes(shape, "view"), input._data.size, "view")
    return Reshape.apply(input, sizes)


def view_as(input: Any, other: Any) -> Any:  # noqa: A002
    """``input.view(other.shape)``."""
    return view(input, other._data.shape)


def reshape_as(input: Any, other: Any) -> Any:  # noqa: A002
    """``input.reshape(other.shape)``."""
    return reshape(input, other._data.shape)


def flatten(input: Any, start_dim: int = 0, end_dim: int = -1) -> Any:  # noqa: A002
    """Merge dims ``start_dim..end_dim`` into one (a 0-d tensor becomes 1-d)."""
    shape = input._data.shape
    if not shape:
        return Reshape.apply(input, (1,))
    s, e = norm_dim(start_dim, len(shape), "flatten"), norm_dim(end_dim, len(shape), "flatten")
    if s > e:
        raise RuntimeError(
            f"flatten: start_dim cannot come after end_dim; expected start_dim <= end_dim, got {s} > {e}"
        )
    if s == e:
        return Reshape.apply(input, shape)
    return Reshape.apply(input, shape[:s] + (int(np.prod(shape[s : e + 1])),) + shape[e + 1 :])


def unflatten(input: Any, dim: int, sizes: Sequence[int]) -> Any:  # noqa: A002
    """Split dim ``dim`` into ``sizes`` (one may be -1)."""
    shape = input._data.shape
    d = norm_dim(dim, len(shape), "unflatten")
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty; expected at least one size, got ()")
    try:
        new = _infer(sizes, shape[d] if shape else 1, "unflatten")
    except RuntimeError:
        raise RuntimeError(
            f"unflatten: Provided sizes {shape_str(sizes)} don't multiply up to the size of dim {dim} "
            f"({shape[d] if shape else 1}) in the input tensor"
        ) from None
    return Reshape.apply(input, shape[:d] + new + shape[d + 1 :])


def permute(input: Any, *dims: Any, **kw: Any) -> Any:  # noqa: A002
    """Reorder the dims (``permute(x, (1, 0))`` or ``x.permute(1, 0)``); a view."""
    nd = input._data.ndim
    dims = _sizes(sizes_or_keyword(dims, kw, "dims", "permute"), "permute")
    if len(dims) != nd:
        raise RuntimeError(
            f"permute: number of dims doesn't match; expected {nd} (input.dim()), got {len(dims)} (len(dims))"
        )
    perm = tuple(norm_dim(d, nd, "permute") for d in dims)
    if len(set(perm)) != nd:
        raise RuntimeError(f"permute: duplicate dims are not allowed; got {list(dims)}")
    return Permute.apply(input, perm)


def transpose(input: Any, dim0: int, dim1: int) -> Any:  # noqa: A002
    """Swap two dims; a view."""
    nd = input._data.ndim
    a, b = norm_dim(dim0, nd, "transpose"), norm_dim(dim1, nd, "transpose")
    if nd < 2 or a == b:
        return Permute.apply(input, tuple(range(nd)))
    perm = list(range(nd))
    perm[a], perm[b] = b, a
    return Permute.apply(input, tuple(perm))


swapaxes = swapdims = transpose


def t(input: Any) -> Any:  # noqa: A002
    """Transpose of a ≤ 2-D tensor (0-d and 1-d come back unchanged)."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(
            f"t: expects a tensor with <= 2 dimensions, but self is {nd}D; use transpose(dim0, dim1) or mT"
        )
    return Permute.apply(input, tuple(range(nd - 1, -1, -1)))


def squeeze(input: Any, dim: int | Sequence[int] | None = None) -> Any:  # noqa: A002
    """Drop size-1 dims (all, or those in ``dim``; a non-1 dim in ``dim`` is left alone)."""
    shape = input._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = norm_dims(dim if isinstance(dim, (list, tuple)) else (dim,), len(shape), "squeeze") or ()
        new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    return Reshape.apply(input, new)


def unsqueeze(input: Any, dim: int) -> Any:  # noqa: A002
    """Insert a size-1 dim at ``dim`` (in ``[-ndim-1, ndim]``)."""
    shape = input._data.shape
    d = norm_dim(dim, len(shape) + 1, "unsqueeze")
    return Reshape.apply(input, shape[:d] + (1,) + shape[d:])


def expand(input: Any, *sizes: Any, **kw: Any) -> Any:  # noqa: A002
    """Broadcast size-1 dims to ``sizes`` without copying (-1 keeps a dim); a read-only view."""
    sizes = _sizes(sizes_or_keyword(sizes, kw, "size", "expand"), "expand")
    shape = input._data.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({len(shape)}); expected sizes for shape "
            f"{shape_str(shape)}, got {shape_str(sizes)}"
        )
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"expand: the expanded size of the tensor ({s}) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            out.append(s)
            continue
        old = shape[i - lead]
        if s == -1:
            s = old
        elif old != s and old != 1:
            raise RuntimeError(
                f"expand: The expanded size of the tensor ({s}) must match the existing size ({old}) at "
                f"non-singleton dimension {i}.  Target sizes: {shape_str(sizes)}.  Tensor sizes: {shape_str(shape)}"
            )
        out.append(s)
    out_t = tuple(out)
    if out_t == shape:
        return Reshape.apply(input, shape)
    return Expand.apply(input, out_t)


def expand_as(input: Any, other: Any) -> Any:  # noqa: A002
    """``input.expand(other.shape)``."""
    return expand(input, other._data.shape)


def broadcast_to(input: Any, size: Sequence[int]) -> Any:  # noqa: A002
    """``input.expand(size)``."""
    return expand(input, tuple(size))


# --- splitting -------------------------------------------------------------------------------------
def _split_at(input: Any, d: int, sizes: Sequence[int]) -> tuple[Any, ...]:
    bounds = tuple(accumulate(sizes[:-1]))
    out = Split.apply(input, d, bounds, False)
    return out if type(out) is tuple else (out,)


def split(tensor: Any, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Any, ...]:
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the listed sizes; views."""
    shape = tensor._data.shape
    d = norm_dim(dim, len(shape), "split")
    n = shape[d] if shape else 1
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes: expects split_sizes to sum exactly to {n} (input tensor's size at "
                f"dimension {d}), but got split_sizes={sizes}"
            )
    else:
        size = int(split_size_or_sections)
        if size < 0 or (size == 0 and n != 0):
            raise RuntimeError(
                f"split: split_size can only be 0 if dimension size is 0; expected a positive "
                f"split_size, got {size} for dimension size {n}"
            )
        sizes = [min(size, n - i) for i in range(0, n, size)] if n else [0]
    return _split_at(tensor, d, sizes)


def chunk(input: Any, chunks: int, dim: int = 0) -> tuple[Any, ...]:  # noqa: A002
    """At most ``chunks`` pieces of size ceil(n / chunks) along ``dim``."""
    if chunks <= 0:
        raise RuntimeError(f"chunk: expects `chunks` to be greater than 0, got: {chunks}")
    shape = input._data.shape
    n = shape[norm_dim(dim, len(shape), "chunk")] if shape else 1
    return split(input, max(-(-n // chunks), 1) if n else 0, dim)


def unbind(input: Any, dim: int = 0) -> tuple[Any, ...]:  # noqa: A002
    """The slices of ``input`` along ``dim``, with that dim removed; views."""
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("unbind: Dimension specified as 0 but tensor has no dimensions")
    d = norm_dim(dim, nd, "unbind")
    if input._data.shape[d] == 0:
        return ()
    out = Split.apply(input, d, None, True)
    return out if type(out) is tuple else (out,)


def narrow(input: Any, dim: int, start: int, length: int) -> Any:  # noqa: A002
    """The slice ``start:start+length`` of dim ``dim``; a view."""
    from .index import getitem

    shape = input._data.shape
    d = norm_dim(dim, len(shape), "narrow")
    n = shape[d]
    start = int(start)
    if not -n <= start <= n:
        raise IndexError(
            f"narrow: start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    if start < 0:
        start += n
    if length < 0 or start + length > n:
        raise RuntimeError(f"narrow: start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return getitem(input, (slice(None),) * d + (slice(start, start + length),))


def movedim(input: Any, source: int | Sequence[int], destination: int | Sequence[int]) -> Any:  # noqa: A002
    """Move dims ``source`` to positions ``destination`` (the others keep their order); a view."""
    nd = input._data.ndim
    src = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
    dst = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain the "
            f"same number of dims as destination ({list(dst)} dims)"
        )
    s = [norm_dim(x, nd, "movedim") for x in src]
    e = [norm_dim(x, nd, "movedim") for x in dst]
    for name, ds, orig in (("source", s, src), ("destination", e, dst)):
        if len(set(ds)) != len(ds):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(orig)})")
    rest = iter(i for i in range(nd) if i not in s)
    where = dict(zip(e, s))
    return Permute.apply(input, tuple(where[i] if i in where else next(rest) for i in range(nd)))


moveaxis = movedim


def diagonal(input: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:  # noqa: A002
    """The diagonal ``offset`` of the (dim1, dim2) planes, as the last dim; a view."""
    nd = input._data.ndim
    d1, d2 = norm_dim(dim1, nd, "diagonal"), norm_dim(dim2, nd, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal: diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, int(offset), d1, d2)


from .arrange import *  # noqa: E402,F403  (arrange imports helpers from this module)
from .arrange import __all__ as _arrange  # noqa: E402

__all__ += _arrange
