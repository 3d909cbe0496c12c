"""Convolution layers against PyTorch: forward/backward parity, gradcheck, repr, state_dict keys,
default initialization; the fused im2col convolution against a composite of plain ops; workspace
reuse never corrupting live outputs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn
import chainrule.nn.functional as F

from .layer_harness import check_layer, gradcheck_layer

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel:UserWarning")


def _x(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


LAYERS = [
    ("Conv2d", (1, 8, 3), {"padding": 1}, (4, 1, 8, 8)),
    ("Conv2d", (3, 4, (3, 2)), {"stride": 2, "padding": (1, 0), "bias": False}, (2, 3, 7, 6)),
    ("Conv2d", (4, 6, 3), {"groups": 2, "dilation": 2, "padding": 2}, (2, 4, 7, 7)),
    ("Conv2d", (3, 4, 2), {"padding": "same"}, (2, 3, 5, 6)),
    ("Conv2d", (3, 4, 3), {"padding": "valid", "stride": (1, 2)}, (2, 3, 6, 7)),
    ("Conv2d", (3, 4, 1), {}, (2, 3, 4, 4)),
    ("Conv2d", (3, 3, 3), {"groups": 3, "padding": 1}, (3, 6, 5)),  # unbatched, depthwise
    ("Conv2d", (2, 4, 3), {"padding": 1, "padding_mode": "reflect"}, (2, 2, 5, 6)),
    ("Conv2d", (2, 4, 3), {"padding": (2, 1), "padding_mode": "replicate"}, (2, 2, 5, 6)),
    ("Conv2d", (2, 4, 3), {"padding": 1, "padding_mode": "circular", "stride": 2}, (2, 2, 5, 6)),
    ("Conv2d", (2, 4, (2, 3)), {"padding": "same", "padding_mode": "reflect", "dilation": 2}, (2, 2, 6, 7)),
    ("Conv1d", (3, 4, 3), {}, (2, 3, 9)),
    ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 1, "groups": 2, "bias": False}, (2, 4, 9)),
    ("Conv1d", (3, 4, 4), {"padding": "same", "dilation": 2}, (3, 9)),
    ("Conv1d", (3, 4, 3), {"padding": 2, "padding_mode": "circular"}, (2, 3, 8)),
    ("ConvTranspose2d", (3, 4, 3), {}, (2, 3, 4, 5)),
    ("ConvTranspose2d", (3, 2, 3), {"stride": 2, "padding": 1, "output_padding": 1}, (2, 3, 4, 4)),
    ("ConvTranspose2d", (4, 6, (3, 2)), {"stride": (2, 1), "groups": 2, "dilation": (1, 2), "bias": False}, (2, 4, 3, 4)),
    ("ConvTranspose2d", (3, 2, 2), {"stride": 2}, (3, 4, 4)),  # unbatched
    ("ConvTranspose1d", (3, 4, 3), {"stride": 2, "output_padding": 1}, (2, 3, 5)),
    ("ConvTranspose1d", (4, 2, 3), {"groups": 2, "padding": 1}, (4, 6)),
]


def _make(cls: str, args: tuple, kwargs: dict) -> Any:
    return lambda lib: getattr(lib.nn, cls)(*args, **kwargs)


@pytest.mark.parametrize(("cls", "args", "kwargs", "shape"), LAYERS, ids=lambda v: str(v))
@pytest.mark.parametrize("train", [True, False])
def test_layer_matches_torch(cls: str, args: tuple, kwargs: dict, shape: tuple, train: bool) -> None:
    check_layer(_make(cls, args, kwargs), [_x(*shape)], train=train)


@pytest.mark.parametrize(("cls", "args", "kwargs", "shape"), LAYERS[::2], ids=lambda v: str(v))
def test_layer_float64_matches_torch(cls: str, args: tuple, kwargs: dict, shape: tuple) -> None:
    check_layer(_make(cls, args, kwargs), [_x(*shape)], dtype="float64", atol=1e-10, rtol=1e-9)


@pytest.mark.parametrize(("cls", "args", "kwargs", "shape"), LAYERS, ids=lambda v: str(v))
def test_layer_gradcheck(cls: str, args: tuple, kwargs: dict, shape: tuple) -> None:
    gradcheck_layer(_make(cls, args, kwargs), [_x(*shape)])


def test_conv_transpose_output_size_matches_torch() -> None:
    make = _make("ConvTranspose2d", (3, 2, 3), {"stride": 3, "padding": 1})
    x = _x(2, 3, 4, 4)
    for size in ([10, 10], [11, 12], (2, 2, 12, 10)):
        check_layer(make, [x], call=lambda layer, xs, size=size: layer(xs[0], output_size=size))
    with pytest.raises(ValueError, match="valid sizes"):
        nn.ConvTranspose2d(3, 2, 3, stride=3, padding=1)(chainrule.zeros(2, 3, 4, 4), output_size=[13, 10])


REPRS = [
    ("Conv2d", (1, 8, 3), {"padding": 1}),
    ("Conv2d", (1, 8, (3, 2)), {"padding": "same", "bias": False, "dilation": 2, "padding_mode": "reflect"}),
    ("Conv2d", (4, 8, 3), {"stride": 2, "groups": 4}),
    ("Conv2d", (4, 8, 3), {"padding": "valid", "padding_mode": "circular"}),
    ("Conv2d", (4, 8, [3, 5]), {"stride": [1, 2], "padding": [0, 1], "dilation": [2, 1]}),
    ("Conv1d", (2, 4, 3), {}),
    ("Conv1d", (2, 4, 3), {"padding": "same", "padding_mode": "replicate"}),
    ("ConvTranspose2d", (2, 4, 3), {"stride": 2, "output_padding": 1, "groups": 2}),
    ("ConvTranspose2d", (2, 4, 3), {"dilation": 2, "bias": False, "padding": (1, 0)}),
    ("ConvTranspose1d", (2, 4, 3), {"stride": 3, "output_padding": 2}),
]


@pytest.mark.parametrize(("cls", "args", "kwargs"), REPRS, ids=lambda v: str(v))
def test_repr_and_state_dict_match_torch(cls: str, args: tuple, kwargs: dict) -> None:
    ours, theirs = getattr(nn, cls)(*args, **kwargs), getattr(torch.nn, cls)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
    ]
    for attr in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "transposed",
                 "output_padding", "groups", "padding_mode", "_reversed_padding_repeated_twice"):  # fmt: skip
        assert getattr(ours, attr) == getattr(theirs, attr), attr


@pytest.mark.parametrize(("layer", "fan_in"), [
    (lambda: nn.Conv2d(64, 128, 3), 64 * 9),
    (lambda: nn.Conv1d(32, 256, 5, groups=4), 8 * 5),
    (lambda: nn.ConvTranspose2d(64, 96, 3, groups=2), 48 * 9),
])  # fmt: skip
def test_default_init_is_kaiming_uniform(layer: Any, fan_in: int) -> None:
    """weight, bias ~ U(−1/√fan_in, 1/√fan_in) (kaiming_uniform_ with a = √5), as PyTorch."""
    m = layer()
    bound = 1 / np.sqrt(fan_in)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert w.dtype == np.float32 and b.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.98 * bound
    np.testing.assert_allclose(w.std(), bound / np.sqrt(3), rtol=0.03)
    assert abs(w.mean()) < 0.02 * bound


def test_dtype_and_device_kwargs() -> None:
    m = nn.Conv2d(2, 3, 3, dtype=chainrule.float64, device="cpu")
    assert m.weight.dtype == chainrule.float64 and m.bias.dtype == chainrule.float64
    assert m(chainrule.zeros(1, 2, 4, 4, dtype=chainrule.float64)).dtype == chainrule.float64


def _conv2d_composite(x: Any, w: Any, b: Any, padding: int) -> Any:
    """Σ over kernel offsets of shifted slices times the kernel tap, from plain ops (pad, slice, matmul)."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    xp = F.pad(x, (padding, padding, padding, padding))
    ho, wo = h + 2 * padding - kh + 1, wd + 2 * padding - kw + 1
    out = b.reshape(1, o, 1, 1)
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i : i + ho, j : j + wo].permute(0, 2, 3, 1)  # n, ho, wo, c
            out = out + (patch @ w[:, :, i, j].T).permute(0, 3, 1, 2)
    return out


