"""The gamma family: lgamma, digamma/polygamma, mvlgamma and the regularized incomplete gammas
igamma/igammac, each computed in float64 (NumPy has none of them) and rounded to the input's dtype.

lgamma: Stirling's series at x ≥ 10 after the upward shift ln Γ(x) = ln Γ(x+k) − ln|x(x+1)…(x+k−1)|,
with the reflection formula for x < 0. digamma/polygamma: the recurrence ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x+1) −
(−1)ⁿ n!/xⁿ⁺¹ up to x ≥ 10, then the asymptotic (Bernoulli) series. igamma: the power series of P
for x < a + 1, else the continued fraction of Q.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._util import Function
from .special import _binary_float, _f64
from .unary import _float, _Pointwise

__all__ = ["lgamma", "digamma", "polygamma", "mvlgamma", "igamma", "igammac"]

# Bernoulli numbers B₂ₖ, k = 1..9 (asymptotic series of lgamma, digamma and polygamma)
_B2K = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798)


def _lgamma(x: np.ndarray) -> np.ndarray:
    """ln|Γ(x)|: Stirling's series at x ≥ 10 after the shift ln Γ(x) = ln Γ(x+k) − ln|x(x+1)…(x+k−1)|,
    reflection ln π − ln|sin πx| − ln Γ(1−x) for x < 0; +inf at the poles."""
    x64 = _f64(x)
    with np.errstate(all="ignore"):
        neg = x64 < 0
        z = np.where(neg, 1.0 - x64, x64)
        z = np.where(np.isfinite(z) & (z > 0), z, 10.0)
        prod = np.ones_like(z)
        while True:
            m = z < 10.0
            if not m.any():
                break
            prod[m] *= z[m]
            z[m] += 1.0
        inv2 = 1.0 / (z * z)
        s = np.zeros_like(z)
        for k in range(len(_B2K), 0, -1):
            s = s * inv2 + _B2K[k - 1] / (2 * k * (2 * k - 1))
        lg = (z - 0.5) * np.log(z) - z + 0.5 * math.log(2 * math.pi) + s / z - np.log(prod)
        refl = math.log(math.pi) - np.log(np.abs(np.sin(math.pi * x64))) - lg
        out = np.where(neg, refl, lg)
        out = np.where((x64 <= 0) & (x64 == np.floor(x64)), np.inf, out)  # poles
        out = np.where(np.isinf(x64), np.inf, np.where(np.isnan(x64), np.nan, out))
        out = np.where((x64 == 1.0) | (x64 == 2.0), 0.0, out)  # exact zeros
    return out.astype(x.dtype, copy=False)


def _shift_up(x: np.ndarray, n: int, lo: float) -> tuple[np.ndarray, np.ndarray]:
    """Shift every x below ``lo`` upward with the recurrence; returns (shifted x, Σ of the terms)."""
    acc = np.zeros_like(x)
    x = x.copy()
    sign = -1.0 if n == 0 else (-1.0) ** (n + 1) * math.factorial(n)
    while True:
        m = x < lo
        if not m.any():
            return x, acc
        xm = x[m]
        acc[m] += sign / xm ** (n + 1) if n else -1.0 / xm
        x[m] = xm + 1.0


def _polygamma64(n: int, x: np.ndarray) -> np.ndarray:
    """ψ⁽ⁿ⁾(x) in float64 (n = 0 is digamma); digamma uses reflection for x < 0."""
    x = _f64(x)
    out = np.empty_like(x)
    with np.errstate(all="ignore"):
        pole = (x <= 0) & (x == np.floor(x))
        if n == 0:
            neg = x < 0
            xr = np.where(neg, 1.0 - x, x)  # ψ(x) = ψ(1−x) − π cot πx
            xs, acc = _shift_up(np.where(pole | ~np.isfinite(xr), 10.0, xr), 0, 10.0)
            inv2 = 1.0 / (xs * xs)
            s = np.zeros_like(xs)
            for k in range(len(_B2K) - 1, -1, -1):
                s = s * inv2 + _B2K[k] / (2 * (k + 1))
            out = np.log(xs) - 0.5 / xs - s * inv2 + acc
            out = np.where(neg, out - math.pi / np.tan(math.pi * x), out)
            out = np.where(x == 0, -np.inf, np.where(pole, np.nan, out))
            out = np.where(x == np.inf, np.inf, np.where(np.isnan(x) | (x == -np.inf), np.nan, out))
            return out
        xs, acc = _shift_up(np.where(pole | ~np.isfinite(x), 10.0, x), n, 10.0)
        # (−1)ⁿ⁺¹ [ (n−1)!/xⁿ + n!/(2xⁿ⁺¹) + Σₖ B₂ₖ (2k+n−1)!/((2k)! x²ᵏ⁺ⁿ) ]
        s = math.factorial(n - 1) / xs**n + math.factorial(n) / (2 * xs ** (n + 1))
        for k, b in enumerate(_B2K, start=1):
            s = s + b * math.factorial(2 * k + n - 1) / math.factorial(2 * k) / xs ** (2 * k + n)
        out = (-1.0) ** (n + 1) * s + acc
        out = np.where(pole, np.inf if n % 2 else -np.inf, out)
        out = np.where(x == np.inf, 0.0, np.where(np.isnan(x) | (x == -np.inf), np.nan, out))
    return out


def _igamma(a: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The regularized incomplete gammas (P(a, x), Q(a, x)) in float64: the power series of P for
    x < a + 1, else the continued fraction of Q (modified Lentz); nan for a < 0, x < 0 or both 0."""
    a, x = np.broadcast_arrays(_f64(a), _f64(x))
    p = np.full(a.shape, np.nan)
    with np.errstate(all="ignore"):
        ok = (a >= 0) & (x >= 0) & ~((a == 0) & (x == 0))
        log_front = a * np.log(x) - x - _lgamma(a)
        ser = ok & (x < a + 1) & (x > 0) & (a > 0)
        if ser.any():
            aa, xx = a[ser], x[ser]
            term = 1.0 / aa
            total = term.copy()
            ap = aa.copy()
            for _ in range(2000):
                ap += 1.0
                term *= xx / ap
                total += term
                if np.all(np.abs(term) < np.abs(total) * 1e-17):
                    break
            p[ser] = total * np.exp(log_front[ser])
        cf = ok & ~ser & (x > 0) & (a > 0) & np.isfinite(x)
        if cf.any():
            aa, xx = a[cf], x[cf]
            tiny = 1e-300
            b = xx + 1.0 - aa
            c = np.full_like(b, 1.0 / tiny)
            d = 1.0 / b
            h = d.copy()
            for i in range(1, 2000):
                an = -i * (i - aa)
                b = b + 2.0
                d = an * d + b
                d = np.where(np.abs(d) < tiny, tiny, d)
                c = b + an / c
                c = np.where(np.abs(c) < tiny, tiny, c)
                d = 1.0 / d
                delta = d * c
                h *= delta
                if np.all(np.abs(delta - 1.0) < 1e-16):
                    break
            p[cf] = 1.0 - np.exp(log_front[cf]) * h
            q_cf = np.exp(log_front[cf]) * h
        p = np.where(ok & (x == 0), 0.0, p)
        p = np.where(ok & (a == 0) & (x > 0), 1.0, p)
        p = np.where(ok & np.isinf(x), 1.0, p)
        q = np.array(1.0 - p)  # (an array even for 0-d inputs)
        if cf.any():
            q[cf] = q_cf  # the continued fraction gives Q directly (no cancellation in the tail)
    return p, q


