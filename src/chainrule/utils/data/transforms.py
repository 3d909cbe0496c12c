"""Image transforms: the same objects as ``chainrule.vision.transforms`` (one implementation), plus
``TransformDataset``, which wraps a dataset so its inputs go through a transform.

Kept for the older import path ``chainrule.utils.data.transforms``; new code should use
``chainrule.vision.transforms`` (torchvision's layout).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...vision.transforms import (
    Compose,
    GaussianNoise,
    Lambda,
    Normalize,
    RandomCrop,
    RandomHorizontalFlip,
    RandomVerticalFlip,
    ToTensor,
)
from .dataset import Dataset

__all__ = [
    "Compose", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomCrop", "GaussianNoise",
    "Normalize", "ToTensor", "Lambda", "TransformDataset",
]  # fmt: skip


class TransformDataset(Dataset):
    """``dataset`` whose first element of each sample (the input) goes through ``transform``."""

    def __init__(self, dataset: Any, transform: Callable[[Any], Any], target_transform: Callable[[Any], Any] | None = None) -> None:
        self.dataset, self.transform, self.target_transform = dataset, transform, target_transform

    def __getitem__(self, index: int) -> Any:
        sample = self.dataset[index]
        if isinstance(sample, tuple):
            x, *rest = sample
            if self.target_transform is not None and rest:
                rest[0] = self.target_transform(rest[0])
            return (self.transform(x), *rest)
        return self.transform(sample)

    def __len__(self) -> int:
        return len(self.dataset)
