"""``chainrule.vision.transforms.functional``: each image operation on a PIL image or a tensor.

A PIL image goes to Pillow (``functional_pil``), a tensor of shape (..., C, H, W) to NumPy
(``functional_tensor``); the result has the input's kind. The arguments, defaults and outputs are
torchvision's.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from .._pil import is_pil_image, pil_image
from . import functional_pil as F_pil
from . import functional_tensor as F_t
from ._mode import InterpolationMode, as_mode, pil_code
from ._pixel import autocontrast, posterize, solarize

__all__ = [
    "InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels", "to_tensor",
    "pil_to_tensor", "to_pil_image", "convert_image_dtype", "normalize", "resize", "pad", "crop",
    "center_crop", "resized_crop", "hflip", "vflip", "five_crop", "ten_crop", "adjust_brightness",
    "adjust_contrast", "adjust_saturation", "adjust_hue", "adjust_gamma", "rotate", "affine",
    "to_grayscale", "rgb_to_grayscale", "erase", "gaussian_blur", "invert", "posterize", "solarize",
    "autocontrast",
]  # fmt: skip


def _is_tensor(img: Any) -> bool:
    return isinstance(img, Tensor)


def _np(img: Tensor) -> np.ndarray:
    return img._data


def _wrap(a: np.ndarray) -> Tensor:
    return Tensor._make(np.ascontiguousarray(a))


def _check_img(img: Any, op: str) -> None:
    if not (_is_tensor(img) or is_pil_image(img)):
        raise TypeError(f"{op}: img should be a PIL Image or a Tensor, got {type(img).__name__}")


def get_dimensions(img: Any) -> list[int]:
    """``[channels, height, width]``."""
    if _is_tensor(img):
        a = _np(img)
        F_t._check(a, "get_dimensions")
        return [1 if a.ndim == 2 else a.shape[-3], a.shape[-2], a.shape[-1]]
    return F_pil.get_dimensions(img)


def get_image_size(img: Any) -> list[int]:
    """``[width, height]``."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img: Any) -> int:
    """Number of channels."""
    return get_dimensions(img)[0]


