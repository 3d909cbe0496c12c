"""Batching rules of the neural-network ops: linear, losses, normalization, convolution, embedding, dropout.

Per-sample gradients batch the weights too (``grad`` inside ``vmap`` differentiates a per-sample copy of
each parameter), so most rules have two cases: shared weights — the op runs once on the physical input
with the batch folded into its leading dims — and batched weights, composed from batched primitives
(matmul for linear, a grouped convolution with one group per sample for conv, the affine part of a
norm applied after normalizing). Losses compute per element (``reduction='none'``) on the batch and
reduce each sample afterwards.
"""

from __future__ import annotations

import importlib
import math
from typing import Any

import numpy as np

from ..autograd import function as _fn
from ._batching import BatchedTensor, levels_stack, physical, register, sizes_of, wrap
from ._rules_tensor import dim_rule, elementwise_rule

# the modules (the package re-exports functions of the same names)
attention, conv, linear, loss, loss_class, norm, pooling = (
    importlib.import_module(f"chainrule.nn.functional.{m}")
    for m in ("attention", "conv", "linear", "loss", "loss_class", "norm", "pooling")
)

__all__: list[str] = []


def _batched(a: Any) -> bool:
    return type(a) is BatchedTensor


@register(linear.Linear)
def _linear(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    x, w, b = args
    if not _batched(w) and not _batched(b):
        return cls.apply(physical(x, levels), w, b)
    out = x @ w.transpose(-1, -2)  # per-sample weights: one batched matmul
    return out if b is None else out + b


@register(norm.NativeLayerNorm, norm.RMSNorm)
def _norm(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    x, *affine = args[:-2]
    if not any(_batched(a) for a in affine):
        return cls.apply(physical(x, levels), *args[1:])
    out = cls.apply(x, *[None] * len(affine), *args[-2:])  # normalize (batched), then the per-sample affine map
    w = affine[0]
    if w is not None:
        out = out * w
    if len(affine) > 1 and affine[1] is not None:
        out = out + affine[1]
    return out


def _reduce_sample(out: Any, levels: tuple[int, ...], red: str, first: int) -> Any:
    """Reduce each sample of the per-element loss ``out`` (physical) as ``red`` says."""
    if red == "none":
        return out
    lb = wrap(out, levels)
    if red == "sum":
        return lb.sum()
    if red == "batchmean":
        return lb.sum() / first
    return lb.mean()


def loss_rule(red_pos: int) -> Any:
    """The rule of an elementwise loss whose argument ``red_pos`` is the reduction."""

    def rule(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
        red = args[red_pos]
        new = list(args)
        new[red_pos] = "none"
        out = elementwise_rule(cls, tuple(new), levels)
        x = args[0]
        return _reduce_sample(out, levels, red, x._data.shape[0] if x._data.ndim else 1)

    return rule


for _cls, _pos in ((loss.MseLoss, 2), (loss.L1Loss, 2), (loss.SmoothL1Loss, 2), (loss.HuberLoss, 2),
                   (loss.BinaryCrossEntropy, 3), (loss.BinaryCrossEntropyWithLogits, 4), (loss.KlDiv, 3)):  # fmt: skip
    register(_cls)(loss_rule(_pos))


@register(loss_class.CrossEntropy, loss_class.NllLoss, loss_class.CrossEntropyProb)
def _class_loss(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    """Class-index (or probability) targets: the batch folded into N, per-element losses, per-sample reduction
    ('mean' divides by the number of targets that are not ``ignore_index``)."""
    x, t, w = args[:3]
    red = args[-1]
    prob = cls is loss_class.CrossEntropyProb
    if _batched(w) or (w is not None and red == "mean"):
        return NotImplemented
    if not isinstance(t, _fn.Tensor):
        t = _fn.Tensor._make(np.asarray(t))
    xl, tl = x._data.shape, t._data.shape
    sizes = sizes_of(levels)
    total = math.prod(sizes)
    px, pt = physical(x, levels, full=True), physical(t, levels, full=True)
    if len(xl) == 1:
        px2, pt2, lead = px.reshape((total, *xl)), pt.reshape((total, *tl)), sizes
    else:
        px2 = px.reshape((total * xl[0], *xl[1:]))
        pt2 = pt.reshape((total * tl[0], *tl[1:]))
        lead = sizes + (xl[0],)
    out = cls.apply(px2, pt2 if prob else pt2._data, *args[2:-1], "none")
    out = out.reshape(lead + tuple(out._data.shape[1:]))
    if red == "none":
        return out
    k = len(levels)
    total_loss = out.sum(dim=tuple(range(k, out.dim()))) if out.dim() > k else out
    if red == "sum":
        return total_loss
    if prob:
        return total_loss / max(math.prod(out._data.shape[k:]), 1)
    valid = pt != args[3]
    count = valid.sum(dim=tuple(range(k, valid.dim()))) if valid.dim() > k else valid
    return total_loss / count.to(out.dtype)


@register(conv.ConvNd)
def _conv(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    """Shared weights: the batch folded into N. Per-sample weights: the batch folded into the channels,
    with one group per sample (a grouped convolution computes every sample's own filters at once)."""
    x, w, b, gm, shapes = args
    xs, (n, c, h, wd), oshape, ws = shapes
    nd = len(ws) - 2
    has_n = len(xs) == nd + 2
    sizes = sizes_of(levels)
    total = math.prod(sizes)
    pads = (gm.pt, gm.hp - gm.h - gm.pt, gm.pl, gm.wp - gm.w - gm.pl)
    geo = ((gm.kh, gm.kw), (gm.sh, gm.sw), (gm.dh, gm.dw), pads, gm.ho, gm.wo)
    spatial, ospatial = tuple(xs[-nd:]), tuple(oshape[-nd:])
    if not _batched(w) and not _batched(b):
        big = total * n
        gm2 = conv.geom(big, c, h, wd, *geo, gm.groups)
        xin, oout = (big, c, *spatial), (big, ws[0], *ospatial)
        out = cls.apply(physical(x, levels).reshape(xin), w, b, gm2, (xin, (big, c, h, wd), oout, ws))
    else:
        px = physical(x, levels, full=True).reshape((total, n, c, *spatial)).transpose(0, 1)
        xin = (n, total * c, *spatial)
        w2 = (total * ws[0], *ws[1:])
        pw = physical(w, levels, full=True).reshape(w2)
        pb = None if b is None else physical(b, levels, full=True).reshape((total * ws[0],))
        gm2 = conv.geom(n, total * c, h, wd, *geo, total * gm.groups)
        oout = (n, total * ws[0], *ospatial)
        out = cls.apply(px.reshape(xin), pw, pb, gm2, (xin, (n, total * c, h, wd), oout, w2))
        out = out.reshape((n, total, ws[0], *ospatial)).transpose(0, 1)
    return out.reshape(sizes + ((n,) if has_n else ()) + (ws[0], *ospatial))


@register(linear.Embedding)
def _embedding(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    idx, w, *rest = args
    if _batched(w):
        return NotImplemented
    return cls.apply(physical(idx, levels), w, *rest)


@register(linear.Dropout)
def _dropout(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    """randomness='error' refuses; 'same' shares the mask drawn for one sample; 'different' draws one mask
    per sample (at the levels that ask for it)."""
    x, m = args
    modes = {lv: r for lv, _, r in levels_stack}
    if any(modes[lv] == "error" for lv in levels):
        raise RuntimeError(
            "vmap: called random operation while in randomness error mode. Please either use the 'same' or "
            "'different' randomness flags on vmap or perform the randomness operation out of vmap"
        )
    if not _batched(x) or _batched(m):
        return NotImplemented
    m = np.asarray(m)
    if any(modes[lv] == "different" for lv in levels):
        top = float(m.max()) if m.size else 0.0
        p = 1.0 if top == 0.0 else 1.0 - 1.0 / top
        rank = x._data.ndim
        lead = tuple(n if modes[lv] == "different" else 1 for lv, n in zip(levels, sizes_of(levels)))
        m = linear._mask(x._data.view(np.ndarray), lead + (1,) * (rank - m.ndim) + m.shape, p)
        return cls.apply(physical(x, levels), m)
    return elementwise_rule(cls, (x, m), levels)


def _pool_geometry(gm: Any, xshape: tuple[int, ...], sizes: tuple[int, ...]) -> Any:
    """The pooling geometry of ``gm`` for the batch folded into N (``ceil_mode`` recovered from the output size)."""
    total = math.prod(sizes)
    nd = 1 if gm.h == 1 and gm.kh == 1 and gm.oshape[:-1] == tuple(xshape[:-1]) else 2
    prefix = sizes + tuple(gm.oshape[:-nd])
    x4 = (total * gm.n, gm.c, gm.h, gm.w)
    k, s, p, d = (gm.kh, gm.kw), (gm.sh, gm.sw), (gm.pt, gm.pl), (gm.dh, gm.dw)
    for ceil in (False, True):
        new = pooling._pgeom(x4, k, s, p, d, ceil, prefix, nd)
        if (new.ho, new.wo) == (gm.ho, gm.wo):
            return new
    return None


@register(pooling.MaxPool2d, pooling.AvgPool2d)
def _pool(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    """Window pooling: each channel map is pooled alone, so the batch folds into N."""
    x, gm, xshape, extra = args
    sizes = sizes_of(levels)
    new = _pool_geometry(gm, xshape, sizes)
    if new is None or not _batched(x):
        return NotImplemented
    return cls.apply(physical(x, levels), new, sizes + tuple(xshape), extra)


@register(pooling.AdaptiveAvgPool2d, pooling.AdaptiveMaxPool2d)
def _adaptive_pool(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    x, x4, out, oshape = args
    sizes = sizes_of(levels)
    x4b = (math.prod(sizes) * x4[0], *x4[1:])
    return cls.apply(physical(x, levels), x4b, out, sizes + tuple(oshape))


register(norm.Normalize)(dim_rule(2, "dim"))


@register(linear.ConstantPad)
def _constant_pad(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    x, src, dst, out_shape, value = args
    lead = (slice(None),) * len(levels)
    return cls.apply(physical(x, levels), lead + tuple(src), lead + tuple(dst), sizes_of(levels) + tuple(out_shape), value)


@register(attention.ScaledDotProductAttention)
def _sdpa(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    """Attention over any leading dims: q, k, v (and the mask/bias) with the batch dims in front."""
    q, k, v, bias, scale, dropout_p, gqa = args
    if dropout_p or gqa:
        return NotImplemented
    rank = max(t._data.ndim for t in (q, k, v))
    qkv = [physical(t, levels, rank, full=True) for t in (q, k, v)]
    pb = None if bias is None else physical(bias if hasattr(bias, "_data") else _fn.Tensor._make(bias), levels, rank)
    return cls.apply(*qkv, pb if pb is None or hasattr(bias, "_data") else pb._data, scale, dropout_p, gqa)


def _channel_affine(out: Any, w: Any, b: Any) -> Any:
    """``out·w + b`` with per-channel ``w``, ``b`` (C,) along dim 1 of ``out`` (N, C, *) — batched ops."""
    shape = (-1,) + (1,) * (out.dim() - 2)
    if w is not None:
        out = out * w.reshape(shape)
    if b is not None:
        out = out + b.reshape(shape)
    return out


@register(norm.NativeBatchNorm)
def _batch_norm(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    """Eval mode (running statistics): every (sample, n) row is normalized alone, so the batch folds into N.
    Training with running statistics refuses, as in PyTorch (they would be updated once per sample)."""
    x, w, b, rm, rv, training, momentum, eps = args
    if training and (rm is not None or rv is not None):
        raise RuntimeError(
            "vmap: Batch norm got a batched tensor as input while the running_mean or running_var, which will be "
            "updated in place, were not batched; use the module in eval mode, or without running statistics "
            "(track_running_stats=False)"
        )
    if training or _batched(rm) or _batched(rv):
        return NotImplemented
    if _batched(w) or _batched(b) or not _batched(x):
        return _channel_affine(cls.apply(x, None, None, rm, rv, training, momentum, eps), w, b)
    return _fold_n(cls, x, levels, args[1:])


@register(norm.NativeGroupNorm)
def _group_norm(cls: Any, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    """Each sample's groups are normalized alone: the batch folds into N; per-sample γ, β apply afterwards."""
    x, w, b, groups, eps = args
    if _batched(w) or _batched(b) or not _batched(x):
        return _channel_affine(cls.apply(x, None, None, groups, eps), w, b)
    return _fold_n(cls, x, levels, args[1:])


def _fold_n(cls: Any, x: Any, levels: tuple[int, ...], rest: tuple[Any, ...]) -> Any:
    """``cls`` on the physical ``x`` (batch dims, N, C, *) reshaped to (batch·N, C, *), then back."""
    xl = x._data.shape
    sizes = sizes_of(levels)
    px = physical(x, levels).reshape((math.prod(sizes) * xl[0], *xl[1:]))
    return cls.apply(px, *rest).reshape(sizes + tuple(xl))
