"""Elementwise arithmetic with broadcasting: add, sub, mul, div, pow, maximum, where, clamp ...

Every op is one ``Function`` whose ``forward``/``backward`` take NumPy arrays; ``g`` is ∂L/∂out.
Gradients may keep the broadcast shape: the engine sums them back to each input's shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from ..autograd._jvp import diagonal_jvp
from ._util import Function, as_operand, broadcast_error, make, promote, promote_float, shape_of, tensor_cls
from .copy import cast
from .rounding import floor, trunc

__all__ = [
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
    "remainder", "fmod", "neg", "negative", "pow", "float_power", "maximum", "minimum", "fmax",
    "fmin", "where", "masked_fill", "clamp", "clip", "abs", "absolute",
    "frac", "addcmul", "addcdiv", "lerp", "atan2",
]  # fmt: skip


def _binary(cls: type[Function], name: str, a: Any, b: Any, *extra: Any) -> Any:
    a, b = promote(a, b, name)
    try:
        return cls.apply(a, b, *extra)
    except ValueError:
        raise broadcast_error(name, shape_of(a), shape_of(b)) from None


class Add(Function):
    """out = a + α·b (α, when given, is a third, non-differentiable input).   VJP: ga = g,  gb = α·g."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, *alpha: Any) -> Any:
        ctx.alpha, ctx.alpha_grad = (alpha[0] if alpha else 1), (None,) * len(alpha)
        return a + b if ctx.alpha == 1 else a + ctx.alpha * b

    @staticmethod
    def jvp(ctx: Any, ta: Any, tb: Any, _: Any = None) -> Any:
        """ẏ = ȧ + α·ḃ."""
        tb = tb if tb is None or ctx.alpha == 1 else ctx.alpha * tb
        return tb if ta is None else (ta if tb is None else ta + tb)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g, (g if ctx.alpha == 1 else ctx.alpha * g), *ctx.alpha_grad


class Sub(Function):
    """out = a − α·b (α, when given, is a third, non-differentiable input).   VJP: ga = g,  gb = −α·g."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, *alpha: Any) -> Any:
        ctx.alpha, ctx.alpha_grad = (alpha[0] if alpha else 1), (None,) * len(alpha)
        return a - b if ctx.alpha == 1 else a - ctx.alpha * b

    @staticmethod
    def jvp(ctx: Any, ta: Any, tb: Any, _: Any = None) -> Any:
        """ẏ = ȧ − α·ḃ."""
        tb = None if tb is None else (-tb if ctx.alpha == 1 else -ctx.alpha * tb)
        return tb if ta is None else (ta if tb is None else ta + tb)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g, (-g if ctx.alpha == 1 else -ctx.alpha * g), *ctx.alpha_grad


class Mul(Function):
    """out = a·b.   VJP: ga = g·b,  gb = g·a."""

    _array_op = True
    _graph_backward = True
    jvp = staticmethod(diagonal_jvp)  # JVP: ẏ = Σₖ VJPₖ(ẋₖ) (diagonal Jacobians)

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b if ctx.needs_input_grad[0] else None)
        return a * b

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        return (g * b if ctx.needs_input_grad[0] else None), (g * a if ctx.needs_input_grad[1] else None)


class Div(Function):
    """out = a / b.   VJP: ga = g / b,  gb = −g·a / b² = −g·out / b."""

    _array_op = True
    _graph_backward = True
    jvp = staticmethod(diagonal_jvp)  # JVP: ẏ = Σₖ VJPₖ(ẋₖ) (diagonal Jacobians)

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = a / b
        ctx.save_for_backward(b, out if ctx.needs_input_grad[1] else None)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        b, out = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            ga = g / b if ctx.needs_input_grad[0] else None
            gb = -g * out / b if ctx.needs_input_grad[1] else None
        return ga, gb


class Neg(Function):
    """out = −x.   VJP: gx = −g."""

    _array_op = True
    _graph_backward = True
    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return -x

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return -g


class Pow(Function):
    """out = aᵇ.   VJP: ga = g·b·aᵇ⁻¹,  gb = g·out·ln a  (taken as 0 where a = 0 and b ≥ 0, as PyTorch does;
    at a = 0, b < 0 it is out·ln 0 = ∞·(−∞) = −∞)."""

    _array_op = True
    _graph_backward = True
    jvp = staticmethod(diagonal_jvp)  # JVP: ẏ = Σₖ VJPₖ(ẋₖ) (diagonal Jacobians)

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = np.power(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b, out = ctx.saved_tensors
        xp = ctx.xp
        ga = gb = None
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if ctx.needs_input_grad[0]:
                if isinstance(b, (int, float)) and b == 0:
                    ga = xp.zeros_like(g)
                elif isinstance(b, (int, float)) and b == 2:
                    ga = g * (2 * a)
                else:
                    ga = xp.where(b == 0, 0, g * b * xp.power(a, b - 1))
            if ctx.needs_input_grad[1]:
                zero = (a == 0) & (b >= 0)
                gb = xp.where(zero, 0, g * out * xp.log(xp.where(zero, 1, a)))
        return ga, gb


class Maximum(Function):
    """out = max(a, b).   VJP: g goes to the larger input; on ties it is split in half."""

    _array_op = True
    _graph_backward = True
    jvp = staticmethod(diagonal_jvp)  # JVP: ẏ = Σₖ VJPₖ(ẋₖ) (diagonal Jacobians)

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        return _split_by_mask(g, a > b, a == b)


class Minimum(Function):
    """out = min(a, b).   VJP: g goes to the smaller input; on ties it is split in half."""

    _array_op = True
    _graph_backward = True
    jvp = staticmethod(diagonal_jvp)  # JVP: ẏ = Σₖ VJPₖ(ẋₖ) (diagonal Jacobians)

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        return _split_by_mask(g, a < b, a == b)


def _split_by_mask(g: Any, wins_a: Any, tie: Any) -> tuple[Any, Any]:
    share_a = wins_a + 0.5 * tie
    return g * share_a, g * (1.0 - share_a)


class Where(Function):
    """out = cond ? a : b.   VJP: ga = g where cond (else 0),  gb = g where not cond."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, cond: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(cond)
        return np.where(cond, a, b)

    @staticmethod
    def jvp(ctx: Any, _: Any, ta: Any, tb: Any) -> Any:
        """ẏ = cond ? ȧ : ḃ."""
        (cond,) = ctx.saved_tensors
        return ctx.xp.where(cond, 0.0 if ta is None else ta, 0.0 if tb is None else tb)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (cond,) = ctx.saved_tensors
        xp = ctx.xp
        ga = xp.where(cond, g, 0) if ctx.needs_input_grad[1] else None
        gb = xp.where(cond, 0, g) if ctx.needs_input_grad[2] else None
        return None, ga, gb


