"""``chainrule.vision.utils``: ``make_grid``, ``save_image`` and ``draw_bounding_boxes`` (torchvision's)."""

from __future__ import annotations

import io
import math
import os
from typing import Any, BinaryIO

import numpy as np

from .._tensor import Tensor
from ..io._atomic import atomic_write
from ._pil import pil_image

__all__ = ["make_grid", "save_image", "draw_bounding_boxes"]


def _array(t: Any, op: str) -> np.ndarray:
    if isinstance(t, Tensor):
        return t._data
    if isinstance(t, list):
        if not all(isinstance(x, Tensor) for x in t):
            bad = next(type(x).__name__ for x in t if not isinstance(x, Tensor))
            raise TypeError(f"{op}: tensor or list of tensors expected, got a list containing {bad}")
        return np.stack([x._data for x in t])
    raise TypeError(f"{op}: tensor or list of tensors expected, got {type(t).__name__}")


def make_grid(tensor: Any, nrow: int = 8, padding: int = 2, normalize: bool = False,
              value_range: tuple[float, float] | None = None, scale_each: bool = False, pad_value: float = 0.0) -> Tensor:
    """Tile a batch (B, C, H, W) into one image: ``nrow`` images per row, ``padding`` pixels of ``pad_value`` between.

    One-channel images become three channels; ``normalize`` maps ``value_range`` (default: min..max, per image
    when ``scale_each``) to [0, 1] after clamping: x ← (clamp(x, lo, hi) − lo) / max(hi − lo, 1e−5).
    """
    a = _array(tensor, "make_grid")
    if a.ndim == 2:
        a = a[None]
    if a.ndim == 3:
        if a.shape[0] == 1:
            a = np.concatenate([a, a, a], 0)
        a = a[None]
    if a.ndim == 4 and a.shape[1] == 1:
        a = np.concatenate([a, a, a], 1)
    if normalize:
        a = a.copy()
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError(f"make_grid: value_range has to be a tuple (min, max) if specified, got {value_range!r}")

        def norm(x: np.ndarray) -> None:
            lo, hi = (float(x.min()), float(x.max())) if value_range is None else value_range
            np.clip(x, lo, hi, out=x)
            x -= x.dtype.type(lo)
            x /= x.dtype.type(max(hi - lo, 1e-5))

        for x in a if scale_each else [a]:
            norm(x)
    if a.shape[0] == 1:
        return Tensor._make(np.ascontiguousarray(a[0]))
    n = a.shape[0]
    xmaps = min(nrow, n)
    ymaps = int(math.ceil(float(n) / xmaps))
    h, w = a.shape[2] + padding, a.shape[3] + padding
    grid = np.full((a.shape[1], h * ymaps + padding, w * xmaps + padding), pad_value, dtype=a.dtype)
    for k in range(n):
        y, x = divmod(k, xmaps)
        grid[:, y * h + padding:(y + 1) * h, x * w + padding:(x + 1) * w] = a[k]
    return Tensor._make(grid)


def save_image(tensor: Any, fp: str | os.PathLike | BinaryIO, format: str | None = None, **kwargs: Any) -> None:  # noqa: A002
    """``make_grid(tensor, **kwargs)`` scaled by 255, rounded and saved as an image file (written atomically).

    ``format`` is Pillow's format name; without it the file extension decides.
    """
    grid = make_grid(tensor, **kwargs)._data
    nd = np.clip(grid * 255 + 0.5, 0, 255).transpose(1, 2, 0).astype(np.uint8)
    img = pil_image().fromarray(nd)
    if hasattr(fp, "write"):
        img.save(fp, format=format)
        return
    path = os.fspath(fp)
    if format is None:
        ext = os.path.splitext(path)[1].lower()
        format = pil_image().registered_extensions().get(ext)
        if format is None:
            raise ValueError(f"save_image: unknown file extension {ext!r} of {path}; pass format= (e.g. 'PNG')")
    buf = io.BytesIO()
    img.save(buf, format=format)
    atomic_write(path, buf.getvalue())


