"""Normalization layers against PyTorch: forward/backward parity (train and eval), running statistics,
gradcheck, repr, state_dict keys, initialization; and each fused norm against its composite."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn
import chainrule.nn.functional as F

from .layer_harness import check_layer, gradcheck_layer

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _randomize(layer: Any, lib: Any) -> Any:
    """Non-trivial affine parameters and running stats (copied to chainrule through state_dict)."""
    with lib.no_grad():
        for p in layer.parameters():
            lib.nn.init.uniform_(p, -1.5, 1.5)
        if getattr(layer, "running_mean", None) is not None:
            lib.nn.init.uniform_(layer.running_mean, -0.5, 0.5)
            lib.nn.init.uniform_(layer.running_var, 0.5, 2.0)
    return layer


def _maker(cls: str, *args: Any, **kwargs: Any) -> Any:
    return lambda lib: _randomize(getattr(lib.nn, cls)(*args, **kwargs), lib)


def _x(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


LAYERS = [
    ("LayerNorm", (4,), {}, (3, 4)),
    ("LayerNorm", ((3, 4),), {"eps": 1e-3}, (2, 3, 4)),
    ("LayerNorm", ([5],), {"bias": False}, (2, 3, 5)),
    ("LayerNorm", (5,), {"elementwise_affine": False}, (2, 5)),
    ("RMSNorm", (4,), {}, (3, 4)),
    ("RMSNorm", ((3, 4),), {"eps": 1e-4}, (2, 3, 4)),
    ("RMSNorm", (6,), {"elementwise_affine": False}, (2, 6)),
    ("BatchNorm1d", (3,), {}, (6, 3)),
    ("BatchNorm1d", (3,), {"momentum": None}, (4, 3, 5)),
    ("BatchNorm1d", (3,), {"affine": False}, (4, 3, 5)),
    ("BatchNorm1d", (3,), {"bias": False, "eps": 1e-3}, (5, 3)),
    ("BatchNorm1d", (3,), {"track_running_stats": False}, (4, 3, 2)),
    ("BatchNorm2d", (3,), {}, (2, 3, 4, 5)),
    ("BatchNorm2d", (2,), {"momentum": 0.5, "affine": False, "track_running_stats": False}, (3, 2, 3, 3)),
    ("BatchNorm2d", (4,), {"momentum": None}, (2, 4, 3, 3)),
    ("GroupNorm", (2, 4), {}, (3, 4, 5)),
    ("GroupNorm", (3, 6), {"eps": 1e-3, "affine": False}, (2, 6, 2, 2)),
    ("GroupNorm", (1, 4), {"bias": False}, (2, 4)),
    ("GroupNorm", (4, 4), {}, (2, 4, 3, 3)),
    ("InstanceNorm1d", (3,), {}, (2, 3, 5)),
    ("InstanceNorm1d", (3,), {"affine": True, "track_running_stats": True}, (2, 3, 5)),
    ("InstanceNorm1d", (3,), {"affine": True}, (3, 6)),
    ("InstanceNorm2d", (2,), {"track_running_stats": True, "momentum": 0.3}, (2, 2, 3, 4)),
]
IDS = [f"{c}{a}{k}" for c, a, k, _ in LAYERS]


@pytest.mark.parametrize(("cls", "args", "kwargs", "shape"), LAYERS, ids=IDS)
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
def test_layer_matches_torch(cls: str, args: tuple, kwargs: dict, shape: tuple, train: bool) -> None:
    check_layer(_maker(cls, *args, **kwargs), [_x(*shape)], train=train)


@pytest.mark.parametrize(("cls", "args", "kwargs", "shape"), LAYERS, ids=IDS)
def test_layer_matches_torch_float64(cls: str, args: tuple, kwargs: dict, shape: tuple) -> None:
    check_layer(_maker(cls, *args, **kwargs), [_x(*shape)], dtype="float64", atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize(("cls", "args", "kwargs", "shape"), LAYERS, ids=IDS)
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
def test_gradcheck_layer(cls: str, args: tuple, kwargs: dict, shape: tuple, train: bool) -> None:
    make = _maker(cls, *args, **kwargs)
    gradcheck_layer(lambda lib: make(lib).train(train), [_x(*shape)])


@pytest.mark.parametrize("momentum", [0.1, 0.7, None])
@pytest.mark.parametrize(
    ("cls", "shape"), [("BatchNorm1d", (8, 3)), ("BatchNorm1d", (4, 3, 5)), ("BatchNorm2d", (4, 3, 2, 3))]
)
def test_batchnorm_running_stats_match_torch(cls: str, shape: tuple, momentum: float | None) -> None:
    th = getattr(torch.nn, cls)(3, momentum=momentum)
    cr = getattr(nn, cls)(3, momentum=momentum)
    rng = np.random.default_rng(0)
    for step in range(5):
        x = rng.normal(loc=step - 2.0, scale=1.0 + step, size=shape).astype(np.float32)
        y_th, y_cr = th(torch.tensor(x)), cr(chainrule.tensor(x))
        np.testing.assert_allclose(y_cr.detach().numpy(), y_th.detach().numpy(), rtol=1e-4, atol=1e-5)
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(getattr(cr, name).numpy(), getattr(th, name).numpy(), rtol=1e-5, atol=1e-6)
    assert cr.num_batches_tracked.item() == th.num_batches_tracked.item() == 5
    assert cr.num_batches_tracked.dtype == chainrule.int64 and cr.running_var.dtype == chainrule.float32
    th.eval()
    cr.eval()
    x = rng.normal(size=shape).astype(np.float32)
    np.testing.assert_allclose(cr(chainrule.tensor(x)).detach().numpy(), th(torch.tensor(x)).detach().numpy(), rtol=1e-4, atol=1e-5)


def test_batchnorm_eval_uses_running_stats_and_leaves_them() -> None:
    bn = nn.BatchNorm1d(2)
    bn.running_mean.copy_(chainrule.tensor([1.0, -1.0]))
    bn.running_var.copy_(chainrule.tensor([4.0, 0.25]))
    bn.eval()
    y = bn(chainrule.tensor([[3.0, -1.0], [1.0, 0.0]]))
    np.testing.assert_allclose(y.detach().numpy(), [[1.0, 0.0], [0.0, 2.0]], atol=1e-4)
    assert bn.num_batches_tracked.item() == 0
    np.testing.assert_allclose(bn.running_mean.numpy(), [1.0, -1.0])


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval() -> None:
    bn = nn.BatchNorm1d(3, track_running_stats=False).eval()
    x = chainrule.tensor(_x(5, 3).astype(np.float32))
    y = bn(x).detach().numpy()
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-6)
    assert bn.running_mean is None and bn.num_batches_tracked is None


def test_batchnorm_eval_accepts_batch_of_one() -> None:
    bn = nn.BatchNorm1d(3).eval()
    assert bn(chainrule.ones(1, 3)).shape == (1, 3)


REPRS = [
    ("LayerNorm", (4,), {}),
    ("LayerNorm", ((3, 4),), {"eps": 1e-6, "elementwise_affine": False}),
    ("LayerNorm", (4,), {"bias": False}),
    ("RMSNorm", (4,), {}),
    ("RMSNorm", ([3, 4],), {"eps": 1e-6, "elementwise_affine": False}),
    ("BatchNorm1d", (4,), {}),
    ("BatchNorm1d", (4,), {"bias": False}),
    ("BatchNorm2d", (4,), {"momentum": None, "affine": False, "track_running_stats": False, "eps": 0.001}),
    ("GroupNorm", (2, 4), {}),
    ("GroupNorm", (2, 4), {"eps": 1e-3, "affine": False}),
    ("InstanceNorm1d", (3,), {}),
    ("InstanceNorm2d", (3,), {"affine": True, "track_running_stats": True}),
]


@pytest.mark.parametrize(("cls", "args", "kwargs"), REPRS, ids=[f"{c}{a}{k}" for c, a, k in REPRS])
def test_repr_state_dict_and_init_match_torch(cls: str, args: tuple, kwargs: dict) -> None:
    th, cr = getattr(torch.nn, cls)(*args, **kwargs), getattr(nn, cls)(*args, **kwargs)
    assert repr(cr) == repr(th)
    th_state, cr_state = th.state_dict(), cr.state_dict()
    assert list(cr_state) == list(th_state)
    for k, v in th_state.items():
        assert tuple(cr_state[k].shape) == tuple(v.shape), k
        assert str(cr_state[k].dtype).split(".")[-1] == str(v.dtype).split(".")[-1], k
        np.testing.assert_array_equal(cr_state[k].numpy(), v.numpy(), err_msg=k)
    assert [n for n, _ in cr.named_parameters()] == [n for n, _ in th.named_parameters()]
    for attr in ("normalized_shape", "eps", "momentum", "affine", "num_features", "num_groups", "track_running_stats"):
        if hasattr(th, attr):
            assert getattr(cr, attr) == getattr(th, attr), attr


def test_dtype_kwarg_and_double() -> None:
    ln = nn.LayerNorm(3, dtype=chainrule.float64, device="cpu")
    assert ln.weight.dtype == chainrule.float64
    bn = nn.BatchNorm2d(3).double()
    assert bn.running_mean.dtype == chainrule.float64 and bn.num_batches_tracked.dtype == chainrule.int64
    bn(chainrule.randn(2, 3, 2, 2, dtype=chainrule.float64))
    assert bn.num_batches_tracked.item() == 1


def test_reset_running_stats() -> None:
    bn = nn.BatchNorm1d(2)
    bn(chainrule.randn(4, 2) * 3 + 1)
    bn.reset_running_stats()
    np.testing.assert_array_equal(bn.running_mean.numpy(), [0, 0])
    np.testing.assert_array_equal(bn.running_var.numpy(), [1, 1])
    assert bn.num_batches_tracked.item() == 0


def test_float32_stays_float32() -> None:
    x = chainrule.randn(4, 3, 5, requires_grad=True)
    w = chainrule.ones(5, requires_grad=True)
    for y in (
        F.layer_norm(x, [5], w), F.rms_norm(x, [5], w), F.batch_norm(x, None, None, training=True),
        F.group_norm(x, 3), F.instance_norm(x), F.normalize(x),
    ):
        assert y.dtype == chainrule.float32
        y.sum().backward()
        assert x.grad.dtype == chainrule.float32


# --- fused primitives agree with their composites built from chainrule ops -----------------------


def _mean(t: Any, dims: tuple[int, ...]) -> Any:
    return t.mean(dim=dims, keepdim=True)


def _var(t: Any, dims: tuple[int, ...]) -> Any:
    return t.var(dim=dims, unbiased=False, keepdim=True)


def _composite_layer_norm(x: Any, shape: tuple, w: Any, b: Any, eps: float) -> Any:
    dims = tuple(range(x.dim() - len(shape), x.dim()))
    return (x - _mean(x, dims)) / (_var(x, dims) + eps).sqrt() * w + b


def _composite_rms_norm(x: Any, shape: tuple, w: Any, eps: float) -> Any:
    dims = tuple(range(x.dim() - len(shape), x.dim()))
    return x * chainrule.rsqrt(_mean(x * x, dims) + eps) * w


def _composite_batch_norm(x: Any, rm: Any, rv: Any, w: Any, b: Any, training: bool, eps: float) -> Any:
    dims = (0, *range(2, x.dim()))
    cs = (1, x.shape[1]) + (1,) * (x.dim() - 2)
    mu, var = (_mean(x, dims), _var(x, dims)) if training else (rm.reshape(cs), rv.reshape(cs))
    return (x - mu) / (var + eps).sqrt() * w.reshape(cs) + b.reshape(cs)


def _composite_group_norm(x: Any, g: int, w: Any, b: Any, eps: float) -> Any:
    xg = x.reshape(x.shape[0], g, -1)
    xhat = ((xg - _mean(xg, (2,))) / (_var(xg, (2,)) + eps).sqrt()).reshape(x.shape)
    cs = (1, x.shape[1]) + (1,) * (x.dim() - 2)
    return xhat * w.reshape(cs) + b.reshape(cs)


def _composite_normalize(x: Any, dim: int, eps: float) -> Any:
    return x / (x * x).sum(dim=dim, keepdim=True).sqrt().clamp(min=eps)


def _leaves(*shapes: tuple, seed: int = 0) -> list[Any]:
    rng = np.random.default_rng(seed)
    return [chainrule.tensor(rng.uniform(-2, 2, s), requires_grad=True) for s in shapes]


def _agree(fused: Any, composite: Any, leaves: list[Any]) -> None:
    y1, y2 = fused(*leaves), composite(*leaves)
    np.testing.assert_allclose(y1.detach().numpy(), y2.detach().numpy(), rtol=1e-10, atol=1e-10)
    w = chainrule.tensor(np.random.default_rng(5).standard_normal(tuple(y1.shape)))
    g1 = chainrule.autograd.grad([(y1 * w).sum()], leaves)
    g2 = chainrule.autograd.grad([(y2 * w).sum()], leaves)
    for a, b in zip(g1, g2):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize(("xs", "ns"), [((3, 4), (4,)), ((2, 3, 4), (3, 4))])
def test_fused_layer_norm_matches_composite(xs: tuple, ns: tuple) -> None:
    _agree(
        lambda x, w, b: F.layer_norm(x, ns, w, b, 1e-3),
        lambda x, w, b: _composite_layer_norm(x, ns, w, b, 1e-3),
        _leaves(xs, ns, ns),
    )


@pytest.mark.parametrize(("xs", "ns"), [((3, 4), (4,)), ((2, 3, 4), (3, 4))])
def test_fused_rms_norm_matches_composite(xs: tuple, ns: tuple) -> None:
    _agree(
        lambda x, w: F.rms_norm(x, ns, w, 1e-4),
        lambda x, w: _composite_rms_norm(x, ns, w, 1e-4),
        _leaves(xs, ns),
    )


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("xs", [(5, 3), (4, 3, 2), (2, 3, 2, 3)])
def test_fused_batch_norm_matches_composite(xs: tuple, training: bool) -> None:
    rm = chainrule.tensor([0.1, -0.2, 0.3], dtype=chainrule.float64)
    rv = chainrule.tensor([0.5, 1.0, 2.0], dtype=chainrule.float64)
    _agree(
        lambda x, w, b: F.batch_norm(x, rm.clone(), rv.clone(), w, b, training=training, eps=1e-3),
        lambda x, w, b: _composite_batch_norm(x, rm, rv, w, b, training, 1e-3),
        _leaves(xs, (3,), (3,)),
    )


@pytest.mark.parametrize(("xs", "g"), [((2, 4, 3), 2), ((3, 6), 3), ((2, 4, 2, 2), 1)])
def test_fused_group_norm_matches_composite(xs: tuple, g: int) -> None:
    c = xs[1]
    _agree(
        lambda x, w, b: F.group_norm(x, g, w, b, 1e-3),
        lambda x, w, b: _composite_group_norm(x, g, w, b, 1e-3),
        _leaves(xs, (c,), (c,)),
    )


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_fused_normalize_matches_composite(dim: int) -> None:
    _agree(lambda x: F.normalize(x, dim=dim, eps=1e-6), lambda x: _composite_normalize(x, dim, 1e-6), _leaves((3, 4)))
