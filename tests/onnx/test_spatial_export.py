"""Export of the spatial layers (3-d conv/pool, Resize, DepthToSpace, padding modes, unfold/fold, LRN,
LP pooling, grid_sample, affine_grid, embedding_bag): onnx.checker passes and onnxruntime equals
chainrule at two batch sizes."""

from __future__ import annotations

from typing import Any

import pytest

import chainrule as cr
from chainrule import nn
from chainrule.onnx import UnsupportedOperatorError

from .harness import Fn, check_export, randn

F = nn.functional

LAYERS: list[tuple[str, Any, Any]] = [
    ("Conv3d", lambda: nn.Conv3d(2, 3, 3, padding=1), randn(2, 4, 4, 4)),
    ("Conv3d-options", lambda: nn.Conv3d(4, 2, (2, 3, 2), stride=(1, 2, 1), dilation=(2, 1, 1), groups=2, padding=1),
     randn(4, 5, 5, 5)),
    ("Conv3d-unbatched-same", lambda: nn.Conv3d(2, 3, 3, padding="same"), lambda b: cr.randn(2, 4, 4, 3)),
    ("ConvTranspose3d", lambda: nn.ConvTranspose3d(2, 3, 3, stride=2), randn(2, 3, 3, 3)),
    ("ConvTranspose3d-options", lambda: nn.ConvTranspose3d(4, 2, (2, 3, 2), stride=2, padding=1, output_padding=1,
                                                           groups=2), randn(4, 3, 3, 3)),
    ("MaxPool3d", lambda: nn.MaxPool3d(2), randn(2, 4, 4, 4)),
    ("MaxPool3d-ceil", lambda: nn.MaxPool3d(3, stride=2, padding=1, ceil_mode=True), randn(2, 5, 6, 5)),
    ("AvgPool3d", lambda: nn.AvgPool3d(2), randn(2, 4, 4, 4)),
    ("AvgPool3d-pad", lambda: nn.AvgPool3d(3, stride=2, padding=1, count_include_pad=False), randn(2, 5, 6, 5)),
    ("AdaptiveAvgPool3d", lambda: nn.AdaptiveAvgPool3d((2, 1, 2)), randn(2, 4, 3, 4)),
    ("AdaptiveMaxPool3d-global", lambda: nn.AdaptiveMaxPool3d(1), randn(2, 3, 4, 4)),
    ("Upsample-nearest", lambda: nn.Upsample(scale_factor=2), randn(2, 4, 4)),
    ("Upsample-nearest-frac", lambda: nn.Upsample(scale_factor=(2.3, 0.6)), randn(2, 3, 5)),
    ("Upsample-nearest-1d", lambda: nn.Upsample(scale_factor=1.7), randn(2, 5)),
    ("Upsample-nearest-3d", lambda: nn.Upsample(scale_factor=(2.3, 0.6, 1.5)), randn(2, 3, 5, 4)),
    ("Upsample-nearest-exact", lambda: nn.Upsample(size=(7, 3), mode="nearest-exact"), randn(2, 4, 5)),
    ("Upsample-linear", lambda: nn.Upsample(scale_factor=0.6, mode="linear"), randn(2, 9)),
    ("Upsample-bilinear", lambda: nn.Upsample(scale_factor=2, mode="bilinear"), randn(2, 4, 5)),
    ("Upsample-bilinear-size", lambda: nn.Upsample(size=(7, 3), mode="bilinear"), randn(2, 4, 5)),
    ("Upsample-bilinear-align", lambda: nn.Upsample(scale_factor=1.5, mode="bilinear", align_corners=True),
     randn(2, 4, 5)),
    ("Upsample-bicubic", lambda: nn.Upsample(scale_factor=2, mode="bicubic"), randn(2, 4, 5)),
    ("Upsample-bicubic-align", lambda: nn.Upsample(size=(7, 9), mode="bicubic", align_corners=True), randn(2, 4, 5)),
    ("Upsample-trilinear", lambda: nn.Upsample(size=(5, 3, 7), mode="trilinear"), randn(2, 3, 4, 5)),
    ("Upsample-area", lambda: nn.Upsample(scale_factor=0.5, mode="area"), randn(2, 4, 6)),
    ("UpsamplingBilinear2d", lambda: nn.UpsamplingBilinear2d(scale_factor=2), randn(2, 3, 4)),
    ("UpsamplingNearest2d", lambda: nn.UpsamplingNearest2d(size=(5, 7)), randn(2, 3, 4)),
    ("PixelShuffle", lambda: nn.PixelShuffle(2), randn(8, 3, 3)),
    ("PixelShuffle-unbatched", lambda: nn.PixelShuffle(3), lambda b: cr.randn(9 * b, 2, 3)),
    ("PixelUnshuffle", lambda: nn.PixelUnshuffle(2), randn(2, 4, 6)),
    ("ChannelShuffle", lambda: nn.ChannelShuffle(2), randn(4, 3, 3)),
    ("Unfold", lambda: nn.Unfold(2), randn(2, 4, 4)),
    ("Unfold-options", lambda: nn.Unfold((2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), randn(3, 7, 8)),
    ("Fold", lambda: nn.Fold((5, 6), 2, padding=1, stride=2), randn(12, 12)),
    ("ZeroPad3d", lambda: nn.ZeroPad3d(1), randn(2, 3, 3, 3)),
    ("ConstantPad1d", lambda: nn.ConstantPad1d((2, 1), 0.5), randn(2, 3)),
    ("ReflectionPad1d", lambda: nn.ReflectionPad1d(2), randn(2, 5)),
    ("ReflectionPad3d", lambda: nn.ReflectionPad3d((1, 2, 0, 1, 2, 1)), randn(2, 3, 4, 5)),
    ("ReplicationPad2d", lambda: nn.ReplicationPad2d((1, 3, 2, 0)), randn(2, 3, 3)),
    ("ReplicationPad3d", lambda: nn.ReplicationPad3d(1), randn(2, 3, 3, 3)),
    ("LocalResponseNorm", lambda: nn.LocalResponseNorm(3), randn(4, 3, 3)),
    ("LocalResponseNorm-3d", lambda: nn.LocalResponseNorm(5, alpha=0.1, beta=0.5, k=2.0), randn(6, 7)),
    ("LocalResponseNorm-5d", lambda: nn.LocalResponseNorm(3), randn(5, 2, 3, 2)),
    ("LPPool1d", lambda: nn.LPPool1d(2, 3, stride=2), randn(2, 9)),
    ("LPPool2d", lambda: nn.LPPool2d(2, 2), randn(2, 4, 4)),
    ("LPPool2d-inf", lambda: nn.LPPool2d(float("inf"), 2), randn(2, 4, 4)),
    ("LPPool3d", lambda: nn.LPPool3d(4, 2), randn(2, 4, 4, 4)),
    ("EmbeddingBag-max", lambda: nn.EmbeddingBag(10, 4, mode="max"), lambda b: cr.randint(0, 10, (b, 5))),
    ("EmbeddingBag-mean", lambda: nn.EmbeddingBag(10, 4), lambda b: cr.randint(0, 10, (b, 3))),
]  # fmt: skip


@pytest.mark.parametrize(("name", "make", "inputs"), LAYERS, ids=[c[0] for c in LAYERS])
def test_layer(name: str, make: Any, inputs: Any) -> None:
    check_export(make(), inputs)


@pytest.mark.parametrize("layer", [nn.CircularPad1d(2), nn.CircularPad2d(1), nn.CircularPad3d((1, 0, 2, 1, 0, 1))],
                         ids=lambda m: type(m).__name__)  # fmt: skip
def test_circular_padding_at_opset_19(layer: nn.Module) -> None:
    nd = int(type(layer).__name__[-2])
    check_export(layer, randn(2, *(4,) * nd), opset_version=19)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("size", [(4, 5), (11, 4)])
def test_antialiased_resize_at_opset_18(mode: str, size: tuple) -> None:
    model = Fn(lambda x: F.interpolate(x, size=size, mode=mode, antialias=True))
    check_export(model, lambda b: cr.randn(b, 2, 9, 16), opset_version=18)


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("opset", [17, 20])
def test_grid_sample(mode: str, padding_mode: str, align_corners: bool, opset: int) -> None:
    model = Fn(lambda x, grid: F.grid_sample(x, grid, mode=mode, padding_mode=padding_mode, align_corners=align_corners))
    check_export(model, lambda b: (cr.randn(b, 3, 5, 6), cr.rand(b, 4, 7, 2) * 2.6 - 1.3), opset_version=opset)


@pytest.mark.parametrize("align_corners", [False, True])
def test_spatial_transformer(align_corners: bool) -> None:
    """affine_grid (a MatMul with the constant base grid) feeding grid_sample, θ a graph input."""
    def stn(x: cr.Tensor, theta: cr.Tensor) -> cr.Tensor:
        grid = F.affine_grid(theta, (x.shape[0], 3, 4, 7), align_corners=align_corners)
        return F.grid_sample(x, grid, align_corners=align_corners)

    check_export(Fn(stn), lambda b: (cr.randn(b, 3, 5, 6), cr.randn(b, 2, 3) * 0.3 + cr.eye(2, 3)))


@pytest.mark.parametrize(("model", "args", "match"), [
    (nn.LocalResponseNorm(2), (cr.randn(2, 4, 3),), "even size"),
    (nn.LPPool2d(3, 2), (cr.randn(2, 3, 4, 4),), "norm_type=3"),
    (nn.LPPool2d(2, 2, ceil_mode=True), (cr.randn(2, 3, 5, 5),), "ceil_mode"),
    (nn.AdaptiveAvgPool3d(2), (cr.randn(2, 3, 5, 4, 4),), "multiple"),
    (nn.MaxPool3d(2, return_indices=True), (cr.randn(2, 3, 4, 4, 4),), "return_indices"),
    (nn.Upsample(scale_factor=0.6, mode="area"), (cr.randn(2, 3, 5, 5),), "multiple"),
    (Fn(lambda x: F.interpolate(x, size=3, mode="bilinear", antialias=True)), (cr.randn(1, 2, 6, 6),), "opset 17"),
    (Fn(lambda i, o: F.embedding_bag(i, cr.randn(5, 2), o)), (cr.tensor([1, 2, 3]), cr.tensor([0, 2])), "offsets"),
])  # fmt: skip
def test_unsupported_raise_clearly(model: Any, args: tuple, match: str) -> None:
    import io

    with pytest.raises(UnsupportedOperatorError, match=match):
        cr.onnx.export(model, args, io.BytesIO())