def _colors(colors: Any, n: int) -> list[tuple[int, int, int]]:
    from PIL import ImageColor

    if colors is None:
        palette = np.array([2**25 - 1, 2**15 - 1, 2**21 - 1])
        return [tuple(int(v) for v in (i * palette) % 255) for i in range(n)]
    if isinstance(colors, list):
        if len(colors) < n:
            raise ValueError(f"draw_bounding_boxes: number of colors must be equal or larger than the number of "
                             f"objects, but got {len(colors)} < {n}.")
    elif isinstance(colors, tuple) and len(colors) != 3:
        raise ValueError(f"draw_bounding_boxes: if passed as tuple, colors should be an RGB triplet, but got {colors}.")
    elif isinstance(colors, (tuple, str)):
        colors = [colors] * n
    else:
        raise ValueError(f"draw_bounding_boxes: colors must be a tuple or a string, or a list thereof, but got {colors}.")
    return [ImageColor.getrgb(c) if isinstance(c, str) else tuple(c) for c in colors]


def draw_bounding_boxes(image: Tensor, boxes: Any, labels: list[str] | None = None, colors: Any = None,
                        fill: bool = False, width: int = 1, font: str | None = None, font_size: int | None = None) -> Tensor:
    """Draw (xmin, ymin, xmax, ymax) ``boxes`` (and ``labels``) on a uint8 or float (C, H, W) image; returns a copy."""
    from PIL import ImageDraw, ImageFont

    if not isinstance(image, Tensor):
        raise TypeError(f"draw_bounding_boxes: Tensor expected, got {type(image).__name__}")
    a = image._data
    if not (a.dtype == np.uint8 or a.dtype.kind == "f"):
        raise ValueError(f"draw_bounding_boxes: the image dtype must be uint8 or float, got {image.dtype}")
    if a.ndim != 3:
        raise ValueError(f"draw_bounding_boxes: pass individual images, not batches; got shape {list(a.shape)}")
    if a.shape[0] not in (1, 3):
        raise ValueError(f"draw_bounding_boxes: only grayscale and RGB images are supported, got {a.shape[0]} channels")
    b = boxes._data if isinstance(boxes, Tensor) else np.asarray(boxes)
    if len(b) and ((b[:, 0] > b[:, 2]).any() or (b[:, 1] > b[:, 3]).any()):
        raise ValueError("draw_bounding_boxes: boxes need to be in (xmin, ymin, xmax, ymax) format")
    if len(b) == 0:
        return image
    if labels is not None and len(labels) != len(b):
        raise ValueError(f"draw_bounding_boxes: number of boxes ({len(b)}) and labels ({len(labels)}) mismatch")
    cols = _colors(colors, len(b))
    txt_font = ImageFont.load_default() if font is None else ImageFont.truetype(font=font, size=font_size or 10)
    if a.shape[0] == 1:
        a = np.tile(a, (3, 1, 1))
    u8 = a if a.dtype == np.uint8 else (a * np.float32(255 + 1 - 1e-3)).astype(np.uint8)
    img = pil_image().fromarray(np.ascontiguousarray(u8.transpose(1, 2, 0)))
    draw = ImageDraw.Draw(img, "RGBA") if fill else ImageDraw.Draw(img)
    for k, box in enumerate(b.astype(np.int64).tolist()):
        draw.rectangle(box, width=width, outline=cols[k], fill=(cols[k] + (100,)) if fill else None)
        if labels is not None and labels[k] is not None:
            m = width + 1
            draw.text((box[0] + m, box[1] + m), labels[k], fill=cols[k], font=txt_font)
    out = np.asarray(img).transpose(2, 0, 1)
    if a.dtype.kind == "f":
        return Tensor._make(out.astype(a.dtype) / a.dtype.type(255))
    return Tensor._make(np.ascontiguousarray(out))
