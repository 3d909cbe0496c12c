"""Order statistics built on sort and gather: quantile, nanquantile, mode.

The ranks are found in NumPy; the values are gathered from the sorted input (or the input) and
interpolated with differentiable ops, so gradients reach the elements each result came from,
weighted as PyTorch weights them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from ._util import check_tensor, make, norm_dim, tensor_cls
from .elementwise import lerp, mul, sub, where
from .index import gather
from .reduce import SelectEven, return_type
from .shape import movedim, reshape, unsqueeze
from .sorting import sort

__all__ = ["quantile", "nanquantile", "mode", "kthvalue", "nanmedian"]

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(op: str, input: Any, q: Any, dim: Any, keepdim: bool, interpolation: str, ignore_nan: bool) -> Any:
    x = check_tensor(input, op)
    a = x._data
    if a.dtype.kind != "f":
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype; got {_dtype.from_numpy_dtype(a.dtype)}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            f"{op}() interpolation must be one of linear, lower, higher, midpoint or nearest. Got {interpolation}"
        )
    T = tensor_cls()
    if isinstance(q, T):
        if q._data.dtype != a.dtype:
            raise RuntimeError(f"{op}() q tensor must be same dtype as the input tensor; got {q.dtype} and {x.dtype}")
        if q._data.ndim > 1:
            raise RuntimeError(f"{op}() q must be a scalar or 1D tensor; got {q._data.ndim} dims")
        qs, scalar_q = q._data.reshape(-1).astype(np.float64), q._data.ndim == 0
    else:
        qs, scalar_q = np.asarray([float(q)]), True
    if qs.size and (qs.min() < 0 or qs.max() > 1):
        raise RuntimeError(f"{op}() q values must be in the range [0, 1]")
    if a.size == 0:
        raise RuntimeError(f"{op}() input tensor must be non-empty")
    if dim is None:
        flat, d = reshape(x, -1), 0
    else:
        d = norm_dim(dim, a.ndim, op)
        flat = x if a.ndim else reshape(x, 1)
    srt = movedim(sort(flat, d).values, d, -1)  # (*rest, n), nan last
    s = srt._data
    n = s.shape[-1]
    nan = np.isnan(s).sum(-1, keepdims=True)  # (*rest, 1)
    if ignore_nan:
        valid = n - nan
        rank = qs * np.maximum(valid - 1, 0)  # (*rest, nq); an all-nan row picks s[0] = nan
    else:
        rank = np.where(nan > 0, n - 1, qs * (n - 1)) * np.ones_like(qs)
    if interpolation == "lower":
        rank = np.floor(rank)
    elif interpolation == "higher":
        rank = np.ceil(rank)
    elif interpolation == "nearest":
        rank = np.round(rank)  # half to even, as PyTorch's round
    lo = np.floor(rank).astype(np.int64)
    hi = np.ceil(rank).astype(np.int64)
    v_lo, v_hi = gather(srt, srt.ndim - 1, make(lo)), gather(srt, srt.ndim - 1, make(hi))
    if interpolation in ("lower", "higher", "nearest"):
        out = v_lo
    elif interpolation == "midpoint":
        out = lerp(v_lo, v_hi, make(np.full(rank.shape, 0.5, a.dtype)))
    elif isinstance(q, T) and q.requires_grad:  # the weight q·(n−1) − lo carries q's gradient
        fixed = (nan == n) if ignore_nan else (nan > 0)  # rows whose rank does not depend on q
        scale = (n - nan - 1) if ignore_nan else np.full_like(nan, n - 1)
        rank_t = where(make(fixed), make(rank.astype(a.dtype)), mul(reshape(q, -1), make(scale.astype(a.dtype))))
        out = lerp(v_lo, v_hi, sub(rank_t, make(lo.astype(a.dtype))))
    else:
        out = lerp(v_lo, v_hi, make((rank - lo).astype(a.dtype)))
    out = movedim(out, -1, 0)  # (nq, *rest)
    if keepdim:
        if dim is None:
            out = reshape(out, (out._data.shape[0],) + (1,) * a.ndim)
        elif a.ndim:
            out = unsqueeze(out, d + 1)
    return reshape(out, out._data.shape[1:]) if scalar_q else out


def quantile(
    input: Any, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear"  # noqa: A002
) -> Any:
    """The q-th quantiles along ``dim`` (all elements when None), interpolating between order
    statistics; a 1-D ``q`` adds a leading dim. A slice holding nan gives nan."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


