"""Indexing: ``x[idx]``, ``x[idx] = v``, gather/scatter, index_select/index_add, masks, one_hot.

Basic indexing (ints, slices, None, ...) returns a NumPy view; advanced indexing (integer or bool
arrays) copies. Backward scatters ``g`` back with ``np.add.at`` wherever an index may repeat, so
repeated indices accumulate their gradients.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from ._util import Function, _cast_to, broadcast_error, make, norm_dim, shape_str, tensor_cls

__all__ = [
    "getitem", "index_put", "gather", "scatter_add", "scatter", "index_select", "index_add",
    "take_along_dim", "nonzero", "masked_select", "one_hot",
]  # fmt: skip


class GetItem(Function):
    """out = x[idx] for basic indices (ints, slices, None, ...; a view).   VJP: gx = 0 with gx[idx] = g."""

    _array_op = True
    _graph_backward = True
    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents
    _is_view = True

    @staticmethod
    def forward(ctx: Any, x: Any, idx: Any) -> Any:
        ctx.shape, ctx.idx = x.shape, idx
        out = x[idx]
        return out if type(out) is np.ndarray else x[(*idx, Ellipsis)]  # a 0-d view, not a scalar

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return ctx.xp.scatter_zeros(ctx.shape, ctx.idx, g, False), None


class Index(Function):
    """out = x[pre][idx] with integer/bool arrays in idx (a copy; ``pre`` holds the ints, applied first
    as PyTorch does).   VJP: gx = 0, then gx[pre][idx] += g (repeated indices add up)."""

    _array_op = True
    _graph_backward = True
    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents

    @staticmethod
    def forward(ctx: Any, x: Any, pre: Any, idx: Any) -> Any:
        ctx.shape, ctx.pre, ctx.idx = x.shape, pre, idx
        return (x if pre is None else x[pre])[idx]

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        idx = ctx.idx
        # masks and slices never repeat a position: plain assignment; integer arrays may: add up
        repeats = not all(type(i) is not np.ndarray or i.dtype == np.bool_ for i in idx)
        return ctx.xp.scatter_zeros(ctx.shape, idx, g, repeats, ctx.pre), None, None


class IndexPut(Function):
    """out = x with out[idx] = v (or += v when ``accumulate``).   VJP: gx = g (0 at idx unless accumulating),  gv = g[idx]."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, pre: Any, idx: Any, v: Any, accumulate: Any) -> Any:
        ctx.pre, ctx.idx, ctx.vshape, ctx.accumulate = pre, idx, np.shape(v), accumulate
        out = x.copy()
        tgt = out if pre is None else out[pre]  # a view: ``pre`` is basic
        if accumulate:
            np.add.at(tgt, idx, v)
        else:
            tgt[idx] = v
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        pre, idx, xp = ctx.pre, ctx.idx, ctx.xp
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = g
            if not ctx.accumulate:
                if xp.is_tensor:  # (a mask of the written positions: the recorded form of the zeroing)
                    hit = np.zeros(g.shape, bool)
                    (hit if pre is None else hit[pre])[idx] = True
                    gx = xp.where(hit, 0.0, g)
                else:
                    gx = g.copy()
                    (gx if pre is None else gx[pre])[idx] = 0
        if ctx.needs_input_grad[3]:
            gv = xp.take_at(g, idx, pre)
            if gv.ndim < len(ctx.vshape):  # v may carry extra leading 1s
                gv = xp.reshape(gv, (1,) * (len(ctx.vshape) - gv.ndim) + tuple(gv.shape))
        return gx, None, None, gv, None


