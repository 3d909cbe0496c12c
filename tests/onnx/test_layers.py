"""Every exportable layer: onnx.checker passes and onnxruntime equals chainrule at two batch sizes."""

from __future__ import annotations

from typing import Any

import pytest

import chainrule as cr
from chainrule import nn

from .harness import Fn, check_export, randn

ACTIVATIONS = [
    nn.ReLU(), nn.ReLU6(), nn.LeakyReLU(0.2), nn.ELU(0.7), nn.SELU(), nn.CELU(1.3), nn.GELU(),
    nn.GELU(approximate="tanh"), nn.SiLU(), nn.Mish(), nn.Tanh(), nn.Sigmoid(), nn.Hardtanh(-0.5, 0.8),
    nn.Hardsigmoid(), nn.Hardswish(), nn.Softplus(), nn.Softplus(beta=2.0, threshold=1.0), nn.Softsign(),
    nn.LogSigmoid(), nn.Tanhshrink(), nn.Softshrink(0.3), nn.Hardshrink(0.3), nn.Threshold(0.1, -2.0),
    nn.Softmax(dim=1), nn.LogSoftmax(dim=-1), nn.Softmin(dim=1), nn.GLU(), nn.RReLU(), nn.Identity(),
]  # fmt: skip


@pytest.mark.parametrize("layer", ACTIVATIONS, ids=lambda m: type(m).__name__)
def test_activation(layer: nn.Module) -> None:
    check_export(layer, lambda b: cr.randn(b, 6) * 3)


def _bn_with_stats(bn: nn.Module, shape: tuple[int, ...]) -> nn.Module:
    bn.train()
    for _ in range(3):
        bn(cr.randn(4, *shape) * 2 + 1)
    with cr.no_grad():
        if bn.weight is not None:
            bn.weight.copy_(cr.rand(*bn.weight.shape) + 0.5)
            bn.bias.copy_(cr.randn(*bn.bias.shape))
    return bn


