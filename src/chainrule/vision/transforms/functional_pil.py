"""The PIL-image side of ``transforms.functional``: each operation done by Pillow itself, as torchvision does.

Pillow is imported inside each function, so importing this module costs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._pil import is_pil_image, pil_image

__all__ = [
    "get_dimensions", "hflip", "vflip", "crop", "resize", "pad", "rotate", "affine", "to_grayscale",
    "adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue", "adjust_gamma",
    "invert", "parse_fill",
]  # fmt: skip


def _check(img: Any, op: str) -> None:
    if not is_pil_image(img):
        raise TypeError(f"{op}: img should be a PIL Image, got {type(img).__name__}")


def get_dimensions(img: Any) -> list[int]:
    """``[channels, height, width]`` of a PIL image."""
    _check(img, "get_dimensions")
    return [len(img.getbands()), img.size[1], img.size[0]]


def hflip(img: Any) -> Any:
    """Mirror left-right."""
    _check(img, "hflip")
    return img.transpose(pil_image().Transpose.FLIP_LEFT_RIGHT)


def vflip(img: Any) -> Any:
    """Mirror top-bottom."""
    _check(img, "vflip")
    return img.transpose(pil_image().Transpose.FLIP_TOP_BOTTOM)


def crop(img: Any, top: int, left: int, height: int, width: int) -> Any:
    """The box rows ``top..top+height``, columns ``left..left+width`` (outside the image: zeros)."""
    _check(img, "crop")
    return img.crop((left, top, left + width, top + height))


def resize(img: Any, size: Sequence[int], interpolation: int = 2) -> Any:
    """Resample to ``size = [h, w]`` with Pillow filter ``interpolation`` (Pillow always antialiases)."""
    _check(img, "resize")
    return img.resize((int(size[1]), int(size[0])), interpolation)


def parse_fill(fill: Any, img: Any, name: str = "fillcolor") -> dict[str, Any]:
    """Pillow's fill keyword for ``img``: one number per band (ints unless the mode is 'F')."""
    bands = len(img.getbands())
    fill = 0 if fill is None else fill
    if isinstance(fill, (int, float)) and bands > 1:
        fill = (fill,) * bands
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = tuple(fill) * bands
        elif len(fill) != bands:
            raise ValueError(
                f"fill: the number of elements in 'fill' does not match the number of channels of the image "
                f"({len(fill)} != {bands})"
            )
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(v) for v in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def pad(img: Any, padding: Any, fill: Any = 0, padding_mode: str = "constant") -> Any:
    """Pad (left, top, right, bottom); 'constant' through Pillow, the other modes through ``np.pad``."""
    _check(img, "pad")
    Image = pil_image()
    left, top, right, bottom = _ltrb(padding)
    if padding_mode == "constant":
        from PIL import ImageOps

        out = ImageOps.expand(img, border=(left, top, right, bottom), **parse_fill(fill, img, "fill"))
        if img.mode == "P":
            out.putpalette(img.getpalette())
        return out
    p = np.array([left, top, right, bottom])
    cut = -np.minimum(p, 0)
    if cut.any():
        img = img.crop((int(cut[0]), int(cut[1]), img.width - int(cut[2]), img.height - int(cut[3])))
    left, top, right, bottom = (int(v) for v in np.maximum(p, 0))
    palette = img.getpalette() if img.mode == "P" else None
    a = np.asarray(img)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (a.ndim - 2)
    out = Image.fromarray(np.pad(a, widths, mode=padding_mode))
    if palette is not None:
        out.putpalette(palette)
    return out


def _ltrb(padding: Any) -> tuple[int, int, int, int]:
    if isinstance(padding, int):
        return padding, padding, padding, padding
    p = list(padding)
    if len(p) == 1:
        return p[0], p[0], p[0], p[0]
    if len(p) == 2:
        return p[0], p[1], p[0], p[1]
    if len(p) == 4:
        return p[0], p[1], p[2], p[3]
    raise ValueError(f"pad: padding must be an int or a 1, 2, or 4 element tuple, not a {len(p)} element tuple")


def rotate(img: Any, angle: float, interpolation: int = 0, expand: bool = False,
           center: Sequence[int] | None = None, fill: Any = None) -> Any:
    """Rotate counter-clockwise by ``angle`` degrees about ``center`` (default: the image centre)."""
    _check(img, "rotate")
    return img.rotate(angle, interpolation, expand, center, **parse_fill(fill, img))


def affine(img: Any, matrix: Sequence[float], interpolation: int = 0, fill: Any = None) -> Any:
    """Pillow's AFFINE transform with the inverse matrix ``matrix`` (output -> input coordinates)."""
    _check(img, "affine")
    Image = pil_image()
    return img.transform(img.size, Image.Transform.AFFINE, list(matrix), interpolation, **parse_fill(fill, img))


def to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    """Luma ('L', ITU-R 601-2 weights as Pillow rounds them); three equal bands when asked for 3."""
    _check(img, "to_grayscale")
    if num_output_channels not in (1, 3):
        raise ValueError(f"to_grayscale: num_output_channels should be either 1 or 3, got {num_output_channels}")
    gray = img.convert("L")
    if num_output_channels == 1:
        return gray
    a = np.asarray(gray, dtype=np.uint8)
    return pil_image().fromarray(np.dstack([a, a, a]), "RGB")


def _enhance(kind: str, img: Any, factor: float) -> Any:
    from PIL import ImageEnhance

    return getattr(ImageEnhance, kind)(img).enhance(factor)


def adjust_brightness(img: Any, brightness_factor: float) -> Any:
    """Blend with black: ``factor · img`` (Pillow's Brightness enhancer)."""
    _check(img, "adjust_brightness")
    return _enhance("Brightness", img, brightness_factor)


def adjust_contrast(img: Any, contrast_factor: float) -> Any:
    """Blend with the mean grey level (Pillow's Contrast enhancer)."""
    _check(img, "adjust_contrast")
    return _enhance("Contrast", img, contrast_factor)


def adjust_saturation(img: Any, saturation_factor: float) -> Any:
    """Blend with the grayscale image (Pillow's Color enhancer)."""
    _check(img, "adjust_saturation")
    return _enhance("Color", img, saturation_factor)


def adjust_hue(img: Any, hue_factor: float) -> Any:
    """Shift the hue channel (in HSV, 8-bit, wrapping around) by ``hue_factor`` of a full turn."""
    _check(img, "adjust_hue")
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"adjust_hue: hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if img.mode in {"L", "1", "I", "F"}:
        return img
    Image = pil_image()
    h, s, v = img.convert("HSV").split()
    shift = np.int32(hue_factor * 255).astype(np.uint8)
    h = Image.fromarray(np.asarray(h, dtype=np.uint8) + shift, "L")
    return Image.merge("HSV", (h, s, v)).convert(img.mode)


def adjust_gamma(img: Any, gamma: float, gain: float = 1.0) -> Any:
    """``out = 255 · gain · (in/255)^gamma`` through a lookup table."""
    _check(img, "adjust_gamma")
    if gamma < 0:
        raise ValueError(f"adjust_gamma: gamma should be a non-negative real number, got {gamma}")
    mode = img.mode
    table = [int((255 + 1 - 1e-3) * gain * pow(v / 255.0, gamma)) for v in range(256)] * 3
    return img.convert("RGB").point(table).convert(mode)


def invert(img: Any) -> Any:
    """``255 − img`` per band."""
    _check(img, "invert")
    from PIL import ImageOps

    return ImageOps.invert(img)
