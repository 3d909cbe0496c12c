"""Spatial layers of issue 15 against PyTorch: 3-d convolutions, padding layers, patch and shuffle layers.

Each layer: forward and backward parity (input and every parameter, weights copied through
state_dict), float64 gradcheck, and repr / state_dict keys equal to PyTorch's.
"""

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
    ("Conv3d", (2, 4, 3), {"padding": 1}, (2, 2, 4, 5, 4)),
    ("Conv3d", (4, 6, (2, 3, 1)), {"stride": (2, 1, 1), "groups": 2, "dilation": (1, 1, 2), "bias": False}, (2, 4, 5, 4, 5)),
    ("Conv3d", (2, 3, 2), {"padding": "same"}, (2, 3, 4, 3)),  # unbatched
    ("Conv3d", (2, 3, 3), {"padding": 1, "padding_mode": "reflect"}, (1, 2, 4, 4, 5)),
    ("Conv3d", (2, 3, 3), {"padding": (1, 0, 2), "padding_mode": "circular", "stride": 2}, (1, 2, 4, 5, 5)),
    ("Conv3d", (2, 3, 2), {"padding": 1, "padding_mode": "replicate"}, (1, 2, 3, 3, 4)),
    ("ConvTranspose3d", (3, 2, 3), {}, (2, 3, 3, 2, 3)),
    ("ConvTranspose3d", (4, 6, (2, 3, 2)), {"stride": 2, "padding": 1, "output_padding": (1, 0, 1), "groups": 2}, (2, 4, 3, 3, 2)),
    ("ConvTranspose3d", (2, 3, 2), {"dilation": 2, "bias": False}, (2, 3, 2, 3)),  # unbatched
    ("ZeroPad1d", ((2, 1),), {}, (2, 3, 5)),
    ("ZeroPad2d", (2,), {}, (2, 3, 4, 5)),
    ("ZeroPad3d", ((1, 0, 2, 1, 0, 3),), {}, (2, 2, 3, 4, 3)),
    ("ConstantPad1d", (3, 1.5), {}, (3, 4)),
    ("ConstantPad2d", ((1, -1, 2, 0), -2.0), {}, (2, 3, 4, 5)),
    ("ConstantPad3d", (1, 0.5), {}, (2, 2, 3, 3)),
    ("ReflectionPad1d", ((3, 1),), {}, (2, 3, 5)),
    ("ReflectionPad2d", (2,), {}, (3, 4, 5)),
    ("ReflectionPad3d", ((1, 2, 0, 1, 2, 1),), {}, (2, 2, 3, 4, 5)),
    ("ReplicationPad1d", (2,), {}, (2, 3, 4)),
    ("ReplicationPad2d", ((1, 3, 2, 0),), {}, (2, 3, 4, 4)),
    ("ReplicationPad3d", (1,), {}, (2, 3, 3, 4)),
    ("CircularPad1d", ((2, 3),), {}, (2, 3, 4)),
    ("CircularPad2d", (1,), {}, (2, 2, 3, 4)),
    ("CircularPad3d", ((1, 2, 1, 0, 2, 1),), {}, (1, 2, 3, 3, 4)),
    ("Unfold", ((2, 3),), {"dilation": (1, 2), "padding": 1, "stride": (2, 1)}, (2, 3, 7, 8)),
    ("Unfold", (3,), {}, (2, 5, 6)),
    ("Fold", ((5, 6), 2), {}, (2, 12, 20)),
    ("Fold", (6, 3), {"padding": 1, "stride": 2}, (18, 9)),
    ("PixelShuffle", (2,), {}, (2, 8, 3, 4)),
    ("PixelUnshuffle", (3,), {}, (2, 2, 6, 9)),
    ("ChannelShuffle", (2,), {}, (2, 6, 3, 3)),
    ("Upsample", (), {"scale_factor": 2}, (2, 3, 4, 5)),
    ("Upsample", (), {"size": (7, 3), "mode": "bilinear"}, (2, 3, 4, 5)),
    ("Upsample", (), {"scale_factor": (1.5, 2.0), "mode": "bicubic", "align_corners": True}, (1, 2, 4, 5)),
    ("Upsample", (), {"scale_factor": 1.7, "mode": "linear", "recompute_scale_factor": True}, (2, 3, 6)),
    ("Upsample", (), {"size": (3, 5, 4), "mode": "trilinear"}, (1, 2, 2, 3, 4)),
    ("Upsample", (), {"scale_factor": 0.5, "mode": "area"}, (1, 2, 6, 5, 4)),
    ("Upsample", (), {"size": 9, "mode": "nearest-exact"}, (2, 3, 5)),
    ("UpsamplingNearest2d", (), {"scale_factor": 3}, (2, 2, 3, 4)),
    ("UpsamplingBilinear2d", ((5, 7),), {}, (2, 2, 3, 4)),
    ("MaxPool3d", (2,), {}, (2, 3, 4, 4, 6)),
    ("MaxPool3d", ((3, 2, 3), (2, 1, 2), (1, 0, 1)), {"dilation": (1, 2, 1), "ceil_mode": True}, (2, 2, 5, 6, 7)),
    ("MaxPool3d", (3,), {"stride": 2, "padding": 1, "return_indices": True}, (2, 5, 5, 4)),
    ("AvgPool3d", (2,), {}, (2, 3, 4, 4, 6)),
    ("AvgPool3d", (3, 2, 1), {"ceil_mode": True, "count_include_pad": False}, (2, 2, 5, 6, 7)),
    ("AvgPool3d", ((2, 3, 2),), {"divisor_override": 7}, (2, 4, 6, 5)),
    ("AdaptiveAvgPool3d", ((2, 3, None),), {}, (2, 3, 5, 7, 4)),
    ("AdaptiveAvgPool3d", (3,), {}, (2, 4, 5, 7)),
    ("AdaptiveMaxPool3d", ((2, 4, 3),), {}, (2, 3, 5, 7, 6)),
    ("AdaptiveMaxPool3d", (2,), {"return_indices": True}, (2, 4, 4, 6)),
    ("LPPool1d", (2, 3), {"stride": 2}, (2, 3, 9)),
    ("LPPool2d", (2, (2, 3)), {}, (2, 3, 6, 6)),
    ("LPPool2d", (float("inf"), 2), {"ceil_mode": True}, (2, 3, 5, 5)),
    ("LPPool3d", (2, 2), {"stride": 1}, (1, 2, 3, 4, 4)),
    ("LocalResponseNorm", (3,), {}, (2, 6, 4, 5)),
    ("LocalResponseNorm", (2,), {"alpha": 0.1, "beta": 0.5, "k": 2.0}, (2, 5, 7)),
]


