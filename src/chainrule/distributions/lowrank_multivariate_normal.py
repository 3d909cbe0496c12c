"""LowRankMultivariateNormal(loc, W, D): N(loc, Σ) with Σ = W Wᵀ + diag(D), W of shape (k, m), m ≪ k.

Everything goes through the m×m capacitance C = I + Wᵀ D⁻¹ W = L_C L_Cᵀ (Woodbury / matrix determinant lemma):
log|Σ| = 2 Σ log diag L_C + Σ log D,   (x)ᵀ Σ⁻¹ x = Σ x²/D − ‖L_C⁻¹ Wᵀ D⁻¹ x‖².
Draws x = loc + W ε_W + √D ε_D are reparameterised.
"""

from __future__ import annotations

import math
from typing import Any

from . import constraints
from .distribution import Distribution
from .multivariate_normal import _batch_mahalanobis
from .utils import _draw, lazy_property

__all__ = ["LowRankMultivariateNormal"]


def _eye(n: int, like: Any) -> Any:
    import chainrule

    return chainrule.eye(n, dtype=like.dtype)


def _capacitance_tril(W: Any, D: Any) -> Any:
    """Cholesky factor of I + Wᵀ D⁻¹ W."""
    import chainrule

    m = W.shape[-1]
    K = (W.mT / D.unsqueeze(-2)) @ W + _eye(m, W)
    return chainrule.linalg.cholesky(K)


def _lowrank_logdet(D: Any, cap_tril: Any) -> Any:
    """log|W Wᵀ + D| = 2 Σ log diag L_C + Σ log D."""
    return 2 * cap_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1) + D.log().sum(-1)


def _lowrank_mahalanobis(W: Any, D: Any, x: Any, cap_tril: Any) -> Any:
    """xᵀ(W Wᵀ + D)⁻¹x = Σ x²/D − ‖L_C⁻¹ Wᵀ D⁻¹ x‖²."""
    wt_dinv_x = ((W.mT / D.unsqueeze(-2)) @ x.unsqueeze(-1)).squeeze(-1)
    return (x.pow(2) / D).sum(-1) - _batch_mahalanobis(cap_tril, wt_dinv_x)


