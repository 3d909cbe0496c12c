"""InverseGamma (1/x for x ~ Gamma) and OneHotCategoricalStraightThrough (one-hot draws that pass the
gradient of the probabilities straight through)."""

from __future__ import annotations

import math
from typing import Any

from . import constraints
from .categorical import OneHotCategorical
from .gamma import Gamma
from .transformed_distribution import TransformedDistribution
from .transforms import PowerTransform

__all__ = ["InverseGamma", "OneHotCategoricalStraightThrough"]


class InverseGamma(TransformedDistribution):
    """y = 1/x with x ~ Gamma(α, β):  p(y) = βᵅ/Γ(α) · y^(−α−1) · e^(−β/y)  on y > 0."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        base = Gamma(concentration, rate, validate_args=validate_args)
        minus_one = -base.rate.new_ones(())
        super().__init__(base, PowerTransform(minus_one), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> InverseGamma:
        """InverseGamma with α and β expanded to ``batch_shape``."""
        return super().expand(batch_shape, _instance=self._get_checked_instance(InverseGamma, _instance))

    @property
    def concentration(self) -> Any:
        """α, the Gamma's concentration."""
        return self.base_dist.concentration

    @property
    def rate(self) -> Any:
        """β, the Gamma's rate (the InverseGamma's scale)."""
        return self.base_dist.rate

    @property
    def mean(self) -> Any:
        """β/(α − 1) for α > 1, else inf."""
        a = self.concentration
        return (self.rate / (a - 1)).masked_fill(a <= 1, math.inf)

    @property
    def mode(self) -> Any:
        """β/(α + 1)."""
        return self.rate / (self.concentration + 1)

    @property
    def variance(self) -> Any:
        """β²/((α − 1)²(α − 2)) for α > 2, else inf."""
        a = self.concentration
        return (self.rate.pow(2) / ((a - 1).pow(2) * (a - 2))).masked_fill(a <= 2, math.inf)

    def entropy(self) -> Any:
        """α + log β + log Γ(α) − (1 + α)·ψ(α)."""
        a = self.concentration
        return a + self.rate.log() + a.lgamma() - (1 + a) * a.digamma()


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """OneHotCategorical with ``rsample``: the one-hot draw s, returned as s + p − stop_gradient(p), so its
    value is s and its gradient is that of p (the straight-through estimator, Bengio et al. 2013)."""

    has_rsample = True

    def rsample(self, sample_shape: Any = ()) -> Any:
        """A one-hot draw whose gradient is ∂p (the probabilities')."""
        draws = self.sample(sample_shape)
        probs = self._categorical.probs
        return draws + (probs - probs.detach())
