"""Resampling of (N, C, H, W) float arrays, as ``interpolate`` and ``grid_sample`` compute it.

Resize is separable: each axis is resampled by a weight matrix ``W`` (out × in), ``y = W x``:
- nearest:        src = floor(dst · s), s = in/out            (nearest-exact: floor((dst + ½) · s))
- bilinear/bicubic without antialias (align_corners=False): src = (dst + ½) · s − ½, taps at floor(src)
  and its neighbours (clamped to the edge); bilinear weights 1 − t, t; bicubic Keys' kernel with a = −0.75.
- antialias (bilinear/bicubic, as Pillow): the kernel stretched by max(s, 1), centred at (dst + ½) · s,
  support truncated to the image and the weights renormalised to sum to 1; bicubic uses a = −0.5.
Affine resampling maps each output pixel centre through the inverse matrix and samples bilinearly or at the
nearest pixel, with zeros outside (then the fill colour where the sample fell outside the image).
"""

from __future__ import annotations

import numpy as np

__all__ = ["resize_weights", "resize", "affine_sample"]

def _cubic(x: np.ndarray, a: float) -> np.ndarray:
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x <= 1, near, np.where(x < 2, far, 0.0))

def resize_weights(n_in: int, n_out: int, mode: str, antialias: bool) -> np.ndarray:
    """The (n_out, n_in) float64 matrix that resamples one axis."""
    w = np.zeros((n_out, n_in))
    dst = np.arange(n_out)
    rows = np.arange(n_out)
    scale = np.float32(n_in) / np.float32(n_out)
    if mode in ("nearest", "nearest-exact"):
        offset = 0.5 if mode == "nearest-exact" else 0.0
        src = np.floor((dst.astype(np.float32) + np.float32(offset)) * scale).astype(np.int64)
        w[rows, np.minimum(src, n_in - 1)] = 1.0
        return w
    if antialias and mode in ("bilinear", "bicubic"):
        s = n_in / n_out
        size = 2.0 if mode == "bilinear" else 4.0
        support = size / 2 * s if s >= 1.0 else size / 2
        inv = 1.0 / s if s >= 1.0 else 1.0
        for i in range(n_out):
            center = s * (i + 0.5)
            lo = max(int(center - support + 0.5), 0)
            hi = min(int(center + support + 0.5), n_in)
            x = (np.arange(lo, hi) - center + 0.5) * inv
            k = np.maximum(0.0, 1.0 - np.abs(x)) if mode == "bilinear" else _cubic(x, -0.5)
            total = k.sum()
            w[i, lo:hi] = k / total if total != 0 else k
        return w
    src = (dst + 0.5) * float(scale) - 0.5
    if mode == "bilinear":
        src = np.maximum(src, 0.0)
        i0 = np.floor(src).astype(np.int64)
        t = src - i0
        i1 = np.minimum(i0 + 1, n_in - 1)
        np.add.at(w, (rows, np.minimum(i0, n_in - 1)), 1.0 - t)
        np.add.at(w, (rows, i1), t)
        return w
    if mode == "bicubic":
        i0 = np.floor(src).astype(np.int64)
        t = src - i0
        for k in range(-1, 3):
            np.add.at(w, (rows, np.clip(i0 + k, 0, n_in - 1)), _cubic(t - k, -0.75))
        return w
    raise ValueError(f"resize: interpolation {mode!r} is not supported for tensors; expected nearest, "
                     "nearest-exact, bilinear or bicubic")

def resize(x: np.ndarray, size: tuple[int, int], mode: str, antialias: bool) -> np.ndarray:
    """Resample the last two axes of float array ``x`` to ``size = (h, w)`` (width first, then height)."""
    h, w = x.shape[-2:]
    wy = resize_weights(h, size[0], mode, antialias).astype(x.dtype)
    wx = resize_weights(w, size[1], mode, antialias).astype(x.dtype)
    out = x @ wx.T
    return np.einsum("oh,...hw->...ow", wy, out)

