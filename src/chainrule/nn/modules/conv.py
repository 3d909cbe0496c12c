"""Convolution layers: Conv1d/2d/3d, ConvTranspose1d/2d/3d (PyTorch's arguments and init)."""

from __future__ import annotations

import math
from typing import Any

from ... import _creation
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def check_input(layer: Module, input: Any, nd: int, channels: int | None = None) -> None:  # noqa: A002
    """Raise RuntimeError naming ``layer`` when ``input`` has the wrong rank or channel count."""
    shape = tuple(getattr(input, "shape", ()))
    dims = {1: "L", 2: "H, W"}.get(nd, "D, H, W")
    c = "C" if channels is None else str(channels)
    if len(shape) not in (nd + 1, nd + 2):
        hint = f" (add a channel dim with x.unsqueeze(-{nd + 1}))" if len(shape) == nd else ""
        raise RuntimeError(
            f"{layer!r}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input; expected "
            f"[N, {c}, {dims}] or [{c}, {dims}], got {list(shape)}{hint}"
        )
    if channels is not None and shape[-nd - 1] != channels:
        hint = ("; the data looks channels-last: use x.permute(0, 3, 1, 2)" if nd == 2 and shape[-1] == channels
                else "; the previous layer's output channels must equal this layer's in_channels")  # fmt: skip
        raise RuntimeError(
            f"{layer!r}: wrong number of input channels; expected [N, {c}, {dims}] or [{c}, {dims}], "
            f"got {list(shape)}{hint}"
        )


def _ntuple(v: Any, n: int) -> tuple[Any, ...]:
    if isinstance(v, (list, tuple)):
        return tuple(v) if len(v) != 1 else tuple(v) * n
    return (v,) * n


