"""Per-pixel tone operations of ``transforms.functional``: ``posterize``, ``solarize``, ``autocontrast``.

- posterize(bits):  keep the top ``bits`` bits of each uint8 value (x & ~(2^(8−bits) − 1))
- solarize(t):      x ≥ t ? max − x : x
- autocontrast:     per channel, (x − min) · max / (max − min), clamped (a flat channel is left unchanged)
PIL images go to Pillow's ImageOps, tensors to NumPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._tensor import Tensor
from . import functional_tensor as F_t

__all__ = ["posterize", "solarize", "autocontrast"]


def _tensor_image(a: np.ndarray, op: str) -> None:
    if a.ndim < 3:
        raise TypeError(f"{op}: input image tensor should have at least 3 dimensions, but found {a.ndim}")
    F_t._channels(a, (1, 3), op)


def _ops() -> Any:
    from PIL import ImageOps

    return ImageOps


def posterize(img: Any, bits: int) -> Any:
    """Reduce each channel to ``bits`` bits (uint8 tensors or PIL images)."""
    if not 0 <= bits <= 8:
        raise ValueError(f"posterize: the number of bits should be between 0 and 8, got {bits}")
    if not isinstance(img, Tensor):
        return _ops().posterize(img, bits)
    a = img._data
    _tensor_image(a, "posterize")
    if a.dtype != np.uint8:
        raise TypeError(f"posterize: only uint8 image tensors are supported, but found {img.dtype}")
    return Tensor._make(a & np.uint8((0xFF << (8 - bits)) & 0xFF))


def solarize(img: Any, threshold: float) -> Any:
    """Invert every value at or above ``threshold``."""
    if not isinstance(img, Tensor):
        return _ops().solarize(img, threshold)
    a = img._data
    _tensor_image(a, "solarize")
    if threshold > F_t.max_value(a.dtype):
        raise TypeError(f"solarize: threshold {threshold} should be less than the bound of the image "
                        f"({F_t.max_value(a.dtype)} for {img.dtype})")
    return Tensor._make(np.where(a >= threshold, F_t.invert(a), a))


def autocontrast(img: Any) -> Any:
    """Stretch each channel so its darkest value becomes 0 and its brightest the maximum."""
    if not isinstance(img, Tensor):
        return _ops().autocontrast(img)
    a = img._data
    _tensor_image(a, "autocontrast")
    bound = F_t.max_value(a.dtype)
    dt = a.dtype if a.dtype.kind == "f" else np.dtype(np.float32)
    lo = a.min(axis=(-2, -1), keepdims=True).astype(dt)
    hi = a.max(axis=(-2, -1), keepdims=True).astype(dt)
    flat = hi == lo
    scale = dt.type(bound) / np.where(flat, dt.type(1), hi - lo)
    lo, scale = np.where(flat, dt.type(0), lo), np.where(flat, dt.type(1), scale)
    return Tensor._make(np.clip((a - lo) * scale, 0, bound).astype(a.dtype))
