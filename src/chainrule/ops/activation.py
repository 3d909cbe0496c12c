"""Activation functions: relu, gelu, silu, softplus, elu family, hard* family, softmax, log_softmax.

The hot or delicate ones are fused primitives with hand-written VJPs (relu, gelu, silu, softplus,
leaky_relu, elu/selu/celu, logsigmoid, hardtanh, softmax, log_softmax); the rest are composites.
Like PyTorch, the smooth activations accept floating tensors only (NotImplementedError otherwise),
while relu/hardtanh/relu6 keep integer dtypes. Kinks follow PyTorch's one-sided choices: relu'(0) = 0,
leaky_relu'(0) = slope, elu'(0) = α, hardtanh' = 0 on the bounds.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _dtype, _parallel
from .._fused import FLOATS
from ..autograd._jvp import diagonal_jvp
from ..autograd.function import CompositeDoubleBackward
from . import _composites
from ._activation_kernels import relu_grad
from ._util import Function, norm_dim, tensor_cls
from .unary import _erf, _sigmoid, tanh

__all__ = [
    "relu", "gelu", "silu", "softplus", "leaky_relu", "elu", "selu", "celu", "logsigmoid",
    "hardtanh", "relu6", "mish", "hardsigmoid", "hardswish", "softsign", "tanhshrink", "softmax",
    "log_softmax",
]  # fmt: skip

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_TORCH_NAMES = {
    "float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
    "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
}  # fmt: skip


class Relu(Function):
    """out = max(x, 0).   VJP: gx = g where out > 0 (0 at x = 0, as PyTorch)."""

    _array_op = True
    _graph_backward = True
    jvp = staticmethod(diagonal_jvp)  # JVP: ẏ = Σₖ VJPₖ(ẋₖ) (diagonal Jacobians)

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        if x.dtype.kind == "f" and _parallel.threads_for(x.size) > 1:  # large: chunks over the threads
            out = _parallel.elementwise(_relu_into, np.empty_like(x), x)
        else:
            out = np.maximum(x, 0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        if type(g) is np.ndarray and g.dtype.kind == "f" and g.shape == out.shape:
            k = _relu_grad_kernel(g, out)
            if k is not None:  # one fused pass (in chunks over the threads when large)
                one, zero = g.dtype.type(1), g.dtype.type(0)
                flat = lambda gx, gi, oi: k(gi.reshape(-1), oi.reshape(-1), gx.reshape(-1), one, zero)  # noqa: E731
                return _parallel.elementwise(flat, np.empty(g.shape, g.dtype), g, out)
            if _parallel.threads_for(g.size) > 1:
                return _parallel.elementwise(_relu_grad_into, np.empty(g.shape, g.dtype), g, out)
        return g * (out > 0)


def _relu_grad_kernel(g: np.ndarray, out: np.ndarray) -> Any:
    """The compiled ``relu_grad`` kernel for these arrays (same float dtype, C-contiguous), else None."""
    if g.dtype != out.dtype or g.dtype.name not in FLOATS or not (g.flags.c_contiguous and out.flags.c_contiguous):
        return None
    return relu_grad.compiled


def _relu_into(o: Any, x: Any) -> None:
    np.maximum(x, 0, out=o)


def _relu_grad_into(o: Any, g: Any, out: Any) -> None:
    np.multiply(g, out > 0, out=o)


class Hardtanh(Function):
    """out = min(max(x, lo), hi).   VJP: gx = g where lo < x < hi (0 on the bounds, as PyTorch)."""

    _array_op = True
    _graph_backward = True
    jvp = staticmethod(diagonal_jvp)  # JVP: ẏ = Σₖ VJPₖ(ẋₖ) (diagonal Jacobians)

    @staticmethod
    def forward(ctx: Any, x: Any, lo: Any, hi: Any) -> Any:
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return np.minimum(np.maximum(x, lo), hi)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * ((x > ctx.lo) & (x < ctx.hi)), None, None


class Gelu(CompositeDoubleBackward, Function):
    """out = x·Φ(x), Φ = ½(1 + erf(x/√2)) ('none') or ½(1 + tanh(√(2/π)(x + 0.044715x³))) ('tanh').
    VJP: gx = g·(Φ + x·φ(x)) with φ = e^(−x²/2)/√(2π); for 'tanh' the derivative of the tanh form.
    """

    composite = staticmethod(_composites.gelu)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, approximate: str) -> Any:
        ctx.tanh = approximate == "tanh"
        if x.dtype.kind == "f" and x.ndim > 0 and _parallel.threads_for(x.size) > 1:  # chunks over the threads
            out, aux = np.empty_like(x), np.empty_like(x)
            _parallel.elementwise(lambda o, a, xx: _gelu_into(o, a, xx, ctx.tanh), out, aux, x)
            ctx.save_for_backward(x, aux)
            return out
        out, aux = _gelu(x, ctx.tanh)
        ctx.save_for_backward(x, aux)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, c = ctx.saved_tensors
        if type(g) is np.ndarray and g.dtype == x.dtype and g.shape == x.shape and x.ndim > 0 and _parallel.threads_for(g.size) > 1:
            gx = np.empty_like(g)
            _parallel.elementwise(lambda o, gg, xx, cc: _gelu_grad_into(o, gg, xx, cc, ctx.tanh), gx, g, x, c)
            return gx, None
        return _gelu_grad(g, x, c, ctx.tanh), None


def _gelu(x: Any, tanh_form: bool) -> tuple[Any, Any]:
    """(GELU(x), the saved auxiliary: tanh(...) for the tanh form, Φ(x) otherwise)."""
    with np.errstate(all="ignore"):  # ±inf inputs: inf·0 = nan, as in PyTorch
        if tanh_form:
            t = np.tanh((x + 0.044715 * x * x * x) * _SQRT_2_OVER_PI)
            return 0.5 * x * (1.0 + t), t
        cdf = 0.5 * (1.0 + _erf(x * _SQRT_HALF))
        return x * cdf, cdf


def _gelu_into(o: Any, aux: Any, x: Any, tanh_form: bool) -> None:
    o[...], aux[...] = _gelu(x, tanh_form)


def _gelu_grad_into(o: Any, g: Any, x: Any, c: Any, tanh_form: bool) -> None:
    o[...] = _gelu_grad(g, x, c, tanh_form)


def _gelu_grad(g: Any, x: Any, c: Any, tanh_form: bool) -> Any:
    """g·GELU'(x) from the saved auxiliary ``c`` (tanh(...) or Φ(x))."""
    with np.errstate(all="ignore"):
        if tanh_form:
            x2 = x * x
            d = 0.5 * (1.0 + c) + 0.5 * x * (1.0 - c * c) * _SQRT_2_OVER_PI * (1.0 + 0.134145 * x2)
            return g * d
        return g * (c + x * np.exp(-0.5 * x * x) * _INV_SQRT_2PI)


