"""Elementwise math of one tensor: exp, log, sqrt, trig, sigmoid, tanh, erf, nan_to_num ...

Integer and bool inputs give the default float dtype, as in PyTorch. Each primitive is one
``Function`` built on the ``_Pointwise`` mixin: ``f`` computes ``out`` from ``x`` and ``vjp(g, x,
out)`` is the local derivative; only what ``vjp`` reads is saved. As in PyTorch, log(0) = −inf,
sqrt(−1) = nan and exp(1000) = inf silently (NumPy's warnings are switched off around the math).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _dtype
from ..autograd._jvp import diagonal_jvp
from ..autograd._numpy_xp import numpy_xp
from ._util import Function, promote_float, tensor_cls

__all__ = [
    "exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt", "sin", "cos", "tan",
    "asin", "acos", "atan", "sinh", "cosh", "tanh", "sigmoid", "square", "reciprocal", "erf",
    "nan_to_num",
]  # fmt: skip

_LN2, _LN10 = math.log(2.0), math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class _Pointwise:
    """Mixin for ``out = f(x)`` primitives: saves ``x`` and/or ``out`` for ``vjp(g, x, out)``."""

    _array_op = True
    keep_x = True
    keep_out = False
    may_warn = True  # False for maps that never raise a NumPy warning (bounded output): skips errstate
    # subclasses whose ``vjp(g, x, out, xp)`` takes the array namespace set this (create_graph works)
    _graph_backward = False
    f: Any
    vjp: Any
    jvp = staticmethod(diagonal_jvp)  # JVP: ẏ = f′(x)·ẋ = vjp(ẋ, x, out) (a diagonal Jacobian)

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        cls = type(ctx)
        if cls.may_warn:
            with np.errstate(all="ignore"):
                out = cls.f(x)
        else:
            out = cls.f(x)
        ctx.save_for_backward(x if cls.keep_x else None, out if cls.keep_out else None)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, out = ctx.saved_tensors
        cls = type(ctx)
        if not cls._graph_backward:
            with np.errstate(all="ignore"):
                return cls.vjp(g, x, out)
        if cls.may_warn:
            with np.errstate(all="ignore"):
                return cls.vjp(g, x, out, ctx.xp)
        return cls.vjp(g, x, out, ctx.xp)


class Exp(_Pointwise, Function):
    """out = eˣ.   VJP: gx = g·out."""

    _graph_backward = True
    keep_x, keep_out = False, True
    f = np.exp
    vjp = staticmethod(lambda g, x, out, xp: g * out)


class Exp2(_Pointwise, Function):
    """out = 2ˣ.   VJP: gx = g·out·ln 2."""

    _graph_backward = True
    keep_x, keep_out = False, True
    f = np.exp2
    vjp = staticmethod(lambda g, x, out, xp: g * out * _LN2)


class Expm1(_Pointwise, Function):
    """out = eˣ − 1.   VJP: gx = g·(out + 1)."""

    _graph_backward = True
    keep_x, keep_out = False, True
    f = np.expm1
    vjp = staticmethod(lambda g, x, out, xp: g * (out + 1.0))


class Log(_Pointwise, Function):
    """out = ln x.   VJP: gx = g / x."""

    _graph_backward = True
    f = np.log
    vjp = staticmethod(lambda g, x, out, xp: g / x)


class Log1p(_Pointwise, Function):
    """out = ln(1 + x).   VJP: gx = g / (1 + x)."""

    _graph_backward = True
    f = np.log1p
    vjp = staticmethod(lambda g, x, out, xp: g / (x + 1.0))


class Log2(_Pointwise, Function):
    """out = log₂ x.   VJP: gx = g / (x·ln 2)."""

    _graph_backward = True
    f = np.log2
    vjp = staticmethod(lambda g, x, out, xp: g / (x * _LN2))


class Log10(_Pointwise, Function):
    """out = log₁₀ x.   VJP: gx = g / (x·ln 10)."""

    _graph_backward = True
    f = np.log10
    vjp = staticmethod(lambda g, x, out, xp: g / (x * _LN10))


class Sqrt(_Pointwise, Function):
    """out = √x.   VJP: gx = g / (2·out)."""

    _graph_backward = True
    keep_x, keep_out = False, True
    f = np.sqrt
    vjp = staticmethod(lambda g, x, out, xp: g / (out * 2.0))


class Sin(_Pointwise, Function):
    """out = sin x.   VJP: gx = g·cos x."""

    _graph_backward = True
    f = np.sin
    vjp = staticmethod(lambda g, x, out, xp: g * xp.cos(x))


class Cos(_Pointwise, Function):
    """out = cos x.   VJP: gx = −g·sin x."""

    _graph_backward = True
    f = np.cos
    vjp = staticmethod(lambda g, x, out, xp: -g * xp.sin(x))


class Tan(_Pointwise, Function):
    """out = tan x.   VJP: gx = g·(1 + out²)."""

    _graph_backward = True
    keep_x, keep_out = False, True
    f = np.tan
    vjp = staticmethod(lambda g, x, out, xp: g * (out * out + 1.0))


class Asin(_Pointwise, Function):
    """out = asin x.   VJP: gx = g / √(1 − x²)."""

    _graph_backward = True
    f = np.arcsin
    vjp = staticmethod(lambda g, x, out, xp: g / xp.sqrt(1.0 - x * x))


class Acos(_Pointwise, Function):
    """out = acos x.   VJP: gx = −g / √(1 − x²)."""

    _graph_backward = True
    f = np.arccos
    vjp = staticmethod(lambda g, x, out, xp: -g / xp.sqrt(1.0 - x * x))


class Atan(_Pointwise, Function):
    """out = atan x.   VJP: gx = g / (1 + x²)."""

    _graph_backward = True
    f = np.arctan
    vjp = staticmethod(lambda g, x, out, xp: g / (x * x + 1.0))


class Sinh(_Pointwise, Function):
    """out = sinh x.   VJP: gx = g·cosh x."""

    _graph_backward = True
    f = np.sinh
    vjp = staticmethod(lambda g, x, out, xp: g * xp.cosh(x))


class Cosh(_Pointwise, Function):
    """out = cosh x.   VJP: gx = g·sinh x."""

    _graph_backward = True
    f = np.cosh
    vjp = staticmethod(lambda g, x, out, xp: g * xp.sinh(x))


class Tanh(_Pointwise, Function):
    """out = tanh x.   VJP: gx = g·(1 − out²)."""

    _graph_backward = True
    keep_x, keep_out = False, True
    may_warn = False  # |out| ≤ 1
    f = np.tanh
    vjp = staticmethod(lambda g, x, out, xp: g * (1.0 - out * out))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1/(1 + e⁻ˣ); e⁻ˣ overflowing to inf far left gives exactly 0."""
    e = np.negative(x, out=np.empty_like(x))  # (out= keeps a 0-d result an array)
    with np.errstate(over="ignore"):
        np.exp(e, out=e)
    e += 1.0
    return np.reciprocal(e, out=e)


