"""KL(p ‖ q) between different families, the pairs PyTorch registers (closed forms; inf where p's support
is not inside q's)."""

from __future__ import annotations

import math
from typing import Any

from ..ops.gamma import digamma, lgamma
from .bernoulli import Bernoulli, Binomial, Poisson
from .gamma import Beta, Gamma
from .kl import _EULER, _register_infinite, _where, _x_log_x, register_kl
from .location_scale import Laplace, Normal
from .transformed_distribution import Gumbel
from .uniform import Exponential, Uniform

__all__: list[str] = []


@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p: Any, q: Any) -> Any:
    """−H(p) − (p log λ − λ)."""
    return -p.entropy() - (p.probs * q.rate.log() - q.rate)


@register_kl(Beta, Exponential)
def _kl_beta_exponential(p: Any, q: Any) -> Any:
    """−H(p) − log λ + λ·E_p[x]."""
    return -p.entropy() - q.rate.log() + q.rate * (p.concentration1 / (p.concentration1 + p.concentration0))


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p: Any, q: Any) -> Any:
    """−H(p) + log Γ(α) − α log β − (α − 1)E_p[log x] + β E_p[x]."""
    a, b = p.concentration1, p.concentration0
    t2 = lgamma(q.concentration) - q.concentration * q.rate.log()
    t3 = (q.concentration - 1) * (digamma(a) - digamma(a + b))
    t4 = q.rate * a / (a + b)
    return -p.entropy() + t2 - t3 + t4


@register_kl(Beta, Normal)
def _kl_beta_normal(p: Any, q: Any) -> Any:
    """−H(p) + ½ log(2πσ²) + (E[x²]/2 − μE[x] + μ²/2)/σ²."""
    a, b = p.concentration1, p.concentration0
    e = a / (a + b)
    var = q.scale.pow(2)
    t2 = 0.5 * (var * 2 * math.pi).log()
    t3 = (e * (1 - e) / (a + b + 1) + e.pow(2)) * 0.5
    return -p.entropy() + t2 + (t3 - q.loc * e + q.loc.pow(2) * 0.5) / var


@register_kl(Beta, Uniform)
def _kl_beta_uniform(p: Any, q: Any) -> Any:
    """−H(p) + log(h − l); inf unless [0, 1] ⊆ [l, h]."""
    result = -p.entropy() + (q.high - q.low).log()
    return _where((q.low > 0.0) | (q.high < 1.0), math.inf, result)


# inf: p's support is not inside q's
_register_infinite("rate", (Exponential, Beta), (Exponential, Uniform))


@register_kl(Exponential, Gamma)
def _kl_exponential_gamma(p: Any, q: Any) -> Any:
    """−α log r + r + log Γ(α) + αγ − (1 + γ),  r = β/λ."""
    ratio = q.rate / p.rate
    return (
        -q.concentration * ratio.log()
        + ratio
        + lgamma(q.concentration)
        + q.concentration * _EULER
        - (1 + _EULER)
    )


@register_kl(Exponential, Gumbel)
def _kl_exponential_gumbel(p: Any, q: Any) -> Any:
    """log(λβ) − 1 − μ/β + e^{μ/β}·λβ/(λβ + 1) + 1/(λβ)."""
    s = p.rate * q.scale
    r = q.loc / q.scale
    return s.log() - 1 - r + r.exp() * s / (s + 1) + s.reciprocal()


@register_kl(Exponential, Normal)
def _kl_exponential_normal(p: Any, q: Any) -> Any:
    """½ log(2πλ²σ²) − 1 + (1/λ² − μ/λ + μ²/2)/σ²."""
    var = q.scale.pow(2)
    r2 = p.rate.pow(2)
    t1 = 0.5 * (r2 * var * 2 * math.pi).log()
    return t1 - 1 + (r2.reciprocal() - q.loc / p.rate + q.loc.pow(2) * 0.5) / var


# inf: p's support is not inside q's
_register_infinite("concentration", (Gamma, Beta), (Gamma, Uniform))


@register_kl(Gamma, Exponential)
def _kl_gamma_exponential(p: Any, q: Any) -> Any:
    """−H(p) − log λ + λα/β."""
    return -p.entropy() - q.rate.log() + q.rate * p.concentration / p.rate


@register_kl(Gamma, Gumbel)
def _kl_gamma_gumbel(p: Any, q: Any) -> Any:
    """Closed form of E_p[log p − log q] for Gamma(α, β) ‖ Gumbel(μ, s)."""
    a = p.concentration
    bs = p.rate * q.scale
    r = q.loc / q.scale
    t1 = (a - 1) * digamma(a) - lgamma(a) - a
    t2 = bs.log() + a / bs
    t3 = r.exp() * (1 + bs.reciprocal()).pow(-a) - r
    return t1 + t2 + t3


@register_kl(Gamma, Normal)
def _kl_gamma_normal(p: Any, q: Any) -> Any:
    """½ log(2πβ²σ²) − α − log Γ(α) + (α − 1)ψ(α) + (E[x²]/2 − μE[x] + μ²/2)/σ²."""
    a = p.concentration
    var = q.scale.pow(2)
    b2 = p.rate.pow(2)
    t1 = 0.5 * (b2 * var * 2 * math.pi).log() - a - lgamma(a)
    t2 = 0.5 * (a.pow(2) + a) / b2
    t3 = q.loc * a / p.rate
    return t1 + (a - 1) * digamma(a) + (t2 - t3 + 0.5 * q.loc.pow(2)) / var


# inf: p's support is not inside q's
_register_infinite("loc", (Gumbel, Beta), (Gumbel, Exponential), (Gumbel, Gamma), (Gumbel, Uniform))