class Clamp(Function):
    """out = min(max(x, lo), hi).   VJP: gx = g where lo ≤ x ≤ hi (inclusive, as PyTorch), else 0."""

    _array_op = True
    _graph_backward = True
    jvp = staticmethod(diagonal_jvp)  # JVP: ẏ = Σₖ VJPₖ(ẋₖ) (diagonal Jacobians)

    @staticmethod
    def forward(ctx: Any, x: Any, lo: Any, hi: Any) -> Any:
        ctx.save_for_backward(x, lo, hi)
        out = x
        if lo is not None:
            out = np.maximum(out, lo)
        if hi is not None:
            out = np.minimum(out, hi)
        return out if out is not x else x.copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, lo, hi = ctx.saved_tensors
        keep = np.ones(x.shape, dtype=bool)
        if lo is not None:
            keep = ctx.xp.logical_and(keep, x >= lo)
        if hi is not None:
            keep = ctx.xp.logical_and(keep, x <= hi)
        gx = g * keep if ctx.needs_input_grad[0] else None
        glo = g * (x < lo) if lo is not None and ctx.needs_input_grad[1] else None
        ghi = g * (x > hi) if hi is not None and ctx.needs_input_grad[2] else None
        return gx, glo, ghi


class Abs(Function):
    """out = |x|.   VJP: gx = g·sign(x)  (0 at x = 0)."""

    _array_op = True
    _graph_backward = True
    jvp = staticmethod(diagonal_jvp)  # JVP: ẏ = Σₖ VJPₖ(ẋₖ) (diagonal Jacobians)

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * ctx.xp.sign(x)


