"""Student's t(df, loc, scale) = loc + scale·X/√(Z/ν),  X ~ N(0, 1), Z ~ χ²(ν).

log p(x) = −½(ν + 1)·log(1 + y²/ν) − log σ − ½ log ν − ½ log π − log Γ(ν/2) + log Γ((ν + 1)/2),  y = (x − μ)/σ.
The χ² draw is a Gamma draw, so ``rsample`` passes gradients to ν through the implicit Gamma gradient.
"""

from __future__ import annotations

import math
from typing import Any

from ..ops.gamma import digamma, lgamma
from . import constraints
from .distribution import Distribution
from .gamma import Chi2
from .utils import _draw, broadcast_all

__all__ = ["StudentT"]


class StudentT(Distribution):
    """Student's t with ν = df degrees of freedom, location and scale."""

    arg_constraints = {"df": constraints.positive, "loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df: Any, loc: Any = 0.0, scale: Any = 1.0, validate_args: bool | None = None) -> None:
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self._chi2._batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> StudentT:
        """StudentT with every parameter expanded to ``batch_shape``."""
        new = self._get_checked_instance(StudentT, _instance)
        new.df = self.df.expand(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        new._chi2 = self._chi2.expand(batch_shape)
        return self._init_expanded(new, batch_shape)

    @property
    def mean(self) -> Any:
        """μ for ν > 1, else nan."""
        import chainrule

        return chainrule.where(self.df > 1, self.loc, math.nan)

    @property
    def mode(self) -> Any:
        """μ."""
        return self.loc

    @property
    def variance(self) -> Any:
        """σ²ν/(ν − 2) for ν > 2, inf for 1 < ν ≤ 2, nan for ν ≤ 1."""
        import chainrule

        df = self.df
        v = chainrule.where(df > 2, self.scale.pow(2) * df / (df - 2).clamp(min=1e-30), math.inf)
        return chainrule.where(df > 1, v, math.nan)

    def rsample(self, sample_shape: Any = ()) -> Any:
        """μ + σ·X·√(ν/Z),  X ~ N(0, 1), Z ~ χ²(ν)."""
        shape = self._extended_shape(sample_shape)
        x = _draw(lambda rng, s: rng.standard_normal(s), shape, self.df)
        z = self._chi2.rsample(sample_shape)
        y = x * (z / self.df).rsqrt()
        return self.loc + self.scale * y

    def log_prob(self, value: Any) -> Any:
        """−½(ν + 1) log(1 + y²/ν) − log σ − ½ log ν − ½ log π − log Γ(ν/2) + log Γ((ν + 1)/2)."""
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        z = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi)
             + lgamma(0.5 * self.df) - lgamma(0.5 * (self.df + 1.0)))  # fmt: skip
        return -0.5 * (self.df + 1.0) * (y.pow(2) / self.df).log1p() - z

    def entropy(self) -> Any:
        """log σ + ½(ν + 1)(ψ((ν + 1)/2) − ψ(ν/2)) + ½ log ν + log B(ν/2, ½)."""
        df = self.df
        lbeta = lgamma(0.5 * df) + math.lgamma(0.5) - lgamma(0.5 * (df + 1))
        return (self.scale.log() + 0.5 * (df + 1) * (digamma(0.5 * (df + 1)) - digamma(0.5 * df))
                + 0.5 * df.log() + lbeta)  # fmt: skip
