"""Modified Bessel functions of the first kind, orders 0 and 1: i0, i1 and their exponentially scaled
forms i0e = e^(−|x|)·I₀(x), i1e = e^(−|x|)·I₁(x) (``torch.i0``, ``torch.special.i0/i0e/i1/i1e``).

Computed in float64 and rounded to the input's dtype: the power series
I_ν(x) = Σₖ (x/2)^(2k+ν) / (k!(k+ν)!) (positive terms, no cancellation) for |x| ≤ 20, and beyond it the
asymptotic series I_ν(x) ≈ eˣ/√(2πx) · Σₖ (−1)ᵏ (μ−1)(μ−9)…(μ−(2k−1)²) / (k!(8x)ᵏ), μ = 4ν², whose
30 terms are below 1e-16 relative there. I₀ is even, I₁ odd. Each derivative is a member of the family,
so the backward is recorded through the same ops (every order from one formula):
I₀′ = I₁,  I₁′ = I₀ − I₁/x (½ at 0),  i0e′ = i1e − sign(x)·i0e,  i1e′ = i0e − i1e·(sign(x) + 1/x) (½ at 0).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._util import Function
from .unary import _float, _Pointwise

__all__ = ["i0"]

_SERIES_MAX = 20.0


def _scaled64(x: np.ndarray, nu: int) -> np.ndarray:
    """e^(−|x|)·I_ν(|x|) in float64, ν ∈ {0, 1} (nan stays nan, ±inf gives 0)."""
    a = np.abs(np.asarray(x, dtype=np.float64))
    out = np.empty_like(a)
    with np.errstate(all="ignore"):
        small = a <= _SERIES_MAX
        xs = a[small]
        q = xs * xs / 4.0
        term = np.ones_like(xs) if nu == 0 else xs / 2.0
        total = term.copy()
        for k in range(1, 60):
            term = term * q / (k * (k + nu))
            total += term
        out[small] = total * np.exp(-xs)
        xl = a[~small]
        mu = 4.0 * nu * nu
        term = np.ones_like(xl)
        total = term.copy()
        for k in range(1, 30):
            term = term * (-(mu - (2 * k - 1) ** 2) / (8.0 * k)) / xl
            total += term
        out[~small] = total / np.sqrt(2.0 * math.pi * xl)
    return out


def _i0e(x: np.ndarray) -> np.ndarray:
    return _scaled64(x, 0).astype(x.dtype, copy=False)


def _i1e(x: np.ndarray) -> np.ndarray:
    return (np.sign(x) * _scaled64(x, 1)).astype(x.dtype, copy=False)


def _i0(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        return (_scaled64(x, 0) * np.exp(np.abs(np.asarray(x, dtype=np.float64)))).astype(x.dtype, copy=False)


def _i1(x: np.ndarray) -> np.ndarray:
    x64 = np.asarray(x, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return (np.sign(x64) * _scaled64(x, 1) * np.exp(np.abs(x64))).astype(x.dtype, copy=False)


def _apply(op: Any, x: Any, xp: Any) -> Any:
    """``op`` on ``x``: the recorded op on Tensors (create_graph), its array formula on arrays."""
    return op.apply(x) if xp.is_tensor else op.f(x)


def _over_x(num: Any, x: Any, xp: Any) -> Any:
    """num/x with x = 0 replaced by 1 (callers put the limit value there)."""
    return num / xp.where(x == 0, 1.0, x)


class I0(_Pointwise, Function):
    """out = I₀(x).   VJP: gx = g·I₁(x)."""

    _graph_backward = True
    f = staticmethod(_i0)
    vjp = staticmethod(lambda g, x, out, xp: g * _apply(I1, x, xp))


class I1(_Pointwise, Function):
    """out = I₁(x).   VJP: gx = g·(I₀(x) − I₁(x)/x), g/2 at x = 0."""

    _graph_backward = True
    f = staticmethod(_i1)
    vjp = staticmethod(lambda g, x, out, xp: g * xp.where(
        x == 0, 0.5, _apply(I0, x, xp) - _over_x(_apply(I1, x, xp), x, xp)))  # fmt: skip


class I0e(_Pointwise, Function):
    """out = e^(−|x|)·I₀(x).   VJP: gx = g·(i1e(x) − sign(x)·i0e(x))."""

    _graph_backward = True
    f = staticmethod(_i0e)
    vjp = staticmethod(lambda g, x, out, xp: g * (_apply(I1e, x, xp) - xp.sign(x) * _apply(I0e, x, xp)))


class I1e(_Pointwise, Function):
    """out = e^(−|x|)·I₁(x).   VJP: gx = g·(i0e(x) − i1e(x)·(sign(x) + 1/x)), g/2 at x = 0."""

    _graph_backward = True
    f = staticmethod(_i1e)

    @staticmethod
    def vjp(g: Any, x: Any, out: Any, xp: Any) -> Any:
        """The VJP above, on arrays or (recorded) on Tensors."""
        i1e = _apply(I1e, x, xp)
        d = _apply(I0e, x, xp) - xp.sign(x) * i1e - _over_x(i1e, x, xp)
        return g * xp.where(x == 0, 0.5, d)


def i0(input: Any) -> Any:  # noqa: A002
    """The modified Bessel function of the first kind of order 0, I₀(x) = Σₖ (x/2)^(2k)/(k!)²."""
    return I0.apply(_float(input, "i0"))


def i0e(input: Any) -> Any:  # noqa: A002
    """The exponentially scaled I₀: e^(−|x|)·I₀(x) (finite for every x)."""
    return I0e.apply(_float(input, "i0e"))


def i1(input: Any) -> Any:  # noqa: A002
    """The modified Bessel function of the first kind of order 1, I₁(x) = Σₖ (x/2)^(2k+1)/(k!(k+1)!)."""
    return I1.apply(_float(input, "i1"))


def i1e(input: Any) -> Any:  # noqa: A002
    """The exponentially scaled I₁: e^(−|x|)·I₁(x)."""
    return I1e.apply(_float(input, "i1e"))