@register_kl(Gumbel, Normal)
def _kl_gumbel_normal(p: Any, q: Any) -> Any:
    """−log(r/√(2π)) + (πr/2)²/3 + ½((μ_p + β_pγ − μ_q)/σ)² − (γ + 1),  r = β_p/σ."""
    r = p.scale / q.scale
    t1 = (r / math.sqrt(2 * math.pi)).log()
    t2 = (math.pi * r * 0.5).pow(2) / 3
    t3 = ((p.loc + p.scale * _EULER - q.loc) / q.scale).pow(2) * 0.5
    return -t1 + t2 + t3 - (_EULER + 1)


# inf: p's support is not inside q's
_register_infinite("loc", (Laplace, Beta), (Laplace, Exponential), (Laplace, Gamma), (Laplace, Uniform))


@register_kl(Laplace, Normal)
def _kl_laplace_normal(p: Any, q: Any) -> Any:
    """−½ log(2r/π) + r + (μ_p²/2 − μ_pμ_q + μ_q²/2)/σ² − 1,  r = b²/σ²."""
    var = q.scale.pow(2)
    r = p.scale.pow(2) / var
    t1 = 0.5 * (2 * r / math.pi).log()
    return -t1 + r + (0.5 * p.loc.pow(2) - p.loc * q.loc + 0.5 * q.loc.pow(2)) / var - 1


# inf: p's support is not inside q's
_register_infinite("loc", (Normal, Beta), (Normal, Exponential), (Normal, Gamma), (Normal, Uniform))


@register_kl(Normal, Gumbel)
def _kl_normal_gumbel(p: Any, q: Any) -> Any:
    """−½ log v + m − r + exp(−m + v/2 + r) − ½(1 + log 2π),  m = μ_p/s, v = (σ/s)², r = μ_q/s."""
    m = p.loc / q.scale
    v = (p.scale / q.scale).pow(2)
    r = q.loc / q.scale
    return -0.5 * v.log() + m - r + (-m + 0.5 * v + r).exp() - 0.5 * (1 + math.log(2 * math.pi))


@register_kl(Normal, Laplace)
def _kl_normal_laplace(p: Any, q: Any) -> Any:
    """−log(σ/b) + (σ√(2/π)e^{−d²/(2σ²)} + d·erf(d/(σ√2)))/b − ½(1 + log(π/2)),  d = μ_p − μ_q."""
    d = p.loc - q.loc
    ratio = p.scale / q.scale
    dr = d / p.scale
    t2 = math.sqrt(2 / math.pi) * p.scale * (-0.5 * dr.pow(2)).exp()
    t3 = d * (math.sqrt(0.5) * dr).erf()
    return -ratio.log() + (t2 + t3) / q.scale - 0.5 * (1 + math.log(0.5 * math.pi))


# inf: p's support is not inside q's
_register_infinite("rate", (Poisson, Bernoulli), (Poisson, Binomial))


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p: Any, q: Any) -> Any:
    """−log(h − l) − E_p[log q(x)]; inf unless [l, h] ⊆ [0, 1]."""
    w = p.high - p.low
    t1 = w.log()
    t2 = (q.concentration1 - 1) * (_x_log_x(p.high) - _x_log_x(p.low) - w) / w
    t3 = (q.concentration0 - 1) * (_x_log_x(1 - p.high) - _x_log_x(1 - p.low) + w) / w
    t4 = lgamma(q.concentration1) + lgamma(q.concentration0) - lgamma(q.concentration1 + q.concentration0)
    result = t3 + t4 - t1 - t2
    return _where((p.high > 1.0) | (p.low < 0.0), math.inf, result)


@register_kl(Uniform, Exponential)
def _kl_uniform_exponential(p: Any, q: Any) -> Any:
    """λ(h + l)/2 − log((h − l)λ); inf where l < 0."""
    result = q.rate * (p.high + p.low) / 2 - ((p.high - p.low) * q.rate).log()
    return _where(p.low < 0.0, math.inf, result)


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p: Any, q: Any) -> Any:
    """−log(h − l) + log Γ(α) − α log β + (1 − α)E_p[log x] + β(h + l)/2; inf where l < 0."""
    w = p.high - p.low
    t2 = lgamma(q.concentration) - q.concentration * q.rate.log()
    t3 = (1 - q.concentration) * (_x_log_x(p.high) - _x_log_x(p.low) - w) / w
    t4 = q.rate * (p.high + p.low) / 2
    result = -w.log() + t2 + t3 + t4
    return _where(p.low < 0.0, math.inf, result)


@register_kl(Uniform, Gumbel)
def _kl_uniform_gumbel(p: Any, q: Any) -> Any:
    """log(s/(h − l)) + ½(z_h + z_l) − s/(h − l)·(e^{−z_h} − e^{−z_l}),  z = (x − μ)/s."""
    c = q.scale / (p.high - p.low)
    zh = (p.high - q.loc) / q.scale
    zl = (p.low - q.loc) / q.scale
    return c.log() + 0.5 * (zh + zl) - c * ((-zh).exp() - (-zl).exp())


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p: Any, q: Any) -> Any:
    """log(√(2π)σ/(h − l)) + ½((h − l)²/12 + ((h + l)/2 − μ)²)/σ²."""
    w = p.high - p.low
    t1 = (math.sqrt(math.pi * 2) * q.scale / w).log()
    t2 = w.pow(2) / 12
    t3 = ((p.high + p.low - 2 * q.loc) / 2).pow(2)
    return t1 + 0.5 * (t2 + t3) / q.scale.pow(2)
