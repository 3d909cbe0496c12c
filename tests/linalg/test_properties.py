"""Hypothesis properties of chainrule.linalg with PyTorch as the oracle: batch broadcasting of solves,
and batched decompositions of random well-conditioned matrices (values and gradients)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

CI = settings(max_examples=30, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])  # fmt: skip

batch = st.lists(st.integers(0, 3), max_size=2).map(tuple)


def _pair(a: np.ndarray):
    return cr.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _check(fn, arrays: list[np.ndarray], seed: int, tol: float = 1e-9) -> None:
    """fn(lib, *tensors) in both libraries: same shapes and values, same gradients of Σ w·out."""
    ours, theirs = zip(*(_pair(a) for a in arrays))
    try:
        out_t = fn(torch, *theirs)
    except RuntimeError as e:  # then chainrule refuses the same input with the same message
        with pytest.raises(RuntimeError) as info:
            fn(cr, *ours)
        assert str(info.value).startswith(str(e))
        return
    out_c = fn(cr, *ours)
    assert tuple(out_c.shape) == tuple(out_t.shape)
    np.testing.assert_allclose(out_c.detach().numpy(), out_t.detach().numpy(), rtol=tol, atol=tol)
    w = np.random.default_rng(seed).standard_normal(tuple(out_t.shape))
    (out_c * cr.tensor(w)).sum().backward()
    (out_t * torch.tensor(w)).sum().backward()
    for c, t in zip(ours, theirs):
        if t.grad is None:  # PyTorch leaves .grad unset for some empty batches; ours must then be empty/zero
            assert c.grad is None or not c.grad.numpy().any()
            continue
        np.testing.assert_allclose(c.grad.numpy(), t.grad.numpy(), rtol=tol * 10, atol=tol * 10)


@CI
@given(ba=batch, n=st.integers(1, 4), k=st.integers(1, 3), vector=st.booleans(), left=st.booleans(),
       seed=st.integers(0, 2**16))  # fmt: skip
def test_solve_broadcasts_as_torch(ba, n, k, vector, left, seed) -> None:
    rng = np.random.default_rng(seed)
    # B's batch broadcasts against A's: some of A's dims set to 1, leading ones dropped, maybe one more in front
    bb = tuple(1 if rng.random() < 0.5 else s for s in ba)[int(rng.integers(0, len(ba) + 1)) :]
    if rng.random() < 0.3:
        bb = (2, *((1,) * (len(ba) - len(bb))), *bb)
    a = rng.standard_normal((*ba, n, n)) + 3 * np.eye(n)
    vec_shape = (n,) if rng.random() < 0.5 else (*ba, n)  # a vector, or a batch of them with A's batch shape
    b = rng.standard_normal(vec_shape if vector else ((*bb, n, k) if left else (*bb, k, n)))
    _check(lambda L, x, y: L.linalg.solve(x, y, left=left), [a, b], seed)


def _spd(L, x):
    return x @ x.mT + x.shape[-1] * L.eye(x.shape[-1], dtype=x.dtype)


@CI
@given(b=batch, m=st.integers(1, 4), n=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_batched_decompositions_match_torch(b, m, n, seed) -> None:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((*b, m, n))
    sq = rng.standard_normal((*b, n, n))
    _check(lambda L, x: L.linalg.svdvals(x), [a], seed, 1e-8)
    _check(lambda L, x: L.linalg.pinv(x), [a], seed, 1e-6)
    _check(lambda L, x: L.linalg.cholesky(_spd(L, x)), [sq], seed)
    _check(lambda L, x: L.linalg.eigvalsh(_spd(L, x)), [sq], seed)
    _check(lambda L, x: L.linalg.slogdet(_spd(L, x))[1], [sq], seed)
    _check(lambda L, x: L.linalg.matrix_exp(0.5 * x), [sq], seed)
    _check(lambda L, x: L.linalg.qr(_spd(L, x))[1], [sq], seed)
    _check(lambda L, x: (lambda u, s, vh: u @ vh)(*L.linalg.svd(x, full_matrices=False)), [a], seed, 1e-6)
    _check(lambda L, x: (lambda w, v: v[..., -1:] @ v[..., -1:].mT)(*L.linalg.eigh(_spd(L, x))), [sq], seed, 1e-6)
    _check(lambda L, x: L.linalg.qr(x)[0].abs(), [a], seed, 1e-8)
    _check(lambda L, x: L.linalg.lu_factor(x)[0], [a], seed, 1e-8)
    tall = a if m >= n else a.swapaxes(-1, -2)
    _check(lambda L, x: L.linalg.householder_product(x, L.geqrf(x.detach())[1]), [tall], seed, 1e-8)
