"""Op cases for nn/functional/pooling.py: max/avg pooling (1-D, 2-D) and adaptive avg/max pooling.

Options covered: kernel/stride/padding as ints and tuples, stride=None, dilation, ceil_mode,
count_include_pad, divisor_override, return_indices (indices compared with torch), adaptive sizes
that do not divide the input (overlapping windows, upsampling), ``None`` entries, unbatched and 1-D
inputs. Max ties (first maximum wins) are checked against torch without gradcheck.
"""

from __future__ import annotations

import numpy as np

import chainrule.nn.functional  # noqa: F401  (makes chainrule.nn.functional reachable as m.nn.functional)

from .harness import OpCase

TOL = {"atol": 1e-6, "rtol": 1e-5}


def _F(m):  # noqa: N802
    return m.nn.functional


def _pool(name, fn, x, *args, noncontig=False, **kw):
    def run(m, x):
        return getattr(_F(m), fn)(x, *args, **kw)

    return OpCase(name, run, [x], noncontig=noncontig, **TOL)


def _ties(rng):
    """Small integers: many equal maxima inside a window."""
    return [rng.integers(0, 3, size=(2, 2, 6, 6)).astype(np.float64)]


def _ties_case(name, fn, *args, **kw):
    def run(m, x):
        return getattr(_F(m), fn)(x, *args, **kw)

    return OpCase(name, run, make=_ties, gradcheck=False)


