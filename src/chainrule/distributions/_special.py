"""The Gamma sampler and the incomplete gamma function differentiable in its shape argument, the two
pieces the distributions need that the public ops do not provide (NumPy only; no SciPy).

* ``standard_gamma``  z ~ Gamma(α, 1) with the implicit reparameterisation gradient
  dz/dα = −(∂P/∂α)(α, z) / p(z; α), P the regularised lower incomplete gamma function.
* ``gammainc``  P(a, x) with gradients in both a and x (``chainrule.igamma`` has none in a, as PyTorch).

The numerics (ln Γ, P and Q) are the public ops' own (``ops.gamma``); lgamma, digamma and erfinv are
used from the public ops directly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..ops.gamma import _igamma, _lgamma

__all__ = ["standard_gamma", "gammainc", "np_gammainc", "np_standard_gamma_grad"]


def np_standard_gamma_grad(z: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """dz/dα for z ~ Gamma(α, 1) held at fixed CDF value: −(∂P/∂α)(α, z) / p(z; α).

    ∂P/∂α is a central difference (step 1e-5·α) of P (z < α + 1, where P comes from the power series)
    or of −Q (z ≥ α + 1, where Q comes from the continued fraction without cancellation), each accurate
    to ~1e-15 where it is used; p(z; α) = z^{α−1}e^{−z}/Γ(α).
    """
    z = np.asarray(z, dtype=np.float64)
    a = np.broadcast_to(np.asarray(alpha, dtype=np.float64), z.shape).copy()
    z = np.maximum(z, np.finfo(np.float64).tiny)
    out = np.empty_like(z)
    big = a > _WILSON_HILFERTY_FROM
    with np.errstate(all="ignore"):
        h = 1e-5 * a
        small = ~big
        if small.any():
            zs, as_, hs = z[small], a[small], h[small]
            p_up, q_up = _igamma(as_ + hs, zs)
            p_dn, q_dn = _igamma(as_ - hs, zs)
            lo = zs < as_ + 1.0
            out[small] = np.where(lo, p_up - p_dn, q_dn - q_up) / (2 * hs)
        log_pdf = (a - 1.0) * np.log(z) - z - _lgamma(a)
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
    p = _igamma(a, np.maximum(x, 0.0))[0]
    return np.where(x > 0, p, 0.0)


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
                pdf = np.exp((a64 - 1.0) * np.log(x64) - x64 - _lgamma(a64))
                gx = g * np.where(x64 > 0, pdf, 0.0).astype(g.dtype, copy=False)
        return ga, gx


def gammainc(a: Any, x: Any) -> Any:
    """P(a, x) of tensors, differentiable in both arguments."""
    return GammaInc.apply(a, x)


def standard_gamma(alpha: Any) -> Any:
    """Gamma(α, 1) samples of α's shape, with the implicit reparameterisation gradient."""
    return StandardGamma.apply(alpha)