class _ConvNd(Module):
    """Shared constructor, parameters, ``reset_parameters`` and ``extra_repr`` of the conv layers."""

    _nd = 2
    _fn: Any = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any, padding: Any,
                 dilation: Any, transposed: bool, output_padding: Any, groups: int, bias: bool,
                 padding_mode: str, device: Any = None, dtype: Any = None) -> None:  # fmt: skip
        super().__init__()
        nd, name = self._nd, type(self).__name__
        if not isinstance(groups, int) or groups <= 0:
            raise ValueError(f"{name}: groups must be a positive integer; expected groups >= 1, got {groups}")
        if in_channels % groups != 0:
            raise ValueError(f"{name}: in_channels must be divisible by groups; expected a multiple of {groups}, got in_channels={in_channels}")  # fmt: skip
        if out_channels % groups != 0:
            raise ValueError(f"{name}: out_channels must be divisible by groups; expected a multiple of {groups}, got out_channels={out_channels}")  # fmt: skip
        kernel_size, stride, dilation = _ntuple(kernel_size, nd), _ntuple(stride, nd), _ntuple(dilation, nd)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: Invalid padding string {padding!r}, should be one of {{'same', 'valid'}}; got {padding!r}")  # fmt: skip
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError(f"{name}: padding='same' is not supported for strided convolutions; expected stride 1, got stride={stride}")  # fmt: skip
        else:
            padding = _ntuple(padding, nd)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"{name}: padding_mode must be one of {{'reflect', 'replicate', 'circular', 'zeros'}}, but got "
                f"padding_mode='{padding_mode}'"
            )
        if min(kernel_size) <= 0:
            raise ValueError(f"{name}: kernel_size must be positive; expected > 0, got {kernel_size}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding, self.dilation = kernel_size, stride, padding, dilation
        self.transposed, self.output_padding = transposed, _ntuple(output_padding, nd)
        self.groups, self.padding_mode = groups, padding_mode
        if isinstance(padding, str):
            rev = [0, 0] * nd
            if padding == "same":
                for d, k, i in zip(dilation, kernel_size, range(nd - 1, -1, -1)):
                    total = d * (k - 1)
                    rev[2 * i], rev[2 * i + 1] = total // 2, total - total // 2
            self._reversed_padding_repeated_twice = rev
        else:
            self._reversed_padding_repeated_twice = tuple(p for p in reversed(padding) for _ in range(2))
        shape = (in_channels, out_channels // groups) if transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(_creation.empty(*shape, *kernel_size, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(_creation.empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """weight ~ kaiming_uniform_(a=√5), bias ~ U(−1/√fan_in, 1/√fan_in), as PyTorch."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        nd = self._nd
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * nd:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

    def _check(self, input: Any) -> None:  # noqa: A002
        check_input(self, input, self._nd, self.in_channels)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        if not hasattr(self, "padding_mode"):
            self.padding_mode = "zeros"


class _Conv(_ConvNd):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:  # fmt: skip
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, False,
                         0, groups, bias, padding_mode, device, dtype)  # fmt: skip

    def _conv_forward(self, input: Any, weight: Any, bias: Any) -> Any:  # noqa: A002
        fn = getattr(F, f"conv{self._nd}d")
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return fn(padded, weight, bias, self.stride, 0, self.dilation, self.groups)
        return fn(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input: Any) -> Any:  # noqa: A002
        self._check(input)
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-D convolution over (N, C_in, L) or (C_in, L) inputs: out = bias + Σ weight ⋆ input."""

    _nd = 1


class Conv2d(_Conv):
    """2-D convolution over (N, C_in, H, W) or (C_in, H, W) inputs: out = bias + Σ weight ⋆ input.

    Example:
        >>> import chainrule as cr
        >>> conv = cr.nn.Conv2d(1, 8, 3, padding=1)
        >>> conv(cr.zeros(64, 1, 28, 28)).shape
        chainrule.Size([64, 8, 28, 28])
    """

    _nd = 2


class Conv3d(_Conv):
    """3-D convolution over (N, C_in, D, H, W) or (C_in, D, H, W) inputs: out = bias + Σ weight ⋆ input."""

    _nd = 3


class _ConvTranspose(_ConvNd):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:  # fmt: skip
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}; got padding_mode={padding_mode!r}')  # fmt: skip
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, True,
                         output_padding, groups, bias, padding_mode, device, dtype)  # fmt: skip

    def _output_padding(self, input: Any, output_size: Any) -> tuple[int, ...]:  # noqa: A002
        """The output_padding that makes the output ``output_size`` (PyTorch's rule), else self.output_padding."""
        if output_size is None or isinstance(self.padding, str):
            return self.output_padding
        nd = self._nd
        size = list(output_size)[-nd:]
        if len(size) != nd:
            raise ValueError(f"{self!r}: output_size must have {nd} or {nd + 2} elements; got {list(output_size)}")
        spatial = input.shape[-nd:]
        pads = []
        for d in range(nd):
            lo = (spatial[d] - 1) * self.stride[d] - 2 * self.padding[d] + self.dilation[d] * (self.kernel_size[d] - 1) + 1
            hi = lo + self.stride[d] - 1
            if not lo <= size[d] <= hi:
                raise ValueError(
                    f"{self!r}: requested an output size of {size}, but valid sizes range from "
                    f"{lo} to {hi} (for an input of {list(spatial)}); expected a size in that range, got {size[d]}"
                )
            pads.append(size[d] - lo)
        return tuple(pads)

    def forward(self, input: Any, output_size: Any = None) -> Any:  # noqa: A002
        self._check(input)
        fn = getattr(F, f"conv_transpose{self._nd}d")
        op = self._output_padding(input, output_size)
        return fn(input, self.weight, self.bias, self.stride, self.padding, op, self.groups, self.dilation)


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution ("deconvolution") over (N, C_in, L) or (C_in, L) inputs."""

    _nd = 1


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution ("deconvolution") over (N, C_in, H, W) or (C_in, H, W) inputs."""

    _nd = 2


class ConvTranspose3d(_ConvTranspose):
    """3-D transposed convolution ("deconvolution") over (N, C_in, D, H, W) or (C_in, D, H, W) inputs."""

    _nd = 3
