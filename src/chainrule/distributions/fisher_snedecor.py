"""FisherSnedecor(d₁, d₂): the F distribution, X = (G₁/G₂) with Gᵢ ~ Gamma(dᵢ/2, dᵢ) (so Gᵢ = χ²(dᵢ)/dᵢ).

log p(x) = log Γ((d₁+d₂)/2) − log Γ(d₁/2) − log Γ(d₂/2) + (d₁/2) log(d₁/d₂) + (d₁/2 − 1) log x
           − ((d₁+d₂)/2) log(1 + d₁x/d₂).   ``rsample`` passes gradients through the implicit Gamma gradients.
"""

from __future__ import annotations

import math
from typing import Any

from ..ops.gamma import lgamma
from . import constraints
from .distribution import Distribution
from .gamma import Gamma
from .utils import broadcast_all

__all__ = ["FisherSnedecor"]


class FisherSnedecor(Distribution):
    """Snedecor's F with ``df1`` and ``df2`` degrees of freedom."""

    arg_constraints = {"df1": constraints.positive, "df2": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, df1: Any, df2: Any, validate_args: bool | None = None) -> None:
        self.df1, self.df2 = broadcast_all(df1, df2)
        self._gamma1 = Gamma(self.df1 * 0.5, self.df1)
        self._gamma2 = Gamma(self.df2 * 0.5, self.df2)
        super().__init__(self.df1.shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> FisherSnedecor:
        """FisherSnedecor with both parameters expanded to ``batch_shape``."""
        new = self._get_checked_instance(FisherSnedecor, _instance)
        new.df1 = self.df1.expand(batch_shape)
        new.df2 = self.df2.expand(batch_shape)
        new._gamma1 = self._gamma1.expand(batch_shape)
        new._gamma2 = self._gamma2.expand(batch_shape)
        return self._init_expanded(new, batch_shape)

    @property
    def mean(self) -> Any:
        """d₂/(d₂ − 2) for d₂ > 2, else nan."""
        import chainrule

        df2 = chainrule.where(self.df2 > 2, self.df2, math.nan)
        return df2 / (df2 - 2)

    @property
    def mode(self) -> Any:
        """((d₁ − 2)/d₁)·d₂/(d₂ + 2) for d₁ > 2, else nan."""
        import chainrule

        mode = (self.df1 - 2) / self.df1 * self.df2 / (self.df2 + 2)
        return chainrule.where(self.df1 > 2, mode, math.nan)

    @property
    def variance(self) -> Any:
        """2d₂²(d₁ + d₂ − 2)/(d₁(d₂ − 2)²(d₂ − 4)) for d₂ > 4, else nan."""
        import chainrule

        df2 = chainrule.where(self.df2 > 4, self.df2, math.nan)
        return 2 * df2.pow(2) * (self.df1 + df2 - 2) / (self.df1 * (df2 - 2).pow(2) * (df2 - 4))

    def rsample(self, sample_shape: Any = ()) -> Any:
        """G₁/G₂ (both clamped at the dtype's tiny)."""
        import chainrule

        shape = tuple(self._extended_shape(sample_shape))
        tiny = chainrule.finfo(self.df1.dtype).tiny
        x1 = self._gamma1.rsample(sample_shape).reshape(shape)
        x2 = self._gamma2.rsample(sample_shape).reshape(shape).clamp(min=tiny)
        return (x1 / x2).clamp(min=tiny)

    def log_prob(self, value: Any) -> Any:
        """See the module docstring."""
        if self._validate_args:
            self._validate_sample(value)
        ct1, ct2 = self.df1 * 0.5, self.df2 * 0.5
        ct3 = self.df1 / self.df2
        t1 = lgamma(ct1 + ct2) - lgamma(ct1) - lgamma(ct2)
        t2 = ct1 * ct3.log() + (ct1 - 1) * value.log()
        t3 = (ct1 + ct2) * (ct3 * value).log1p()
        return t1 + t2 - t3
