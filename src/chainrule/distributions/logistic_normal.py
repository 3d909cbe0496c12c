"""LogisticNormal(loc, scale): stick breaking of a Normal vector onto the simplex (K − 1 → K coordinates).

y = StickBreaking(x), x ~ N(loc, diag(scale²));  log p(y) = log N(x) − log |det J_SB(x)|.
"""

from __future__ import annotations

from typing import Any

from . import constraints
from ._transform_vector import StickBreakingTransform
from .location_scale import Normal
from .transformed_distribution import TransformedDistribution

__all__ = ["LogisticNormal"]


class LogisticNormal(TransformedDistribution):
    """A distribution on the simplex whose stick-breaking logits are Normal."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        base = Normal(loc, scale, validate_args=validate_args)
        if not base.batch_shape:
            base = base.expand([1])
        super().__init__(base, StickBreakingTransform(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LogisticNormal:
        """LogisticNormal with loc and scale expanded to ``batch_shape``."""
        return super().expand(batch_shape, _instance=self._get_checked_instance(LogisticNormal, _instance))

    @property
    def loc(self) -> Any:
        """The Normal's mean."""
        return self.base_dist.base_dist.loc

    @property
    def scale(self) -> Any:
        """The Normal's standard deviation."""
        return self.base_dist.base_dist.scale
