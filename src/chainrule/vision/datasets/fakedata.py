"""``FakeData``: random images, the same for the same index (seeded by the index)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..._random import Generator
from ..._tensor import Tensor
from ..transforms import functional as F
from .vision import VisionDataset

__all__ = ["FakeData"]


class FakeData(VisionDataset):
    """``size`` PIL images of ``image_size`` (C, H, W) from N(0, 1) noise and a random class; deterministic per index.

    Each item is drawn from a generator seeded with ``index + random_offset`` (chainrule's generator, so the
    pixel values differ from torchvision's; the kinds, shapes and determinism are the same).
    """

    def __init__(self, size: int = 1000, image_size: tuple[int, int, int] = (3, 224, 224), num_classes: int = 10,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 random_offset: int = 0) -> None:
        super().__init__(transform=transform, target_transform=target_transform)
        self.size, self.num_classes, self.image_size, self.random_offset = size, num_classes, image_size, random_offset

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """``(PIL image, int)`` after the transforms."""
        if index >= len(self):
            raise IndexError(f"{type(self).__name__} index out of range: {index} >= {len(self)}")
        g = Generator().manual_seed(index + self.random_offset).np
        img = g.standard_normal(tuple(self.image_size), dtype=np.float32)
        target = int(g.integers(0, self.num_classes))
        pic = F.to_pil_image(Tensor._make(img))
        return self._transform_pair(pic, target)

    def __len__(self) -> int:
        return self.size
