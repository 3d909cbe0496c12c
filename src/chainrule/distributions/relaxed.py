"""Continuous relaxations of discrete draws (Concrete / Gumbel-softmax), reparameterised with temperature τ.

* LogitRelaxedBernoulli: y = (logit u + logits)/τ, u ~ U(0, 1);  RelaxedBernoulli = σ(y).
* ExpRelaxedCategorical: y = log softmax((logits + g)/τ), g Gumbel;  RelaxedOneHotCategorical = exp(y).
"""

from __future__ import annotations

from typing import Any

from ..ops.gamma import lgamma
from . import constraints
from .bernoulli import _ProbsLogits
from .categorical import _CategoricalView
from .transformed_distribution import TransformedDistribution
from .transforms import ExpTransform, SigmoidTransform
from .utils import _draw, broadcast_all, clamp_probs

__all__ = ["LogitRelaxedBernoulli", "RelaxedBernoulli", "ExpRelaxedCategorical", "RelaxedOneHotCategorical"]


def _temperature(temperature: Any, like: Any) -> Any:
    import chainrule

    if isinstance(temperature, chainrule.Tensor):
        return temperature
    return chainrule.tensor(float(temperature), dtype=like.dtype)


class _RelaxedView:
    """The base (logit/log-space) distribution's temperature, logits and probs, seen through the transform."""

    base_dist: Any

    @property
    def temperature(self) -> Any:
        """τ."""
        return self.base_dist.temperature

    @property
    def logits(self) -> Any:
        """The logits of the relaxed discrete distribution."""
        return self.base_dist.logits

    @property
    def probs(self) -> Any:
        """The probabilities of the relaxed discrete distribution."""
        return self.base_dist.probs


class LogitRelaxedBernoulli(_ProbsLogits):
    """The logit of a RelaxedBernoulli draw:  log p(y) = log τ + d − 2 log(1 + eᵈ),  d = logits − τy."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.real
    has_rsample = True

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:  # fmt: skip
        batch_shape = self._set_param(probs, logits)
        self.temperature = _temperature(temperature, self._param)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LogitRelaxedBernoulli:
        """The same temperature with the parameter expanded to ``batch_shape``."""
        new = self._get_checked_instance(LogitRelaxedBernoulli, _instance)
        new.temperature = self.temperature
        return self._finish_expand(new, batch_shape)

    def rsample(self, sample_shape: Any = ()) -> Any:
        """(logit u + logit p)/τ with u ~ U(0, 1) (both clamped away from 0 and 1)."""
        shape = self._extended_shape(sample_shape)
        probs = clamp_probs(self.probs.expand(shape))
        u = clamp_probs(_draw(lambda rng, s: rng.random(s), shape, self._param))
        return (u.log() - (-u).log1p() + probs.log() - (-probs).log1p()) / self.temperature

    def log_prob(self, value: Any) -> Any:
        """log τ + d − 2 log(1 + eᵈ),  d = logits − τ·y."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        diff = logits - value * self.temperature
        return self.temperature.log() + diff - 2 * diff.exp().log1p()


class RelaxedBernoulli(_RelaxedView, TransformedDistribution):
    """σ of a LogitRelaxedBernoulli draw: a differentiable stand-in for Bernoulli on (0, 1)."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:  # fmt: skip
        base = LogitRelaxedBernoulli(temperature, probs, logits)
        super().__init__(base, SigmoidTransform(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> RelaxedBernoulli:
        """RelaxedBernoulli with the parameter expanded to ``batch_shape``."""
        return super().expand(batch_shape, _instance=self._get_checked_instance(RelaxedBernoulli, _instance))


class ExpRelaxedCategorical(_CategoricalView):
    """The log of a RelaxedOneHotCategorical draw (event_shape (K,)):
    log p(y) = log Γ(K) + (K − 1) log τ + Σᵢ(sᵢ − logsumexp s),  s = logits − τ·y."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(constraints.real, 1)}
    support = constraints.independent(constraints.real, 1)
    has_rsample = True

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:  # fmt: skip
        self._init_categorical(probs, logits, validate_args)
        self.temperature = _temperature(temperature, self._categorical._param)

    def expand(self, batch_shape: Any, _instance: Any = None) -> ExpRelaxedCategorical:
        """The same temperature with the parameter expanded to ``batch_shape``."""
        new = self._get_checked_instance(ExpRelaxedCategorical, _instance)
        new.temperature = self.temperature
        return self._expand_categorical(new, batch_shape)

    def rsample(self, sample_shape: Any = ()) -> Any:
        """log softmax((logits + g)/τ),  g = −log(−log u) Gumbel noise."""
        shape = self._extended_shape(sample_shape)
        u = clamp_probs(_draw(lambda rng, s: rng.random(s), shape, self.logits))
        gumbels = -((-(u.log())).log())
        scores = (self.logits + gumbels) / self.temperature
        return scores - scores.logsumexp(dim=-1, keepdim=True)

    def log_prob(self, value: Any) -> Any:
        """log Γ(K) + (K − 1) log τ + Σ(s − logsumexp s),  s = logits − τ·y."""
        import chainrule

        K = self._categorical._num_events
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        log_scale = lgamma(chainrule.full_like(self.temperature, float(K))) + (K - 1) * self.temperature.log()
        score = logits - value * self.temperature
        score = (score - score.logsumexp(dim=-1, keepdim=True)).sum(-1)
        return score + log_scale


class RelaxedOneHotCategorical(_RelaxedView, TransformedDistribution):
    """exp of an ExpRelaxedCategorical draw: a differentiable stand-in for OneHotCategorical on the simplex."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(constraints.real, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, temperature: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:  # fmt: skip
        base = ExpRelaxedCategorical(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base, ExpTransform(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> RelaxedOneHotCategorical:
        """RelaxedOneHotCategorical with the parameter expanded to ``batch_shape``."""
        new = self._get_checked_instance(RelaxedOneHotCategorical, _instance)
        return super().expand(batch_shape, _instance=new)
