"""Op cases for chainrule.linalg's matrix functions (matrix_exp, matrix_power, pinv, lstsq, matrix_rank),
products (cross, multi_dot, vecdot, diagonal) and norms (vector, matrix: every ord)."""

from __future__ import annotations

import numpy as np

from .cases_linalg_decomp import distinct_sv, gauss, spd, spd_input
from .cases_linalg_solvers import square
from .harness import OpCase

INF = float("inf")
T = 1e-5


def _distinct_sums(rng):  # row/column abs-sums far apart, so max/min have no near-ties
    return [rng.uniform(0.5, 1.0, (3, 4)) * rng.choice([-1, 1], (3, 4)) + np.diag([3.0, 1.5, 0.0])[:, :1] * np.arange(1, 5)]


def _distinct_sums_square(rng):
    return [rng.uniform(0.5, 1.0, (3, 3)) * rng.choice([-1, 1], (3, 3)) + np.diag([4.0, 2.0, 3.0]) + np.array([[0, 1.5, 0]])]


def _lstsq(rng, m=5, n=3, k=2, batch=()):
    return [rng.standard_normal((*batch, m, n)), rng.standard_normal((*batch, m, k))]


CASES = [
    # matrix_exp
    OpCase("linalg_matrix_exp", lambda m, a: m.linalg.matrix_exp(a), make=gauss(3, 3), noncontig=True, atol=T),
    OpCase("linalg_matrix_exp_scaled", lambda m, a: m.linalg.matrix_exp(3 * a), make=gauss(2, 4, 4), rtol=1e-4, atol=1e-4,
           dtypes=("float64",)),  # fmt: skip
    OpCase("matrix_exp", lambda m, a: m.matrix_exp(a), make=gauss(1, 1)),
    OpCase("matrix_exp_method", lambda m, a: a.matrix_exp(), make=lambda r: [0.1 * r.standard_normal((2, 3, 3))]),
    # matrix_power
    OpCase("linalg_matrix_power_3", lambda m, a: m.linalg.matrix_power(a, 3), make=gauss(3, 3), noncontig=True, atol=T),
    OpCase("linalg_matrix_power_0", lambda m, a: m.linalg.matrix_power(a, 0), make=gauss(2, 3, 3)),
    OpCase("linalg_matrix_power_1", lambda m, a: m.linalg.matrix_power(a, 1), make=gauss(3, 3)),
    OpCase("linalg_matrix_power_neg", lambda m, a: m.linalg.matrix_power(a, -2), make=square(2), atol=T),
    OpCase("matrix_power", lambda m, a: m.matrix_power(a, 5), make=lambda r: [0.5 * r.standard_normal((3, 3))], atol=T),
    OpCase("linalg_matrix_power_int", lambda m, a: m.linalg.matrix_power(a, 3), grad=False,
           make=lambda r: [r.integers(-3, 3, (2, 3, 3))]),  # fmt: skip
    OpCase("matrix_power_method", lambda m, a: a.matrix_power(2), make=gauss(2, 2)),
    # pinv
    OpCase("linalg_pinv_tall", lambda m, a: m.linalg.pinv(a), make=distinct_sv(5, 3), noncontig=True, atol=T),
    OpCase("linalg_pinv_wide_batched", lambda m, a: m.linalg.pinv(a), make=distinct_sv(2, 3, 5), atol=T),
    OpCase("linalg_pinv_hermitian", lambda m, x: m.linalg.pinv(spd(m, x), hermitian=True), make=gauss(3, 3), atol=T),
    OpCase("linalg_pinv_rtol", lambda m, a: m.linalg.pinv(a, rtol=0.3), make=lambda r: [np.diag([3.0, 2.0, 0.5]) @ r.standard_normal((3, 4))],
           atol=T, gradcheck=False),  # fmt: skip  (the truncated rank makes finite differences see the dropped value)
    OpCase("pinverse", lambda m, a: m.pinverse(a), make=distinct_sv(4, 3), atol=T),
    OpCase("pinverse_method", lambda m, a: a.pinverse(), make=distinct_sv(3, 4), atol=T),
    # lstsq
    OpCase("linalg_lstsq_tall", lambda m, a, b: m.linalg.lstsq(a, b).solution, make=_lstsq, noncontig=True, atol=T),
    OpCase("linalg_lstsq_wide", lambda m, a, b: m.linalg.lstsq(a, b).solution, make=lambda r: _lstsq(r, 3, 5), atol=T),
    OpCase("linalg_lstsq_batched_vector", lambda m, a, b: m.linalg.lstsq(a, b[..., 0]).solution,
           make=lambda r: _lstsq(r, batch=(2,)), atol=T),  # fmt: skip
    OpCase("linalg_lstsq_gelsd", lambda m, a, b: m.linalg.lstsq(a, b, driver="gelsd")[:2], make=_lstsq, atol=T,
           dtypes=("float64",)),  # fmt: skip
    OpCase("linalg_lstsq_gelsd_all", lambda m, a, b: m.linalg.lstsq(a, b, driver="gelsd"), make=_lstsq, atol=T, grad=False),
    OpCase("linalg_lstsq_gelss_vector", lambda m, a, b: m.linalg.lstsq(a, b[:, 0], driver="gelss"), make=_lstsq, atol=T,
           grad=False),  # fmt: skip
    OpCase("linalg_lstsq_gels", lambda m, a, b: m.linalg.lstsq(a, b, driver="gels"), make=_lstsq, atol=T, grad=False),
    OpCase("linalg_lstsq_gelsy_all", lambda m, a, b: m.linalg.lstsq(a, b), make=_lstsq, atol=T),
    OpCase("linalg_matrix_rank", lambda m, a: m.linalg.matrix_rank(a), grad=False,
           make=lambda r: [r.standard_normal((2, 4, 2)) @ r.standard_normal((2, 2, 5))]),  # fmt: skip
    OpCase("linalg_matrix_rank_hermitian", lambda m, a: m.linalg.matrix_rank(a, hermitian=True, atol=1.0),
           make=spd_input(2), grad=False),  # fmt: skip
    # cond, vander  (PyTorch 2.13 cannot backpropagate cond with ord other than None/±2: its inv_ex output is
    # modified in place; tests/linalg/test_behaviour.py gradchecks those), tensorinv, tensorsolve, matmul
    OpCase("linalg_cond", lambda m, a: m.linalg.cond(a), make=distinct_sv(2, 3, 4), atol=T),
    OpCase("linalg_cond_neg2", lambda m, a: m.linalg.cond(a, -2), make=distinct_sv(4, 3), atol=T),
    OpCase("linalg_cond_fro", lambda m, a: m.linalg.cond(a, "fro"), make=square(2), atol=T, grad=False),
    OpCase("linalg_cond_1", lambda m, a: m.linalg.cond(a, 1), make=_distinct_sums_square, atol=T, grad=False),
    OpCase("linalg_cond_inf", lambda m, a: m.linalg.cond(a, INF), make=_distinct_sums_square, atol=T, grad=False),
    OpCase("linalg_vander", lambda m, x: m.linalg.vander(x), [(2, 4)], noncontig=True),
    OpCase("linalg_vander_n", lambda m, x: m.linalg.vander(x, N=5), [(3,)]),
    OpCase("linalg_vander_int", lambda m, x: m.linalg.vander(x, N=3), make=lambda r: [r.integers(-3, 3, (4,))], grad=False),
    OpCase("linalg_tensorinv", lambda m, a: m.linalg.tensorinv(a, ind=1), make=lambda r: [
        (r.standard_normal((6, 6)) + 4 * np.eye(6)).reshape(6, 2, 3)], atol=T),  # fmt: skip
    OpCase("linalg_tensorinv_ind2", lambda m, a: m.linalg.tensorinv(a), make=lambda r: [
        (r.standard_normal((4, 4)) + 4 * np.eye(4)).reshape(2, 2, 4)], atol=T),  # fmt: skip
    OpCase("linalg_tensorsolve", lambda m, a, b: m.linalg.tensorsolve(a, b), make=lambda r: [
        (r.standard_normal((6, 6)) + 4 * np.eye(6)).reshape(2, 3, 6), r.standard_normal((2, 3))], atol=T),  # fmt: skip
    OpCase("linalg_tensorsolve_dims", lambda m, a, b: m.linalg.tensorsolve(a, b, dims=(0,)), make=lambda r: [
        (r.standard_normal((6, 6)) + 4 * np.eye(6)).reshape(6, 2, 3), r.standard_normal((2, 3))], atol=T),  # fmt: skip
    OpCase("linalg_matmul", lambda m, a, b: m.linalg.matmul(a, b), [(2, 3, 4), (4, 2)]),
    # products
    OpCase("linalg_cross", lambda m, a, b: m.linalg.cross(a, b), [(4, 3), (4, 3)], noncontig=True),
    OpCase("linalg_cross_dim0_broadcast", lambda m, a, b: m.linalg.cross(a, b, dim=0), [(3, 2), (3, 1)]),
    OpCase("linalg_cross_int", lambda m, a, b: m.linalg.cross(a, b), grad=False,
           make=lambda r: [r.integers(-3, 3, (2, 3)), r.integers(-3, 3, (2, 3))]),  # fmt: skip
    OpCase("linalg_multi_dot", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), [(2, 5), (5, 1), (1, 4)], noncontig=True),
    OpCase("linalg_multi_dot_vectors", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), [(3,), (3, 4), (4,)]),
    OpCase("linalg_multi_dot_row", lambda m, a, b: m.linalg.multi_dot((a, b)), [(3,), (3, 4)]),
    OpCase("linalg_multi_dot_col", lambda m, a, b, c, d: m.linalg.multi_dot([a, b, c, d]), [(6, 2), (2, 7), (7, 3), (3,)]),
    OpCase("linalg_vecdot", lambda m, a, b: m.linalg.vecdot(a, b), [(2, 4), (4,)]),
    OpCase("linalg_vecdot_dim", lambda m, a, b: m.linalg.vecdot(a, b, dim=0), [(3, 2), (3, 2)]),
    OpCase("linalg_diagonal", lambda m, a: m.linalg.diagonal(a, offset=1), [(2, 3, 4)]),
    # norms
    OpCase("linalg_vector_norm", lambda m, a: m.linalg.vector_norm(a), [(3, 4)], noncontig=True),
    OpCase("linalg_vector_norm_ord1_dim", lambda m, a: m.linalg.vector_norm(a, 1, dim=(0, 2), keepdim=True), [(2, 3, 4)],
           gradcheck=False),  # fmt: skip  (|x| has a kink; the grid never lands on 0 but keep it simple)
    OpCase("linalg_vector_norm_ord3", lambda m, a: m.linalg.vector_norm(a, 3, dim=-1), [(2, 5)]),
    OpCase("linalg_vector_norm_inf", lambda m, a: m.linalg.vector_norm(a, INF, dim=1), [(2, 5)]),
    OpCase("linalg_vector_norm_dtype", lambda m, a: m.linalg.vector_norm(a, dtype=m.float64), [(4,)]),
    OpCase("linalg_matrix_norm_fro", lambda m, a: m.linalg.matrix_norm(a), [(2, 3, 4)], noncontig=True),
    OpCase("linalg_matrix_norm_nuc", lambda m, a: m.linalg.matrix_norm(a, "nuc"), make=distinct_sv(2, 3, 4), atol=T),
    OpCase("linalg_matrix_norm_2", lambda m, a: m.linalg.matrix_norm(a, 2), make=distinct_sv(4, 3), atol=T),
    OpCase("linalg_matrix_norm_neg2", lambda m, a: m.linalg.matrix_norm(a, -2, keepdim=True), make=distinct_sv(2, 3, 3), atol=T),
    OpCase("linalg_matrix_norm_1", lambda m, a: m.linalg.matrix_norm(a, 1), make=_distinct_sums),
    OpCase("linalg_matrix_norm_neg1", lambda m, a: m.linalg.matrix_norm(a, -1, keepdim=True), make=_distinct_sums),
    OpCase("linalg_matrix_norm_inf", lambda m, a: m.linalg.matrix_norm(a, INF), make=_distinct_sums),
    OpCase("linalg_matrix_norm_neginf_dims", lambda m, a: m.linalg.matrix_norm(a.mT, -INF, dim=(1, 0)), make=_distinct_sums),
    OpCase("linalg_matrix_norm_nuc_dims", lambda m, a: m.linalg.matrix_norm(a, "nuc", dim=(0, 2), keepdim=True),
           make=distinct_sv(3, 2, 4), atol=T),  # fmt: skip
    OpCase("norm_nuc", lambda m, a: m.norm(a, p="nuc"), make=distinct_sv(3, 4), atol=T),
    OpCase("norm_method_nuc_dims", lambda m, a: a.norm("nuc", dim=(1, 2), keepdim=True), make=distinct_sv(2, 3, 4), atol=T),
    OpCase("dist", lambda m, a, b: m.dist(a, b), [(2, 3), (3,)]),
    OpCase("dist_method_p1", lambda m, a, b: a.dist(b, 1), [(4,), (4,)], gradcheck=False),
    OpCase("dist_inf", lambda m, a, b: m.dist(a, b, float("inf")), [(3, 2), (3, 2)]),
    OpCase("linalg_norm_default", lambda m, a: m.linalg.norm(a), [(2, 3, 4)]),
    OpCase("linalg_norm_vector_ord", lambda m, a: m.linalg.norm(a, 4), [(5,)]),
    OpCase("linalg_norm_matrix_ord", lambda m, a: m.linalg.norm(a, "nuc"), make=distinct_sv(3, 4), atol=T),
    OpCase("linalg_norm_dim_int", lambda m, a: m.linalg.norm(a, dim=1), [(3, 4)]),
    OpCase("linalg_norm_dim_pair", lambda m, a: m.linalg.norm(a, 2, dim=(0, 1)), make=distinct_sv(3, 4, 2), atol=T),
]
