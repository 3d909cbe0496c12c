"""Padding layers: Zero/Constant/Reflection/Replication/CircularPad in 1-, 2- and 3-d (thin wrappers of ``F.pad``)."""

from __future__ import annotations

from typing import Any

from .. import functional as F
from ..module import Module

__all__ = [
    "ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
    "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
    "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d",
]  # fmt: skip


def _padding(name: str, padding: Any, nd: int) -> tuple[int, ...]:
    """An int repeated to 2·nd sizes, or a tuple of exactly 2·nd ints (left, right, top, bottom, front, back)."""
    if isinstance(padding, (list, tuple)):
        if len(padding) != 2 * nd:
            raise ValueError(f"{name}: padding must be an int or a tuple of {2 * nd} ints; expected {2 * nd} values, got {tuple(padding)}")  # fmt: skip
        return tuple(int(p) for p in padding)
    if isinstance(padding, bool) or not isinstance(padding, int):
        raise TypeError(f"{name}: padding must be an int or a tuple of {2 * nd} ints; got {type(padding).__name__}")
    return (int(padding),) * (2 * nd)


class _PadNd(Module):
    """Pad the last ``nd`` dims of an input with F.pad in ``mode``."""

    _nd = 1
    _mode = "constant"

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _padding(type(self).__name__, padding, self._nd)

    def forward(self, input: Any) -> Any:  # noqa: A002
        """F.pad(input, self.padding, mode)."""
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        """The constructor arguments shown by repr(), as PyTorch prints them."""
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    """Pad with a constant ``value``."""

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Any) -> Any:  # noqa: A002
        """F.pad(input, self.padding, 'constant', self.value)."""
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        """The constructor arguments shown by repr(), as PyTorch prints them."""
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim of (N, C, W) / (C, W) with ``value``: padding = (left, right) or an int."""

    _nd = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dims with ``value``: padding = (left, right, top, bottom) or an int."""

    _nd = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dims with ``value``: padding = (left, right, top, bottom, front, back) or an int."""

    _nd = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        """The constructor arguments shown by repr(), as PyTorch prints them."""
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    """Pad the last dim with zeros: padding = (left, right) or an int."""

    _nd = 1


class ZeroPad2d(_ZeroPadNd):
    """Pad the last 2 dims with zeros: padding = (left, right, top, bottom) or an int."""

    _nd = 2


class ZeroPad3d(_ZeroPadNd):
    """Pad the last 3 dims with zeros: padding = (left, right, top, bottom, front, back) or an int."""

    _nd = 3


class ReflectionPad1d(_PadNd):
    """Pad the last dim with its mirror image, the edge not repeated: [a b c] -> [c b | a b c | b a]."""

    _nd, _mode = 1, "reflect"


class ReflectionPad2d(_PadNd):
    """Mirror-pad the last 2 dims (edge not repeated)."""

    _nd, _mode = 2, "reflect"


class ReflectionPad3d(_PadNd):
    """Mirror-pad the last 3 dims (edge not repeated)."""

    _nd, _mode = 3, "reflect"


class ReplicationPad1d(_PadNd):
    """Pad the last dim by repeating its edge values: [a b c] -> [a a | a b c | c c]."""

    _nd, _mode = 1, "replicate"


class ReplicationPad2d(_PadNd):
    """Pad the last 2 dims by repeating the edge values."""

    _nd, _mode = 2, "replicate"


class ReplicationPad3d(_PadNd):
    """Pad the last 3 dims by repeating the edge values."""

    _nd, _mode = 3, "replicate"


class CircularPad1d(_PadNd):
    """Pad the last dim by wrapping around: [a b c] -> [b c | a b c | a b]."""

    _nd, _mode = 1, "circular"


class CircularPad2d(_PadNd):
    """Pad the last 2 dims by wrapping around (periodic boundary)."""

    _nd, _mode = 2, "circular"


class CircularPad3d(_PadNd):
    """Pad the last 3 dims by wrapping around (periodic boundary)."""

    _nd, _mode = 3, "circular"
