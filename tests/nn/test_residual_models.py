"""examples/residual_models.py: the same architectures written with PyTorch give the same outputs and
gradients once weights are copied through state_dict (train and eval mode); a few steps reduce the loss."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .layer_harness import check_layer

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
tnn = torch.nn

_spec = importlib.util.spec_from_file_location(
    "residual_models", Path(__file__).resolve().parents[2] / "examples" / "residual_models.py"
)
ex = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ex)  # type: ignore[union-attr]


# --- the same architectures in PyTorch (same attribute names, so state_dict keys agree) -------------
class TorchResidualMLPBlock(tnn.Module):
    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.norm, self.fc1, self.act, self.fc2 = tnn.LayerNorm(dim), tnn.Linear(dim, hidden), tnn.GELU(), tnn.Linear(hidden, dim)

    def forward(self, x: Any) -> Any:
        return x + self.fc2(self.act(self.fc1(self.norm(x))))


class TorchResidualConvBlock(tnn.Module):
    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = tnn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = tnn.BatchNorm2d(out_channels)
        self.conv2 = tnn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = tnn.BatchNorm2d(out_channels)
        self.relu = tnn.ReLU()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = tnn.Sequential(tnn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False), tnn.BatchNorm2d(out_channels))
        else:
            self.shortcut = tnn.Identity()

    def forward(self, x: Any) -> Any:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.shortcut(x))


class TorchResidualMLP(tnn.Module):
    def __init__(self, in_features: int, dim: int, out_features: int, depth: int = 2) -> None:
        super().__init__()
        self.embed = tnn.Linear(in_features, dim)
        self.blocks = tnn.Sequential(*[TorchResidualMLPBlock(dim, 2 * dim) for _ in range(depth)])
        self.norm = tnn.LayerNorm(dim)
        self.head = tnn.Linear(dim, out_features)

    def forward(self, x: Any) -> Any:
        return self.head(self.norm(self.blocks(self.embed(x))))


class TorchSmallResNet(tnn.Module):
    def __init__(self, in_channels: int = 3, num_classes: int = 4, width: int = 8) -> None:
        super().__init__()
        self.block1 = TorchResidualConvBlock(in_channels, width)
        self.block2 = TorchResidualConvBlock(width, 2 * width, stride=2)
        self.head = tnn.Linear(2 * width, num_classes)

    def forward(self, x: Any) -> Any:
        return self.head(self.block2(self.block1(x)).mean(dim=(2, 3)))


TWINS = {"ResidualMLPBlock": TorchResidualMLPBlock, "ResidualConvBlock": TorchResidualConvBlock,
         "ResidualMLP": TorchResidualMLP, "SmallResNet": TorchSmallResNet}


def _maker(name: str, *args: Any, **kwargs: Any) -> Any:
    def make(lib: Any) -> Any:
        model = (TWINS[name] if lib is torch else getattr(ex, name))(*args, **kwargs)
        if lib is torch:  # non-trivial norm parameters and running statistics
            with torch.no_grad():
                for n, p in model.named_parameters():
                    if p.ndim == 1:
                        p.uniform_(0.5, 1.5) if "weight" in n else p.uniform_(-0.3, 0.3)
                for m in model.modules():
                    if isinstance(m, tnn.BatchNorm2d):
                        m.running_mean.uniform_(-0.3, 0.3)
                        m.running_var.uniform_(0.5, 1.5)
        return model

    return make


def _x(*shape: int) -> np.ndarray:
    return np.random.default_rng(0).standard_normal(shape)


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize(
    "name,args,shape",
    [
        ("ResidualMLPBlock", (6, 12), (4, 6)),
        ("ResidualMLP", (5, 8, 3), (7, 5)),
        ("ResidualConvBlock", (4, 4), (2, 4, 6, 6)),  # identity shortcut
        ("ResidualConvBlock", (3, 6, 2), (2, 3, 7, 7)),  # 1x1 projection shortcut, stride 2
        ("SmallResNet", (), (3, 3, 8, 8)),
    ],
)
def test_matches_torch(name: str, args: tuple[int, ...], shape: tuple[int, ...], train: bool) -> None:
    check_layer(_maker(name, *args), [_x(*shape)], train=train, atol=1e-5, rtol=1e-4)


def test_state_dict_keys_and_shortcut_kind() -> None:
    assert isinstance(ex.ResidualConvBlock(4, 4).shortcut, ex.nn.Identity)
    assert isinstance(ex.ResidualConvBlock(4, 8).shortcut, ex.nn.Sequential)
    assert list(ex.SmallResNet().state_dict()) == list(TorchSmallResNet().state_dict())


def test_training_reduces_the_loss() -> None:
    losses = ex.main(steps=12)
    for name, curve in losses.items():
        assert all(np.isfinite(curve)), name
        assert curve[-1] < 0.5 * curve[0], f"{name}: {curve[0]:.4f} -> {curve[-1]:.4f}"