def _fancy(idx: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """The advanced index that picks ``x[i₀, …, idx[i], …]`` for every position i of ``idx``."""
    nd = idx.ndim
    return tuple(
        idx if d == dim else np.arange(n).reshape((1,) * d + (n,) + (1,) * (nd - d - 1))
        for d, n in enumerate(idx.shape)
    )


class Gather(Function):
    """out[i] = x[i with i_dim replaced by idx[i]].   VJP: gx = 0, then gx[…, idx, …] += g."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, dim: Any, idx: Any) -> Any:
        fancy = _fancy(idx, dim)
        ctx.shape, ctx.fancy = x.shape, fancy
        return x[fancy]

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return ctx.xp.scatter_zeros(ctx.shape, ctx.fancy, g, True), None, None


class Scatter(Function):
    """out = x with out[…, idx, …] = src (reduce None), += src ('add') or *= src ('multiply').
    VJP: gx = g (0 where written, unless adding),  gsrc = g[…, idx, …] (0 outside idx's extent)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, dim: Any, idx: Any, src: Any, reduce: Any) -> Any:
        fancy = _fancy(idx, dim)
        ctx.fancy, ctx.reduce, ctx.sshape, ctx.ishape = fancy, reduce, np.shape(src), idx.shape
        if np.ndim(src):
            src = src[tuple(slice(0, n) for n in idx.shape)]
        out = x.copy()
        if reduce is None:
            out[fancy] = src
        elif reduce == "add":
            np.add.at(out, fancy, src)
        else:
            np.multiply.at(out, fancy, src)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if ctx.reduce == "multiply":
            raise RuntimeError("scatter: derivative for scatter with reduce='multiply' is not implemented")
        fancy, xp = ctx.fancy, ctx.xp
        gx = gsrc = None
        if ctx.needs_input_grad[0]:
            gx = g if ctx.reduce is not None else xp.zero_at(g, fancy)
        if ctx.needs_input_grad[3]:
            gsrc = xp.scatter_zeros(ctx.sshape, tuple(slice(0, n) for n in ctx.ishape), xp.take_at(g, fancy), False)
        return gx, None, None, gsrc, None


class IndexSelect(Function):
    """out = x[…, idx, …] (idx along ``dim``).   VJP: gx = 0, then gx[…, idx, …] += g."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, dim: Any, idx: Any) -> Any:
        ctx.shape, ctx.dim, ctx.idx = x.shape, dim, idx
        return np.take(x, idx, axis=dim)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return ctx.xp.scatter_zeros(ctx.shape, (slice(None),) * ctx.dim + (ctx.idx,), g, True), None, None


class IndexAdd(Function):
    """out = x with out[…, idx[j], …] += α·src[…, j, …] along ``dim``.   VJP: gx = g,  gsrc = α·g[…, idx, …]."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, dim: Any, idx: Any, src: Any, alpha: Any) -> Any:
        ctx.dim, ctx.idx, ctx.alpha = dim, idx, alpha
        out = x.copy()
        np.add.at(out, (slice(None),) * dim + (idx,), src if alpha == 1 else alpha * src)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        gsrc = None
        if ctx.needs_input_grad[3]:
            gsrc = ctx.xp.take(g, ctx.idx, axis=ctx.dim)
            if ctx.alpha != 1:
                gsrc = gsrc * ctx.alpha
        return g, None, None, gsrc, None


# --- x[index] and x[index] = value ----------------------------------------------------------------
def _as_index(i: Any, T: Any) -> np.ndarray:
    """One advanced index item (Tensor, ndarray, list) as an integer or bool array."""
    if isinstance(i, T):
        a = i._data
    elif isinstance(i, np.ndarray):
        a = i
    else:
        a = np.asarray([x._data if isinstance(x, T) else x for x in i] if isinstance(i, list) else i)
        if a.size == 0 and a.dtype.kind == "f":
            a = a.astype(np.int64)
    kind = a.dtype.kind
    if kind == "u" and a.dtype == np.uint8:
        return a.astype(bool)
    if kind not in "iub":
        raise IndexError(
            f"index: tensors used as indices must be long, int, byte or bool tensors; got dtype "
            f"{_dtype.from_numpy_dtype(a.dtype) if kind in 'fc' else a.dtype}"
        )
    return a


def _parse(index: Any) -> tuple[tuple[Any, ...], bool]:
    """``index`` as a NumPy index tuple, and whether it holds advanced (array) items.

    0-d integer tensors count as ints, as in PyTorch."""
    T = tensor_cls()
    items = index if type(index) is tuple else (index,)
    out: list[Any] = []
    adv = False
    for i in items:
        tp = type(i)
        if tp is int or i is None or i is Ellipsis:
            out.append(i)
        elif tp is slice:
            if i.step is not None and int(i.step) <= 0:
                raise ValueError(f"index: step must be greater than zero; got slice step {int(i.step)}")
            out.append(i)
        elif tp is bool or isinstance(i, np.bool_):
            out.append(bool(i))
            adv = True
        elif isinstance(i, np.integer):
            out.append(int(i))
        elif isinstance(i, (T, np.ndarray, list, tuple, range)):
            a = _as_index(list(i) if tp is range else i, T)
            if a.ndim == 0 and a.dtype.kind in "iu":
                out.append(int(a))
            else:
                out.append(a)
                adv = True
        else:
            try:
                out.append(i.__index__())
            except AttributeError:
                raise IndexError(
                    "index: only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                    f"Variables are valid indices; got {type(i).__name__}"
                ) from None
    return tuple(out), adv


def _stages(idx: tuple[Any, ...]) -> tuple[tuple[Any, ...] | None, tuple[Any, ...]]:
    """Split an advanced index into (ints and slices, then arrays): PyTorch selects the ints first,
    so they never count as advanced indices (NumPy's placement of the indexed dims differs)."""
    if not any(type(i) is int for i in idx):
        return None, idx
    pre: list[Any] = []
    post: list[Any] = []
    for i in idx:
        if type(i) is np.ndarray or type(i) is bool:
            pre.extend([slice(None)] * (i.ndim if type(i) is np.ndarray and i.dtype == np.bool_ else 1))
            post.append(i)
        elif type(i) is int:
            pre.append(i)
        else:
            pre.append(i)
            post.append(i if i is Ellipsis else slice(None))
    return tuple(pre), tuple(post)


def _index_error(e: Exception, input: Any = None) -> IndexError:  # noqa: A002
    msg = str(e).replace("axis", "dimension").replace("arrays", "tensors").replace("array", "tensor")
    if input is not None and input._data.ndim == 0:  # old code's ``loss.data[0]``: PyTorch's hint
        msg = f"invalid index of a 0-dim tensor ({msg}). Use `tensor.item()` to convert a 0-dim tensor to a number"
    return IndexError(f"index: {msg}")


def getitem(input: Any, index: Any) -> Any:  # noqa: A002
    """``input[index]``: basic indices give a view, integer/bool tensors a copy (NumPy/PyTorch rules)."""
    idx, adv = _parse(index)
    try:
        return Index.apply(input, *_stages(idx)) if adv else GetItem.apply(input, idx)
    except IndexError as e:
        raise _index_error(e, input) from None


def index_put(input: Any, indices: Any, values: Any, accumulate: bool = False) -> Any:  # noqa: A002
    """A copy of ``input`` with ``input[indices] = values`` (``+=`` when ``accumulate``); ``values`` broadcast and cast to input's dtype."""
    idx, adv = _parse(indices)
    pre, idx = _stages(idx) if adv else (None, idx)
    T = tensor_cls()
    dt = input._data.dtype
    if isinstance(values, T):
        if values._data.dtype != dt:
            values = _cast_to(values, _dtype.from_numpy_dtype(dt))
    else:
        values = (
            np.asarray(values, dtype=dt)
            if not isinstance(values, np.ndarray)
            else values.astype(dt, copy=False)
        )
    try:
        return IndexPut.apply(input, pre, idx, values, bool(accumulate))
    except IndexError as e:
        raise _index_error(e) from None
    except ValueError:
        vshape = values._data.shape if isinstance(values, T) else np.shape(values)
        tshape = (input._data if pre is None else input._data[pre])[idx].shape
        raise RuntimeError(
            f"index_put: shape mismatch: value tensor of shape {shape_str(vshape)} cannot be "
            f"broadcast to indexing result of shape {shape_str(tshape)}"
        ) from None


# --- gather / scatter ------------------------------------------------------------------------------
def _int_index(index: Any, op: str, what: str = "int64") -> np.ndarray:
    T = tensor_cls()
    a = index._data if isinstance(index, T) else np.asarray(index)
    if a.dtype.kind not in "iu":
        raise RuntimeError(
            f"{op}: Expected dtype {what} for index; got {_dtype.from_numpy_dtype(a.dtype) if a.dtype.kind in 'fb' else a.dtype}"
        )
    return a


def _check_bounds(idx: np.ndarray, n: int, dim: int, op: str, exc: type = RuntimeError) -> None:
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx[(idx < 0) | (idx >= n)].flat[0]
        raise exc(f"{op}: index {bad} is out of bounds for dimension {dim} with size {n}")


def _gather_checks(x: Any, dim: int, idx: np.ndarray, op: str, src: Any = None) -> int:
    shape = x._data.shape
    nd = len(shape)
    d = norm_dim(dim, nd, op)
    if idx.ndim != nd:
        raise RuntimeError(
            f"{op}: Index tensor must have the same number of dimensions as input tensor; expected "
            f"{nd}, got {idx.ndim}"
        )
    if src is not None and idx.ndim != np.ndim(src):
        raise RuntimeError(
            f"{op}: Index tensor must have the same number of dimensions as src tensor; expected "
            f"{idx.ndim}, got {np.ndim(src)}"
        )
    for i, (a, b) in enumerate(zip(idx.shape, shape)):
        if (i != d and a > b) or (src is not None and a > np.shape(src)[i]):
            extra = (
                f" and to be no larger size than src {shape_str(np.shape(src))}" if src is not None else ""
            )
            raise RuntimeError(
                f"{op}: Size does not match at dimension {i}; expected index {shape_str(idx.shape)} to be "
                f"no larger than self {shape_str(shape)} apart from dimension {d}{extra}"
            )
    _check_bounds(idx, shape[d] if nd else 1, d, op)
    return d


def gather(input: Any, dim: int, index: Any, *, sparse_grad: bool = False) -> Any:  # noqa: A002
    """``out[i][j] = input[index[i][j]][j]`` (dim=0) etc.: values picked along ``dim``; out has index's shape."""
    idx = _int_index(index, "gather")
    d = _gather_checks(input, dim, idx, "gather")
    if not idx.ndim:
        return Gather.apply(input.reshape(1), 0, idx.reshape(1)).reshape(())
    return Gather.apply(input, d, idx)


def _scatter_src(input: Any, src: Any, op: str) -> Any:
    T = tensor_cls()
    if isinstance(src, T):
        if src._data.dtype != input._data.dtype:
            raise RuntimeError(
                f"{op}: Expected self.dtype to be equal to src.dtype; got {input.dtype} and {src.dtype}"
            )
        return src
    return np.asarray(src, dtype=input._data.dtype)


def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Any:  # noqa: A002
    """A copy of ``input`` with ``src`` added at the positions ``index`` names along ``dim`` (repeats add)."""
    idx = _int_index(index, "scatter_add")
    src = _scatter_src(input, src, "scatter_add")
    d = _gather_checks(input, dim, idx, "scatter_add", src._data if hasattr(src, "_data") else src)
    return Scatter.apply(input, d, idx, src, "add")


def scatter(
    input: Any,
    dim: int,
    index: Any,
    src: Any = None,
    *,
    value: Any = None,
    reduce: str | None = None,  # noqa: A002
) -> Any:
    """A copy of ``input`` with ``src`` (a tensor) or ``value`` (a number) written at ``index`` along ``dim``."""
    if src is None:
        if value is None:
            raise TypeError("scatter: expected either 'src' or 'value'; got neither")
        src = value
    if reduce not in (None, "add", "multiply"):
        raise RuntimeError(f"scatter: reduce argument must be either add or multiply; got {reduce!r}")
    idx = _int_index(index, "scatter")
    src = _scatter_src(input, src, "scatter")
    sdata = src._data if hasattr(src, "_data") else src
    d = _gather_checks(input, dim, idx, "scatter", sdata if np.ndim(sdata) else None)
    return Scatter.apply(input, d, idx, src, reduce)


def index_select(input: Any, dim: int, index: Any) -> Any:  # noqa: A002
    """The slices ``index`` (1-D) of ``input`` along ``dim``."""
    idx = _int_index(index, "index_select", "int32 or int64")
    if idx.ndim > 1:
        raise IndexError(f"index_select: Index is supposed to be a vector; got shape {shape_str(idx.shape)}")
    shape = input._data.shape
    d = norm_dim(dim, len(shape), "index_select")
    if not shape:
        return getitem(input.reshape(1), idx.reshape(-1)).reshape(idx.shape)
    if idx.size and (idx.min() < 0 or idx.max() >= shape[d]):
        raise IndexError(
            f"index_select: index out of range in self; expected indices in [0, {shape[d]}) for dimension {d}"
        )
    return IndexSelect.apply(input, d, idx.reshape(-1))


def index_add(input: Any, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Any:  # noqa: A002
    """A copy of ``input`` with ``alpha * source[..., j, ...]`` added at ``index[j]`` along ``dim``."""
    idx = _int_index(index, "index_add", "int32 or int64").reshape(-1)
    shape, sshape = input._data.shape, source._data.shape
    d = norm_dim(dim, len(shape), "index_add")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"index_add_(): self ({input.dtype}) and source ({source.dtype}) must have the same scalar type"
        )
    if (
        len(sshape) != len(shape)
        or any(a != b for i, (a, b) in enumerate(zip(shape, sshape)) if i != d)
        or (shape and sshape[d] != idx.size)
    ):
        raise RuntimeError(
            f"index_add_(): Number of indices ({idx.size}) should be equal to source.size(dim) and source "
            f"must match self apart from dim {d}; expected source shape like {shape_str(shape)}, got {shape_str(sshape)}"
        )
    _check_bounds(idx, shape[d] if shape else 1, d, "index_add", IndexError)
    return IndexAdd.apply(input, d, idx, source, alpha)


def take_along_dim(input: Any, indices: Any, dim: int | None = None) -> Any:  # noqa: A002
    """``gather`` with broadcasting between ``input`` and ``indices`` (flattened both when dim is None)."""
    from .shape import expand, reshape

    T = tensor_cls()
    idx_t = indices if isinstance(indices, T) else make(np.asarray(indices))
    if idx_t._data.dtype.kind not in "iu":
        raise RuntimeError(f"take_along_dim: dtype of indices should be Long but got {idx_t.dtype}")
    if dim is None:
        return gather(reshape(input, -1), 0, idx_t._data.reshape(-1))
    xs, ish = input._data.shape, idx_t._data.shape
    if len(xs) != len(ish):
        raise RuntimeError(
            f"take_along_dim: input and indices should have the same number of dimensions, but got "
            f"{len(xs)} dimensions for input, and {len(ish)} dimensions for indices"
        )
    d = norm_dim(dim, len(xs), "take_along_dim")
    try:
        common = np.broadcast_shapes(xs[:d] + (1,) + xs[d + 1 :], ish[:d] + (1,) + ish[d + 1 :])
    except ValueError:
        raise broadcast_error("take_along_dim", xs, ish) from None
    x_b = expand(input, common[:d] + (xs[d],) + common[d + 1 :])
    i_b = np.broadcast_to(idx_t._data, common[:d] + (ish[d],) + common[d + 1 :])
    return gather(x_b, d, i_b)


# --- masks, nonzero, one_hot ---------------------------------------------------------------------
def nonzero(input: Any, *, as_tuple: bool = False) -> Any:  # noqa: A002
    """Indices of the non-zero elements: int64 [N, ndim], or a tuple of ndim 1-D tensors."""
    a = input._data
    if as_tuple:
        if a.ndim == 0:
            return (make(np.zeros(int(a != 0), np.int64)),)
        return tuple(make(i.astype(np.int64, copy=False)) for i in np.nonzero(a))
    return make(np.argwhere(a).astype(np.int64, copy=False))


def masked_select(input: Any, mask: Any) -> Any:  # noqa: A002
    """The elements of ``input`` where ``mask`` (broadcast with it) is True, as a 1-D tensor."""
    from .shape import expand

    T = tensor_cls()
    m = mask._data if isinstance(mask, T) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(
            f"masked_select: expected BoolTensor for mask; got {_dtype.from_numpy_dtype(m.dtype)}"
        )
    xs = input._data.shape
    try:
        common = np.broadcast_shapes(xs, m.shape)
    except ValueError:
        raise broadcast_error("masked_select", xs, m.shape) from None
    x = input if common == xs else expand(input, common)
    return Index.apply(x, None, (np.broadcast_to(m, common),))


def one_hot(tensor: Any, num_classes: int = -1) -> Any:
    """int64 one-hot encoding of class indices: shape ``tensor.shape + (num_classes,)``."""
    a = tensor._data
    if a.dtype != np.int64:
        raise RuntimeError(
            f"one_hot: one_hot is only applicable to index tensor of type LongTensor; got {tensor.dtype}"
        )
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError(
                "one_hot: Can not infer total number of classes from empty tensor; pass num_classes"
            )
        num_classes = int(a.max()) + 1
    if a.size:
        if a.min() < 0:
            raise RuntimeError("one_hot: Class values must be non-negative; got a negative class")
        if a.max() >= num_classes:
            raise RuntimeError(
                f"one_hot: Class values must be smaller than num_classes; expected < {num_classes}, got {int(a.max())}"
            )
    return make((a[..., None] == np.arange(num_classes)).astype(np.int64))
