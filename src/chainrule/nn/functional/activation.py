"""Activations under ``F``'s names and signatures (``inplace=`` where PyTorch has it).

The elementwise math lives in ``chainrule.ops`` (activation.py, unary.py); this file adds the
functional surface (in-place variants, softmax's legacy implicit dim) and the few activations that
have no op: ``prelu`` (a primitive, as its weight is per channel), and the composites ``softmin``,
``glu``, ``threshold``, ``softshrink``, ``hardshrink``, ``rrelu``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ... import ops
from ..._random import default_generator
from ..._tensor import Tensor
from ..._tensor_methods import _inplace
from ...autograd.function import Function
from ...ops._util import check_tensor, make, norm_dim, shape_str

__all__ = [
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "elu", "elu_", "selu", "selu_", "celu", "celu_",
    "gelu", "silu", "mish", "tanh", "sigmoid", "hardtanh", "hardtanh_", "hardsigmoid", "hardswish",
    "softplus", "softsign", "logsigmoid", "tanhshrink", "softshrink", "hardshrink", "softmax", "log_softmax",
    "softmin", "glu", "threshold", "threshold_", "prelu", "rrelu", "rrelu_",
]  # fmt: skip


def _maybe_inplace(input: Tensor, inplace: bool, name: str, op: Any, *args: Any) -> Tensor:  # noqa: A002
    return _inplace(input, name + "_", op, *args) if inplace else op(input, *args)


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """max(x, 0)."""
    return _inplace(input, "relu_", ops.relu) if inplace else ops.relu(input)


def relu_(input: Tensor) -> Tensor:  # noqa: A002
    """In-place ``relu``."""
    return _inplace(input, "relu_", ops.relu)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """min(max(x, 0), 6)."""
    return _maybe_inplace(input, inplace, "relu6", ops.relu6)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    """x where x > 0, else negative_slope·x."""
    return _maybe_inplace(input, inplace, "leaky_relu", ops.leaky_relu, negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:  # noqa: A002
    """``leaky_relu`` written into ``input``, which is returned."""
    return _inplace(input, "leaky_relu_", ops.leaky_relu, negative_slope)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """x where x > 0, else α(eˣ − 1)."""
    return _maybe_inplace(input, inplace, "elu", ops.elu, alpha)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """``elu`` written into ``input``, which is returned."""
    return _inplace(input, "elu_", ops.elu, alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """λ·elu(x, α) with the self-normalizing constants λ ≈ 1.0507, α ≈ 1.6733."""
    return _maybe_inplace(input, inplace, "selu", ops.selu)


def selu_(input: Tensor) -> Tensor:  # noqa: A002
    """``selu`` written into ``input``, which is returned."""
    return _inplace(input, "selu_", ops.selu)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """x where x > 0, else α(e^(x/α) − 1)."""
    return _maybe_inplace(input, inplace, "celu", ops.celu, alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:  # noqa: A002
    """``celu`` written into ``input``, which is returned."""
    return _inplace(input, "celu_", ops.celu, alpha)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    """x·Φ(x); ``approximate='tanh'`` uses the tanh formula."""
    return ops.gelu(input, approximate=approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """x·σ(x) (swish)."""
    return _maybe_inplace(input, inplace, "silu", ops.silu)


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """x·tanh(softplus(x))."""
    return _maybe_inplace(input, inplace, "mish", ops.mish)


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    """tanh(x)."""
    return ops.tanh(input)


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """1 / (1 + e^(−x))."""
    return ops.sigmoid(input)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """x clamped to [min_val, max_val]."""
    return _maybe_inplace(input, inplace, "hardtanh", ops.hardtanh, min_val, max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:  # noqa: A002
    """``hardtanh`` written into ``input``, which is returned."""
    return _inplace(input, "hardtanh_", ops.hardtanh, min_val, max_val)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """relu6(x + 3) / 6."""
    return _maybe_inplace(input, inplace, "hardsigmoid", ops.hardsigmoid)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """x·relu6(x + 3) / 6."""
    return _maybe_inplace(input, inplace, "hardswish", ops.hardswish)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """ln(1 + e^(βx))/β, linear where βx > threshold."""
    return ops.softplus(input, beta, threshold)


def softsign(input: Tensor) -> Tensor:  # noqa: A002
    """x / (1 + |x|)."""
    return ops.softsign(input)


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """ln σ(x), computed stably."""
    return ops.logsigmoid(input)


def tanhshrink(input: Tensor) -> Tensor:  # noqa: A002
    """x − tanh(x)."""
    return ops.tanhshrink(input)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """x − λ above λ, x + λ below −λ, 0 between (= x − clamp(x, −λ, λ))."""
    if lambd < 0:
        raise RuntimeError(f"softshrink: lambda must be greater or equal to 0, but found to be {lambd}.")
    return input - ops.clamp(input, -lambd, lambd)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """x where |x| > λ, else 0."""
    return ops.where(ops.abs(input) > lambd, input, 0.0)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:  # noqa: A002
    """x where x > threshold, else value."""
    return _maybe_inplace(input, inplace, "threshold", _threshold, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:  # noqa: A002
    """``threshold`` written into ``input``, which is returned: x where x > threshold, else ``value``."""
    return _inplace(input, "threshold_", _threshold, threshold, value)


def _threshold(input: Tensor, threshold: float, value: float) -> Tensor:  # noqa: A002
    check_tensor(input, "threshold")
    return ops.where(input > threshold, input, make(np.asarray(value, dtype=input._data.dtype)))


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:  # noqa: A002
    """e^x / Σ e^x along ``dim`` (dim=None: PyTorch's legacy choice, with a warning)."""
    if dim is None:
        dim = _softmax_dim("softmax", check_tensor(input, "softmax")._data.ndim, _stacklevel)
    return ops.softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:  # noqa: A002
    """x − logsumexp(x) along ``dim`` (dim=None: PyTorch's legacy choice, with a warning)."""
    if dim is None:
        dim = _softmax_dim("log_softmax", check_tensor(input, "log_softmax")._data.ndim, _stacklevel)
    return ops.log_softmax(input, dim, dtype=dtype)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:  # noqa: A002
    """softmax(−x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmin", check_tensor(input, "softmin")._data.ndim, _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return ops.softmax(-input, dim)


def glu(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """a·σ(b) where a, b are the two halves of ``input`` along ``dim``."""
    nd = check_tensor(input, "glu")._data.ndim
    if nd == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = norm_dim(dim, nd, "glu")
    n = input._data.shape[d]
    if n % 2:
        raise RuntimeError(f"glu: Halving dimension must be even, but dimension {d} is size {n}")
    a, b = ops.chunk(input, 2, d)
    return a * ops.sigmoid(b)


class PRelu(Function):
    """out = x where x > 0, else a·x, with a per channel (dim 1) or one shared a.

    VJP: gx = g·(1 if x > 0 else a),   ga = Σ over all but the channel dim of g·x·[x ≤ 0].
    """

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, a: Any) -> Any:
        ctx.per_channel = a.size > 1
        ab = a.reshape((-1,) + (1,) * (x.ndim - 2)) if ctx.per_channel else a.reshape(())
        ctx.save_for_backward(x, a)
        return np.where(x > 0, x, ab * x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, a = ctx.saved_tensors
        xp = ctx.xp
        pos = xp.greater(x, 0)
        gx = ga = None
        if ctx.needs_input_grad[0]:
            ab = xp.reshape(a, (-1,) + (1,) * (x.ndim - 2) if ctx.per_channel else ())
            gx = xp.where(pos, g, g * ab)
        if ctx.needs_input_grad[1]:
            gxa = xp.where(pos, 0, g * x)
            if ctx.per_channel:
                ga = xp.sum(gxa, axis=tuple(i for i in range(x.ndim) if i != 1))
            else:
                ga = xp.reshape(xp.sum(gxa), tuple(a.shape))
        return gx, ga


def prelu(input: Tensor, weight: Tensor) -> Tensor:  # noqa: A002
    """x where x > 0, else weight·x; ``weight`` has 1 or input.size(1) (channel) entries."""
    x, a = check_tensor(input, "prelu")._data, check_tensor(weight, "prelu", "weight")._data
    if a.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {a.ndim}")
    channels = x.shape[1] if x.ndim >= 2 else 1
    if a.size != 1 and a.size != channels:
        raise RuntimeError(
            f"prelu: Mismatch of parameter numbers and input channel size. Found parameter numbers = {a.size} "
            f"and channel size = {channels}; expected weight of shape [1] or [{channels}] for input {shape_str(x.shape)}"
        )
    return PRelu.apply(input, weight)


def rrelu(
    input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False, inplace: bool = False,  # noqa: A002
) -> Tensor:
    """Leaky ReLU with slope ~ U(lower, upper) per element in training, (lower + upper)/2 in eval."""
    return _maybe_inplace(input, inplace, "rrelu", _rrelu, lower, upper, training)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False) -> Tensor:  # noqa: A002
    """``rrelu`` written into ``input``, which is returned."""
    return _inplace(input, "rrelu_", _rrelu, lower, upper, training)


def _rrelu(input: Tensor, lower: float, upper: float, training: bool) -> Tensor:  # noqa: A002
    if not training:
        return ops.leaky_relu(input, (lower + upper) / 2)
    x = input._data
    slopes = default_generator.np.uniform(lower, upper, x.shape).astype(x.dtype)
    return ops.where(input >= 0, input, input * Tensor._make(slopes))
