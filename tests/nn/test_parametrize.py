"""nn.utils.parametrize against PyTorch: register_parametrization with and without right_inverse (one
original or original0, original1...), chaining, assignment through right_inverse, cached(), removal (both
leave_parametrized modes), state_dict keys and values, class swapping, pickling/deepcopy, errors."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn
from chainrule.nn.utils import parametrize as P

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _classes(lib: Any) -> dict[str, type]:
    """The same user parametrizations written once for either library."""

    class Symmetric(lib.nn.Module):
        def forward(self, X: Any) -> Any:  # noqa: N803
            return X.triu() + X.triu(1).mT

        def right_inverse(self, A: Any) -> Any:  # noqa: N803
            return A.triu()

    class Scale(lib.nn.Module):
        def __init__(self, s: float = 2.0) -> None:
            super().__init__()
            self.s = s
            self.calls = 0

        def forward(self, X: Any) -> Any:  # noqa: N803
            self.calls += 1
            return X * self.s

        def right_inverse(self, A: Any) -> Any:  # noqa: N803
            return A / self.s

    class NoInverse(lib.nn.Module):
        def forward(self, X: Any) -> Any:  # noqa: N803
            return X.tanh()

    class RankOne(lib.nn.Module):
        def forward(self, x: Any, y: Any) -> Any:
            return x.unsqueeze(-1) @ y.unsqueeze(-2)

        def right_inverse(self, Z: Any) -> Any:  # noqa: N803
            return Z[:, 0].clone(), Z[0, :].clone() / Z[0, 0]

    class Halve(lib.nn.Module):  # changes the shape: needs unsafe=True
        def forward(self, X: Any) -> Any:  # noqa: N803
            return X[: X.shape[0] // 2]

    return {"Symmetric": Symmetric, "Scale": Scale, "NoInverse": NoInverse, "RankOne": RankOne, "Halve": Halve}


CR, TH = _classes(chainrule), _classes(torch)


def _pair(seed: int = 0, n: int = 4) -> tuple[Any, Any]:
    torch.manual_seed(seed)
    th = torch.nn.Linear(n, n)
    cr = nn.Linear(n, n)
    cr.load_state_dict({k: v.detach().numpy().copy() for k, v in th.state_dict().items()})
    return cr, th


def _same_state(cr: Any, th: Any) -> None:
    cs, ts = cr.state_dict(), th.state_dict()
    assert list(cs) == list(ts)
    for k in ts:
        np.testing.assert_allclose(cs[k].numpy(), ts[k].numpy(), rtol=1e-6, atol=1e-7, err_msg=k)


def _step(cr: Any, th: Any, names: list[str], seed: int = 0) -> None:
    x = np.random.default_rng(seed).standard_normal((3, cr.in_features)).astype(np.float32)
    yc, yt = cr(chainrule.tensor(x)), th(torch.tensor(x))
    np.testing.assert_allclose(yc.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    (yc**2).sum().backward()
    (yt**2).sum().backward()
    for n in names:
        np.testing.assert_allclose(cr.get_parameter(n).grad.numpy(), th.get_parameter(n).grad.numpy(),
                                   rtol=1e-5, atol=1e-6, err_msg=n)  # fmt: skip


@pytest.mark.parametrize("names", [["Symmetric"], ["NoInverse"], ["Symmetric", "Scale"], ["Scale", "Scale"]])
def test_register_matches_torch(names: list[str]) -> None:
    cr, th = _pair()
    w_before = cr.weight
    for name in names:
        P.register_parametrization(cr, "weight", CR[name]())
        torch.nn.utils.parametrize.register_parametrization(th, "weight", TH[name]())
    assert type(cr).__name__ == type(th).__name__ == "ParametrizedLinear"
    assert P.type_before_parametrizations(cr) is nn.Linear and isinstance(cr, nn.Linear)
    assert P.is_parametrized(cr) and P.is_parametrized(cr, "weight") and not P.is_parametrized(cr, "bias")
    assert cr.parametrizations.weight.original is w_before  # the same Parameter: optimizers keep working
    assert repr(cr) == repr(th)
    _same_state(cr, th)
    np.testing.assert_allclose(cr.weight.detach().numpy(), th.weight.detach().numpy(), rtol=1e-6)
    _step(cr, th, ["parametrizations.weight.original", "bias"])


def test_assignment_goes_through_right_inverse() -> None:
    cr, th = _pair(1)
    P.register_parametrization(cr, "weight", CR["Symmetric"]())
    P.register_parametrization(cr, "weight", CR["Scale"](3.0))
    torch.nn.utils.parametrize.register_parametrization(th, "weight", TH["Symmetric"]())
    torch.nn.utils.parametrize.register_parametrization(th, "weight", TH["Scale"](3.0))
    a = np.random.default_rng(0).standard_normal((4, 4)).astype(np.float32)
    a = a + a.T
    original = cr.parametrizations.weight.original
    cr.weight = chainrule.tensor(a)
    th.weight = torch.tensor(a)
    assert cr.parametrizations.weight.original is original
    np.testing.assert_allclose(cr.weight.detach().numpy(), a, rtol=1e-6)
    _same_state(cr, th)
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        cr.register_parameter("weight", nn.Parameter(chainrule.zeros(4, 4)))
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):  # as in PyTorch
        cr.weight = nn.Parameter(chainrule.zeros(4, 4))
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        th.weight = torch.nn.Parameter(torch.zeros(4, 4))
    P.register_parametrization(cr, "bias", CR["NoInverse"]())
    with pytest.raises(RuntimeError, match="parametrization NoInverse does not implement right_inverse"):
        cr.bias = chainrule.zeros(4)


def test_tuple_right_inverse_gives_original0_original1() -> None:
    cr, th = _pair(2)
    with chainrule.no_grad():
        cr.weight.copy_(chainrule.tensor(np.outer([1.0, 2, 3, 4], [1.0, -1, 0.5, 2]).astype(np.float32)))
    with torch.no_grad():
        th.weight.copy_(torch.tensor(np.outer([1.0, 2, 3, 4], [1.0, -1, 0.5, 2]).astype(np.float32)))
    P.register_parametrization(cr, "weight", CR["RankOne"]())
    torch.nn.utils.parametrize.register_parametrization(th, "weight", TH["RankOne"]())
    keys = ["bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    assert list(cr.state_dict()) == keys
    assert all(isinstance(p, nn.Parameter) for p in cr.parametrizations.weight.parameters())
    _same_state(cr, th)
    _step(cr, th, ["parametrizations.weight.original0", "parametrizations.weight.original1"])
    with pytest.raises(ValueError, match="Cannot leave unparametrized"):
        P.remove_parametrizations(cr, "weight", leave_parametrized=False)
    P.remove_parametrizations(cr, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(th, "weight")
    assert type(cr) is nn.Linear and isinstance(cr.weight, nn.Parameter)
    _same_state(cr, th)


@pytest.mark.parametrize("leave", [True, False])
def test_remove_parametrizations(leave: bool) -> None:
    cr, th = _pair(3)
    P.register_parametrization(cr, "weight", CR["Symmetric"]())
    torch.nn.utils.parametrize.register_parametrization(th, "weight", TH["Symmetric"]())
    P.register_parametrization(cr, "bias", CR["Scale"]())
    torch.nn.utils.parametrize.register_parametrization(th, "bias", TH["Scale"]())
    original = cr.parametrizations.weight.original
    P.remove_parametrizations(cr, "weight", leave_parametrized=leave)
    torch.nn.utils.parametrize.remove_parametrizations(th, "weight", leave_parametrized=leave)
    assert cr.weight is original and type(cr).__name__ == "ParametrizedLinear"  # bias is still parametrized
    _same_state(cr, th)
    P.remove_parametrizations(cr, "bias", leave_parametrized=leave)
    torch.nn.utils.parametrize.remove_parametrizations(th, "bias", leave_parametrized=leave)
    assert type(cr) is nn.Linear and "parametrizations" not in cr._modules and not P.is_parametrized(cr)
    assert list(cr.state_dict()) == list(th.state_dict()) == ["weight", "bias"]
    _same_state(cr, th)
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        P.remove_parametrizations(cr, "weight")


def test_buffer_and_state_dict_round_trip() -> None:
    for lib, mod in ((chainrule, P), (torch, torch.nn.utils.parametrize)):
        bn = lib.nn.BatchNorm1d(3)
        mod.register_parametrization(bn, "running_var", (CR if lib is chainrule else TH)["Scale"]())
        if lib is chainrule:
            cr = bn
        else:
            th = bn
    assert "parametrizations.running_var.original" in cr.state_dict()
    assert isinstance(cr.parametrizations.running_var.original, chainrule.Tensor)
    assert not isinstance(cr.parametrizations.running_var.original, nn.Parameter)
    _same_state(cr, th)
    state = {k: np.asarray(v.numpy() * 3) for k, v in cr.state_dict().items()}
    th.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})
    cr.load_state_dict(state)
    _same_state(cr, th)
    np.testing.assert_allclose(cr.running_var.numpy(), th.running_var.numpy())


def test_cached_computes_once() -> None:
    cr, _ = _pair()
    scale = CR["Scale"]()
    P.register_parametrization(cr, "weight", scale)
    scale.calls = 0
    cr.weight, cr.weight  # noqa: B018
    assert scale.calls == 2
    with P.cached():
        a, b = cr.weight, cr.weight
        with P.cached():
            c = cr.weight
        d = cr.weight  # the inner exit keeps the outer cache
    assert a is b is c is d and scale.calls == 3
    e = cr.weight
    assert e is not a and scale.calls == 4


def test_training_mode_follows_the_module() -> None:
    cr, _ = _pair()
    cr.eval()
    p = CR["Scale"]()
    P.register_parametrization(cr, "weight", p)
    assert not p.training
    cr.train()
    assert p.training


def test_pickle_refused_deepcopy_works() -> None:
    cr, _ = _pair()
    P.register_parametrization(cr, "weight", CR["Symmetric"]())
    with pytest.raises(RuntimeError, match="Serialization of parametrized modules is only supported through state_dict"):
        pickle.dumps(cr)
    twin = copy.deepcopy(cr)
    assert twin.parametrizations.weight.original is not cr.parametrizations.weight.original
    np.testing.assert_array_equal(twin.weight.detach().numpy(), cr.weight.detach().numpy())


def test_transfer_parametrizations_and_params() -> None:
    src, _ = _pair()
    P.register_parametrization(src, "weight", CR["Symmetric"]())
    dst = nn.Linear(4, 4)
    P.transfer_parametrizations_and_params(src, dst)
    assert dst.parametrizations.weight.original is src.parametrizations.weight.original
    np.testing.assert_array_equal(dst.weight.detach().numpy(), src.weight.detach().numpy())


def test_errors_match_torch() -> None:
    cr, th = _pair()
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized element with name 'nope'"):
        P.register_parametrization(cr, "nope", CR["Scale"]())
    with pytest.raises(ValueError):
        torch.nn.utils.parametrize.register_parametrization(th, "nope", TH["Scale"]())
    with pytest.raises(ValueError, match="may not change the shape of the tensor"):
        P.register_parametrization(cr, "weight", CR["Halve"]())
    assert type(cr) is nn.Linear and "weight" in cr._parameters  # nothing changed
    P.register_parametrization(cr, "weight", CR["Halve"](), unsafe=True)
    torch.nn.utils.parametrize.register_parametrization(th, "weight", TH["Halve"](), unsafe=True)
    assert cr.weight.shape == th.weight.shape == (2, 4)
    _same_state(cr, th)
