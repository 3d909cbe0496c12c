"""Affine layers: ``Identity``, ``Linear`` (y = x Wᵀ + b) and ``Bilinear`` (y = x1ᵀ A x2 + b)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..._creation import empty
from ..._tensor import Tensor
from ...ops._util import shape_str
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter

__all__ = ["Identity", "Linear", "Bilinear"]


class Identity(Module):
    """Returns its input unchanged; accepts (and ignores) any constructor arguments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input


class Linear(Module):
    """y = x Wᵀ + b for input (*, in_features): weight (out_features, in_features), bias (out_features,).

    Default init as PyTorch: W ~ kaiming_uniform(a=√5) = U(−1/√in, 1/√in), b ~ U(−1/√in, 1/√in).
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw as PyTorch does: W ~ kaiming_uniform_(a=√5) = U(−1/√in, 1/√in), b ~ U(−1/√in, 1/√in)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight._data.shape[1]
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        try:
            return F.linear(input, self.weight, self.bias)
        except AttributeError:
            if not isinstance(input, Tensor):
                raise TypeError(f"{self!r}: expected a Tensor input, got {type(input).__name__}") from None
            raise
        except RuntimeError:
            shape = input._data.shape
            if not shape or shape[-1] != self.in_features:  # name the layer and the usual fix
                raise RuntimeError(self._shape_error(shape)) from None
            raise

    def _shape_error(self, shape: tuple[int, ...]) -> str:
        msg = (
            f"{self!r}: expected input of shape [*, {self.in_features}] (last dim = in_features), "
            f"got {shape_str(shape)}"
        )
        if len(shape) >= 3:
            flat = int(np.prod(shape[1:]))
            fix = (
                f"flattening it gives [{shape[0]}, {flat}], which fits"
                if flat == self.in_features
                else f"flattened it would be [{shape[0]}, {flat}], so in_features should be {flat}"
            )
            msg += f". A {len(shape)}-D batch must be flattened first - did you forget nn.Flatten()? ({fix})"
        return msg

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    """y = x1ᵀ A x2 + b: weight (out, in1, in2), bias (out,), both ~ U(−1/√in1, 1/√in1)."""

    def __init__(
        self, in1_features: int, in2_features: int, out_features: int, bias: bool = True,
        device: Any = None, dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in1_features, in2_features), device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draw as PyTorch does: W and b ~ U(−1/√in1, 1/√in1)."""
        if self.in1_features <= 0:
            raise ValueError(f"in1_features must be > 0, but got (in1_features={self.in1_features})")
        bound = 1 / math.sqrt(self.weight._data.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )
