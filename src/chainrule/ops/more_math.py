"""More elementwise math: clamp_min/clamp_max, sinc, logit, ldexp, frexp, rad2deg/deg2rad,
signbit, heaviside, gcd/lcm, positive, and PyTorch's aliases (arcsin, arccos, arctan, arctan2,
fix, sgn).

Only sinc is a primitive (its gradient at 0 needs care); the rest compose existing ops.
"""

from __future__ import annotations

import collections
import math
from typing import Any

import numpy as np

from .. import _dtype
from ._util import Function, check_tensor, make, tensor_cls
from .compare import _arrays, _integral
from .elementwise import atan2, clamp, div, mul, sub
from .rounding import sign, trunc
from .unary import _float, _Pointwise, acos, asin, atan, exp2, log

__all__ = [
    "clamp_min", "clamp_max", "sinc", "logit", "ldexp", "frexp", "rad2deg", "deg2rad", "signbit",
    "heaviside", "gcd", "lcm", "nextafter", "positive", "renorm", "arcsin", "arccos", "arctan", "arctan2", "fix", "sgn",
]  # fmt: skip

arcsin, arccos, arctan, arctan2, fix, sgn = asin, acos, atan, atan2, trunc, sign


def _sinc(x: np.ndarray) -> np.ndarray:
    px = math.pi * x
    return np.where(x == 0, 1.0, np.sin(px) / np.where(x == 0, 1.0, px)).astype(x.dtype, copy=False)


class Sinc(_Pointwise, Function):
    """out = sin(πx)/(πx), 1 at x = 0.   VJP: gx = g·(πx·cos πx − sin πx)/(πx²), 0 at x = 0."""

    _graph_backward = True
    f = staticmethod(_sinc)

    @staticmethod
    def vjp(g: Any, x: Any, out: Any, xp: Any) -> Any:
        """g·(πx·cos πx − sin πx)/(πx²), 0 at x = 0 (evaluated at 1 there: no nan for a second derivative)."""
        zero = xp.equal(x, 0)
        xs = xp.where(zero, 1.0, x) if zero.any() else x
        px = math.pi * xs
        d = xp.where(zero, 0.0, (px * xp.cos(px) - xp.sin(px)) / (px * xs))
        return g * (d if xp.is_tensor else d.astype(x.dtype, copy=False))


def clamp_min(input: Any, min: Any) -> Any:  # noqa: A001,A002
    """max(input, min) elementwise (``clamp(input, min=min)``)."""
    return clamp(input, min=min)


def clamp_max(input: Any, max: Any) -> Any:  # noqa: A001,A002
    """min(input, max) elementwise (``clamp(input, max=max)``)."""
    return clamp(input, max=max)


def sinc(input: Any) -> Any:  # noqa: A002
    """The normalized sinc function sin(πx)/(πx) (1 at 0)."""
    return Sinc.apply(_float(input, "sinc"))


def logit(input: Any, eps: float | None = None) -> Any:  # noqa: A002
    """ln(x/(1 − x)), with x first clamped to [eps, 1 − eps] when ``eps`` is given."""
    x = _float(input, "logit")
    if eps is not None:
        x = clamp(x, float(eps), 1.0 - float(eps))
    return log(div(x, sub(1.0, x)))


def ldexp(input: Any, other: Any) -> Any:  # noqa: A002
    """input·2^other (floating result)."""
    x = _float(check_tensor(input, "ldexp"), "ldexp")
    e = other if not isinstance(other, tensor_cls()) else _float(other, "ldexp")
    return mul(x, exp2(e) if isinstance(e, tensor_cls()) else 2.0 ** float(e))


class FrexpResult(collections.namedtuple("frexp", ["mantissa", "exponent"])):
    """``(mantissa, exponent)`` returned by ``frexp``, like ``torch.return_types.frexp``."""

    __slots__ = ()


def frexp(input: Any) -> Any:  # noqa: A002
    """``(mantissa, exponent)`` with input = mantissa·2^exponent, |mantissa| in [0.5, 1); exponent is int32."""
    x = check_tensor(input, "frexp")
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            f"frexp: torch.frexp() only supports floating-point dtypes; got {_dtype.from_numpy_dtype(x._data.dtype)}"
        )
    _, e = np.frexp(x._data)
    mantissa = div(x, make(np.ldexp(np.ones_like(x._data), e)))
    return FrexpResult(mantissa, make(e.astype(np.int32)))


