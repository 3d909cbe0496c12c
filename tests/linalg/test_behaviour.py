"""chainrule.linalg edge cases against PyTorch: singular inputs, rank deficiency, empty matrices, info codes,
the old top-level conventions, named results."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _both(a: np.ndarray, grad: bool = False):
    return cr.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad)


def _close(ours, theirs, **kw):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), **kw)


def _cofactors(a: np.ndarray) -> np.ndarray:
    """The cofactor matrix by its definition, C_ij = (-1)^(i+j) det(A without row i and column j)."""
    n = a.shape[0]
    c = np.empty_like(a)
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(a, i, 0), j, 1)
            c[i, j] = (-1) ** (i + j) * np.linalg.det(minor)
    return c


SINGULAR = [
    np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, -1.0, 2.0]]),  # rank 2
    np.outer([1.0, 2.0, 3.0], [0.5, -1.0, 2.0]),  # rank 1: the cofactors vanish
    np.array([[0.0, 0.0], [0.0, 1.0]]),
    np.array([[0.0]]),
]


@pytest.mark.parametrize("a", SINGULAR, ids=["rank2", "rank1", "diag", "1x1"])
def test_det_gradient_of_a_singular_matrix_is_its_cofactor_matrix(a: np.ndarray) -> None:
    """Jacobi's formula d det/dA = cof(A) holds at singular A too (det is a polynomial). PyTorch returns zeros
    there (a known edge case of its LU-based backward); chainrule returns the cofactors, the limit of
    PyTorch's own gradient at nearby invertible matrices (checked next)."""
    x = cr.tensor(a, requires_grad=True)
    cr.linalg.det(x).backward()
    np.testing.assert_allclose(x.grad.numpy(), _cofactors(a), atol=1e-12)


def test_det_gradient_is_continuous_into_singular_matrices() -> None:
    a = SINGULAR[0]
    near = a + 1e-7 * np.eye(3)
    t = torch.tensor(near, requires_grad=True)
    torch.linalg.det(t).backward()
    x = cr.tensor(np.stack([a, near]), requires_grad=True)
    cr.linalg.det(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy()[1], t.grad.numpy(), rtol=1e-7, atol=1e-13)
    np.testing.assert_allclose(x.grad.numpy()[0], t.grad.numpy(), atol=1e-5)


def test_logdet_of_negative_and_zero_determinants() -> None:
    a = np.stack([np.diag([-1.0, 2.0]), np.diag([0.0, 1.0]), np.diag([2.0, 3.0])])
    c, t = _both(a)
    _close(cr.logdet(c), torch.logdet(t))
    sign_c, log_c = cr.linalg.slogdet(c)
    sign_t, log_t = torch.linalg.slogdet(t)
    _close(sign_c, sign_t)
    _close(log_c, log_t)


def test_info_codes_of_the_ex_functions() -> None:
    a = np.stack([np.eye(3), [[1.0, 2, 3], [2, 4, 6], [1, 0, 1]], [[2.0, 0, 0], [0, 0, 0], [0, 0, 1]]])
    c, t = _both(a)
    _close(cr.linalg.inv_ex(c).info, torch.linalg.inv_ex(t).info)
    for b in (np.ones((3, 2)), np.ones(3), np.ones((3, 3))):
        ours, theirs = cr.linalg.solve_ex(c, cr.tensor(b)), torch.linalg.solve_ex(t, torch.tensor(b))
        _close(ours.info, theirs.info)
        assert tuple(ours.result.shape) == tuple(theirs.result.shape)
        _close(ours.result[0], theirs.result[0])  # the invertible matrix's solution
        assert np.isnan(ours.result[1].numpy()).all()
    assert cr.linalg.inv_ex(c).info.dtype == cr.int32
    spd = np.stack([np.eye(3), np.diag([1.0, -1.0, 1.0]), np.diag([1.0, 1.0, 0.0])])
    c, t = _both(spd)
    _close(cr.linalg.cholesky_ex(c).info, torch.linalg.cholesky_ex(t).info)
    ok_c, ok_t = _both(np.eye(2) * 4)
    _close(cr.linalg.cholesky_ex(ok_c, upper=True).L, torch.linalg.cholesky_ex(ok_t, upper=True).L)
    _close(cr.linalg.solve_ex(ok_c, ok_c).result, torch.linalg.solve_ex(ok_t, ok_t).result)


