"""Distances and the embedding / ranking losses, composed from differentiable primitives.

Each function is a few lines of Tensor algebra (its gradient comes from the primitives it uses),
with PyTorch's signature, reductions ('none' | 'mean' | 'sum', plus the legacy ``size_average``/
``reduce`` flags) and validation messages. ``[z]₊`` below is ``max(z, 0)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..._tensor import Tensor
from ...ops import minimum, where
from ...ops._util import check_tensor
from .loss import _no_grad_arg, _reduction

__all__ = [
    "cosine_similarity", "pairwise_distance", "triplet_margin_loss", "triplet_margin_with_distance_loss",
    "margin_ranking_loss", "cosine_embedding_loss", "hinge_embedding_loss", "soft_margin_loss",
]  # fmt: skip


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    """'none': the per-element loss; 'sum': its sum; 'mean': its mean."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _float_pair(op: str, x1: Any, x2: Any) -> tuple[Tensor, Tensor]:
    check_tensor(x1, op, "x1")
    check_tensor(x2, op, "x2")
    for x in (x1, x2):
        if x._data.dtype.kind != "f":
            raise RuntimeError(f"{op}: expected floating point inputs, got {x1.dtype} and {x2.dtype}")
    try:
        np.broadcast_shapes(x1._data.shape, x2._data.shape)
    except ValueError:
        raise RuntimeError(
            f"{op}: the shapes of x1 {list(x1.shape)} and x2 {list(x2.shape)} do not broadcast; expected "
            "equal sizes or size 1 in each dimension"
        ) from None
    return x1, x2


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """cos(x1, x2) = Σ_dim (x1 / max(‖x1‖₂, eps)) · (x2 / max(‖x2‖₂, eps)) after broadcasting x1 and x2;
    the result drops ``dim``."""
    x1, x2 = _float_pair("cosine_similarity", x1, x2)
    shape = np.broadcast_shapes(x1._data.shape, x2._data.shape)
    if x1._data.shape != shape:
        x1 = x1.expand(*shape)
    if x2._data.shape != shape:
        x2 = x2.expand(*shape)
    nd = max(len(shape), 1)
    if not -nd <= dim < nd:
        raise IndexError(
            f"cosine_similarity: Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})"
        )
    n1 = x1.norm(2, dim, keepdim=True).clamp(min=eps)
    n2 = x2.norm(2, dim, keepdim=True).clamp(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """‖x1 − x2 + eps‖_p over the last dimension (of the broadcast shape)."""
    x1, x2 = _float_pair("pairwise_distance", x1, x2)
    d = x1 - x2 + eps
    if d.ndim == 0:
        return d.abs() if p != 0 else (d != 0).to(d.dtype)
    return d.norm(p, -1, keepdim=keepdim)


def triplet_margin_loss(
    anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2, eps: float = 1e-6,
    swap: bool = False, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean",
) -> Tensor:
    """l = [margin + d(a, p) − d(a, n)]₊ with d = pairwise_distance(·, ·, p, eps); ``swap`` uses
    min(d(a, n), d(p, n)) for the negative distance."""
    reduction = _reduction(reduction, size_average, reduce)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _same_ndim("triplet_margin_loss", anchor, positive, negative)
    if anchor.ndim not in (1, 2):
        raise RuntimeError(
            f"triplet_margin_loss: expected 1-D (unbatched) or 2-D (batched) inputs, got {anchor.ndim}-D anchor"
        )
    return triplet_margin_with_distance_loss(
        anchor, positive, negative, distance_function=lambda a, b: pairwise_distance(a, b, p, eps),
        margin=margin, swap=swap, reduction=reduction,
    )


def _same_ndim(op: str, a: Any, p: Any, n: Any) -> None:
    for name, t in (("anchor", a), ("positive", p), ("negative", n)):
        check_tensor(t, op, name)
    if not a.ndim == p.ndim == n.ndim:
        raise RuntimeError(
            f"{op}: The anchor, positive, and negative tensors are expected to have the same number of dimensions, "
            f"but got: anchor {a.ndim}D, positive {p.ndim}D, and negative {n.ndim}D inputs"
        )


def triplet_margin_with_distance_loss(
    anchor: Tensor, positive: Tensor, negative: Tensor, *, distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0, swap: bool = False, reduction: str = "mean",
) -> Tensor:
    """l = [margin + d(a, p) − d(a, n)]₊ for any distance ``d`` (default ``pairwise_distance``)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _same_ndim("triplet_margin_with_distance_loss", anchor, positive, negative)
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos, d_neg = dist(anchor, positive), dist(anchor, negative)
    if swap:
        d_neg = minimum(d_neg, dist(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp(min=0), reduction)


def margin_ranking_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0, size_average: bool | None = None,
    reduce: bool | None = None, reduction: str = "mean",
) -> Tensor:
    """l = [−y (x1 − x2) + margin]₊ with y ∈ {1, −1} saying which input should rank higher."""
    reduction = _reduction(reduction, size_average, reduce)
    for name, t in (("input1", input1), ("input2", input2), ("target", target)):
        check_tensor(t, "margin_ranking_loss", name)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def cosine_embedding_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0, size_average: bool | None = None,
    reduce: bool | None = None, reduction: str = "mean",
) -> Tensor:
    """l = 1 − cos(x1, x2) where y = 1, [cos(x1, x2) − margin]₊ where y = −1, with
    cos = Σ x1·x2 / √((Σ x1² + ε)(Σ x2² + ε)), ε = 1e-12, over the feature dimension."""
    reduction = _reduction(reduction, size_average, reduce)
    for name, t in (("input1", input1), ("input2", input2), ("target", target)):
        check_tensor(t, "cosine_embedding_loss", name)
    if input1.ndim not in (1, 2) or input1.shape != input2.shape or target.ndim != input1.ndim - 1:
        raise RuntimeError(
            f"cosine_embedding_loss: expected input1 and input2 of equal shape (N, D) or (D,) and target of "
            f"shape (N,) or (); got input1 {list(input1.shape)}, input2 {list(input2.shape)}, target {list(target.shape)}"
        )
    d = input1.ndim - 1
    eps = 1e-12
    cos = (input1 * input2).sum(d) / (((input1 * input1).sum(d) + eps) * ((input2 * input2).sum(d) + eps)).sqrt()
    zero = cos * 0
    loss = where(target == 1, 1 - cos, zero) + where(target == -1, (cos - margin).clamp(min=0), zero)
    return _reduce(loss, reduction)


def hinge_embedding_loss(
    input: Tensor, target: Tensor, margin: float = 1.0, size_average: bool | None = None,  # noqa: A002
    reduce: bool | None = None, reduction: str = "mean",
) -> Tensor:
    """l = x where y = 1, [margin − x]₊ where y = −1 (x: a distance, y ∈ {1, −1})."""
    reduction = _reduction(reduction, size_average, reduce)
    check_tensor(input, "hinge_embedding_loss")
    check_tensor(target, "hinge_embedding_loss", "target")
    zero = input * 0
    loss = where(target != 1, (margin - input).clamp(min=0), zero) + where(target != -1, input, zero)
    return _reduce(loss, reduction)


def soft_margin_loss(
    input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,  # noqa: A002
    reduction: str = "mean",
) -> Tensor:
    """l = log(1 + exp(−y x)) (the two-class logistic loss, y ∈ {1, −1}); not differentiable in y."""
    reduction = _reduction(reduction, size_average, reduce)
    check_tensor(input, "soft_margin_loss")
    check_tensor(target, "soft_margin_loss", "target")
    _no_grad_arg(target, "soft_margin_loss", "target")
    if input.shape != target.shape:
        raise RuntimeError(
            f"soft_margin_loss: the size of input {list(input.shape)} must match the size of target {list(target.shape)}"
        )
    return _reduce((-input * target.detach()).exp().log1p(), reduction)
