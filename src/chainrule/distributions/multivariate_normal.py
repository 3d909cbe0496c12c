"""MultivariateNormal(loc, Σ) parameterised by the covariance, the precision or the lower Cholesky factor L.

Everything runs through L (Σ = L Lᵀ):  x = μ + L ε  (reparameterised),
log p(x) = −½(k log 2π + ‖L⁻¹(x − μ)‖²) − Σ log Lᵢᵢ,   H = ½ k (1 + log 2π) + Σ log Lᵢᵢ.
"""

from __future__ import annotations

import math
from typing import Any

from . import constraints
from .distribution import Distribution
from .utils import _draw, lazy_property

__all__ = ["MultivariateNormal"]


def _batch_mahalanobis(L: Any, x: Any) -> Any:
    """‖L⁻¹ x‖² over the last dimension, L broadcast against x's batch dimensions."""
    import chainrule

    shape = chainrule.broadcast_shapes(L.shape[:-2], x.shape[:-1])
    n = L.shape[-1]
    Lb = L.expand(tuple(shape) + (n, n))
    xb = x.expand(tuple(shape) + (n,))
    y = chainrule.linalg.solve_triangular(Lb, xb.unsqueeze(-1), upper=False).squeeze(-1)
    return y.pow(2).sum(-1)


def _precision_to_scale_tril(P: Any) -> Any:
    """The lower Cholesky factor of P⁻¹."""
    import chainrule

    return chainrule.linalg.cholesky(chainrule.linalg.inv(P))


class MultivariateNormal(Distribution):
    """N(μ, Σ) over vectors of length k (event_shape (k,))."""

    arg_constraints = {
        "loc": constraints.real_vector,
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc: Any, covariance_matrix: Any = None, precision_matrix: Any = None,
                 scale_tril: Any = None, validate_args: bool | None = None) -> None:  # fmt: skip
        import chainrule

        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        if (covariance_matrix is not None) + (scale_tril is not None) + (precision_matrix is not None) != 1:
            raise ValueError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified."
            )
        for name, m in (("scale_tril", scale_tril), ("covariance_matrix", covariance_matrix),
                        ("precision_matrix", precision_matrix)):  # fmt: skip
            if m is None:
                continue
            if m.dim() < 2:
                raise ValueError(
                    f"{'scale_tril matrix' if name == 'scale_tril' else name} must be at least two-dimensional, "
                    "with optional leading batch dimensions"
                )
            batch_shape = tuple(chainrule.broadcast_shapes(m.shape[:-2], loc.shape[:-1]))
            setattr(self, name, m.expand(batch_shape + tuple(m.shape[-2:])))
        self.loc = loc.expand(batch_shape + (loc.shape[-1],))
        super().__init__(batch_shape, loc.shape[-1:], validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = chainrule.linalg.cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)

    def expand(self, batch_shape: Any, _instance: Any = None) -> MultivariateNormal:
        """MultivariateNormal with loc and the matrices expanded to ``batch_shape``."""
        new = self._get_checked_instance(MultivariateNormal, _instance)
        batch_shape = tuple(batch_shape)
        loc_shape = batch_shape + tuple(self.event_shape)
        cov_shape = loc_shape + tuple(self.event_shape)
        new.loc = self.loc.expand(loc_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(cov_shape))
        return self._init_expanded(new, batch_shape, self.event_shape)

    def _matrix_shape(self) -> tuple[int, ...]:
        return tuple(self._batch_shape) + tuple(self._event_shape) + tuple(self._event_shape)

    @lazy_property
    def scale_tril(self) -> Any:
        """L, the lower Cholesky factor of Σ."""
        return self._unbroadcasted_scale_tril.expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self) -> Any:
        """Σ = L Lᵀ."""
        L = self._unbroadcasted_scale_tril
        return (L @ L.mT).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self) -> Any:
        """Σ⁻¹ = L⁻ᵀ L⁻¹."""
        import chainrule

        L = self._unbroadcasted_scale_tril
        return chainrule.linalg.inv(L @ L.mT).expand(self._matrix_shape())

    @property
    def mean(self) -> Any:
        """μ."""
        return self.loc

    @property
    def mode(self) -> Any:
        """μ."""
        return self.loc

    @property
    def variance(self) -> Any:
        """diag Σ = Σⱼ Lᵢⱼ²."""
        shape = tuple(self._batch_shape) + tuple(self._event_shape)
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(shape)

    def rsample(self, sample_shape: Any = ()) -> Any:
        """μ + L ε,  ε ~ N(0, I)."""
        shape = self._extended_shape(sample_shape)
        eps = _draw(lambda rng, s: rng.standard_normal(s), shape, self.loc)
        return self.loc + (self._unbroadcasted_scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def _half_log_det(self) -> Any:
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value: Any) -> Any:
        """−½(k log 2π + ‖L⁻¹(x − μ)‖²) − Σ log Lᵢᵢ."""
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        m = _batch_mahalanobis(self._unbroadcasted_scale_tril, diff)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + m) - self._half_log_det()

    def entropy(self) -> Any:
        """½ k (1 + log 2π) + Σ log Lᵢᵢ."""
        h = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        if len(self._batch_shape) == 0:
            return h
        return h.expand(self._batch_shape)