def make(cls: str, args: tuple, kwargs: dict) -> Any:
    """A factory building layer ``cls`` from ``lib`` (chainrule or torch)."""
    return lambda lib: getattr(lib.nn, cls)(*args, **kwargs)


@pytest.mark.parametrize(("cls", "args", "kwargs", "shape"), LAYERS, ids=lambda v: str(v))
def test_layer_matches_torch(cls: str, args: tuple, kwargs: dict, shape: tuple) -> None:
    check_layer(make(cls, args, kwargs), [_x(*shape)])


@pytest.mark.parametrize(("cls", "args", "kwargs", "shape"), LAYERS, ids=lambda v: str(v))
def test_layer_gradcheck(cls: str, args: tuple, kwargs: dict, shape: tuple) -> None:
    gradcheck_layer(make(cls, args, kwargs), [_x(*shape)])


@pytest.mark.parametrize(("cls", "args", "kwargs", "shape"), LAYERS, ids=lambda v: str(v))
def test_repr_and_state_dict_match_torch(cls: str, args: tuple, kwargs: dict, shape: tuple) -> None:
    ours, theirs = getattr(nn, cls)(*args, **kwargs), getattr(torch.nn, cls)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
    ]


@pytest.mark.parametrize(("nd", "shape", "kw"), [
    (1, (2, 3, 8), {}), (2, (2, 3, 6, 8), {"stride": 2}), (2, (3, 5, 7), {"stride": 2, "padding": 1}),
    (3, (1, 2, 4, 6, 4), {}), (3, (2, 5, 5, 5), {"stride": 2, "padding": 1}),
])  # fmt: skip
def test_max_unpool_layers_match_torch(nd: int, shape: tuple, kw: dict) -> None:
    """MaxPoolNd(return_indices=True) followed by MaxUnpoolNd(output_size=input size); the gradient of a
    value written to one place twice goes to both sources, as PyTorch's gather backward does."""
    k = 3 if kw.get("padding") else 2

    def build(lib: Any) -> Any:
        pool = getattr(lib.nn, f"MaxPool{nd}d")(k, return_indices=True, **kw)
        unpool = getattr(lib.nn, f"MaxUnpool{nd}d")(k, **kw)
        return lib.nn.ModuleList([pool, unpool])

    def call(layers: Any, xs: Any) -> Any:
        y, idx = layers[0](xs[0])
        return layers[1](y, idx, output_size=xs[0].shape[-nd:])

    check_layer(build, [_x(*shape)], call=call)
    if "stride" not in kw:  # overlapping windows can pick one input twice: unpooling then writes it twice
        gradcheck_layer(build, [_x(*shape)], call=call)


