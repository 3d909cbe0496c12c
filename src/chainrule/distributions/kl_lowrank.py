"""KL(p ‖ q) between (low-rank) multivariate normals:  ½(log|Σq| − log|Σp| + tr(Σq⁻¹Σp) + ‖μq − μp‖²_{Σq⁻¹} − k).

Σp is given by square-root pieces Fᵢ (Σp = Σ FᵢFᵢᵀ: L for a MultivariateNormal, W and diag √D for a low-rank
one), so tr(Σq⁻¹Σp) = Σᵢ ‖Lq⁻¹Fᵢ‖²_F, or with Woodbury for a low-rank q: Σᵢ (‖Dq^{−½}Fᵢ‖²_F − ‖A Fᵢ‖²_F),
A = L_C⁻¹ Wqᵀ Dq⁻¹.
"""

from __future__ import annotations

from typing import Any

from .kl import register_kl
from .lowrank_multivariate_normal import (
    LowRankMultivariateNormal,
    _eye,
    _lowrank_logdet,
    _lowrank_mahalanobis,
)
from .multivariate_normal import MultivariateNormal, _batch_mahalanobis

__all__: list[str] = []


def _frob2(x: Any) -> Any:
    """‖x‖²_F over the last two dimensions."""
    return x.pow(2).sum(-1).sum(-1)


def _pieces(p: Any) -> list[Any]:
    """Square-root factors F with Σp = Σ F Fᵀ."""
    if isinstance(p, LowRankMultivariateNormal):
        D = p._unbroadcasted_cov_diag
        return [p._unbroadcasted_cov_factor, D.sqrt().unsqueeze(-1) * _eye(D.shape[-1], D)]
    return [p._unbroadcasted_scale_tril]


def _logdet(d: Any) -> Any:
    if isinstance(d, LowRankMultivariateNormal):
        return _lowrank_logdet(d._unbroadcasted_cov_diag, d._capacitance_tril)
    return 2 * d._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)


def _trace_term(p: Any, q: Any) -> Any:
    """tr(Σq⁻¹Σp)."""
    import chainrule

    total: Any = 0
    if isinstance(q, LowRankMultivariateNormal):
        Wq, Dq = q._unbroadcasted_cov_factor, q._unbroadcasted_cov_diag
        A = chainrule.linalg.solve_triangular(q._capacitance_tril, Wq.mT / Dq.unsqueeze(-2), upper=False)
        for F in _pieces(p):
            total = total + _frob2(F * Dq.rsqrt().unsqueeze(-1)) - _frob2(A @ F)
        return total
    Lq = q._unbroadcasted_scale_tril
    for F in _pieces(p):
        shape = tuple(chainrule.broadcast_shapes(Lq.shape[:-2], F.shape[:-2]))
        n = Lq.shape[-1]
        X = chainrule.linalg.solve_triangular(
            Lq.expand(shape + (n, n)), F.expand(shape + tuple(F.shape[-2:])), upper=False
        )
        total = total + _frob2(X)
    return total


def _mahalanobis(q: Any, x: Any) -> Any:
    if isinstance(q, LowRankMultivariateNormal):
        return _lowrank_mahalanobis(
            q._unbroadcasted_cov_factor, q._unbroadcasted_cov_diag, x, q._capacitance_tril
        )
    return _batch_mahalanobis(q._unbroadcasted_scale_tril, x)


@register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)
@register_kl(MultivariateNormal, LowRankMultivariateNormal)
@register_kl(LowRankMultivariateNormal, MultivariateNormal)
def _kl_gaussian_gaussian(p: Any, q: Any) -> Any:
    """½(log|Σq| − log|Σp| + tr(Σq⁻¹Σp) + (μq − μp)ᵀΣq⁻¹(μq − μp) − k)."""
    if tuple(p.event_shape) != tuple(q.event_shape):
        raise ValueError(
            "KL-divergence between two (Low Rank) Multivariate Normals with different event shapes cannot be computed"
        )
    k = p.event_shape[0]
    return 0.5 * (_logdet(q) - _logdet(p) + _trace_term(p, q) + _mahalanobis(q, q.loc - p.loc) - k)