def test_rank_deficient_pinv_matrix_rank_and_lstsq() -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 5, 2)) @ rng.standard_normal((2, 2, 4))  # rank 2, (5, 4)
    b = rng.standard_normal((2, 5, 3))
    c, t = _both(a)
    cb, tb = _both(b)
    _close(cr.linalg.pinv(c), torch.linalg.pinv(t), atol=1e-10)
    _close(cr.linalg.matrix_rank(c), torch.linalg.matrix_rank(t))
    for kw in ({"atol": 1.0}, {"rtol": 0.5}, {"atol": 0.1, "rtol": 0.2}):
        _close(cr.linalg.matrix_rank(c, **kw), torch.linalg.matrix_rank(t, **kw))
        _close(cr.linalg.pinv(c, **kw), torch.linalg.pinv(t, **kw), atol=1e-10)
    _close(cr.linalg.matrix_rank(c, tol=1.0), torch.linalg.matrix_rank(t, tol=1.0))
    _close(cr.linalg.pinv(c, rcond=0.3), torch.linalg.pinv(t, rcond=0.3), atol=1e-10)
    _close(cr.pinverse(c[0], rcond=0.3), torch.pinverse(t[0], rcond=0.3), atol=1e-10)
    for driver in (None, "gelsd", "gelss"):
        ours, theirs = cr.linalg.lstsq(c, cb, driver=driver), torch.linalg.lstsq(t, tb, driver=driver)
        _close(ours.solution, theirs.solution, atol=1e-9)
        _close(ours.rank, theirs.rank)
        assert tuple(ours.residuals.shape) == tuple(theirs.residuals.shape) == (0,)  # rank-deficient: none


def test_empty_matrices() -> None:
    for shape in ((0, 3), (3, 0), (2, 0, 0)):
        c, t = _both(np.zeros(shape))
        for full in (True, False):
            for x, y in zip(cr.linalg.svd(c, full_matrices=full), torch.linalg.svd(t, full_matrices=full)):
                _close(x, y)
                assert tuple(x.shape) == tuple(y.shape)
        for mode in ("reduced", "complete"):
            for x, y in zip(cr.linalg.qr(c, mode=mode), torch.linalg.qr(t, mode=mode)):
                assert tuple(x.shape) == tuple(y.shape)
                _close(x, y)
        _close(cr.linalg.pinv(c), torch.linalg.pinv(t))
        assert tuple(cr.linalg.matrix_norm(c, "fro").shape) == tuple(torch.linalg.matrix_norm(t, "fro").shape)
    c, t = _both(np.zeros((0, 3, 3)))
    for fn in ("inv", "det", "cholesky", "matrix_exp", "eigvalsh"):
        x, y = getattr(cr.linalg, fn)(c), getattr(torch.linalg, fn)(t)
        assert tuple(x.shape) == tuple(y.shape), fn


def test_full_matrices_svd_is_orthogonal_and_reconstructs() -> None:
    a = np.random.default_rng(1).standard_normal((2, 5, 3))
    c, t = _both(a)
    u, s, vh = cr.linalg.svd(c)
    tu, ts, tvh = torch.linalg.svd(t)
    assert tuple(u.shape) == tuple(tu.shape) == (2, 5, 5) and tuple(vh.shape) == (2, 3, 3)
    np.testing.assert_allclose(u.numpy() @ np.swapaxes(u.numpy(), -1, -2), np.broadcast_to(np.eye(5), (2, 5, 5)), atol=1e-12)
    np.testing.assert_allclose((u.numpy()[..., :3] * s.numpy()[..., None, :]) @ vh.numpy(), a, atol=1e-12)
    _close(s, ts)


