"""Op cases for chainrule.linalg's Householder functions: householder_product (orgqr), ormqr, geqrf."""

from __future__ import annotations

from .cases_linalg_decomp import gauss
from .harness import OpCase

T = 1e-5


def _a_tau(a_shape, k, c_shape=None):
    def make(rng):
        arrays = [rng.standard_normal(a_shape), rng.uniform(0.5, 1.5, a_shape[:-2] + (k,))]
        return arrays + ([rng.standard_normal(c_shape)] if c_shape else [])

    return make


CASES = [
    OpCase("linalg_householder_product", lambda m, a, t: m.linalg.householder_product(a, t), make=_a_tau((5, 3), 3),
           noncontig=True, atol=T),  # fmt: skip
    OpCase("linalg_householder_product_batched", lambda m, a, t: m.linalg.householder_product(a, t),
           make=_a_tau((2, 4, 4), 2), atol=T),  # fmt: skip
    OpCase("orgqr_method", lambda m, a, t: a.orgqr(t), make=_a_tau((4, 2), 2), atol=T),
    OpCase("ormqr_left", lambda m, a, t, c: m.ormqr(a, t, c), make=_a_tau((5, 3), 3, (5, 2)), atol=T),
    OpCase("ormqr_left_transpose", lambda m, a, t, c: m.ormqr(a, t, c, transpose=True), make=_a_tau((2, 4, 3), 3, (2, 4, 3)), atol=T),
    OpCase("ormqr_right", lambda m, a, t, c: a.ormqr(t, c, left=False), make=_a_tau((4, 3), 3, (2, 4)), atol=T),
    OpCase("ormqr_right_transpose", lambda m, a, t, c: m.ormqr(a, t, c, left=False, transpose=True),
           make=_a_tau((4, 4), 4, (3, 4)), atol=T),  # fmt: skip
    OpCase("geqrf", lambda m, a: m.geqrf(a.detach()), make=gauss(2, 5, 3), grad=False, atol=T),
    OpCase("geqrf_method_wide", lambda m, a: a.detach().geqrf(), make=gauss(3, 4), grad=False, atol=T),
    OpCase("geqrf_then_householder", lambda m, a: m.linalg.householder_product(*m.geqrf(a.detach())).abs(),
           make=gauss(4, 3), grad=False, atol=T),  # fmt: skip
]
