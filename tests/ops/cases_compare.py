"""Op cases for ops/compare.py: results are bool/int tensors or Python bools (no gradient), so every
case has grad=False. Inputs are small integers stored as floats so that ties actually happen."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

S = (3, 4)


def _ties(rng):
    return [rng.integers(-2, 3, S).astype(float), rng.integers(-2, 3, (4,)).astype(float)]


def _tie(rng):
    return _ties(rng)[:1]


def _int_float(rng):
    return [rng.integers(-2, 3, S), rng.integers(-2, 3, (4,)) + rng.choice([0.0, 0.5], (4,))]


def _nonfinite(rng):
    a = rng.uniform(-2, 2, S)
    a[0, 0], a[1, 2], a[2, 3], a[0, 3] = np.nan, np.inf, -np.inf, 0.0
    return [a]


def _bools(rng):
    return [rng.random(S) > 0.5, rng.random((4,)) > 0.5]


def _ints(rng):
    return [rng.integers(-8, 8, S), rng.integers(0, 8, (4,))]


def _mask3(rng):
    a = (rng.random((2, 3, 4)) > 0.3) * rng.integers(1, 3, (2, 3, 4))
    a[0, 0] = 0
    return [a.astype(float)]


def _close(rng):
    a = rng.uniform(-2, 2, S)
    b = a + rng.choice([0.0, 1e-9, 1e-6, 1e-3], S)
    a[0, 0] = b[0, 0] = np.nan
    a[1, 1] = b[1, 1] = np.inf
    a[2, 2], b[2, 2] = np.inf, -np.inf
    return [a, b]


def _c(name, fn, **kw):
    return OpCase(name, fn, grad=False, **kw)


CASES = [
    # comparisons: ties, broadcasting, scalars on either side (operators), mixed dtypes
    _c("eq", lambda m, a, b: m.eq(a, b), make=_ties, noncontig=True),
    _c("ne", lambda m, a, b: m.ne(a, b), make=_ties),
    _c("lt", lambda m, a, b: m.lt(a, b), make=_ties),
    _c("le", lambda m, a, b: m.le(a, b), make=_ties),
    _c("gt", lambda m, a, b: m.gt(a, b), make=_ties),
    _c("ge", lambda m, a, b: m.ge(a, b), make=_ties),
    _c("compare_aliases", lambda m, a, b: [m.greater(a, b), m.greater_equal(a, b), m.less(a, b), m.less_equal(a, b), m.not_equal(a, b)], make=_ties),
    _c("compare_scalars", lambda m, a: [m.eq(a, 1), m.ne(a, 0.0), m.lt(a, 0.5), m.le(a, -1), m.gt(a, True), m.ge(a, 2.0)], make=_tie),
    _c("compare_operators", lambda m, a, b: [a == b, a != b, a < b, a <= b, a > b, a >= b], make=_ties),
    _c("compare_operators_scalar", lambda m, a: [a == 1.0, a != 1, a < 0.5, 0.5 < a, 1 >= a, a >= 1], make=_tie),
    _c("compare_int_float", lambda m, a, b: [m.eq(a, b), m.lt(a, b), m.gt(a, 0.5), a == 1.0], make=_int_float),
    _c("compare_0d_and_empty", lambda m, a, b: [m.lt(a, b), m.eq(b, a)], shapes=[(), (0, 3)]),
    _c("compare_methods", lambda m, a, b: [a.eq(b), a.ne(b), a.lt(b), a.le(b), a.gt(b), a.ge(b), a.greater(b), a.less_equal(b)], make=_ties),
    # predicates
    _c("isnan", lambda m, a: m.isnan(a), make=_nonfinite),
    _c("isinf", lambda m, a: m.isinf(a), make=_nonfinite),
    _c("isfinite", lambda m, a: m.isfinite(a), make=_nonfinite),
    _c("isposinf", lambda m, a: m.isposinf(a), make=_nonfinite),
    _c("isneginf", lambda m, a: m.isneginf(a), make=_nonfinite),
    _c("predicates_methods", lambda m, a: [a.isnan(), a.isinf(), a.isfinite(), a.isposinf(), a.isneginf()], make=_nonfinite, noncontig=True),
    _c("predicates_int", lambda m, a, b: [m.isnan(a), m.isinf(a), m.isfinite(a), m.isposinf(a), m.isneginf(a)], make=_ints),
    # any / all
    _c("any", lambda m, a: m.any(a), make=_mask3),
    _c("all", lambda m, a: m.all(a), make=_mask3),
    _c("any_dim", lambda m, a: [m.any(a, 1), m.any(a, dim=-1, keepdim=True), m.any(a, (0, 2))], make=_mask3),
    _c("all_dim", lambda m, a: [m.all(a, 0), m.all(a, dim=-2, keepdim=True), m.all(a, dim=(1, 2), keepdim=True)], make=_mask3),
    _c("any_all_methods", lambda m, a: [a.any(), a.all(), a.any(2), a.all(dim=0)], make=_mask3),
    _c("any_all_bool", lambda m, a, b: [m.any(a, 0), m.all(a, 1), m.all(b)], make=_bools),
    _c("any_all_uint8", lambda m, a: [m.any(a), m.all(a, 0), a.any(1)], make=lambda r: [r.integers(0, 3, S).astype(np.uint8)]),
    _c("any_all_0d_empty", lambda m, a, b: [m.any(a), m.all(a, 0), m.any(b), m.all(b), m.any(b, 0), m.all(b, 1)], shapes=[(), (0, 3)]),
    _c("any_empty_dims", lambda m, a: [m.any(a, ()), m.all(a, dim=[])], make=_mask3),
    # logical and bitwise
    _c("logical_and", lambda m, a, b: m.logical_and(a, b), make=_ties),
    _c("logical_or", lambda m, a, b: m.logical_or(a, b), make=_bools),
    _c("logical_xor", lambda m, a, b: m.logical_xor(a, b), make=_int_float),
    _c("logical_not", lambda m, a: m.logical_not(a), make=_tie),
    _c("logical_methods", lambda m, a, b: [a.logical_and(b), a.logical_or(b), a.logical_xor(b), a.logical_not()], make=_bools),
    _c("bitwise_bool", lambda m, a, b: [m.bitwise_and(a, b), m.bitwise_or(a, b), m.bitwise_xor(a, b), m.bitwise_not(a)], make=_bools),
    _c("bitwise_int", lambda m, a, b: [m.bitwise_and(a, b), m.bitwise_or(a, b), m.bitwise_xor(a, b), m.bitwise_not(a)], make=_ints),
    _c("bitwise_operators", lambda m, a, b: [a & b, a | b, a ^ b, ~a, a & 3, 5 | a, a ^ True], make=_ints),
    _c("bitwise_operators_bool", lambda m, a, b: [a & b, a | b, a ^ b, ~a, a & True, False | a], make=_bools),
    _c("bitwise_mixed", lambda m, a, b: [m.bitwise_and(a, b), m.bitwise_or(b, a)], make=lambda r: [r.integers(0, 8, S), r.random((4,)) > 0.5]),
    _c("bitwise_methods", lambda m, a, b: [a.bitwise_and(b), a.bitwise_or(b), a.bitwise_xor(b), a.bitwise_not()], make=_ints),
    # closeness and equality
    _c("isclose", lambda m, a, b: m.isclose(a, b), make=_close, dtypes=("float32", "float64")),
    _c("isclose_options", lambda m, a, b: [m.isclose(a, b, rtol=1e-3, atol=0.0), m.isclose(a, b, equal_nan=True), a.isclose(b, 0.0, 1e-7)], make=_close, dtypes=("float64",)),
    _c("isclose_int_bool", lambda m, a, b: [m.isclose(a, a.clone()), m.isclose(b, b)], make=_ints),
    _c("allclose", lambda m, a, b: [m.allclose(a, b), m.allclose(a, a.detach()), m.allclose(a, b, rtol=1e-2, equal_nan=True), a.allclose(b, atol=1e-2, equal_nan=True)], make=_close),
    _c("equal", lambda m, a, b: [m.equal(a, b), m.equal(a, a.detach() * 1), m.equal(a, a[:1]), a.equal(a.detach())], make=_ties),
    _c("equal_int_float", lambda m, a: [m.equal(a, a.float()), m.equal(a, a + 1)], make=lambda r: [r.integers(-3, 3, S)]),
    # count_nonzero
    _c("count_nonzero", lambda m, a: [m.count_nonzero(a), m.count_nonzero(a, 1), m.count_nonzero(a, dim=(0, -1)), m.count_nonzero(a, dim=())], make=_mask3),
    _c("count_nonzero_method", lambda m, a, b: [a.count_nonzero(), a.count_nonzero(dim=0), b.count_nonzero(-1)], make=_bools),
]
