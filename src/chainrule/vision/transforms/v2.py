"""``chainrule.vision.transforms.v2``: torchvision's v2 names for images.

The classes whose v2 meaning on images equals the classic one are the classic transforms themselves;
``ToImage`` and ``ToDtype`` are v2's replacement for ``ToTensor``
(``Compose([ToImage(), ToDtype(chainrule.float32, scale=True)])``). Images only: v2's bounding boxes,
masks and videos are not provided.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._tensor import Tensor
from . import *  # noqa: F403  (the classic transforms: on images, v2 means the same by the same names)
from . import __all__ as _classic
from . import functional as F
from ._module import TransformModule

__all__ = ["ToImage", "ToDtype", *(n for n in _classic if n not in ("RandomTransforms", "functional"))]


class ToImage(TransformModule):
    """PIL image or H×W(×C) ndarray -> C×H×W tensor of the same dtype (no scaling); a tensor passes through."""

    def __call__(self, pic: Any) -> Tensor:
        """Convert ``pic``."""
        if isinstance(pic, Tensor):
            return pic
        if isinstance(pic, np.ndarray):
            a = pic[:, :, None] if pic.ndim == 2 else pic
            return Tensor._make(np.ascontiguousarray(a.transpose(2, 0, 1)))
        return F.pil_to_tensor(pic)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ToDtype(TransformModule):
    """Cast an image tensor to ``dtype``; with ``scale=True`` rescale its values as ``ConvertImageDtype``
    does (uint8 255 <-> float 1.0)."""

    def __init__(self, dtype: Any, scale: bool = False) -> None:
        self.dtype, self.scale = dtype, scale

    def __call__(self, image: Tensor) -> Tensor:
        """Convert ``image``."""
        return F.convert_image_dtype(image, self.dtype) if self.scale else image.to(self.dtype)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dtype={self.dtype}, scale={self.scale})"