class Silu(CompositeDoubleBackward, Function):
    """out = x·σ(x).   VJP: gx = g·s·(1 + x·(1 − s)) with s = σ(x)."""

    composite = staticmethod(_composites.silu)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        s = _sigmoid(x)
        ctx.save_for_backward(x, s)
        with np.errstate(invalid="ignore"):
            return x * s

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, s = ctx.saved_tensors
        with np.errstate(invalid="ignore"):
            return g * s * (1.0 + x * (1.0 - s))


class Softplus(Function):
    """out = ln(1 + e^(βx))/β, or x where βx > threshold.   VJP: gx = g·σ(βx), or g past threshold."""

    _array_op = True
    _graph_backward = True
    jvp = staticmethod(diagonal_jvp)  # JVP: ẏ = Σₖ VJPₖ(ẋₖ) (diagonal Jacobians)

    @staticmethod
    def forward(ctx: Any, x: Any, beta: float, threshold: float) -> Any:
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        with np.errstate(all="ignore"):
            z = x * beta if beta != 1 else x
            sp = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))  # ln(1 + eᶻ) without overflow
            if beta != 1:
                sp /= beta
        return np.where(z > threshold, x, sp)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        with np.errstate(all="ignore"):
            z = x * ctx.beta if ctx.beta != 1 else x
            return g * ctx.xp.where(z > ctx.threshold, 1.0, ctx.xp.sigmoid(z)), None, None


