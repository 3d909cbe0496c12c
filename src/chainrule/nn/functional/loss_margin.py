"""Multi-class margin losses and the likelihood losses (Poisson, Gaussian), composed from primitives.

Each is a few lines of Tensor algebra with PyTorch's signature, reductions and validation; index
targets and class weights are constants (PyTorch does not differentiate them). ``[z]₊ = max(z, 0)``.
"""

from __future__ import annotations

import math

import numpy as np

from ..._tensor import Tensor
from ...ops import where
from ...ops._util import check_tensor
from .activation import logsigmoid
from .loss import _no_grad_arg, _reduction
from .loss_embedding import _reduce

__all__ = [
    "multi_margin_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss", "poisson_nll_loss",
    "gaussian_nll_loss",
]  # fmt: skip


def _const(values: np.ndarray, like: Tensor) -> Tensor:
    return Tensor._make(np.asarray(values, dtype=like._data.dtype))


def _class_input(op: str, input: Tensor, target: Tensor, per_class: bool) -> tuple[Tensor, np.ndarray, bool]:  # noqa: A002
    """input as (N, C), target's array as (N,) — (N, C) when ``per_class`` —, and whether input was 1-D."""
    check_tensor(input, op)
    check_tensor(target, op, "target")
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point input, got {input.dtype}")
    t = target._data
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected an integer (int64) target, got {target.dtype}")
    if input.ndim not in (1, 2) or t.shape != (input.shape if per_class else input.shape[:-1]):
        want = "the shape of input" if per_class else "shape (N,) for input (N, C), () for input (C,)"
        raise RuntimeError(
            f"{op}: expected input of shape (N, C) or (C,) and target of {want}; got input {list(input.shape)} "
            f"and target {list(target.shape)}"
        )
    unbatched = input.ndim == 1
    if unbatched:
        return input.unsqueeze(0), t.reshape(1, -1) if per_class else t.reshape(1), True
    return input, t, False


def multi_margin_loss(
    input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,  # noqa: A002
    size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean",
) -> Tensor:
    """Per sample with class y:  l = (1/C) Σ_{j≠y} w_y [margin − x_y + x_j]₊^p   (p ∈ {1, 2})."""
    reduction = _reduction(reduction, size_average, reduce)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    w = _no_grad_arg(weight, "multi_margin_loss", "weight")
    if w is not None and w.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    x, t, unbatched = _class_input("multi_margin_loss", input, target, False)
    n, c = x.shape
    if t.size and (t.min() < 0 or t.max() >= c):
        raise RuntimeError(f"multi_margin_loss: target out of range; expected class indices in [0, {c}), got {t.tolist()}")
    if w is not None and w.shape[0] != c:
        raise RuntimeError(f"multi_margin_loss: weight has {w.shape[0]} entries; expected one per class ({c})")
    xy = x.gather(1, Tensor._make(t.reshape(n, 1).astype(np.int64)))
    z = (margin - xy + x).clamp(min=0)
    if p == 2:
        z = z * z
    scale = np.ones((n, c), x._data.dtype)
    scale[np.arange(n), t] = 0
    if w is not None:
        scale *= w.astype(x._data.dtype)[t][:, None]
    loss = (z * _const(scale, x)).sum(1) / c
    return _reduce(loss.squeeze(0) if unbatched else loss, reduction)


def multilabel_margin_loss(
    input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,  # noqa: A002
    reduction: str = "mean",
) -> Tensor:
    """target lists each sample's classes, ended by the first −1 (set T);
    l = (1/C) Σ_{j∈T} Σ_{k∉T} [1 − (x_j − x_k)]₊."""
    reduction = _reduction(reduction, size_average, reduce)
    x, t, unbatched = _class_input("multilabel_margin_loss", input, target, True)
    n, c = x.shape
    count = np.zeros((n, c), x._data.dtype)  # how often class j is listed before the first −1
    for i in range(n):
        stop = np.flatnonzero(t[i] < 0)
        listed = t[i, : stop[0] if stop.size else c]
        if listed.size and listed.max() >= c:
            raise RuntimeError(f"multilabel_margin_loss: target out of range; expected class indices in [0, {c}) or -1")
        np.add.at(count[i], listed, 1)
    pair = count[:, :, None] * (count == 0)[:, None, :]  # (N, j, k): j is a target, k is not
    hinge = (1 - x.unsqueeze(2) + x.unsqueeze(1)).clamp(min=0)
    loss = (hinge * _const(pair, x)).sum((1, 2)) / c
    return _reduce(loss.squeeze(0) if unbatched else loss, reduction)


def multilabel_soft_margin_loss(
    input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,  # noqa: A002
    reduce: bool | None = None, reduction: str = "mean",
) -> Tensor:
    """l = −(1/C) Σ_c w_c [y_c log σ(x_c) + (1 − y_c) log σ(−x_c)]  (one-vs-all logistic loss)."""
    reduction = _reduction(reduction, size_average, reduce)
    check_tensor(input, "multilabel_soft_margin_loss")
    check_tensor(target, "multilabel_soft_margin_loss", "target")
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    if input.ndim:  # the mean over the classes (the last dimension)
        loss = loss.sum(input.ndim - 1) / input.shape[-1]
    return _reduce(loss, reduction)


def poisson_nll_loss(
    input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,  # noqa: A002
    size_average: bool | None = None, eps: float = 1e-8, reduce: bool | None = None, reduction: str = "mean",
) -> Tensor:
    """Negative Poisson log-likelihood of counts y with rate λ:
    log_input: l = eᕽ − y x (x = log λ);  else l = x − y log(x + eps) (x = λ).
    full adds Stirling's log y! ≈ y log y − y + ½ log(2π y) where y > 1."""
    reduction = _reduction(reduction, size_average, reduce)
    check_tensor(input, "poisson_nll_loss")
    check_tensor(target, "poisson_nll_loss", "target")
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        big = target > 1
        y = where(big, target, target * 0 + 2)  # y ≤ 1 contributes 0; 2 keeps the unused branch finite
        stirling = y * y.log() - y + 0.5 * (2 * math.pi * y).log()
        loss = loss + where(big, stirling, stirling * 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(
    input: Tensor, target: Tensor, var: Tensor | float, full: bool = False, eps: float = 1e-6,  # noqa: A002
    reduction: str = "mean",
) -> Tensor:
    """Negative Gaussian log-likelihood: l = ½ (log max(var, eps) + (x − y)² / max(var, eps)) (+ ½ log 2π
    with full). The clamp is not differentiated (the gradient in var is taken at the clamped value).
    var may have input's shape, lack its last dimension, or have size 1 in one dimension."""
    check_tensor(input, "gaussian_nll_loss")
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = input.detach() * 0 + float(var)
    else:
        check_tensor(var, "gaussian_nll_loss", "var")
        if np.any(var._data < 0):
            raise ValueError("var has negative entry/entries")
    ishape, vshape = tuple(input.shape), tuple(var.shape)
    if vshape != ishape:
        if ishape[:-1] == vshape:
            var = var.unsqueeze(-1)
        elif len(ishape) == len(vshape) and sum(v for i, v in zip(ishape, vshape) if i != v) == 1:
            pass
        else:
            raise ValueError(
                f"var is of incorrect size; expected {list(ishape)}, {list(ishape[:-1])} or one dimension of size 1, "
                f"got {list(vshape)}"
            )
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var + (var.clamp(min=eps) - var).detach()
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)

