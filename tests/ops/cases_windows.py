"""Op cases for ops/windows.py: Tensor.unfold (overlapping, strided, whole-length, 0-d, empty),
cummax/cummin (ties, nan, integers, 0-d) and logcumsumexp (extreme values, -inf, 0-d, empty)."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

S = (3, 5)


def _ties(rng):
    return [np.array([[1.0, 3.0, 3.0, 2.0, 3.0], [0.5, 0.5, -1.0, 0.5, 4.0], [2.0, 1.0, 0.0, -1.0, -2.0]])]


def _with_nan(rng):
    return [np.array([1.0, np.nan, 2.0, np.nan, 0.5])]


CASES = [
    OpCase("unfold", lambda m, a: a.unfold(1, 2, 1), [S], noncontig=True),
    OpCase("unfold_step", lambda m, a: a.unfold(0, 2, 2), [(7, 3)], noncontig=True),
    OpCase("unfold_gap", lambda m, a: a.unfold(-1, 2, 3), [(2, 3, 8)]),
    OpCase("unfold_whole_and_size0", lambda m, a: (a.unfold(1, 5, 1), a.unfold(1, 0, 2)), [S]),
    OpCase("unfold_chain_2d_patches", lambda m, a: a.unfold(2, 3, 1).unfold(3, 3, 2), [(1, 2, 5, 6)]),
    OpCase("unfold_0d", lambda m, a: a.unfold(0, 1, 1), [()]),
    OpCase("unfold_empty", lambda m, a: a.unfold(1, 2, 1), [(0, 4)], gradcheck=False),
    OpCase("unfold_int", lambda m, x: x.unfold(0, 3, 2), make=lambda r: [np.arange(9)], grad=False),
    OpCase("cummax", lambda m, a: m.cummax(a, 1), [S], noncontig=True),
    OpCase("cummin_dim0", lambda m, a: a.cummin(0), [S], noncontig=True),
    OpCase("cummax_ties", lambda m, a: (m.cummax(a, 1), m.cummin(a, -1)), make=_ties, gradcheck=False),
    OpCase("cummax_nan", lambda m, a: (m.cummax(a, 0), m.cummin(a, 0)), make=_with_nan, grad=False),
    OpCase("cummax_0d_empty", lambda m, a, b: (m.cummax(a, 0), m.cummin(b, 1)), make=lambda r: [r.standard_normal(()), r.standard_normal((2, 0))]),
    OpCase("cummax_int_bool", lambda m, x, k: (m.cummax(x, 0), m.cummin(k, 0)), make=lambda r: [r.integers(-5, 5, (6,)), r.random(6) > 0.5], grad=False),
    OpCase("logcumsumexp", lambda m, a: m.logcumsumexp(a, 1), [S], noncontig=True),
    OpCase("logcumsumexp_dim0_method", lambda m, a: a.logcumsumexp(0), [(4, 2, 3)]),
    OpCase("logcumsumexp_extreme", lambda m, a: m.logcumsumexp(a, 0), make=lambda r: [np.array([-1000.0, 1000.0, 999.0, -5.0, 0.0, 1001.0])]),
    OpCase("logcumsumexp_neginf", lambda m, a: m.logcumsumexp(a, 0), make=lambda r: [np.array([0.5, -np.inf, 1.0, -np.inf])], gradcheck=False),
    OpCase("logcumsumexp_0d_empty", lambda m, a, b: (m.logcumsumexp(a, 0), m.logcumsumexp(b, 0)), make=lambda r: [r.standard_normal(()), r.standard_normal((0, 3))]),
]
