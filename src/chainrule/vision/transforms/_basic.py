"""Conversions, normalisation and the transforms that combine other transforms."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ... import _dtype
from ..._random import rng
from ..._tensor import Tensor
from . import functional as F
from ._module import TransformModule

__all__ = [
    "Compose", "ToTensor", "PILToTensor", "ToPILImage", "ConvertImageDtype", "Normalize", "Lambda",
    "RandomApply", "RandomChoice", "RandomOrder", "RandomTransforms", "GaussianNoise",
]  # fmt: skip


def _rand() -> float:
    """One uniform draw in [0, 1) from chainrule's default generator (``manual_seed`` fixes it)."""
    return float(rng(None).random())


def _uniform(lo: float, hi: float) -> float:
    return float(lo + (hi - lo) * rng(None).random())


def _randint(lo: int, hi: int) -> int:
    """An integer in [lo, hi)."""
    return int(rng(None).integers(lo, hi))


def _log_uniform(lo: float, hi: float) -> float:
    return math.exp(_uniform(math.log(lo), math.log(hi)))


class Compose:
    """Apply ``transforms`` one after the other."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        self.transforms = transforms

    def __call__(self, img: Any) -> Any:
        """Run the image through every transform in order."""
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        return f"{type(self).__name__}(" + "".join(f"\n    {t}" for t in self.transforms) + "\n)"


class ToTensor:
    """PIL image or H×W×C uint8 ndarray in [0, 255] -> C×H×W float tensor in [0, 1]."""

    def __call__(self, pic: Any) -> Tensor:
        """Convert ``pic``."""
        if isinstance(pic, Tensor):  # chainrule's older transforms accepted tensors; keep them as they are
            return pic
        return F.to_tensor(pic)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class PILToTensor:
    """PIL image -> C×H×W tensor of the image's own dtype (no scaling)."""

    def __call__(self, pic: Any) -> Tensor:
        """Convert ``pic``."""
        return F.pil_to_tensor(pic)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ToPILImage:
    """Tensor (C×H×W) or ndarray (H×W×C) -> PIL image of ``mode`` (inferred when None)."""

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode

    def __call__(self, pic: Any) -> Any:
        """Convert ``pic``."""
        return F.to_pil_image(pic, self.mode)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()" if self.mode is None else f"{type(self).__name__}(mode={self.mode})"


class ConvertImageDtype(TransformModule):
    """Convert a tensor image to ``dtype``, rescaling its values (uint8 255 <-> float 1.0)."""

    def __init__(self, dtype: Any) -> None:
        self.dtype = _dtype.to_dtype(dtype)

    def __call__(self, image: Tensor) -> Tensor:
        """Convert ``image``."""
        return F.convert_image_dtype(image, self.dtype)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Normalize(TransformModule):
    """(x − mean[c]) / std[c] for each channel c of a float (..., C, H, W) tensor."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean, self.std, self.inplace = mean, std, inplace
        if np.any(np.asarray(std, dtype=np.float32) == 0):
            raise ValueError(f"Normalize: std evaluated to zero after conversion to float, leading to division by "
                             f"zero; got std={list(np.atleast_1d(std))}")

    def __call__(self, tensor: Any) -> Tensor:
        """Normalise ``tensor``."""
        if isinstance(tensor, np.ndarray):
            tensor = Tensor._make(tensor)
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


class Lambda:
    """A user function as a transform."""

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        if not callable(lambd):
            raise TypeError(f"Lambda: argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img: Any) -> Any:
        """Apply the function."""
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class RandomTransforms:
    """Base of the transforms that pick among a list of transforms."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        if not isinstance(transforms, Sequence):
            raise TypeError(f"{type(self).__name__}: argument transforms should be a sequence, got {type(transforms).__name__}")
        self.transforms = transforms

    def __repr__(self) -> str:
        return f"{type(self).__name__}(" + "".join(f"\n    {t}" for t in self.transforms) + "\n)"


class RandomApply(RandomTransforms, TransformModule):
    """Apply all of ``transforms`` with probability ``p``, else none."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]], p: float = 0.5) -> None:
        self.transforms, self.p = transforms, p

    def __call__(self, img: Any) -> Any:
        """Maybe apply the transforms."""
        if self.p < _rand():
            return img
        for t in self.transforms:
            img = t(img)
        return img


class RandomOrder(RandomTransforms):
    """Apply ``transforms`` in a random order."""

    def __call__(self, img: Any) -> Any:
        """Apply every transform, shuffled."""
        for i in rng(None).permutation(len(self.transforms)):
            img = self.transforms[int(i)](img)
        return img


class RandomChoice(RandomTransforms):
    """Apply one of ``transforms``, picked with weights ``p`` (uniform when None)."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]], p: Sequence[float] | None = None) -> None:
        super().__init__(transforms)
        if p is not None and not isinstance(p, Sequence):
            raise TypeError(f"RandomChoice: argument p should be a sequence, got {type(p).__name__}")
        self.p = p

    def __call__(self, *args: Any) -> Any:
        """Apply one transform, picked at random."""
        w = np.ones(len(self.transforms)) if self.p is None else np.asarray(self.p, dtype=np.float64)
        i = int(np.searchsorted(np.cumsum(w), _rand() * w.sum(), side="right"))
        return self.transforms[min(i, len(self.transforms) - 1)](*args)


class GaussianNoise:
    """Add N(mean, sigma²) noise to a float tensor image (clipped to [0, 1] when ``clip``)."""

    def __init__(self, mean: float = 0.0, sigma: float = 0.1, clip: bool = True) -> None:
        if sigma < 0:
            raise ValueError(f"GaussianNoise: sigma should be non-negative, got {sigma}")
        self.mean, self.sigma, self.clip = mean, sigma, clip

    def __call__(self, img: Any) -> Tensor:
        """Add the noise."""
        a = img._data if isinstance(img, Tensor) else np.asarray(img)
        if a.dtype.kind != "f":
            raise ValueError(f"GaussianNoise: input must be a floating tensor, got dtype {a.dtype}")
        noise = rng(None).standard_normal(a.shape, dtype=np.float32 if a.dtype == np.float32 else np.float64)
        out = a + (self.mean + self.sigma * noise).astype(a.dtype, copy=False)
        if self.clip:
            np.clip(out, 0.0, 1.0, out=out)
        return Tensor._make(out)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean}, sigma={self.sigma}, clip={self.clip})"
