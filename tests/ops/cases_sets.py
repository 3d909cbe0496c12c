"""Op cases for ops/sets.py and ops/order_stats.py: unique/unique_consecutive (flags, dim, 0-d),
bincount, histc, bucketize/searchsorted (sides, N-D, sorter, scalars), argwhere, quantile/
nanquantile (q scalar and 1-D, dims, keepdim, every interpolation, nan) and mode."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

S = (3, 5)
_ROWS = np.array([[1, 2, 1], [3, 1, 3], [1, 2, 1], [0, 0, 5]])
_RUNS = np.array([1, 1, 2, 2, 3, 1, 1, 2])


def _q(values):
    return lambda r: [r.standard_normal(S), np.asarray(values)]


def _nan_rows(rng):
    a = rng.standard_normal((4, 5))
    a[0, 1], a[2, 0], a[2, 3] = np.nan, np.nan, np.nan
    a[3, :] = np.nan
    return [a]


def _interp(mode):
    return lambda m, a: m.quantile(a, 0.4, dim=-1, interpolation=mode)


CASES = [
    # unique / unique_consecutive: PyTorch gives no gradient for them
    OpCase("unique", lambda m, x: (m.unique(x), x.unique(return_inverse=True, return_counts=True)), make=lambda r: [r.integers(0, 4, (3, 4))], grad=False),
    OpCase("unique_dim", lambda m, x: (m.unique(x, dim=0, return_inverse=True, return_counts=True), m.unique(x, sorted=True, dim=1)), make=lambda r: [_ROWS], grad=False),
    OpCase("unique_float_0d_empty", lambda m, a, b: (m.unique(a.detach(), return_inverse=True), m.unique(b.detach(), return_counts=True)), make=lambda r: [np.array(2.5), np.zeros((0, 2))], grad=False),
    OpCase("unique_float", lambda m, a: m.unique(a.detach().round(), return_inverse=True), [S], grad=False),
    OpCase("unique_nan_distinct", lambda m, a: (m.unique(a, return_inverse=True, return_counts=True), m.unique_consecutive(a, return_counts=True)),
           make=lambda r: [np.array([np.nan, np.nan, 1.0, 1.0, 0.5])], grad=False),
    OpCase("unique_consecutive", lambda m, x: (m.unique_consecutive(x), x.unique_consecutive(return_inverse=True, return_counts=True)), make=lambda r: [_RUNS], grad=False),
    OpCase("unique_consecutive_dim", lambda m, x: (m.unique_consecutive(x, return_inverse=True, return_counts=True, dim=0), m.unique_consecutive(x.t().contiguous(), dim=1)),
           make=lambda r: [np.array([[1, 2], [1, 2], [3, 4], [1, 2], [1, 2]])], grad=False),
    OpCase("unique_consecutive_2d_flat", lambda m, x: m.unique_consecutive(x, return_inverse=True), make=lambda r: [np.array([[1, 1, 2], [2, 2, 3]])], grad=False),
    # bincount / histc
    OpCase("bincount", lambda m, x: (m.bincount(x), x.bincount(minlength=10)), make=lambda r: [r.integers(0, 6, 20)], grad=False),
    OpCase("bincount_weights", lambda m, x, w: (m.bincount(x, w.detach()), m.bincount(x, x)), make=lambda r: [r.integers(0, 4, 9), r.standard_normal(9)], grad=False, dtypes=("float32", "float64")),
    OpCase("bincount_empty", lambda m, x: m.bincount(x, minlength=3), make=lambda r: [np.zeros(0, np.int64)], grad=False),
    OpCase("histc", lambda m, a: (m.histc(a.detach(), bins=7), a.detach().histc(4, -1.0, 1.0)), [(50,)], grad=False, dtypes=("float32", "float64")),
    OpCase("histc_constant", lambda m, a: m.histc(a.detach() * 0 + 1.0, bins=4), [(3,)], grad=False),
    OpCase("histc_edges", lambda m, a: m.histc(a, bins=4, min=0, max=3), make=lambda r: [np.array([0.0, 0.75, 1.5, 3.0, 3.5, -0.1, 2.25])], grad=False),
    # bucketize / searchsorted
    OpCase("bucketize", lambda m, x, b: (m.bucketize(x, b), m.bucketize(x, b, right=True, out_int32=True)),
           make=lambda r: [np.array([[1.0, 5.0, 9.0], [0.0, 3.5, 10.0]]), np.array([1.0, 3.0, 5.0, 7.0, 9.0])], grad=False),
    OpCase("bucketize_scalar", lambda m, b: m.bucketize(3, b), make=lambda r: [np.array([1, 3, 5])], grad=False),
    OpCase("searchsorted", lambda m, s, v: (m.searchsorted(s, v), m.searchsorted(s, v, side="right"), m.searchsorted(s, v, right=True)),
           make=lambda r: [np.array([1.0, 2.0, 2.0, 4.0]), np.array([0.0, 2.0, 3.0, 5.0])], grad=False),
    OpCase("searchsorted_nd", lambda m, s, v: m.searchsorted(s, v, side="right"), make=lambda r: [np.array([[1, 3, 5], [2, 4, 6]]), np.array([[3, 6], [5, 1]])], grad=False),
    OpCase("searchsorted_sorter_scalar", lambda m, s, o: (m.searchsorted(s, m.tensor([2.5, 9.0]), sorter=o), m.searchsorted(s, 3.0, sorter=o)),
           make=lambda r: [np.array([3.0, 1.0, 2.0, 4.0]), np.array([1, 2, 0, 3])], grad=False),
    OpCase("argwhere", lambda m, x, a: (m.argwhere(x), a.detach().argwhere()), make=lambda r: [r.integers(0, 2, (3, 4)), np.array(1.0)], grad=False),
    # quantile / nanquantile
    OpCase("quantile", lambda m, a: m.quantile(a, 0.3), [S], noncontig=True),
    OpCase("quantile_dim_keepdim", lambda m, a: a.quantile(0.75, dim=1, keepdim=True), [S], noncontig=True),
    OpCase("quantile_q_tensor", lambda m, a, q: m.quantile(a, q, dim=0), make=_q([0.1, 0.25, 0.45, 0.95])),
    OpCase("quantile_q_ends", lambda m, a: m.quantile(a, m.tensor([0.0, 1.0], dtype=a.dtype), dim=1), [S]),
    OpCase("quantile_q_tensor_keepdim_all", lambda m, a, q: m.quantile(a, q, keepdim=True), make=_q([0.1, 0.9])),
    *[OpCase(f"quantile_{mode}", _interp(mode), [(3, 6)])
      for mode in ("lower", "higher", "midpoint", "nearest")],
    OpCase("quantile_nearest_half", lambda m, a: m.quantile(a, m.tensor([0.125, 0.375], dtype=a.dtype), dim=0, interpolation="nearest"), [(5, 2)]),
    OpCase("quantile_0d", lambda m, a: (m.quantile(a, 0.5), m.quantile(a, 0.5, dim=0, keepdim=True)), [()]),
    OpCase("quantile_nan", lambda m, a: m.quantile(a, 0.5, dim=1), make=_nan_rows, grad=False),
    OpCase("nanquantile", lambda m, a: (m.nanquantile(a, 0.5, dim=1), a.nanquantile(0.2)), make=_nan_rows, gradcheck=False),
    OpCase("nanquantile_q_tensor", lambda m, a: m.nanquantile(a, m.tensor([0.0, 0.6, 1.0], dtype=a.dtype), dim=1, interpolation="midpoint"), make=_nan_rows, gradcheck=False),
    OpCase("nanquantile_q_grad", lambda m, a, q: m.nanquantile(a, q, dim=1), make=lambda r: [_nan_rows(r)[0], np.array([0.3, 0.7])], gradcheck=False),
    OpCase("quantile_q_grad_nan_rows", lambda m, a, q: m.quantile(a, q, dim=1), make=lambda r: [_nan_rows(r)[0], np.array([0.3, 0.7])], gradcheck=False),
    # mode
    OpCase("mode", lambda m, x: (m.mode(x), x.mode(0, keepdim=True)), make=lambda r: [r.integers(0, 3, (4, 7))], grad=False),
    OpCase("mode_float_grad", lambda m, a: m.mode(a.round(), 1), make=lambda r: [r.integers(0, 3, (4, 7)) + r.uniform(-0.2, 0.2, (4, 7))], gradcheck=False),
    OpCase("mode_0d", lambda m, a: m.mode(a), [()]),
]
