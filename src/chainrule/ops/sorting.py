"""Sorting, order statistics and sampling: sort, argsort, msort, topk, median, multinomial.

The order is found in NumPy (stable sorts, NaN sorted as the largest value, as PyTorch); the values
are then ``gather``-ed from the input, so their gradient flows back to the selected positions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype, _random
from . import copy as _copy
from . import index as _index
from ._numpy_names import numpy_names
from ._util import make, norm_dim
from .reduce import SelectEven, _data, _select_along, return_type

__all__ = ["sort", "argsort", "msort", "topk", "median", "multinomial"]


def _order(x: Any, d: int, descending: bool) -> Any:
    """Stable sorting permutation along ``d`` (descending keeps ties in their original order)."""
    if not descending:
        return np.argsort(x, axis=d, kind="stable")
    i = np.argsort(np.flip(x, d), axis=d, kind="stable")
    return (x.shape[d] - 1) - np.flip(i, d)


def _sorted_pair(op: str, input: Any, dim: int, descending: bool, k: int | None = None) -> Any:
    x = _data(input, op)
    if x.ndim == 0:
        norm_dim(dim, 0, op)
        return return_type(op)(_copy.clone(input), make(np.zeros((), np.int64)))
    d = norm_dim(dim, x.ndim, op)
    idx = _order(x, d, descending)
    if k is not None:
        idx = idx[(slice(None),) * d + (slice(0, k),)]
    return return_type(op)(_index.gather(input, d, make(idx)), make(idx))


def sort(input: Any, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:  # noqa: A002
    """``(values, indices)`` sorted along ``dim`` (always stable; NaN counts as the largest value)."""
    return _sorted_pair("sort", input, dim, descending)


def argsort(input: Any, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:  # noqa: A002
    """Indices that sort ``input`` along ``dim``."""
    x = _data(input, "argsort")
    if x.ndim == 0:
        norm_dim(dim, 0, "argsort")
        return make(np.zeros((), np.int64))
    return make(_order(x, norm_dim(dim, x.ndim, "argsort"), descending))


def msort(input: Any) -> Any:  # noqa: A002
    """``input`` sorted along dim 0 (values only)."""
    return sort(input, 0).values


def topk(input: Any, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
    """The ``k`` largest (or smallest) elements along ``dim`` as ``(values, indices)``, in sorted order."""
    x = _data(input, "topk")
    n = x.shape[norm_dim(dim, x.ndim, "topk")] if x.ndim else 1
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
        raise TypeError(f"topk(): argument 'k' must be int, not {type(k).__name__}")
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: selected index k out of range; expected 0 <= k <= {n}, got {k}")
    return _sorted_pair("topk", input, dim, largest, k)


def _lower_median(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    flat = x.reshape(-1)
    if flat.size == 0 or np.isnan(flat).any():
        return np.asarray(np.nan, dtype=x.dtype) if x.dtype.kind == "f" else flat.max()
    return np.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2]


def _median_index(x: Any, d: int) -> Any:
    k = (x.shape[d] - 1) // 2
    idx = np.take(np.argsort(x, axis=d, kind="stable"), [k], axis=d)
    if x.dtype.kind == "f":
        nan = np.isnan(x)
        has = nan.any(axis=d, keepdims=True)
        if has.any():
            idx = np.where(has, np.argmax(nan, axis=d, keepdims=True), idx)
    return idx


def median(input: Any, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Any:  # noqa: A002
    """``median(x)``: the lower median (gradient split among equal values); ``median(x, dim)``: (values, indices)."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names(dim, keepdim, axis, keepdims, "median")
    if dim is None:
        _data(input, "median")
        return SelectEven.apply(input, None, False, _lower_median, True)
    return _select_along("median", input, dim, keepdim, _median_index)


def multinomial(
    input: Any, num_samples: int, replacement: bool = False, *, generator: Any = None  # noqa: A002
) -> Any:
    """Indices drawn from each row's categorical distribution ``input`` (weights, not necessarily normalized)."""
    p = _data(input, "multinomial")
    if p.dtype.kind != "f":
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: {_dtype.from_numpy_dtype(p.dtype)}"
        )
    if p.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim; got {p.ndim} dims")
    n = p.shape[-1]
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples; got {num_samples}")
    if not replacement and num_samples > n:
        raise RuntimeError(
            f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement "
            f"({num_samples} > {n}); pass replacement=True"
        )
    rows = p.reshape(-1, n).astype(np.float64)
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or element < 0")
    total = rows.sum(axis=1)
    if (total <= 0).any():
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
    gen = _random.rng(generator)
    r = rows.shape[0]
    if replacement:  # inverse CDF; row offsets let one searchsorted serve every row
        cdf = np.cumsum(rows / total[:, None], axis=1)
        cdf[:, -1] = 1.0
        offs = np.arange(r, dtype=np.float64)[:, None]
        u = gen.random((r, num_samples)) + offs
        idx = np.searchsorted((cdf + offs).reshape(-1), u.reshape(-1), side="right").reshape(r, num_samples)
        out = np.minimum(idx - (offs.astype(np.int64) * n), n - 1)
    else:  # exponential race: the num_samples smallest E/p are a draw without replacement
        with np.errstate(divide="ignore"):
            keys = gen.exponential(size=rows.shape) / rows
        out = np.argsort(keys, axis=1, kind="stable")[:, :num_samples]
    out = out.astype(np.int64, copy=False)
    return make(out.reshape(num_samples) if p.ndim == 1 else out)
