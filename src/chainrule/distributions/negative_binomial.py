"""NegativeBinomial(r, p) in PyTorch's parameterisation: the count of successes (probability p each) before
``total_count`` failures; a Gamma–Poisson mixture:
x ~ Poisson(λ), λ ~ Gamma(r, e^{−logits}).

log p(x) = r·log σ(−logits) + x·log σ(logits) + log Γ(r + x) − log Γ(1 + x) − log Γ(r).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops.gamma import lgamma
from . import constraints
from .bernoulli import _ProbsLogits
from .gamma import Gamma
from .utils import _draw

__all__ = ["NegativeBinomial"]


class NegativeBinomial(_ProbsLogits):
    """Counts of successes before ``total_count`` failures, success probability ``probs``."""

    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0), "logits": constraints.real}  # fmt: skip
    support = constraints.nonnegative_integer

    def __init__(self, total_count: Any, probs: Any = None, logits: Any = None,
                 validate_args: bool | None = None) -> None:  # fmt: skip
        self._set_param(probs, logits, total_count)
        super().__init__(self._param.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> NegativeBinomial:
        """NegativeBinomial with both parameters expanded to ``batch_shape``."""
        new = self._get_checked_instance(NegativeBinomial, _instance)
        new.total_count = self.total_count.expand(batch_shape)
        return self._finish_expand(new, batch_shape)

    @property
    def mean(self) -> Any:
        """r·e^{logits}."""
        return self.total_count * self.logits.exp()

    @property
    def mode(self) -> Any:
        """⌊(r − 1)·e^{logits}⌋, at least 0."""
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self) -> Any:
        """mean/σ(−logits)."""
        return self.mean / (-self.logits).sigmoid()

    def sample(self, sample_shape: Any = ()) -> Any:
        """Poisson(λ) with λ ~ Gamma(r, e^{−logits}), from chainrule's generator."""
        import chainrule

        with chainrule.no_grad():
            rate = Gamma(self.total_count, (-self.logits).exp(), validate_args=False).sample(sample_shape)
            lam = rate.numpy().astype(np.float64)
            return _draw(lambda rng, s: rng.poisson(lam), lam.shape, self._param)

    def log_prob(self, value: Any) -> Any:
        """r·log σ(−logits) + x·log σ(logits) + log Γ(r + x) − log Γ(1 + x) − log Γ(r)."""
        import chainrule
        import chainrule.nn.functional as F

        if self._validate_args:
            self._validate_sample(value)
        unnormalised = self.total_count * F.logsigmoid(-self.logits) + value * F.logsigmoid(self.logits)
        norm = -lgamma(self.total_count + value) + lgamma(1.0 + value) + lgamma(self.total_count)
        norm = chainrule.where(self.total_count + value == 0.0, norm * 0, norm)
        return unnormalised - norm