def affine_sample(x: np.ndarray, matrix: list[float], out_hw: tuple[int, int], mode: str,
                  fill: list[float] | None) -> np.ndarray:
    """Sample float array ``x`` (N, C, H, W) at ``matrix · (output pixel centre)`` (centred coordinates).

    The output pixel (i, j) sits at u = j − ow/2 + ½, v = i − oh/2 + ½; its source is
    (m0 u + m1 v + m2 + w/2 − ½, m3 u + m4 v + m5 + h/2 − ½) in input pixel indices.
    """
    n, c, h, w = x.shape
    oh, ow = out_hw
    dt = x.dtype
    u = np.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, ow, dtype=dt)[None, :]
    v = np.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, oh, dtype=dt)[:, None]
    m = np.asarray(matrix, dtype=dt)
    gx = (u * (m[0] / dt.type(0.5 * w)) + v * (m[1] / dt.type(0.5 * w)) + m[2] / dt.type(0.5 * w))
    gy = (u * (m[3] / dt.type(0.5 * h)) + v * (m[4] / dt.type(0.5 * h)) + m[5] / dt.type(0.5 * h))
    ix = ((gx + 1) * w - 1) / 2
    iy = ((gy + 1) * h - 1) / 2
    if fill is not None:
        x = np.concatenate([x, np.ones((n, 1, h, w), dtype=dt)], axis=1)
    if mode == "nearest":
        jx, jy = np.rint(ix).astype(np.int64), np.rint(iy).astype(np.int64)
        ok = (jx >= 0) & (jx < w) & (jy >= 0) & (jy < h)
        out = np.where(ok, x[:, :, np.clip(jy, 0, h - 1), np.clip(jx, 0, w - 1)], 0).astype(dt)
    elif mode == "bilinear":
        x0, y0 = np.floor(ix), np.floor(iy)
        tx, ty = ix - x0, iy - y0
        x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
        out = np.zeros((x.shape[0], x.shape[1], oh, ow), dtype=dt)
        for dy, wy in ((0, 1 - ty), (1, ty)):
            for dx, wx in ((0, 1 - tx), (1, tx)):
                yy, xx = y0 + dy, x0 + dx
                ok = (xx >= 0) & (xx < w) & (yy >= 0) & (yy < h)
                out += np.where(ok, wy * wx, 0).astype(dt) * x[:, :, np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)]
    else:
        raise ValueError(f"affine: interpolation {mode!r} is not supported for tensors; expected nearest or bilinear")
    if fill is None:
        return out
    mask, out = out[:, -1:], out[:, :-1]
    colour = np.asarray(fill, dtype=dt).reshape(1, -1, 1, 1)
    if mode == "nearest":
        return np.where(mask < 0.5, np.broadcast_to(colour, out.shape), out)
    return out * mask + (1.0 - mask) * colour

def affine_output_size(matrix: list[float], w: int, h: int) -> tuple[int, int]:
    """(w, h) of the box holding the whole transformed image (``rotate(expand=True)``), as Pillow sizes it."""
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], dtype=np.float32)
    theta = np.asarray(matrix, dtype=np.float32).reshape(2, 3)
    new = pts @ theta.T
    lo = new.min(axis=0) + np.array([w * 0.5, h * 0.5], dtype=np.float32)
    hi = new.max(axis=0) + np.array([w * 0.5, h * 0.5], dtype=np.float32)
    tol = 1e-4
    cmax = np.ceil(np.trunc(hi / tol) * tol)
    cmin = np.floor(np.trunc(lo / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])

def gaussian_kernel1d(kernel_size: int, sigma: float, dtype: np.dtype) -> np.ndarray:
    """exp(−x²/2σ²) at x = −(k−1)/2 … (k−1)/2, normalised to sum 1."""
    half = (kernel_size - 1) * 0.5
    x = np.linspace(-half, half, kernel_size, dtype=dtype)
    pdf = np.exp(-0.5 * (x / dtype.type(sigma)) ** 2)
    return pdf / pdf.sum()