@pytest.mark.parametrize("shape", [(2, 3, 6, 5), (1, 1, 4, 4)])
def test_fused_conv2d_agrees_with_composite(shape: tuple) -> None:
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(shape), rng.standard_normal((4, shape[1], 3, 3)), rng.standard_normal(4)]
    results = []
    for fn in (lambda x, w, b: F.conv2d(x, w, b, padding=1), lambda x, w, b: _conv2d_composite(x, w, b, 1)):
        leaves = [chainrule.tensor(a, requires_grad=True) for a in arrays]
        out = fn(*leaves)
        (out * chainrule.tensor(np.arange(out.numel()).reshape(out.shape) % 7 - 3.0)).sum().backward()
        results.append([out.detach().numpy()] + [t.grad.numpy() for t in leaves])
    for ours, ref in zip(*results):
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kw", [{}, {"stride": 2, "padding": 1, "output_padding": 1}, {"groups": 2, "dilation": 2}])
def test_conv_transpose_is_adjoint_of_conv(kw: dict) -> None:
    """<conv2d(x, W), y> = <x, conv_transpose2d(y, W)>: the transposed convolution is the adjoint."""
    rng = np.random.default_rng(1)
    w = chainrule.tensor(rng.standard_normal((4, 2, 3, 3)))
    x = chainrule.tensor(rng.standard_normal((2, 2 * kw.get("groups", 1), 9, 8)))
    conv_kw = {k: v for k, v in kw.items() if k != "output_padding"}
    y_shape = tuple(F.conv2d(x, w, **conv_kw).shape)
    y = chainrule.tensor(rng.standard_normal(y_shape))
    lhs = (F.conv2d(x, w, **conv_kw) * y).sum().item()
    xt = F.conv_transpose2d(y, w, **kw)
    if tuple(xt.shape) != tuple(x.shape):  # output_padding adds rows the convolution never reads
        xt = xt[:, :, : x.shape[2], : x.shape[3]]
    rhs = (x * xt).sum().item()
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12)