LAYERS: list[tuple[str, Any, Any]] = [
    ("Linear", lambda: nn.Linear(4, 3), randn(4)),
    ("Linear-3d-nobias", lambda: nn.Linear(4, 3, bias=False), randn(5, 4)),
    ("Bilinear-free-PReLU", lambda: nn.PReLU(3), randn(3, 4)),
    ("PReLU-shared", lambda: nn.PReLU(), randn(3, 4)),
    ("Softmax2d", lambda: nn.Softmax2d(), randn(3, 4, 4)),
    ("Conv1d", lambda: nn.Conv1d(3, 4, 3, padding=1), randn(3, 10)),
    ("Conv1d-strided", lambda: nn.Conv1d(2, 4, 3, stride=2, dilation=2, bias=False), randn(2, 12)),
    ("Conv2d", lambda: nn.Conv2d(3, 4, 3, padding=1), randn(3, 6, 6)),
    ("Conv2d-groups", lambda: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), groups=2), randn(4, 7, 6)),
    ("Conv2d-same", lambda: nn.Conv2d(2, 3, 4, padding="same"), randn(2, 6, 5)),
    ("Conv2d-reflect", lambda: nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), randn(2, 5, 5)),
    ("ConvTranspose1d", lambda: nn.ConvTranspose1d(3, 2, 3, stride=2), randn(3, 5)),
    (
        "ConvTranspose2d",
        lambda: nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1),
        randn(3, 4, 4),
    ),
    ("ConvTranspose2d-groups", lambda: nn.ConvTranspose2d(4, 4, 2, stride=2, groups=2), randn(4, 3, 3)),
    ("MaxPool1d", lambda: nn.MaxPool1d(2), randn(3, 8)),
    ("MaxPool2d", lambda: nn.MaxPool2d(2), randn(3, 6, 6)),
    ("MaxPool2d-pad", lambda: nn.MaxPool2d(3, stride=2, padding=1), randn(2, 7, 7)),
    ("MaxPool2d-ceil", lambda: nn.MaxPool2d(2, ceil_mode=True), randn(2, 5, 5)),
    ("AvgPool2d-ceil", lambda: nn.AvgPool2d(2, ceil_mode=True), randn(2, 5, 5)),
    ("MaxPool2d-dilation", lambda: nn.MaxPool2d(2, stride=1, dilation=2), randn(2, 5, 5)),
    ("AvgPool1d", lambda: nn.AvgPool1d(3, stride=2), randn(2, 9)),
    ("AvgPool2d", lambda: nn.AvgPool2d(2), randn(3, 6, 6)),
    ("AvgPool2d-pad", lambda: nn.AvgPool2d(3, 1, 1, count_include_pad=False), randn(2, 5, 5)),
    ("AdaptiveAvgPool2d-1", lambda: nn.AdaptiveAvgPool2d(1), randn(3, 5, 5)),
    ("AdaptiveAvgPool2d-2", lambda: nn.AdaptiveAvgPool2d((2, 3)), randn(3, 4, 6)),
    ("AdaptiveAvgPool1d", lambda: nn.AdaptiveAvgPool1d(1), randn(3, 5)),
    ("AdaptiveMaxPool2d", lambda: nn.AdaptiveMaxPool2d(1), randn(3, 5, 5)),
    ("BatchNorm1d", lambda: _bn_with_stats(nn.BatchNorm1d(4), (4,)), randn(4)),
    ("BatchNorm1d-3d", lambda: _bn_with_stats(nn.BatchNorm1d(4), (4, 5)), randn(4, 5)),
    ("BatchNorm2d", lambda: _bn_with_stats(nn.BatchNorm2d(3), (3, 4, 4)), randn(3, 4, 4)),
    (
        "BatchNorm2d-noaffine",
        lambda: _bn_with_stats(nn.BatchNorm2d(3, affine=False), (3, 4, 4)),
        randn(3, 4, 4),
    ),
    ("BatchNorm1d-batch-stats", lambda: nn.BatchNorm1d(4, track_running_stats=False), randn(4, 3)),
    (
        "InstanceNorm1d-running",
        lambda: _bn_with_stats(nn.InstanceNorm1d(4, track_running_stats=True), (4, 5)),
        randn(4, 5),
    ),
    ("LayerNorm", lambda: nn.LayerNorm(6), randn(6)),
    ("LayerNorm-noaffine", lambda: nn.LayerNorm(6, elementwise_affine=False), randn(6)),
    ("LayerNorm-2d", lambda: nn.LayerNorm((3, 4)), randn(5, 3, 4)),
    ("LayerNorm-nobias", lambda: nn.LayerNorm(6, bias=False), randn(2, 6)),
    ("RMSNorm", lambda: nn.RMSNorm(6), randn(3, 6)),
    ("RMSNorm-eps", lambda: nn.RMSNorm((2, 3), eps=1e-3), randn(2, 3)),
    ("GroupNorm", lambda: nn.GroupNorm(2, 4), randn(4, 3, 3)),
    ("GroupNorm-1d", lambda: nn.GroupNorm(3, 6, affine=False), randn(6, 5)),
    ("InstanceNorm2d", lambda: nn.InstanceNorm2d(3, affine=True), randn(3, 4, 4)),
    ("Dropout", lambda: nn.Dropout(0.5), randn(6)),
    ("Dropout2d", lambda: nn.Dropout2d(0.5), randn(3, 4, 4)),
    ("Flatten", lambda: nn.Flatten(), randn(3, 4, 2)),
    ("Flatten-middle", lambda: nn.Flatten(1, 2), randn(3, 4, 2)),
    ("Unflatten", lambda: nn.Unflatten(1, (2, 3)), randn(6)),
    ("Embedding", lambda: nn.Embedding(10, 4), lambda b: cr.randint(0, 10, (b, 5))),
    ("Embedding-padding", lambda: nn.Embedding(10, 4, padding_idx=0), lambda b: cr.randint(0, 10, (b,))),
]


@pytest.mark.parametrize(("name", "make", "inputs"), LAYERS, ids=[c[0] for c in LAYERS])
def test_layer(name: str, make: Any, inputs: Any) -> None:
    check_export(make(), inputs)