class LowRankMultivariateNormal(Distribution):
    """A multivariate normal whose covariance is low rank plus diagonal."""

    arg_constraints = {
        "loc": constraints.real_vector,
        "cov_factor": constraints.independent(constraints.real, 2),
        "cov_diag": constraints.independent(constraints.positive, 1),
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc: Any, cov_factor: Any, cov_diag: Any, validate_args: bool | None = None) -> None:
        import chainrule

        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        event_shape = loc.shape[-1:]
        if cov_factor.dim() < 2:
            raise ValueError(
                "cov_factor must be at least two-dimensional, with optional leading batch dimensions"
            )
        if tuple(cov_factor.shape[-2:-1]) != tuple(event_shape):
            raise ValueError(f"cov_factor must be a batch of matrices with shape {event_shape[0]} x m")
        if tuple(cov_diag.shape[-1:]) != tuple(event_shape):
            raise ValueError(f"cov_diag must be a batch of vectors with shape {event_shape}")
        try:
            shape = tuple(
                chainrule.broadcast_shapes(loc.shape[:-1], cov_factor.shape[:-2], cov_diag.shape[:-1])
            )
        except (RuntimeError, ValueError) as e:
            raise ValueError(
                f"Incompatible batch shapes: loc {loc.shape}, cov_factor {cov_factor.shape}, cov_diag {cov_diag.shape}"
            ) from e
        self.loc = loc.expand(shape + tuple(event_shape))
        self.cov_factor = cov_factor.expand(shape + tuple(cov_factor.shape[-2:]))
        self.cov_diag = cov_diag.expand(shape + tuple(event_shape))
        self._unbroadcasted_cov_factor = cov_factor
        self._unbroadcasted_cov_diag = cov_diag
        self._capacitance_tril = _capacitance_tril(cov_factor, cov_diag)
        super().__init__(shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LowRankMultivariateNormal:
        """The distribution with loc, cov_factor and cov_diag expanded to ``batch_shape``."""
        new = self._get_checked_instance(LowRankMultivariateNormal, _instance)
        batch_shape = tuple(batch_shape)
        loc_shape = batch_shape + tuple(self.event_shape)
        new.loc = self.loc.expand(loc_shape)
        new.cov_diag = self.cov_diag.expand(loc_shape)
        new.cov_factor = self.cov_factor.expand(loc_shape + tuple(self.cov_factor.shape[-1:]))
        new._unbroadcasted_cov_factor = self._unbroadcasted_cov_factor
        new._unbroadcasted_cov_diag = self._unbroadcasted_cov_diag
        new._capacitance_tril = self._capacitance_tril
        return self._init_expanded(new, batch_shape, self.event_shape)

    def _matrix_shape(self) -> tuple[int, ...]:
        return tuple(self._batch_shape) + tuple(self._event_shape) * 2

    @property
    def mean(self) -> Any:
        """loc."""
        return self.loc

    @property
    def mode(self) -> Any:
        """loc."""
        return self.loc

    @lazy_property
    def variance(self) -> Any:
        """diag Σ = Σⱼ Wᵢⱼ² + Dᵢ."""
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        return (W.pow(2).sum(-1) + D).expand(tuple(self._batch_shape) + tuple(self._event_shape))

    @lazy_property
    def scale_tril(self) -> Any:
        """The Cholesky factor of Σ = √D (I + D^{−½}W Wᵀ D^{−½}) √D."""
        import chainrule

        n = self._event_shape[0]
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        sqrt_d = D.sqrt().unsqueeze(-1)
        Dw = W / sqrt_d
        K = Dw @ Dw.mT + _eye(n, W)
        return (sqrt_d * chainrule.linalg.cholesky(K)).expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self) -> Any:
        """W Wᵀ + diag(D)."""
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        n = self._event_shape[0]
        return (W @ W.mT + D.unsqueeze(-1) * _eye(n, W)).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self) -> Any:
        """Σ⁻¹ = D⁻¹ − AᵀA,  A = L_C⁻¹ Wᵀ D⁻¹ (Woodbury)."""
        import chainrule

        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        n = self._event_shape[0]
        wt_dinv = W.mT / D.unsqueeze(-2)
        A = chainrule.linalg.solve_triangular(self._capacitance_tril, wt_dinv, upper=False)
        return (D.reciprocal().unsqueeze(-1) * _eye(n, W) - A.mT @ A).expand(self._matrix_shape())

    def rsample(self, sample_shape: Any = ()) -> Any:
        """loc + W ε_W + √D ε_D with ε_W ~ N(0, I_m), ε_D ~ N(0, I_k)."""
        shape = tuple(self._extended_shape(sample_shape))
        w_shape = shape[:-1] + tuple(self.cov_factor.shape[-1:])
        eps_w = _draw(lambda rng, s: rng.standard_normal(s), w_shape, self.loc)
        eps_d = _draw(lambda rng, s: rng.standard_normal(s), shape, self.loc)
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        return self.loc + (W @ eps_w.unsqueeze(-1)).squeeze(-1) + D.sqrt() * eps_d

    def log_prob(self, value: Any) -> Any:
        """−½(k log 2π + log|Σ| + (x − μ)ᵀΣ⁻¹(x − μ))."""
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        m = _lowrank_mahalanobis(W, D, diff, self._capacitance_tril)
        log_det = _lowrank_logdet(D, self._capacitance_tril)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + log_det + m)

    def entropy(self) -> Any:
        """½(k(1 + log 2π) + log|Σ|)."""
        log_det = _lowrank_logdet(self._unbroadcasted_cov_diag, self._capacitance_tril)
        h = 0.5 * (self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + log_det)
        return h if len(self._batch_shape) == 0 else h.expand(self._batch_shape)
