"""Linear, Bilinear, Identity, Flatten/Unflatten, Embedding, Dropout and activation layers against PyTorch:
forward/backward parity (train and eval), gradcheck, repr, default-init statistics, dropout statistics,
and the fused ``F.linear`` against its composite."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn
import chainrule.nn.functional as F

from .layer_harness import check_layer, gradcheck_layer

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _x(*shape: int, seed: int = 0, lo: float = -2.0, hi: float = 2.0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(lo, hi, shape)


def _away(*shape: int, kinks: tuple[float, ...] = (0.0,)) -> np.ndarray:
    x = _x(*shape)
    for k in kinks:
        x = np.where(np.abs(x - k) < 0.05, k + 0.1, x)
    return x


def _maker(cls: str, *args: Any, **kwargs: Any) -> Any:
    return lambda lib: getattr(lib.nn, cls)(*args, **kwargs)


LAYERS = [  # (class, args, kwargs, input shape)
    ("Linear", (4, 3), {}, (5, 4)),
    ("Linear", (4, 3), {"bias": False}, (5, 4)),
    ("Linear", (4, 6), {}, (2, 3, 4)),
    ("Linear", (4, 2), {}, (4,)),
    ("Linear", (1, 1), {}, (3, 1)),
    ("Identity", (3,), {"unused": 1}, (2, 3)),
    ("Flatten", (), {}, (2, 3, 2, 2)),
    ("Flatten", (0, -2), {}, (2, 3, 4)),
    ("Unflatten", (1, (2, 3)), {}, (4, 6)),
    ("Unflatten", (-1, [2, 2]), {}, (3, 4)),
    ("Dropout", (), {}, (3, 4)),  # eval: identity; train: compared with p=0 below
    ("Dropout", (0.0,), {}, (3, 4)),
    ("Dropout1d", (0.0,), {}, (2, 3, 4)),
    ("Dropout2d", (0.0,), {}, (2, 3, 2, 2)),
    ("Dropout3d", (0.0,), {}, (2, 3, 2, 2, 2)),
    ("AlphaDropout", (0.0,), {}, (3, 4)),
]
ACTIVATIONS = [  # (class, args, kwargs, kinks)
    ("ReLU", (), {}, (0.0,)),
    ("ReLU", (True,), {}, (0.0,)),
    ("ReLU6", (), {}, (0.0, 6.0)),
    ("LeakyReLU", (0.2,), {}, (0.0,)),
    ("LeakyReLU", (), {"inplace": True}, (0.0,)),
    ("ELU", (0.5,), {}, (0.0,)),
    ("ELU", (), {"inplace": True}, (0.0,)),
    ("CELU", (2.0,), {}, (0.0,)),
    ("SELU", (), {}, (0.0,)),
    ("GELU", (), {}, ()),
    ("GELU", ("tanh",), {}, ()),
    ("SiLU", (), {}, ()),
    ("Mish", (), {}, ()),
    ("Tanh", (), {}, ()),
    ("Sigmoid", (), {}, ()),
    ("Softplus", (), {"beta": 2.0, "threshold": 3.0}, (1.5,)),
    ("Softplus", (), {}, ()),
    ("Hardtanh", (-0.5, 1.5), {}, (-0.5, 1.5)),
    ("Hardtanh", (), {}, (-1.0, 1.0)),
    ("Hardsigmoid", (), {}, (-3.0, 3.0)),
    ("Hardswish", (), {}, (-3.0, 3.0)),
    ("Softsign", (), {}, ()),
    ("LogSigmoid", (), {}, ()),
    ("Tanhshrink", (), {}, ()),
    ("Softshrink", (0.3,), {}, (-0.3, 0.3)),
    ("Hardshrink", (), {}, (-0.5, 0.5)),
    ("Threshold", (0.1, 20.0), {}, (0.1,)),
    ("Softmax", (1,), {}, ()),
    ("Softmax", (), {"dim": -1}, ()),
    ("LogSoftmax", (0,), {}, ()),
    ("Softmin", (1,), {}, ()),
    ("Softmax2d", (), {}, ()),
    ("GLU", (), {}, ()),
    ("GLU", (1,), {}, ()),
    ("PReLU", (), {}, (0.0,)),
    ("PReLU", (3, 0.1), {}, (0.0,)),
    ("RReLU", (), {}, (0.0,)),  # eval only (random slopes in training)
]
A_IDS = [f"{c}{a}{k}" for c, a, k, _ in ACTIVATIONS]
L_IDS = [f"{c}{a}{k}" for c, a, k, _ in LAYERS]


def _act_input(cls: str, kinks: tuple[float, ...]) -> np.ndarray:
    shape = (2, 3, 2, 4) if cls in ("Softmax2d", "PReLU") else (2, 4, 4) if cls == "GLU" else (2, 3, 4)
    return _away(*shape, kinks=kinks)


def _wrap_inplace(cls: str, kwargs: dict, args: tuple) -> Any:
    """In-place activations need a non-leaf input, as in PyTorch: run them on ``x * 1``."""
    inplace = kwargs.get("inplace") or (cls == "ReLU" and args == (True,))
    return (lambda layer, xs: layer(xs[0] * 1)) if inplace else None


# Random layers in training mode draw different masks/slopes in the two libraries; their statistics
# are tested separately below, so those combinations are left out here rather than skipped.
_LAYER_RUNS = [
    pytest.param(*layer, train, id=f"{lid}-{'train' if train else 'eval'}")
    for layer, lid in zip(LAYERS, L_IDS)
    for train in (True, False)
    if not (train and layer[0] == "Dropout" and not layer[1])
]


@pytest.mark.parametrize(("cls", "args", "kwargs", "shape", "train"), _LAYER_RUNS)
def test_layer_matches_torch(cls: str, args: tuple, kwargs: dict, shape: tuple, train: bool) -> None:
    if cls == "Identity":
        check_layer(lambda lib: lib.nn.Identity(3, unused=1), [_x(*shape)], train=train)
        return
    check_layer(_maker(cls, *args, **kwargs), [_x(*shape)], train=train)


_ACT_RUNS = [
    pytest.param(*act, train, id=f"{aid}-{'train' if train else 'eval'}")
    for act, aid in zip(ACTIVATIONS, A_IDS)
    for train in (True, False)
    if not (train and act[0] == "RReLU")
]


@pytest.mark.parametrize(("cls", "args", "kwargs", "kinks", "train"), _ACT_RUNS)
def test_activation_matches_torch(cls: str, args: tuple, kwargs: dict, kinks: tuple, train: bool) -> None:
    check_layer(_maker(cls, *args, **kwargs), [_act_input(cls, kinks)], train=train, call=_wrap_inplace(cls, kwargs, args))


@pytest.mark.parametrize(("cls", "args", "kwargs", "kinks"), ACTIVATIONS, ids=A_IDS)
def test_activation_float64(cls: str, args: tuple, kwargs: dict, kinks: tuple) -> None:
    # PyTorch's hardsigmoid/hardswish backward uses the float32 constant 1/6 even in float64
    rtol = 1e-7 if cls in ("Hardsigmoid", "Hardswish") else 1e-9
    check_layer(
        _maker(cls, *args, **kwargs), [_act_input(cls, kinks)], train=False, dtype="float64", atol=1e-10, rtol=rtol,
        call=_wrap_inplace(cls, kwargs, args),
    )


@pytest.mark.parametrize(("cls", "args", "kwargs", "kinks"), ACTIVATIONS, ids=A_IDS)
def test_activation_gradcheck(cls: str, args: tuple, kwargs: dict, kinks: tuple) -> None:
    make = _maker(cls, *args, **kwargs)
    gradcheck_layer(lambda lib: make(lib).eval(), [_act_input(cls, kinks)], call=_wrap_inplace(cls, kwargs, args))


@pytest.mark.parametrize(
    ("make", "inputs"),
    [
        (_maker("Linear", 4, 3), [_x(5, 4)]),
        (_maker("Linear", 4, 3, bias=False), [_x(2, 3, 4)]),
        (_maker("Bilinear", 2, 3, 4), [_x(5, 2), _x(5, 3, seed=1)]),
        (_maker("Bilinear", 2, 3, 4, bias=False), [_x(2, 5, 2), _x(2, 5, 3, seed=1)]),
        (_maker("Embedding", 6, 3), [np.array([[0, 2, 2], [5, 1, 0]])]),
        (_maker("PReLU", 3), [_away(2, 3, 4)]),
    ],
    ids=["linear", "linear_nobias_3d", "bilinear", "bilinear_nobias", "embedding", "prelu"],
)
def test_gradcheck_parametrized_layers(make: Any, inputs: list) -> None:
    gradcheck_layer(make, inputs)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bilinear_matches_torch(dtype: str) -> None:
    check_layer(_maker("Bilinear", 2, 3, 4), [_x(5, 2), _x(5, 3, seed=1)], dtype=dtype, atol=1e-5)
    check_layer(_maker("Bilinear", 3, 2, 1, bias=False), [_x(2, 4, 3), _x(2, 4, 2, seed=1)], dtype=dtype, atol=1e-5)


@pytest.mark.parametrize(
    "kwargs", [{}, {"padding_idx": 1}, {"padding_idx": -2}, {"scale_grad_by_freq": True}, {"max_norm": 1.0}],
    ids=["plain", "padding_idx", "padding_idx_neg", "scale_grad_by_freq", "max_norm"],
)
def test_embedding_matches_torch(kwargs: dict) -> None:
    idx = np.array([[0, 1, 1, 4], [3, 4, 4, 4]])
    _, cr_layer = check_layer(_maker("Embedding", 5, 3, **kwargs), [idx])
    if "padding_idx" in kwargs:
        assert not cr_layer.weight.grad.numpy()[cr_layer.padding_idx].any()


def test_embedding_init_and_from_pretrained() -> None:
    emb = nn.Embedding(400, 50, padding_idx=3)
    w = emb.weight.detach().numpy()
    assert not w[3].any()
    assert abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02  # N(0, 1)
    pre = chainrule.tensor([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]])
    e = nn.Embedding.from_pretrained(pre)
    assert not e.weight.requires_grad and e.weight.data_ptr() == pre.data_ptr()
    np.testing.assert_allclose(e(chainrule.tensor([1])).numpy(), [[4.0, 5.1, 6.3]], rtol=1e-6)
    assert nn.Embedding.from_pretrained(pre, freeze=False).weight.requires_grad
    assert repr(nn.Embedding.from_pretrained(pre, padding_idx=0)) == "Embedding(2, 3, padding_idx=0)"


REPRS = [
    ("Linear", (3, 4), {}), ("Linear", (3, 4), {"bias": False}), ("Bilinear", (2, 3, 4), {}),
    ("Bilinear", (2, 3, 4), {"bias": False}), ("Identity", (), {}), ("Flatten", (), {}), ("Flatten", (0, 2), {}),
    ("Unflatten", (1, (2, 5)), {}), ("Unflatten", (-1, [3, 2]), {}), ("Dropout", (), {}),
    ("Dropout", (0.2, True), {}), ("Dropout1d", (0.1,), {}), ("Dropout2d", (), {"inplace": True}), ("Dropout3d", (), {}),
    ("AlphaDropout", (0.3,), {}), ("FeatureAlphaDropout", (), {}), ("Embedding", (5, 3), {}),
    ("Embedding", (5, 3), {"padding_idx": -2, "max_norm": 1.0, "norm_type": 1.0, "scale_grad_by_freq": True, "sparse": True}),
    ("Embedding", (5, 3), {"max_norm": 2}), ("Threshold", (0.1, 20), {}), ("Threshold", (0.1, 20.0, True), {}),
    ("Hardtanh", (-2, 2, True), {}), ("ReLU6", (True,), {}), ("Softplus", (2, 10), {}), ("Softmax", (), {}),
    ("Softshrink", (), {}), ("Hardshrink", (0.3,), {}), ("Softmax2d", (), {}), ("RReLU", (0.1, 0.3, True), {}),
    ("RReLU", (), {}), ("PReLU", (), {}), ("PReLU", (3, 0.1), {}), ("Hardswish", (True,), {}),
    ("Hardsigmoid", (True,), {}), ("SELU", (True,), {}), ("Mish", (True,), {}), ("SiLU", (True,), {}),
    ("CELU", (0.5, True), {}), ("ELU", (2.0, True), {}), ("LeakyReLU", (0.2, True), {}), ("GELU", ("tanh",), {}),
    ("LogSoftmax", (-1,), {}), ("Softmin", (1,), {}), ("GLU", (), {}), ("Tanh", (), {}), ("Sigmoid", (), {}),
]  # fmt: skip


@pytest.mark.parametrize(("cls", "args", "kwargs"), REPRS, ids=[f"{c}{a}{k}" for c, a, k in REPRS])
def test_repr_matches_torch(cls: str, args: tuple, kwargs: dict) -> None:
    assert repr(getattr(nn, cls)(*args, **kwargs)) == repr(getattr(torch.nn, cls)(*args, **kwargs))


@pytest.mark.parametrize(("cls", "args", "kwargs"), ACTIVATIONS_REPR := [(c, a, k) for c, a, k, _ in ACTIVATIONS], ids=A_IDS)
def test_activation_repr_matches_torch(cls: str, args: tuple, kwargs: dict) -> None:
    assert repr(getattr(nn, cls)(*args, **kwargs)) == repr(getattr(torch.nn, cls)(*args, **kwargs))


def test_sequential_mlp_repr_and_forward() -> None:
    def build(lib: Any) -> Any:
        return lib.nn.Sequential(lib.nn.Flatten(), lib.nn.Linear(12, 8), lib.nn.ReLU(), lib.nn.Dropout(0.0), lib.nn.Linear(8, 3))

    assert repr(build(chainrule)) == repr(build(torch))
    check_layer(build, [_x(4, 3, 2, 2)])


# --- default initialization ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [None, chainrule.float64])
def test_linear_default_init_bounds(dtype: Any) -> None:
    fan_in, out = 256, 512
    layer = nn.Linear(fan_in, out, dtype=dtype)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert w.dtype == (np.float64 if dtype else np.float32) and w.shape == (out, fan_in) and b.shape == (out,)
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=√5) gives U(−1/√in, 1/√in)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound  # std of U(−a, a) is a/√3
    assert abs(w.mean()) < 0.01 * bound
    assert abs(b.std() - bound / math.sqrt(3)) < 0.1 * bound


def test_linear_init_is_seeded_and_reset_parameters() -> None:
    chainrule.manual_seed(7)
    a = nn.Linear(5, 4)
    chainrule.manual_seed(7)
    b = nn.Linear(5, 4)
    np.testing.assert_array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    before = a.weight.detach().numpy().copy()
    a.reset_parameters()
    assert not np.array_equal(before, a.weight.detach().numpy())
    assert nn.Linear(3, 2, bias=False).bias is None
    assert [k for k, _ in nn.Linear(3, 2).named_parameters()] == ["weight", "bias"]


def test_bilinear_and_prelu_init() -> None:
    layer = nn.Bilinear(64, 8, 128)
    bound = 1 / math.sqrt(64)
    w = layer.weight.detach().numpy()
    assert np.abs(w).max() <= bound and abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    np.testing.assert_array_equal(nn.PReLU(3, 0.1).weight.detach().numpy(), np.full(3, 0.1, np.float32))


# --- dropout ------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_preserves_expectation(p: float) -> None:
    x = chainrule.ones(200_000)
    out = F.dropout(x, p).numpy()
    kept = out != 0
    assert abs(kept.mean() - (1 - p)) < 0.005
    np.testing.assert_allclose(out[kept], 1 / (1 - p), rtol=1e-6)
    assert abs(out.mean() - 1.0) < 0.02
    assert out.dtype == np.float32


def test_dropout_gradient_is_the_mask() -> None:
    x = chainrule.randn(50, 40, requires_grad=True)
    out = nn.Dropout(0.3)(x)
    out.sum().backward()
    mask = out.detach().numpy() / x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), mask, rtol=1e-5)
    g = x.grad.numpy()
    assert np.all((g == 0) | np.isclose(g, 1 / 0.7, rtol=1e-6))


def test_dropout_identity_in_eval_and_seeded() -> None:
    layer = nn.Dropout(0.5)
    x = chainrule.randn(8, 8)
    layer.eval()
    assert layer(x) is x
    layer.train()
    chainrule.manual_seed(3)
    a = layer(x).numpy()
    chainrule.manual_seed(3)
    b = layer(x).numpy()
    np.testing.assert_array_equal(a, b)
    assert (a == 0).any() and not np.array_equal(a, x.numpy())


def test_dropout_p1_and_inplace() -> None:
    assert not F.dropout(chainrule.ones(5), p=1.0).numpy().any()
    x = chainrule.ones(1000)
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x and (x.numpy() == 0).any()
    leaf = chainrule.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.dropout(leaf, 0.5, inplace=True)



@pytest.mark.parametrize("name", ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"])
@pytest.mark.parametrize("p", [0.0, 1.0])
def test_dropout_p0_p1_draw_nothing_like_torch(name: str, p: float) -> None:
    """p=0 returns the input itself and p=1 zeros it, neither drawing random numbers (PyTorch's CPU rule)."""
    torch = pytest.importorskip("torch")
    shape = {"dropout1d": (2, 3, 4), "dropout3d": (2, 3, 4, 5, 2)}.get(name, (2, 3, 4, 5))
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    x, tx = chainrule.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    state, tstate = chainrule.get_rng_state(), torch.get_rng_state()
    y, ty = getattr(F, name)(x, p, True), getattr(torch.nn.functional, name)(tx, p, True)
    np.testing.assert_array_equal(chainrule.get_rng_state(), state)
    assert torch.equal(torch.get_rng_state(), tstate)
    assert (y is x) == (ty is tx)
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
def test_channel_dropout_zeroes_whole_channels() -> None:
    x = chainrule.ones(64, 32, 3, 3)
    out = nn.Dropout2d(0.5)(x).numpy()
    per_channel = out.reshape(64, 32, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1))
    assert 0.4 < (per_channel[..., 0] == 0).mean() < 0.6
    out1 = F.dropout1d(chainrule.ones(16, 8, 5), 0.5).numpy()
    assert np.all((out1 == 0).all(-1) | (out1 == 2.0).all(-1))
    out1u = F.dropout1d(chainrule.ones(64, 5), 0.5).numpy()  # unbatched (C, L)
    assert np.all((out1u == 0).all(-1) | (out1u == 2.0).all(-1))
    out3 = nn.Dropout3d(0.5)(chainrule.ones(4, 8, 2, 2, 2)).numpy().reshape(4, 8, 8)
    assert np.all((out3 == 0).all(-1) | (out3 == 2.0).all(-1))
    out3u = F.dropout3d(chainrule.ones(64, 2, 2, 2), 0.5).numpy().reshape(64, 8)  # unbatched (C, D, H, W)
    assert np.all((out3u == 0).all(-1) | (out3u == 2.0).all(-1)) and 0.3 < (out3u[:, 0] == 0).mean() < 0.7
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        out2 = F.dropout2d(chainrule.ones(16, 8, 5), 0.5).numpy()  # (N, C, L), as PyTorch
    assert np.all((out2 == 0).all(-1) | (out2 == 2.0).all(-1))


