"""Seeded toy datasets: two moons, circles, spirals, XOR and a linear regression problem.

Every generator draws from ``numpy.random.default_rng(seed)`` (so the same seed gives the same
data on every platform and NumPy version that keeps the PCG64 stream), is vectorized, and returns
NumPy arrays: ``x`` float32 of shape (n_samples, n_features) and ``y`` int64 class indices of shape
(n_samples,) — or float32 of shape (n_samples, 1) for :func:`make_regression`.
"""

from __future__ import annotations

import numpy as np

from ..errors import UserError

__all__ = ["make_moons", "make_circles", "make_spirals", "make_xor", "make_regression"]


def _check(name: str, n_samples: int, noise: float, minimum: int = 2) -> None:
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < minimum:
        raise UserError(
            f"{name}: n_samples must be an integer >= {minimum}, got {n_samples!r}. "
            "Ask for more samples (for example --n-samples 1000)."
        )
    if not np.isfinite(noise) or noise < 0:
        raise UserError(
            f"{name}: noise must be a finite number >= 0, got {noise!r}. "
            "Use 0 for clean data or a small value such as 0.1."
        )


def _finish(
    rng: np.random.Generator, x: np.ndarray, y: np.ndarray, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """Add Gaussian noise to ``x`` and shuffle the samples; x float32, y int64."""
    if noise > 0:
        x = x + rng.normal(scale=noise, size=x.shape)
    perm = rng.permutation(len(y))
    return np.ascontiguousarray(x[perm], dtype=np.float32), np.ascontiguousarray(y[perm], dtype=np.int64)


def make_moons(n_samples: int = 1000, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in 2-D; class 0 is the upper moon, class 1 the lower one."""
    _check("make_moons", n_samples, noise)
    rng = np.random.default_rng(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0.0, np.pi, n_out)
    t_in = np.linspace(0.0, np.pi, n_in)
    x = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            np.stack([1.0 - np.cos(t_in), 0.5 - np.sin(t_in)], axis=1),
        ]
    )
    y = np.repeat(np.array([0, 1]), [n_out, n_in])
    return _finish(rng, x, y, noise)


def make_circles(
    n_samples: int = 1000, noise: float = 0.05, factor: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A unit circle (class 0) around a smaller concentric circle of radius ``factor`` (class 1)."""
    _check("make_circles", n_samples, noise)
    if not 0.0 < factor < 1.0:
        raise UserError(f"make_circles: factor must be between 0 and 1 (exclusive), got {factor!r}.")
    rng = np.random.default_rng(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0.0, 2.0 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0.0, 2.0 * np.pi, n_in, endpoint=False)
    x = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            factor * np.stack([np.cos(t_in), np.sin(t_in)], axis=1),
        ]
    )
    y = np.repeat(np.array([0, 1]), [n_out, n_in])
    return _finish(rng, x, y, noise)


def make_spirals(
    n_samples: int = 900, n_classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` interleaved spiral arms in 2-D (noise perturbs the angle, as in CS231n's toy set)."""
    _check("make_spirals", n_samples, noise)
    if (
        isinstance(n_classes, bool)
        or not isinstance(n_classes, (int, np.integer))
        or not 2 <= n_classes <= n_samples
    ):
        raise UserError(
            f"make_spirals: n_classes must be an integer between 2 and n_samples ({n_samples}), got {n_classes!r}."
        )
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) * n_classes // n_samples  # balanced, sorted class labels
    counts = np.bincount(y, minlength=n_classes)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = (np.arange(n_samples) - starts[y]) / np.maximum(counts[y] - 1, 1)  # 0..1 along each arm
    radius = 0.1 + 0.9 * pos  # arms start off the origin, so classes do not all meet there
    turns = 4.0  # radians swept by each arm
    theta = y * (2.0 * np.pi / n_classes) + pos * turns
    if noise > 0:
        theta = theta + rng.normal(scale=noise, size=n_samples)
    x = radius[:, None] * np.stack([np.sin(theta), np.cos(theta)], axis=1)
    return _finish(rng, x, y, 0.0)


def make_xor(n_samples: int = 1000, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in [-1, 1]²; class 1 where exactly one coordinate is positive, then Gaussian noise."""
    _check("make_xor", n_samples, noise)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(n_samples, 2))
    y = ((x[:, 0] > 0) != (x[:, 1] > 0)).astype(np.int64)
    return _finish(rng, x, y, noise)


def make_regression(
    n_samples: int = 1000, n_features: int = 8, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A linear target ``y = x·w + b + noise·ε`` with x, w, ε standard normal; y float32 (n_samples, 1)."""
    _check("make_regression", n_samples, noise)
    if isinstance(n_features, bool) or not isinstance(n_features, (int, np.integer)) or n_features < 1:
        raise UserError(f"make_regression: n_features must be an integer >= 1, got {n_features!r}.")
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(n_features, 1))
    b = rng.normal()
    x = rng.normal(size=(n_samples, n_features))
    y = x @ w + b
    if noise > 0:
        y = y + rng.normal(scale=noise, size=y.shape)
    return np.ascontiguousarray(x, dtype=np.float32), np.ascontiguousarray(y, dtype=np.float32)
