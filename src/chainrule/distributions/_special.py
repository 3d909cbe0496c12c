"""Special functions the distributions need, as differentiable ops (NumPy only; no SciPy).

* ``lgamma``  log|Γ(x)|  (Lanczos, g = 7, with the reflection formula below 1/2);  VJP  g·ψ(x)
* ``digamma`` ψ(x) = d/dx log Γ(x)  (recurrence up to x ≥ 10, then the asymptotic series);  VJP  g·ψ′(x)
* ``erfinv``  the inverse of erf (a rational first guess, then Newton steps on erf);  VJP  g·(√π/2)·e^{y²}
* ``standard_gamma``  z ~ Gamma(α, 1) with the implicit reparameterisation gradient
  dz/dα = −(∂P/∂α)(α, z) / p(z; α), P the regularised lower incomplete gamma function.

These are private: once ``chainrule.lgamma``/``digamma``/``erfinv`` exist as public tensor ops the
distributions can switch to them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function

__all__ = ["lgamma", "digamma", "erfinv", "standard_gamma", "gammainc", "np_gammainc", "np_lgamma", "np_digamma", "np_trigamma",
           "np_standard_gamma_grad"]  # fmt: skip

_LANCZOS_G = 7.0
_LANCZOS = (
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
)  # fmt: skip
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def np_lgamma(x: np.ndarray) -> np.ndarray:
    """log|Γ(x)| elementwise in float64 (Lanczos; reflection Γ(x)Γ(1−x) = π/sin(πx) for x < 1/2)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        small = x < 0.5
        z = np.where(small, 1.0 - x, x) - 1.0
        acc = np.full_like(z, _LANCZOS[0])
        for i in range(1, len(_LANCZOS)):
            acc += _LANCZOS[i] / (z + i)
        t = z + _LANCZOS_G + 0.5
        out = _HALF_LOG_2PI + (z + 0.5) * np.log(t) - t + np.log(acc)
        refl = math.log(math.pi) - np.log(np.abs(np.sin(math.pi * x))) - out
        out = np.where(small, refl, out)
        # exact values at 1 and 2 (Lanczos leaves ~1e-15 there); poles give +inf as PyTorch
        out = np.where((x == 1.0) | (x == 2.0), 0.0, out)
        out = np.where((x <= 0) & (x == np.floor(x)), np.inf, out)
    return out


def np_digamma(x: np.ndarray) -> np.ndarray:
    """ψ(x) elementwise in float64: reflection for x < 0, recurrence ψ(x) = ψ(x+1) − 1/x up to x ≥ 10,
    then ψ(x) ≈ log x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ).  ψ(0) = −inf and ψ(negative integer) = nan (PyTorch)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        neg = x < 0
        y = np.where(neg, 1.0 - x, x)
        acc = np.zeros_like(y)
        for _ in range(10):
            low = y < 10
            acc -= np.where(low, 1.0 / y, 0.0)
            y = np.where(low, y + 1.0, y)
        inv2 = 1.0 / (y * y)
        series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132)))))
        out = acc + np.log(y) - 0.5 / y - series
        out = np.where(neg, out - math.pi / np.tan(math.pi * x), out)
        out = np.where(x == 0, -np.inf, out)
        out = np.where(neg & (x == np.floor(x)), np.nan, out)
    return out


def np_trigamma(x: np.ndarray) -> np.ndarray:
    """ψ′(x) elementwise in float64: reflection ψ′(1−x) + ψ′(x) = π²/sin²(πx), recurrence
    ψ′(x) = ψ′(x+1) + 1/x² up to x ≥ 10, then ψ′(x) ≈ 1/x + 1/(2x²) + Σ B₂ₖ/x²ᵏ⁺¹."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        neg = x < 0.5
        y = np.where(neg, 1.0 - x, x)
        acc = np.zeros_like(y)
        for _ in range(10):
            low = y < 10
            acc += np.where(low, 1.0 / (y * y), 0.0)
            y = np.where(low, y + 1.0, y)
        inv2 = 1.0 / (y * y)
        series = (1 + inv2 * (1 / 6 - inv2 * (1 / 30 - inv2 * (1 / 42 - inv2 * (1 / 30))))) / y + 0.5 * inv2
        out = acc + series
        out = np.where(neg, (math.pi / np.sin(math.pi * x)) ** 2 - out, out)
    return out


