"""KL(p ‖ q) = E_p[log p(x) − log q(x)] in closed form, dispatched on the pair of distribution types.

``register_kl(P, Q)`` adds a formula; ``kl_divergence(p, q)`` picks the most specific registered pair (by
subclass order, as PyTorch), warning when two candidates tie. Pairs whose supports make the divergence
infinite (e.g. Normal ‖ Exponential) return inf, as PyTorch.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from functools import total_ordering
from typing import Any

from ..ops.gamma import digamma, lgamma
from .bernoulli import Bernoulli, Binomial, Geometric, Poisson
from .categorical import Categorical, OneHotCategorical
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .gamma import Beta, Dirichlet, Gamma
from .independent import Independent
from .location_scale import Cauchy, Laplace, Normal
from .multivariate_normal import MultivariateNormal, _batch_mahalanobis
from .transformed_distribution import Gumbel, HalfNormal, TransformedDistribution
from .uniform import Exponential, Uniform
from .utils import _sum_rightmost

__all__ = ["register_kl", "kl_divergence"]

_EULER = 0.57721566490153286060
_KL_REGISTRY: dict[tuple[type, type], Callable[[Any, Any], Any]] = {}
_KL_MEMOIZE: dict[tuple[type, type], Any] = {}


def register_kl(
    type_p: type, type_q: type
) -> Callable[[Callable[[Any, Any], Any]], Callable[[Any, Any], Any]]:
    """Decorator registering ``fun(p, q)`` as KL(p ‖ q) for p of ``type_p`` and q of ``type_q``."""
    for t, name in ((type_p, "type_p"), (type_q, "type_q")):
        if not (isinstance(t, type) and issubclass(t, Distribution)):
            raise TypeError(f"Expected {name} to be a Distribution subclass but got {t}")

    def decorator(fun: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        _KL_REGISTRY[type_p, type_q] = fun
        _KL_MEMOIZE.clear()
        return fun

    return decorator


@total_ordering
class _Match:
    """A registered (P, Q) pair ordered by specificity: (A, B) ≤ (C, D) when A ⊆ C, tie broken on B ⊆ D."""

    __slots__ = ["types"]

    def __init__(self, *types: type) -> None:
        self.types = types

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Match) and self.types == other.types

    def __le__(self, other: _Match) -> bool:
        for x, y in zip(self.types, other.types):
            if not issubclass(x, y):
                return False
            if x is not y:
                break
        return True


def _dispatch_kl(type_p: type, type_q: type) -> Any:
    matches = [(p, q) for p, q in _KL_REGISTRY if issubclass(type_p, p) and issubclass(type_q, q)]
    if not matches:
        return NotImplemented
    left_p, left_q = min(_Match(*m) for m in matches).types
    right_q, right_p = min(_Match(*reversed(m)) for m in matches).types
    left_fun, right_fun = _KL_REGISTRY[left_p, left_q], _KL_REGISTRY[right_p, right_q]
    if left_fun is not right_fun:
        warnings.warn(
            f"Ambiguous kl_divergence({type_p.__name__}, {type_q.__name__}). "
            f"Please register_kl({left_p.__name__}, {right_q.__name__})",
            RuntimeWarning,
            stacklevel=3,
        )
    return left_fun


def kl_divergence(p: Distribution, q: Distribution) -> Any:
    """KL(p ‖ q) over the batch shape; NotImplementedError when no formula is registered for the pair."""
    try:
        fun = _KL_MEMOIZE[type(p), type(q)]
    except KeyError:
        fun = _dispatch_kl(type(p), type(q))
        _KL_MEMOIZE[type(p), type(q)] = fun
    if fun is NotImplemented:
        raise NotImplementedError(
            f"No KL(p || q) is implemented for p type {p.__class__.__name__} and q type {q.__class__.__name__}"
        )
    return fun(p, q)


def _where(cond: Any, value: float, x: Any) -> Any:
    import chainrule

    return chainrule.where(cond, value, x)


def _inf_like(t: Any) -> Any:
    import chainrule

    return chainrule.full_like(t, math.inf)


def _register_infinite(param: str, *pairs: tuple[type, type]) -> None:
    """Register KL(p ‖ q) = inf (p's support is not inside q's), shaped like ``p.<param>``, for each
    (type_p, type_q) pair (one function for the group, as one stack of ``register_kl`` decorators)."""

    def kl_infinite(p: Any, q: Any) -> Any:
        return _inf_like(getattr(p, param))

    for type_p, type_q in pairs:
        register_kl(type_p, type_q)(kl_infinite)


def _softplus(x: Any) -> Any:
    import chainrule.nn.functional as F

    return F.softplus(x)


def _x_log_x(x: Any) -> Any:
    import chainrule

    return chainrule.where(x == 0, x * 0, x * x.log())


# --- same family --------------------------------------------------------------------------------------
@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Any, q: Any) -> Any:
    """p log(p/q) + (1 − p) log((1 − p)/(1 − q)), via softplus of the logits (0·∞ = 0)."""
    t1 = p.probs * (_softplus(-q.logits) - _softplus(-p.logits))
    t1 = _where(p.probs == 0, 0.0, _where(q.probs == 0, math.inf, t1))
    t2 = (1 - p.probs) * (_softplus(q.logits) - _softplus(p.logits))
    t2 = _where(p.probs == 1, 0.0, _where(q.probs == 1, math.inf, t2))
    return t1 + t2


@register_kl(Beta, Beta)
def _kl_beta_beta(p: Any, q: Any) -> Any:
    """log B(a_q, b_q) − log B(a_p, b_p) + (a_p − a_q)ψ(a_p) + (b_p − b_q)ψ(b_p) + (s_q − s_p)ψ(s_p)."""
    a_p, b_p, a_q, b_q = p.concentration1, p.concentration0, q.concentration1, q.concentration0
    s_p, s_q = a_p + b_p, a_q + b_q
    t1 = lgamma(a_q) + lgamma(b_q) + lgamma(s_p)
    t2 = lgamma(a_p) + lgamma(b_p) + lgamma(s_q)
    return t1 - t2 + (a_p - a_q) * digamma(a_p) + (b_p - b_q) * digamma(b_p) + (s_q - s_p) * digamma(s_p)


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p: Any, q: Any) -> Any:
    """n·(p log(p/q) + (1 − p) log((1 − p)/(1 − q))); inf where n_p > n_q."""
    if bool((p.total_count < q.total_count).any()):
        raise NotImplementedError(
            "KL between Binomials where q.total_count > p.total_count is not implemented"
        )
    kl = p.total_count * (p.probs * (p.logits - q.logits) + (-p.probs).log1p() - (-q.probs).log1p())
    return _where(p.total_count > q.total_count, math.inf, kl)


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Any, q: Any) -> Any:
    """Σ p (log p − log q) (0 where p = 0, inf where q = 0 < p)."""
    t = p.probs * (p.logits - q.logits)
    t = _where((q.probs == 0).expand_as(t), math.inf, t)
    t = _where((p.probs == 0).expand_as(t), 0.0, t)
    return t.sum(-1)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehot_onehot(p: Any, q: Any) -> Any:
    """As the underlying Categoricals."""
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p: Any, q: Any) -> Any:
    """log Γ(Σα_p) − log Γ(Σα_q) − Σ(log Γ(α_p) − log Γ(α_q)) + Σ(α_p − α_q)(ψ(α_p) − ψ(Σα_p))."""
    sp, sq = p.concentration.sum(-1), q.concentration.sum(-1)
    t1 = lgamma(sp) - lgamma(sq)
    t2 = (lgamma(p.concentration) - lgamma(q.concentration)).sum(-1)
    t3 = p.concentration - q.concentration
    t4 = digamma(p.concentration) - digamma(sp).unsqueeze(-1)
    return t1 - t2 + (t3 * t4).sum(-1)


@register_kl(ExponentialFamily, ExponentialFamily)
def _kl_expfamily_expfamily(p: Any, q: Any) -> Any:
    """A(θq) − A(θp) − ⟨θq − θp, ∇A(θp)⟩ (the Bregman divergence of A), for two members of one family.

    As in PyTorch, θp is detached for ∇A, so gradients flow to q's parameters only.
    """
    import chainrule

    if type(p) is not type(q):
        raise NotImplementedError(
            "The cross KL-divergence between different exponential families cannot be computed using "
            "Bregman divergences"
        )
    p_nparams = [t.detach().requires_grad_() for t in p._natural_params]
    q_nparams = q._natural_params
    with chainrule.enable_grad():
        lg_normal = p._log_normalizer(*p_nparams)
        gradients = chainrule.autograd.grad(lg_normal.sum(), p_nparams)
    result = q._log_normalizer(*q_nparams) - lg_normal.detach()
    for pnp, qnp, g in zip(p_nparams, q_nparams, gradients):
        result = result - _sum_rightmost((qnp - pnp.detach()) * g, len(q.event_shape))
    return result


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p: Any, q: Any) -> Any:
    """r − log r − 1,  r = λ_q/λ_p."""
    ratio = q.rate / p.rate
    return -ratio.log() + ratio - 1


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p: Any, q: Any) -> Any:
    """α_q log(β_p/β_q) + log Γ(α_q) − log Γ(α_p) + (α_p − α_q)ψ(α_p) + (β_q − β_p)α_p/β_p."""
    t1 = q.concentration * (p.rate / q.rate).log()
    t2 = lgamma(q.concentration) - lgamma(p.concentration)
    t3 = (p.concentration - q.concentration) * digamma(p.concentration)
    t4 = (q.rate - p.rate) * (p.concentration / p.rate)
    return t1 + t2 + t3 + t4


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p: Any, q: Any) -> Any:
    """−log c₁ − c₂ + c₃ + c₁γ + exp(c₂ + log Γ(1 + c₁) − c₃) − (1 + γ),  c₁ = β_p/β_q, c₂ = μ_q/β_q, c₃ = μ_p/β_q."""
    c1, c2, c3 = p.scale / q.scale, q.loc / q.scale, p.loc / q.scale
    t3 = (c2 + lgamma(1 + c1) - c3).exp()
    return -c1.log() - c2 + c3 + c1 * _EULER + t3 - (1 + _EULER)


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p: Any, q: Any) -> Any:
    """−H(p) − log(1 − q)/p − logit q."""
    return -p.entropy() - (-q.probs).log1p() / p.probs - q.logits


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Any, q: Any) -> Any:
    """½(r + ((μ_p − μ_q)/σ_q)² − 1 − log r),  r = (σ_p/σ_q)²."""
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal_halfnormal(p: Any, q: Any) -> Any:
    """As the underlying zero-mean Normals."""
    return _kl_normal_normal(p.base_dist, q.base_dist)


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p: Any, q: Any) -> Any:
    """−log r + |μ_p − μ_q|/b_q + r·exp(−|μ_p − μ_q|/b_p) − 1,  r = b_p/b_q."""
    ratio = p.scale / q.scale
    d = (p.loc - q.loc).abs()
    return -ratio.log() + d / q.scale + ratio * (-d / p.scale).exp() - 1


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p: Any, q: Any) -> Any:
    """log|L_q| − log|L_p| + ½(‖L_q⁻¹L_p‖²_F + ‖L_q⁻¹(μ_q − μ_p)‖² − k)."""
    import chainrule

    if tuple(p.event_shape) != tuple(q.event_shape):
        raise ValueError(
            "KL-divergence between two Multivariate Normals with different event shapes cannot be computed"
        )
    Lp, Lq = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    half_term1 = Lq.diagonal(dim1=-2, dim2=-1).log().sum(-1) - Lp.diagonal(dim1=-2, dim2=-1).log().sum(-1)
    batch = tuple(chainrule.broadcast_shapes(Lq.shape[:-2], Lp.shape[:-2]))
    n = p.event_shape[0]
    m = chainrule.linalg.solve_triangular(Lq.expand(batch + (n, n)), Lp.expand(batch + (n, n)), upper=False)
    term2 = m.pow(2).sum(-1).sum(-1)
    term3 = _batch_mahalanobis(Lq, q.loc - p.loc)
    return half_term1 + 0.5 * (term2 + term3 - n)


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p: Any, q: Any) -> Any:
    """λ_p(log λ_p − log λ_q) − (λ_p − λ_q)."""
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p: Any, q: Any) -> Any:
    """KL of the bases, when both push through the same transforms (KL is invariant under bijections)."""
    if p.transforms != q.transforms:
        raise NotImplementedError
    if tuple(p.event_shape) != tuple(q.event_shape):
        raise NotImplementedError
    return kl_divergence(p.base_dist, q.base_dist)


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p: Any, q: Any) -> Any:
    """log((h_q − l_q)/(h_p − l_p)); inf unless [l_p, h_p] ⊆ [l_q, h_q]."""
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return _where((q.low > p.low) | (q.high < p.high), math.inf, result)


@register_kl(Independent, Independent)
def _kl_independent_independent(p: Any, q: Any) -> Any:
    """The base KL summed over the reinterpreted dimensions."""
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError
    return _sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p: Any, q: Any) -> Any:
    """log(((γ_p + γ_q)² + (x_p − x_q)²)/(4γ_pγ_q))."""
    t1 = ((p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2)).log()
    return t1 - (4 * p.scale * q.scale).log()
