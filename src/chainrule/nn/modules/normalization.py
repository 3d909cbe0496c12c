"""Normalization layers: LayerNorm, RMSNorm, BatchNorm1d/2d, GroupNorm, InstanceNorm1d/2d.

Constructor arguments, attribute names, buffers (``running_mean``, ``running_var``,
``num_batches_tracked``), state_dict keys, initialization and ``extra_repr`` are PyTorch's.
Errors raised by the functional ops are re-raised naming the layer (its repr).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Sequence
from typing import Any

from ... import _creation, _dtype
from ..._tensor import Tensor
from .. import init
from ..functional import norm as F
from ..module import Module
from ..parameter import Parameter

__all__ = ["LayerNorm", "RMSNorm", "BatchNorm1d", "BatchNorm2d", "GroupNorm", "InstanceNorm1d", "InstanceNorm2d"]


def _named(layer: Module, err: Exception, op: str) -> Exception:
    """``err`` re-created with the layer's repr in place of the functional op's name."""
    msg = str(err)
    if msg.startswith(op + ": "):
        msg = msg[len(op) + 2:]
    return type(err)(f"{layer!r}: {msg}")


def _shape(normalized_shape: int | Sequence[int]) -> tuple[int, ...]:
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    return tuple(int(s) for s in normalized_shape)


def _affine(layer: Module, shape: Any, affine: bool, bias: bool, device: Any, dtype: Any) -> None:
    """Register ``weight`` (γ) and ``bias`` (β) of ``shape``, or ``None`` placeholders (PyTorch's keys)."""
    if affine:
        layer.weight = Parameter(_creation.empty(shape, device=device, dtype=dtype))
    else:
        layer.register_parameter("weight", None)
    if affine and bias:
        layer.bias = Parameter(_creation.empty(shape, device=device, dtype=dtype))
    else:
        layer.register_parameter("bias", None)


def _reset_affine(layer: Module) -> None:
    """γ = 1, β = 0."""
    if layer.weight is not None:
        init.ones_(layer.weight)
    if getattr(layer, "bias", None) is not None:
        init.zeros_(layer.bias)


class LayerNorm(Module):
    """Normalize over the trailing ``normalized_shape`` dims, then a learned elementwise affine map.

    Example:
        >>> import chainrule as cr
        >>> ln = cr.nn.LayerNorm(4)
        >>> ln(cr.randn(2, 3, 4)).shape
        chainrule.Size([2, 3, 4])
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine(self, self.normalized_shape, elementwise_affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """γ = 1, β = 0."""
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        try:
            return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)
        except (RuntimeError, ValueError) as e:
            raise _named(self, e, "layer_norm") from None

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
            f"bias={self.bias is not None}"
        )


class RMSNorm(Module):
    """Root-mean-square normalization over the trailing dims (``eps=None``: the dtype's eps)."""

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(_creation.empty(self.normalized_shape, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """γ = 1 (when ``elementwise_affine``)."""
        if self.elementwise_affine:
            init.ones_(self.weight)

    def forward(self, x: Tensor) -> Tensor:
        try:
            return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)
        except (RuntimeError, ValueError) as e:
            raise _named(self, e, "rms_norm") from None

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class _NormBase(Module):
    """Shared state of batch and instance norm: affine parameters and running statistics."""

    _version = 2

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _affine(self, num_features, affine, bias, device, dtype)
        if track_running_stats:
            self.register_buffer("running_mean", _creation.zeros(num_features, device=device, dtype=dtype))
            self.register_buffer("running_var", _creation.ones(num_features, device=device, dtype=dtype))
            self.register_buffer("num_batches_tracked", _creation.tensor(0, dtype=_dtype.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean = 0, running variance = 1, ``num_batches_tracked`` = 0 (when tracked)."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """``reset_running_stats()``, then γ = 1, β = 0."""
        self.reset_running_stats()
        _reset_affine(self)

    def _check_input_dim(self, input: Tensor) -> None:
        raise NotImplementedError

    def _check_channels(self, input: Tensor, dim: int) -> None:
        shape = tuple(input.shape)
        if (self.weight is not None or self.running_mean is not None) and shape[dim] != self.num_features:
            raise RuntimeError(
                f"{self!r}: expected input with {self.num_features} channels (num_features) in dim {dim}, "
                f"got input of shape {list(shape)}; running_mean should contain {shape[dim]} elements "
                f"not {self.num_features}"
            )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class _BatchNorm(_NormBase):
    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self._check_input_dim(input)
        self._check_channels(input, 1)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            nbt = self.num_batches_tracked
            nbt._data += 1
            nbt._bump_version()
            factor = 1.0 / float(nbt._data) if self.momentum is None else self.momentum
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        use_buffers = not self.training or self.track_running_stats
        try:
            return F.batch_norm(
                input,
                self.running_mean if use_buffers else None,
                self.running_var if use_buffers else None,
                self.weight,
                self.bias,
                bn_training,
                factor,
                self.eps,
            )
        except (RuntimeError, ValueError) as e:
            raise _named(self, e, "batch_norm") from None


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) input over the batch (and length) per channel."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(
                f"{self!r}: expected 2D or 3D input (got {input.dim()}D input of shape {list(input.shape)}); "
                "BatchNorm1d takes (N, C) or (N, C, L)"
            )


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) input over batch and spatial dims per channel."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 4:
            raise ValueError(
                f"{self!r}: expected 4D input (got {input.dim()}D input of shape {list(input.shape)}); "
                "BatchNorm2d takes (N, C, H, W)"
            )


class GroupNorm(Module):
    """Normalize each group of ``num_channels // num_groups`` channels per sample, then per-channel affine."""

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine(self, num_channels, affine, bias, device, dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """γ = 1, β = 0."""
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        try:
            return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)
        except (RuntimeError, ValueError) as e:
            raise _named(self, e, "group_norm") from None

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


class _InstanceNorm(_NormBase):
    _expected_dim = 3

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        d = self._expected_dim
        if input.dim() not in (d - 1, d):
            raise ValueError(
                f"{self!r}: expected {d - 1}D or {d}D input (got {input.dim()}D input of shape "
                f"{list(input.shape)})"
            )
        unbatched = input.dim() == d - 1
        fdim = 0 if unbatched else 1
        if input.shape[fdim] != self.num_features:
            msg = (
                f"{self!r}: expected input's size at dim={fdim} to match num_features "
                f"({self.num_features}), but got: {input.shape[fdim]} (input of shape {list(input.shape)})."
            )
            if self.affine:
                raise ValueError(msg)
            warnings.warn(msg + " num_features is not used because affine=False", stacklevel=2)
        if unbatched:
            input = input.unsqueeze(0)
        try:
            out = F.instance_norm(
                input, self.running_mean, self.running_var, self.weight, self.bias,
                self.training or not self.track_running_stats, 0.0 if self.momentum is None else self.momentum,
                self.eps,
            )  # fmt: skip
        except (RuntimeError, ValueError) as e:
            raise _named(self, e, "instance_norm") from None
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Normalize each (sample, channel) of (N, C, L) or (C, L) input over its length."""

    _expected_dim = 3


class InstanceNorm2d(_InstanceNorm):
    """Normalize each (sample, channel) of (N, C, H, W) or (C, H, W) input over its spatial dims."""

    _expected_dim = 4
