"""Multinomial(n, p): counts of n categorical draws over K categories (event_shape (K,)).

log p(x) = log n! − Σ log xᵢ! + Σ xᵢ log pᵢ.
"""

from __future__ import annotations

import math
from typing import Any

from ..ops.gamma import lgamma
from . import constraints
from .bernoulli import Binomial
from .categorical import Categorical, _CategoricalView
from .utils import broadcast_all

__all__ = ["Multinomial"]


class Multinomial(_CategoricalView):
    """Counts of ``total_count`` independent Categorical(probs) draws."""

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.independent(constraints.real, 1)}

    def __init__(self, total_count: int = 1, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:  # fmt: skip
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        self._binomial = Binomial(total_count=total_count, probs=self.probs)
        self._init_shapes(validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Multinomial:
        """Multinomial with the probabilities expanded to ``batch_shape``."""
        new = self._get_checked_instance(Multinomial, _instance)
        new.total_count = self.total_count
        new._categorical = self._categorical.expand(batch_shape)
        new._binomial = Binomial(
            total_count=self.total_count, probs=new._categorical.probs, validate_args=False
        )
        return self._init_expanded(new, batch_shape, self.event_shape)

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self) -> Any:
        """Non-negative integer vectors summing to at most total_count."""
        return constraints.multinomial(self.total_count)

    @property
    def mean(self) -> Any:
        """n·p."""
        return self.probs * self.total_count

    @property
    def variance(self) -> Any:
        """n·p·(1 − p)."""
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Any:
        """Counts of ``total_count`` Categorical draws (in the probabilities' dtype)."""
        import chainrule

        with chainrule.no_grad():
            draws = self._categorical.sample((self.total_count,) + tuple(sample_shape))
            k = self._categorical._num_events
            counts = chainrule.nn.functional.one_hot(draws, k).sum(0)
            return counts.to(self.probs.dtype)

    def log_prob(self, value: Any) -> Any:
        """log n! − Σ log xᵢ! + Σ xᵢ log pᵢ (0·log 0 = 0)."""
        import chainrule

        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        logits = chainrule.where((value == 0) & (logits == -math.inf), logits * 0, logits)
        log_factorial_n = lgamma(value.sum(-1) + 1)
        log_factorial_xs = lgamma(value + 1).sum(-1)
        return log_factorial_n - log_factorial_xs + (logits * value).sum(-1)

    def entropy(self) -> Any:
        """n·H(Categorical) − log n! + Σᵢ Σₖ Binomial(n, pᵢ)(k)·log k!."""
        import chainrule

        n = chainrule.tensor(float(self.total_count), dtype=self.probs.dtype)
        term1 = n * self._categorical.entropy() - lgamma(n + 1)
        support = self._binomial.enumerate_support(expand=False)[1:]
        binomial_probs = self._binomial.log_prob(support).exp()
        weights = lgamma(support + 1)
        return term1 + (binomial_probs * weights).sum(0).sum(-1)