def rad2deg(input: Any) -> Any:  # noqa: A002
    """Radians to degrees."""
    return mul(_float(input, "rad2deg"), 180.0 / math.pi)


def deg2rad(input: Any) -> Any:  # noqa: A002
    """Degrees to radians."""
    return mul(_float(input, "deg2rad"), math.pi / 180.0)


def signbit(input: Any) -> Any:  # noqa: A002
    """True where the sign bit is set (negative numbers and −0.0)."""
    return make(np.signbit(check_tensor(input, "signbit")._data))


def heaviside(input: Any, values: Any) -> Any:  # noqa: A002
    """0 where input < 0, ``values`` where input = 0, 1 where input > 0 (no gradient, as in PyTorch)."""
    x = check_tensor(input, "heaviside")._data
    v = check_tensor(values, "heaviside", "values")._data
    if x.dtype != v.dtype:
        raise RuntimeError(
            f"heaviside: heaviside is not yet implemented for tensors with different dtypes; got "
            f"{_dtype.from_numpy_dtype(x.dtype)} and {_dtype.from_numpy_dtype(v.dtype)}"
        )
    try:
        out = np.where(x == 0, v, (x > 0).astype(x.dtype))
    except ValueError:
        from ._util import broadcast_error

        raise broadcast_error("heaviside", x.shape, v.shape) from None
    return make(np.asarray(out, x.dtype))


def _int_binary(ufunc: Any, a: Any, b: Any, op: str) -> Any:
    _integral(check_tensor(a, op)._data.dtype, op)
    check_tensor(b, op, "other")
    ad, bd = _arrays(a, b, op)
    _integral(ad.dtype, op)
    return make(np.asarray(ufunc(ad, bd)).astype(ad.dtype, copy=False))


def gcd(input: Any, other: Any) -> Any:  # noqa: A002
    """Greatest common divisor of integers (non-negative; gcd(0, 0) = 0)."""
    return _int_binary(np.gcd, input, other, "gcd")


def lcm(input: Any, other: Any) -> Any:  # noqa: A002
    """Least common multiple of integers (non-negative)."""
    return _int_binary(np.lcm, input, other, "lcm")


def nextafter(input: Any, other: Any) -> Any:  # noqa: A002
    """The next floating-point value after ``input`` towards ``other`` (no gradient, as in PyTorch)."""
    x = check_tensor(input, "nextafter")._data
    y = check_tensor(other, "nextafter", "other")._data
    if x.dtype.kind != "f" or x.dtype != y.dtype:
        raise RuntimeError(
            f"nextafter: expected two floating-point tensors of one dtype; got {_dtype.from_numpy_dtype(x.dtype)} "
            f"and {_dtype.from_numpy_dtype(y.dtype)}"
        )
    return make(np.nextafter(x, y))


def positive(input: Any) -> Any:  # noqa: A002
    """``input`` itself (bool tensors are refused, as in PyTorch)."""
    x = check_tensor(input, "positive")
    if x._data.dtype == np.bool_:
        raise TypeError("positive: The `+` operator, on a bool tensor is not supported.")
    return x


def renorm(input: Any, p: float, dim: int, maxnorm: float) -> Any:  # noqa: A002
    """Each slice along ``dim`` whose p-norm exceeds ``maxnorm`` rescaled to norm ``maxnorm``:
    x·maxnorm/(‖x‖_p + 1e-7) there, x elsewhere (differentiable through the norm, as in PyTorch)."""
    from ._util import norm_dim
    from .elementwise import add, where
    from .reduce import norm

    x = check_tensor(input, "renorm")
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"renorm: expected a floating-point tensor; got {_dtype.from_numpy_dtype(x._data.dtype)}")
    if p <= 0:
        raise RuntimeError(f"renorm: non-positive-norm not supported; got p = {p}")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    if x._data.ndim <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {x._data.ndim} dimensions")
    d = norm_dim(dim, x._data.ndim, "renorm")
    others = [i for i in range(x._data.ndim) if i != d]
    n = norm(x, p, dim=others, keepdim=True)
    factor = where(n._data > maxnorm, div(maxnorm, add(n, 1e-7)), make(np.ones((), x._data.dtype)))
    return mul(x, factor)
