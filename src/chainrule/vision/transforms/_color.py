"""Colour and pixel-value transforms: ColorJitter, Grayscale, GaussianBlur, RandomErasing (with ``get_params``)."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..._random import rng
from ..._tensor import Tensor
from . import functional as F
from ._basic import _log_uniform, _rand, _randint, _uniform
from ._module import TransformModule

__all__ = ["ColorJitter", "Grayscale", "RandomGrayscale", "GaussianBlur", "RandomErasing", "RandomInvert",
           "RandomAutocontrast", "RandomPosterize", "RandomSolarize"]


class ColorJitter(TransformModule):
    """Random brightness, contrast, saturation and hue changes, applied in a random order."""

    def __init__(self, brightness: Any = 0, contrast: Any = 0, saturation: Any = 0, hue: Any = 0) -> None:
        self.brightness = self._check_input(brightness, "brightness")
        self.contrast = self._check_input(contrast, "contrast")
        self.saturation = self._check_input(saturation, "saturation")
        self.hue = self._check_input(hue, "hue", center=0, bound=(-0.5, 0.5), clip_first_on_zero=False)

    @staticmethod
    def _check_input(value: Any, name: str, center: float = 1, bound: tuple[float, float] = (0, float("inf")),
                     clip_first_on_zero: bool = True) -> tuple[float, float] | None:
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f"ColorJitter: if {name} is a single number, it must be non negative, got {value}")
            v = [center - float(value), center + float(value)]
            if clip_first_on_zero:
                v[0] = max(v[0], 0.0)
        elif isinstance(value, (tuple, list)) and len(value) == 2:
            v = [float(value[0]), float(value[1])]
        else:
            raise TypeError(f"ColorJitter: {name} should be a single number or a list/tuple with length 2, got {value!r}")
        if not bound[0] <= v[0] <= v[1] <= bound[1]:
            raise ValueError(f"ColorJitter: {name} values should be between {bound}, but got {v}.")
        return None if v[0] == v[1] == center else (v[0], v[1])

    @staticmethod
    def get_params(brightness: Sequence[float] | None, contrast: Sequence[float] | None,
                   saturation: Sequence[float] | None, hue: Sequence[float] | None) -> tuple[Any, ...]:
        """(order of the 4 adjustments, brightness, contrast, saturation, hue factors; None when unused)."""
        order = Tensor._make(rng(None).permutation(4).astype(np.int64))
        b = None if brightness is None else _uniform(brightness[0], brightness[1])
        c = None if contrast is None else _uniform(contrast[0], contrast[1])
        s = None if saturation is None else _uniform(saturation[0], saturation[1])
        h = None if hue is None else _uniform(hue[0], hue[1])
        return order, b, c, s, h

    def __call__(self, img: Any) -> Any:
        """Jitter ``img``."""
        order, b, c, s, h = self.get_params(self.brightness, self.contrast, self.saturation, self.hue)
        for fn_id in order.tolist():
            if fn_id == 0 and b is not None:
                img = F.adjust_brightness(img, b)
            elif fn_id == 1 and c is not None:
                img = F.adjust_contrast(img, c)
            elif fn_id == 2 and s is not None:
                img = F.adjust_saturation(img, s)
            elif fn_id == 3 and h is not None:
                img = F.adjust_hue(img, h)
        return img

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(brightness={self.brightness}, contrast={self.contrast}, "
                f"saturation={self.saturation}, hue={self.hue})")


class Grayscale(TransformModule):
    """Convert to grayscale with 1 or 3 output channels."""

    def __init__(self, num_output_channels: int = 1) -> None:
        self.num_output_channels = num_output_channels

    def __call__(self, img: Any) -> Any:
        """Convert ``img``."""
        return F.rgb_to_grayscale(img, num_output_channels=self.num_output_channels)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(num_output_channels={self.num_output_channels})"


class RandomGrayscale(TransformModule):
    """Grayscale (keeping the channel count) with probability ``p``."""

    def __init__(self, p: float = 0.1) -> None:
        self.p = p

    def __call__(self, img: Any) -> Any:
        """Maybe convert ``img``."""
        c = F.get_dimensions(img)[0]
        return F.rgb_to_grayscale(img, num_output_channels=c) if _rand() < self.p else img

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class GaussianBlur(TransformModule):
    """Gaussian blur with ``kernel_size`` and a sigma drawn uniformly from ``sigma`` (min, max)."""

    def __init__(self, kernel_size: Any, sigma: Any = (0.1, 2.0)) -> None:
        ks = (int(kernel_size), int(kernel_size)) if isinstance(kernel_size, numbers.Number) else tuple(kernel_size)
        if len(ks) == 1:
            ks = (ks[0], ks[0])
        if len(ks) != 2 or any(k <= 0 or k % 2 == 0 for k in ks):
            raise ValueError(f"GaussianBlur: kernel size value should be an odd and positive number, got {kernel_size}")
        if isinstance(sigma, numbers.Number):
            if sigma <= 0:
                raise ValueError(f"GaussianBlur: if sigma is a single number, it must be positive, got {sigma}")
            sigma = (sigma, sigma)
        elif isinstance(sigma, Sequence) and len(sigma) == 2:
            if not 0.0 < sigma[0] <= sigma[1]:
                raise ValueError(f"GaussianBlur: sigma values should be positive and of the form (min, max), got {sigma}")
        else:
            raise ValueError(f"GaussianBlur: sigma should be a single number or a list/tuple with length 2, got {sigma!r}")
        self.kernel_size, self.sigma = ks, sigma

    @staticmethod
    def get_params(sigma_min: float, sigma_max: float) -> float:
        """A sigma ~ U(sigma_min, sigma_max)."""
        return _uniform(sigma_min, sigma_max)

    def __call__(self, img: Any) -> Any:
        """Blur ``img``."""
        s = self.get_params(self.sigma[0], self.sigma[1])
        return F.gaussian_blur(img, self.kernel_size, [s, s])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kernel_size={self.kernel_size}, sigma={self.sigma})"


class RandomErasing(TransformModule):
    """With probability ``p``, overwrite a random box (area fraction ``scale``, aspect ``ratio``) of a tensor."""

    def __init__(self, p: float = 0.5, scale: Sequence[float] = (0.02, 0.33), ratio: Sequence[float] = (0.3, 3.3),
                 value: Any = 0, inplace: bool = False) -> None:
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError(f"RandomErasing: argument value should be either a number or str or a sequence, got {value!r}")
        if isinstance(value, str) and value != "random":
            raise ValueError(f"RandomErasing: if value is str, it should be 'random', got {value!r}")
        if not isinstance(scale, Sequence) or not isinstance(ratio, Sequence):
            raise TypeError("RandomErasing: scale and ratio should be sequences")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("RandomErasing: scale and ratio should be of kind (min, max)", stacklevel=2)
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError(f"RandomErasing: scale should be between 0 and 1, got {scale}")
        if p < 0 or p > 1:
            raise ValueError(f"RandomErasing: random erasing probability should be between 0 and 1, got {p}")
        self.p, self.scale, self.ratio, self.value, self.inplace = p, scale, ratio, value, inplace

    @staticmethod
    def get_params(img: Tensor, scale: Sequence[float], ratio: Sequence[float],
                   value: Sequence[float] | None = None) -> tuple[int, int, int, int, Any]:
        """(i, j, h, w, v): the box and its contents (normal noise when ``value`` is None); the image if no box fits."""
        c, ih, iw = img.shape[-3], img.shape[-2], img.shape[-1]
        area = ih * iw
        for _ in range(10):
            erase_area = area * _uniform(scale[0], scale[1])
            aspect = _log_uniform(ratio[0], ratio[1])
            h = int(round(math.sqrt(erase_area * aspect)))
            w = int(round(math.sqrt(erase_area / aspect)))
            if not (h < ih and w < iw):
                continue
            if value is None:
                v = Tensor._make(rng(None).standard_normal((c, h, w), dtype=np.float32))
            else:
                v = Tensor._make(np.asarray(value, dtype=np.float32)[:, None, None])
            return _randint(0, ih - h + 1), _randint(0, iw - w + 1), h, w, v
        return 0, 0, ih, iw, img

    def __call__(self, img: Tensor) -> Tensor:
        """Maybe erase a box of ``img``."""
        if _rand() < self.p:
            if isinstance(self.value, (int, float)):
                value = [float(self.value)]
            elif isinstance(self.value, str):
                value = None
            else:
                value = [float(v) for v in self.value]
            if value is not None and len(value) not in (1, img.shape[-3]):
                raise ValueError(f"RandomErasing: if value is a sequence, it should have either a single value or "
                                 f"{img.shape[-3]} (number of input channels), got {len(value)}")
            i, j, h, w, v = self.get_params(img, scale=self.scale, ratio=self.ratio, value=value)
            return F.erase(img, i, j, h, w, v, self.inplace)
        return img

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(p={self.p}, scale={self.scale}, ratio={self.ratio}, value={self.value}, "
                f"inplace={self.inplace})")


class _RandomPixel(TransformModule):
    """Apply ``self._apply`` with probability ``p``."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __call__(self, img: Any) -> Any:
        """Maybe transform ``img``."""
        return self._apply(img) if _rand() < self.p else img

    def _apply(self, img: Any) -> Any:
        return img

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class RandomInvert(_RandomPixel):
    """Invert the colours (max − x) with probability ``p``."""

    def _apply(self, img: Any) -> Any:
        return F.invert(img)


class RandomAutocontrast(_RandomPixel):
    """Stretch each channel's range to the full scale with probability ``p``."""

    def _apply(self, img: Any) -> Any:
        return F.autocontrast(img)


class RandomPosterize(_RandomPixel):
    """Keep ``bits`` bits per channel with probability ``p``."""

    def __init__(self, bits: int, p: float = 0.5) -> None:
        super().__init__(p)
        self.bits = bits

    def _apply(self, img: Any) -> Any:
        return F.posterize(img, self.bits)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(bits={self.bits},p={self.p})"


class RandomSolarize(_RandomPixel):
    """Invert the values at or above ``threshold`` with probability ``p``."""

    def __init__(self, threshold: float, p: float = 0.5) -> None:
        super().__init__(p)
        self.threshold = threshold

    def _apply(self, img: Any) -> Any:
        return F.solarize(img, self.threshold)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(threshold={self.threshold},p={self.p})"
