"""``finfo`` / ``iinfo``: the numerical limits of a dtype, with PyTorch's field names."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _dtype

__all__ = ["finfo", "iinfo"]


class finfo:  # noqa: N801 - PyTorch's name
    """Limits of a floating dtype (the default dtype if none is given).

    Fields: ``bits``, ``eps`` (1.0's distance to the next number), ``max``, ``min`` (= −max),
    ``tiny`` = ``smallest_normal``, ``resolution`` (10^−precision) and ``dtype`` (its name), all Python
    numbers. ``finfo(chainrule.bfloat16)`` describes float32, chainrule's stand-in for bfloat16.
    """

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")

    def __init__(self, type: Any = None) -> None:  # noqa: A002
        dt = _dtype.get_default_dtype() if type is None else _dtype.to_dtype(type, "finfo")
        if not dt.is_floating_point:
            raise TypeError(f"chainrule.finfo() requires a floating point input type; got {dt}. "
                            f"Use chainrule.iinfo to handle {dt}")
        info = np.finfo(dt.np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = dt.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __hash__(self) -> int:
        return hash(("finfo", self.dtype))

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801 - PyTorch's name
    """Limits of an integer dtype: ``bits``, ``max``, ``min`` (Python ints) and ``dtype`` (its name)."""

    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, type: Any) -> None:  # noqa: A002
        dt = _dtype.to_dtype(type, "iinfo")
        if dt is _dtype.bool:
            raise TypeError("chainrule.bool is not supported by chainrule.iinfo; expected an integer dtype")
        if dt.is_floating_point:
            raise TypeError(f"chainrule.iinfo() requires an integer input type; got {dt}. "
                            f"Use chainrule.finfo to handle {dt}")
        info = np.iinfo(dt.np)
        self.bits, self.max, self.min, self.dtype = int(info.bits), int(info.max), int(info.min), dt.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __hash__(self) -> int:
        return hash(("iinfo", self.dtype))

    def __repr__(self) -> str:
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"
