"""``chainrule.functional`` is ``torch.functional``: the module scripts import as ``import torch.functional as F``.

Each name is the top-level function itself, results agree with PyTorch's module of the same name, and
``chain_matmul`` (deprecated in PyTorch) multiplies a chain of matrices with multi_dot's gradient.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def test_import_by_name_and_as_attribute() -> None:
    mod = importlib.import_module("chainrule.functional")
    assert chainrule.functional is mod
    assert set(mod.__all__) <= set(torch.functional.__all__)
    for name in mod.__all__:
        assert getattr(mod, name) is getattr(chainrule, name), name


def test_functions_agree_with_torch_functional() -> None:
    import chainrule.functional as cf

    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal((4, 5)).astype(np.float32)
    ca, ta = chainrule.tensor(a), torch.tensor(a)
    cb, tb = chainrule.tensor(b), torch.tensor(b)
    np.testing.assert_allclose(cf.einsum("ij,jk->ik", ca, cb).numpy(),
                               torch.functional.einsum("ij,jk->ik", ta, tb).numpy(), rtol=1e-5, atol=1e-6)
    for c_part, t_part in zip(cf.split(ca, [1, 3], dim=1), torch.functional.split(ta, [1, 3], dim=1)):
        np.testing.assert_array_equal(c_part.numpy(), t_part.numpy())
    np.testing.assert_allclose(cf.norm(ca, dim=1).numpy(), torch.functional.norm(ta, dim=1).numpy(), rtol=1e-5)
    np.testing.assert_allclose(cf.tensordot(ca, cb, dims=1).numpy(),
                               torch.functional.tensordot(ta, tb, dims=1).numpy(), rtol=1e-5, atol=1e-6)
    assert cf.broadcast_shapes((3, 1), (1, 4)) == torch.functional.broadcast_shapes((3, 1), (1, 4))


def test_chain_matmul_forward_backward_and_warning() -> None:
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s) for s in [(2, 3), (3, 4), (4, 2)]]
    cs = [chainrule.tensor(x, requires_grad=True) for x in arrays]
    ts = [torch.tensor(x, requires_grad=True) for x in arrays]
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        cy = chainrule.chain_matmul(*cs)
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        ty = torch.chain_matmul(*ts)
    np.testing.assert_allclose(cy.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    g = rng.standard_normal((2, 2))
    cy.backward(chainrule.tensor(g))
    ty.backward(torch.tensor(g))
    for c, t in zip(cs, ts):
        np.testing.assert_allclose(c.grad.numpy(), t.grad.numpy(), rtol=1e-12)


def test_chain_matmul_one_matrix_is_a_copy_and_gradcheck() -> None:
    x = chainrule.randn(3, 2, dtype=chainrule.float64)
    with pytest.warns(UserWarning):
        y = chainrule.functional.chain_matmul(x)
    assert y is not x
    np.testing.assert_array_equal(y.numpy(), x.numpy())
    mats = [chainrule.randn(s, dtype=chainrule.float64, requires_grad=True) for s in [(2, 3), (3, 3), (3, 2)]]
    with pytest.warns(UserWarning):
        assert chainrule.autograd.gradcheck(lambda *m: chainrule.chain_matmul(*m), mats)


@pytest.mark.filterwarnings("ignore:torch.chain_matmul is deprecated")
def test_chain_matmul_bad_input_is_runtime_error_like_torch() -> None:
    for args in [(), (chainrule.randn(3),)]:
        with pytest.raises(RuntimeError, match="chain_matmul"):
            chainrule.chain_matmul(*args)
    for args in [(), (torch.randn(3),)]:
        with pytest.raises(RuntimeError):
            torch.chain_matmul(*args)
