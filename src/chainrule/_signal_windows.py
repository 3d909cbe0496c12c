"""Window functions for spectral analysis, as PyTorch's creation functions: hann, hamming, blackman,
bartlett and kaiser windows (``periodic=True`` drops the last point of a window one longer)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _dtype
from ._tensor import Tensor

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


def _window(op: str, n: int, periodic: bool, dtype: Any, requires_grad: bool, f: Any) -> Tensor:
    if n < 0:
        raise RuntimeError(f"{op}: requires non-negative window_length, got window_length={n}")
    dt = _dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype, op)
    if not dt.is_floating_point:
        raise RuntimeError(f"{op}: expects floating point dtypes, got: {dt}")
    if n <= 1:
        w = np.ones(n)
    else:
        m = n + 1 if periodic else n
        w = f(np.arange(m, dtype=np.float64), m - 1)[:n]
    return Tensor._make(np.ascontiguousarray(w, dtype=dt.np), bool(requires_grad))


def hann_window(
    window_length: int, periodic: bool = True, *, dtype: Any = None, layout: Any = None, device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """w[k] = ½ − ½ cos(2πk/(N−1)) (N = window_length + 1 when periodic)."""
    return _window("hann_window", window_length, periodic, dtype, requires_grad,
                   lambda k, d: 0.5 - 0.5 * np.cos(2 * math.pi * k / d))  # fmt: skip


def hamming_window(
    window_length: int, periodic: bool = True, alpha: float = 0.54, beta: float = 0.46, *, dtype: Any = None,
    layout: Any = None, device: Any = None, requires_grad: bool = False,
) -> Tensor:
    """w[k] = α − β cos(2πk/(N−1))."""
    return _window("hamming_window", window_length, periodic, dtype, requires_grad,
                   lambda k, d: alpha - beta * np.cos(2 * math.pi * k / d))  # fmt: skip


def blackman_window(
    window_length: int, periodic: bool = True, *, dtype: Any = None, layout: Any = None, device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """w[k] = 0.42 − 0.5 cos(2πk/(N−1)) + 0.08 cos(4πk/(N−1))."""
    return _window("blackman_window", window_length, periodic, dtype, requires_grad,
                   lambda k, d: 0.42 - 0.5 * np.cos(2 * math.pi * k / d) + 0.08 * np.cos(4 * math.pi * k / d))  # fmt: skip


def bartlett_window(
    window_length: int, periodic: bool = True, *, dtype: Any = None, layout: Any = None, device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """w[k] = 1 − |2k/(N−1) − 1| (a triangle)."""
    return _window("bartlett_window", window_length, periodic, dtype, requires_grad,
                   lambda k, d: 1.0 - np.abs(2.0 * k / d - 1.0))  # fmt: skip


def kaiser_window(
    window_length: int, periodic: bool = True, beta: float = 12.0, *, dtype: Any = None, layout: Any = None,
    device: Any = None, requires_grad: bool = False,
) -> Tensor:
    """w[k] = I₀(β√(1 − (2k/(N−1) − 1)²)) / I₀(β)."""
    return _window("kaiser_window", window_length, periodic, dtype, requires_grad,
                   lambda k, d: np.i0(beta * np.sqrt(np.clip(1.0 - (2.0 * k / d - 1.0) ** 2, 0.0, None))) / np.i0(beta))  # fmt: skip
