"""KL(p ‖ q) pairs involving Pareto, as PyTorch registers them (inf where p's support is not inside q's)."""

from __future__ import annotations

import math
from typing import Any

from ..ops.gamma import lgamma
from .gamma import Beta, Gamma
from .kl import _register_infinite, _where, _x_log_x, register_kl
from .location_scale import Laplace, Normal
from .pareto_weibull import Pareto
from .transformed_distribution import Gumbel
from .uniform import Exponential, Uniform

__all__: list[str] = []


@register_kl(Pareto, Pareto)
def _kl_pareto_pareto(p: Any, q: Any) -> Any:
    """α_q log(s_p/s_q) − log(α_q/α_p) + α_q/α_p − 1; inf where s_p < s_q."""
    ratio = q.alpha / p.alpha
    result = q.alpha * (p.scale / q.scale).log() - ratio.log() + ratio - 1
    return _where(p.scale < q.scale, math.inf, result)


# inf: p's support is not inside q's
_register_infinite("concentration1", (Beta, Pareto))
_register_infinite("rate", (Exponential, Pareto))
_register_infinite("concentration", (Gamma, Pareto))
_register_infinite("loc", (Gumbel, Pareto), (Laplace, Pareto), (Normal, Pareto))
_register_infinite("scale", (Pareto, Beta), (Pareto, Uniform))


@register_kl(Pareto, Exponential)
def _kl_pareto_exponential(p: Any, q: Any) -> Any:
    """log(α/(sλ)) − 1/α + αsλ/(α − 1) − 1; inf for α ≤ 1."""
    s = p.scale * q.rate
    result = (p.alpha / s).log() - p.alpha.reciprocal() + p.alpha * s / (p.alpha - 1) - 1
    return _where(p.alpha <= 1, math.inf, result)


@register_kl(Pareto, Gamma)
def _kl_pareto_gamma(p: Any, q: Any) -> Any:
    """−H(p) − E_p[log q(x)] in closed form; inf for α ≤ 1."""
    c = p.scale.log() + p.alpha.reciprocal()
    t1 = p.alpha.log() - c
    t2 = lgamma(q.concentration) - q.concentration * q.rate.log()
    t3 = (1 - q.concentration) * c
    t4 = q.rate * p.alpha * p.scale / (p.alpha - 1)
    return _where(p.alpha <= 1, math.inf, t1 + t2 + t3 + t4 - 1)


@register_kl(Pareto, Normal)
def _kl_pareto_normal(p: Any, q: Any) -> Any:
    """−H(p) − E_p[log q(x)] in closed form; inf for α ≤ 2."""
    var2 = 2 * q.scale.pow(2)
    c = p.scale / (p.alpha - 1)
    t1 = (math.sqrt(2 * math.pi) * q.scale * p.alpha / p.scale).log()
    t2 = p.alpha.reciprocal()
    t3 = p.alpha * c.pow(2) / (p.alpha - 2)
    t4 = (p.alpha * c - q.loc).pow(2)
    return _where(p.alpha <= 2, math.inf, t1 - t2 + (t3 + t4) / var2 - 1)


@register_kl(Uniform, Pareto)
def _kl_uniform_pareto(p: Any, q: Any) -> Any:
    """(α + 1)·E_p[log x] − log(α sᵅ (h − l)); inf where l < s."""
    w = p.high - p.low
    t1 = (q.alpha * q.scale.pow(q.alpha) * w).log()
    t2 = (_x_log_x(p.high) - _x_log_x(p.low) - w) / w
    return _where(p.low < q.scale, math.inf, t2 * (q.alpha + 1) - t1)