def nanquantile(
    input: Any, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear"  # noqa: A002
) -> Any:
    """``quantile`` ignoring nan (nan only where a slice is all nan)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


def _mode_index(a: np.ndarray) -> np.ndarray:
    """Per row of a 2-D array: the index of the last occurrence of the most frequent value (the smallest among ties)."""
    out = np.zeros(a.shape[0], np.int64)
    for r, row in enumerate(a):
        vals, counts = np.unique(row, return_counts=True)
        best = vals[np.argmax(counts)]  # np.unique is ascending: argmax takes the smallest tie
        out[r] = np.flatnonzero(row == best)[-1]
    return out


def mode(input: Any, dim: int = -1, keepdim: bool = False) -> Any:  # noqa: A002
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest among ties) and its last index."""
    x = check_tensor(input, "mode")
    a = x._data
    if not a.ndim:
        norm_dim(dim, 0, "mode")
        zero = make(np.zeros(1, np.int64))
        return return_type("mode")(reshape(gather(reshape(x, 1), 0, zero), ()), make(np.zeros((), np.int64)))
    d = norm_dim(dim, a.ndim, "mode")
    if a.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size; got shape {list(a.shape)}")
    moved = np.moveaxis(a, d, -1)
    idx = _mode_index(moved.reshape(-1, moved.shape[-1])).reshape(moved.shape[:-1])
    idx = np.expand_dims(idx, d)
    values = gather(x, d, make(idx))
    if not keepdim:
        values, idx = reshape(values, values._data.shape[:d] + values._data.shape[d + 1 :]), np.squeeze(idx, d)
    return return_type("mode")(values, make(idx))


def kthvalue(input: Any, k: int, dim: int = -1, keepdim: bool = False) -> Any:  # noqa: A002
    """``(values, indices)``: the k-th smallest element (k counts from 1) along ``dim``."""
    x = check_tensor(input, "kthvalue")
    a = x._data
    d = norm_dim(dim, a.ndim, "kthvalue")
    n = a.shape[d] if a.ndim else 1
    if not 1 <= k <= n:
        raise IndexError(f"kthvalue(): selected number k out of range for dimension {d}; expected 1 <= k <= {n}, got {k}")
    flat = x if a.ndim else reshape(x, 1)
    order = np.argsort(flat._data, axis=d, kind="stable")
    idx = np.take(order, [k - 1], axis=d)
    return _pick("kthvalue", x, flat, d, idx, keepdim)


def _pick(op: str, x: Any, flat: Any, d: int, idx: np.ndarray, keepdim: bool) -> Any:
    """``(values, indices)`` gathered at ``idx`` (size 1 along d), the dim dropped unless ``keepdim``."""
    values = gather(flat, d, make(idx))
    if not x._data.ndim:
        return return_type(op)(reshape(values, ()), make(idx.reshape(())))
    if not keepdim:
        values, idx = reshape(values, values._data.shape[:d] + values._data.shape[d + 1 :]), np.squeeze(idx, d)
    return return_type(op)(values, make(idx))


def _lower_nanmedian(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    v = x.reshape(-1)
    v = v[~np.isnan(v)] if v.dtype.kind == "f" else v
    if not v.size:
        return np.asarray(np.nan, dtype=x.dtype)
    return np.partition(v, (v.size - 1) // 2)[(v.size - 1) // 2]


def nanmedian(input: Any, dim: int | None = None, keepdim: bool = False) -> Any:  # noqa: A002
    """``median`` ignoring nan: the lower median of the non-nan values (nan only if all are nan)."""
    x = check_tensor(input, "nanmedian")
    a = x._data
    if dim is None:
        return SelectEven.apply(x, None, False, _lower_nanmedian, True)
    d = norm_dim(dim, a.ndim, "nanmedian")
    flat = x if a.ndim else reshape(x, 1)
    f = flat._data
    if f.shape[d] == 0:
        raise IndexError(f"nanmedian(): Expected reduction dim {d} to have non-zero size; got shape {list(a.shape)}")
    order = np.argsort(f, axis=d, kind="stable")  # nan sort last
    valid = (~np.isnan(f)).sum(axis=d, keepdims=True) if f.dtype.kind == "f" else np.full_like(order[:1], f.shape[d])
    k = np.where(valid == 0, (f.shape[d] - 1) // 2, np.maximum(valid - 1, 0) // 2)  # all nan: the middle one
    idx = np.take_along_axis(order, k, axis=d)
    return _pick("nanmedian", x, flat, d, idx, keepdim)