numpy_xp.sigmoid = _sigmoid  # backward formulas spell σ as xp.sigmoid (Tensor namespace: chainrule.sigmoid)


class Sigmoid(_Pointwise, Function):
    """out = σ(x) = 1/(1 + e⁻ˣ).   VJP: gx = g·out·(1 − out)."""

    _graph_backward = True
    keep_x, keep_out = False, True
    may_warn = False  # _sigmoid silences its own overflow; 0 ≤ out ≤ 1
    f = staticmethod(_sigmoid)
    vjp = staticmethod(lambda g, x, out, xp: g * out * (1.0 - out))


# erf: Chebyshev interpolants of erf(x)/x (|x| < 2, in s = x²/2 − 1) and of x·e^(x²)·erfc(x)
# (2 ≤ |x| < 6, in s = 6/x − 2), computed with mpmath at 50 digits, truncated and rewritten as
# monomials in s. Max relative error vs mpmath: 3.2e-16 (float64 set), 9.6e-9 (float32 set).
_ERF64_A = (
    0.674933236039655, -0.2611118609312454, 0.11947913860985163, -0.04866277744915503,
    0.017128344571823155, -0.005234875836158878, 0.0014050914235852877, -0.00033514353352396425,
    7.180100878173158e-05, -1.3946273745435833e-05, 2.475801058128637e-06, -4.0450946099912016e-07,
    6.119735980430362e-08, -8.617701483059107e-09, 1.1331607171428763e-09, -1.4013463829861674e-10,
    1.7218973582855107e-11, -1.8923035835006617e-12,
)  # fmt: skip
_ERF64_B = (
    0.5370034535441699, -0.02382655673981464, -0.0032048013171087934, 0.0009059268988003207,
    -7.918368990356114e-05, -1.243025954422383e-05, 5.915636628326384e-06, -1.0172555399409502e-06,
    1.124315059615828e-08, 4.790139784075905e-08, -1.584638752671346e-08, 2.5878849553750257e-09,
    7.921595755619152e-11, -2.242931601335574e-10, 6.235596223237034e-11,
)  # fmt: skip
_ERF32_A = (
    0.6749332412149293, -0.261111865558584, 0.11947888054052618, -0.04866268513260502,
    0.01713040082397135, -0.0052353908814721396, 0.0013993724662262797, -0.0003339735948940198,
    7.824951780396499e-05, -1.510169992011736e-05,
)  # fmt: skip
_ERF32_B = (
    0.5370034537305782, -0.02382665722565596, -0.0032048067405905855, 0.0009067406425378622,
    -7.916110297839678e-05, -1.40966331468653e-05, 5.894071091009366e-06,
)  # fmt: skip


