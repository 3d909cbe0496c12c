"""Second derivatives of the linear-algebra and distance ops against PyTorch: ``grad(..., create_graph=True)``
then ``grad`` of a random projection of that gradient (a Hessian-vector product), float64, same inputs.
Inputs are well-conditioned: diagonally dominant matrices, SPD matrices with eigenvalues apart, singular
values apart, distances away from zero."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is the test oracle for second derivatives")


def _spd(m, x):
    n = x.shape[-1]
    return x @ x.mT + n * m.eye(n, dtype=x.dtype)


def _sym(x):
    return (x + x.mT) / 2


def _square(rng, *batch, n=3):
    return rng.standard_normal((*batch, n, n)) + 3 * np.eye(n)


def _cdist(m, a, b, p=2.0):
    """cdist; for PyTorch, whose cdist has no double backward ("the derivative for '_cdist_backward' is not
    implemented"), the same distances written as a vector norm of the differences."""
    if m is torch:
        return torch.linalg.vector_norm(a[..., :, None, :] - b[..., None, :, :], ord=p, dim=-1)
    return m.cdist(a, b, p=p)


def _distinct_sv(rng, m, n):
    u = np.linalg.qr(rng.standard_normal((m, min(m, n))))[0]
    v = np.linalg.qr(rng.standard_normal((n, min(m, n))))[0]
    return (u * (1.0 + 0.5 * np.arange(min(m, n))[::-1])) @ v.T


CASES = {
    "det": (lambda m, a: m.linalg.det(a), lambda r: [_square(r, 2)]),
    "det_4x4": (lambda m, a: m.linalg.det(a), lambda r: [_square(r, n=4)]),
    "inv": (lambda m, a: m.linalg.inv(a), lambda r: [_square(r, 2)]),
    "solve": (lambda m, a, b: m.linalg.solve(a, b), lambda r: [_square(r), r.standard_normal((3, 2))]),
    "solve_batched_vector": (lambda m, a, b: m.linalg.solve(a, b), lambda r: [_square(r, 2), r.standard_normal((2, 3))]),
    "solve_left_false": (lambda m, a, b: m.linalg.solve(a, b, left=False),
                         lambda r: [_square(r), r.standard_normal((4, 3))]),  # fmt: skip
    "cholesky": (lambda m, x: m.linalg.cholesky(_spd(m, x)), lambda r: [r.standard_normal((3, 3))]),
    "cholesky_upper": (lambda m, x: m.linalg.cholesky(_spd(m, x), upper=True), lambda r: [r.standard_normal((2, 3, 3))]),
    "eigh_eigenvalues": (lambda m, x: m.linalg.eigh(_sym(x))[0], lambda r: [r.standard_normal((4, 4))]),
    "eigvalsh_spd": (lambda m, x: m.linalg.eigvalsh(_spd(m, x)), lambda r: [r.standard_normal((2, 3, 3))]),
    "svdvals": (lambda m, a: m.linalg.svdvals(a), lambda r: [_distinct_sv(r, 4, 3)]),
    "svdvals_wide": (lambda m, a: m.linalg.svdvals(a), lambda r: [_distinct_sv(r, 3, 5)]),
    "matrix_exp": (lambda m, a: m.linalg.matrix_exp(a), lambda r: [r.standard_normal((3, 3))]),
    "matrix_exp_batched": (lambda m, a: m.linalg.matrix_exp(a), lambda r: [0.5 * r.standard_normal((2, 2, 2))]),
    "einsum_matmul": (lambda m, a, b: m.einsum("ij,jk->ik", a, b), lambda r: [r.standard_normal((2, 3)), r.standard_normal((3, 4))]),
    "einsum_bilinear": (lambda m, a, w, b: m.einsum("bi,oij,bj->bo", a, w, b),
                        lambda r: [r.standard_normal((2, 3)), r.standard_normal((4, 3, 2)), r.standard_normal((2, 2))]),
    "einsum_trace_product": (lambda m, a, b: m.einsum("ij,ji->", a, b) * m.einsum("ii", a),
                             lambda r: [r.standard_normal((3, 3)), r.standard_normal((3, 3))]),  # fmt: skip
    "cdist": (lambda m, a, b: _cdist(m, a, b), lambda r: [r.standard_normal((4, 3)), r.standard_normal((5, 3))]),
    "cdist_p1_5_batched": (lambda m, a, b: _cdist(m, a, b, p=1.5),
                           lambda r: [r.standard_normal((2, 3, 2)), r.standard_normal((2, 4, 2))]),  # fmt: skip
    "normalize": (lambda m, x: m.nn.functional.normalize(x), lambda r: [r.standard_normal((3, 4))]),
    "normalize_p3_dim0": (lambda m, x: m.nn.functional.normalize(x, p=3.0, dim=0), lambda r: [r.uniform(0.3, 2.0, (4, 3))]),
}


def _second(m, fn, arrays):
    """(∇ L, ∇(Σ v·∇ L)) for L = Σ w·fn(x)³/3 + Σ fn(x): first and second derivatives, both taken in ``m``."""
    xs = [m.tensor(a, requires_grad=True) for a in arrays]
    y = fn(m, *xs)
    rng = np.random.default_rng(7)
    w = m.tensor(rng.standard_normal(tuple(y.shape)))
    loss = (w * y * y * y).sum() / 3 + y.sum()
    g = m.autograd.grad(loss, xs, create_graph=True)
    s = sum((gi * m.tensor(rng.standard_normal(tuple(gi.shape)))).sum() for gi in g)
    h = m.autograd.grad(s, xs)
    return [t.detach().numpy() for t in g], [t.detach().numpy() for t in h]


@pytest.mark.parametrize("name", list(CASES))
def test_second_derivatives_match_torch(name: str) -> None:
    fn, make = CASES[name]
    arrays = make(np.random.default_rng(3))
    g_c, h_c = _second(cr, fn, arrays)
    g_t, h_t = _second(torch, fn, arrays)
    for c, t in zip(g_c, g_t):
        np.testing.assert_allclose(c, t, rtol=1e-9, atol=1e-10)
    for c, t in zip(h_c, h_t):
        np.testing.assert_allclose(c, t, rtol=1e-8, atol=1e-9)


def test_third_derivative_of_det_matches_torch() -> None:
    """Any order: d³ det(A)[V, V, V] through three recorded backward passes."""
    rng = np.random.default_rng(4)
    a, v = _square(rng), rng.standard_normal((3, 3))

    def third(m):
        x = m.tensor(a, requires_grad=True)
        vv = m.tensor(v)
        (g1,) = m.autograd.grad(m.linalg.det(x), x, create_graph=True)
        (g2,) = m.autograd.grad((g1 * vv).sum(), x, create_graph=True)
        (g3,) = m.autograd.grad((g2 * vv).sum(), x)
        return g3.detach().numpy()

    np.testing.assert_allclose(third(cr), third(torch), rtol=1e-9, atol=1e-10)


def test_first_order_gradient_is_not_recorded() -> None:
    """Without create_graph the gradient of a linalg op is a plain tensor (no graph, the array path)."""
    a = cr.tensor(_square(np.random.default_rng(1)), requires_grad=True)
    (g,) = cr.autograd.grad(cr.linalg.inv(a).sum(), a)
    assert g.grad_fn is None and not g.requires_grad
    (g2,) = cr.autograd.grad(cr.linalg.inv(a).sum(), a, create_graph=True)
    assert g2.requires_grad and g2.grad_fn is not None
    np.testing.assert_allclose(g.numpy(), g2.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    "a",
    [
        np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]]),  # rank 2
        np.array([[2.0, 1.0], [4.0, 2.0]]),  # rank 1 of 2
        np.stack([np.array([[1.0, 2.0], [2.0, 4.0]]), np.array([[3.0, 1.0], [1.0, 2.0]])]),  # a batch, one singular
    ],
)
def test_second_derivative_of_det_at_a_singular_matrix_matches_torch(a: np.ndarray) -> None:
    """At an exactly singular A (A⁻¹ does not exist) the recorded cofactors come from the SVD."""
    v = np.arange(a.size).reshape(a.shape) / 7.0 - 0.5

    def both(m):
        x = m.tensor(a, requires_grad=True)
        (g,) = m.autograd.grad(m.linalg.det(x).sum(), x, create_graph=True)
        (h,) = m.autograd.grad((g * m.tensor(v)).sum(), x)
        return g.detach().numpy(), h.numpy()

    for c, t in zip(both(cr), both(torch)):
        np.testing.assert_allclose(c, t, rtol=1e-9, atol=1e-12)
