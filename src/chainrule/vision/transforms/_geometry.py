"""Geometric transforms: resize, crops, flips, padding, rotation and affine maps (with ``get_params``)."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

from ..._tensor import Tensor
from . import functional as F
from ._basic import _log_uniform, _rand, _randint, _uniform
from ._mode import InterpolationMode, as_mode
from ._module import TransformModule

__all__ = [
    "Resize", "CenterCrop", "Pad", "RandomCrop", "RandomResizedCrop", "RandomHorizontalFlip",
    "RandomVerticalFlip", "FiveCrop", "TenCrop", "RandomRotation", "RandomAffine",
]  # fmt: skip


def _size(size: Any, op: str) -> tuple[int, int]:
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return size[0], size[0]
    if not isinstance(size, Sequence) or len(size) != 2:
        raise ValueError(f"{op}: please provide only two dimensions (h, w) for size, got {size!r}")
    return tuple(size)  # type: ignore[return-value]


def _angles(x: Any, name: str, op: str, sizes: tuple[int, ...] = (2,)) -> list[float]:
    if isinstance(x, numbers.Number):
        if x < 0:
            raise ValueError(f"{op}: if {name} is a single number, it must be positive, got {x}")
        return [-float(x), float(x)]
    _seq(x, name, op, sizes)
    return [float(d) for d in x]


def _seq(x: Any, name: str, op: str, sizes: tuple[int, ...]) -> None:
    want = " or ".join(str(s) for s in sizes)
    if not isinstance(x, Sequence):
        raise TypeError(f"{op}: {name} should be a sequence of length {want}, got {type(x).__name__}")
    if len(x) not in sizes:
        raise ValueError(f"{op}: {name} should be a sequence of length {want}, got length {len(x)}")


def _fill(fill: Any, op: str) -> Any:
    if fill is None:
        return 0
    if not isinstance(fill, (Sequence, numbers.Number)):
        raise TypeError(f"{op}: fill should be either a sequence or a number, got {type(fill).__name__}")
    return fill


class Resize(TransformModule):
    """Resize to ``size`` ((h, w), or the shorter edge when an int, the aspect ratio kept)."""

    def __init__(self, size: Any, interpolation: Any = InterpolationMode.BILINEAR, max_size: int | None = None,
                 antialias: bool | None = True) -> None:
        if not isinstance(size, (int, Sequence)):
            raise TypeError(f"Resize: size should be int or sequence, got {type(size).__name__}")
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError(f"Resize: if size is a sequence, it should have 1 or 2 values, got {len(size)}")
        self.size, self.max_size, self.antialias = size, max_size, antialias
        self.interpolation = as_mode(interpolation, "Resize")

    def __call__(self, img: Any) -> Any:
        """Resize ``img``."""
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(size={self.size}, interpolation={self.interpolation.value}, "
                f"max_size={self.max_size}, antialias={self.antialias})")


class CenterCrop(TransformModule):
    """The central ``size`` box (zero-padded first if the image is smaller)."""

    def __init__(self, size: Any) -> None:
        self.size = _size(size, "CenterCrop")

    def __call__(self, img: Any) -> Any:
        """Crop ``img``."""
        return F.center_crop(img, self.size)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size})"


class Pad(TransformModule):
    """Pad with ``fill`` (constant) or by edge / reflect / symmetric continuation."""

    def __init__(self, padding: Any, fill: Any = 0, padding_mode: str = "constant") -> None:
        if not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError(f"Pad: got inappropriate padding arg {padding!r}")
        if not isinstance(fill, (numbers.Number, tuple, list)):
            raise TypeError(f"Pad: got inappropriate fill arg {fill!r}")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(f"Pad: padding mode should be either constant, edge, reflect or symmetric, got {padding_mode!r}")
        if isinstance(padding, Sequence) and len(padding) not in (1, 2, 4):
            raise ValueError(f"Pad: padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def __call__(self, img: Any) -> Any:
        """Pad ``img``."""
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode})"


class RandomCrop(TransformModule):
    """A random ``size`` window, after optional padding (and padding up to ``size`` if ``pad_if_needed``)."""

    def __init__(self, size: Any, padding: Any = None, pad_if_needed: bool = False, fill: Any = 0,
                 padding_mode: str = "constant") -> None:
        self.size = tuple(_size(size, "RandomCrop"))
        self.padding, self.pad_if_needed, self.fill, self.padding_mode = padding, pad_if_needed, fill, padding_mode

    @staticmethod
    def get_params(img: Any, output_size: tuple[int, int]) -> tuple[int, int, int, int]:
        """(top, left, height, width) of a uniformly placed ``output_size`` window."""
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f"RandomCrop: required crop size {(th, tw)} is larger than the input image size {(h, w)}")
        if w == tw and h == th:
            return 0, 0, h, w
        return _randint(0, h - th + 1), _randint(0, w - tw + 1), th, tw

    def __call__(self, img: Any) -> Any:
        """Crop ``img``."""
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, h, w = F.get_dimensions(img)
        if self.pad_if_needed and w < self.size[1]:
            img = F.pad(img, [self.size[1] - w, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and h < self.size[0]:
            img = F.pad(img, [0, self.size[0] - h], self.fill, self.padding_mode)
        i, j, th, tw = self.get_params(img, self.size)
        return F.crop(img, i, j, th, tw)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


class RandomResizedCrop(TransformModule):
    """A random box (area fraction in ``scale``, aspect ratio in ``ratio``) resized to ``size``."""

    def __init__(self, size: Any, scale: Sequence[float] = (0.08, 1.0), ratio: Sequence[float] = (3.0 / 4.0, 4.0 / 3.0),
                 interpolation: Any = InterpolationMode.BILINEAR, antialias: bool | None = True) -> None:
        self.size = _size(size, "RandomResizedCrop")
        if not isinstance(scale, Sequence) or not isinstance(ratio, Sequence):
            raise TypeError("RandomResizedCrop: scale and ratio should be sequences")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn("RandomResizedCrop: scale and ratio should be of kind (min, max)", stacklevel=2)
        self.interpolation = as_mode(interpolation, "RandomResizedCrop")
        self.antialias, self.scale, self.ratio = antialias, scale, ratio

    @staticmethod
    def get_params(img: Any, scale: Sequence[float], ratio: Sequence[float]) -> tuple[int, int, int, int]:
        """(top, left, height, width): up to 10 tries of area·U(scale) with log-uniform ratio, else a central crop."""
        _, height, width = F.get_dimensions(img)
        area = height * width
        for _ in range(10):
            target = area * _uniform(scale[0], scale[1])
            aspect = _log_uniform(ratio[0], ratio[1])
            w = int(round(math.sqrt(target * aspect)))
            h = int(round(math.sqrt(target / aspect)))
            if 0 < w <= width and 0 < h <= height:
                return _randint(0, height - h + 1), _randint(0, width - w + 1), h, w
        in_ratio = float(width) / float(height)
        if in_ratio < min(ratio):
            w, h = width, int(round(width / min(ratio)))
        elif in_ratio > max(ratio):
            h, w = height, int(round(height * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def __call__(self, img: Any) -> Any:
        """Crop and resize ``img``."""
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, i, j, h, w, self.size, self.interpolation, antialias=self.antialias)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(size={self.size}, scale={tuple(round(s, 4) for s in self.scale)}, "
                f"ratio={tuple(round(r, 4) for r in self.ratio)}, interpolation={self.interpolation.value}, "
                f"antialias={self.antialias})")


class _RandomFlip(TransformModule):
    def __init__(self, p: float = 0.5) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{type(self).__name__}: p must be in [0, 1], got {p}")
        self.p = p

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class RandomHorizontalFlip(_RandomFlip):
    """Mirror left-right with probability ``p``."""

    def __call__(self, img: Any) -> Any:
        """Maybe flip ``img``."""
        return F.hflip(_as_image(img)) if _rand() < self.p else _as_image(img)


class RandomVerticalFlip(_RandomFlip):
    """Mirror top-bottom with probability ``p``."""

    def __call__(self, img: Any) -> Any:
        """Maybe flip ``img``."""
        return F.vflip(_as_image(img)) if _rand() < self.p else _as_image(img)


def _as_image(img: Any) -> Any:
    import numpy as np

    return Tensor._make(img) if isinstance(img, np.ndarray) else img


class FiveCrop(TransformModule):
    """The four corner crops and the central crop of ``size``, as a tuple."""

    def __init__(self, size: Any) -> None:
        self.size = _size(size, "FiveCrop")

    def __call__(self, img: Any) -> tuple[Any, ...]:
        """Crop ``img`` five ways."""
        return F.five_crop(img, self.size)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size})"


class TenCrop(TransformModule):
    """FiveCrop of the image and of its mirror image."""

    def __init__(self, size: Any, vertical_flip: bool = False) -> None:
        self.size, self.vertical_flip = _size(size, "TenCrop"), vertical_flip

    def __call__(self, img: Any) -> tuple[Any, ...]:
        """Crop ``img`` ten ways."""
        return F.ten_crop(img, self.size, self.vertical_flip)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, vertical_flip={self.vertical_flip})"


def _tensor_fill(img: Any, fill: Any) -> Any:
    if isinstance(img, Tensor):
        c = F.get_dimensions(img)[0]
        return [float(fill)] * c if isinstance(fill, (int, float)) else [float(f) for f in fill]
    return fill


class RandomRotation(TransformModule):
    """Rotate by an angle drawn uniformly from ``degrees`` ((−d, d) for a number)."""

    def __init__(self, degrees: Any, interpolation: Any = InterpolationMode.NEAREST, expand: bool = False,
                 center: Sequence[int] | None = None, fill: Any = 0) -> None:
        self.interpolation = as_mode(interpolation, "RandomRotation")
        self.degrees = _angles(degrees, "degrees", "RandomRotation")
        if center is not None:
            _seq(center, "center", "RandomRotation", (2,))
        self.center, self.expand, self.fill = center, expand, _fill(fill, "RandomRotation")

    @staticmethod
    def get_params(degrees: Sequence[float]) -> float:
        """An angle ~ U(degrees[0], degrees[1])."""
        return _uniform(float(degrees[0]), float(degrees[1]))

    def __call__(self, img: Any) -> Any:
        """Rotate ``img``."""
        fill = _tensor_fill(img, self.fill)
        angle = self.get_params(self.degrees)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, fill)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(degrees={self.degrees}, interpolation={self.interpolation.value}, "
                f"expand={self.expand}, fill={self.fill})")


class RandomAffine(TransformModule):
    """Random rotation, translation (fractions of the size), scale and shear, applied about the centre."""

    def __init__(self, degrees: Any, translate: Sequence[float] | None = None, scale: Sequence[float] | None = None,
                 shear: Any = None, interpolation: Any = InterpolationMode.NEAREST, fill: Any = 0,
                 center: Sequence[int] | None = None) -> None:
        self.interpolation = as_mode(interpolation, "RandomAffine")
        self.degrees = _angles(degrees, "degrees", "RandomAffine")
        if translate is not None:
            _seq(translate, "translate", "RandomAffine", (2,))
            if not all(0.0 <= t <= 1.0 for t in translate):
                raise ValueError(f"RandomAffine: translation values should be between 0 and 1, got {translate}")
        if scale is not None:
            _seq(scale, "scale", "RandomAffine", (2,))
            if any(s <= 0 for s in scale):
                raise ValueError(f"RandomAffine: scale values should be positive, got {scale}")
        self.translate, self.scale = translate, scale
        self.shear = None if shear is None else _angles(shear, "shear", "RandomAffine", (2, 4))
        self.fill = _fill(fill, "RandomAffine")
        if center is not None:
            _seq(center, "center", "RandomAffine", (2,))
        self.center = center

    @staticmethod
    def get_params(degrees: Sequence[float], translate: Sequence[float] | None, scale_ranges: Sequence[float] | None,
                   shears: Sequence[float] | None, img_size: Sequence[int]) -> tuple[float, tuple[int, int], float, tuple[float, float]]:
        """(angle, (tx, ty), scale, (shear_x, shear_y)) drawn uniformly from the given ranges."""
        angle = _uniform(float(degrees[0]), float(degrees[1]))
        if translate is not None:
            dx, dy = float(translate[0] * img_size[0]), float(translate[1] * img_size[1])
            translations = (int(round(_uniform(-dx, dx))), int(round(_uniform(-dy, dy))))
        else:
            translations = (0, 0)
        scale = _uniform(scale_ranges[0], scale_ranges[1]) if scale_ranges is not None else 1.0
        sx = sy = 0.0
        if shears is not None:
            sx = _uniform(shears[0], shears[1])
            if len(shears) == 4:
                sy = _uniform(shears[2], shears[3])
        return angle, translations, scale, (sx, sy)

    def __call__(self, img: Any) -> Any:
        """Transform ``img``."""
        fill = _tensor_fill(img, self.fill)
        _, h, w = F.get_dimensions(img)
        ret = self.get_params(self.degrees, self.translate, self.scale, self.shear, [w, h])
        return F.affine(img, *ret, interpolation=self.interpolation, fill=fill, center=self.center)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(degrees={self.degrees}, translate={self.translate}, scale={self.scale}, "
                f"shear={self.shear}, interpolation={self.interpolation.value})")
