"""Op cases for ops/elementwise.py: broadcasting pairs, scalars, 0-d, size-1 and zero-size shapes."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

S = (3, 4)
PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,)), ((1,), ()), ((0, 3), (3,))]


def _pairs(name, fn, domain=(-2.0, 2.0), **kw):
    return [
        OpCase(f"{name}[{a}x{b}]", fn, [a, b], domain=domain, noncontig=(len(a) == 2), **kw)
        for a, b in PAIRS
    ]


def _positive_pair(rng):
    return [rng.uniform(0.5, 2.0, (3, 4)), rng.uniform(-1.5, 1.5, (4,))]


def _distinct_pair(rng):  # no ties and no near-ties, so max/min are differentiable
    a = rng.permutation(12).reshape(3, 4) * 0.5
    return [a, a[:1] + rng.choice([-0.25, 0.25], size=(1, 4))]


CASES = [
    *_pairs("add", lambda m, a, b: m.add(a, b)),
    OpCase("add_alpha", lambda m, a, b: m.add(a, b, alpha=2.5), [S, S]),
    OpCase("add_scalar", lambda m, a: a + 1.5, [S]),
    OpCase("radd_scalar", lambda m, a: 2 + a, [S]),
    *_pairs("sub", lambda m, a, b: m.sub(a, b)),
    OpCase("sub_alpha", lambda m, a, b: m.subtract(a, b, alpha=0.5), [S, S]),
    OpCase("rsub_scalar", lambda m, a: 1.0 - a, [S]),
    *_pairs("mul", lambda m, a, b: m.mul(a, b)),
    OpCase("multiply_scalar", lambda m, a: m.multiply(a, 3.0), [S]),
    *_pairs("div", lambda m, a, b: m.div(a, b), domain=(0.5, 2.0)),
    OpCase("rdiv_scalar", lambda m, a: 2.0 / a, [S], domain=(0.5, 2.0)),
    OpCase("true_divide", lambda m, a, b: m.true_divide(a, b), [S, S], domain=(0.5, 2.0)),
    OpCase("divide_trunc", lambda m, a, b: m.divide(a, b, rounding_mode="trunc"), [S, S], domain=(0.5, 3.0)),
    OpCase("div_floor", lambda m, a, b: m.div(a, b, rounding_mode="floor"), [S, S], domain=(0.5, 3.0)),
    OpCase("neg", lambda m, a: -a, [S], noncontig=True),
    OpCase("negative", lambda m, a: m.negative(a), [()]),
    OpCase("pow_scalar", lambda m, a: a**3, [S]),
    OpCase("pow_half", lambda m, a: m.pow(a, 0.5), [S], domain=(0.5, 2.0)),
    OpCase("pow_tensor", lambda m, a, b: m.pow(a, b), make=_positive_pair),
    OpCase("rpow", lambda m, a: 2.0**a, [S]),
    OpCase("float_power", lambda m, a: m.float_power(a, 2), [S]),
    OpCase("maximum", lambda m, a, b: m.maximum(a, b), make=_distinct_pair),
    OpCase("minimum", lambda m, a, b: m.minimum(a, b), make=_distinct_pair),
    OpCase("maximum_ties", lambda m, a: m.maximum(a, a * 1), [S], gradcheck=False),
    OpCase("fmax", lambda m, a, b: m.fmax(a, b), make=_distinct_pair),
    OpCase("fmin", lambda m, a, b: m.fmin(a, b), make=_distinct_pair),
    OpCase("remainder", lambda m, a, b: m.remainder(a, b), make=lambda r: [r.uniform(0.1, 0.9, S) + r.integers(-3, 3, S), r.choice([-2.0, 1.5, 3.0], S)]),
    OpCase("fmod", lambda m, a, b: m.fmod(a, b), make=lambda r: [r.uniform(0.1, 0.9, S) + r.integers(-3, 3, S), r.choice([-2.0, 1.5, 3.0], S)]),
    OpCase("mod_operator", lambda m, a: a % 1.5, make=lambda r: [r.uniform(0.1, 0.4, S) + 1.5 * r.integers(-3, 3, S)]),
    OpCase("floor_divide_int", lambda m, a, b: m.floor_divide(a, b), make=lambda r: [r.integers(-9, 9, S), r.integers(1, 4, S)], grad=False),
    OpCase("floordiv_operator_float", lambda m, a: a.detach() // 0.7, [S], grad=False),
    OpCase("where", lambda m, c, a, b: m.where(c, a, b), make=lambda r: [r.random(S) > 0.5, r.standard_normal(S), r.standard_normal((4,))]),
    OpCase("where_scalar", lambda m, c, a: m.where(c, a, 0.0), make=lambda r: [r.random(S) > 0.5, r.standard_normal(S)]),
    OpCase("masked_fill", lambda m, a, c: m.masked_fill(a, c, -1.0), make=lambda r: [r.standard_normal(S), r.random((4,)) > 0.5]),
    OpCase("clamp", lambda m, a: m.clamp(a, -0.5, 0.7), make=lambda r: [r.choice([-1.0, -0.3, 0.2, 1.0], S) + r.uniform(-0.05, 0.05, S)]),
    OpCase("clamp_min", lambda m, a: m.clamp(a, min=0.1), make=lambda r: [r.choice([-1.0, 0.5], S) + r.uniform(-0.05, 0.05, S)]),
    OpCase("clip_tensor_bounds", lambda m, a, lo, hi: m.clip(a, lo, hi), make=lambda r: [r.choice([-1.0, 0.0, 1.0], S) + r.uniform(-0.05, 0.05, S), np.full((4,), -0.5), np.full((3, 1), 0.5)]),
    OpCase("abs", lambda m, a: m.abs(a), make=lambda r: [r.choice([-1.0, 1.0], S) * r.uniform(0.1, 2, S)]),
    OpCase("absolute", lambda m, a: m.absolute(a), [(5,)], domain=(0.1, 1.0)),
    OpCase("sign", lambda m, a: m.sign(a), [S]),
    OpCase("floor", lambda m, a: m.floor(a), [S]),
    OpCase("ceil", lambda m, a: m.ceil(a), [S]),
    OpCase("round", lambda m, a: m.round(a), [S]),
    OpCase("round_decimals", lambda m, a: m.round(a, decimals=2), [S], atol=1e-5),
    OpCase("trunc", lambda m, a: m.trunc(a), [S]),
    OpCase("frac", lambda m, a: m.frac(a), [S]),
    OpCase("cast_double", lambda m, a: a.double() * 2, [S]),
    OpCase("cast_int", lambda m, a: a.detach().long(), [S], grad=False),
    OpCase("clone", lambda m, a: m.clone(a), [S]),
    OpCase("addcmul", lambda m, a, b, c: m.addcmul(a, b, c, value=0.5), [S, S, (4,)]),
    OpCase("addcdiv", lambda m, a, b, c: m.addcdiv(a, b, c, value=2.0), [S, S, S], domain=(0.5, 2.0)),
    OpCase("lerp", lambda m, a, b: m.lerp(a, b, 0.3), [S, S]),
    OpCase("atan2", lambda m, a, b: m.atan2(a, b), [S, S], domain=(0.2, 2.0)),
    OpCase("copy_into_clone", lambda m, a, b: a.clone().copy_(b), [S, (4,)]),
    OpCase("mixed_dtype_promotion", lambda m, a, b: a * b.double(), [S, (4,)]),
    OpCase("int_tensor_times_float", lambda m, a: a * 0.5, make=lambda r: [r.integers(-5, 5, S)], grad=False),
    OpCase("int_true_division", lambda m, a, b: a / b, make=lambda r: [r.integers(-5, 5, S), r.integers(1, 5, S)], grad=False),
]
