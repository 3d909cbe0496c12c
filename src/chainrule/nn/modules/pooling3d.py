"""3-d pooling, unpooling and power-average layers: MaxPool3d, AvgPool3d, AdaptiveMaxPool3d,
AdaptiveAvgPool3d, MaxUnpool1d/2d/3d, LPPool1d/2d/3d."""

from __future__ import annotations

from typing import Any

from .. import functional as F
from ..module import Module
from .conv import check_input
from .pooling import _AdaptiveMax, _AdaptivePool, _AvgPoolNd, _MaxPoolNd

__all__ = [
    "MaxPool3d", "AvgPool3d", "AdaptiveMaxPool3d", "AdaptiveAvgPool3d", "MaxUnpool1d", "MaxUnpool2d",
    "MaxUnpool3d", "LPPool1d", "LPPool2d", "LPPool3d",
]  # fmt: skip


class MaxPool3d(_MaxPoolNd):
    """Max over sliding 3-d windows of (N, C, D, H, W) or (C, D, H, W) inputs."""

    _nd = 3


class AvgPool3d(_AvgPoolNd):
    """Mean over sliding 3-d windows of (N, C, D, H, W) or (C, D, H, W) inputs."""

    _nd = 3


class AdaptiveAvgPool3d(_AdaptivePool):
    """Mean over adaptive 3-d windows giving ``output_size`` (int, tuple, None keeps a size)."""

    _nd = 3

    def forward(self, input: Any) -> Any:  # noqa: A002
        """F.adaptive_avg_pool3d(input, output_size)."""
        check_input(self, input, 3)
        return F.adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool3d(_AdaptiveMax):
    """Max over adaptive 3-d windows giving ``output_size``; optionally also the flat argmax indices."""

    _nd = 3


def _ntuple(v: Any, n: int) -> tuple[Any, ...]:
    return tuple(v) if isinstance(v, (list, tuple)) else (v,) * n


class _MaxUnpoolNd(Module):
    _nd = 2

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        nd = self._nd
        self.kernel_size = _ntuple(kernel_size, nd)
        self.stride = _ntuple(stride if stride is not None else kernel_size, nd)
        self.padding = _ntuple(padding, nd)

    def forward(self, input: Any, indices: Any, output_size: Any = None) -> Any:  # noqa: A002
        """Put each value of ``input`` at its ``indices`` position of a zero output (max pooling's partial inverse)."""
        fn = getattr(F, f"max_unpool{self._nd}d")
        return fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)

    def extra_repr(self) -> str:
        """The constructor arguments shown by repr(), as PyTorch prints them."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Partial inverse of MaxPool1d: values back at their argmax positions, zeros elsewhere."""

    _nd = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """Partial inverse of MaxPool2d: values back at their argmax positions, zeros elsewhere."""

    _nd = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """Partial inverse of MaxPool3d: values back at their argmax positions, zeros elsewhere."""

    _nd = 3


class _LPPoolNd(Module):
    _nd = 2

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def forward(self, input: Any) -> Any:  # noqa: A002
        """(Σ_window xᵖ)^(1/p) via F.lp_pool{1,2,3}d."""
        fn = getattr(F, f"lp_pool{self._nd}d")
        return fn(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)

    def extra_repr(self) -> str:
        """The constructor arguments shown by repr(), as PyTorch prints them."""
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")  # fmt: skip


class LPPool1d(_LPPoolNd):
    """Power-average pooling over 1-d windows: f(X) = (Σ_{x∈X} xᵖ)^(1/p)."""

    _nd = 1


class LPPool2d(_LPPoolNd):
    """Power-average pooling over 2-d windows: f(X) = (Σ_{x∈X} xᵖ)^(1/p)."""

    _nd = 2


class LPPool3d(_LPPoolNd):
    """Power-average pooling over 3-d windows: f(X) = (Σ_{x∈X} xᵖ)^(1/p)."""

    _nd = 3