def test_reused_workspaces_do_not_corrupt_live_tensors() -> None:
    """Outputs and gradients kept alive stay intact while later steps reuse the scratch buffers."""
    rng = np.random.default_rng(2)
    w = rng.standard_normal((8, 4, 3, 3)).astype(np.float32)
    keep = []
    for _ in range(4):
        x = rng.standard_normal((16, 4, 20, 20)).astype(np.float32)
        cx, cw = chainrule.tensor(x, requires_grad=True), chainrule.tensor(w, requires_grad=True)
        tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
        cy = F.max_pool2d(F.conv2d(cx, cw, padding=1), 2, padding=1)
        ty = torch.nn.functional.max_pool2d(torch.nn.functional.conv2d(tx, tw, padding=1), 2, padding=1)
        cy.sum().backward()
        ty.sum().backward()
        keep.append((cy, cx.grad, cw.grad, ty.detach(), tx.grad, tw.grad))
        for c_out, c_gx, c_gw, t_out, t_gx, t_gw in keep:
            np.testing.assert_allclose(c_out.detach().numpy(), t_out.numpy(), rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(c_gx.numpy(), t_gx.numpy(), rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(c_gw.numpy(), t_gw.numpy(), rtol=1e-4, atol=1e-3)


def test_small_cnn_trains_like_torch() -> None:
    """Two conv + pool blocks and a linear head: three SGD steps track PyTorch."""

    def make(lib: Any) -> Any:
        m = lib.nn
        return m.Sequential(
            m.Conv2d(1, 8, 3, padding=1), m.ReLU(), m.MaxPool2d(2),
            m.Conv2d(8, 16, 3, padding=1), m.ReLU(), m.MaxPool2d(2),
            m.Flatten(), m.Linear(16 * 7 * 7, 10),
        )  # fmt: skip

    torch.manual_seed(0)
    th = make(torch)
    cr = make(chainrule)
    cr.load_state_dict({k: v.detach().numpy().copy() for k, v in th.state_dict().items()})
    rng = np.random.default_rng(3)
    for _ in range(3):
        x = rng.standard_normal((8, 1, 28, 28)).astype(np.float32)
        target = rng.integers(0, 10, 8)
        losses = []
        for lib, model in ((torch, th), (chainrule, cr)):
            model.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(target))
            loss.backward()
            with lib.no_grad():
                for p in model.parameters():
                    p -= 0.1 * p.grad
            losses.append(loss.item())
        np.testing.assert_allclose(losses[1], losses[0], rtol=1e-4)
    for (name, p), tp in zip(cr.named_parameters(), th.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-4, atol=1e-5, err_msg=name)


@pytest.mark.parametrize("transposed", [False, True])
def test_kernel_nearly_as_large_as_the_image_matches_torch_in_little_memory(transposed: bool) -> None:
    """A weight gradient written as a convolution (input ⋆ output-gradient, kernel ≈ image): the patch matrix
    has one column per output position (here 2·5·5), not one per padded input position (2·48·48)."""
    import tracemalloc

    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 5, 5) if transposed else (2, 4, 48, 48)).astype(np.float32)
    w = rng.standard_normal((4, 3, 44, 44) if transposed else (3, 4, 44, 44)).astype(np.float32)
    cf, tf = (F.conv_transpose2d, torch.nn.functional.conv_transpose2d) if transposed else (
        F.conv2d, torch.nn.functional.conv2d)
    cx, cw = chainrule.tensor(x, requires_grad=True), chainrule.tensor(w, requires_grad=True)
    tracemalloc.start()
    try:
        y = cf(cx, cw)
        y.sum().backward()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    ty = tf(tx, tw)
    ty.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(cw.grad.numpy(), tw.grad.numpy(), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(cx.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-3)
    assert peak < 40e6, f"peak {peak / 1e6:.0f} MB: the patch matrix was built over every input position"
