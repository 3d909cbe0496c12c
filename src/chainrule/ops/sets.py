"""Sets, counts and bins: unique, unique_consecutive, bincount, histc, bucketize, searchsorted,
argwhere. Their outputs are indices, counts or selected values that carry no gradient (PyTorch
defines none for them either).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from ._util import check_tensor, make, norm_dim, shape_str, tensor_cls
from .index import nonzero

__all__ = ["unique", "unique_consecutive", "bincount", "histc", "bucketize", "searchsorted", "argwhere", "isin"]


def _pack(values: Any, inverse: Any, counts: Any, return_inverse: bool, return_counts: bool) -> Any:
    out = [make(values)]
    if return_inverse:
        out.append(make(inverse.astype(np.int64, copy=False)))
    if return_counts:
        out.append(make(counts.astype(np.int64, copy=False)))
    return out[0] if len(out) == 1 else tuple(out)


def unique(
    input: Any,  # noqa: A002
    sorted: bool = True,  # noqa: A002
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct elements (or slices along ``dim``) in ascending order; optionally the inverse
    (where each input element went) and the counts. The result is always sorted, as on PyTorch's CPU."""
    a = check_tensor(input, "unique")._data
    if dim is None:
        vals, inv, cnt = np.unique(a.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False)
        return _pack(vals, inv.reshape(a.shape), cnt, return_inverse, return_counts)
    d = norm_dim(dim, a.ndim, "unique")
    if any(n == 0 for i, n in enumerate(a.shape) if i != d):
        raise RuntimeError(
            f"unique: There are 0 sized dimensions, and they aren't selected, so unique cannot be applied; "
            f"shape {shape_str(a.shape)}, dim {d}"
        )
    if a.ndim and a.shape[d] == 0:
        return _pack(a.copy(), np.zeros(0, np.int64), np.zeros(0, np.int64), return_inverse, return_counts)
    if not a.ndim:
        a = a.reshape(1)
    vals, inv, cnt = np.unique(a, axis=d, return_inverse=True, return_counts=True)
    return _pack(vals, inv.reshape(-1), cnt, return_inverse, return_counts)


def unique_consecutive(
    input: Any, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None  # noqa: A002
) -> Any:
    """Collapse each run of equal consecutive elements (or slices along ``dim``) to one."""
    a = check_tensor(input, "unique_consecutive")._data
    if dim is None:
        flat = a.reshape(-1)
        rows, shape_inv = flat.reshape(-1, 1), a.shape
    else:
        d = norm_dim(dim, a.ndim, "unique_consecutive")
        moved = np.moveaxis(a if a.ndim else a.reshape(1), d, 0)
        rows, shape_inv = moved.reshape(moved.shape[0], -1), (moved.shape[0],)
    n = rows.shape[0]
    new = np.ones(n, bool)
    if n > 1:
        new[1:] = np.any(rows[1:] != rows[:-1], axis=1) if rows.shape[1] else False
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, n))
    inverse = (np.cumsum(new) - 1).reshape(shape_inv)
    if dim is None:
        vals = flat[starts]
    else:
        vals = np.take(a if a.ndim else a.reshape(1), starts, axis=d)
    return _pack(vals, inverse, counts, return_inverse, return_counts)


def bincount(input: Any, weights: Any = None, minlength: int = 0) -> Any:  # noqa: A002
    """Occurrences of each value 0, 1, … in a 1-D non-negative integer tensor (summed ``weights`` if given)."""
    a = check_tensor(input, "bincount")._data
    if a.dtype.kind not in "iub":
        raise NotImplementedError(
            f'bincount: "bincount_cpu" not implemented for {_dtype.from_numpy_dtype(a.dtype)}; expected an integer tensor'
        )
    if a.ndim != 1 or a.dtype.kind not in "iu" or (a.size and a.min() < 0):
        raise RuntimeError(
            f"bincount: bincount only supports 1-d non-negative integral inputs; got a {a.ndim}-d tensor "
            f"of dtype {_dtype.from_numpy_dtype(a.dtype) if a.dtype.kind in 'fbiu' else a.dtype}"
        )
    if minlength < 0:
        raise RuntimeError(f"bincount: minlength should be >= 0; got {minlength}")
    if weights is None:
        return make(np.bincount(a, minlength=minlength).astype(np.int64))
    w = check_tensor(weights, "bincount", "weights")._data
    if w.shape != a.shape:
        raise RuntimeError(
            f"bincount: weights should be 1-d and have the same length as input; got {shape_str(w.shape)} "
            f"for input {shape_str(a.shape)}"
        )
    dt = np.float32 if w.dtype == np.float32 else np.float64
    return make(np.bincount(a, weights=w.astype(np.float64), minlength=minlength).astype(dt))