class LeakyRelu(Function):
    """out = x if x > 0 else slope·x.   VJP: gx = g if x > 0 else slope·g."""

    _array_op = True
    _graph_backward = True
    jvp = staticmethod(diagonal_jvp)  # JVP: ẏ = Σₖ VJPₖ(ẋₖ) (diagonal Jacobians)

    @staticmethod
    def forward(ctx: Any, x: Any, slope: float) -> Any:
        ctx.save_for_backward(x)
        ctx.slope = slope
        return np.where(x > 0, x, x * slope)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * ctx.xp.where(x > 0, 1.0, ctx.slope), None


class Elu(Function):
    """out = s·x if x > 0 else s·α·(e^(x·k) − 1)   (elu: s = k = 1; selu; celu: k = 1/α).
    VJP: gx = g·s if x > 0 else g·s·α·k·e^(x·k).
    """

    _array_op = True
    _graph_backward = True
    jvp = staticmethod(diagonal_jvp)  # JVP: ẏ = Σₖ VJPₖ(ẋₖ) (diagonal Jacobians)

    @staticmethod
    def forward(ctx: Any, x: Any, alpha: float, scale: float, input_scale: float) -> Any:
        ctx.save_for_backward(x)
        ctx.params = alpha, scale, input_scale
        with np.errstate(all="ignore"):
            neg = np.expm1(np.minimum(x, 0) * input_scale) * (alpha * scale)
            return np.where(x > 0, x * scale if scale != 1 else x, neg)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        alpha, scale, k = ctx.params
        xp = ctx.xp
        with np.errstate(all="ignore"):
            neg = xp.exp(xp.minimum(x, 0) * k) * (alpha * scale * k)
            return g * xp.where(x > 0, scale, neg), None, None, None


class LogSigmoid(Function):
    """out = ln σ(x) = min(x, 0) − ln(1 + e^(−|x|)).   VJP: gx = g·σ(−x)."""

    _array_op = True
    _graph_backward = True
    jvp = staticmethod(diagonal_jvp)  # JVP: ẏ = Σₖ VJPₖ(ẋₖ) (diagonal Jacobians)

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * ctx.xp.sigmoid(-x)


class Softmax(Function):
    """out = e^(x − m) / Σ e^(x − m) along dim (m = max).   VJP: gx = out·(g − Σ g·out)."""

    _array_op = True
    _graph_backward = True
    jvp = staticmethod(diagonal_jvp)  # JVP: ẏ = Σₖ VJPₖ(ẋₖ) (diagonal Jacobians)

    @staticmethod
    def forward(ctx: Any, x: Any, dim: int) -> Any:
        ctx.dim = dim if x.ndim else None
        if x.size == 0:
            out = x.copy()
        elif _by_rows(x, dim):  # large: blocks of the leading axis over the threads
            out = np.empty_like(x)
            _parallel.for_rows(lambda r: _softmax_into(x[r], dim, out[r]), x.shape[0], x.size)
        else:
            with np.errstate(invalid="ignore", over="ignore"):
                e = x - x.max(axis=dim, keepdims=True) if x.ndim else x.reshape(1) - x
                np.exp(e, out=e)
                e /= e.sum(axis=dim, keepdims=True)
            out = e.reshape(x.shape)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        if type(g) is np.ndarray and g.shape == out.shape and g.dtype == out.dtype and _by_rows(g, ctx.dim):
            gx = np.empty_like(g)
            _parallel.for_rows(lambda r: _softmax_grad_into(g[r], out[r], ctx.dim, gx[r]), g.shape[0], g.size)
            return gx, None
        gy = g * out
        return gy - out * ctx.xp.sum(gy, axis=ctx.dim, keepdims=True), None


