"""Module system: registration, traversal order, state_dict keys and loading, modes, hooks, repr."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _build(lib):
    """The same small architecture, written once against the PyTorch API."""

    class Block(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = lib.nn.Parameter(lib.ones(3))
            self.register_buffer("count", lib.zeros(1))
            self.register_buffer("scratch", lib.zeros(2), persistent=False)
            self.inner = lib.nn.Linear(3, 3)

        def forward(self, x):
            return self.inner(x * self.scale)

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.first = Block()
            self.blocks = lib.nn.ModuleList([Block(), Block()])
            self.head = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 2))
            self.table = lib.nn.ModuleDict({"a": lib.nn.Linear(2, 2)})
            self.extra = lib.nn.ParameterList([lib.nn.Parameter(lib.zeros(2))])
            self.no_bias = None

        def forward(self, x):
            x = self.first(x)
            for b in self.blocks:
                x = b(x)
            return self.table["a"](self.head(x)) + self.extra[0]

    return Net()


def test_names_and_order_equal_torch() -> None:
    cr, th = _build(chainrule), _build(torch)
    assert [n for n, _ in cr.named_parameters()] == [n for n, _ in th.named_parameters()]
    assert [n for n, _ in cr.named_buffers()] == [n for n, _ in th.named_buffers()]
    assert [n for n, _ in cr.named_modules()] == [n for n, _ in th.named_modules()]
    assert [n for n, _ in cr.named_children()] == [n for n, _ in th.named_children()]
    assert list(cr.state_dict()) == list(th.state_dict())


def test_state_dict_round_trips_both_ways_with_identical_outputs() -> None:
    cr, th = _build(chainrule), _build(torch)
    result = cr.load_state_dict({k: v.detach().numpy() for k, v in th.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(cr(chainrule.tensor(x)).detach().numpy(), th(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    th2 = _build(torch)
    th2.load_state_dict({k: torch.tensor(v.numpy()) for k, v in cr.state_dict().items()})
    np.testing.assert_allclose(th2(torch.tensor(x)).detach().numpy(), th(torch.tensor(x)).detach().numpy(), rtol=1e-6)


def test_load_state_dict_strict_reports_missing_unexpected_and_shapes() -> None:
    model = nn.Linear(3, 2)
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "bias"'):
        model.load_state_dict({"weight": np.zeros((2, 3), np.float32)})
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "other"'):
        model.load_state_dict({"weight": np.zeros((2, 3)), "bias": np.zeros(2), "other": np.zeros(1)})
    with pytest.raises(RuntimeError, match=r"size mismatch for weight: copying a param with shape \[3, 3\]"):
        model.load_state_dict({"weight": np.zeros((3, 3)), "bias": np.zeros(2)})
    before = model.weight.detach().numpy().copy()
    result = model.load_state_dict({"weight": np.ones((2, 3)), "other": np.zeros(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["other"]
    assert np.all(model.weight.detach().numpy() == 1) and not np.all(before == 1)
    assert model.weight.dtype == chainrule.float32  # values are cast into the existing parameter


def test_state_dict_values_are_detached_and_share_memory() -> None:
    model = nn.Linear(2, 2)
    sd = model.state_dict()
    assert not sd["weight"].requires_grad
    with chainrule.no_grad():
        model.weight.fill_(3.0)
    assert np.all(sd["weight"].numpy() == 3.0)


def test_typo_raises_attribute_error() -> None:
    model = nn.Linear(2, 2)
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'wieght'"):
        _ = model.wieght


def test_weight_tying_lists_and_trains_the_parameter_once() -> None:
    a, b = nn.Linear(4, 4, bias=False), nn.Linear(4, 4, bias=False)
    b.weight = a.weight
    model = nn.Sequential(a, b)
    assert len(list(model.parameters())) == 1
    assert list(model.state_dict()) == ["0.weight", "1.weight"]
    out = model(chainrule.randn(2, 4)).sum()
    out.backward()
    assert a.weight.grad is b.weight.grad and a.weight.grad.shape == (4, 4)


def test_train_eval_propagate_and_zero_grad() -> None:
    model = _build(chainrule)
    model.eval()
    assert all(not m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    model(chainrule.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(not np.any(p.grad.numpy()) for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_apply_and_to_dtype_keep_parameter_objects() -> None:
    model = _build(chainrule)
    params = list(model.parameters())
    seen = []
    model.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen.count("Linear") == 6 and seen.count("Block") == 3
    model.double()
    assert all(p.dtype == chainrule.float64 for p in model.parameters())
    assert [id(p) for p in model.parameters()] == [id(p) for p in params]
    model.to(chainrule.float32)
    assert all(p.dtype == chainrule.float32 for p in model.parameters())
    assert model.to("cpu") is model
    with pytest.raises(RuntimeError, match="CPU"):
        model.to("cuda")


def test_forward_hooks() -> None:
    model = nn.Linear(2, 2)
    calls = []
    h1 = model.register_forward_pre_hook(lambda m, args: calls.append("pre") or (args[0] * 0,))
    h2 = model.register_forward_hook(lambda m, args, out: calls.append("post") or out + 1)
    out = model(chainrule.randn(3, 2))
    assert calls == ["pre", "post"]
    np.testing.assert_allclose(out.detach().numpy(), np.broadcast_to(model.bias.detach().numpy() + 1, (3, 2)), rtol=1e-6)
    h1.remove()
    h2.remove()
    model(chainrule.randn(3, 2))
    assert calls == ["pre", "post"]


def test_containers() -> None:
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    seq.append(nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    assert isinstance(seq[:2], nn.Sequential) and len(seq[:2]) == 2
    assert seq(chainrule.randn(4, 2)).shape == (4, 1)
    with pytest.raises(IndexError):
        _ = seq[5]
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml.append(nn.Linear(1, 1))
    ml += [nn.Linear(1, 1)]
    assert len(ml) == 3 and len(list(ml.parameters())) == 6
    md = nn.ModuleDict({"x": nn.ReLU()})
    md["y"] = nn.Tanh()
    assert list(md.keys()) == ["x", "y"] and "y" in md
    pl = nn.ParameterList([chainrule.zeros(2), nn.Parameter(chainrule.ones(1))])
    assert all(isinstance(p, nn.Parameter) for p in pl) and len(list(pl.parameters())) == 2


def test_repr_matches_torch() -> None:
    cr, th = _build(chainrule), _build(torch)
    assert repr(cr) == repr(th).replace("torch.", "chainrule.")
    assert "(0-1): 2 x Block(" in repr(cr)


def test_register_errors() -> None:
    m = nn.Module()
    with pytest.raises(TypeError, match="chainrule.nn.Parameter or None"):
        m.register_parameter("w", chainrule.zeros(2))
    with pytest.raises(KeyError, match="empty or contain"):
        m.register_buffer("a.b", chainrule.zeros(1))
    with pytest.raises(TypeError):
        nn.Module(3)
    lin = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign 'int' as parameter 'weight'"):
        lin.weight = 3


def test_deepcopy_and_parameter_repr() -> None:
    model = nn.Linear(2, 2)
    clone = copy.deepcopy(model)
    assert clone.weight is not model.weight
    np.testing.assert_array_equal(clone.weight.detach().numpy(), model.weight.detach().numpy())
    assert repr(nn.Parameter(chainrule.zeros(2))).startswith("Parameter containing:\ntensor([0., 0.]")
