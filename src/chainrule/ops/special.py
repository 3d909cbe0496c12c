"""Special functions: inverse hyperbolics, erfinv, erfc, log_ndtr, and the binary maps copysign,
hypot, logaddexp(2), xlogy (the gamma family is in ``gamma.py``).

NumPy has none of these special functions, so they are computed here in float64 and rounded to the
input's dtype: erfinv by Giles' single-precision approximation refined by Newton steps on erf (on
ln erfc in the tails), erfc from erf's own interpolants and an asymptotic series far out.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._util import Function, broadcast_error, promote, shape_of, tensor_cls
from .elementwise import _float_operands
from .unary import _ERF64_B, _erf, _float, _horner, _Pointwise

__all__ = [
    "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh", "erfinv", "erfc", "copysign", "hypot",
    "logaddexp", "logaddexp2", "xlogy",
]  # fmt: skip

_LN2 = math.log(2.0)
_SQRT_PI_2 = math.sqrt(math.pi) / 2.0
_SQRT1_2 = 1.0 / math.sqrt(2.0)


def _f64(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _erfinv(y: np.ndarray) -> np.ndarray:
    """erf⁻¹(y): Giles' approximation (w = −ln(1−y²)), then Newton steps on erf; ±inf at ±1, nan beyond."""
    y64 = _f64(y)
    with np.errstate(all="ignore"):
        w = -np.log((1.0 - y64) * (1.0 + y64))
        central = w < 5.0
        wc = w - 2.5
        pc = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                  -0.00417768164, 0.246640727, 1.50140941):  # fmt: skip
            pc = pc * wc + c
        wt = np.sqrt(w) - 3.0
        pt = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                  0.00943887047, 1.00167406, 2.83297682):  # fmt: skip
            pt = pt * wt + c
        x = np.where(central, pc, pt) * y64
        ok = np.isfinite(x)
        xs = np.where(ok, x, 0.0)
        for _ in range(3):
            xs = xs - (_erf(xs) - y64) / (np.exp(-xs * xs) / _SQRT_PI_2)
        tail = ok & (np.abs(xs) >= 2.0)
        if tail.any():  # Newton on ln erfc(t) = ln(1 − |y|), exact where erf(t) would round to 1
            t, lnd = np.abs(xs[tail]), np.log1p(-np.abs(y64[tail]))
            for _ in range(3):
                r = _horner(_ERF64_B, 6.0 / t - 2.0) / t  # erfc(t) = e^(−t²)·r
                t = t + (np.log(r) - t * t - lnd) * r * _SQRT_PI_2
            xs[tail] = np.copysign(t, y64[tail])
        x = np.where(ok, xs, x)
        x = np.where(np.abs(y64) == 1.0, np.copysign(np.inf, y64), np.where(np.abs(y64) > 1.0, np.nan, x))
    return x.astype(y.dtype, copy=False)


def _erfc(x: np.ndarray) -> np.ndarray:
    """1 − erf(x) without cancellation: for |x| ≥ 2, e^(−x²)·r(x)/x from erf's tail interpolant
    (x < 6) or the asymptotic series (1/(x√π))·Σ (−1)ᵏ (2k−1)!!/(2x²)ᵏ (x ≥ 6); then
    erfc(−x) = 2 − erfc(x)."""
    x64 = _f64(x).reshape(-1)
    with np.errstate(all="ignore"):
        out = 1.0 - _erf(x64)
        ax = np.abs(x64)
        mid = (ax >= 2.0) & (ax < 6.0)
        if mid.any():
            a = ax[mid]
            out[mid] = np.exp(-a * a) * _horner(_ERF64_B, 6.0 / a - 2.0) / a
        far = ax >= 6.0
        if far.any():
            a = ax[far]
            inv = 1.0 / (2.0 * a * a)
            term, s = np.ones_like(a), np.ones_like(a)
            for k in range(1, 20):
                term = term * -(2 * k - 1) * inv
                s = s + term
            out[far] = np.exp(-a * a) / (a * math.sqrt(math.pi)) * s
        neg = (x64 <= -2.0)
        out[neg] = 2.0 - out[neg]
    return out.reshape(np.shape(x)).astype(x.dtype, copy=False)


