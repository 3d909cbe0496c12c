"""KL(p ‖ q) pairs involving ContinuousBernoulli, as PyTorch registers them."""

from __future__ import annotations

import math
from typing import Any

from .continuous_bernoulli import ContinuousBernoulli
from .gamma import Beta, Gamma
from .kl import _register_infinite, _where, register_kl
from .location_scale import Laplace, Normal
from .pareto_weibull import Pareto
from .transformed_distribution import Gumbel
from .uniform import Exponential, Uniform

__all__: list[str] = []


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_cb_cb(p: Any, q: Any) -> Any:
    """E_p[x]·(logit λp − logit λq) + log C(λp) + log(1 − λp) − log C(λq) − log(1 − λq)."""
    t1 = p.mean * (p.logits - q.logits)
    t2 = p._cont_bern_log_norm() + (-p.probs).log1p()
    t3 = -q._cont_bern_log_norm() - (-q.probs).log1p()
    return t1 + t2 + t3


def _minus_cross_entropy_terms(p: Any, q: Any) -> Any:
    """−H(p) − E_p[log q(x)] for q ContinuousBernoulli: −H(p) − E_p[x]·logit λq − log(1 − λq) − log C(λq)."""
    return -p.entropy() - p.mean * q.logits - (-q.probs).log1p() - q._cont_bern_log_norm()


@register_kl(Beta, ContinuousBernoulli)
def _kl_beta_cb(p: Any, q: Any) -> Any:
    """−H(p) − E_p[log q(x)]."""
    return _minus_cross_entropy_terms(p, q)


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_cb(p: Any, q: Any) -> Any:
    """−H(p) − E_p[log q(x)]; inf where [l, h] reaches past the open unit interval (as PyTorch)."""
    result = _minus_cross_entropy_terms(p, q)
    return _where((p.high >= 1.0) | (p.low <= 0.0), math.inf, result)


@register_kl(ContinuousBernoulli, Exponential)
def _kl_cb_exponential(p: Any, q: Any) -> Any:
    """−H(p) − log λ + λ·E_p[x]."""
    return -p.entropy() - q.rate.log() + q.rate * p.mean


@register_kl(ContinuousBernoulli, Normal)
def _kl_cb_normal(p: Any, q: Any) -> Any:
    """−H(p) + ½ log 2π + ½(μ/σ)² + log σ + (Var_p + E_p[x]² − 2μE_p[x])/(2σ²)."""
    t1 = -p.entropy()
    t2 = 0.5 * (math.log(2.0 * math.pi) + (q.loc / q.scale).pow(2)) + q.scale.log()
    t3 = (p.variance + p.mean.pow(2) - 2.0 * q.loc * p.mean) / (2.0 * q.scale.pow(2))
    return t1 + t2 + t3


@register_kl(ContinuousBernoulli, Uniform)
def _kl_cb_uniform(p: Any, q: Any) -> Any:
    """−H(p) + log(h − l); inf where l ≥ 0 or h ≤ 1 (PyTorch's condition)."""
    result = -p.entropy() + (q.high - q.low).log()
    return _where((q.low >= 0.0) | (q.high <= 1.0), math.inf, result)


# inf: p's support is not inside q's
_register_infinite("probs", (ContinuousBernoulli, Pareto))
_register_infinite("rate", (Exponential, ContinuousBernoulli))
_register_infinite("concentration", (Gamma, ContinuousBernoulli))
_register_infinite(
    "loc", (Gumbel, ContinuousBernoulli), (Laplace, ContinuousBernoulli), (Normal, ContinuousBernoulli)
)
_register_infinite("scale", (Pareto, ContinuousBernoulli))