def to_tensor(pic: Any) -> Tensor:
    """PIL image or H×W×C ndarray -> C×H×W tensor; uint8 becomes the default float dtype in [0, 1]."""
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"to_tensor: pic should be 2/3 dimensional, got {pic.ndim} dimensions.")
        a = (pic[:, :, None] if pic.ndim == 2 else pic).transpose(2, 0, 1)
        if a.dtype == np.uint8:
            dt = _dtype.get_default_dtype().np
            return _wrap(a.astype(dt) / dt.type(255))
        return _wrap(a)
    if not is_pil_image(pic):
        raise TypeError(f"to_tensor: pic should be PIL Image or ndarray, got {type(pic).__name__}")
    nptype = {"I": np.int32, "I;16" if sys.byteorder == "little" else "I;16B": np.int16, "F": np.float32}
    a = np.array(pic, nptype.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        a = 255 * a
    a = a.reshape(pic.size[1], pic.size[0], len(pic.getbands())).transpose(2, 0, 1)
    if a.dtype == np.uint8:
        dt = _dtype.get_default_dtype().np
        return _wrap(a.astype(dt) / dt.type(255))
    return _wrap(a)


def pil_to_tensor(pic: Any) -> Tensor:
    """PIL image -> C×H×W tensor of its own dtype (uint8 stays uint8, no scaling)."""
    if not is_pil_image(pic):
        raise TypeError(f"pil_to_tensor: pic should be PIL Image, got {type(pic).__name__}")
    a = np.array(pic, copy=True)
    return _wrap(a.reshape(pic.size[1], pic.size[0], len(pic.getbands())).transpose(2, 0, 1))


def to_pil_image(pic: Any, mode: str | None = None) -> Any:
    """C×H×W tensor or H×W×C ndarray -> PIL image; floats are scaled by 255 (unless mode 'F')."""
    if _is_tensor(pic):
        a = _np(pic)
        if a.ndim == 3:
            a = a.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        a = pic
    else:
        raise TypeError(f"to_pil_image: pic should be Tensor or ndarray, got {type(pic).__name__}.")
    if a.ndim == 2:
        a = a[:, :, None]
    if a.ndim != 3:
        raise ValueError(f"to_pil_image: pic should be 2/3 dimensional, got {a.ndim} dimensions.")
    if a.shape[-1] > 4:
        raise ValueError(f"to_pil_image: pic should not have > 4 channels, got {a.shape[-1]} channels.")
    if a.dtype.kind == "f" and mode != "F":
        a = (a * 255).astype(np.uint8)
    c = a.shape[2]
    if c == 1:
        a = a[:, :, 0]
        expected = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16" if sys.byteorder == "little" else "I;16B",
                    np.dtype(np.int32): "I", np.dtype(np.float32): "F"}.get(a.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"to_pil_image: incorrect mode ({mode}) supplied for input type {a.dtype}; should be {expected}")
        mode = expected
    else:
        permitted = {2: ["LA"], 3: ["RGB", "YCbCr", "HSV"], 4: ["RGBA", "CMYK", "RGBX"]}[c]
        if mode is not None and mode not in permitted:
            raise ValueError(f"to_pil_image: only modes {permitted} are supported for {c}-channel inputs, got {mode!r}")
        if mode is None and a.dtype == np.uint8:
            mode = permitted[0]
    if mode is None:
        raise TypeError(f"to_pil_image: input type {a.dtype} is not supported")
    a = np.ascontiguousarray(a)
    if mode == _natural_mode(a):
        return pil_image().fromarray(a)
    return pil_image().frombytes(mode, (a.shape[1], a.shape[0]), a.tobytes())  # the bytes as that mode


def _natural_mode(a: np.ndarray) -> str | None:
    if a.ndim == 2:
        return {np.dtype(np.uint8): "L", np.dtype(np.int32): "I", np.dtype(np.float32): "F",
                np.dtype(np.int16): None}.get(a.dtype)
    return {2: "LA", 3: "RGB", 4: "RGBA"}.get(a.shape[2]) if a.dtype == np.uint8 else None


def convert_image_dtype(image: Tensor, dtype: Any = None) -> Tensor:
    """Convert a tensor image to ``dtype`` (default float32), rescaling values to the new range."""
    if not _is_tensor(image):
        raise TypeError(f"convert_image_dtype: input img should be Tensor Image, got {type(image).__name__}")
    dt = _dtype.float32 if dtype is None else _dtype.to_dtype(dtype)
    return _wrap(F_t.convert_image_dtype(_np(image), dt.np))


