"""Pareto and Weibull, built from an Exponential draw E by transforms (as PyTorch):

* Pareto(scale, α) = scale·exp(E),  E ~ Exp(α):  support x ≥ scale,  log p(x) = log α + α log scale − (α+1) log x.
* Weibull(scale, k) = scale·E^{1/k},  E ~ Exp(1):  log p(x) = log(k/λ) + (k−1) log(x/λ) − (x/λ)ᵏ.
"""

from __future__ import annotations

from typing import Any

from ..ops.gamma import lgamma
from . import constraints
from .transformed_distribution import _EULER_GAMMA, TransformedDistribution
from .transforms import AffineTransform, ExpTransform, PowerTransform
from .uniform import Exponential
from .utils import broadcast_all

__all__ = ["Pareto", "Weibull"]


class Pareto(TransformedDistribution):
    """Pareto type I with minimum ``scale`` and shape ``alpha``."""

    arg_constraints = {"alpha": constraints.positive, "scale": constraints.positive}

    def __init__(self, scale: Any, alpha: Any, validate_args: bool | None = None) -> None:
        self.scale, self.alpha = broadcast_all(scale, alpha)
        base = Exponential(self.alpha, validate_args=validate_args)
        super().__init__(
            base, [ExpTransform(), AffineTransform(loc=0, scale=self.scale)], validate_args=validate_args
        )

    def expand(self, batch_shape: Any, _instance: Any = None) -> Pareto:
        """Pareto with scale and alpha expanded to ``batch_shape``."""
        new = self._get_checked_instance(Pareto, _instance)
        new.scale = self.scale.expand(batch_shape)
        new.alpha = self.alpha.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self) -> Any:
        """[scale, ∞)."""
        return constraints.greater_than_eq(self.scale)

    @property
    def mean(self) -> Any:
        """α·scale/(α − 1) (inf for α ≤ 1)."""
        a = self.alpha.clamp(min=1)
        return a * self.scale / (a - 1)

    @property
    def mode(self) -> Any:
        """scale."""
        return self.scale

    @property
    def variance(self) -> Any:
        """scale²·α/((α − 1)²(α − 2)) (inf for α ≤ 2)."""
        a = self.alpha.clamp(min=2)
        return self.scale.pow(2) * a / ((a - 1).pow(2) * (a - 2))

    def entropy(self) -> Any:
        """log(scale/α) + 1 + 1/α."""
        return (self.scale / self.alpha).log() + (1 + self.alpha.reciprocal())


class Weibull(TransformedDistribution):
    """Weibull with scale λ and concentration (shape) k."""

    arg_constraints = {"scale": constraints.positive, "concentration": constraints.positive}
    support = constraints.positive

    def __init__(self, scale: Any, concentration: Any, validate_args: bool | None = None) -> None:
        import chainrule

        self.scale, self.concentration = broadcast_all(scale, concentration)
        self.concentration_reciprocal = self.concentration.reciprocal()
        base = Exponential(chainrule.ones_like(self.scale), validate_args=validate_args)
        tfs = [
            PowerTransform(exponent=self.concentration_reciprocal),
            AffineTransform(loc=0, scale=self.scale),
        ]
        super().__init__(base, tfs, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Weibull:
        """Weibull with scale and concentration expanded to ``batch_shape``."""
        new = self._get_checked_instance(Weibull, _instance)
        new.scale = self.scale.expand(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        new.concentration_reciprocal = new.concentration.reciprocal()
        tfs = [PowerTransform(exponent=new.concentration_reciprocal), AffineTransform(loc=0, scale=new.scale)]
        TransformedDistribution.__init__(new, self.base_dist.expand(batch_shape), tfs, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Any:
        """λ·Γ(1 + 1/k)."""
        return self.scale * lgamma(1 + self.concentration_reciprocal).exp()

    @property
    def mode(self) -> Any:
        """λ·((k − 1)/k)^{1/k}."""
        return self.scale * ((self.concentration - 1) / self.concentration) ** self.concentration.reciprocal()

    @property
    def variance(self) -> Any:
        """λ²(Γ(1 + 2/k) − Γ(1 + 1/k)²)."""
        r = self.concentration_reciprocal
        return self.scale.pow(2) * (lgamma(1 + 2 * r).exp() - (2 * lgamma(1 + r)).exp())

    def entropy(self) -> Any:
        """γ(1 − 1/k) + log(λ/k) + 1."""
        r = self.concentration_reciprocal
        return _EULER_GAMMA * (1 - r) + (self.scale * r).log() + 1
