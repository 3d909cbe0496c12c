"""Image data augmentation as composable transforms (torchvision's names and semantics).

Each transform is a callable on a (..., C, H, W) tensor (or NumPy array) and returns a tensor; the
random ones draw from chainrule's default generator (or ``generator=``), so ``manual_seed`` makes
augmentation reproducible. Wrap a dataset with ``TransformDataset(ds, transform)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..._random import Generator, rng
from ..._tensor import Tensor
from .dataset import Dataset

__all__ = [
    "Compose", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomCrop", "GaussianNoise",
    "Normalize", "ToTensor", "Lambda", "TransformDataset",
]  # fmt: skip


def _array(x: Any) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _check_image(op: str, a: np.ndarray) -> None:
    if a.ndim < 2:
        raise ValueError(f"{op}: expected an image tensor of shape (..., H, W), got shape {list(a.shape)}")


class Compose:
    """Apply transforms one after the other."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = list(transforms)

    def __call__(self, x: Any) -> Any:
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        body = "".join(f"\n    {t}" for t in self.transforms)
        return f"Compose({body}\n)"


class Lambda:
    """A user function as a transform."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn

    def __call__(self, x: Any) -> Any:
        return self.fn(x)


class ToTensor:
    """H×W×C uint8 array in [0, 255] -> C×H×W float32 tensor in [0, 1] (H×W -> 1×H×W)."""

    def __call__(self, pic: Any) -> Tensor:
        a = _array(pic)
        if a.ndim == 2:
            a = a[None]
        elif a.ndim == 3:
            a = a.transpose(2, 0, 1)
        else:
            raise ValueError(f"ToTensor: expected a 2-D or 3-D image, got shape {list(a.shape)}")
        out = a.astype(np.float32)
        if a.dtype == np.uint8:
            out /= 255.0
        return Tensor._make(np.ascontiguousarray(out))


class _RandomFlip:
    axis = -1

    def __init__(self, p: float = 0.5, generator: Generator | None = None) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{type(self).__name__}: p must be in [0, 1], got {p}")
        self.p = p
        self.generator = generator

    def __call__(self, x: Any) -> Tensor:
        a = _array(x)
        _check_image(type(self).__name__, a)
        if rng(self.generator).random() < self.p:
            a = np.flip(a, axis=self.axis).copy()
        return Tensor._make(a)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class RandomHorizontalFlip(_RandomFlip):
    """Mirror left-right with probability ``p``."""

    axis = -1


class RandomVerticalFlip(_RandomFlip):
    """Mirror top-bottom with probability ``p``."""

    axis = -2


class RandomCrop:
    """Pad by ``padding`` (constant ``fill``), then cut a random ``size`` window."""

    def __init__(self, size: int | Sequence[int], padding: int | Sequence[int] | None = None,
                 fill: float = 0, pad_if_needed: bool = False, generator: Generator | None = None) -> None:
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.padding = padding
        self.fill = fill
        self.pad_if_needed = pad_if_needed
        self.generator = generator

    def __call__(self, x: Any) -> Tensor:
        a = _array(x)
        _check_image("RandomCrop", a)
        if self.padding is not None:
            p = self.padding
            left, top, right, bottom = (p, p, p, p) if isinstance(p, int) else (
                (p[0], p[1], p[0], p[1]) if len(p) == 2 else tuple(p))
            widths = [(0, 0)] * (a.ndim - 2) + [(top, bottom), (left, right)]
            a = np.pad(a, widths, constant_values=self.fill)
        th, tw = self.size
        h, w = a.shape[-2:]
        if self.pad_if_needed and (h < th or w < tw):
            widths = [(0, 0)] * (a.ndim - 2) + [(0, max(0, th - h)), (0, max(0, tw - w))]
            a = np.pad(a, widths, constant_values=self.fill)
            h, w = a.shape[-2:]
        if h < th or w < tw:
            raise ValueError(f"RandomCrop: required crop size {(th, tw)} is larger than the input image size {(h, w)}")
        g = rng(self.generator)
        i, j = int(g.integers(0, h - th + 1)), int(g.integers(0, w - tw + 1))
        return Tensor._make(np.ascontiguousarray(a[..., i : i + th, j : j + tw]))

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class GaussianNoise:
    """Add N(mean, sigma²) noise to every pixel (optionally clipped to [0, 1])."""

    def __init__(self, mean: float = 0.0, sigma: float = 0.1, clip: bool = True, generator: Generator | None = None) -> None:
        if sigma < 0:
            raise ValueError(f"GaussianNoise: sigma should be non-negative, got {sigma}")
        self.mean, self.sigma, self.clip, self.generator = mean, sigma, clip, generator

    def __call__(self, x: Any) -> Tensor:
        a = _array(x)
        if a.dtype.kind != "f":
            raise ValueError(f"GaussianNoise: input must be a floating tensor, got dtype {a.dtype}")
        noise = rng(self.generator).standard_normal(a.shape, dtype=np.float32 if a.dtype == np.float32 else np.float64)
        out = a + (self.mean + self.sigma * noise).astype(a.dtype, copy=False)
        if self.clip:
            np.clip(out, 0.0, 1.0, out=out)
        return Tensor._make(out)

    def __repr__(self) -> str:
        return f"GaussianNoise(mean={self.mean}, sigma={self.sigma}, clip={self.clip})"


class Normalize:
    """(x − mean[c]) / std[c] per channel of a (..., C, H, W) tensor."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean = np.asarray(mean, dtype=np.float64)
        self.std = np.asarray(std, dtype=np.float64)
        if np.any(self.std == 0):
            raise ValueError(f"Normalize: std evaluated to zero after conversion to float, leading to division by zero; got std={list(std)}")

    def __call__(self, x: Any) -> Tensor:
        a = _array(x)
        if a.ndim < 3:
            raise ValueError(f"Normalize: expected a tensor image of shape (..., C, H, W), got shape {list(a.shape)}")
        c = a.shape[-3]
        if self.mean.size not in (1, c) or self.std.size not in (1, c):
            raise ValueError(f"Normalize: mean/std have {self.mean.size}/{self.std.size} values but the image has {c} channels")
        dt = a.dtype if a.dtype.kind == "f" else np.float32
        mean = self.mean.astype(dt).reshape(-1, 1, 1)
        std = self.std.astype(dt).reshape(-1, 1, 1)
        return Tensor._make((a.astype(dt, copy=False) - mean) / std)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"


class TransformDataset(Dataset):
    """``dataset`` whose first element of each sample (the input) goes through ``transform``."""

    def __init__(self, dataset: Any, transform: Callable[[Any], Any], target_transform: Callable[[Any], Any] | None = None) -> None:
        self.dataset, self.transform, self.target_transform = dataset, transform, target_transform

    def __getitem__(self, index: int) -> Any:
        sample = self.dataset[index]
        if isinstance(sample, tuple):
            x, *rest = sample
            if self.target_transform is not None and rest:
                rest[0] = self.target_transform(rest[0])
            return (self.transform(x), *rest)
        return self.transform(sample)

    def __len__(self) -> int:
        return len(self.dataset)
