"""Op cases for ops/bessel.py: i0 (and Tensor.i0), special.i0e, i1, i1e over small and large arguments
(both sides of the series / asymptotic switch at |x| = 20), 0-d, empty and non-contiguous inputs, with
float64 forward checks at tight tolerance over many points, zero and the non-finite values."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

S = (3, 4)

_FUNCS = [
    ("i0", lambda m, a: m.i0(a)),
    ("special_i0e", lambda m, a: m.special.i0e(a)),
    ("special_i1", lambda m, a: m.special.i1(a)),
    ("special_i1e", lambda m, a: m.special.i1e(a)),
]


def _points(rng):  # many arguments, the switch at 20, zero, huge (overflow to inf for i0/i1), ±inf, nan
    return [np.concatenate([rng.uniform(-40, 40, 300), [0.0, 1e-300, 19.999, 20.0, 20.001, -20.0, 700.0, 710.0,
                                                         -710.0, 1e6, np.inf, -np.inf, np.nan]])]  # fmt: skip


CASES = [
    *[OpCase(name, fn, [S], domain=(-4.0, 4.0), noncontig=True, dtypes=("float32", "float64")) for name, fn in _FUNCS],
    *[OpCase(f"{name}_large", fn, [S], domain=(14.0, 30.0), dtypes=("float64",)) for name, fn in _FUNCS],
    *[OpCase(f"{name}_points", fn, make=_points, dtypes=("float64",), rtol=1e-13, atol=0.0, gradcheck=False,
             grad=False) for name, fn in _FUNCS],  # fmt: skip
    OpCase("i0[0d]", lambda m, a: m.i0(a), [()]),
    OpCase("i1e[empty]", lambda m, a: m.special.i1e(a), [(0, 3)], gradcheck=False),
    OpCase("i0_method_and_special_alias", lambda m, a: a.i0() + m.special.i0(a), [S], domain=(-3.0, 3.0)),
    OpCase("i0_int_input", lambda m, x: (m.i0(x), m.special.i1(x)), make=lambda r: [np.array([1, 2, 0, -3])], grad=False),
]
