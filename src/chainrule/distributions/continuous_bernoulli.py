"""ContinuousBernoulli(λ) on [0, 1]:  p(x) = C(λ)·λˣ(1 − λ)^{1−x},  C(λ) = 2 atanh(1 − 2λ)/(1 − 2λ) (2 at λ = ½).

Near λ = ½ the closed forms are 0/0, so inside ``lims`` (default (0.499, 0.501)) the normaliser, mean and
variance use their Taylor expansions in (λ − ½), and the closed forms are evaluated at a cut λ that keeps
both branches finite (so gradients stay finite). Draws invert the cdf, so ``rsample`` is reparameterised.
"""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

from . import constraints
from .bernoulli import _bce_with_logits, _one_of
from .exp_family import ExponentialFamily
from .utils import (
    _draw,
    _expand_probs_logits,
    broadcast_all,
    clamp_probs,
    lazy_property,
    logits_to_probs,
    probs_to_logits,
)

__all__ = ["ContinuousBernoulli"]


def _where(cond: Any, a: Any, b: Any) -> Any:
    import chainrule

    return chainrule.where(cond, a, b)


class ContinuousBernoulli(ExponentialFamily):
    """The continuous Bernoulli (a [0, 1]-valued relaxation of Bernoulli, e.g. for VAE pixel likelihoods)."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    _mean_carrier_measure = 0
    has_rsample = True

    def __init__(self, probs: Any = None, logits: Any = None, lims: tuple[float, float] = (0.499, 0.501),
                 validate_args: bool | None = None) -> None:  # fmt: skip
        _one_of(probs, logits)
        if probs is not None:
            is_scalar = isinstance(probs, Number)
            (self.probs,) = broadcast_all(probs)
            if validate_args is not None and not bool(self.arg_constraints["probs"].check(self.probs).all()):
                raise ValueError("The parameter probs has invalid values")
            self.probs = clamp_probs(self.probs)
        else:
            is_scalar = isinstance(logits, Number)
            (self.logits,) = broadcast_all(logits)
        self._param = self.probs if probs is not None else self.logits
        self._lims = lims
        super().__init__(() if is_scalar else self._param.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> ContinuousBernoulli:
        """ContinuousBernoulli with its parameter expanded to ``batch_shape``."""
        new = self._get_checked_instance(ContinuousBernoulli, _instance)
        new._lims = self._lims
        _expand_probs_logits(self, new, batch_shape)
        return self._init_expanded(new, batch_shape)

    @lazy_property
    def logits(self) -> Any:
        """log(λ/(1 − λ))."""
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Any:
        """σ(logits), clamped into [eps, 1 − eps]."""
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    @property
    def param_shape(self) -> Any:
        """The shape of the stored parameter."""
        return self._param.shape

    def _stable(self) -> Any:
        """True where λ is outside the unstable band around ½."""
        return (self.probs <= self._lims[0]) | (self.probs > self._lims[1])

    def _cut_probs(self) -> Any:
        """λ where stable, else lims[0] (so the closed forms stay finite on the unused branch)."""
        return _where(self._stable(), self.probs, self.probs * 0 + self._lims[0])

    def _cont_bern_log_norm(self) -> Any:
        """log C(λ) = log|log(1 − λ) − log λ| − log|1 − 2λ|;  ≈ log 2 + (4/3 + 104/45·u)u, u = (λ − ½)²."""
        cut = self._cut_probs()
        below = _where(cut <= 0.5, cut, cut * 0)
        above = _where(cut >= 0.5, cut, cut * 0 + 1)
        log_norm = ((-cut).log1p() - cut.log()).abs().log() - _where(
            cut <= 0.5, (-2.0 * below).log1p(), (2.0 * above - 1.0).log()
        )
        u = (self.probs - 0.5).pow(2)
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * u) * u
        return _where(self._stable(), log_norm, taylor)

    @property
    def mean(self) -> Any:
        """λ/(2λ − 1) + 1/(log(1 − λ) − log λ);  ≈ ½ + (1/3 + 16/45·d²)d, d = λ − ½."""
        cut = self._cut_probs()
        mus = cut / (2.0 * cut - 1.0) + 1.0 / ((-cut).log1p() - cut.log())
        d = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * d.pow(2)) * d
        return _where(self._stable(), mus, taylor)

    @property
    def stddev(self) -> Any:
        """√variance."""
        return self.variance.sqrt()

    @property
    def variance(self) -> Any:
        """λ(λ − 1)/(1 − 2λ)² + 1/(log(1 − λ) − log λ)²;  ≈ 1/12 − (1/15 − 128/945·u)u, u = (λ − ½)²."""
        cut = self._cut_probs()
        var = cut * (cut - 1.0) / (1.0 - 2.0 * cut).pow(2) + 1.0 / ((-cut).log1p() - cut.log()).pow(2)
        u = (self.probs - 0.5).pow(2)
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * u) * u
        return _where(self._stable(), var, taylor)

    def sample(self, sample_shape: Any = ()) -> Any:
        """icdf(u), u ~ U[0, 1), outside the graph."""
        import chainrule

        u = _draw(lambda rng, s: rng.random(s), self._extended_shape(sample_shape), self.probs)
        with chainrule.no_grad():
            return self.icdf(u)

    def rsample(self, sample_shape: Any = ()) -> Any:
        """icdf(u), u ~ U[0, 1) (reparameterised through λ)."""
        u = _draw(lambda rng, s: rng.random(s), self._extended_shape(sample_shape), self.probs)
        return self.icdf(u)

    def log_prob(self, value: Any) -> Any:
        """−BCE_with_logits(logits, x) + log C(λ)."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -_bce_with_logits(logits, value) + self._cont_bern_log_norm()

    def cdf(self, value: Any) -> Any:
        """(λˣ(1 − λ)^{1−x} + λ − 1)/(2λ − 1) (x itself near λ = ½), clamped to [0, 1] outside the support."""
        if self._validate_args:
            self._validate_sample(value)
        cut = self._cut_probs()
        cdfs = (cut.pow(value) * (1.0 - cut).pow(1.0 - value) + cut - 1.0) / (2.0 * cut - 1.0)
        unbounded = _where(self._stable(), cdfs, value)
        return _where(value <= 0.0, value * 0, _where(value >= 1.0, value * 0 + 1, unbounded))

    def icdf(self, value: Any) -> Any:
        """(log(1 − λ + u(2λ − 1)) − log(1 − λ))/(log λ − log(1 − λ)) (u itself near λ = ½)."""
        cut = self._cut_probs()
        inv = ((-cut + value * (2.0 * cut - 1.0)).log1p() - (-cut).log1p()) / (cut.log() - (-cut).log1p())
        return _where(self._stable(), inv, value)

    def entropy(self) -> Any:
        """E[x]·(log(1 − λ) − log λ) − log C(λ) − log(1 − λ)."""
        log_p0 = (-self.probs).log1p()
        log_p1 = self.probs.log()
        return self.mean * (log_p0 - log_p1) - self._cont_bern_log_norm() - log_p0

    @property
    def _natural_params(self) -> tuple[Any, ...]:
        """(logits,)."""
        return (self.logits,)

    def _log_normalizer(self, x: Any) -> Any:
        """log|expm1(x)| − log|x|;  ≈ x/2 + x²/24 − x⁴/2880 near 0."""
        stable = (x <= self._lims[0] - 0.5) | (x > self._lims[1] - 0.5)
        cut = _where(stable, x, x * 0 + (self._lims[0] - 0.5))
        log_norm = cut.expm1().abs().log() - cut.abs().log()
        taylor = 0.5 * x + x.pow(2) / 24.0 - x.pow(4) / 2880.0
        return _where(stable, log_norm, taylor)