def _np_erfinv(y: np.ndarray) -> np.ndarray:
    """erf⁻¹(y) in float64: Giles' single-precision approximation refined by three Newton steps."""
    from ..ops.unary import _erf

    y = np.asarray(y, dtype=np.float64)
    with np.errstate(all="ignore"):
        w = -np.log((1.0 - y) * (1.0 + y))
        wc = w - 2.5
        p = 2.81022636e-08
        for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
                  -0.00417768164, 0.246640727, 1.50140941):  # fmt: skip
            p = c + p * wc
        wt = np.sqrt(w) - 3.0
        q = -0.000200214257
        for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
                  0.00943887047, 1.00167406, 2.83297682):  # fmt: skip
            q = c + q * wt
        x = np.where(w < 5.0, p, q) * y
        for _ in range(3):
            x = x - (_erf(x) - y) / (2.0 / math.sqrt(math.pi) * np.exp(-x * x))
        x = np.where(np.abs(y) == 1.0, np.copysign(np.inf, y), x)
        x = np.where(np.abs(y) > 1.0, np.nan, x)
    return x


class Lgamma(Function):
    """out = log|Γ(x)|.   VJP: gx = g·ψ(x)."""

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np_lgamma(x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, g: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_tensors
        return g * np_digamma(x).astype(x.dtype, copy=False)


class Digamma(Function):
    """out = ψ(x).   VJP: gx = g·ψ′(x)."""

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np_digamma(x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, g: np.ndarray) -> np.ndarray:
        (x,) = ctx.saved_tensors
        return g * np_trigamma(x).astype(x.dtype, copy=False)


class Erfinv(Function):
    """out = erf⁻¹(x).   VJP: gx = g·(√π/2)·exp(out²)."""

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        out = _np_erfinv(x).astype(x.dtype, copy=False)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: np.ndarray) -> np.ndarray:
        (out,) = ctx.saved_tensors
        with np.errstate(over="ignore"):
            return g * (0.5 * math.sqrt(math.pi) * np.exp(out * out)).astype(out.dtype, copy=False)


