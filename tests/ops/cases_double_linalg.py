"""Op cases that exercise the recorded (double) backward of the linear-algebra ops in forms the other case
files leave out: einsum diagonals beside other letters, triangular solves with a unit upper triangle,
a batched wide LU, batched matrix powers, normalize for a general p, cdist where both operands broadcast.
Inputs are well-conditioned (diagonally dominant, spectra apart), so float64 second derivatives are stable."""

from __future__ import annotations

from .cases_linalg_solvers import square, with_rhs
from .harness import OpCase

T = 1e-5


def _n(*shapes: tuple[int, ...]):
    return lambda r: [r.standard_normal(s) for s in shapes]


CASES = [
    OpCase("einsum_diag_nonadjacent", lambda m, a: m.einsum("iji->j", a), make=_n((3, 2, 3))),
    OpCase("einsum_diag_times_matrix", lambda m, a, b: m.einsum("ii,ij->j", a, b), make=_n((3, 3), (3, 4))),
    OpCase("einsum_diag_squared", lambda m, a: m.einsum("ii,jj->ij", a, a), make=_n((3, 3))),
    OpCase("linalg_solve_triangular_upper_unit",
           lambda m, a, b: m.linalg.solve_triangular(a, b, upper=True, unitriangular=True),
           make=with_rhs((2,), (2, 3, 2), shift=0.0)),  # fmt: skip
    OpCase("linalg_lu_factor_batched_wide", lambda m, a: m.linalg.lu_factor(a)[0], make=_n((2, 3, 5)), atol=T),
    OpCase("linalg_matrix_power_batched_4", lambda m, a: m.linalg.matrix_power(a, 4),
           make=lambda r: [0.5 * r.standard_normal((2, 3, 3))], atol=T),  # fmt: skip
    OpCase("linalg_det_inv_chain", lambda m, a: m.linalg.det(m.linalg.inv(a)) * m.linalg.det(a @ a),
           make=square(2), atol=T),  # fmt: skip
    OpCase("normalize_p1.5_dim0", lambda m, x: m.nn.functional.normalize(x, p=1.5, dim=0), [(4, 3)],
           domain=(0.3, 2.0), atol=T, rtol=1e-4),  # fmt: skip
    OpCase("cdist_both_broadcast", lambda m, a, b: m.cdist(a, b), make=_n((2, 1, 3, 2), (1, 2, 4, 2))),
]
