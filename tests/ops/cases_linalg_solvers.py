"""Op cases for chainrule.linalg's inverses, determinants and solves (well-conditioned random matrices)."""

from __future__ import annotations

import numpy as np

from .harness import OpCase


def square(*batch: int, n: int = 3, shift: float = 3.0):
    """Random (batch..., n, n) matrices with ``shift`` on the diagonal: far from singular."""

    def make(rng):
        return [rng.standard_normal((*batch, n, n)) + shift * np.eye(n)]

    return make


def with_rhs(a_batch: tuple[int, ...], b_shape: tuple[int, ...], n: int = 3, shift: float = 3.0):
    def make(rng):
        return [rng.standard_normal((*a_batch, n, n)) + shift * np.eye(n), rng.standard_normal(b_shape)]

    return make


def _sign_mixed(rng):  # one positive and one negative determinant in a batch
    a = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    a[1, 0] *= -1
    return [a]


CASES = [
    OpCase("linalg_inv", lambda m, a: m.linalg.inv(a), make=square(), noncontig=True),
    OpCase("linalg_inv_batched", lambda m, a: m.linalg.inv(a), make=square(2, 2), dtypes=("float32", "float64")),
    OpCase("linalg_inv_1x1", lambda m, a: m.linalg.inv(a), make=square(n=1)),
    OpCase("linalg_inv_empty_batch", lambda m, a: m.linalg.inv(a), make=square(0)),
    OpCase("linalg_inv_ex", lambda m, a: m.linalg.inv_ex(a), make=square(2)),
    OpCase("inverse", lambda m, a: m.inverse(a), make=square()),
    OpCase("inverse_method", lambda m, a: a.inverse(), make=square(2)),
    OpCase("mH_H_adjoint", lambda m, a, b: (a.mH @ a, m.adjoint(a) @ a.adjoint().mH, b.H), [(2, 3, 4), (3, 2)]),
    OpCase("linalg_det", lambda m, a: m.linalg.det(a), make=square(), noncontig=True),
    OpCase("linalg_det_batched", lambda m, a: m.linalg.det(a), make=square(2, 3, n=4), atol=1e-5),
    OpCase("linalg_det_0x0", lambda m, a: m.linalg.det(a), make=lambda r: [np.zeros((2, 0, 0))]),
    OpCase("det", lambda m, a: m.det(a), make=_sign_mixed),
    OpCase("det_method", lambda m, a: a.det(), make=square()),
    OpCase("linalg_slogdet", lambda m, a: m.linalg.slogdet(a), make=_sign_mixed, noncontig=True),
    OpCase("slogdet", lambda m, a: m.slogdet(a), make=square()),
    OpCase("slogdet_method", lambda m, a: a.slogdet(), make=square(2)),
    OpCase("logdet", lambda m, a: m.logdet(a), make=square(2)),
    OpCase("logdet_method", lambda m, a: a.logdet(), make=square()),
    OpCase("linalg_solve_matrix", lambda m, a, b: m.linalg.solve(a, b), make=with_rhs((), (3, 2)), noncontig=True),
    OpCase("linalg_solve_vector", lambda m, a, b: m.linalg.solve(a, b), make=with_rhs((), (3,))),
    OpCase("linalg_solve_batched_vector", lambda m, a, b: m.linalg.solve(a, b), make=with_rhs((2,), (2, 3))),
    OpCase("linalg_solve_1d_vs_batch", lambda m, a, b: m.linalg.solve(a, b), make=with_rhs((2,), (3,))),
    OpCase("linalg_solve_broadcast", lambda m, a, b: m.linalg.solve(a, b), make=with_rhs((2, 1), (3, 3, 2)),
           dtypes=("float32", "float64")),  # fmt: skip
    OpCase("linalg_solve_broadcast_a", lambda m, a, b: m.linalg.solve(a, b), make=with_rhs((), (4, 3, 2))),
    OpCase("linalg_solve_left_false", lambda m, a, b: m.linalg.solve(a, b, left=False), make=with_rhs((2,), (2, 4, 3))),
    OpCase("linalg_solve_ex", lambda m, a, b: m.linalg.solve_ex(a, b), make=with_rhs((), (3, 2))),
    OpCase("linalg_solve_a_only", lambda m, a, b: m.linalg.solve(a, b.detach()), make=with_rhs((), (3, 2)), gradcheck=False),
    OpCase("linalg_solve_triangular_upper", lambda m, a, b: m.linalg.solve_triangular(a, b, upper=True),
           make=with_rhs((), (3, 2)), noncontig=True),  # fmt: skip
    OpCase("linalg_solve_triangular_lower", lambda m, a, b: m.linalg.solve_triangular(a, b, upper=False),
           make=with_rhs((2,), (2, 3, 4))),  # fmt: skip
    OpCase("linalg_solve_triangular_unit", lambda m, a, b: m.linalg.solve_triangular(a, b, upper=False, unitriangular=True),
           make=with_rhs((), (3, 2), shift=0.0)),  # fmt: skip
    OpCase("linalg_solve_triangular_right", lambda m, a, b: m.linalg.solve_triangular(a, b, upper=True, left=False),
           make=with_rhs((2,), (1, 4, 3))),  # fmt: skip
    OpCase("linalg_solve_triangular_mixed_dtypes", lambda m, a, b: m.linalg.solve_triangular(a, b.double(), upper=True),
           make=with_rhs((), (3, 2))),  # fmt: skip  (PyTorch computes in A's dtype)
    OpCase("linalg_solve_triangular_right_unit",
           lambda m, a, b: m.linalg.solve_triangular(a, b, upper=False, left=False, unitriangular=True),
           make=with_rhs((), (2, 3), shift=0.0)),  # fmt: skip
]
