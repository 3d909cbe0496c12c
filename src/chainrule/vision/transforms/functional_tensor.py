"""The tensor side of ``transforms.functional``, on NumPy arrays of shape (..., C, H, W).

Integer images are resampled in float32 and rounded back; ``_max_value`` is the white level of a dtype
(255 for uint8, 1 for floats). Colour operations follow torchvision's formulas:
- grayscale  L = 0.2989 R + 0.587 G + 0.114 B
- blend(a, b, r) = clamp(r a + (1 − r) b, 0, max)       brightness: b = 0; contrast: b = mean(L);
  saturation: b = L; hue: rotate H in HSV space.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _resample

__all__ = [
    "max_value", "convert_image_dtype", "hflip", "vflip", "crop", "pad", "resize", "rgb_to_grayscale",
    "adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue", "adjust_gamma", "affine",
    "rotate", "gaussian_blur", "normalize", "erase", "invert",
]  # fmt: skip

_MAX = {np.dtype(np.uint8): 255, np.dtype(np.int8): 127, np.dtype(np.int16): 32767,
        np.dtype(np.uint16): 65535, np.dtype(np.int32): 2147483647, np.dtype(np.int64): 9223372036854775807}


def max_value(dtype: np.dtype) -> int:
    """White level of an image dtype: the largest integer, or 1 for floating point."""
    return _MAX.get(np.dtype(dtype), 1)


def _check(a: np.ndarray, op: str) -> None:
    if a.ndim < 2:
        raise TypeError(f"{op}: tensor is not a torch image; expected a tensor of shape (..., H, W), "
                        f"got shape {list(a.shape)}")


def _channels(a: np.ndarray, permitted: Sequence[int], op: str) -> None:
    c = 1 if a.ndim == 2 else a.shape[-3]
    if c not in permitted:
        raise TypeError(f"{op}: input image tensor permitted channel values are {list(permitted)}, but found {c}")


def convert_image_dtype(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Rescale between dtypes: int→float divides by the max; float→int multiplies by (max + 1 − 1e-3)."""
    dtype = np.dtype(dtype)
    if a.dtype == dtype:
        return a
    if a.dtype.kind == "f":
        if dtype.kind == "f":
            return a.astype(dtype)
        if (a.dtype == np.float32 and dtype in (np.int32, np.int64)) or (a.dtype == np.float64 and dtype == np.int64):
            raise RuntimeError(f"convert_image_dtype: the cast from {a.dtype} to {dtype} cannot be performed safely.")
        return (a * a.dtype.type(max_value(dtype) + 1.0 - 1e-3)).astype(dtype)
    in_max = max_value(a.dtype)
    if dtype.kind == "f":
        return a.astype(dtype) / dtype.type(in_max)
    out_max = max_value(dtype)
    if in_max > out_max:
        return (a // ((in_max + 1) // (out_max + 1))).astype(dtype)
    return a.astype(dtype) * ((out_max + 1) // (in_max + 1))


def hflip(a: np.ndarray) -> np.ndarray:
    """Reverse the last axis (W)."""
    _check(a, "hflip")
    return a[..., ::-1].copy()


def vflip(a: np.ndarray) -> np.ndarray:
    """Reverse the second-last axis (H)."""
    _check(a, "vflip")
    return a[..., ::-1, :].copy()


def crop(a: np.ndarray, top: int, left: int, height: int, width: int) -> np.ndarray:
    """Rows top..top+height, columns left..left+width; parts outside the image are zeros."""
    _check(a, "crop")
    h, w = a.shape[-2:]
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(a[..., max(top, 0):bottom, max(left, 0):right], ltrb, 0, "constant")
    return a[..., top:bottom, left:right].copy()


def _lrtb(padding: Any) -> list[int]:
    if isinstance(padding, int):
        return [padding] * 4
    p = list(padding)
    if len(p) == 1:
        return [p[0]] * 4
    if len(p) == 2:
        return [p[0], p[0], p[1], p[1]]
    if len(p) == 4:
        return [p[0], p[2], p[1], p[3]]
    raise ValueError(f"pad: padding must be an int or a 1, 2, or 4 element tuple, not a {len(p)} element tuple")


def pad(a: np.ndarray, padding: Any, fill: float = 0, padding_mode: str = "constant") -> np.ndarray:
    """Pad the last two axes; padding is int, (lr, tb) or (left, top, right, bottom); negative values crop."""
    _check(a, "pad")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError(f"pad: padding mode should be either constant, edge, reflect or symmetric, got {padding_mode!r}")
    left, right, top, bottom = _lrtb(padding)
    h, w = a.shape[-2:]
    a = a[..., max(-top, 0):h - max(-bottom, 0), max(-left, 0):w - max(-right, 0)]
    widths = [(0, 0)] * (a.ndim - 2) + [(max(top, 0), max(bottom, 0)), (max(left, 0), max(right, 0))]
    if padding_mode == "constant":
        return np.pad(a, widths, constant_values=a.dtype.type(0 if fill is None else fill))
    return np.pad(a, widths, mode=padding_mode)


def _to_float(a: np.ndarray) -> tuple[np.ndarray, np.dtype]:
    return (a, a.dtype) if a.dtype in (np.float32, np.float64) else (a.astype(np.float32), a.dtype)


def _back(x: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if x.dtype == dtype:
        return x
    if dtype.kind in "iu":
        x = np.round(x)
    return x.astype(dtype)


def _nchw(a: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    shape = a.shape
    if a.ndim == 2:
        return a.reshape(1, 1, *shape), shape
    return a.reshape(-1, shape[-3], *shape[-2:]), shape


def resize(a: np.ndarray, size: Sequence[int], interpolation: str = "bilinear", antialias: bool = True) -> np.ndarray:
    """Resample the last two axes to ``size = [h, w]`` (see ``_resample`` for the kernels)."""
    _check(a, "resize")
    if interpolation not in ("bilinear", "bicubic"):
        antialias = False
    x, dtype = _to_float(a)
    out = _resample.resize(x, (int(size[0]), int(size[1])), interpolation, bool(antialias))
    if interpolation == "bicubic" and dtype == np.uint8:
        out = np.clip(out, 0, 255)
    return _back(out, dtype)


def rgb_to_grayscale(a: np.ndarray, num_output_channels: int = 1) -> np.ndarray:
    """L = 0.2989 R + 0.587 G + 0.114 B in the input dtype, repeated to ``num_output_channels``."""
    if a.ndim < 3:
        raise TypeError(f"rgb_to_grayscale: input image tensor should have at least 3 dimensions, but found {a.ndim}")
    _channels(a, (1, 3), "rgb_to_grayscale")
    if num_output_channels not in (1, 3):
        raise ValueError(f"rgb_to_grayscale: num_output_channels should be either 1 or 3, got {num_output_channels}")
    if a.shape[-3] == 3:
        r, g, b = (a[..., i, :, :] for i in range(3))
        if a.dtype.kind == "f":
            lum = (a.dtype.type(0.2989) * r + a.dtype.type(0.587) * g + a.dtype.type(0.114) * b).astype(a.dtype)
        else:
            f = np.float32
            lum = (f(0.2989) * r + f(0.587) * g + f(0.114) * b).astype(a.dtype)
        lum = lum[..., None, :, :]
    else:
        lum = a.copy()
    return np.broadcast_to(lum, a.shape).copy() if num_output_channels == 3 else lum


def _blend(a: np.ndarray, b: np.ndarray, ratio: float) -> np.ndarray:
    ft = a.dtype.type if a.dtype.kind == "f" else np.float32
    out = ft(ratio) * a + ft(1.0 - ratio) * b
    return np.clip(out, 0, max_value(a.dtype)).astype(a.dtype)


def adjust_brightness(a: np.ndarray, brightness_factor: float) -> np.ndarray:
    """blend(img, 0, factor)."""
    if brightness_factor < 0:
        raise ValueError(f"adjust_brightness: brightness_factor ({brightness_factor}) is not non-negative.")
    _check(a, "adjust_brightness")
    _channels(a, (1, 3), "adjust_brightness")
    return _blend(a, np.zeros_like(a), brightness_factor)


def adjust_contrast(a: np.ndarray, contrast_factor: float) -> np.ndarray:
    """blend(img, mean of its grayscale, factor)."""
    if contrast_factor < 0:
        raise ValueError(f"adjust_contrast: contrast_factor ({contrast_factor}) is not non-negative.")
    _check(a, "adjust_contrast")
    _channels(a, (1, 3), "adjust_contrast")
    dt = a.dtype if a.dtype.kind == "f" else np.dtype(np.float32)
    gray = rgb_to_grayscale(a) if a.shape[-3] == 3 else a
    mean = gray.astype(dt).mean(axis=(-3, -2, -1), keepdims=True, dtype=dt)
    return _blend(a, mean, contrast_factor)


def adjust_saturation(a: np.ndarray, saturation_factor: float) -> np.ndarray:
    """blend(img, grayscale(img), factor); one-channel images are returned unchanged."""
    if saturation_factor < 0:
        raise ValueError(f"adjust_saturation: saturation_factor ({saturation_factor}) is not non-negative.")
    _check(a, "adjust_saturation")
    _channels(a, (1, 3), "adjust_saturation")
    if a.shape[-3] == 1:
        return a
    return _blend(a, rgb_to_grayscale(a), saturation_factor)


def _rgb2hsv(x: np.ndarray) -> np.ndarray:
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    maxc, minc = x.max(axis=-3), x.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    one = x.dtype.type(1)
    s = cr / np.where(eqc, one, maxc)
    crd = np.where(eqc, one, cr)
    rc, gc, bc = (maxc - r) / crd, (maxc - g) / crd, (maxc - b) / crd
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = np.fmod((hr + hg + hb) / x.dtype.type(6.0) + one, one).astype(x.dtype)
    return np.stack((h, s, maxc), axis=-3)


def _hsv2rgb(x: np.ndarray) -> np.ndarray:
    h, s, v = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    i = np.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int32) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    r = np.choose(i, (v, q, p, p, t, v))
    g = np.choose(i, (t, v, v, q, p, p))
    b = np.choose(i, (p, p, t, v, v, q))
    return np.stack((r, g, b), axis=-3).astype(x.dtype)


def adjust_hue(a: np.ndarray, hue_factor: float) -> np.ndarray:
    """Rotate the hue: to HSV (in float32), H ← (H + factor) mod 1, back to RGB and the input dtype."""
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"adjust_hue: hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _check(a, "adjust_hue")
    _channels(a, (1, 3), "adjust_hue")
    if a.shape[-3] == 1:
        return a
    x = convert_image_dtype(a, np.float32)
    hsv = _rgb2hsv(x)
    hsv[..., 0, :, :] = np.mod(hsv[..., 0, :, :] + np.float32(hue_factor), np.float32(1.0))
    return convert_image_dtype(_hsv2rgb(hsv), a.dtype)


def adjust_gamma(a: np.ndarray, gamma: float, gain: float = 1.0) -> np.ndarray:
    """clamp(gain · img^gamma, 0, 1) on the [0, 1] scale."""
    _channels(a, (1, 3), "adjust_gamma")
    if gamma < 0:
        raise ValueError(f"adjust_gamma: gamma should be a non-negative real number, got {gamma}")
    x = a if a.dtype.kind == "f" else convert_image_dtype(a, np.float32)
    out = np.clip(x.dtype.type(gain) * x ** x.dtype.type(gamma), 0, 1)
    return convert_image_dtype(out, a.dtype)


def _grid(a: np.ndarray, matrix: list[float], out_hw: tuple[int, int], interpolation: str,
          fill: Any) -> np.ndarray:
    x, shape = _nchw(a)
    dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float32)
    fl = None if fill is None else ([float(fill)] if isinstance(fill, (int, float)) else [float(v) for v in fill])
    if fl is not None and len(fl) not in (1, x.shape[1]):
        raise ValueError(f"affine: fill has {len(fl)} values but the image has {x.shape[1]} channels")
    out = _resample.affine_sample(x.astype(dt, copy=False), matrix, out_hw, interpolation, fl)
    out = out.reshape(*shape[:-2], *out_hw)
    return _back(out, a.dtype)


def affine(a: np.ndarray, matrix: list[float], interpolation: str = "nearest", fill: Any = None) -> np.ndarray:
    """Resample through the inverse affine ``matrix`` (centred pixel coordinates), same output size."""
    _check(a, "affine")
    return _grid(a, matrix, a.shape[-2:], interpolation, fill)


def rotate(a: np.ndarray, matrix: list[float], interpolation: str = "nearest", expand: bool = False,
           fill: Any = None) -> np.ndarray:
    """Rotation as an affine resampling; ``expand`` grows the output to hold the whole rotated image."""
    _check(a, "rotate")
    h, w = a.shape[-2:]
    ow, oh = _resample.affine_output_size(matrix, w, h) if expand else (w, h)
    return _grid(a, matrix, (oh, ow), interpolation, fill)


def gaussian_blur(a: np.ndarray, kernel_size: Sequence[int], sigma: Sequence[float]) -> np.ndarray:
    """Separable Gaussian filter (kernel_size = [kx, ky], sigma = [sx, sy]) with reflect padding."""
    _check(a, "gaussian_blur")
    x, dtype = _to_float(a)
    kx = _resample.gaussian_kernel1d(int(kernel_size[0]), float(sigma[0]), x.dtype)
    ky = _resample.gaussian_kernel1d(int(kernel_size[1]), float(sigma[1]), x.dtype)
    px, py = int(kernel_size[0]) // 2, int(kernel_size[1]) // 2
    h, w = x.shape[-2:]
    if px >= w or py >= h:
        raise ValueError(f"gaussian_blur: padding size should be less than the corresponding input dimension, "
                         f"but got kernel_size {list(kernel_size)} for an image of size {[h, w]}")
    x = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(py, py), (px, px)], mode="reflect")
    x = sum(kx[k] * x[..., :, k:k + w] for k in range(len(kx)))
    x = sum(ky[k] * x[..., k:k + h, :] for k in range(len(ky)))
    return _back(x.astype(a.dtype if a.dtype.kind == "f" else np.float32, copy=False), dtype)