def _horner(coefs: tuple[float, ...], s: np.ndarray) -> np.ndarray:
    r = s * coefs[-1]
    r += coefs[-2]
    for c in coefs[-3::-1]:
        r *= s
        r += c
    return r


def _erf(x: np.ndarray) -> np.ndarray:
    """erf(x), vectorized, to ~1 ulp in float64 and float32 (NumPy has no erf).

    The |x| < 2 polynomial runs in place on every element (its junk beyond 2 is overwritten, and
    may overflow: callers hold ``np.errstate``); only the usually few elements with |x| ≥ 2 are
    gathered for the erfc branch, which rounds to ±1 by itself for |x| ≥ 6.
    """
    if x.dtype == np.float16 or x.ndim == 0:
        return (
            _erf(x.reshape(-1).astype(np.float32 if x.dtype == np.float16 else x.dtype))
            .astype(x.dtype)
            .reshape(x.shape)
        )
    a, b = (_ERF64_A, _ERF64_B) if x.dtype == np.float64 else (_ERF32_A, _ERF32_B)
    s = np.multiply(x, x)
    s *= 0.5
    s -= 1.0
    out = _horner(a, s)
    out *= x
    big = np.abs(x) >= 2.0
    if big.any():
        xb = x[big]
        ab = np.abs(xb)
        out[big] = np.copysign(1.0 - np.exp(-ab * ab) * _horner(b, 6.0 / ab - 2.0) / ab, xb)
    return out


class Erf(_Pointwise, Function):
    """out = erf x = (2/√π)∫₀ˣ e^(−t²) dt.   VJP: gx = g·(2/√π)·e^(−x²)."""

    _graph_backward = True
    f = staticmethod(_erf)
    vjp = staticmethod(lambda g, x, out, xp: g * (xp.exp(-x * x) * _TWO_OVER_SQRT_PI))


