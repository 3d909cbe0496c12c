"""Classification losses: ``cross_entropy`` (log_softmax + NLL in ONE primitive, whose VJP is
``(softmax − onehot)·w / denominator``; or class-probability targets) and ``nll_loss``.

Class-index targets are checked as PyTorch checks them (dtype, shape, range, ``ignore_index``);
class weights and label smoothing follow PyTorch's definitions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._tensor import Tensor
from ..._tensor_methods import _TYPE_NAMES as _TORCH_NAMES
from ...autograd.function import CompositeDoubleBackward, Function
from ...ops._util import check_tensor, promote, shape_str
from . import _composites
from .loss import _gbar, _no_grad_arg, _reduce, _reduction

__all__ = ["cross_entropy", "nll_loss"]


_max, _min, _sum = np.maximum.reduce, np.minimum.reduce, np.add.reduce  # ndarray.max/min/sum minus their wrappers
_any, _isinf = np.logical_or.reduce, np.isinf


# --- classification: cross-entropy, NLL ------------------------------------------------------------
def _class_axis(x: np.ndarray) -> int:
    return 1 if x.ndim >= 2 else 0


def _cls(w: Any, axis: int, ndim: int) -> Any:
    """A per-class vector (C,) shaped to broadcast along the class axis."""
    return w.reshape((-1,) + (1,) * (ndim - 1 - axis))


def _smp(v: Any, axis: int) -> Any:
    """A per-sample array (the input's shape without the class axis) given back its class axis."""
    if not np.ndim(v):
        return v
    v = np.asarray(v)
    return v.reshape(v.shape[:axis] + (1,) + v.shape[axis:])  # np.expand_dims, without its overhead


def _picked(t: np.ndarray, w: Any, ignore_index: int, dtype: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-ignored mask, safe target indices (ignored -> 0) and w[t] (0 where ignored)."""
    keep = t != ignore_index
    tt = np.where(keep, t, 0).astype(np.intp, copy=False)
    wt = keep.astype(dtype) if w is None else np.where(keep, w.take(tt), 0).astype(dtype, copy=False)
    return keep, tt, wt


class CrossEntropy(CompositeDoubleBackward, Function):
    """log_softmax + NLL fused: class-index targets t, class weights w, label smoothing ε, C classes.

    l_i = (1−ε)·w_t·(−log p_t) + (ε/C)·Σ_c w_c·(−log p_c)  (0 where t = ignore_index); 'mean' divides by Σ_i w_{t_i}.
    VJP: gx_i = ḡ_i·[((1−ε)w_t + (ε/C)Σw)·p − (1−ε)w_t·onehot(t) − (ε/C)·w]  =  ḡ_i·w_t·(softmax − onehot) for ε = 0.
    """

    composite = staticmethod(_composites.cross_entropy)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, t: Any, w: Any, ignore_index: int, eps: float, red: str) -> Any:
        if x.ndim == 2 and w is None and not eps and x.size and (t != ignore_index).all():
            return CrossEntropy._plain(ctx, x, t, red)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):  # ±inf logits give nan, as in PyTorch
            return CrossEntropy._general(ctx, x, t, w, ignore_index, eps, red)

    @staticmethod
    def _general(ctx: Any, x: Any, t: Any, w: Any, ignore_index: int, eps: float, red: str) -> Any:
        """Any shape, class weights, label smoothing, ignored targets (whose loss is 0, whatever their logits)."""
        ax = _class_axis(x)
        C = x.shape[ax]
        keep, tt, wt = _picked(t, w, ignore_index, x.dtype)
        z = x - x.max(axis=ax, keepdims=True) if x.size else x.copy()
        zt = z[np.arange(len(tt)), tt] if x.ndim == 2 else np.take_along_axis(z, np.expand_dims(tt, ax), ax).squeeze(ax)
        if eps:
            wz = z.sum(ax) if w is None else (z * _cls(w, ax, x.ndim)).sum(ax)
        e = np.exp(z, out=z)
        s = e.sum(axis=ax, keepdims=True)
        lse = np.log(s).squeeze(ax)
        l = wt * (lse - zt)
        if eps:
            wsum = C if w is None else w.sum()
            l = (1 - eps) * l + (eps / C) * ((wsum * lse - wz) * keep)
        l = np.where(keep, l, 0)  # an ignored target with an infinite logit would give 0·inf = nan
        ctx.save_for_backward(e, s, tt, wt, keep if eps else None, w)
        ctx.red, ctx.eps, ctx.denom = red, eps, wt.sum()
        return _reduce(l.astype(x.dtype, copy=False), red, ctx.denom)

    @staticmethod
    def _plain(ctx: Any, x: Any, t: Any, red: str) -> Any:
        """The usual case, (N, C) logits, no class weights, smoothing or ignored targets (all w_t = 1):
        l_i = log Σ_c exp z_ic − z_it with z = x − max_c x; the same floats as the general path."""
        m = _max(x, 1, keepdims=True)
        if _any(_isinf(m), None):  # a row with +inf (or only -inf) logits: nan, as in PyTorch, without warnings
            with np.errstate(invalid="ignore"):
                return CrossEntropy._general(ctx, x, t, None, -100, 0.0, red)
        z = x - m
        zt = z[np.arange(len(t)), t]
        e = np.exp(z, out=z)
        s = _sum(e, 1, keepdims=True)
        l = np.log(s).reshape(-1)
        l -= zt
        ctx.save_for_backward(e, s, t, None, None, None)
        ctx.red, ctx.eps, ctx.denom = red, 0.0, len(t)
        return _reduce(l, red)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        e, s, tt, wt, keep, w = ctx.saved_tensors
        ax, eps, nd = _class_axis(e), ctx.eps, e.ndim
        gb = _gbar(g, ctx.red, ctx.denom)
        coef = gb if wt is None else gb * wt  # ḡ_i·w_t, 0 where ignored (no wt: every w_t = 1)
        gx = e / s  # softmax (a new array: saved ones stay intact for retain_graph)
        if eps:
            C = e.shape[ax]
            act = gb * keep
            wsum = C if w is None else w.sum()
            gx *= _smp((1 - eps) * coef + (eps / C) * wsum * act, ax)
            gx -= (eps / C) * (_smp(act, ax) if w is None else _smp(act, ax) * _cls(w, ax, nd))
            hot = (1 - eps) * coef
        else:
            gx *= _smp(coef, ax)
            hot = coef
        if gx.ndim == 2:  # (N, C): one fancy index instead of take/put_along_axis
            gx[np.arange(len(tt)), tt] -= hot
        else:
            idx = np.expand_dims(tt, ax)
            np.put_along_axis(gx, idx, np.take_along_axis(gx, idx, ax) - _smp(hot, ax), ax)
        return gx, None, None, None, None, None


class CrossEntropyProb(CompositeDoubleBackward, Function):
    """Cross-entropy with class-probability targets y (smoothed: y' = (1−ε)y + ε/C), class weights w.

    l_i = −Σ_c w_c·y'_c·log p_c;  'mean' divides by the number of samples (numel / C).
    VJP: gx = ḡ·((Σ_c w_c y'_c)·p − w·y'),   gy = −ḡ·(1−ε)·w·log p,   gw = −Σ_i ḡ·y'·log p.
    """

    composite = staticmethod(_composites.cross_entropy_prob)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any, w: Any, eps: float, red: str) -> Any:
        ax = _class_axis(x)
        C = x.shape[ax]
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):  # ±inf logits give nan, as in PyTorch
            z = x - x.max(axis=ax, keepdims=True) if x.size else x.copy()
            logp = z - np.log(np.exp(z).sum(axis=ax, keepdims=True))
        yy = y * (1 - eps) + eps / C if eps else y
        wy = yy if w is None else yy * _cls(w, ax, x.ndim)
        l = -(wy * logp).sum(ax)
        ctx.save_for_backward(logp, yy, w)
        ctx.red, ctx.eps, ctx.n = red, eps, (x.size // C if C else 0)
        return _reduce(l, red, ctx.n)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        logp, yy, w = ctx.saved_tensors
        ax, nd = _class_axis(logp), logp.ndim
        gb = _smp(_gbar(g, ctx.red, ctx.n), ax)
        wb = None if w is None else _cls(w, ax, nd)
        wy = yy if w is None else yy * wb
        need = ctx.needs_input_grad
        gx = gb * (wy.sum(ax, keepdims=True) * np.exp(logp) - wy) if need[0] else None
        gy = -gb * (logp if w is None else wb * logp) * (1 - ctx.eps) if need[1] else None
        gw = -(gb * yy * logp).sum(axis=tuple(i for i in range(nd) if i != ax)) if need[2] else None
        return gx, gy, gw, None, None


class NllLoss(CompositeDoubleBackward, Function):
    """l_i = −w_t·x[i, t_i] (0 where t = ignore_index); 'mean' divides by Σ_i w_{t_i}.   VJP: gx[i, t_i] = −ḡ_i·w_t, 0 elsewhere."""

    composite = staticmethod(_composites.nll)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, t: Any, w: Any, ignore_index: int, red: str) -> Any:
        ax = _class_axis(x)
        _, tt, wt = _picked(t, w, ignore_index, x.dtype)
        l = -wt * np.take_along_axis(x, np.expand_dims(tt, ax), ax).squeeze(ax)
        ctx.save_for_backward(tt, wt)
        ctx.red, ctx.denom, ctx.shape = red, wt.sum(), x.shape
        return _reduce(l, red, ctx.denom)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        tt, wt = ctx.saved_tensors
        ax = 1 if len(ctx.shape) >= 2 else 0
        gx = np.zeros(ctx.shape, dtype=g.dtype)
        hot = -(_gbar(g, ctx.red, ctx.denom) * wt)
        np.put_along_axis(gx, np.expand_dims(tt, ax), _smp(hot, ax), ax)
        return gx, None, None, None, None


def _check_class_weight(op: str, w: np.ndarray, C: int) -> None:
    if w.shape != (C,):
        raise RuntimeError(
            f"{op}: weight tensor should be defined either for all {C} classes or no classes but got weight tensor "
            f"of shape: {shape_str(w.shape)}"
        )


def _check_class_target(op: str, input: Tensor, target: Tensor, weight: Tensor | None, ignore_index: int) -> Any:  # noqa: A002
    """PyTorch's checks for class-index targets; returns the class-weight array (or None)."""
    x, t = input._data, target._data
    if x.ndim == 0:
        raise ValueError(f"{op}: Expected 1 or more dimensions (got 0); expected input of shape (C,), (N, C) or (N, C, d1, ...)")
    if t.dtype not in (np.int64, np.uint8):
        got = _TORCH_NAMES.get(t.dtype.name, t.dtype.name)
        raise RuntimeError(f"{op}: expected target dtype to be Long or Byte, but got {got}; class indices must be int64 (target.long())")
    C = x.shape[_class_axis(x)]
    if (x.ndim == 1 and t.ndim > 1) or (x.ndim == 2 and t.ndim > 1):
        raise RuntimeError(f"{op}: 0D or 1D target tensor expected, multi-target not supported; got target of shape {shape_str(t.shape)}")
    if x.ndim == 1 and t.ndim == 1 and t.shape[0] != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {t.shape[0]}")
    if x.ndim >= 2 and (t.ndim == 0 or t.shape[0] != x.shape[0]):  # a 0-dim target has batch size 0 here
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({t.shape[0] if t.ndim else 0}).")
    if x.ndim > 2 and t.shape != x.shape[:1] + x.shape[2:]:
        raise RuntimeError(f"{op}: Expected target size {shape_str(x.shape[:1] + x.shape[2:])}, got {shape_str(t.shape)}")
    w = _no_grad_arg(weight, "nll_loss_forward", "weight")
    if w is not None:
        _check_class_weight(op, w, C)
        if w.dtype != x.dtype:
            raise RuntimeError(f"{op}: expected scalar type {_TORCH_NAMES.get(x.dtype.name)} but found {_TORCH_NAMES.get(w.dtype.name)} (weight); cast it to the input's dtype")
    if t.size and (_min(t, None) < 0 or _max(t, None) >= C):  # only then look for the culprit (ignore_index is allowed)
        tv = t.astype(np.int64, copy=False)
        bad = (tv != ignore_index) & ((tv < 0) | (tv >= C))
        if bad.any():
            v = tv.reshape(-1)[np.argmax(bad.reshape(-1))]
            raise IndexError(f"Target {v} is out of bounds. ({op}: expected class indices in [0, {C - 1}] for C = {C} classes, or ignore_index={ignore_index})")
    return w


def cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,  # noqa: A002
    ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean", label_smoothing: float = 0.0,
) -> Tensor:
    """log_softmax over dim 1 (dim 0 if unbatched) + negative log-likelihood; targets are class indices or probabilities."""
    red = _reduction(reduction, size_average, reduce)
    check_tensor(input, "cross_entropy")
    check_tensor(target, "cross_entropy", "target")
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'cross_entropy: "log_softmax" not implemented for {input.dtype}; expected a floating input (logits)')
    if target._data.dtype.kind == "f" and target._data.shape == input._data.shape and input._data.ndim:
        if ignore_index != -100:
            raise RuntimeError("cross_entropy: ignore_index is not supported for floating point target")
        x, y = promote(input, target, "cross_entropy")
        if weight is not None:
            _check_class_weight("cross_entropy", weight._data, x._data.shape[_class_axis(x._data)])
            weight = weight.to(x.dtype) if weight._data.dtype != x._data.dtype else weight
        return CrossEntropyProb.apply(x, y, weight, float(label_smoothing), red)
    w = _check_class_target("cross_entropy", input, target, weight, ignore_index)
    return CrossEntropy.apply(input, _unbatched_target(input, target), w, int(ignore_index), float(label_smoothing), red)


def nll_loss(
    input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,  # noqa: A002
    ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood −w_t·input[t] for log-probabilities ``input`` and class-index ``target``."""
    red = _reduction(reduction, size_average, reduce)
    check_tensor(input, "nll_loss")
    check_tensor(target, "nll_loss", "target")
    w = _check_class_target("nll_loss", input, target, weight, ignore_index)
    return NllLoss.apply(input, _unbatched_target(input, target), w, int(ignore_index), red)


def _unbatched_target(input: Tensor, target: Tensor) -> np.ndarray:  # noqa: A002
    """The target's classes; for an unbatched (C,) input a one-element (1,) target counts as a 0-dim one."""
    t = target._data
    return t.reshape(()) if input._data.ndim == 1 and t.ndim == 1 else t
