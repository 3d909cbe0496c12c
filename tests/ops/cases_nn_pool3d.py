"""Op cases for nn/functional/pooling3d.py: max_pool3d (indices, padding, dilation, ceil_mode),
avg_pool3d (count_include_pad, divisor_override, ceil_mode), adaptive_max_pool3d, max_unpool1d/2d/3d
(explicit indices and after a max pool) and lp_pool1d/2d/3d (finite p and p = inf).
"""

from __future__ import annotations

import numpy as np

import chainrule.nn.functional  # noqa: F401  (makes chainrule.nn.functional reachable as m.nn.functional)

from .harness import OpCase

TOL = {"atol": 1e-5, "rtol": 1e-4}


def _F(m):  # noqa: N802
    return m.nn.functional


def _case(name, fn, shape, *args, noncontig=False, **kw):
    def run(m, x):
        return getattr(_F(m), fn)(x, *args, **kw)

    return OpCase(name, run, [shape], noncontig=noncontig, **TOL)


def _unpool_inputs(xshape, out_size):
    """Values and distinct flat indices (a random subset of the output positions per (n, c))."""
    def make(rng):
        n, c, *spatial = xshape
        k = int(np.prod(spatial))
        idx = np.stack([rng.permutation(out_size)[:k] for _ in range(n * c)]).reshape(xshape).astype(np.int64)
        return [rng.uniform(-2, 2, size=xshape), idx]

    return make


def _unpool(name, nd, xshape, out_size, *args, **kw):
    def run(m, x, idx):
        return getattr(_F(m), f"max_unpool{nd}d")(x, idx, *args, **kw)

    return OpCase(name, run, make=_unpool_inputs(xshape, out_size), **TOL)


def _ties(rng):
    """Small integers: many equal maxima inside a window (first maximum wins, as in PyTorch)."""
    return [rng.integers(0, 3, size=(2, 2, 4, 4, 4)).astype(np.float64)]


def _pool_unpool(m, x):
    y, idx = _F(m).max_pool3d(x, 2, return_indices=True)
    return _F(m).max_unpool3d(y, idx, 2, output_size=x.shape[2:])


CASES: list[OpCase] = [
    _case("max_pool3d_k2", "max_pool3d", (2, 3, 4, 6, 5), 2, return_indices=True, noncontig=True),
    _case("max_pool3d_options", "max_pool3d", (2, 2, 5, 6, 7), (3, 2, 3), (2, 1, 2), (1, 0, 1), (1, 2, 1), True, True),
    OpCase("max_pool3d_ties", lambda m, x: _F(m).max_pool3d(x, 3, 1, 1, return_indices=True), make=_ties, gradcheck=False),
    _case("max_pool3d_zero_batch", "max_pool3d", (0, 2, 4, 4, 4), 2, return_indices=True),
    _case("adaptive_max_pool3d_zero_batch", "adaptive_max_pool3d", (0, 2, 4, 5, 4), 3),
    _case("max_pool3d_unbatched", "max_pool3d", (2, 5, 5, 4), 3, 2, 1),
    _case("avg_pool3d_k2", "avg_pool3d", (2, 3, 4, 6, 5), 2, noncontig=True),
    _case("avg_pool3d_ceil_pad", "avg_pool3d", (2, 2, 5, 6, 7), 3, 2, 1, True),
    _case("avg_pool3d_exclude_pad", "avg_pool3d", (2, 2, 5, 6, 7), 3, 2, 1, True, False),
    _case("avg_pool3d_divisor", "avg_pool3d", (1, 2, 5, 4, 6), (3, 2, 3), (2, 1, 2), (1, 0, 1), divisor_override=5),
    _case("avg_pool3d_unbatched", "avg_pool3d", (2, 4, 5, 6), (2, 3, 2)),
    _case("adaptive_max_pool3d", "adaptive_max_pool3d", (2, 3, 5, 7, 6), (2, 4, 3), True),
    _case("adaptive_max_pool3d_none_unbatched", "adaptive_max_pool3d", (2, 4, 5, 7), (3, None, 2), True),
    _unpool("max_unpool1d", 1, (2, 3, 4), 9, 2, output_size=(9,)),
    _unpool("max_unpool2d", 2, (2, 2, 2, 3), 24, 2),
    _unpool("max_unpool2d_stride_pad", 2, (1, 2, 3, 3), 25, 3, 2, 1, output_size=(5, 5)),
    _unpool("max_unpool3d", 3, (1, 2, 2, 2, 2), 64, 2),
    _unpool("max_unpool3d_full_output_size", 3, (1, 2, 2, 1, 2), 48, (2, 3, 2), output_size=(1, 2, 4, 3, 4)),
    OpCase("max_pool_unpool3d", _pool_unpool, [(2, 2, 4, 4, 6)], **TOL),
    OpCase("lp_pool1d_p2", lambda m, x: _F(m).lp_pool1d(x, 2, 3, 2), [(2, 3, 9)], **TOL),
    OpCase("lp_pool1d_ceil", lambda m, x: _F(m).lp_pool1d(x, 3.0, 2, ceil_mode=True), [(2, 3, 9)], domain=(0.2, 2), **TOL),
    OpCase("lp_pool2d_p2", lambda m, x: _F(m).lp_pool2d(x, 2, (2, 3)), [(2, 3, 6, 6)], **TOL),
    OpCase("lp_pool2d_frac_p", lambda m, x: _F(m).lp_pool2d(x, 1.5, 2, 1), [(2, 2, 5, 4)], domain=(0.2, 2), **TOL),
    OpCase("lp_pool2d_inf", lambda m, x: _F(m).lp_pool2d(x, float("inf"), 2), [(2, 2, 4, 6)], **TOL),
    OpCase("lp_pool3d_p2", lambda m, x: _F(m).lp_pool3d(x, 2, 2), [(2, 2, 4, 4, 6)], **TOL),
    OpCase("lp_pool3d_ceil", lambda m, x: _F(m).lp_pool3d(x, 3, (2, 3, 2), 2, True), [(1, 2, 5, 5, 4)], domain=(0.2, 2), **TOL),
]