def test_toplevel_svd_keeps_the_old_convention() -> None:
    a = np.random.default_rng(2).standard_normal((4, 3))
    c, t = _both(a)
    u, s, v = cr.svd(c)
    tu, ts, tv = torch.svd(t)
    assert tuple(v.shape) == tuple(tv.shape) == (3, 3)
    _close(u.abs(), tu.abs(), atol=1e-12)
    _close(v.abs(), tv.abs(), atol=1e-12)  # V, not Vᵀ
    for some in (True, False):
        for x, y in zip(cr.svd(c, some=some), torch.svd(t, some=some)):
            assert tuple(x.shape) == tuple(y.shape)
    for x, y in zip(cr.svd(c, compute_uv=False), torch.svd(t, compute_uv=False)):
        assert tuple(x.shape) == tuple(y.shape)
        _close(x, y)


def test_eigh_reads_only_the_chosen_triangle() -> None:
    a = np.random.default_rng(3).standard_normal((2, 4, 4))  # not symmetric
    c, t = _both(a)
    for uplo in ("L", "U"):
        _close(cr.linalg.eigvalsh(c, UPLO=uplo), torch.linalg.eigvalsh(t, UPLO=uplo), atol=1e-12)


def test_matrix_exp_over_a_range_of_norms() -> None:
    rng = np.random.default_rng(4)
    a = rng.standard_normal((4, 3, 3)) * np.array([0.0, 1e-3, 1.0, 8.0])[:, None, None]
    c, t = _both(a, grad=True)
    out_c, out_t = cr.linalg.matrix_exp(c), torch.linalg.matrix_exp(t)
    _close(out_c, out_t, rtol=1e-12, atol=1e-12 * np.abs(out_t.detach().numpy()).max())
    g = rng.standard_normal(a.shape)
    (out_c * cr.tensor(g)).sum().backward()
    (out_t * torch.tensor(g)).sum().backward()
    _close(c.grad, t.grad, rtol=1e-9, atol=1e-9 * np.abs(t.grad.numpy()).max())


def test_matrix_exp_of_a_nilpotent_and_a_rotation() -> None:
    n = cr.linalg.matrix_exp(cr.tensor([[0.0, 1.0], [0.0, 0.0]], dtype=cr.float64))
    np.testing.assert_allclose(n.numpy(), [[1.0, 1.0], [0.0, 1.0]], atol=1e-15)
    r = cr.linalg.matrix_exp(cr.tensor([[0.0, -np.pi / 2], [np.pi / 2, 0.0]], dtype=cr.float64))
    np.testing.assert_allclose(r.numpy(), [[0.0, -1.0], [1.0, 0.0]], atol=1e-14)


def test_named_results() -> None:
    a = cr.tensor(np.eye(3) * 2.0)
    assert cr.linalg.slogdet(a).logabsdet.item() == pytest.approx(3 * np.log(2.0))
    assert cr.linalg.eigh(a).eigenvalues.shape == (3,)
    assert cr.linalg.svd(a).Vh.shape == (3, 3)
    assert cr.linalg.qr(a).R.shape == (3, 3)
    assert "return_types.linalg_lstsq" in repr(cr.linalg.lstsq(a, a))
    sol, res, rank, sv = cr.linalg.lstsq(a, a)
    assert rank.item() == 3 and sol.shape == (3, 3)


def test_float32_stays_float32_and_no_warnings() -> None:
    a = cr.tensor(np.diag([1.0, 0.0, 2.0]).astype(np.float32), requires_grad=True)
    for fn in (cr.linalg.det, lambda x: cr.linalg.slogdet(x)[1], lambda x: cr.linalg.svdvals(x).sum(),
               lambda x: cr.linalg.pinv(x).sum(), lambda x: cr.linalg.matrix_norm(x, 2)):  # fmt: skip
        out = fn(a)
        assert out.dtype == cr.float32
        out.backward()
        assert a.grad.dtype == cr.float32
        a.grad = None