def _log_ndtr(x: np.ndarray) -> np.ndarray:
    """ln Φ(x): log1p(−½ erfc(x/√2)) for x > 0, ln(½ erfc(−x/√2)) down to −37, then the asymptotic
    −x²/2 − ln(−x) − ½ ln 2π + ln Σ (−1)ᵏ (2k−1)!!/x²ᵏ."""
    x64 = _f64(x)
    with np.errstate(all="ignore"):
        pos = np.log1p(-0.5 * _erfc(x64 * _SQRT1_2))
        mid = np.log(0.5 * _erfc(-x64 * _SQRT1_2))
        inv = 1.0 / (x64 * x64)
        term, s = np.ones_like(x64), np.ones_like(x64)
        for k in range(1, 12):
            term = term * -(2 * k - 1) * inv
            s = s + term
        far = -0.5 * x64 * x64 - np.log(-x64) - 0.5 * math.log(2 * math.pi) + np.log(s)
        out = np.where(x64 > 0, pos, np.where(x64 > -37.0, mid, far))
    return out.astype(x.dtype, copy=False)


def _in_dtype(v: Any, g: Any, xp: Any) -> Any:
    """``v`` in g's dtype on arrays (Tensors: the engine casts recorded gradients itself)."""
    return v if xp.is_tensor else v.astype(g.dtype, copy=False)


class LogNdtr(_Pointwise, Function):
    """out = ln Φ(x), Φ the standard normal CDF.   VJP: gx = g·φ(x)/Φ(x) = g·e^(−x²/2 − ½ ln 2π − ln Φ(x))
    (the exponent is formed in float64: its two large terms cancel)."""

    _graph_backward = True
    f = staticmethod(_log_ndtr)

    @staticmethod
    def vjp(g: Any, x: Any, out: Any, xp: Any) -> Any:
        """g·φ(x)/Φ(x); on arrays in float64, on Tensors through the recorded log_ndtr."""
        if xp.is_tensor:
            return g * xp.exp(-0.5 * x * x - 0.5 * math.log(2 * math.pi) - log_ndtr(x))
        return g * np.exp(-0.5 * _f64(x) ** 2 - 0.5 * math.log(2 * math.pi) - _log_ndtr(_f64(x))).astype(x.dtype)


class Asinh(_Pointwise, Function):
    """out = asinh x = ln(x + √(x²+1)).   VJP: gx = g / √(x² + 1)."""

    _graph_backward = True
    f = np.arcsinh
    vjp = staticmethod(lambda g, x, out, xp: g / xp.sqrt(x * x + 1.0))


class Acosh(_Pointwise, Function):
    """out = acosh x (nan below 1).   VJP: gx = g / √(x² − 1)."""

    _graph_backward = True
    f = np.arccosh
    vjp = staticmethod(lambda g, x, out, xp: g / xp.sqrt(x * x - 1.0))


class Atanh(_Pointwise, Function):
    """out = atanh x = ½ ln((1+x)/(1−x)).   VJP: gx = g / (1 − x²)."""

    _graph_backward = True
    f = np.arctanh
    vjp = staticmethod(lambda g, x, out, xp: g / (1.0 - x * x))


class Erfinv(_Pointwise, Function):
    """out = erf⁻¹(x).   VJP: gx = g·(√π/2)·e^(out²)."""

    _graph_backward = True
    keep_x, keep_out = False, True
    f = staticmethod(_erfinv)
    vjp = staticmethod(lambda g, x, out, xp: g * (_SQRT_PI_2 * xp.exp(out * out)))


class Erfc(_Pointwise, Function):
    """out = 1 − erf x.   VJP: gx = −g·(2/√π)·e^(−x²)."""

    _graph_backward = True
    f = staticmethod(_erfc)
    vjp = staticmethod(lambda g, x, out, xp: -g * (xp.exp(-x * x) / _SQRT_PI_2))


class Copysign(Function):
    """out = |a|·sign(b) (sign bit of b, so −0.0 counts as negative).
    VJP: ga = g·out/a (0 where a = 0),  gb = 0."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        out = np.copysign(a, b)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, out = ctx.saved_tensors
        xp = ctx.xp
        zero = xp.equal(a, 0)
        with np.errstate(all="ignore"):
            ga = g * xp.where(zero, 0.0, out / xp.where(zero, 1.0, a))
        return _in_dtype(ga, g, xp), (xp.zeros_like(g) if ctx.needs_input_grad[1] else None)


class Hypot(Function):
    """out = √(a² + b²).   VJP: ga = g·a/out,  gb = g·b/out."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        out = np.hypot(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b, out = ctx.saved_tensors
        with np.errstate(all="ignore"):
            return g * a / out, g * b / out


