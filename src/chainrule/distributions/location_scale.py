"""Location-scale families on the real line: Normal, Laplace, Cauchy.

Each draws x = loc + scale·ε with ε from the standard member, so ``rsample`` is reparameterised:
∂x/∂loc = 1 and ∂x/∂scale = ε.
"""

from __future__ import annotations

import math
from numbers import Number
from typing import Any

from ..ops.special import erfinv
from . import constraints
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .utils import _draw, broadcast_all

__all__ = ["Normal", "Laplace", "Cauchy"]


class _LocScale(Distribution):
    """Shared constructor, ``expand`` and validation of (loc, scale) families."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        both_numbers = isinstance(loc, Number) and isinstance(scale, Number)
        super().__init__(() if both_numbers else self.loc.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Any:
        """The same family with loc and scale expanded to ``batch_shape``."""
        new = self._get_checked_instance(type(self), _instance)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        return self._init_expanded(new, batch_shape)

    def _loc_plus_scale(self, sample_shape: Any, standard: Any) -> Any:
        """loc + scale·ε with ε = ``standard(rng, shape)`` drawn from chainrule's generator."""
        eps = _draw(standard, self._extended_shape(sample_shape), self.loc)
        return self.loc + eps * self.scale

    def _check(self, value: Any) -> None:
        if self._validate_args:
            self._validate_sample(value)

    @property
    def mode(self) -> Any:
        """loc."""
        return self.loc


class Normal(_LocScale, ExponentialFamily):
    """N(loc, scale²):  log p(x) = −(x−μ)²/(2σ²) − log σ − ½ log 2π."""

    @property
    def mean(self) -> Any:
        """loc."""
        return self.loc

    @property
    def stddev(self) -> Any:
        """scale."""
        return self.scale

    @property
    def variance(self) -> Any:
        """scale²."""
        return self.scale.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Any:
        """loc + scale·ε, ε ~ N(0, 1) from chainrule's generator."""
        return self._loc_plus_scale(sample_shape, lambda rng, s: rng.standard_normal(s))

    def log_prob(self, value: Any) -> Any:
        """−(x−μ)²/(2σ²) − log σ − ½ log 2π."""
        self._check(value)
        var = self.scale**2
        return -((value - self.loc) ** 2) / (2 * var) - self.scale.log() - math.log(math.sqrt(2 * math.pi))

    def cdf(self, value: Any) -> Any:
        """½(1 + erf((x − μ)/(σ√2)))."""
        self._check(value)
        return 0.5 * (1 + ((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)).erf())

    def icdf(self, value: Any) -> Any:
        """μ + σ√2·erf⁻¹(2u − 1)."""
        return self.loc + self.scale * erfinv(2 * value - 1) * math.sqrt(2)

    def entropy(self) -> Any:
        """½ + ½ log 2π + log σ."""
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()

    @property
    def _natural_params(self) -> tuple[Any, ...]:
        """(μ/σ², −1/(2σ²))."""
        return (self.loc / self.scale.pow(2), -0.5 * self.scale.pow(2).reciprocal())

    def _log_normalizer(self, x: Any, y: Any) -> Any:
        """A = −x²/(4y) + ½ log(−π/y)."""
        return -0.25 * x.pow(2) / y + 0.5 * (-math.pi / y).log()

    @property
    def _mean_carrier_measure(self) -> float:
        """0."""
        return 0


class Laplace(_LocScale):
    """Laplace(loc, scale):  log p(x) = −log 2b − |x − μ|/b."""

    @property
    def mean(self) -> Any:
        """loc."""
        return self.loc

    @property
    def variance(self) -> Any:
        """2·scale²."""
        return 2 * self.scale.pow(2)

    @property
    def stddev(self) -> Any:
        """√2·scale."""
        return (2**0.5) * self.scale

    def rsample(self, sample_shape: Any = ()) -> Any:
        """μ − b·sign(u)·log(1 − |u|), u ~ U(eps − 1, 1)."""
        import chainrule

        eps = chainrule.finfo(self.loc.dtype).eps
        shape = self._extended_shape(sample_shape)
        u = _draw(lambda rng, s: rng.uniform(eps - 1, 1, s), shape, self.loc)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value: Any) -> Any:
        """−log 2b − |x − μ|/b."""
        self._check(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value: Any) -> Any:
        """½ − ½·sign(x − μ)·expm1(−|x − μ|/b)."""
        self._check(value)
        return 0.5 - 0.5 * (value - self.loc).sign() * (-(value - self.loc).abs() / self.scale).expm1()

    def icdf(self, value: Any) -> Any:
        """μ − b·sign(u − ½)·log(1 − 2|u − ½|)."""
        term = value - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self) -> Any:
        """1 + log 2b."""
        return 1 + (2 * self.scale).log()


class Cauchy(_LocScale):
    """Cauchy(loc, scale):  log p(x) = −log π − log γ − log(1 + ((x − x₀)/γ)²)."""

    @property
    def mean(self) -> Any:
        """Undefined: nan."""
        import chainrule

        return chainrule.full(tuple(self._extended_shape()), math.nan, dtype=self.loc.dtype)

    @property
    def variance(self) -> Any:
        """Infinite."""
        import chainrule

        return chainrule.full(tuple(self._extended_shape()), math.inf, dtype=self.loc.dtype)

    def rsample(self, sample_shape: Any = ()) -> Any:
        """x₀ + γ·ε, ε standard Cauchy."""
        return self._loc_plus_scale(sample_shape, lambda rng, s: rng.standard_cauchy(s))

    def log_prob(self, value: Any) -> Any:
        """−log π − log γ − log(1 + z²),  z = (x − x₀)/γ."""
        self._check(value)
        return -math.log(math.pi) - self.scale.log() - (((value - self.loc) / self.scale) ** 2).log1p()

    def cdf(self, value: Any) -> Any:
        """atan(z)/π + ½."""
        self._check(value)
        return ((value - self.loc) / self.scale).atan() / math.pi + 0.5

    def icdf(self, value: Any) -> Any:
        """x₀ + γ·tan(π(u − ½))."""
        return (math.pi * (value - 0.5)).tan() * self.scale + self.loc

    def entropy(self) -> Any:
        """log 4π + log γ."""
        return math.log(4 * math.pi) + self.scale.log()