class NanToNum(Function):
    """out = x with nan, +inf, −inf replaced.   VJP: gx = g where x is finite, else 0."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, nan: float, posinf: Any, neginf: Any) -> Any:
        ctx.save_for_backward(x)
        return np.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * ctx.xp.isfinite(x), None, None, None


# --- public functions ---------------------------------------------------------------------------
def _float(x: Any, op: str) -> Any:
    """``x`` as a floating tensor (int/bool -> default dtype); TypeError for non-tensors."""
    try:
        if x._data.dtype.kind == "f":
            return x
    except AttributeError:
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}") from None
    return promote_float(x)


def exp(input: Any) -> Any:  # noqa: A002
    """eˣ elementwise."""
    return Exp.apply(_float(input, "exp"))


def exp2(input: Any) -> Any:  # noqa: A002
    """2ˣ elementwise."""
    return Exp2.apply(_float(input, "exp2"))


def expm1(input: Any) -> Any:  # noqa: A002
    """eˣ − 1, accurate near 0."""
    return Expm1.apply(_float(input, "expm1"))


def log(input: Any) -> Any:  # noqa: A002
    """Natural logarithm (−inf at 0, nan below 0)."""
    return Log.apply(_float(input, "log"))


def log1p(input: Any) -> Any:  # noqa: A002
    """ln(1 + x), accurate near 0."""
    return Log1p.apply(_float(input, "log1p"))


def log2(input: Any) -> Any:  # noqa: A002
    """Base-2 logarithm."""
    return Log2.apply(_float(input, "log2"))


def log10(input: Any) -> Any:  # noqa: A002
    """Base-10 logarithm."""
    return Log10.apply(_float(input, "log10"))


def sqrt(input: Any) -> Any:  # noqa: A002
    """√x (nan below 0)."""
    return Sqrt.apply(_float(input, "sqrt"))


def rsqrt(input: Any) -> Any:  # noqa: A002
    """1/√x."""
    from .elementwise import pow

    return pow(_float(input, "rsqrt"), -0.5)


def sin(input: Any) -> Any:  # noqa: A002
    """Sine (radians)."""
    return Sin.apply(_float(input, "sin"))


def cos(input: Any) -> Any:  # noqa: A002
    """Cosine (radians)."""
    return Cos.apply(_float(input, "cos"))


def tan(input: Any) -> Any:  # noqa: A002
    """Tangent (radians)."""
    return Tan.apply(_float(input, "tan"))


def asin(input: Any) -> Any:  # noqa: A002
    """Arcsine (nan outside [−1, 1])."""
    return Asin.apply(_float(input, "asin"))


def acos(input: Any) -> Any:  # noqa: A002
    """Arccosine (nan outside [−1, 1])."""
    return Acos.apply(_float(input, "acos"))


def atan(input: Any) -> Any:  # noqa: A002
    """Arctangent."""
    return Atan.apply(_float(input, "atan"))


def sinh(input: Any) -> Any:  # noqa: A002
    """Hyperbolic sine."""
    return Sinh.apply(_float(input, "sinh"))


def cosh(input: Any) -> Any:  # noqa: A002
    """Hyperbolic cosine."""
    return Cosh.apply(_float(input, "cosh"))


def tanh(input: Any) -> Any:  # noqa: A002
    """Hyperbolic tangent."""
    return Tanh.apply(_float(input, "tanh"))


def sigmoid(input: Any) -> Any:  # noqa: A002
    """Logistic function 1/(1 + e⁻ˣ), stable for any x."""
    return Sigmoid.apply(_float(input, "sigmoid"))


def square(input: Any) -> Any:  # noqa: A002
    """x² (integers stay integers; bool gives int64, as PyTorch)."""
    from .copy import cast
    from .elementwise import pow

    if not isinstance(input, tensor_cls()):
        raise TypeError(f"square(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input._data.dtype == np.bool_:
        input = cast(input, _dtype.int64)
    return pow(input, 2)


def reciprocal(input: Any) -> Any:  # noqa: A002
    """1/x (integers give the default float dtype)."""
    from .elementwise import div

    return div(1.0, _float(input, "reciprocal"))


def erf(input: Any) -> Any:  # noqa: A002
    """Gauss error function."""
    return Erf.apply(_float(input, "erf"))


def nan_to_num(
    input: Any,
    nan: float = 0.0,
    posinf: float | None = None,
    neginf: float | None = None,  # noqa: A002
) -> Any:
    """Replace nan by ``nan`` and ±inf by ``posinf``/``neginf`` (default: the dtype's max/min)."""
    if not isinstance(input, tensor_cls()):
        raise TypeError(f"nan_to_num(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input._data.dtype.kind != "f":
        from .copy import clone

        return clone(input)
    return NanToNum.apply(input, nan, posinf, neginf)