class LogAddExp(Function):
    """out = ln(eᵃ + eᵇ) (``base2``: log₂(2ᵃ + 2ᵇ)).
    VJP: ga = g·e^(a−out),  gb = g·e^(b−out)  (base 2: 2^(a−out), 2^(b−out))."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, base2: bool) -> Any:
        with np.errstate(all="ignore"):
            out = np.logaddexp2(a, b) if base2 else np.logaddexp(a, b)
        ctx.base2 = base2
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b, out = ctx.saved_tensors
        e = ctx.xp.exp2 if ctx.base2 else ctx.xp.exp
        with np.errstate(all="ignore"):
            ga = g * e(a - out) if ctx.needs_input_grad[0] else None
            gb = g * e(b - out) if ctx.needs_input_grad[1] else None
        return ga, gb, None


class Xlogy(Function):
    """out = a·ln b, taken as 0 where a = 0 (unless b is nan).
    VJP: ga = g·ln b (0 where a = 0 and b ≤ 0),  gb = g·a/b."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        with np.errstate(all="ignore"):
            out = np.where((a == 0) & ~np.isnan(b), 0.0, a * np.log(b)).astype(np.result_type(a, b), copy=False)
        ctx.save_for_backward(a, b)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        xp = ctx.xp
        ga = gb = None
        with np.errstate(all="ignore"):
            if ctx.needs_input_grad[0]:
                off = xp.equal(a, 0) & xp.less_equal(b, 0)  # ln b is taken as 0 there
                if off.any():  # (ln of 1 there, so no nan reaches a second derivative)
                    ga = xp.where(off, 0.0, g * xp.log(xp.where(off, 1.0, b)))
                else:
                    ga = g * xp.log(b)
                ga = _in_dtype(ga, g, xp)
            if ctx.needs_input_grad[1]:
                gb = g * a / b
        return ga, gb


# --- public functions ---------------------------------------------------------------------------
def asinh(input: Any) -> Any:  # noqa: A002
    """Inverse hyperbolic sine."""
    return Asinh.apply(_float(input, "asinh"))


def acosh(input: Any) -> Any:  # noqa: A002
    """Inverse hyperbolic cosine (nan below 1)."""
    return Acosh.apply(_float(input, "acosh"))


def atanh(input: Any) -> Any:  # noqa: A002
    """Inverse hyperbolic tangent (±inf at ±1, nan beyond)."""
    return Atanh.apply(_float(input, "atanh"))


arcsinh, arccosh, arctanh = asinh, acosh, atanh


def log_ndtr(input: Any) -> Any:  # noqa: A002
    """ln Φ(x), accurate far into both tails (``chainrule.special.log_ndtr``)."""
    return LogNdtr.apply(_float(input, "log_ndtr"))


def erfinv(input: Any) -> Any:  # noqa: A002
    """Inverse error function on (−1, 1) (±inf at ±1, nan outside)."""
    return Erfinv.apply(_float(input, "erfinv"))


def erfc(input: Any) -> Any:  # noqa: A002
    """Complementary error function 1 − erf(x)."""
    return Erfc.apply(_float(input, "erfc"))


def _binary_float(cls: Any, name: str, a: Any, b: Any, *extra: Any) -> Any:
    T = tensor_cls()
    if not isinstance(a, T) and not isinstance(b, T):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(a).__name__}")
    a, b = promote(*_float_operands(a, b), name)
    try:
        return cls.apply(a, b, *extra)
    except ValueError:
        raise broadcast_error(name, shape_of(a), shape_of(b)) from None


def copysign(input: Any, other: Any) -> Any:  # noqa: A002
    """|input| with the sign of ``other`` (integers give the default float dtype)."""
    return _binary_float(Copysign, "copysign", input, other)


def hypot(input: Any, other: Any) -> Any:  # noqa: A002
    """√(input² + other²) without overflow in the squares."""
    return _binary_float(Hypot, "hypot", input, other)


def logaddexp(input: Any, other: Any) -> Any:  # noqa: A002
    """ln(e^input + e^other), computed stably."""
    return _binary_float(LogAddExp, "logaddexp", input, other, False)


def logaddexp2(input: Any, other: Any) -> Any:  # noqa: A002
    """log₂(2^input + 2^other), computed stably."""
    return _binary_float(LogAddExp, "logaddexp2", input, other, True)


def xlogy(input: Any, other: Any) -> Any:  # noqa: A002
    """input·ln(other), with 0 where input is 0 (even where ln(other) is −inf)."""
    return _binary_float(Xlogy, "xlogy", input, other)
