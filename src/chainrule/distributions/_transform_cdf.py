"""CumulativeDistributionTransform: y = F(x), the CDF of a distribution (probability-integral transform;
with a Normal it turns a correlated Gaussian into a Gaussian copula)."""

from __future__ import annotations

from typing import Any

from . import constraints
from ._transform_base import Transform

__all__ = ["CumulativeDistributionTransform"]


class CumulativeDistributionTransform(Transform):
    """y = F(x) with F the ``distribution``'s CDF;  x = F⁻¹(y);  log |dy/dx| = log p(x)."""

    bijective = True
    codomain = constraints.unit_interval
    sign = +1  # type: ignore[assignment]

    def __init__(self, distribution: Any, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        self.distribution = distribution

    @property
    def domain(self) -> Any:  # type: ignore[override]
        """The distribution's support."""
        return self.distribution.support

    def _call(self, x: Any) -> Any:
        return self.distribution.cdf(x)

    def _inverse(self, y: Any) -> Any:
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Any:
        """log p(x): the density is the CDF's derivative."""
        return self.distribution.log_prob(x)

    def with_cache(self, cache_size: int = 1) -> Transform:
        """This transform with the given cache size."""
        if self._cache_size == cache_size:
            return self
        return CumulativeDistributionTransform(self.distribution, cache_size=cache_size)
