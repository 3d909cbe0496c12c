"""Batching rules of the tensor ops: elementwise, reductions and other dim-taking ops, shape ops,
indexing, matmul/einsum.

A rule ``rule(cls, args, levels)`` sees the op's arguments as the op's public function built them for
one sample (logical dims, already checked) and calls the same ``Function`` once on the physical
tensors, whose ``k = len(levels)`` batch dims lead: dims shift by k (negative dims stay), shapes gain
the batch sizes in front, and operands of different ranks are aligned on their logical dims first, so
the batch dims broadcast against each other (an unbatched operand broadcasts from the right as is).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import _views
from ..autograd import function as _fn
from ..ops import (
    activation,
    arrange,
    copy,
    cumulative,
    elementwise,
    gamma,
    index,
    linalg,
    reduce,
    rounding,
    shape,
    special,
    unary,
)
from ._batching import _FAMILIES, BatchedTensor, as_batched, physical, register, sizes_of

__all__: list[str] = []


def _batched(a: Any) -> bool:
    return type(a) is BatchedTensor


# --- elementwise ----------------------------------------------------------------------------------
_ELEMENTWISE = (
    elementwise.Add, elementwise.Sub, elementwise.Mul, elementwise.Div, elementwise.Neg, elementwise.Pow,
    elementwise.Maximum, elementwise.Minimum, elementwise.Where, elementwise.Clamp, elementwise.Abs,
    elementwise.Remainder, elementwise.Fmod, elementwise.Atan2, activation.Relu, activation.Hardtanh,
    activation.Gelu, activation.Silu, activation.Softplus, activation.LeakyRelu, activation.Elu,
    activation.LogSigmoid, copy.Cast, copy.Clone, unary.NanToNum, rounding.ZeroGrad, special.Copysign,
    special.Hypot, special.LogAddExp, special.Xlogy, gamma.Igamma, gamma.Polygamma,
)  # fmt: skip


@register(*_ELEMENTWISE)
def elementwise_rule(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    """Elementwise/broadcasting ops: batched operands padded to the largest logical rank, then the batch
    dims broadcast (NumPy's right-aligned broadcasting does the rest)."""
    rank = max(a._data.ndim for a in args if hasattr(a, "_data"))
    return cls.apply(*[physical(a, levels, rank) if _batched(a) else a for a in args])


_FAMILIES.append((unary._Pointwise, elementwise_rule))  # every one-input map out = f(x), wherever defined


# --- reductions and other ops taking dims -----------------------------------------------------------
def _shift(d: Any, k: int, n: int, kind: str) -> Any:
    """A logical dim spec as a physical one: None = every logical dim (for 'axes'), ints shifted by k."""
    if d is None:
        return tuple(range(k, k + n)) if kind == "axes" else None
    if isinstance(d, (tuple, list)):
        return type(d)(i + k if i >= 0 else i for i in d)
    return d + k if d >= 0 else d


def dim_rule(pos: int, kind: str = "dim") -> Any:
    """The rule of a one-tensor op whose argument ``pos`` names dims (int, tuple, or None = all)."""

    def rule(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
        x = args[0]
        if not _batched(x) or any(_batched(a) for a in args[1:]) or x._data.ndim == 0:
            return NotImplemented
        if kind == "int" and args[pos] is None and x._data.ndim > 1:
            return NotImplemented  # an int-axis op over all dims: not expressible on the batch
        new = list(args)
        new[0] = physical(x, levels)
        new[pos] = _shift(args[pos], len(levels), x._data.ndim, "axes" if kind != "dim" else "dim")
        if kind == "int" and isinstance(new[pos], tuple):
            new[pos] = new[pos][0]
        return cls.apply(*new)

    return rule


for _cls, _pos, _kind in (
    (reduce.Sum, 1, "axes"), (reduce.Mean, 1, "axes"), (reduce.SelectEven, 1, "axes"), (reduce.Var, 1, "axes"),
    (reduce.LogSumExp, 1, "axes"), (reduce.Norm, 2, "axes"), (reduce.Prod, 1, "int"),
    (cumulative.Cumsum, 1, "int"), (cumulative.Cumprod, 1, "int"), (activation.Softmax, 1, "dim"),
    (activation.LogSoftmax, 1, "dim"), (arrange.Flip, 1, "dim"), (shape.Split, 1, "dim"),
    (index.IndexSelect, 1, "dim"),
):  # fmt: skip
    register(_cls)(dim_rule(_pos, _kind))


@register(arrange.Roll)
def _roll(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    x, shifts, dims = args
    if dims is None or not _batched(x):
        return NotImplemented
    return cls.apply(physical(x, levels), shifts, _shift(dims, len(levels), x._data.ndim, "dim"))


@register(shape.Diagonal)
def _diagonal(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    x, offset, d1, d2 = args
    k = len(levels)
    return cls.apply(physical(x, levels), offset, _shift(d1, k, 0, "dim"), _shift(d2, k, 0, "dim"))


@register(arrange.Tri, _views.ViewOf)
def _last_dims(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    """Ops on the last dims only (tril/triu) and identities: the physical tensor as is."""
    if any(_batched(a) for a in args[1:]):
        return NotImplemented
    return cls.apply(physical(args[0], levels), *args[1:])


# --- shape ops ----------------------------------------------------------------------------------------
@register(shape.Reshape)
def _reshape(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    x, new_shape = args
    return cls.apply(physical(x, levels), sizes_of(levels) + tuple(new_shape))


@register(shape.Permute)
def _permute(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    x, dims = args
    k, n = len(levels), x._data.ndim
    return cls.apply(physical(x, levels), tuple(range(k)) + tuple(d % n + k for d in dims))


@register(shape.Expand)
def _expand(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    x, new_shape = args
    p = physical(x, levels, len(new_shape))
    k = len(levels)
    target = tuple(p._data.shape[k + i] if s == -1 else s for i, s in enumerate(new_shape))
    return cls.apply(p, sizes_of(levels) + target)


@register(arrange.Repeat)
def _repeat(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    x, reps = args
    return cls.apply(physical(x, levels, len(reps)), (1,) * len(levels) + tuple(reps))


@register(arrange.Cat, arrange.Stack)
def _cat(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    dim, *xs = args
    if cls is arrange.Cat and any(t._data.shape == (0,) for t in xs):
        return NotImplemented  # legacy empty operands: the loop keeps their special case
    k = len(levels)
    return cls.apply(_shift(dim, k, 0, "dim"), *[physical(t, levels, full=True) for t in xs])


def _is_array(i: Any) -> bool:
    return isinstance(i, (np.ndarray, list)) or hasattr(i, "_data")


@register(index.GetItem)
def _getitem(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    x, idx = args
    idx = idx if isinstance(idx, tuple) else (idx,)
    if any(_is_array(i) or isinstance(i, (bool, np.bool_)) for i in idx):
        return NotImplemented
    return cls.apply(physical(x, levels), (slice(None),) * len(levels) + idx)


@register(index.Index)
def _index(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    """Advanced indexing x[pre][idx]. Unbatched index arrays: the batch dims lead as full slices. Batched
    integer arrays (only arrays, no slices): one ``arange`` per batch dim joins them, so sample b takes
    x[b][idx[b]] in the same single NumPy gather."""
    x, pre, idx = args
    k = len(levels)
    lead = (slice(None),) * k
    batched_idx = [as_batched(i) if isinstance(i, (np.ndarray, _fn.Tensor)) else None for i in idx]
    if pre is not None and any(isinstance(i, (np.ndarray, _fn.Tensor)) and as_batched(i) is not None for i in pre):
        return NotImplemented  # batched indices among the ints applied first: the loop
    if not any(b is not None for b in batched_idx):
        if not _batched(x):
            return NotImplemented
        where = [j for j, i in enumerate(idx) if _is_array(i)]
        if where and where[-1] - where[0] + 1 != len(where):
            return NotImplemented  # separated advanced indices move to the front: not batchable this way
        return cls.apply(physical(x, levels), None if pre is None else lead + tuple(pre), lead + tuple(idx))
    if pre is not None or not all(isinstance(i, np.ndarray) and i.dtype.kind in "iu" for i in idx):
        return NotImplemented
    sizes = sizes_of(levels)
    rank = max(i.ndim for i in idx)
    aranges = tuple(
        np.arange(n).reshape((1,) * j + (n,) + (1,) * (k - 1 - j + rank)) for j, n in enumerate(sizes)
    )
    arrays = tuple(
        i if b is None else physical(b, levels, rank, full=True)._data for i, b in zip(idx, batched_idx)
    )
    return cls.apply(physical(x, levels, full=True), None, aranges + arrays)


_index.sees_nested = True  # type: ignore[attr-defined]


@register(index.Gather)
def _gather(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    x, dim, idx = args
    k = len(levels)
    return cls.apply(physical(x, levels, full=True), _shift(dim, k, 0, "dim"), physical(idx, levels, full=True))


# --- products --------------------------------------------------------------------------------------
def _pad(p: Any, k: int, rank: int) -> Any:
    """Physical ``p`` with 1s inserted after its k batch dims up to logical rank ``rank``."""
    s = p._data.shape
    return p if len(s) - k >= rank else p.reshape(s[:k] + (1,) * (rank - len(s) + k) + s[k:])


@register(linalg.MatMul)
def matmul_rule(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    """a @ b: a batched 1-D operand becomes a row (a) or column (b) matrix, batched operands are padded
    to a common logical rank, one NumPy matmul broadcasts the batch dims, the added dims are dropped."""
    a, b = args
    ra, rb = a._data.ndim, b._data.ndim
    if ra == 0 or rb == 0:
        return NotImplemented
    k = len(levels)
    lift_a, lift_b = _batched(a) and ra == 1, _batched(b) and rb == 1
    pa, pb = physical(a, levels), physical(b, levels)
    if lift_a:
        pa = pa.unsqueeze(-2)
    if lift_b:
        pb = pb.unsqueeze(-1)
    rank = max(ra + lift_a, rb + lift_b)
    if _batched(a):
        pa = _pad(pa, k, rank)
    if _batched(b):
        pb = _pad(pb, k, rank)
    out = cls.apply(pa, pb)
    if lift_b:
        out = out.squeeze(-1)
    if lift_a:
        out = out.squeeze(-1 if lift_b else -2)
    return out


@register(linalg.Einsum)
def _einsum(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    """Explicit einsum letters (the public function expanded ``...``): new letters for the batch dims."""
    (ins, out), *xs = args
    used = set("".join(ins) + out)
    free = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in used]
    if len(free) < len(levels):
        return NotImplemented
    lead = "".join(free[: len(levels)])
    terms = [lead + t if _batched(x) else t for t, x in zip(ins, xs)]
    phys = [physical(x, levels, full=True) if _batched(x) else x for x in xs]
    return cls.apply((type(ins)(terms) if isinstance(ins, (list, tuple)) else terms, lead + out), *phys)