def normalize(tensor: Tensor, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> Tensor:
    """(x − mean[c]) / std[c] per channel of a float (..., C, H, W) tensor."""
    if not _is_tensor(tensor):
        raise TypeError(f"normalize: img should be Tensor Image, got {type(tensor).__name__}")
    out = F_t.normalize(_np(tensor), mean, std)
    if inplace:
        tensor._data[...] = out
        return tensor
    return _wrap(out)


def _resized_size(h: int, w: int, size: Sequence[int], max_size: int | None) -> list[int]:
    if len(size) == 2:
        return [int(size[0]), int(size[1])]
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = int(size[0]), int(int(size[0]) * long / short)
    if max_size is not None:
        if max_size <= new_short:
            raise ValueError(f"resize: max_size = {max_size} must be strictly greater than the requested size for "
                             f"the smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    return [new_h, new_w]


def resize(img: Any, size: Any, interpolation: Any = InterpolationMode.BILINEAR, max_size: int | None = None,
           antialias: bool | None = True) -> Any:
    """Resize to ``size`` ((h, w), or the shorter edge when an int) with ``interpolation``."""
    mode = as_mode(interpolation, "resize")
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError(f"resize: size must be an int or a 1 or 2 element tuple/list, not a {len(size)} element tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("resize: max_size should only be passed if size specifies the length of the smaller edge, "
                             "i.e. size should be an int or a sequence of length 1")
    elif not isinstance(size, int):
        raise TypeError(f"resize: size should be int or sequence, got {type(size).__name__}")
    _check_img(img, "resize")
    _, h, w = get_dimensions(img)
    out = _resized_size(h, w, [size] if isinstance(size, int) else list(size), max_size)
    if [h, w] == out:
        return img
    if not _is_tensor(img):
        return F_pil.resize(img, out, pil_code(mode))
    return _wrap(F_t.resize(_np(img), out, mode.value, bool(antialias)))


def pad(img: Any, padding: Any, fill: Any = 0, padding_mode: str = "constant") -> Any:
    """Pad every side (int), left/right and top/bottom (2 values) or left, top, right, bottom (4 values)."""
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError(f"pad: got inappropriate padding arg {padding!r}")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError(f"pad: padding mode should be either constant, edge, reflect or symmetric, got {padding_mode!r}")
    _check_img(img, "pad")
    if not _is_tensor(img):
        return F_pil.pad(img, padding, fill, padding_mode)
    return _wrap(F_t.pad(_np(img), padding, fill, padding_mode))


def crop(img: Any, top: int, left: int, height: int, width: int) -> Any:
    """The box at (top, left) of size (height, width); outside the image is zero."""
    _check_img(img, "crop")
    if not _is_tensor(img):
        return F_pil.crop(img, top, left, height, width)
    return _wrap(F_t.crop(_np(img), top, left, height, width))


def _pair(size: Any) -> tuple[int, int]:
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, (tuple, list)) and len(size) == 1:
        return int(size[0]), int(size[0])
    if len(size) != 2:
        raise ValueError(f"please provide only two dimensions (h, w) for size, got {size}")
    return int(size[0]), int(size[1])


def center_crop(img: Any, output_size: Any) -> Any:
    """The central (h, w) box; a smaller image is first zero-padded around."""
    ch, cw = _pair(output_size)
    _, h, w = get_dimensions(img)
    if cw > w or ch > h:
        ltrb = [(cw - w) // 2 if cw > w else 0, (ch - h) // 2 if ch > h else 0,
                (cw - w + 1) // 2 if cw > w else 0, (ch - h + 1) // 2 if ch > h else 0]
        img = pad(img, ltrb, fill=0)
        _, h, w = get_dimensions(img)
        if cw == w and ch == h:
            return img
    return crop(img, int(round((h - ch) / 2.0)), int(round((w - cw) / 2.0)), ch, cw)


def resized_crop(img: Any, top: int, left: int, height: int, width: int, size: Any,
                 interpolation: Any = InterpolationMode.BILINEAR, antialias: bool | None = True) -> Any:
    """crop, then resize to ``size``."""
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def hflip(img: Any) -> Any:
    """Mirror left-right."""
    _check_img(img, "hflip")
    return _wrap(F_t.hflip(_np(img))) if _is_tensor(img) else F_pil.hflip(img)


def vflip(img: Any) -> Any:
    """Mirror top-bottom."""
    _check_img(img, "vflip")
    return _wrap(F_t.vflip(_np(img))) if _is_tensor(img) else F_pil.vflip(img)


def five_crop(img: Any, size: Any) -> tuple[Any, Any, Any, Any, Any]:
    """The four corner crops and the central crop: (tl, tr, bl, br, center)."""
    ch, cw = _pair(size)
    _, h, w = get_dimensions(img)
    if cw > w or ch > h:
        raise ValueError(f"five_crop: requested crop size {(ch, cw)} is bigger than input size {(h, w)}")
    return (crop(img, 0, 0, ch, cw), crop(img, 0, w - cw, ch, cw), crop(img, h - ch, 0, ch, cw),
            crop(img, h - ch, w - cw, ch, cw), center_crop(img, [ch, cw]))


def ten_crop(img: Any, size: Any, vertical_flip: bool = False) -> tuple[Any, ...]:
    """five_crop of the image and of its mirror (horizontal, or vertical when asked)."""
    size = _pair(size)
    return five_crop(img, size) + five_crop(vflip(img) if vertical_flip else hflip(img), size)


def _color(name: str, img: Any, factor: float) -> Any:
    _check_img(img, name)
    if _is_tensor(img):
        return _wrap(getattr(F_t, name)(_np(img), factor))
    return getattr(F_pil, name)(img, factor)


def adjust_brightness(img: Any, brightness_factor: float) -> Any:
    """Scale intensities by ``brightness_factor`` (0: black, 1: unchanged)."""
    return _color("adjust_brightness", img, brightness_factor)


def adjust_contrast(img: Any, contrast_factor: float) -> Any:
    """Blend with the mean grey (0: uniform grey, 1: unchanged)."""
    return _color("adjust_contrast", img, contrast_factor)


def adjust_saturation(img: Any, saturation_factor: float) -> Any:
    """Blend with the grayscale image (0: grey, 1: unchanged, 2: doubled saturation)."""
    return _color("adjust_saturation", img, saturation_factor)


def adjust_hue(img: Any, hue_factor: float) -> Any:
    """Rotate the hue by ``hue_factor`` of a turn, in [−0.5, 0.5]."""
    return _color("adjust_hue", img, hue_factor)


def adjust_gamma(img: Any, gamma: float, gain: float = 1) -> Any:
    """gain · img^gamma on the [0, 1] scale."""
    _check_img(img, "adjust_gamma")
    if _is_tensor(img):
        return _wrap(F_t.adjust_gamma(_np(img), gamma, gain))
    return F_pil.adjust_gamma(img, gamma, gain)


def inverse_affine_matrix(center: Sequence[float], angle: float, translate: Sequence[float], scale: float,
                          shear: Sequence[float]) -> list[float]:
    """Inverse of M = T · C · R(angle) · S(scale) · Shear · C⁻¹ as the 6 numbers Pillow's AFFINE takes.

    With R·Shear = [[a, b], [c, d]] (determinant 1): M⁻¹ = C · (RSS)⁻¹ · C⁻¹ · T⁻¹, (RSS)⁻¹ = [[d, −b], [−c, a]]/s.
    """
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    m = [v / scale for v in (d, -b, 0.0, -c, a, 0.0)]
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy
    return m


def rotate(img: Any, angle: float, interpolation: Any = InterpolationMode.NEAREST, expand: bool = False,
           center: Sequence[int] | None = None, fill: Any = None) -> Any:
    """Rotate counter-clockwise by ``angle`` degrees about ``center`` (default the image centre)."""
    mode = as_mode(interpolation, "rotate")
    if not isinstance(angle, (int, float)):
        raise TypeError(f"rotate: argument angle should be int or float, got {type(angle).__name__}")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("rotate: argument center should be a sequence")
    _check_img(img, "rotate")
    if not _is_tensor(img):
        return F_pil.rotate(img, angle, pil_code(mode), expand, center, fill)
    c = [0.0, 0.0]
    if center is not None:
        _, h, w = get_dimensions(img)
        c = [1.0 * (p - s * 0.5) for p, s in zip(center, [w, h])]
    matrix = inverse_affine_matrix(c, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    return _wrap(F_t.rotate(_np(img), matrix, mode.value, expand, fill))


def affine(img: Any, angle: float, translate: Sequence[int], scale: float, shear: Any,
           interpolation: Any = InterpolationMode.NEAREST, fill: Any = None,
           center: Sequence[int] | None = None) -> Any:
    """Rotate by ``angle``, scale, shear (degrees) about ``center``, then translate by ``translate`` pixels."""
    mode = as_mode(interpolation, "affine")
    if not isinstance(angle, (int, float)):
        raise TypeError(f"affine: argument angle should be int or float, got {type(angle).__name__}")
    if not isinstance(translate, (list, tuple)) or len(translate) != 2:
        raise ValueError(f"affine: argument translate should be a sequence of length 2, got {translate!r}")
    if scale <= 0.0:
        raise ValueError(f"affine: argument scale should be positive, got {scale}")
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"affine: shear should be a sequence containing two values, got {shear}")
    _check_img(img, "affine")
    _, h, w = get_dimensions(img)
    if not _is_tensor(img):
        c = [w * 0.5, h * 0.5] if center is None else center
        matrix = inverse_affine_matrix(c, float(angle), list(translate), scale, shear)
        return F_pil.affine(img, matrix, pil_code(mode), fill)
    c = [0.0, 0.0] if center is None else [1.0 * (p - s * 0.5) for p, s in zip(center, [w, h])]
    matrix = inverse_affine_matrix(c, float(angle), [1.0 * t for t in translate], scale, shear)
    return _wrap(F_t.affine(_np(img), matrix, mode.value, fill))


def to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    """PIL image of any mode -> grayscale ('L', or 'RGB' with three equal bands)."""
    return F_pil.to_grayscale(img, num_output_channels)


def rgb_to_grayscale(img: Any, num_output_channels: int = 1) -> Any:
    """RGB -> luma (1 or 3 equal channels), for PIL images and tensors."""
    _check_img(img, "rgb_to_grayscale")
    if _is_tensor(img):
        return _wrap(F_t.rgb_to_grayscale(_np(img), num_output_channels))
    return F_pil.to_grayscale(img, num_output_channels)


def erase(img: Tensor, i: int, j: int, h: int, w: int, v: Any, inplace: bool = False) -> Tensor:
    """Replace the (h, w) box at (i, j) of a tensor image by ``v``."""
    if not _is_tensor(img):
        raise TypeError(f"erase: img should be Tensor Image, got {type(img).__name__}")
    val = _np(v) if _is_tensor(v) else v
    if inplace:
        img._data[..., i:i + h, j:j + w] = val
        return img
    return _wrap(F_t.erase(_np(img), i, j, h, w, val))


def gaussian_blur(img: Any, kernel_size: Any, sigma: Any = None) -> Any:
    """Gaussian blur with odd ``kernel_size`` and ``sigma`` (default 0.3·((k−1)·0.5 − 1) + 0.8)."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(f"gaussian_blur: kernel_size should be int or a sequence of integers, got {type(kernel_size).__name__}")
    ks = [kernel_size, kernel_size] if isinstance(kernel_size, int) else list(kernel_size)
    if len(ks) == 1:
        ks = [ks[0], ks[0]]
    if len(ks) != 2 or any(k % 2 == 0 or k < 0 for k in ks):
        raise ValueError(f"gaussian_blur: kernel_size should have odd and positive integers, got {kernel_size}")
    if sigma is None:
        sg = [k * 0.15 + 0.35 for k in ks]
    elif isinstance(sigma, (int, float)):
        sg = [float(sigma), float(sigma)]
    else:
        sg = [float(s) for s in sigma]
        sg = sg * 2 if len(sg) == 1 else sg
    if len(sg) != 2 or any(s <= 0 for s in sg):
        raise ValueError(f"gaussian_blur: sigma should have positive values, got {sigma}")
    _check_img(img, "gaussian_blur")
    if _is_tensor(img):
        return _wrap(F_t.gaussian_blur(_np(img), ks, sg))
    out = F_t.gaussian_blur(_np(pil_to_tensor(img)), ks, sg)
    return to_pil_image(_wrap(out), mode=img.mode)


def invert(img: Any) -> Any:
    """max − img."""
    _check_img(img, "invert")
    return _wrap(F_t.invert(_np(img))) if _is_tensor(img) else F_pil.invert(img)
