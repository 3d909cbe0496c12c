"""Lazy modules against PyTorch: placeholders and state_dict before the first call, materialization (class,
shapes, init ranges), forward/backward parity after copying weights, optimizers built before materializing,
loading a state_dict into a lazy module, errors; BatchNorm3d/InstanceNorm3d parity."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn
from chainrule.nn.parameter import is_lazy

from .layer_harness import check_layer

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _x(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


CASES = [
    ("LazyLinear", (4,), {}, (3, 5)),
    ("LazyLinear", (2,), {"bias": False}, (2, 3, 6)),
    ("LazyConv1d", (4, 3), {"padding": 1}, (2, 3, 7)),
    ("LazyConv1d", (4, 2), {"groups": 2}, (4, 6)),  # unbatched
    ("LazyConv2d", (6, 3), {"stride": 2, "groups": 3}, (2, 3, 7, 7)),
    ("LazyConvTranspose1d", (4, 3), {"stride": 2}, (2, 3, 5)),
    ("LazyConvTranspose2d", (2, 3), {"bias": False, "padding": 1}, (1, 4, 5, 5)),
    ("LazyBatchNorm1d", (), {}, (6, 4)),
    ("LazyBatchNorm2d", (), {"momentum": None}, (3, 4, 3, 3)),
    ("LazyBatchNorm3d", (), {"affine": False}, (2, 3, 2, 3, 2)),
    ("LazyInstanceNorm1d", (), {"affine": True}, (2, 3, 6)),
    ("LazyInstanceNorm2d", (), {"affine": False}, (3, 4, 4, 2)),
    ("LazyInstanceNorm3d", (), {}, (2, 3, 2, 3, 2)),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize(("name", "args", "kw", "shape"), CASES, ids=IDS)
def test_before_and_after_the_first_call(name: str, args: tuple[Any, ...], kw: dict[str, Any], shape: tuple[int, ...]) -> None:
    th, cr = getattr(torch.nn, name)(*args, **kw), getattr(nn, name)(*args, **kw)
    target = th.cls_to_become.__name__
    assert repr(cr) == repr(th)
    assert list(cr.state_dict()) == list(th.state_dict())
    assert [is_lazy(v) for v in cr.state_dict().values()] == [
        torch.nn.parameter.is_lazy(v) for v in th.state_dict().values()
    ]
    assert cr.has_uninitialized_params() == th.has_uninitialized_params()
    th(torch.tensor(_x(*shape)).float())
    cr(chainrule.tensor(_x(*shape)).float())
    assert type(cr).__name__ == type(th).__name__ == target
    assert repr(cr) == repr(th)
    assert not hasattr(cr, "has_uninitialized_params") or not cr.has_uninitialized_params()
    for (k, v), (tk, tv) in zip(cr.state_dict().items(), th.state_dict().items()):
        assert k == tk and tuple(v.shape) == tuple(tv.shape) and str(v.dtype).split(".")[-1] == str(tv.dtype).split(".")[-1]
    for (k, p), (_, tp) in zip(cr.named_parameters(), th.named_parameters()):  # same init law: same range
        bound = float(tp.detach().abs().max()) if "weight" in k and tp.ndim > 1 else None
        if bound:
            assert 0.3 * bound < float(p.detach().abs().max().item()) < 3 * bound
    for name_b, b in cr.named_buffers():
        np.testing.assert_allclose(b.numpy(), dict(th.named_buffers())[name_b].numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(("name", "args", "kw", "shape"), CASES, ids=IDS)
def test_parity_after_materializing(name: str, args: tuple[Any, ...], kw: dict[str, Any], shape: tuple[int, ...]) -> None:
    def make(lib: Any) -> Any:
        m = getattr(lib.nn, name)(*args, **kw)
        m(lib.tensor(_x(*shape, seed=5)).float())  # materialize
        return m

    check_layer(make, [_x(*shape)])


def test_optimizer_built_before_materialization_updates_the_real_weights() -> None:
    th, cr = torch.nn.LazyLinear(3), nn.LazyLinear(3)
    th_opt, cr_opt = torch.optim.SGD(th.parameters(), lr=0.5, momentum=0.9), chainrule.optim.SGD(cr.parameters(), lr=0.5, momentum=0.9)
    x = _x(4, 5)
    th(torch.tensor(x).float())
    cr(chainrule.tensor(x).float())
    cr.load_state_dict({k: v.numpy() for k, v in th.state_dict().items()})
    for _ in range(3):
        for lib, m, opt in ((torch, th, th_opt), (chainrule, cr, cr_opt)):
            opt.zero_grad()
            (m(lib.tensor(x).float()) ** 2).sum().backward()
            opt.step()
    np.testing.assert_allclose(cr.weight.detach().numpy(), th.weight.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert cr_opt.param_groups[0]["params"][0] is cr.weight
    for name in ("Adam", "AdamW", "RMSprop"):  # optimizers with lazily created state accept placeholders too
        th2, cr2 = torch.nn.LazyLinear(2), nn.LazyLinear(2)
        th_o, cr_o = getattr(torch.optim, name)(th2.parameters(), lr=0.01), getattr(chainrule.optim, name)(cr2.parameters(), lr=0.01)
        th2(torch.tensor(x).float())
        cr2(chainrule.tensor(x).float())
        cr2.load_state_dict({k: v.numpy() for k, v in th2.state_dict().items()})
        for _ in range(3):
            for lib, m, opt in ((torch, th2, th_o), (chainrule, cr2, cr_o)):
                opt.zero_grad()
                (m(lib.tensor(x).float()) ** 2).sum().backward()
                opt.step()
        np.testing.assert_allclose(cr2.weight.detach().numpy(), th2.weight.detach().numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="uninitialized parameter"):
        torch.optim.Adagrad(torch.nn.LazyLinear(2).parameters())
    with pytest.raises(ValueError, match="uninitialized parameter"):
        chainrule.optim.Adagrad(nn.LazyLinear(2).parameters())


def test_loading_a_state_dict_materializes() -> None:
    th_eager = torch.nn.Conv2d(3, 4, 3)
    th_lazy, cr_lazy = torch.nn.LazyConv2d(4, 3), nn.LazyConv2d(4, 3)
    th_lazy.load_state_dict(th_eager.state_dict())
    cr_lazy.load_state_dict({k: v.numpy() for k, v in th_eager.state_dict().items()})
    assert type(cr_lazy).__name__ == type(th_lazy).__name__ == "LazyConv2d"  # still lazy until called
    assert not cr_lazy.has_uninitialized_params() and not th_lazy.has_uninitialized_params()
    np.testing.assert_array_equal(cr_lazy.weight.detach().numpy(), th_eager.weight.detach().numpy())
    x = _x(1, 3, 5, 5)
    out = cr_lazy(chainrule.tensor(x).float())
    assert type(cr_lazy) is nn.Conv2d and cr_lazy.in_channels == 3
    np.testing.assert_allclose(out.detach().numpy(), th_eager(torch.tensor(x).float()).detach().numpy(), rtol=1e-5, atol=1e-6)
    # a lazy module's (uninitialized) state loads into another lazy module, not into an initialized one
    nn.LazyLinear(2).load_state_dict(nn.LazyLinear(2).state_dict())
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized parameter"):
        nn.Linear(3, 2).load_state_dict(nn.LazyLinear(2).state_dict())


def test_inside_a_container_and_copies() -> None:
    model = nn.Sequential(nn.LazyConv2d(4, 3), nn.LazyBatchNorm2d(), nn.ReLU(), nn.Flatten(), nn.LazyLinear(2))
    twin = copy.deepcopy(model)
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                                        "1.num_batches_tracked", "4.weight", "4.bias"]
    out = model(chainrule.randn(2, 3, 6, 6))
    assert tuple(out.shape) == (2, 2) and model[4].in_features == 4 * 4 * 4
    assert [type(m).__name__ for m in model][:2] == ["Conv2d", "BatchNorm2d"]
    assert isinstance(twin[0], nn.LazyConv2d) and twin[0].has_uninitialized_params()  # the copy stayed lazy
    twin(chainrule.randn(2, 3, 5, 5))
    assert twin[4].in_features == 4 * 3 * 3


def test_uninitialized_parameter_and_errors() -> None:
    p = nn.UninitializedParameter()
    assert repr(p) == "<UninitializedParameter>" and p.requires_grad and is_lazy(p)
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized parameter"):
        p.shape  # noqa: B018
    p.materialize((2, 3), dtype=chainrule.float64)
    assert type(p) is nn.Parameter and tuple(p.shape) == (2, 3) and p.dtype == chainrule.float64
    b = nn.UninitializedBuffer()
    b.materialize(4)
    assert type(b) is chainrule.Tensor and tuple(b.shape) == (4,)
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to LazyConv2d"):
        nn.LazyConv2d(2, 3)(chainrule.randn(3, 3))
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.LazyConv1d(4, 3, groups=2)(chainrule.randn(1, 3, 5))
    m = nn.LazyInstanceNorm2d()  # unbatched input: the channels are dim 0 (PyTorch's lazy norm reads dim 1)
    m(chainrule.randn(3, 4, 4))
    assert m.num_features == 3 and type(m) is nn.InstanceNorm2d
    m = nn.LazyLinear(3)
    m.initialize_parameters(chainrule.randn(2, 7))  # explicit, as PyTorch allows
    assert tuple(m.weight.shape) == (3, 7) and isinstance(m, nn.LazyLinear)


def test_lazy_3d_convolutions() -> None:
    if not hasattr(nn, "Conv3d") or not hasattr(nn, "ConvTranspose3d"):
        pytest.skip("chainrule.nn has no Conv3d/ConvTranspose3d yet (added on another branch)")
    for name, shape in (("LazyConv3d", (1, 2, 4, 4, 4)), ("LazyConvTranspose3d", (2, 4, 3, 3))):
        def make(lib: Any, name: str = name, shape: tuple[int, ...] = shape) -> Any:
            m = getattr(lib.nn, name)(3, 2)
            m(lib.tensor(_x(*shape)).float())
            return m

        check_layer(make, [_x(*shape, seed=1)])
        assert repr(getattr(nn, name)(3, 2)) == repr(getattr(torch.nn, name)(3, 2))


@pytest.mark.parametrize("kw", [{}, {"affine": False, "momentum": None}, {"track_running_stats": False}])
def test_batchnorm3d_and_instancenorm3d(kw: dict[str, Any]) -> None:
    check_layer(lambda lib: lib.nn.BatchNorm3d(3, **kw), [_x(2, 3, 2, 3, 2)])
    check_layer(lambda lib: lib.nn.BatchNorm3d(3, **kw), [_x(2, 3, 2, 3, 2)], train=False)
    check_layer(lambda lib: lib.nn.InstanceNorm3d(3, **kw), [_x(2, 3, 2, 3, 2)])
    check_layer(lambda lib: lib.nn.InstanceNorm3d(3, **kw), [_x(3, 2, 3, 2)])
    assert repr(nn.BatchNorm3d(3, **kw)) == repr(torch.nn.BatchNorm3d(3, **kw))
    with pytest.raises(ValueError, match="expected 5D input"):
        nn.BatchNorm3d(3)(chainrule.randn(2, 3, 4, 4))
