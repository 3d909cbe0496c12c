"""Patch and rearrangement layers: Unfold, Fold, PixelShuffle, PixelUnshuffle, ChannelShuffle."""

from __future__ import annotations

from typing import Any

from .. import functional as F
from ..module import Module

__all__ = ["Unfold", "Fold", "PixelShuffle", "PixelUnshuffle", "ChannelShuffle"]


class Unfold(Module):
    """Sliding local blocks of (N, C, H, W) as columns (N, C·kh·kw, L) — the public im2col."""

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input: Any) -> Any:  # noqa: A002
        """F.unfold with this layer's geometry."""
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        """The constructor arguments shown by repr(), as PyTorch prints them."""
        return f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, stride={self.stride}"


class Fold(Module):
    """Sum columns (N, C·kh·kw, L) back into an (N, C, *output_size) image — the public col2im."""

    def __init__(self, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Any) -> Any:  # noqa: A002
        """F.fold with this layer's geometry."""
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        """The constructor arguments shown by repr(), as PyTorch prints them."""
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")  # fmt: skip


class PixelShuffle(Module):
    """(*, C·r², H, W) -> (*, C, H·r, W·r) (sub-pixel convolution upsampling)."""

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Any) -> Any:  # noqa: A002
        """F.pixel_shuffle(input, upscale_factor)."""
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        """The constructor arguments shown by repr(), as PyTorch prints them."""
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H·r, W·r) -> (*, C·r², H, W), the inverse of PixelShuffle."""

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Any) -> Any:  # noqa: A002
        """F.pixel_unshuffle(input, downscale_factor)."""
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        """The constructor arguments shown by repr(), as PyTorch prints them."""
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(Module):
    """Interleave the channels of ``groups`` groups (ShuffleNet): (N, g·k, *) channel i·k + j -> j·g + i."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Any) -> Any:  # noqa: A002
        """F.channel_shuffle(input, groups)."""
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        """The constructor arguments shown by repr(), as PyTorch prints them."""
        return f"groups={self.groups}"
