"""Uniform(low, high) and Exponential(rate): the two inverse-CDF families.

Uniform draws x = low + (high − low)·u (∂x/∂low = 1 − u, ∂x/∂high = u); Exponential draws x = ε/λ with
ε ~ Exp(1) (∂x/∂λ = −x/λ).
"""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .utils import _draw, broadcast_all

__all__ = ["Uniform", "Exponential"]


class Uniform(Distribution):
    """U[low, high):  log p(x) = −log(high − low) inside the interval."""

    arg_constraints = {"low": constraints.dependent(is_discrete=False, event_dim=0),
                       "high": constraints.dependent(is_discrete=False, event_dim=0)}  # fmt: skip
    has_rsample = True

    def __init__(self, low: Any, high: Any, validate_args: bool | None = None) -> None:
        self.low, self.high = broadcast_all(low, high)
        both_numbers = isinstance(low, Number) and isinstance(high, Number)
        super().__init__(() if both_numbers else self.low.shape, validate_args=validate_args)
        if self._validate_args and not bool(self.low.lt(self.high).all()):
            raise ValueError("Uniform is not defined when low>= high")

    def expand(self, batch_shape: Any, _instance: Any = None) -> Uniform:
        """Uniform with low and high expanded to ``batch_shape``."""
        new = self._get_checked_instance(Uniform, _instance)
        new.low = self.low.expand(batch_shape)
        new.high = self.high.expand(batch_shape)
        return self._init_expanded(new, batch_shape)

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self) -> Any:
        """[low, high]."""
        return constraints.interval(self.low, self.high)

    @property
    def mean(self) -> Any:
        """(high + low)/2."""
        return (self.high + self.low) / 2

    @property
    def mode(self) -> Any:
        """Not unique: nan."""
        return self.high * math.nan

    @property
    def stddev(self) -> Any:
        """(high − low)/√12."""
        return (self.high - self.low) / 12**0.5

    @property
    def variance(self) -> Any:
        """(high − low)²/12."""
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape: Any = ()) -> Any:
        """low + (high − low)·u, u ~ U[0, 1)."""
        shape = self._extended_shape(sample_shape)
        u = _draw(lambda rng, s: rng.random(s), shape, self.low)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value: Any) -> Any:
        """log 1[low ≤ x < high] − log(high − low)."""
        if self._validate_args:
            self._validate_sample(value)
        lb = self.low.le(value).type_as(self.low)
        ub = self.high.gt(value).type_as(self.low)
        return (lb * ub).log() - (self.high - self.low).log()

    def cdf(self, value: Any) -> Any:
        """clamp((x − low)/(high − low), 0, 1)."""
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value: Any) -> Any:
        """low + u·(high − low)."""
        return value * (self.high - self.low) + self.low

    def entropy(self) -> Any:
        """log(high − low)."""
        return (self.high - self.low).log()


class Exponential(ExponentialFamily):
    """Exp(rate):  log p(x) = log λ − λx for x ≥ 0."""

    arg_constraints = {"rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(() if isinstance(rate, Number) else self.rate.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Exponential:
        """Exponential with rate expanded to ``batch_shape``."""
        new = self._get_checked_instance(Exponential, _instance)
        new.rate = self.rate.expand(batch_shape)
        return self._init_expanded(new, batch_shape)

    @property
    def mean(self) -> Any:
        """1/λ."""
        return self.rate.reciprocal()

    @property
    def mode(self) -> Any:
        """0."""
        return self.rate * 0

    @property
    def stddev(self) -> Any:
        """1/λ."""
        return self.rate.reciprocal()

    @property
    def variance(self) -> Any:
        """1/λ²."""
        return self.rate.pow(-2)

    def rsample(self, sample_shape: Any = ()) -> Any:
        """ε/λ, ε ~ Exp(1)."""
        shape = self._extended_shape(sample_shape)
        eps = _draw(lambda rng, s: rng.standard_exponential(s), shape, self.rate)
        return eps / self.rate

    def log_prob(self, value: Any) -> Any:
        """log λ − λx."""
        if self._validate_args:
            self._validate_sample(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Any) -> Any:
        """1 − e^{−λx}."""
        if self._validate_args:
            self._validate_sample(value)
        return 1 - (-self.rate * value).exp()

    def icdf(self, value: Any) -> Any:
        """−log(1 − u)/λ."""
        return -(-value).log1p() / self.rate

    def entropy(self) -> Any:
        """1 − log λ."""
        return 1.0 - self.rate.log()

    @property
    def _natural_params(self) -> tuple[Any, ...]:
        """(−λ,)."""
        return (-self.rate,)

    def _log_normalizer(self, x: Any) -> Any:
        """A = −log(−x)."""
        return -(-x).log()

    @property
    def _mean_carrier_measure(self) -> float:
        """0."""
        return 0
