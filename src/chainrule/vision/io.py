"""``chainrule.vision.io``: images as uint8 (C, H, W) tensors — ``read_image``, ``decode_image``, ``write_png``.

Decoding and encoding are done by Pillow; files are written atomically.
"""

from __future__ import annotations

import io as _io
import os
from enum import Enum
from typing import Any

import numpy as np

from .._tensor import Tensor
from ..io._atomic import atomic_write
from ._pil import pil_image

__all__ = ["ImageReadMode", "read_file", "write_file", "decode_image", "read_image", "encode_png", "write_png",
           "decode_png", "decode_jpeg"]


class ImageReadMode(Enum):
    """How to convert a decoded image: keep its channels, or force gray / gray+alpha / RGB / RGBA."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = 4


_PIL_MODE = {ImageReadMode.GRAY: "L", ImageReadMode.GRAY_ALPHA: "LA", ImageReadMode.RGB: "RGB",
             ImageReadMode.RGB_ALPHA: "RGBA"}


def read_file(path: str | os.PathLike) -> Tensor:
    """The bytes of a file as a 1-D uint8 tensor."""
    with open(path, "rb") as f:
        return Tensor._make(np.frombuffer(f.read(), dtype=np.uint8).copy())


def write_file(filename: str | os.PathLike, data: Tensor) -> None:
    """Write a 1-D uint8 tensor's bytes to ``filename`` (atomically)."""
    a = data._data if isinstance(data, Tensor) else np.asarray(data)
    if a.dtype != np.uint8 or a.ndim != 1:
        raise ValueError(f"write_file: data should be a 1-D uint8 tensor, got {a.dtype} of shape {list(a.shape)}")
    atomic_write(filename, a.tobytes())


def _mode(mode: Any) -> ImageReadMode:
    if isinstance(mode, str):
        mode = ImageReadMode[mode.upper()]
    if not isinstance(mode, ImageReadMode):
        raise TypeError(f"decode_image: mode should be an ImageReadMode, got {mode!r}")
    return mode


def decode_image(input: Any, mode: Any = ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False) -> Tensor:  # noqa: A002
    """Decode encoded image bytes (a 1-D uint8 tensor, or a path) to a uint8 (C, H, W) tensor."""
    if isinstance(input, (str, os.PathLike)):
        input = read_file(input)
    if not isinstance(input, Tensor) or input._data.dtype != np.uint8 or input._data.ndim != 1:
        raise TypeError("decode_image: input should be a 1-D uint8 tensor of encoded bytes or a path")
    mode = _mode(mode)
    Image = pil_image()
    img = Image.open(_io.BytesIO(input._data.tobytes()))
    if apply_exif_orientation:
        from PIL import ImageOps

        img = ImageOps.exif_transpose(img)
    if mode is not ImageReadMode.UNCHANGED:
        img = img.convert(_PIL_MODE[mode])
    elif img.mode not in ("L", "LA", "RGB", "RGBA", "I;16", "I"):
        img = img.convert("RGBA" if "A" in img.getbands() or "transparency" in img.info else "RGB")
    a = np.array(img)
    if a.ndim == 2:
        a = a[:, :, None]
    return Tensor._make(np.ascontiguousarray(a.transpose(2, 0, 1)))


def decode_png(input: Tensor, mode: Any = ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False) -> Tensor:  # noqa: A002
    """decode_image for PNG bytes."""
    return decode_image(input, mode, apply_exif_orientation)


def decode_jpeg(input: Tensor, mode: Any = ImageReadMode.UNCHANGED, device: str = "cpu",  # noqa: A002
                apply_exif_orientation: bool = False) -> Tensor:
    """decode_image for JPEG bytes (CPU only)."""
    return decode_image(input, mode, apply_exif_orientation)


def read_image(path: str | os.PathLike, mode: Any = ImageReadMode.UNCHANGED, apply_exif_orientation: bool = False) -> Tensor:
    """Read an image file (PNG, JPEG, ...) as a uint8 (C, H, W) tensor."""
    return decode_image(read_file(path), mode, apply_exif_orientation)


def encode_png(input: Tensor, compression_level: int = 6) -> Tensor:  # noqa: A002
    """PNG bytes (as a 1-D uint8 tensor) of a uint8 (C, H, W) image with 1 or 3 channels."""
    a = input._data if isinstance(input, Tensor) else None
    if a is None or a.dtype != np.uint8 or a.ndim != 3 or a.shape[0] not in (1, 2, 3, 4):
        got = f"{a.dtype} of shape {list(a.shape)}" if a is not None else type(input).__name__
        raise ValueError(f"encode_png: input should be a uint8 tensor of shape (C, H, W) with 1 to 4 channels, got {got}")
    if not 0 <= compression_level <= 9:
        raise ValueError(f"encode_png: compression level should be between 0 and 9, got {compression_level}")
    hwc = np.ascontiguousarray(a.transpose(1, 2, 0))
    img = pil_image().fromarray(hwc[:, :, 0] if hwc.shape[2] == 1 else hwc)
    buf = _io.BytesIO()
    img.save(buf, format="PNG", compress_level=compression_level)
    return Tensor._make(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def write_png(input: Tensor, filename: str | os.PathLike, compression_level: int = 6) -> None:  # noqa: A002
    """Encode a uint8 (C, H, W) image as PNG and write it to ``filename`` (atomically)."""
    write_file(filename, encode_png(input, compression_level))