class Igamma(Function):
    """out = P(a, x) = γ(a, x)/Γ(a) (``upper``: Q = 1 − P).
    VJP: gx = ±g·x^(a−1)·e^(−x)/Γ(a) (+ for P, − for Q); no gradient for a (PyTorch defines none)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, x: Any, upper: bool) -> Any:
        p, q = _igamma(a, x)
        ctx.upper = upper
        ctx.save_for_backward(a, x)
        return (q if upper else p).astype(np.result_type(a, x), copy=False)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if ctx.needs_input_grad[0]:
            name = "igammac" if ctx.upper else "igamma"
            raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
        a, x = ctx.saved_tensors
        if ctx.xp.is_tensor:  # the same density, recorded (a carries no gradient)
            xp = ctx.xp
            with np.errstate(all="ignore"):
                gx = g * xp.exp((a - 1.0) * xp.log(x) - x - Lgamma.apply(a))
            return None, (-gx if ctx.upper else gx), None
        with np.errstate(all="ignore"):
            a64, x64 = _f64(a), _f64(x)
            dens = np.exp((a64 - 1.0) * np.log(x64) - x64 - _lgamma(a64))
        gx = g * dens.astype(g.dtype, copy=False)
        return None, (-gx if ctx.upper else gx), None


def _psi(n: int, x: Any, xp: Any) -> Any:
    """ψ⁽ⁿ⁾(x) in x's dtype: computed in float64 on arrays, the recorded polygamma op on Tensors."""
    if xp.is_tensor:
        return Polygamma.apply(x, n)
    return _polygamma64(n, x).astype(x.dtype, copy=False)


