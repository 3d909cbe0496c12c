"""``nn.utils.parametrize`` against PyTorch: the same weights give the same parametrized values, gradients to
``original``, state-dict keys, class swap, ``right_inverse`` on assignment, caching and removal."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule
import chainrule.nn.utils.parametrize as P

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
TP = torch.nn.utils.parametrize


def _symmetric(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)
    return Symmetric()


def _skew(lib):
    class Skew(lib.nn.Module):
        def forward(self, X):
            A = X.triu(1)
            return A - A.transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu(1)
    return Skew()


def _pair(seed: int = 0, n: int = 3):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((n, n)).astype(np.float32)
    b = rng.standard_normal(n).astype(np.float32)
    c, t = chainrule.nn.Linear(n, n), torch.nn.Linear(n, n)
    c.load_state_dict({"weight": chainrule.tensor(w), "bias": chainrule.tensor(b)})
    t.load_state_dict({"weight": torch.tensor(w), "bias": torch.tensor(b)})
    return c, t


def test_forward_backward_reach_original_like_torch() -> None:
    c, t = _pair()
    weight_before = c.weight
    P.register_parametrization(c, "weight", _symmetric(chainrule))
    TP.register_parametrization(t, "weight", _symmetric(torch))
    assert c.parametrizations.weight.original is weight_before  # the same Parameter object, as in PyTorch
    np.testing.assert_allclose(c.weight.detach().numpy(), t.weight.detach().numpy(), rtol=1e-6)
    x = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    c(chainrule.tensor(x)).pow(2).sum().backward()
    t(torch.tensor(x)).pow(2).sum().backward()
    np.testing.assert_allclose(c.parametrizations.weight.original.grad.numpy(),
                               t.parametrizations.weight.original.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert list(c.state_dict()) == list(t.state_dict())
    assert [n for n, _ in c.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert type(c).__name__ == type(t).__name__ == "ParametrizedLinear"
    assert P.type_before_parametrizations(c) is chainrule.nn.Linear
    assert isinstance(c, chainrule.nn.Linear)
    assert repr(c).replace("chainrule", "torch") == repr(t)


def test_gradcheck_through_parametrization_float64() -> None:
    layer = chainrule.nn.Linear(3, 3, dtype=chainrule.float64)
    P.register_parametrization(layer, "weight", _skew(chainrule))
    original = layer.parametrizations.weight.original
    x = chainrule.randn(4, 3, dtype=chainrule.float64, requires_grad=True)

    def f(x, original):
        return chainrule.nn.functional.linear(x, layer.parametrizations.weight[0](original), layer.bias)
    assert chainrule.autograd.gradcheck(f, (x, original))


def test_assignment_uses_right_inverse_and_chains() -> None:
    c, t = _pair(2)
    for lib, layer, mod in [(chainrule, c, P), (torch, t, TP)]:
        mod.register_parametrization(layer, "weight", _skew(lib))
    X = np.random.default_rng(3).standard_normal((3, 3)).astype(np.float32)
    X = X - X.T
    c.weight = chainrule.tensor(X)
    t.weight = torch.tensor(X)
    np.testing.assert_allclose(c.parametrizations.weight.original.detach().numpy(),
                               t.parametrizations.weight.original.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(c.weight.detach().numpy(), X, rtol=1e-6)

    class Double(chainrule.nn.Module):
        def forward(self, X):
            return 2 * X

    P.register_parametrization(c, "weight", Double())
    np.testing.assert_allclose(c.weight.detach().numpy(), 2 * X, rtol=1e-6)
    with pytest.raises(RuntimeError, match="does not implement right_inverse"):
        c.weight = chainrule.tensor(X)
    assert len(c.parametrizations.weight) == 2


def test_cached_computes_once_per_block() -> None:
    calls = []

    class Noisy(chainrule.nn.Module):
        def forward(self, X):
            calls.append(1)
            return X

    layer = chainrule.nn.Linear(2, 2)
    P.register_parametrization(layer, "weight", Noisy())
    calls.clear()
    _ = layer.weight + layer.weight
    assert len(calls) == 2
    calls.clear()
    with P.cached():
        a, b = layer.weight, layer.weight
    assert len(calls) == 1 and a is b
    calls.clear()
    _ = layer.weight
    assert len(calls) == 1


@pytest.mark.parametrize("leave", [True, False])
def test_remove_parametrizations_like_torch(leave: bool) -> None:
    c, t = _pair(4)
    P.register_parametrization(c, "weight", _skew(chainrule))
    TP.register_parametrization(t, "weight", _skew(torch))
    original = c.parametrizations.weight.original
    P.remove_parametrizations(c, "weight", leave_parametrized=leave)
    TP.remove_parametrizations(t, "weight", leave_parametrized=leave)
    assert type(c) is chainrule.nn.Linear and not P.is_parametrized(c)
    assert c.weight is original and isinstance(c.weight, chainrule.nn.Parameter)
    np.testing.assert_allclose(c.weight.detach().numpy(), t.weight.detach().numpy(), rtol=1e-6)
    assert list(c.state_dict()) == list(t.state_dict()) == ["bias", "weight"]


def test_buffer_and_errors() -> None:
    bn = chainrule.nn.BatchNorm1d(3)
    P.register_parametrization(bn, "running_var", chainrule.nn.Identity())
    assert P.is_parametrized(bn, "running_var") and not P.is_parametrized(bn, "running_mean")
    assert "parametrizations.running_var.original" in bn.state_dict()
    layer = chainrule.nn.Linear(3, 2)
    with pytest.raises(ValueError, match="does not have a parameter, a buffer"):
        P.register_parametrization(layer, "nope", chainrule.nn.Identity())

    class Flat(chainrule.nn.Module):
        def forward(self, X):
            return X.flatten()

    with pytest.raises(ValueError, match="may not change the shape"):
        P.register_parametrization(layer, "weight", Flat())
    with pytest.raises(ValueError, match="does not have a parametrization"):
        P.remove_parametrizations(layer, "weight")
    assert type(layer) is chainrule.nn.Linear
    with pytest.raises(ValueError):
        TP.register_parametrization(torch.nn.Linear(3, 2), "weight", torch.nn.Flatten(0))
