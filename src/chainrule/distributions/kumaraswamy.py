"""Kumaraswamy(a, b) on (0, 1): x = (1 − u^{1/b})^{1/a}, u ~ U(0, 1) (a Beta look-alike with a closed-form cdf).

E[xⁿ] = b·B(1 + n/a, b);  H = (1 − 1/b) + (1 − 1/a)(ψ(b + 1) + γ) − log a − log b.
"""

from __future__ import annotations

import math
from typing import Any

from ..ops.gamma import digamma, lgamma
from . import constraints
from ._transform_maps import AffineTransform, PowerTransform
from .transformed_distribution import _EULER_GAMMA, TransformedDistribution
from .uniform import Uniform
from .utils import broadcast_all

__all__ = ["Kumaraswamy"]


def _moments(a: Any, b: Any, n: int) -> Any:
    """E[xⁿ] = b·Γ(1 + n/a)Γ(b)/Γ(1 + n/a + b)."""
    arg1 = 1 + n / a
    return b * (lgamma(arg1) + lgamma(b) - lgamma(arg1 + b)).exp()


class Kumaraswamy(TransformedDistribution):
    """Kumaraswamy with concentration1 a and concentration0 b."""

    arg_constraints = {"concentration1": constraints.positive, "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1: Any, concentration0: Any, validate_args: bool | None = None) -> None:
        import chainrule

        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        base = Uniform(chainrule.full_like(self.concentration0, 0), chainrule.full_like(self.concentration0, 1),
                       validate_args=validate_args)  # fmt: skip
        tfs = [PowerTransform(exponent=self.concentration0.reciprocal()), AffineTransform(loc=1.0, scale=-1.0),
               PowerTransform(exponent=self.concentration1.reciprocal())]  # fmt: skip
        super().__init__(base, tfs, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Kumaraswamy:
        """Kumaraswamy with both parameters expanded to ``batch_shape``."""
        new = self._get_checked_instance(Kumaraswamy, _instance)
        new.concentration1 = self.concentration1.expand(batch_shape)
        new.concentration0 = self.concentration0.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)

    @property
    def mean(self) -> Any:
        """b·B(1 + 1/a, b)."""
        return _moments(self.concentration1, self.concentration0, 1)

    @property
    def mode(self) -> Any:
        """PyTorch's expression exp((1/b)·log(1 − b) − log(1 − ab)), nan where a < 1 or b < 1."""
        import chainrule

        a, b = self.concentration1, self.concentration0
        log_mode = b.reciprocal() * (-b).log1p() - (-b * a).log1p()
        return chainrule.where((b < 1) | (a < 1), math.nan, log_mode).exp()

    @property
    def variance(self) -> Any:
        """E[x²] − E[x]²."""
        return _moments(self.concentration1, self.concentration0, 2) - self.mean.pow(2)

    def entropy(self) -> Any:
        """(1 − 1/b) + (1 − 1/a)(ψ(b + 1) + γ) − log a − log b."""
        t1 = 1 - self.concentration1.reciprocal()
        t0 = 1 - self.concentration0.reciprocal()
        h0 = digamma(self.concentration0 + 1) + _EULER_GAMMA
        return t0 + t1 * h0 - self.concentration1.log() - self.concentration0.log()