@pytest.mark.parametrize("p", ["fro", "nuc", 1, -1, float("inf"), -float("inf")])
def test_cond_gradients(p) -> None:
    """PyTorch 2.13 cannot differentiate these (see the op cases); check ours by finite differences, with a
    singular matrix in the batch (its κ is inf and passes no gradient)."""
    rng = np.random.default_rng(5)
    a = rng.uniform(0.5, 1.0, (2, 3, 3)) + np.diag([4.0, 2.0, 3.0]) + np.array([[0, 1.5, 0]])
    x = cr.tensor(a, requires_grad=True)
    assert cr.autograd.gradcheck(lambda t: cr.linalg.cond(t, p), [x])
    with_singular = cr.tensor(np.stack([a[0], np.zeros((3, 3))]), requires_grad=True)
    out = cr.linalg.cond(with_singular, p)
    theirs = torch.linalg.cond(torch.tensor(with_singular.detach().numpy()), p)
    if p == "nuc":  # PyTorch documents inf for a singular A but gives nan for this norm
        theirs[1] = float("inf")
    _close(out, theirs)
    out[0].backward()
    assert np.isfinite(with_singular.grad.numpy()).all() and not with_singular.grad.numpy()[1].any()


def test_compile_replays_linalg_ops_with_unused_outputs() -> None:
    """svdvals and eigh leave outputs of their multi-output nodes unused; the compiled backward must cope."""

    def f(a, b):
        return cr.linalg.solve(a, b).sum() + cr.linalg.svdvals(a).sum() + cr.linalg.eigh(a @ a.mT)[1].abs().sum()

    a = cr.tensor(np.random.default_rng(6).standard_normal((3, 3)) + 3 * np.eye(3), requires_grad=True)
    b = cr.tensor(np.ones((3, 2)))
    f(a, b).backward()
    eager = a.grad.numpy().copy()
    a.grad = None
    compiled = cr.compile(f)
    for _ in range(2):
        compiled(a, b).backward()
        np.testing.assert_array_equal(a.grad.numpy(), eager)
        a.grad = None


def test_cholesky_reads_the_triangle_pytorch_reads() -> None:
    x = np.random.default_rng(7).standard_normal((3, 3))
    spd = x @ x.T + 3 * np.eye(3)
    for upper, (i, j) in ((False, (0, 2)), (True, (2, 0))):  # garbage in the triangle that is not read
        a = spd.copy()
        a[i, j] += 50.0
        c, t = _both(a)
        _close(cr.linalg.cholesky(c, upper=upper), torch.linalg.cholesky(t, upper=upper), atol=1e-12)
        _close(cr.linalg.cholesky_ex(c, upper=upper).info, torch.linalg.cholesky_ex(t, upper=upper).info)
        c2, t2 = _both(a.T)  # now the garbage sits in the triangle that is read
        _close(cr.linalg.cholesky_ex(c2, upper=upper).info, torch.linalg.cholesky_ex(t2, upper=upper).info)


def test_lu_of_singular_and_empty_matrices() -> None:
    singular = np.stack([[[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]], np.zeros((3, 3)), np.eye(3)])
    c, t = _both(singular)
    for x, y in zip(cr.linalg.lu(c), torch.linalg.lu(t)):
        _close(x, y, atol=1e-12)
    for x, y in zip(cr.linalg.lu_factor_ex(c), torch.linalg.lu_factor_ex(t)):
        _close(x, y, atol=1e-12)
    for shape in ((0, 3), (3, 0), (2, 0, 0)):
        c, t = _both(np.zeros(shape))
        for x, y in zip(cr.linalg.lu(c), torch.linalg.lu(t)):
            assert tuple(x.shape) == tuple(y.shape)
        for x, y in zip(cr.linalg.lu_factor(c), torch.linalg.lu_factor(t)):
            assert tuple(x.shape) == tuple(y.shape) and x.dtype.itemsize == y.dtype.itemsize


def test_lu_reconstructs_and_pivots_like_lapack() -> None:
    a = np.random.default_rng(8).standard_normal((3, 6, 4))
    c, t = _both(a)
    p, low, up = cr.linalg.lu(c)
    np.testing.assert_allclose(p.numpy() @ low.numpy() @ up.numpy(), a, atol=1e-12)
    _close(cr.linalg.lu_factor(c).pivots, torch.linalg.lu_factor(t).pivots)
