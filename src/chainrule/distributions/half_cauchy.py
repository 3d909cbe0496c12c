"""HalfCauchy(scale) = |x| for x ~ Cauchy(0, scale):  log p(y) = log 2 − log π − log γ − log(1 + (y/γ)²), y ≥ 0."""

from __future__ import annotations

import math
from typing import Any

from . import constraints
from ._transform_maps import AbsTransform
from .location_scale import Cauchy
from .transformed_distribution import TransformedDistribution

__all__ = ["HalfCauchy"]


class HalfCauchy(TransformedDistribution):
    """The folded Cauchy on [0, ∞) (a common prior for scale parameters)."""

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale: Any, validate_args: bool | None = None) -> None:
        base = Cauchy(0, scale, validate_args=False)
        super().__init__(base, AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> HalfCauchy:
        """HalfCauchy with the scale expanded to ``batch_shape``."""
        return super().expand(batch_shape, _instance=self._get_checked_instance(HalfCauchy, _instance))

    @property
    def scale(self) -> Any:
        """γ."""
        return self.base_dist.scale

    @property
    def mean(self) -> Any:
        """Infinite."""
        import chainrule

        return chainrule.full(tuple(self._extended_shape()), math.inf, dtype=self.scale.dtype)

    @property
    def mode(self) -> Any:
        """0."""
        return self.scale * 0

    @property
    def variance(self) -> Any:
        """Infinite."""
        return self.base_dist.variance

    def log_prob(self, value: Any) -> Any:
        """log Cauchy(y; 0, γ) + log 2 where y ≥ 0, −inf elsewhere."""
        import chainrule

        if self._validate_args:
            self._validate_sample(value)
        value = chainrule.as_tensor(value, dtype=self.scale.dtype)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return chainrule.where(value >= 0, log_prob, -math.inf)

    def cdf(self, value: Any) -> Any:
        """2F(y) − 1."""
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob: Any) -> Any:
        """F⁻¹((u + 1)/2)."""
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self) -> Any:
        """H(Cauchy) − log 2."""
        return self.base_dist.entropy() - math.log(2)
