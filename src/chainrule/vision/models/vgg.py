"""VGG (Simonyan & Zisserman, 2014) as torchvision builds it: ``vgg11/13/16/19`` and their ``_bn`` variants.

``features``: 3×3 convolutions (padding 1) and ReLUs (with BatchNorm in the ``_bn`` models) separated by 2×2
max-pools, per configuration; then a 7×7 adaptive average pool and a 4096-4096 classifier with dropout.
"""

from __future__ import annotations

from typing import Any

from ... import flatten, nn
from ._weights import check_weights

__all__ = ["VGG", "make_layers", "cfgs", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19",
           "vgg19_bn"]

cfgs: dict[str, list[str | int]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


class VGG(nn.Module):
    """``features`` → AdaptiveAvgPool2d(7, 7) → flatten → Linear-ReLU-Dropout ×2 → Linear(num_classes)."""

    def __init__(self, features: nn.Module, num_classes: int = 1000, init_weights: bool = True,
                 dropout: float = 0.5) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x: Any) -> Any:
        """Logits (N, num_classes) of images (N, 3, H, W)."""
        return self.classifier(flatten(self.avgpool(self.features(x)), 1))


def make_layers(cfg: list[str | int], batch_norm: bool = False) -> nn.Sequential:
    """The ``features`` stack of a configuration: ints are 3×3 conv widths, "M" a 2×2 max-pool."""
    layers: list[nn.Module] = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            conv = nn.Conv2d(in_channels, int(v), kernel_size=3, padding=1)
            layers += [conv, nn.BatchNorm2d(int(v)), nn.ReLU(inplace=True)] if batch_norm else [conv, nn.ReLU(inplace=True)]
            in_channels = int(v)
    return nn.Sequential(*layers)


def _vgg(name: str, cfg: str, batch_norm: bool, weights: Any, kwargs: dict) -> VGG:
    check_weights(name, weights, kwargs.pop("pretrained", False))
    return VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)


def vgg11(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-11 (configuration "A")."""
    return _vgg("vgg11", "A", False, weights, kwargs)


def vgg11_bn(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-11 with BatchNorm."""
    return _vgg("vgg11_bn", "A", True, weights, kwargs)


def vgg13(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-13 (configuration "B")."""
    return _vgg("vgg13", "B", False, weights, kwargs)


def vgg13_bn(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-13 with BatchNorm."""
    return _vgg("vgg13_bn", "B", True, weights, kwargs)


def vgg16(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-16 (configuration "D")."""
    return _vgg("vgg16", "D", False, weights, kwargs)


def vgg16_bn(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-16 with BatchNorm."""
    return _vgg("vgg16_bn", "D", True, weights, kwargs)


def vgg19(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-19 (configuration "E")."""
    return _vgg("vgg19", "E", False, weights, kwargs)


def vgg19_bn(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> VGG:
    """VGG-19 with BatchNorm."""
    return _vgg("vgg19_bn", "E", True, weights, kwargs)