CASES: list[OpCase] = [
    # max_pool2d
    _pool("max_pool2d_k2", "max_pool2d", (2, 3, 8, 8), 2, noncontig=True),
    _pool("max_pool2d_k2_odd_input", "max_pool2d", (2, 3, 9, 7), 2),
    _pool("max_pool2d_k3_s2_p1", "max_pool2d", (2, 3, 9, 7), 3, 2, 1, noncontig=True),
    _pool("max_pool2d_tuples", "max_pool2d", (2, 3, 9, 8), (3, 2), (2, 1), (1, 0)),
    _pool("max_pool2d_stride_none", "max_pool2d", (2, 2, 6, 9), (2, 3), stride=None),
    _pool("max_pool2d_dilation", "max_pool2d", (2, 3, 10, 11), 3, (1, 2), 1, 2),
    _pool("max_pool2d_ceil", "max_pool2d", (2, 3, 9, 7), 3, 2, 1, ceil_mode=True),
    _pool("max_pool2d_ceil_no_pad", "max_pool2d", (2, 3, 10, 10), (3, 2), (3, 3), ceil_mode=True),
    _pool("max_pool2d_ceil_dilation", "max_pool2d", (1, 2, 10, 9), 2, 2, 1, 2, ceil_mode=True),
    _pool("max_pool2d_indices", "max_pool2d", (2, 3, 8, 8), 2, return_indices=True),
    _pool("max_pool2d_indices_padded", "max_pool2d", (2, 3, 10, 10), (3, 2), (2, 3), (1, 1), 2, True, True),
    _pool("max_pool2d_unbatched", "max_pool2d", (3, 6, 7), 2, 1, return_indices=True, noncontig=True),
    _pool("max_pool2d_global", "max_pool2d", (2, 3, 5, 4), (5, 4)),
    _pool("max_pool2d_zero_batch", "max_pool2d", (0, 3, 6, 6), 2),
    _ties_case("max_pool2d_ties", "max_pool2d", 2),
    _ties_case("max_pool2d_ties_overlap", "max_pool2d", 3, 1, 1, return_indices=True),
    # max_pool1d
    _pool("max_pool1d_k2", "max_pool1d", (2, 3, 9), 2, noncontig=True),
    _pool("max_pool1d_options", "max_pool1d", (2, 3, 11), 3, 2, 1, 2, True, True),
    _pool("max_pool1d_unbatched", "max_pool1d", (3, 10), 3, stride=2, padding=1, return_indices=True),
    # avg_pool2d
    _pool("avg_pool2d_k2", "avg_pool2d", (2, 3, 8, 8), 2, noncontig=True),
    _pool("avg_pool2d_k3_s2_p1", "avg_pool2d", (2, 3, 9, 7), 3, 2, 1),
    _pool("avg_pool2d_exclude_pad", "avg_pool2d", (2, 3, 9, 7), 3, 2, 1, count_include_pad=False),
    _pool("avg_pool2d_ceil", "avg_pool2d", (2, 3, 9, 7), 3, 2, 1, ceil_mode=True),
    _pool("avg_pool2d_ceil_exclude_pad", "avg_pool2d", (2, 3, 9, 7), 3, 2, 1, True, False),
    _pool("avg_pool2d_ceil_no_pad", "avg_pool2d", (2, 3, 10, 8), (3, 3), (2, 3), ceil_mode=True),
    _pool("avg_pool2d_divisor_override", "avg_pool2d", (2, 3, 9, 7), 3, 2, 1, divisor_override=5),
    _pool("avg_pool2d_divisor_ceil", "avg_pool2d", (2, 3, 9, 7), (3, 2), (2, 2), (1, 1), True, False, 3),
    _pool("avg_pool2d_tuples", "avg_pool2d", (2, 3, 9, 8), (3, 2), (1, 2), (1, 0)),
    _pool("avg_pool2d_unbatched", "avg_pool2d", (3, 6, 7), 3, 1, 1, noncontig=True),
    _pool("avg_pool2d_global", "avg_pool2d", (2, 3, 5, 4), (5, 4)),
    # avg_pool1d
    _pool("avg_pool1d_k2", "avg_pool1d", (2, 3, 9), 2, noncontig=True),
    _pool("avg_pool1d_options", "avg_pool1d", (2, 3, 11), 3, 2, 1, True, False),
    _pool("avg_pool1d_unbatched", "avg_pool1d", (3, 10), 4, 3, 2, ceil_mode=True),
    # adaptive_avg_pool2d
    _pool("adaptive_avg_pool2d_divisible", "adaptive_avg_pool2d", (2, 3, 8, 6), (4, 3), noncontig=True),
    _pool("adaptive_avg_pool2d_non_divisible", "adaptive_avg_pool2d", (2, 3, 9, 7), (4, 3), noncontig=True),
    _pool("adaptive_avg_pool2d_int", "adaptive_avg_pool2d", (2, 3, 7, 5), 3),
    _pool("adaptive_avg_pool2d_none", "adaptive_avg_pool2d", (2, 3, 7, 5), (None, 2)),
    _pool("adaptive_avg_pool2d_global", "adaptive_avg_pool2d", (2, 3, 7, 5), 1),
    _pool("adaptive_avg_pool2d_upsample", "adaptive_avg_pool2d", (2, 3, 3, 2), (5, 4)),
    _pool("adaptive_avg_pool2d_unbatched", "adaptive_avg_pool2d", (3, 7, 5), (2, 4)),
    # adaptive_avg_pool1d
    _pool("adaptive_avg_pool1d", "adaptive_avg_pool1d", (2, 3, 9), 4, noncontig=True),
    _pool("adaptive_avg_pool1d_unbatched", "adaptive_avg_pool1d", (3, 5), 7),
    # adaptive_max_pool2d
    _pool("adaptive_max_pool2d_divisible", "adaptive_max_pool2d", (2, 3, 8, 6), (4, 3), noncontig=True),
    _pool("adaptive_max_pool2d_non_divisible", "adaptive_max_pool2d", (2, 3, 9, 7), (4, 3), noncontig=True),
    _pool("adaptive_max_pool2d_indices", "adaptive_max_pool2d", (2, 3, 9, 7), (None, 3), return_indices=True),
    _pool("adaptive_max_pool2d_upsample", "adaptive_max_pool2d", (3, 3, 2), (5, 4), True),
    _pool("adaptive_max_pool2d_global", "adaptive_max_pool2d", (2, 3, 7, 5), 1, return_indices=True),
    _ties_case("adaptive_max_pool2d_ties", "adaptive_max_pool2d", (4, 4), return_indices=True),
    # adaptive_max_pool1d
    _pool("adaptive_max_pool1d", "adaptive_max_pool1d", (2, 3, 9), 4, return_indices=True),
    _pool("adaptive_max_pool1d_divisible", "adaptive_max_pool1d", (3, 8), 4),
    # *_with_indices: always (values, indices)
    _pool("max_pool1d_with_indices", "max_pool1d_with_indices", (2, 3, 9), 3, 2, 1),
    _pool("max_pool2d_with_indices", "max_pool2d_with_indices", (2, 3, 8, 7), 2, ceil_mode=True),
    _pool("adaptive_max_pool1d_with_indices", "adaptive_max_pool1d_with_indices", (2, 3, 9), 4),
    _pool("adaptive_max_pool2d_with_indices", "adaptive_max_pool2d_with_indices", (2, 3, 9, 7), (4, 3)),
]
