"""AlexNet (Krizhevsky et al., 2012) in torchvision's single-tower form (PyTorch's default layer init)."""

from __future__ import annotations

from typing import Any

from ... import flatten, nn
from ._weights import check_weights

__all__ = ["AlexNet", "alexnet"]


class AlexNet(nn.Module):
    """Five convolutions with max-pools, a 6×6 adaptive average pool, and a 4096-4096 classifier with dropout."""

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: Any) -> Any:
        """Logits (N, num_classes) of images (N, 3, H, W)."""
        return self.classifier(flatten(self.avgpool(self.features(x)), 1))


def alexnet(*, weights: Any = None, progress: bool = True, **kwargs: Any) -> AlexNet:
    """AlexNet."""
    check_weights("alexnet", weights, kwargs.pop("pretrained", False))
    return AlexNet(**kwargs)
