"""``InterpolationMode``: the resampling filters, with their Pillow constants."""

from __future__ import annotations

from enum import Enum
from typing import Any

__all__ = ["InterpolationMode"]


class InterpolationMode(Enum):
    """Interpolation filters, named as in torchvision (the value is the tensor kernel's name)."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# Pillow's integer resampling constants (Image.Resampling values), stable across Pillow releases.
_PIL_CODE = {
    InterpolationMode.NEAREST: 0, InterpolationMode.NEAREST_EXACT: 0, InterpolationMode.LANCZOS: 1,
    InterpolationMode.BILINEAR: 2, InterpolationMode.BICUBIC: 3, InterpolationMode.BOX: 4,
    InterpolationMode.HAMMING: 5,
}  # fmt: skip
_FROM_INT = {0: InterpolationMode.NEAREST, 1: InterpolationMode.LANCZOS, 2: InterpolationMode.BILINEAR,
             3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING}


def as_mode(interpolation: Any, op: str = "interpolation") -> InterpolationMode:
    """An ``InterpolationMode`` from the enum itself or a Pillow integer constant."""
    if isinstance(interpolation, InterpolationMode):
        return interpolation
    if isinstance(interpolation, int) and interpolation in _FROM_INT:
        return _FROM_INT[interpolation]
    raise TypeError(
        f"{op}: argument interpolation should be an InterpolationMode or a corresponding Pillow integer "
        f"constant, got {interpolation!r}"
    )


def pil_code(mode: InterpolationMode) -> int:
    """Pillow's resampling constant for ``mode``."""
    return _PIL_CODE[mode]