def _lower_gamma_series(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(a, x) = xᵃe⁻ˣ/Γ(a+1) · Σₙ xⁿ/((a+1)…(a+n)); converges fast for x < a + 1."""
    term = np.ones_like(x)
    total = np.ones_like(x)
    for n in range(1, 2000):
        term = term * x / (a + n)
        total += term
        if np.all(term <= 1e-17 * total):
            break
    return np.exp(a * np.log(x) - x - np_lgamma(a + 1.0)) * total


def _upper_gamma_cf(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Q(a, x) = 1 − P(a, x) by the Legendre continued fraction (modified Lentz); for x ≥ a + 1."""
    tiny = 1e-300
    b = x + 1.0 - a
    c = np.full_like(x, 1.0 / tiny)
    d = 1.0 / np.where(b == 0, tiny, b)
    h = d.copy()
    for i in range(1, 2000):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        delta = d * c
        h = h * delta
        if np.all(np.abs(delta - 1.0) < 1e-16):
            break
    return np.exp(a * np.log(x) - x - np_lgamma(a)) * h


def np_standard_gamma_grad(z: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """dz/dα for z ~ Gamma(α, 1) held at fixed CDF value: −(∂P/∂α)(α, z) / p(z; α).

    ∂P/∂α is a central difference (step 1e-5·α) of P from the series (z < α + 1) or of −Q from the
    continued fraction (z ≥ α + 1), each accurate to ~1e-15 where it is used; p(z; α) = z^{α−1}e^{−z}/Γ(α).
    """
    z = np.asarray(z, dtype=np.float64)
    a = np.broadcast_to(np.asarray(alpha, dtype=np.float64), z.shape).copy()
    z = np.maximum(z, np.finfo(np.float64).tiny)
    out = np.empty_like(z)
    big = a > _WILSON_HILFERTY_FROM
    with np.errstate(all="ignore"):
        h = 1e-5 * a
        lo = (z < a + 1.0) & ~big
        if lo.any():
            zl, al, hl = z[lo], a[lo], h[lo]
            out[lo] = (_lower_gamma_series(al + hl, zl) - _lower_gamma_series(al - hl, zl)) / (2 * hl)
        hi = ~lo & ~big
        if hi.any():
            zh, ah, hh = z[hi], a[hi], h[hi]
            out[hi] = -(_upper_gamma_cf(ah + hh, zh) - _upper_gamma_cf(ah - hh, zh)) / (2 * hh)
        log_pdf = (a - 1.0) * np.log(z) - z - np_lgamma(a)
        grad = -out / np.exp(log_pdf)
        if big.any():
            grad[big] = _wilson_hilferty_grad(z[big], a[big])
    return np.where(np.isfinite(grad), grad, 0.0)


_WILSON_HILFERTY_FROM = (
    1e4  # beyond this α the series needs thousands of terms; the cube-root normal is exact enough
)


def _wilson_hilferty_grad(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """dz/dα at fixed ε for z = α·u³, u = 1 − 1/(9α) + ε/(3√α) (Wilson–Hilferty; error O(α^{−3/2}) relative).

    ε is recovered from z; then dz/dα = u³ + 3α·u²·du/dα with du/dα = 1/(9α²) − ε/(6α^{3/2}).
    """
    u = np.cbrt(z / a)
    eps = (u - 1.0 + 1.0 / (9.0 * a)) * 3.0 * np.sqrt(a)
    du = 1.0 / (9.0 * a * a) - eps / (6.0 * a**1.5)
    return u**3 + 3.0 * a * u * u * du


class StandardGamma(Function):
    """z ~ Gamma(α, 1) drawn from chainrule's generator (shape of α).
    VJP (implicit reparameterisation): gα = g·dz/dα, dz/dα = −(∂P/∂α)(α, z) / p(z; α)."""

    _array_op = True

    @staticmethod
    def forward(ctx: Any, alpha: np.ndarray) -> np.ndarray:
        from .._random import default_generator

        z = default_generator.np.standard_gamma(alpha.astype(np.float64))
        z = np.maximum(z, np.finfo(alpha.dtype).tiny).astype(alpha.dtype, copy=False)
        ctx.save_for_backward(z, alpha)
        return z

    @staticmethod
    def backward(ctx: Any, g: np.ndarray) -> np.ndarray:
        z, alpha = ctx.saved_tensors
        return g * np_standard_gamma_grad(z, alpha).astype(alpha.dtype, copy=False)


def np_gammainc(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """P(a, x), the regularised lower incomplete gamma function, in float64 (0 at x ≤ 0)."""
    a, x = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64))
    out = np.zeros(a.shape)
    with np.errstate(all="ignore"):
        pos = x > 0
        lo = pos & (x < a + 1.0)
        hi = pos & ~lo
        if lo.any():
            out[lo] = _lower_gamma_series(a[lo], x[lo])
        if hi.any():
            out[hi] = 1.0 - _upper_gamma_cf(a[hi], x[hi])
    return out


class GammaInc(Function):
    """out = P(a, x) = γ(a, x)/Γ(a).
    VJP: gx = g·x^{a−1}e^{−x}/Γ(a);  ga = g·∂P/∂a (a central difference of the accurate P, as for dz/dα)."""

    _array_op = True

    @staticmethod
    def forward(ctx: Any, a: np.ndarray, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, x)
        dtype = np.result_type(a, x)
        return np_gammainc(a, x).astype(dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, g: np.ndarray) -> tuple[Any, Any]:
        a, x = ctx.saved_tensors
        a64, x64 = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64))
        ga = gx = None
        with np.errstate(all="ignore"):
            if ctx.needs_input_grad[0]:
                h = 1e-5 * a64
                dpda = (np_gammainc(a64 + h, x64) - np_gammainc(a64 - h, x64)) / (2 * h)
                ga = g * dpda.astype(g.dtype, copy=False)
            if ctx.needs_input_grad[1]:
                pdf = np.exp((a64 - 1.0) * np.log(x64) - x64 - np_lgamma(a64))
                gx = g * np.where(x64 > 0, pdf, 0.0).astype(g.dtype, copy=False)
        return ga, gx


def gammainc(a: Any, x: Any) -> Any:
    """P(a, x) of tensors, differentiable in both arguments."""
    return GammaInc.apply(a, x)


def lgamma(x: Any) -> Any:
    """log|Γ(x)| of a tensor, differentiable (VJP g·ψ(x))."""
    return Lgamma.apply(x)


def digamma(x: Any) -> Any:
    """ψ(x) = d/dx log Γ(x) of a tensor, differentiable (VJP g·ψ′(x))."""
    return Digamma.apply(x)


def erfinv(x: Any) -> Any:
    """erf⁻¹(x) of a tensor, differentiable (VJP g·(√π/2)·exp(erfinv(x)²))."""
    return Erfinv.apply(x)


def standard_gamma(alpha: Any) -> Any:
    """Gamma(α, 1) samples of α's shape, with the implicit reparameterisation gradient."""
    return StandardGamma.apply(alpha)