@pytest.mark.parametrize("kwargs", [
    {}, {"mode": "sum"}, {"mode": "max"}, {"mode": "mean", "padding_idx": 2},
    {"mode": "sum", "include_last_offset": True}, {"mode": "max", "padding_idx": -1, "max_norm": 1.0},
])  # fmt: skip
def test_embedding_bag_matches_torch(kwargs: dict) -> None:
    rng = np.random.default_rng(0)
    idx = rng.integers(0, 8, 11)
    idx[:3] = [2, 7, 2]
    off = np.array([0, 2, 2, 6, 11] if kwargs.get("include_last_offset") else [0, 2, 2, 6])
    make_bag = make("EmbeddingBag", (8, 3), kwargs)
    check_layer(make_bag, [idx, off])
    check_layer(make_bag, [idx.reshape(1, -1)[:, :10].reshape(2, 5)], seed=1)
    if "max_norm" not in kwargs:  # max_norm rescales the weight in place, outside the graph
        gradcheck_layer(make_bag, [idx, off])
    ours, theirs = nn.EmbeddingBag(8, 3, **kwargs), torch.nn.EmbeddingBag(8, 3, **kwargs)
    assert repr(ours) == repr(theirs) and list(ours.state_dict()) == list(theirs.state_dict())
    if "padding_idx" in kwargs:
        assert not ours.weight.detach().numpy()[kwargs["padding_idx"]].any()


def test_embedding_bag_per_sample_weights_and_from_pretrained() -> None:
    rng = np.random.default_rng(2)
    idx, off, psw = rng.integers(0, 6, 9), np.array([0, 4, 4]), rng.standard_normal(9)
    check_layer(make("EmbeddingBag", (6, 3), {"mode": "sum"}), [idx, off, psw],
                call=lambda layer, xs: layer(xs[0], xs[1], per_sample_weights=xs[2]))  # fmt: skip
    w = rng.standard_normal((6, 3)).astype(np.float32)
    bag = nn.EmbeddingBag.from_pretrained(chainrule.tensor(w), mode="max")
    ref = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), mode="max")
    assert not bag.weight.requires_grad
    np.testing.assert_allclose(bag(chainrule.tensor(idx), chainrule.tensor(off)).numpy(),
                               ref(torch.tensor(idx), torch.tensor(off)).numpy(), rtol=1e-6)  # fmt: skip