class Lgamma(_Pointwise, Function):
    """out = ln|Γ(x)|.   VJP: gx = g·ψ(x)."""

    _graph_backward = True
    f = staticmethod(_lgamma)
    vjp = staticmethod(lambda g, x, out, xp: g * _psi(0, x, xp))


class Polygamma(Function):
    """out = ψ⁽ⁿ⁾(x) (n = 0: digamma ψ = Γ'/Γ).   VJP: gx = g·ψ⁽ⁿ⁺¹⁾(x)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, n: int) -> Any:
        ctx.n = n
        ctx.save_for_backward(x)
        return _polygamma64(n, x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        with np.errstate(all="ignore"):
            return g * _psi(ctx.n + 1, x, ctx.xp), None


# --- public functions ---------------------------------------------------------------------------
def lgamma(input: Any) -> Any:  # noqa: A002
    """ln|Γ(x)| (+inf at 0 and the negative integers)."""
    return Lgamma.apply(_float(input, "lgamma"))


def digamma(input: Any) -> Any:  # noqa: A002
    """ψ(x) = d/dx ln Γ(x) (−inf at 0, nan at the negative integers, as PyTorch)."""
    return Polygamma.apply(_float(input, "digamma"), 0)


def polygamma(n: int, input: Any) -> Any:  # noqa: A002
    """ψ⁽ⁿ⁾(x), the n-th derivative of digamma (n ≥ 0)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"polygamma: polygamma(n, x) does not support negative n; got n = {n}")
    return Polygamma.apply(_float(input, "polygamma"), int(n))


def mvlgamma(input: Any, p: int) -> Any:  # noqa: A002
    """The multivariate log-gamma ln Γ_p(a) = p(p−1)/4·ln π + Σ_{j<p} ln Γ(a − j/2) (needs a > (p − 1)/2)."""
    from .elementwise import add, sub

    if p < 1:
        raise RuntimeError(f"mvlgamma: p has to be greater than or equal to 1; got {p}")
    x = _float(input, "mvlgamma")
    if (x._data <= (p - 1) / 2).any():
        raise RuntimeError(f"mvlgamma: All elements must be greater than (p-1)/2 = {(p - 1) / 2}")
    out = lgamma(x)
    for j in range(1, p):
        out = add(out, lgamma(sub(x, j / 2)))
    return add(out, p * (p - 1) / 4 * math.log(math.pi))


def igamma(input: Any, other: Any) -> Any:  # noqa: A002
    """The regularized lower incomplete gamma P(input, other) = γ(a, x)/Γ(a) (``special.gammainc``)."""
    return _binary_float(Igamma, "igamma", input, other, False)


def igammac(input: Any, other: Any) -> Any:  # noqa: A002
    """The regularized upper incomplete gamma Q(input, other) = 1 − P (``special.gammaincc``)."""
    return _binary_float(Igamma, "igammac", input, other, True)