def test_unbatched_conv_with_a_dynamic_height() -> None:
    axes = {"input": {1: "height"}, "output": {1: "height"}}
    proto = check_export(nn.Conv2d(2, 3, 3), lambda h: cr.randn(2, h + 3, 5), dynamic_axes=axes)
    assert proto.graph.input[0].type.tensor_type.shape.dim[1].dim_param == "height"


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("need_weights", [True, False])
def test_multihead_attention(batch_first: bool, need_weights: bool) -> None:
    mha = nn.MultiheadAttention(8, 2, batch_first=batch_first)
    with cr.no_grad():
        mha.in_proj_bias.copy_(cr.randn(24) * 0.1)
    axis = 0 if batch_first else 1
    shape = (lambda b: (b, 5, 8)) if batch_first else (lambda b: (5, b, 8))
    names = ("input", "output_0", "output_1") if need_weights else ("input", "output")
    axes = {n: {axis: "batch"} for n in names}
    if need_weights:
        axes["output_1"] = {0: "batch"}  # weights are (N, L, S) in both layouts

    class SelfAttn(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.mha = mha

        def forward(self, x: cr.Tensor) -> Any:
            out, w = self.mha(x, x, x, need_weights=need_weights)
            return (out, w) if need_weights else out

    check_export(SelfAttn(), lambda b: cr.randn(*shape(b)), dynamic_axes=axes)


def test_multihead_attention_cross_with_masks() -> None:
    """kdim/vdim projections, a constant causal mask and a float key-padding mask fed as a graph input."""
    mha = nn.MultiheadAttention(8, 4, batch_first=True, kdim=6, vdim=5)
    causal = nn.Transformer.generate_square_subsequent_mask(4)[:, :3]

    class Cross(nn.Module):
        def forward(self, q: cr.Tensor, k: cr.Tensor, v: cr.Tensor, pad: cr.Tensor) -> Any:
            return mha(q, k, v, attn_mask=causal, key_padding_mask=pad)

    def make(b: int) -> tuple:
        pad = cr.zeros(b, 3)
        pad[0, 2] = float("-inf")
        return cr.randn(b, 4, 8), cr.randn(b, 3, 6), cr.randn(b, 3, 5), pad

    check_export(Cross(), make)


def test_multihead_attention_unbatched_with_a_dynamic_sequence() -> None:
    mha = nn.MultiheadAttention(6, 3)
    seq = {0: "seq"}
    axes = {"input": seq, "output_0": seq, "output_1": {0: "seq", 1: "seq_k"}}
    check_export(Fn(lambda x: mha(x, x, x)), lambda n: cr.randn(n + 1, 6), dynamic_axes=axes)


@pytest.mark.parametrize(("norm_first", "activation"), [(False, "relu"), (True, "gelu")])
def test_transformer_encoder_layer(norm_first: bool, activation: str) -> None:
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.1, activation=activation,
                                       batch_first=True, norm_first=norm_first)  # fmt: skip
    check_export(layer, randn(5, 8))


def test_transformer_encoder_layer_with_dynamic_batch_and_sequence() -> None:
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True)
    axes = {"input": {0: "batch", 1: "seq"}, "output": {0: "batch", 1: "seq"}}
    proto = check_export(layer, lambda n: cr.randn(n, n + 2, 8), batches=(2, 3, 6), dynamic_axes=axes)
    assert [d.dim_param for d in proto.graph.output[0].type.tensor_type.shape.dim[:2]] == ["batch", "seq"]


def test_transformer_encoder_layer_seq_first_with_causal_mask() -> None:
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0)
    mask = nn.Transformer.generate_square_subsequent_mask(5)

    class Causal(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = layer

        def forward(self, x: cr.Tensor) -> cr.Tensor:
            return self.layer(x, src_mask=mask)

    axes = {"input": {1: "batch"}, "output": {1: "batch"}}
    check_export(Causal(), lambda b: cr.randn(5, b, 8), dynamic_axes=axes)