def _by_rows(x: Any, dim: Any) -> bool:
    """Whether a softmax of a large C-contiguous float array along ``dim`` (not the leading axis) goes by
    blocks of the leading axis over chainrule's threads."""
    return (
        dim is not None and x.ndim >= 2 and dim % x.ndim != 0 and x.dtype.kind == "f"
        and x.flags.c_contiguous and _parallel.threads_for(x.size) > 1
    )


def _softmax_into(x: Any, dim: int, o: Any) -> None:
    with np.errstate(invalid="ignore", over="ignore"):
        np.subtract(x, x.max(axis=dim, keepdims=True), out=o)
        np.exp(o, out=o)
        o /= o.sum(axis=dim, keepdims=True)


def _softmax_grad_into(g: Any, out: Any, dim: int, o: Any) -> None:
    np.multiply(g, out, out=o)
    o -= out * o.sum(axis=dim, keepdims=True)


class LogSoftmax(Function):
    """out = x − m − ln Σ e^(x − m) along dim (m = max).   VJP: gx = g − e^out·Σ g."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, dim: int) -> Any:
        ctx.dim = dim if x.ndim else None
        if x.size == 0:
            out = x.copy()
        else:
            with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
                out = x - x.max(axis=dim, keepdims=True) if x.ndim else x.reshape(1) - x
                out -= np.log(np.exp(out).sum(axis=dim, keepdims=True))
            out = out.reshape(x.shape)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        xp = ctx.xp
        return g - xp.exp(out) * xp.sum(g, axis=ctx.dim, keepdims=True), None

    @staticmethod
    def jvp(ctx: Any, t: Any, _: Any = None) -> Any:
        """ẏ = ẋ − Σ softmax(x)·ẋ along dim."""
        (out,) = ctx.saved_tensors
        xp = ctx.xp
        return t - xp.sum(xp.exp(out) * t, axis=ctx.dim, keepdims=True)


# --- public functions ---------------------------------------------------------------------------
def _tensor(x: Any, op: str) -> Any:
    if not isinstance(x, tensor_cls()):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")
    return x


def _floating(x: Any, op: str, kernel: str) -> Any:
    """``x`` if floating, else PyTorch's NotImplementedError naming the kernel and dtype."""
    try:
        kind = x._data.dtype.kind
    except AttributeError:
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}") from None
    if kind != "f":
        name = x._data.dtype.name
        raise NotImplementedError(
            f"{op}: \"{kernel}\" not implemented for '{_TORCH_NAMES.get(name, name)}'; expected a "
            f"floating-point tensor, got chainrule.{name}. Convert it first, e.g. x.float()."
        )
    return x


def _not_bool(x: Any, op: str) -> Any:
    if _tensor(x, op)._data.dtype == np.bool_:
        raise RuntimeError(
            f"{op}: Boolean inputs not supported for {op}; expected a numeric tensor, got chainrule.bool"
        )
    return x


def relu(input: Any) -> Any:  # noqa: A002
    """max(x, 0) (integer tensors stay integer)."""
    return Relu.apply(_not_bool(input, "relu"))


def hardtanh(input: Any, min_val: float = -1.0, max_val: float = 1.0) -> Any:  # noqa: A002
    """x clamped to [min_val, max_val]; zero gradient on and beyond the bounds."""
    x = _not_bool(input, "hardtanh")
    if min_val > max_val:
        raise ValueError(
            f"hardtanh: min_val cannot be greater than max_val; expected min_val <= max_val, got "
            f"min_val={min_val}, max_val={max_val}"
        )
    t = x._data.dtype.type
    return Hardtanh.apply(x, t(min_val), t(max_val))


def relu6(input: Any) -> Any:  # noqa: A002
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0)


