"""Op cases for chainrule.linalg's LU family: lu_factor(_ex), lu, lu_solve, and the older lu/lu_unpack/lu_solve.

Gaussian matrices: partial pivoting picks the same rows as LAPACK (no ties), and U stays invertible."""

from __future__ import annotations

from .cases_linalg_decomp import gauss
from .harness import OpCase

T = 1e-5


def _ab(a_shape, b_shape):
    return lambda rng: [rng.standard_normal(a_shape), rng.standard_normal(b_shape)]


def _solve(m, a, b, **kw):
    lu_, piv = m.linalg.lu_factor(a)
    return m.linalg.lu_solve(lu_, piv, b, **kw)


CASES = [
    OpCase("linalg_lu_factor", lambda m, a: m.linalg.lu_factor(a), make=gauss(4, 4), noncontig=True, atol=T),
    OpCase("linalg_lu_factor_batched_tall", lambda m, a: m.linalg.lu_factor(a), make=gauss(2, 5, 3), atol=T),
    OpCase("linalg_lu_factor_wide", lambda m, a: m.linalg.lu_factor(a), make=gauss(3, 5), atol=T),
    OpCase("linalg_lu_factor_ex", lambda m, a: m.linalg.lu_factor_ex(a), make=gauss(2, 3, 3), atol=T),
    OpCase("linalg_lu", lambda m, a: m.linalg.lu(a), make=gauss(2, 4, 4), atol=T, dtypes=("float32", "float64")),
    OpCase("linalg_lu_tall", lambda m, a: m.linalg.lu(a), make=gauss(5, 2), atol=T),
    OpCase("linalg_lu_wide", lambda m, a: m.linalg.lu(a), make=gauss(2, 2, 4), atol=T),
    OpCase("linalg_lu_solve", _solve, make=_ab((3, 3), (3, 2)), noncontig=True, atol=T),
    OpCase("linalg_lu_solve_batched", _solve, make=_ab((2, 4, 4), (2, 4, 1)), atol=T),
    OpCase("linalg_lu_solve_adjoint", lambda m, a, b: _solve(m, a, b, adjoint=True), make=_ab((3, 3), (3, 2)), atol=T),
    OpCase("linalg_lu_solve_right", lambda m, a, b: _solve(m, a, b, left=False), make=_ab((3, 3), (2, 3)), atol=T),
    OpCase("linalg_lu_solve_right_adjoint", lambda m, a, b: _solve(m, a, b, left=False, adjoint=True),
           make=_ab((2, 3, 3), (2, 4, 3)), atol=T),  # fmt: skip
    OpCase("lu_toplevel", lambda m, a: m.lu(a), make=gauss(3, 3), atol=T),
    OpCase("lu_method_infos", lambda m, a: a.lu(get_infos=True), make=gauss(2, 3, 3), atol=T),
    OpCase("lu_unpack", lambda m, a: m.lu_unpack(*m.linalg.lu_factor(a)), make=gauss(4, 3), atol=T),
    OpCase("lu_unpack_data_only", lambda m, a: m.lu_unpack(*m.linalg.lu_factor(a), unpack_pivots=False)[1:],
           make=gauss(3, 4), atol=T),  # fmt: skip
    OpCase("lu_solve_toplevel", lambda m, a, b: b.lu_solve(*m.linalg.lu_factor(a)), make=_ab((3, 3), (3, 2)), atol=T),
]
