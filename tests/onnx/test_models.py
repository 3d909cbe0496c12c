"""Whole models (MLP, CNN, residual net, transformer encoder) export and match at two batch sizes."""

from __future__ import annotations

import chainrule as cr
from chainrule import nn

from .harness import check_export, randn


def _warm_batchnorm(model: nn.Module, make: object) -> None:
    """A few training-mode passes so BatchNorm running statistics are not the defaults."""
    model.train()
    with cr.no_grad():
        for _ in range(3):
            model(make(8))  # type: ignore[operator]


def test_mlp() -> None:
    model = nn.Sequential(
        nn.Linear(10, 32), nn.ReLU(inplace=True), nn.Dropout(0.2), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 3),
        nn.LogSoftmax(dim=1),
    )  # fmt: skip
    check_export(model, randn(10), batches=(4, 7))


def test_cnn() -> None:
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3), nn.GroupNorm(2, 8), nn.GELU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Dropout(0.5), nn.Linear(8, 5),
    )  # fmt: skip
    make = randn(1, 10, 10)
    _warm_batchnorm(model, make)
    check_export(model, make, batches=(3, 6))


class Block(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x: cr.Tensor) -> cr.Tensor:
        y = self.bn1(self.conv1(x)).relu()
        return (x + self.bn2(self.conv2(y))).relu()


class ResNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 6, 3, stride=2, padding=1)
        self.blocks = nn.Sequential(Block(6), Block(6))
        self.head = nn.Linear(6, 4)

    def forward(self, x: cr.Tensor) -> cr.Tensor:
        h = self.blocks(self.stem(x))
        return self.head(h.mean(dim=(2, 3)))


def test_residual_net() -> None:
    model = ResNet()
    make = randn(3, 8, 8)
    _warm_batchnorm(model, make)
    check_export(model, make, batches=(2, 5))


class TinyTransformer(nn.Module):
    def __init__(self, vocab: int = 20, d: int = 16, seq: int = 6) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(cr.randn(1, seq, d) * 0.1)
        layer = nn.TransformerEncoderLayer(d, 4, dim_feedforward=32, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(d), enable_nested_tensor=False)
        self.head = nn.Linear(d, 3)

    def forward(self, tokens: cr.Tensor) -> cr.Tensor:
        h = self.encoder(self.embed(tokens) + self.pos)
        return self.head(h[:, 0]).log_softmax(-1)


def test_transformer_encoder() -> None:
    model = TinyTransformer()
    check_export(model, lambda b: cr.randint(0, 20, (b, 6)), batches=(2, 5))


def test_transformer_encoder_at_opset_18() -> None:
    model = TinyTransformer()
    proto = check_export(model, lambda b: cr.randint(0, 20, (b, 6)), opset_version=18)
    assert proto.opset_import[0].version == 18
