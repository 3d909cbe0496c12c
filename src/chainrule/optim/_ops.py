"""In-place array formulas several optimizers share, rounded as PyTorch's CPU kernels round them.

PyTorch's ``lerp_`` and ``add(other, alpha=)`` kernels use fused multiply-adds (one rounding). For
float32 the same single rounding is had by computing in float64 (a float32 product is exact there)
and rounding once; float64 arrays use the plain two-rounding form (an error below 1e-16).
"""

from __future__ import annotations

import numpy as np

__all__ = ["lerp_", "ema_sq_", "coupled_grad", "fma"]


def fma(a: np.ndarray | float, b: np.ndarray | float, c: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """a·b + c rounded once to ``dtype`` when that is float32 (the scalars taken as float32 first)."""
    if dtype == np.float32:
        a64 = np.float64(np.float32(a)) if np.ndim(a) == 0 else np.asarray(a, np.float64)
        b64 = np.float64(np.float32(b)) if np.ndim(b) == 0 else np.asarray(b, np.float64)
        return (a64 * b64 + np.asarray(c, np.float64)).astype(np.float32)
    return a * b + c


def lerp_(m: np.ndarray, g: np.ndarray, w: float) -> None:
    """m ← m + w·(g − m) (for w < ½; else g − (g − m)·(1 − w)): PyTorch's ``lerp_``, the form of
    m ← (1 − w)·m + w·g that rounds as its kernel does."""
    w = m.dtype.type(w)  # the kernel rounds the weight to the tensor's dtype, then forms 1 − w there
    diff = g - m
    if w < 0.5:
        m[...] = fma(w, diff, m, m.dtype)
    else:
        m[...] = fma(-(1 - w), diff, g, m.dtype)


def ema_sq_(v: np.ndarray, g: np.ndarray, beta: float) -> None:
    """v ← β·v + (1 − β)·g² (PyTorch's ``mul_(β).addcmul_(g, g, value=1 − β)``)."""
    v *= beta
    v += (1 - beta) * g * g


def coupled_grad(p: np.ndarray, g: np.ndarray, maximize: bool, weight_decay: float) -> np.ndarray:
    """g ← (−g if maximize else g) + λ·θ: the gradient with L2 (coupled) weight decay, never in place."""
    if maximize:
        g = -g
    if weight_decay:
        g = fma(weight_decay, p, g, p.dtype)
    return g