def test_embedding_bag_scale_grad_by_freq_divides_by_index_count() -> None:
    """Each index's gradient is divided by its count in the batch: the same as F.embedding's
    scale_grad_by_freq followed by a per-bag sum (PyTorch's own embedding_bag CPU backward
    divides some rows by another index's count, so the composite is the oracle here)."""
    rng = np.random.default_rng(3)
    idx = np.array([3, 1, 2, 2, 4, 4, 4, 1])
    w = rng.standard_normal((5, 2))
    e = rng.standard_normal((2, 2))
    ours = chainrule.tensor(w, requires_grad=True)
    (F.embedding_bag(chainrule.tensor(idx), ours, chainrule.tensor([0, 3]), mode="sum", scale_grad_by_freq=True)
     * chainrule.tensor(e)).sum().backward()  # fmt: skip
    ref = torch.tensor(w, requires_grad=True)
    rows = torch.nn.functional.embedding(torch.tensor(idx), ref, scale_grad_by_freq=True)
    (torch.stack([rows[:3].sum(0), rows[3:].sum(0)]) * torch.tensor(e)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), ref.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize(("nd", "mode", "padding_mode"), [
    (2, "bilinear", "zeros"), (2, "bilinear", "reflection"), (2, "nearest", "border"), (3, "bilinear", "border"),
])  # fmt: skip
def test_spatial_transformer_matches_torch(nd: int, mode: str, padding_mode: str) -> None:
    """affine_grid -> grid_sample, gradients to the image and to θ (a spatial transformer network's step)."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 5, 6) if nd == 2 else (2, 2, 4, 5, 3))
    theta = (np.eye(nd, nd + 1) + 0.3 * rng.standard_normal((2, nd, nd + 1)))
    size = x.shape[:2] + ((4, 7) if nd == 2 else (3, 4, 2))
    out, grads = [], []
    for lib in (chainrule, torch):
        xt, tt = lib.tensor(x, requires_grad=True), lib.tensor(theta, requires_grad=True)
        grid = lib.nn.functional.affine_grid(tt, size, align_corners=False)
        y = lib.nn.functional.grid_sample(xt, grid, mode=mode, padding_mode=padding_mode, align_corners=False)
        (y * lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))).sum().backward()
        out.append(y.detach().numpy())
        grads.append((xt.grad.numpy(), tt.grad.numpy()))
    np.testing.assert_allclose(out[0], out[1], rtol=1e-10, atol=1e-12)
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)


def test_grid_sample_warns_without_align_corners() -> None:
    with pytest.warns(UserWarning, match="align_corners=False"):
        F.grid_sample(chainrule.zeros(1, 1, 2, 2), chainrule.zeros(1, 1, 1, 2))


def test_conv3d_default_init_bounds() -> None:
    """weight, bias ~ U(−1/√fan_in, 1/√fan_in) as PyTorch (fan_in = in/groups · ∏kernel)."""
    m = nn.Conv3d(8, 16, 3, groups=2)
    bound = 1 / np.sqrt(4 * 27)
    w = m.weight.detach().numpy()
    assert w.shape == (16, 4, 3, 3, 3) and np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(m.bias.detach().numpy()).max() <= bound


def test_conv_transpose3d_output_size() -> None:
    check_layer(make("ConvTranspose3d", (2, 3, 3), {"stride": 2, "padding": 1}), [_x(1, 2, 3, 3, 3)],
                call=lambda layer, xs: layer(xs[0], output_size=[6, 5, 6]))  # fmt: skip


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda: F.conv3d(chainrule.zeros(1, 2, 3, 3), chainrule.zeros(3, 2, 2, 2, 2)), RuntimeError, "conv3d"),
    (lambda: F.conv3d(chainrule.zeros(1, 3, 3, 3, 3), chainrule.zeros(3, 2, 2, 2, 2)), RuntimeError, "channels"),
    (lambda: F.unfold(chainrule.zeros(2, 3), 2), NotImplementedError, "3D or 4D"),
    (lambda: F.fold(chainrule.zeros(1, 8, 5), (4, 4), 2), RuntimeError, "sliding blocks"),
    (lambda: F.pixel_shuffle(chainrule.zeros(1, 6, 2, 2), 2), RuntimeError, "divisible"),
    (lambda: F.channel_shuffle(chainrule.zeros(1, 5, 2, 2), 2), RuntimeError, "divisible by groups"),
    (lambda: nn.ReflectionPad2d((1, 2, 3)), ValueError, "4"),
    (lambda: F.interpolate(chainrule.zeros(1, 2, 3, 3), size=4, scale_factor=2), ValueError, "only one of size"),
    (lambda: F.interpolate(chainrule.zeros(1, 2, 3, 3)), ValueError, "either size or scale_factor"),
    (lambda: F.interpolate(chainrule.zeros(1, 2, 3, 3), size=4, align_corners=True), ValueError, "align_corners"),
    (lambda: F.interpolate(chainrule.zeros(1, 2, 3), size=4, mode="bilinear"), NotImplementedError, "needs 4D"),
    (lambda: F.interpolate(chainrule.zeros(1, 2, 3, 3), size=(4, 4, 4)), ValueError, "spatial dimensions"),
    (lambda: F.interpolate(chainrule.zeros(1, 2, 3), size=2, mode="linear", antialias=True), ValueError, "Anti-alias"),
    (lambda: F.interpolate(chainrule.zeros(1, 2, 3, 3), size=4, recompute_scale_factor=True), ValueError, "not meaningful"),
    (lambda: F.max_pool3d(chainrule.zeros(2, 3, 3), 2), RuntimeError, "4D .unbatched. or 5D"),
    (lambda: F.embedding_bag(chainrule.tensor([1, 2]), chainrule.zeros(3, 2)), ValueError, "offsets has to be"),
    (lambda: F.embedding_bag(chainrule.tensor([[1, 2]]), chainrule.zeros(3, 2), chainrule.tensor([0])), ValueError, "offsets has to be None"),
    (lambda: F.embedding_bag(chainrule.tensor([1, 2]), chainrule.zeros(3, 2), chainrule.tensor([0]), mode="x"), ValueError, "mode has to be"),
    (lambda: F.embedding_bag(chainrule.tensor([1, 5]), chainrule.zeros(3, 2), chainrule.tensor([0])), IndexError, "out of range"),
    (lambda: F.embedding_bag(chainrule.tensor([1, 2]), chainrule.zeros(3, 2), chainrule.tensor([0]), per_sample_weights=chainrule.ones(2)), NotImplementedError, "only supported for mode='sum'"),
    (lambda: F.local_response_norm(chainrule.zeros(2, 3), 2), ValueError, "3D or higher"),
    (lambda: F.grid_sample(chainrule.zeros(1, 1, 2, 2), chainrule.zeros(1, 1, 1, 3), align_corners=False), RuntimeError, "last dimension"),
    (lambda: F.grid_sample(chainrule.zeros(1, 1, 2, 2), chainrule.zeros(1, 1, 1, 2), mode="cubic"), ValueError, "expected mode"),
    (lambda: F.grid_sample(chainrule.zeros(1, 1, 2, 2), chainrule.zeros(1, 1, 1, 2), padding_mode="wrap"), ValueError, "padding_mode"),
    (lambda: F.affine_grid(chainrule.zeros(1, 3, 4), (1, 1, 2, 2), align_corners=False), ValueError, "Nx2x3"),
    (lambda: F.avg_pool3d(chainrule.zeros(1, 2, 4, 4, 4), 2, padding=2), RuntimeError, "half of effective kernel"),
    (lambda: F.max_unpool2d(chainrule.zeros(1, 1, 2, 2), chainrule.tensor([[[[0, 1], [2, 99]]]]), 2), RuntimeError, "invalid max index"),
    (lambda: F.max_unpool2d(chainrule.zeros(1, 1, 2, 2), chainrule.zeros(1, 1, 2, 2, dtype=chainrule.int64), 2, output_size=(9, 9)), ValueError, "invalid output_size"),
])  # fmt: skip
def test_bad_input_errors(call: Any, exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        call()