def histc(input: Any, bins: int = 100, min: float = 0, max: float = 0) -> Any:  # noqa: A002
    """Histogram of ``bins`` equal-width bins over [min, max] (the data's range when min = max); values outside are ignored."""
    a = check_tensor(input, "histc")._data
    if a.dtype.kind != "f":
        raise NotImplementedError(
            f'histc: "histogram_cpu" not implemented for {_dtype.from_numpy_dtype(a.dtype)}; expected a floating-point tensor'
        )
    if bins <= 0:
        raise RuntimeError(f"histc: bins must be > 0, but got {bins}")
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:
        lo, hi = lo - 1.0, hi + 1.0
    if lo > hi or not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"histc: range of [{lo}, {hi}] is not finite or min > max")
    v = a.reshape(-1).astype(np.float64)
    v = v[(v >= lo) & (v <= hi)]
    pos = ((v - lo) * bins / (hi - lo)).astype(np.int64)
    pos[pos == bins] = bins - 1  # the upper edge belongs to the last bin
    return make(np.bincount(pos, minlength=bins).astype(a.dtype))


def _search(seq: Any, vals: Any, side: str, sorter: Any) -> np.ndarray:
    if seq.ndim <= 1:
        return np.searchsorted(seq, vals, side=side, sorter=sorter)
    lead = seq.shape[:-1]
    flat_s = seq.reshape(-1, seq.shape[-1])
    flat_v = vals.reshape(flat_s.shape[0], -1)
    flat_o = None if sorter is None else sorter.reshape(flat_s.shape)
    out = np.stack([
        np.searchsorted(s, v, side=side, sorter=None if flat_o is None else o)
        for s, v, o in zip(flat_s, flat_v, flat_o if flat_o is not None else [None] * len(flat_s))
    ]) if flat_s.shape[0] else np.zeros(flat_v.shape, np.int64)  # fmt: skip
    return out.reshape(*lead, -1)


def searchsorted(
    sorted_sequence: Any,
    input: Any,  # noqa: A002
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Any = None,
) -> Any:
    """Where each value of ``input`` would be inserted in the last dim of ``sorted_sequence`` to keep it sorted."""
    T = tensor_cls()
    seq = check_tensor(sorted_sequence, "searchsorted", "sorted_sequence")._data
    scalar = not isinstance(input, T)
    vals = np.asarray(input) if scalar else input._data
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"searchsorted: side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("searchsorted: side and right can't be set to opposites, got side of left while right was True")
        right = side == "right"
    if seq.ndim > 1 and (scalar or vals.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(
            f"searchsorted: boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries "
            f"tensor and input value tensor must match, but we got boundaries tensor {shape_str(seq.shape)} and "
            f"input value tensor {shape_str(vals.shape)}"
        )
    order = None
    if sorter is not None:
        order = check_tensor(sorter, "searchsorted", "sorter")._data
        if order.shape != seq.shape:
            raise RuntimeError(
                f"searchsorted: boundary and sorter must have the same size, but got boundary tensor "
                f"{shape_str(seq.shape)} and got sorter tensor {shape_str(order.shape)}"
            )
    out = _search(seq, vals, "right" if right else "left", order)
    return make(np.asarray(out).astype(np.int32 if out_int32 else np.int64))


def bucketize(input: Any, boundaries: Any, *, out_int32: bool = False, right: bool = False) -> Any:  # noqa: A002
    """The bucket of each value given sorted 1-D ``boundaries``: i with b[i−1] < x ≤ b[i] (``right``: b[i−1] ≤ x < b[i])."""
    b = check_tensor(boundaries, "bucketize", "boundaries")._data
    if b.ndim != 1:
        raise RuntimeError(f"bucketize: boundaries tensor must be 1 dimension, but got dim({b.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def argwhere(input: Any) -> Any:  # noqa: A002
    """Indices of the non-zero elements as an int64 (N, ndim) tensor (``nonzero``)."""
    return nonzero(check_tensor(input, "argwhere"))


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False) -> Any:
    """True where an element of ``elements`` occurs in ``test_elements`` (either may be a number)."""
    T = tensor_cls()
    if not isinstance(elements, T) and not isinstance(test_elements, T):
        raise TypeError("isin(): at least one of 'elements' and 'test_elements' must be a Tensor")
    a = elements._data if isinstance(elements, T) else np.asarray(elements)
    b = test_elements._data if isinstance(test_elements, T) else np.asarray(test_elements)
    return make(np.isin(a, b.reshape(-1), invert=invert))