def normalize(a: np.ndarray, mean: Sequence[float], std: Sequence[float]) -> np.ndarray:
    """(img − mean[c]) / std[c] over the channel axis of a (..., C, H, W) float array."""
    if a.dtype.kind != "f":
        raise TypeError(f"normalize: input tensor should be a float tensor, got {a.dtype}.")
    if a.ndim < 3:
        raise ValueError(f"normalize: expected tensor to be a tensor image of size (..., C, H, W), got shape {list(a.shape)}")
    m = np.asarray(mean, dtype=a.dtype)
    s = np.asarray(std, dtype=a.dtype)
    if (s == 0).any():
        raise ValueError(f"normalize: std evaluated to zero after conversion to {a.dtype}, leading to division by zero; "
                         f"got std={list(np.atleast_1d(std))}")
    if m.ndim == 1:
        m = m.reshape(-1, 1, 1)
    if s.ndim == 1:
        s = s.reshape(-1, 1, 1)
    c = a.shape[-3]
    if m.shape[0] not in (1, c) or s.shape[0] not in (1, c):
        raise ValueError(f"normalize: mean/std have {m.shape[0]}/{s.shape[0]} values but the image has {c} channels")
    return (a - m) / s


def erase(a: np.ndarray, i: int, j: int, h: int, w: int, v: Any) -> np.ndarray:
    """Copy of the image with rows i..i+h, columns j..j+w replaced by ``v`` (broadcast)."""
    _check(a, "erase")
    out = a.copy()
    out[..., i:i + h, j:j + w] = v
    return out


def invert(a: np.ndarray) -> np.ndarray:
    """max − img (bitwise not for integers)."""
    _check(a, "invert")
    _channels(a, (1, 3), "invert")
    return (max_value(a.dtype) - a).astype(a.dtype) if a.dtype.kind == "f" else np.bitwise_not(a)
