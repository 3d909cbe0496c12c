"""Bad input to chainrule.linalg raises PyTorch's exception class with PyTorch's message (ours may add a hint)."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

F32, F64 = "float32", "float64"


def _t(lib, a, dtype=F32):
    a = np.asarray(a)
    return lib.tensor(a.astype(dtype) if a.dtype.kind == "f" or dtype != F32 else a)


SING = [[1.0, 2.0], [2.0, 4.0]]
NOT_PD = [[1.0, 2.0], [2.0, 1.0]]
EYE2 = np.eye(2)

CASES = {
    "inv_singular": lambda L: L.linalg.inv(_t(L, SING)),
    "inv_singular_batch": lambda L: L.linalg.inv(_t(L, np.stack([EYE2, SING]))),
    "inv_int": lambda L: L.linalg.inv(L.tensor([[1, 2], [3, 4]])),
    "inv_half": lambda L: L.linalg.inv(L.ones(2, 2, dtype=L.float16)),
    "inv_nonsquare": lambda L: L.linalg.inv(L.ones(2, 3)),
    "inv_1d": lambda L: L.linalg.inv(L.ones(3)),
    "inverse_singular": lambda L: L.inverse(_t(L, SING)),
    "inv_ex_check": lambda L: L.linalg.inv_ex(_t(L, SING), check_errors=True),
    "det_int": lambda L: L.linalg.det(L.tensor([[1, 2], [3, 4]])),
    "det_nonsquare": lambda L: L.linalg.det(L.ones(2, 3)),
    "slogdet_1d": lambda L: L.linalg.slogdet(L.ones(3)),
    "solve_singular": lambda L: L.linalg.solve(_t(L, SING), L.ones(2)),
    "solve_rows": lambda L: L.linalg.solve(L.eye(3), L.ones(2, 3)),
    "solve_vector_rows": lambda L: L.linalg.solve(L.eye(3), L.ones(2)),
    "solve_left_false_vector": lambda L: L.linalg.solve(L.eye(3), L.ones(3), left=False),
    "solve_dtype": lambda L: L.linalg.solve(L.eye(3), L.ones(3, dtype=L.float64)),
    "solve_triangular_1d": lambda L: L.linalg.solve_triangular(L.eye(3), L.ones(3), upper=True),
    "cholesky_not_pd": lambda L: L.linalg.cholesky(_t(L, NOT_PD)),
    "cholesky_not_pd_batch": lambda L: L.linalg.cholesky(_t(L, np.stack([EYE2, NOT_PD]))),
    "cholesky_ex_check": lambda L: L.linalg.cholesky_ex(_t(L, NOT_PD), check_errors=True),
    "eigh_nonsquare": lambda L: L.linalg.eigh(L.ones(2, 3)),
    "eigh_uplo": lambda L: L.linalg.eigh(L.eye(3), UPLO="X"),
    "eigvalsh_1d": lambda L: L.linalg.eigvalsh(L.ones(3)),
    "svd_int": lambda L: L.linalg.svd(L.tensor([[1, 2], [3, 4]])),
    "svdvals_1d": lambda L: L.linalg.svdvals(L.ones(3)),
    "qr_mode": lambda L: L.linalg.qr(L.ones(2, 3), mode="x"),
    "qr_1d": lambda L: L.linalg.qr(L.ones(3)),
    "lstsq_driver": lambda L: L.linalg.lstsq(L.ones(5, 3), L.ones(5, 2), driver="x"),
    "lstsq_rows": lambda L: L.linalg.lstsq(L.ones(2, 5, 3), L.ones(2, 4, 2)),
    "lstsq_dims": lambda L: L.linalg.lstsq(L.ones(2, 5, 3), L.ones(1, 1, 5, 2)),
    "matrix_power_nonsquare": lambda L: L.linalg.matrix_power(L.ones(2, 3), 2),
    "matrix_power_float_n": lambda L: L.linalg.matrix_power(L.ones(3, 3), 2.0),
    "matrix_power_neg_singular": lambda L: L.linalg.matrix_power(_t(L, SING), -1),
    "matrix_exp_nonsquare": lambda L: L.linalg.matrix_exp(L.ones(2, 3)),
    "matrix_exp_int": lambda L: L.linalg.matrix_exp(L.ones(3, 3, dtype=L.int64)),
    "norm_3d_ord": lambda L: L.linalg.norm(L.ones(2, 3, 4), ord=2),
    "norm_dim3": lambda L: L.linalg.norm(L.ones(2, 3, 3), dim=(0, 1, 2)),
    "norm_int": lambda L: L.linalg.norm(L.ones(3, 3, dtype=L.int64)),
    "matrix_norm_1d": lambda L: L.linalg.matrix_norm(L.ones(3), ord=2),
    "matrix_norm_ord3": lambda L: L.linalg.matrix_norm(L.ones(3, 3), ord=3),
    "matrix_norm_ord_str": lambda L: L.linalg.matrix_norm(L.ones(3, 3), ord="abc"),
    "matrix_norm_same_dims": lambda L: L.linalg.matrix_norm(L.ones(3, 3), dim=(0, 0)),
    "matrix_norm_int": lambda L: L.linalg.matrix_norm(L.ones(3, 3, dtype=L.int64)),
    "vector_norm_str_ord": lambda L: L.linalg.vector_norm(L.ones(3), ord="fro"),
    "vector_norm_int": lambda L: L.linalg.vector_norm(L.ones(3, dtype=L.int64)),
    "vector_norm_int_dtype": lambda L: L.linalg.vector_norm(L.ones(3), dtype=L.int64),
    "vector_norm_int_to_float": lambda L: L.linalg.vector_norm(L.tensor([3, 4]), dtype=L.float64),
    "matrix_norm_int_to_float": lambda L: L.linalg.matrix_norm(L.tensor([[3, 4]]), dtype=L.float64),
    "vector_norm_narrowing": lambda L: L.linalg.vector_norm(L.tensor([3.0, 4.0], dtype=L.float64), dtype=L.float32),
    "mH_1d": lambda L: L.ones(3).mH,
    "H_1d": lambda L: L.ones(3).H,
    "H_3d": lambda L: L.ones(2, 3, 4).H,
    "adjoint_1d": lambda L: L.adjoint(L.ones(3)),
    "lu_factor_singular": lambda L: L.linalg.lu_factor(_t(L, SING)),
    "lu_factor_ex_check": lambda L: L.linalg.lu_factor_ex(_t(L, np.stack([EYE2, SING])), check_errors=True),
    "lu_factor_no_pivot": lambda L: L.linalg.lu_factor(L.ones(3, 3), pivot=False),
    "lu_factor_int": lambda L: L.linalg.lu_factor(L.tensor([[1, 2], [3, 4]])),
    "lu_factor_1d": lambda L: L.linalg.lu_factor(L.ones(3)),
    "lu_solve_1d_b": lambda L: L.linalg.lu_solve(*L.linalg.lu_factor(L.eye(3)), L.ones(3)),
    "lu_solve_nonsquare": lambda L: L.linalg.lu_solve(*L.linalg.lu_factor(L.ones(3, 4) + L.eye(3, 4)), L.ones(3, 1)),
    "lstsq_dtype": lambda L: L.linalg.lstsq(L.ones(3, 3), L.ones(3, 2, dtype=L.float64)),
    "lstsq_int": lambda L: L.linalg.lstsq(L.ones(3, 3, dtype=L.int64), L.ones(3, 2, dtype=L.int64)),
    "solve_triangular_rows": lambda L: L.linalg.solve_triangular(L.eye(3), L.ones(2, 2), upper=True),
    "solve_triangular_int": lambda L: L.linalg.solve_triangular(L.eye(3, dtype=L.int64), L.ones(3, 2, dtype=L.int64), upper=True),
    "pinv_int": lambda L: L.linalg.pinv(L.ones(3, 3, dtype=L.int64)),
    "pinv_1d": lambda L: L.linalg.pinv(L.ones(3)),
    "matrix_rank_int": lambda L: L.linalg.matrix_rank(L.ones(3, 3, dtype=L.int64)),
    "cond_int": lambda L: L.linalg.cond(L.ones(3, 3, dtype=L.int64)),
    "cholesky_int": lambda L: L.linalg.cholesky(L.ones(3, 3, dtype=L.int64)),
    "cholesky_nonsquare": lambda L: L.linalg.cholesky(L.ones(3, 2)),
    "qr_int": lambda L: L.linalg.qr(L.ones(3, 3, dtype=L.int64)),
    "eigh_int": lambda L: L.linalg.eigh(L.ones(3, 3, dtype=L.int64)),
    "slogdet_int": lambda L: L.linalg.slogdet(L.ones(3, 3, dtype=L.int64)),
    "logdet_int": lambda L: L.logdet(L.ones(3, 3, dtype=L.int64)),
    "solve_int": lambda L: L.linalg.solve(L.ones(3, 3, dtype=L.int64), L.ones(3, dtype=L.int64)),
    "solve_batch_mismatch": lambda L: L.linalg.solve(L.ones(2, 3, 3), L.ones(4, 3, 1)),
    "matrix_power_int": lambda L: L.linalg.matrix_power(L.ones(3, 3, dtype=L.int64), -1),
    "vander_float_n": lambda L: L.linalg.vander(L.ones(3), N=2.5),
    "householder_wide": lambda L: L.linalg.householder_product(L.ones(3, 5), L.ones(3)),
    "householder_tau_long": lambda L: L.linalg.householder_product(L.ones(5, 3), L.ones(4)),
    "householder_tau_batch": lambda L: L.linalg.householder_product(L.ones(2, 5, 3), L.ones(3, 3)),
    "householder_tau_dtype": lambda L: L.linalg.householder_product(L.ones(5, 3), L.ones(3, dtype=L.float64)),
    "geqrf_1d": lambda L: L.geqrf(L.ones(3)),
    "ormqr_tau": lambda L: L.ormqr(L.ones(4, 3), L.ones(2), L.ones(4, 3)),
    "ormqr_rows": lambda L: L.ormqr(L.ones(5, 3), L.ones(3), L.ones(4, 5)),
    "cross_ndim": lambda L: L.linalg.cross(L.ones(2, 3), L.ones(3)),
    "cross_len": lambda L: L.linalg.cross(L.ones(3, 2), L.ones(3, 2)),
    "multi_dot_one": lambda L: L.linalg.multi_dot([L.ones(3)]),
    "multi_dot_first_3d": lambda L: L.linalg.multi_dot([L.ones(2, 3, 3), L.ones(3, 3)]),
    "multi_dot_middle_1d": lambda L: L.linalg.multi_dot([L.ones(3), L.ones(3), L.ones(3)]),
    "multi_dot_shapes": lambda L: L.linalg.multi_dot([L.ones(3, 2), L.ones(3, 4)]),
    "multi_dot_dtype": lambda L: L.linalg.multi_dot([L.ones(3, 2), L.ones(2, 4, dtype=L.float64)]),
    "vecdot_int": lambda L: L.linalg.vecdot(L.ones(3, dtype=L.int64), L.ones(3, dtype=L.int64)),
    "vecdot_dtype": lambda L: L.linalg.vecdot(L.ones(3), L.ones(3, dtype=L.float64)),
    "cond_nonsquare": lambda L: L.linalg.cond(L.ones(2, 3), 1),
    "vander_n1": lambda L: L.linalg.vander(L.ones(3), N=1),
    "vander_0d": lambda L: L.linalg.vander(L.ones(())),
    "tensorinv_shape": lambda L: L.linalg.tensorinv(L.ones(4, 6, 8, 2)),
    "tensorsolve_shape": lambda L: L.linalg.tensorsolve(L.ones(2, 3, 5), L.ones(2, 3)),
}


# Where PyTorch's message is an internal one, ours says more; it must still carry these words.
CLEARER = {
    "lstsq_int": "Expected a floating point",  # PyTorch: "This function doesn't handle types other than float..."
    "matrix_rank_int": "Expected a floating point",
    "cond_int": "linalg.cond: Expected a floating point",  # PyTorch names the svd it calls
    "solve_batch_mismatch": "size of tensor a (4) must match the size of tensor b (2) at non-singleton dimension 0",
}


def _raise(fn, lib):
    with pytest.raises(Exception) as info:
        fn(lib)
    return info.value


@pytest.mark.parametrize("name", list(CASES))
def test_error_matches_torch(name: str) -> None:
    theirs = _raise(CASES[name], torch)
    ours = _raise(CASES[name], cr)
    if isinstance(theirs, torch.linalg.LinAlgError):
        assert isinstance(ours, cr.linalg.LinAlgError), f"{name}: {type(ours).__name__}: {ours}"
    for cls in (TypeError, IndexError, ValueError, RuntimeError):
        if isinstance(theirs, cls):
            assert isinstance(ours, cls), f"{name}: expected {cls.__name__}, got {type(ours).__name__}: {ours}"
            break
    if name == "matrix_power_float_n":  # PyTorch's argument parser names the C++ overload
        assert "argument 'n'" in str(ours) and "must be int, not float" in str(ours)
        return
    if type(theirs) is NotImplementedError:
        assert type(ours) is NotImplementedError, f"{name}: {type(ours).__name__}: {ours}"
    if name in CLEARER:
        assert CLEARER[name] in str(ours), f"{name}: {ours}"
        return
    assert str(ours).startswith(str(theirs)), f"{name}:\n ours:   {ours}\n torch: {theirs}"


def test_linalg_error_is_a_runtime_error() -> None:
    assert issubclass(cr.linalg.LinAlgError, RuntimeError)
    with pytest.raises(RuntimeError, match="singular"):
        cr.linalg.inv(cr.zeros(3, 3))


def test_cross_dtype_mismatch_names_both() -> None:
    with pytest.raises(RuntimeError, match="linalg.cross.*Float and Double"):
        cr.linalg.cross(cr.ones(3), cr.ones(3, dtype=cr.float64))


def test_qr_not_differentiable_modes_raise_on_backward() -> None:
    a = cr.randn(4, 3, requires_grad=True)
    r = cr.linalg.qr(a, mode="r").R
    with pytest.raises(RuntimeError, match="mode='r'"):
        r.sum().backward()
    q, r = cr.linalg.qr(a, mode="complete")
    with pytest.raises(RuntimeError, match="mode='complete' and nrows > ncols"):
        (q.sum() + r.sum()).backward()