def gelu(input: Any, approximate: str = "none") -> Any:  # noqa: A002
    """x·Φ(x) with Φ the standard normal CDF; ``approximate='tanh'`` uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(
            f"gelu: approximate argument must be either none or tanh; expected 'none' or 'tanh', got {approximate!r}"
        )
    return Gelu.apply(_floating(input, "gelu", "GeluKernelImpl"), approximate)


def silu(input: Any) -> Any:  # noqa: A002
    """x·σ(x) (a.k.a. swish)."""
    return Silu.apply(_floating(input, "silu", "silu_cpu"))


def softplus(input: Any, beta: float = 1.0, threshold: float = 20.0) -> Any:  # noqa: A002
    """ln(1 + e^(βx))/β, reverting to x where βx > threshold."""
    return Softplus.apply(_floating(input, "softplus", "softplus_cpu"), beta, threshold)


def leaky_relu(input: Any, negative_slope: float = 0.01) -> Any:  # noqa: A002
    """x where x > 0, else negative_slope·x."""
    return LeakyRelu.apply(_floating(input, "leaky_relu", "leaky_relu_cpu"), negative_slope)


def elu(input: Any, alpha: float = 1.0) -> Any:  # noqa: A002
    """x where x > 0, else α(eˣ − 1)."""
    return Elu.apply(_floating(input, "elu", "elu_cpu"), alpha, 1.0, 1.0)


def selu(input: Any) -> Any:  # noqa: A002
    """scale·elu(x, α) with the self-normalizing constants."""
    return Elu.apply(_floating(input, "selu", "elu_cpu"), _SELU_ALPHA, _SELU_SCALE, 1.0)


def celu(input: Any, alpha: float = 1.0) -> Any:  # noqa: A002
    """x where x > 0, else α(e^(x/α) − 1)."""
    if alpha == 0:
        raise RuntimeError("celu: ZeroDivisionError: alpha cannot be 0 for CELU; expected alpha != 0, got 0")
    return Elu.apply(_floating(input, "celu", "elu_cpu"), alpha, 1.0, 1.0 / alpha)


def logsigmoid(input: Any) -> Any:  # noqa: A002
    """ln σ(x), stable for any x."""
    return LogSigmoid.apply(_floating(input, "logsigmoid", "log_sigmoid_cpu"))


def mish(input: Any) -> Any:  # noqa: A002
    """x·tanh(softplus(x))."""
    x = _floating(input, "mish", "mish_cpu")
    return x * tanh(softplus(x))


def hardsigmoid(input: Any) -> Any:  # noqa: A002
    """relu6(x + 3)/6."""
    x = _floating(input, "hardsigmoid", "hardsigmoid_cpu")
    return hardtanh(x + 3.0, 0.0, 6.0) / 6.0


def hardswish(input: Any) -> Any:  # noqa: A002
    """x·relu6(x + 3)/6."""
    x = _floating(input, "hardswish", "hardswish_cpu")
    return x * hardsigmoid(x)


def softsign(input: Any) -> Any:  # noqa: A002
    """x / (1 + |x|)."""
    from .elementwise import abs

    x = _tensor(input, "softsign")
    return x / (abs(x) + 1.0)


def tanhshrink(input: Any) -> Any:  # noqa: A002
    """x − tanh(x)."""
    x = _tensor(input, "tanhshrink")
    return x - tanh(x)


def _softmax_input(x: Any, dim: Any, dtype: Any, op: str, kernel: str) -> tuple[Any, int]:
    from .copy import cast

    _tensor(x, op)
    if dim is None:
        raise TypeError(f"{op}(): argument 'dim' must be int, not None")
    d = norm_dim(dim, x._data.ndim, op)
    if dtype is not None:
        dt = _dtype.to_dtype(dtype, op)
        if x._data.dtype != dt.np:
            x = cast(x, dt)
    return _floating(x, op, kernel), d


def softmax(input: Any, dim: int, dtype: Any = None) -> Any:  # noqa: A002
    """e^x / Σ e^x along ``dim`` (computed after subtracting the max); ``dtype`` casts first."""
    x, d = _softmax_input(input, dim, dtype, "softmax", "softmax_lastdim_kernel_impl")
    return Softmax.apply(x, d)


def log_softmax(input: Any, dim: int, dtype: Any = None) -> Any:  # noqa: A002
    """x − logsumexp(x) along ``dim``; ``dtype`` casts first."""
    x, d = _softmax_input(input, dim, dtype, "log_softmax", "log_softmax_lastdim_kernel_impl")
    return LogSoftmax.apply(x, d)
