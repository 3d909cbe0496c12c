"""HalfCauchy(scale) = |x| for x ~ Cauchy(0, scale):  log p(y) = log 2 − log π − log γ − log(1 + (y/γ)²), y ≥ 0."""

from __future__ import annotations

import math
from typing import Any

from .location_scale import Cauchy
from .transformed_distribution import _Folded

__all__ = ["HalfCauchy"]


class HalfCauchy(_Folded):
    """The folded Cauchy on [0, ∞) (a common prior for scale parameters)."""

    _base = Cauchy
    _cast_value = True

    def expand(self, batch_shape: Any, _instance: Any = None) -> HalfCauchy:
        """HalfCauchy with the scale expanded to ``batch_shape``."""
        return super().expand(batch_shape, _instance=self._get_checked_instance(HalfCauchy, _instance))

    @property
    def mean(self) -> Any:
        """Infinite."""
        import chainrule

        return chainrule.full(tuple(self._extended_shape()), math.inf, dtype=self.scale.dtype)

    @property
    def variance(self) -> Any:
        """Infinite."""
        return self.base_dist.variance
