"""Op cases for ops/unary.py: each op on a matrix (+ non-contiguous), 0-d, size-1 and zero-size
shapes, integer inputs (default float dtype), extreme values, and float64 erf at tight tolerance."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

S = (3, 4)
SHAPES = [((), "0d"), ((1, 1), "1x1"), ((2, 0, 3), "empty")]

# name, call, domain avoiding singularities
_OPS = [
    ("exp", lambda m, a: m.exp(a), (-2.0, 2.0)),
    ("exp2", lambda m, a: m.exp2(a), (-2.0, 2.0)),
    ("expm1", lambda m, a: m.expm1(a), (-2.0, 2.0)),
    ("log", lambda m, a: m.log(a), (0.3, 3.0)),
    ("log1p", lambda m, a: m.log1p(a), (-0.5, 2.0)),
    ("log2", lambda m, a: m.log2(a), (0.3, 3.0)),
    ("log10", lambda m, a: m.log10(a), (0.3, 3.0)),
    ("sqrt", lambda m, a: m.sqrt(a), (0.3, 3.0)),
    ("rsqrt", lambda m, a: m.rsqrt(a), (0.3, 3.0)),
    ("sin", lambda m, a: m.sin(a), (-3.0, 3.0)),
    ("cos", lambda m, a: m.cos(a), (-3.0, 3.0)),
    ("tan", lambda m, a: m.tan(a), (-1.2, 1.2)),
    ("asin", lambda m, a: m.asin(a), (-0.8, 0.8)),
    ("acos", lambda m, a: m.acos(a), (-0.8, 0.8)),
    ("atan", lambda m, a: m.atan(a), (-3.0, 3.0)),
    ("sinh", lambda m, a: m.sinh(a), (-2.0, 2.0)),
    ("cosh", lambda m, a: m.cosh(a), (-2.0, 2.0)),
    ("tanh", lambda m, a: m.tanh(a), (-2.0, 2.0)),
    ("sigmoid", lambda m, a: m.sigmoid(a), (-4.0, 4.0)),
    ("square", lambda m, a: m.square(a), (-2.0, 2.0)),
    ("reciprocal", lambda m, a: m.reciprocal(a), (0.3, 3.0)),
    ("erf", lambda m, a: m.erf(a), (-3.0, 3.0)),
]


def _nonfinite(rng):
    a = rng.uniform(-2, 2, S)
    a[0, 0], a[1, 2], a[2, 3] = np.nan, np.inf, -np.inf
    return [a]


def _erf_points(rng):  # every branch of the erf approximation: tiny, |x| < 2, 2 ≤ |x| < 6, beyond
    return [np.concatenate([rng.uniform(-7, 7, 200), rng.uniform(-2.1, 2.1, 50), [0.0, 1e-300, -1e-10, 2.0, -6.0, 6.5]])]


def _extreme(rng):
    return [np.array([-1000.0, -100.0, -20.0, -1.0, 0.0, 1.0, 20.0, 100.0, 1000.0])]


CASES = [
    *[OpCase(name, fn, [S], domain=dom, noncontig=True) for name, fn, dom in _OPS],
    *[OpCase(f"{name}[{tag}]", fn, [shape], domain=dom) for name, fn, dom in _OPS[::3] for shape, tag in SHAPES],
    # Tensor methods delegate to the same ops
    OpCase("exp_method", lambda m, a: a.exp().log().sqrt(), [S], domain=(0.5, 2.0)),
    OpCase("trig_methods", lambda m, a: a.sin() * a.cos() + a.tan() + a.atan(), [S], domain=(-1.0, 1.0)),
    OpCase("inverse_methods", lambda m, a: a.asin() + a.acos() + a.sinh() + a.cosh(), [(5,)], domain=(-0.7, 0.7)),
    OpCase("log_methods", lambda m, a: a.log1p() + a.log2() + a.log10() + a.rsqrt() + a.reciprocal(), [S], domain=(0.5, 2.0)),
    OpCase("exp_family_methods", lambda m, a: a.exp2() + a.expm1() + a.square() + a.sigmoid() + a.tanh() + a.erf(), [S]),
    # integer and bool inputs give the default float dtype (square keeps integers, bool -> int64)
    OpCase("exp_int", lambda m, a: m.exp(a), make=lambda r: [r.integers(-3, 3, S)], grad=False),
    OpCase("sqrt_int_neg", lambda m, a: m.sqrt(a), make=lambda r: [r.integers(-3, 5, S)], grad=False),
    OpCase("sigmoid_bool", lambda m, a: m.sigmoid(a), make=lambda r: [r.random(S) > 0.5], grad=False),
    OpCase("erf_int", lambda m, a: m.erf(a), make=lambda r: [r.integers(-3, 3, S)], grad=False),
    OpCase("reciprocal_int", lambda m, a: m.reciprocal(a), make=lambda r: [r.integers(1, 5, S)], grad=False),
    OpCase("square_int", lambda m, a: m.square(a), make=lambda r: [r.integers(-5, 5, S)], grad=False),
    OpCase("square_bool", lambda m, a: m.square(a), make=lambda r: [r.random(S) > 0.5], grad=False),
    OpCase("tanh_int", lambda m, a: a.tanh(), make=lambda r: [r.integers(-3, 3, S)], grad=False),
    # singular points give inf/nan silently, as in PyTorch
    OpCase("log_zero_negative", lambda m, a: m.log(a.detach() * 0) + m.log(-a.detach()) + m.log2(a.detach() * 0), [S], domain=(0.5, 1.0), grad=False),
    OpCase("sqrt_negative", lambda m, a: m.sqrt(-a.detach()) + m.rsqrt(a.detach() * 0), [S], domain=(0.5, 1.0), grad=False),
    OpCase("exp_overflow", lambda m, a: m.exp(a.detach() * 1000) + m.cosh(a.detach() * 1000), [S], domain=(0.5, 1.0), grad=False),
    OpCase("asin_outside", lambda m, a: m.asin(a.detach() + 2) + m.acos(a.detach() + 2), [S], domain=(0.5, 1.0), grad=False),
    # extreme values in float32
    OpCase("sigmoid_extreme", lambda m, a: m.sigmoid(a), make=_extreme, gradcheck=False),
    OpCase("tanh_extreme", lambda m, a: m.tanh(a), make=_extreme, gradcheck=False),
    OpCase("erf_extreme", lambda m, a: m.erf(a), make=_extreme, gradcheck=False),
    # erf: every branch; float64 at tight tolerance, float32 at float32 tolerance
    OpCase("erf_branches", lambda m, a: m.erf(a), make=_erf_points),
    OpCase("erf_branches_f64", lambda m, a: m.erf(a), make=_erf_points, dtypes=("float64",), rtol=1e-14, atol=1e-15),
    OpCase("erf_nan_inf", lambda m, a: m.erf(a), make=_nonfinite, dtypes=("float32", "float64"), gradcheck=False),
    # nan_to_num: defaults (dtype max/min) and explicit replacements; gradient only where finite
    OpCase("nan_to_num", lambda m, a: m.nan_to_num(a) * 1e-30, make=_nonfinite, dtypes=("float32", "float64")),  # scaled: Σ of ±max overflows
    OpCase("nan_to_num_values", lambda m, a: m.nan_to_num(a, nan=1.5, posinf=2.0, neginf=-3.0), make=_nonfinite, noncontig=True),
    OpCase("nan_to_num_method", lambda m, a: a.nan_to_num(0.25, neginf=-1.0), make=_nonfinite),
    OpCase("nan_to_num_int", lambda m, a: m.nan_to_num(a), make=lambda r: [r.integers(-3, 3, S)], grad=False),
]
