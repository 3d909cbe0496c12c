"""``BatchNorm3d`` and ``InstanceNorm3d``: the 5-D members of the batch/instance norm families."""

from __future__ import annotations

from ..._tensor import Tensor
from .normalization import _BatchNorm, _InstanceNorm

__all__ = ["BatchNorm3d", "InstanceNorm3d"]


class BatchNorm3d(_BatchNorm):
    """Batch normalization of (N, C, D, H, W) input over batch and spatial dims per channel."""

    def _check_input_dim(self, input: Tensor) -> None:  # noqa: A002
        if input.dim() != 5:
            raise ValueError(
                f"{self!r}: expected 5D input (got {input.dim()}D input of shape {list(input.shape)}); "
                "BatchNorm3d takes (N, C, D, H, W)"
            )


class InstanceNorm3d(_InstanceNorm):
    """Normalize each (sample, channel) of (N, C, D, H, W) or (C, D, H, W) input over its spatial dims."""

    _expected_dim = 5