def test_alpha_dropout_keeps_mean_and_variance() -> None:
    x = chainrule.randn(200_000)
    out = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.02
    np.testing.assert_array_equal(nn.AlphaDropout(0.2).eval()(x).numpy(), x.numpy())


# --- fused linear vs composite ------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
def test_fused_linear_matches_composite(shape: tuple) -> None:
    rng = np.random.default_rng(0)
    xs = rng.standard_normal(shape)
    ws, bs = rng.standard_normal((3, 4)), rng.standard_normal(3)
    grads = []
    for fused in (True, False):
        x, w, b = (chainrule.tensor(a, requires_grad=True) for a in (xs, ws, bs))
        y = F.linear(x, w, b) if fused else chainrule.matmul(x, w.t()) + b
        (y * chainrule.tensor(np.arange(y.numel(), dtype=np.float64).reshape(y.shape))).sum().backward()
        grads.append([y.detach().numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy()])
    for a, c in zip(*grads):
        np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-12)


def test_linear_grads_only_where_needed() -> None:
    x = chainrule.randn(4, 3)
    layer = nn.Linear(3, 2)
    layer(x).sum().backward()  # x does not require grad: only weight and bias get gradients
    assert x.grad is None and layer.weight.grad is not None and layer.bias.grad is not None
    np.testing.assert_allclose(layer.bias.grad.numpy(), [4.0, 4.0])
    np.testing.assert_allclose(layer.weight.grad.numpy(), np.tile(x.numpy().sum(0), (2, 1)), rtol=1e-6)
