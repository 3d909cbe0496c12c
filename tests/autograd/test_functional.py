"""``autograd.functional`` and ``chainrule.func`` against ``torch.autograd.functional`` / ``torch.func``."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for autograd.functional and func")

RNG = np.random.default_rng(0)
A, W, V3 = RNG.standard_normal(3), RNG.standard_normal((2, 3)), RNG.standard_normal(3)


def _np(x):
    if isinstance(x, (tuple, list)):
        return [_np(t) for t in x]
    return x.detach().numpy()


def _close(a, b):
    if isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _close(x, y)
    else:
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def _both(fn):
    return _np(fn(cr)), _np(fn(torch))


def _layer(m):
    return lambda x, w: m.tanh(w @ x) * x[:2]


def _scalar(m):
    return lambda x: (m.sin(x) * x**2).sum() + (x[0] * x[1]) ** 2


@pytest.mark.parametrize(("strategy", "vectorize"), [("reverse-mode", False), ("reverse-mode", True), ("forward-mode", True)])
def test_jacobian_two_inputs(strategy, vectorize):
    _close(*_both(lambda m: m.autograd.functional.jacobian(
        _layer(m), (m.tensor(A), m.tensor(W)), strategy=strategy, vectorize=vectorize)))  # fmt: skip


def test_jacobian_single_and_tuple_outputs():
    _close(*_both(lambda m: m.autograd.functional.jacobian(lambda x: m.exp(x) * x.sum(), m.tensor(A))))
    _close(*_both(lambda m: m.autograd.functional.jacobian(lambda x: (x * x, x.sum()), m.tensor(A))))


def test_jacobian_forward_mode_needs_vectorize():
    with pytest.raises(ValueError, match="vectorize=True"):
        cr.autograd.functional.jacobian(lambda x: x, cr.tensor(A), strategy="forward-mode")


def test_hessian_vjp_jvp_hvp_vhp():
    F = lambda m: m.autograd.functional  # noqa: E731
    _close(*_both(lambda m: F(m).hessian(_scalar(m), m.tensor(A))))
    _close(*_both(lambda m: F(m).vjp(_layer(m), (m.tensor(A), m.tensor(W)), m.tensor(V3[:2]))))
    _close(*_both(lambda m: F(m).jvp(_layer(m), (m.tensor(A), m.tensor(W)), (m.tensor(V3), m.tensor(W)))))
    _close(*_both(lambda m: F(m).hvp(_scalar(m), m.tensor(A), m.tensor(V3))))
    _close(*_both(lambda m: F(m).vhp(_scalar(m), m.tensor(A), m.tensor(V3))))


def test_create_graph_results_are_differentiable():
    x = cr.tensor(A, requires_grad=True)
    xt = torch.tensor(A, requires_grad=True)
    h = cr.autograd.functional.hessian(_scalar(cr), x, create_graph=True)
    ht = torch.autograd.functional.hessian(_scalar(torch), xt, create_graph=True)
    (g,) = cr.autograd.grad(h.sum(), x)
    (gt,) = torch.autograd.grad(ht.sum(), xt)
    _close(_np(g), _np(gt))


def test_func_grad_argnums_has_aux_and_nesting():
    def f(m):
        return lambda x, w: ((w @ x).sin().sum(), w.sum())

    _close(*_both(lambda m: m.func.grad(f(m), argnums=(0, 1), has_aux=True)(m.tensor(A), m.tensor(W))[0]))
    _close(*_both(lambda m: m.func.grad_and_value(f(m), argnums=1, has_aux=True)(m.tensor(A), m.tensor(W))[0]))
    _close(*_both(lambda m: m.func.grad(lambda x: m.func.grad(_scalar(m))(x).sum())(m.tensor(A))))


def test_func_jacrev_jacfwd_hessian_vjp_jvp():
    _close(*_both(lambda m: m.func.jacrev(_layer(m), argnums=(0, 1))(m.tensor(A), m.tensor(W))))
    _close(*_both(lambda m: m.func.jacfwd(_layer(m), argnums=1)(m.tensor(A), m.tensor(W))))
    _close(*_both(lambda m: m.func.jacfwd(m.func.jacrev(_layer(m)))(m.tensor(A), m.tensor(W))))
    _close(*_both(lambda m: m.func.hessian(_scalar(m))(m.tensor(A))))
    _close(*_both(lambda m: m.func.vjp(_layer(m), m.tensor(A), m.tensor(W))[1](m.tensor(V3[:2]))))
    _close(*_both(lambda m: m.func.jvp(_layer(m), (m.tensor(A), m.tensor(W)), (m.tensor(V3), m.tensor(W)))))


def test_functional_call_mlp_gradients_wrt_weights():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).double()
    cm = cr.nn.Sequential(cr.nn.Linear(3, 4), cr.nn.Tanh(), cr.nn.Linear(4, 1)).double()
    cm.load_state_dict({k: cr.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    x = RNG.standard_normal((5, 3))

    def run(m, model):
        params = {k: v.detach() for k, v in model.named_parameters()}
        loss = lambda p: (m.func.functional_call(model, p, (m.tensor(x),)) ** 2).mean()  # noqa: E731
        g = m.func.grad(loss)(params)
        return [g[k] for k in sorted(g)]

    _close(*_both(lambda m: run(m, cm if m is cr else tm)))
    assert all(p.requires_grad for p in cm.parameters())  # the module's own parameters are restored