class Remainder(Function):
    """out = a − b·⌊a/b⌋ (sign of b, Python's %).   VJP: ga = g,  gb = −g·⌊a/b⌋."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.remainder(a, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            gb = -g * ctx.xp.floor_divide(a, b) if ctx.needs_input_grad[1] else None
        return g, gb


class Fmod(Function):
    """out = a − b·trunc(a/b) (sign of a, C's fmod).   VJP: ga = g,  gb = −g·trunc(a/b)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.fmod(a, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            gb = -g * ctx.xp.trunc(a / b) if ctx.needs_input_grad[1] else None
        return g, gb


class Atan2(Function):
    """out = atan2(a, b).   VJP: ga = g·b/(a²+b²),  gb = −g·a/(a²+b²)."""

    _array_op = True
    _graph_backward = True
    jvp = staticmethod(diagonal_jvp)  # JVP: ẏ = Σₖ VJPₖ(ẋₖ) (diagonal Jacobians)

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = a * a + b * b
            return g * b / r2, -g * a / r2


# --- public functions ---------------------------------------------------------------------------
def _alpha_argument(alpha: Any) -> tuple[Any, ...]:
    """``alpha`` as a third graph input only when it scales (so ``a + b`` has two inputs, as PyTorch's node)."""
    return () if isinstance(alpha, (int, float)) and not isinstance(alpha, bool) and alpha == 1 else (alpha,)


def add(input: Any, other: Any, *, alpha: Any = 1) -> Any:  # noqa: A002
    """``input + alpha * other`` with broadcasting."""
    return _binary(Add, "add", input, other, *_alpha_argument(alpha))


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Any:  # noqa: A002
    """``input - alpha * other`` with broadcasting."""
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError(
            "sub: subtraction, the `-` operator, with a bool tensor is not supported. "
            "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return _binary(Sub, "sub", input, other, *_alpha_argument(alpha))


subtract = sub


def mul(input: Any, other: Any) -> Any:  # noqa: A002
    """Elementwise product with broadcasting."""
    return _binary(Mul, "mul", input, other)


multiply = mul


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Any:  # noqa: A002
    """True division (integers give the default float dtype); ``rounding_mode`` 'trunc'/'floor'."""
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise RuntimeError(
                f"div: expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'"
            )
        q = _binary(Div, "div", *_float_operands(input, other))
        rounded = trunc(q) if rounding_mode == "trunc" else floor(q)
        dt = _dtype.result_type(input, other)
        return rounded if dt.is_floating_point else cast(rounded, dt)
    return _binary(Div, "div", *_float_operands(input, other))


divide = true_divide = div


def _float_operands(a: Any, b: Any) -> tuple[Any, Any]:
    a, b = promote(a, b, "div")
    T = tensor_cls()
    if isinstance(a, T) and a._data.dtype.kind != "f":
        a = promote_float(a)
        if isinstance(b, T):
            b = promote_float(b)
    elif isinstance(b, T) and b._data.dtype.kind != "f":
        b = promote_float(b)
    return a, b


def floor_divide(input: Any, other: Any) -> Any:  # noqa: A002
    """⌊input / other⌋ (not differentiable, as in PyTorch)."""
    a, b = promote(input, other, "floor_divide")
    T = tensor_cls()
    for t in (a, b):
        if isinstance(t, T) and t._requires_grad and _grad_on():
            raise RuntimeError("floor_divide: the derivative for 'floor_divide' is not implemented.")
    av = a._data if isinstance(a, T) else a
    bv = b._data if isinstance(b, T) else b
    if np.any(np.asarray(bv) == 0) and np.asarray(bv).dtype.kind in "iub":
        raise RuntimeError("floor_divide: ZeroDivisionError (integer division by zero)")
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            return make(np.floor_divide(av, bv))
        except ValueError:
            raise broadcast_error("floor_divide", shape_of(a), shape_of(b)) from None


def remainder(input: Any, other: Any) -> Any:  # noqa: A002
    """Python's ``%``: the result has the sign of ``other``."""
    return _binary(Remainder, "remainder", input, other)


def fmod(input: Any, other: Any) -> Any:  # noqa: A002
    """C's ``fmod``: the result has the sign of ``input``."""
    return _binary(Fmod, "fmod", input, other)


def neg(input: Any) -> Any:  # noqa: A002
    """``-input``."""
    if input._data.dtype == np.bool_:
        raise RuntimeError("neg: negation, the `-` operator, on a bool tensor is not supported. Use `~` instead.")
    return Neg.apply(input)


negative = neg


def pow(input: Any, exponent: Any) -> Any:  # noqa: A001,A002
    """``input ** exponent`` elementwise, either side a tensor or a number."""
    T = tensor_cls()
    if isinstance(input, T) and input._data.dtype.kind in "iu" and isinstance(exponent, int) and exponent < 0:
        raise RuntimeError("pow: Integers to negative integer powers are not allowed.")
    bool_base = isinstance(input, T) and input._data.dtype == np.bool_
    if isinstance(exponent, T) and exponent._data.dtype == np.bool_ and (bool_base or isinstance(input, bool)):
        raise NotImplementedError("pow: \"pow\" not implemented for 'Bool'")
    if bool_base and isinstance(exponent, bool):  # PyTorch keeps bool: x ** True = x, x ** False = 1
        return make(input._data.copy() if exponent else np.ones_like(input._data))
    return _binary(Pow, "pow", input, exponent)


def float_power(input: Any, exponent: Any) -> Any:  # noqa: A002
    """``pow`` computed in float64."""
    T = tensor_cls()
    a = cast(input, _dtype.float64) if isinstance(input, T) else float(input)
    b = cast(exponent, _dtype.float64) if isinstance(exponent, T) else float(exponent)
    return pow(a, b)


def maximum(input: Any, other: Any) -> Any:  # noqa: A002
    """Elementwise maximum (NaN propagates)."""
    return _binary(Maximum, "maximum", input, other)


def minimum(input: Any, other: Any) -> Any:  # noqa: A002
    """Elementwise minimum (NaN propagates)."""
    return _binary(Minimum, "minimum", input, other)


def fmax(input: Any, other: Any) -> Any:  # noqa: A002
    """Elementwise maximum ignoring NaN."""
    return where(isnan_(other) | (input >= other), input, other)


def fmin(input: Any, other: Any) -> Any:  # noqa: A002
    """Elementwise minimum ignoring NaN."""
    return where(isnan_(other) | (input <= other), input, other)


def isnan_(x: Any) -> Any:
    from .compare import isnan

    return isnan(x)


def where(condition: Any, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """``input`` where ``condition`` else ``other``; ``where(cond)`` alone is ``nonzero(as_tuple=True)``."""
    T = tensor_cls()
    if input is None and other is None:
        from .index import nonzero

        return nonzero(condition, as_tuple=True)
    cond = condition._data if isinstance(condition, T) else np.asarray(condition)
    if cond.dtype != np.bool_:
        if cond.dtype == np.uint8:
            cond = cond.astype(bool)
        else:
            raise RuntimeError(f"where: expected condition to be a boolean tensor, but got a tensor with dtype {_dtype.from_numpy_dtype(cond.dtype)}")
    if not isinstance(input, T) and not isinstance(other, T):  # where(cond, 1.0, 0): two numbers
        dt = _dtype.result_type(as_operand(input, "where"), as_operand(other, "where")).np
        input, other = make(np.asarray(input, dt)), make(np.asarray(other, dt))
    a, b = promote(input, other, "where")
    try:
        return Where.apply(cond, a, b)
    except ValueError:
        raise broadcast_error("where", cond.shape, shape_of(a), shape_of(b)) from None


def masked_fill(input: Any, mask: Any, value: Any) -> Any:  # noqa: A002
    """``input`` with ``value`` where ``mask`` is True (mask broadcasts to input's shape)."""
    T = tensor_cls()
    m = mask._data if isinstance(mask, T) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill: expected mask of dtype bool, got {_dtype.from_numpy_dtype(m.dtype)}")
    if np.broadcast_shapes(m.shape, input._data.shape) != input._data.shape:
        raise RuntimeError(
            f"masked_fill: mask of shape {list(m.shape)} must broadcast to the input's shape "
            f"{list(input._data.shape)}"
        )
    if isinstance(value, T):
        if value._data.ndim:
            raise RuntimeError(f"masked_fill: only supports a 0-dimensional value tensor, but got a tensor with {value._data.ndim} dimension(s)")
        value = cast(value, input.dtype) if value._data.dtype != input._data.dtype else value
    else:
        value = np.asarray(value, dtype=input._data.dtype)
    return Where.apply(m, value, input)


def clamp(input: Any, min: Any = None, max: Any = None) -> Any:  # noqa: A001,A002
    """Limit values to ``[min, max]`` (either bound may be None, a number or a tensor)."""
    if min is None and max is None:
        raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
    T = tensor_cls()
    x = input
    if isinstance(min, float) or isinstance(max, float) or isinstance(min, T) or isinstance(max, T):
        x, _ = promote(x, min if min is not None else max, "clamp")
    lo = min._data.astype(x._data.dtype) if isinstance(min, T) else min
    hi = max._data.astype(x._data.dtype) if isinstance(max, T) else max
    args = [x, min if isinstance(min, T) else lo, max if isinstance(max, T) else hi]
    try:
        return Clamp.apply(*args)
    except ValueError:
        raise broadcast_error("clamp", *(shape_of(a) for a in args if a is not None)) from None


clip = clamp


def abs(input: Any) -> Any:  # noqa: A001,A002
    """|input|."""
    return Abs.apply(input)


absolute = abs


def frac(input: Any) -> Any:  # noqa: A002
    """x − trunc(x)."""
    return sub(input, trunc(input))


def addcmul(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:  # noqa: A002
    """input + value · tensor1 · tensor2."""
    return add(input, mul(tensor1, tensor2), alpha=value)


def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:  # noqa: A002
    """input + value · tensor1 / tensor2."""
    return add(input, div(tensor1, tensor2), alpha=value)


def lerp(input: Any, end: Any, weight: Any) -> Any:  # noqa: A002
    """input + weight · (end − input)."""
    return add(input, mul(weight, sub(end, input)))


def atan2(input: Any, other: Any) -> Any:  # noqa: A002
    """Angle of the point (other, input), in (−π, π]."""
    return _binary(Atan2, "atan2", *_float_operands(input, other))


def _is_bool(x: Any) -> bool:
    return isinstance(x, bool) or (isinstance(x, tensor_cls()) and x._data.dtype == np.bool_)


def _grad_on() -> bool:
    from ..autograd.grad_mode import state

    return state.enabled
