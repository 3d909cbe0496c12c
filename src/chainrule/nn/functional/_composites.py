"""Fused losses re-built from differentiable primitives, for their double backward.

A fused loss computes its first-order gradient from arrays it derived in ``forward`` (softmax
numerators, differences ...), which cannot be recorded. Under ``create_graph=True`` the engine
differentiates these compositions instead (``CompositeDoubleBackward``); each is the op's forward
formula written with chainrule's ops, and the op-case tests check that both agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["reduce", "mse", "l1", "smooth_l1", "huber", "nll", "cross_entropy", "layer_norm", "rms_norm", "conv", "bce",
    "bce_with_logits", "kl_div", "cross_entropy_prob",
    "batch_norm", "group_norm", "attention",
]


def _cr() -> Any:
    import chainrule

    return chainrule


def reduce(l: Any, red: str, denom: Any = None) -> Any:
    """'none': l;  'sum': Σl;  'mean': Σl / denom (default: the element count)."""
    if red == "none":
        return l
    total = l.sum()
    if red == "sum":
        return total
    return total / (l.numel() if denom is None else float(denom))


def mse(ctx: Any, x: Any, y: Any, red: str, _: Any) -> Any:
    """l = (x − y)²."""
    d = x - y
    return reduce(d * d, red)


def l1(ctx: Any, x: Any, y: Any, red: str, _: Any) -> Any:
    """l = |x − y|."""
    return reduce((x - y).abs(), red)


def smooth_l1(ctx: Any, x: Any, y: Any, red: str, beta: float) -> Any:
    """l = ½d²/β if |d| < β else |d| − ½β."""
    d = x - y
    a = d.abs()
    return reduce(_cr().where(a._data < beta, 0.5 * d * d / beta, a - 0.5 * beta), red)


def huber(ctx: Any, x: Any, y: Any, red: str, delta: float) -> Any:
    """l = ½d² if |d| < δ else δ(|d| − ½δ)."""
    d = x - y
    a = d.abs()
    return reduce(_cr().where(a._data < delta, 0.5 * d * d, delta * (a - 0.5 * delta)), red)


def _picked_logp(x: Any, t: np.ndarray, w: Any, ignore_index: int) -> tuple[Any, np.ndarray, int]:
    """x[i, t_i] along the class axis, the weights w_{t_i} (0 where ignored) and that axis."""
    from .loss_class import _class_axis, _picked

    ax = _class_axis(x._data)
    _, tt, wt = _picked(t, w, ignore_index, x._data.dtype)
    idx = _cr().tensor(np.expand_dims(tt, ax))
    return x.gather(ax, idx).squeeze(ax), wt, ax


def nll(ctx: Any, x: Any, t: np.ndarray, w: Any, ignore_index: int, red: str) -> Any:
    """l_i = −w_{t_i}·x[i, t_i]; 'mean' divides by Σ w_{t_i}."""
    picked, wt, _ = _picked_logp(x, t, w, ignore_index)
    return reduce(-picked * wt, red, wt.sum())


def cross_entropy(ctx: Any, x: Any, t: np.ndarray, w: Any, ignore_index: int, eps: float, red: str) -> Any:
    """l_i = (1 − ε)·nll_i(log_softmax x) + (ε/C)·Σ_c w_c·(−log_softmax x)_ic (0 where ignored);
    'mean' divides by Σ w_{t_i}."""
    from .loss_class import _class_axis, _cls

    ax = _class_axis(x._data)
    logp = _cr().log_softmax(x, ax)
    picked, wt, _ = _picked_logp(logp, t, w, ignore_index)
    l = -picked * wt
    if eps:
        C = x._data.shape[ax]
        keep = (t != ignore_index).astype(x._data.dtype)
        wl = logp if w is None else logp * _cls(w, ax, x._data.ndim)
        l = l * (1 - eps) - (eps / C) * wl.sum(ax) * keep
    return reduce(l, red, wt.sum())


def layer_norm(ctx: Any, x: Any, w: Any, b: Any, k: int, eps: float) -> Any:
    """y = x̂·w + b,  x̂ = (x − μ)/√(σ² + ε) over the last k dims (σ² biased)."""
    dims = tuple(range(x.ndim - k, x.ndim))
    mu = x.mean(dims, keepdim=True)
    d = x - mu
    xhat = d / ((d * d).mean(dims, keepdim=True) + eps).sqrt()
    y = xhat if w is None else xhat * w
    return y if b is None else y + b


def rms_norm(ctx: Any, x: Any, w: Any, k: int, eps: float) -> Any:
    """y = x̂·w,  x̂ = x/√(mean(x²) + ε) over the last k dims."""
    dims = tuple(range(x.ndim - k, x.ndim))
    xhat = x / ((x * x).mean(dims, keepdim=True) + eps).sqrt()
    return xhat if w is None else xhat * w


def conv(ctx: Any, x: Any, w: Any, b: Any, gm: Any, shapes: tuple) -> Any:
    """out[n, o] = Σ_{c, i, j} w[o, c, i, j]·x_pad[n, c, i·dh + sh·p, j·dw + sw·q] + b[o]: the kernel
    positions as strided slices of the padded input, then one grouped batched product with W."""
    cr = _cr()
    n, c, h, wd = shapes[1]
    o = shapes[3][0]
    x4 = x.reshape(n, c, h, wd)
    pb, pr = gm.hp - h - gm.pt, gm.wp - wd - gm.pl
    if gm.pt or pb or gm.pl or pr:
        x4 = cr.nn.functional.pad(x4, (gm.pl, pr, gm.pt, pb))
    ho, wo = gm.ho, gm.wo
    taps = [
        x4[:, :, i * gm.dh : i * gm.dh + gm.sh * (ho - 1) + 1 : gm.sh, j * gm.dw : j * gm.dw + gm.sw * (wo - 1) + 1 : gm.sw]
        for i in range(gm.kh) for j in range(gm.kw)
    ]  # fmt: skip
    G = gm.groups
    cols = cr.stack(taps, dim=2).reshape(n, G, (c // G) * gm.kh * gm.kw, ho * wo)  # (n, G, cg·K, T)
    y = w.reshape(1, G, o // G, -1) @ cols  # (n, G, og, T)
    y = y.reshape(n, o, ho, wo)
    if b is not None:
        y = y + b.reshape(1, o, 1, 1)
    return y.reshape(shapes[2])


def bce(ctx: Any, x: Any, y: Any, w: Any, red: str) -> Any:
    """l = −w·(y·max(ln x, −100) + (1 − y)·max(ln(1 − x), −100))."""
    cr = _cr()
    l = -(y * cr.clamp(cr.log(x), min=-100.0) + (1 - y) * cr.clamp(cr.log1p(-x), min=-100.0))
    return reduce(l if w is None else l * w, red)


def bce_with_logits(ctx: Any, z: Any, y: Any, w: Any, pw: Any, red: str) -> Any:
    """l = w·(max(z, 0) − z·y + ln(1 + e^(−|z|)) + (pw − 1)·y·(max(−z, 0) + ln(1 + e^(−|z|))))."""
    cr = _cr()
    lg = cr.log1p(cr.exp(-z.abs()))
    l = cr.clamp(z, min=0.0) - z * y + lg
    if pw is not None:
        l = l + (pw - 1) * y * (cr.clamp(-z, min=0.0) + lg)
    if w is not None:
        l = l * w
    return reduce(l, red, ctx.n)


def kl_div(ctx: Any, x: Any, y: Any, log_target: bool, red: str) -> Any:
    """l = e^y·(y − x) (log_target) or y·ln y − y·x (0·ln 0 = 0); 'batchmean' divides by the batch size."""
    cr = _cr()
    if log_target:
        l = cr.exp(y) * (y - x)
    else:
        zero = y._data == 0
        l = cr.where(zero, 0.0, y * cr.log(cr.where(zero, 1.0, y))) - y * x
    return reduce(l, "mean" if red == "batchmean" else red, ctx.n)


def cross_entropy_prob(ctx: Any, x: Any, y: Any, w: Any, eps: float, red: str) -> Any:
    """l_i = −Σ_c w_c·ỹ_ic·log_softmax(x)_ic with ỹ = (1 − ε)·y + ε/C."""
    from .loss_class import _class_axis

    cr = _cr()
    ax = _class_axis(x._data)
    logp = cr.log_softmax(x, ax)
    yy = y * (1 - eps) + eps / x._data.shape[ax] if eps else y
    wy = yy if w is None else yy * w.reshape((-1,) + (1,) * (x._data.ndim - 1 - ax))
    return reduce(-(wy * logp).sum(ax), red, ctx.n)


def batch_norm(ctx: Any, x: Any, w: Any, b: Any, rm: Any, rv: Any, training: bool, momentum: float, eps: float) -> Any:
    """y = x̂·γ + β per channel: x̂ from the batch's mean and biased variance (training) or from the
    running statistics (evaluation; constants). The running statistics are not updated again."""
    cshape = (1, x._data.shape[1]) + (1,) * (x._data.ndim - 2)
    if training:
        axes = (0, *range(2, x._data.ndim))
        d = x - x.mean(axes, keepdim=True)
        xhat = d / ((d * d).mean(axes, keepdim=True) + eps).sqrt()
    else:
        xhat = (x - _cr().tensor(rm.reshape(cshape))) / _cr().tensor(np.sqrt(rv + eps).reshape(cshape))
    y = xhat if w is None else xhat * w.reshape(cshape)
    return y if b is None else y + b.reshape(cshape)


def group_norm(ctx: Any, x: Any, w: Any, b: Any, groups: int, eps: float) -> Any:
    """y = x̂·γ + β per channel, x̂ standardized over each group of channels (and all positions)."""
    shape = tuple(x._data.shape)
    xg = x.reshape(shape[0], groups, (shape[1] // groups) * int(np.prod(shape[2:], dtype=np.int64)))
    d = xg - xg.mean(2, keepdim=True)
    xhat = (d / ((d * d).mean(2, keepdim=True) + eps).sqrt()).reshape(shape)
    cshape = (1, shape[1]) + (1,) * (len(shape) - 2)
    y = xhat if w is None else xhat * w.reshape(cshape)
    return y if b is None else y + b.reshape(cshape)


def attention(ctx: Any, q: Any, k: Any, v: Any, bias: Any, scale: float, dropout_p: float, gqa: Any) -> Any:
    """softmax(q·kᵀ·scale + bias)·v (grouped-query heads repeated to match q's)."""
    cr = _cr()
    if dropout_p:
        raise RuntimeError(
            "scaled_dot_product_attention: double backward (create_graph=True) with dropout_p > 0 is not "
            "supported; use dropout_p=0.0 (e.g. model.eval()) for higher-order gradients"
        )
    if gqa is not None:
        hk, hv = k._data.shape[-3], v._data.shape[-3]
        k = k.index_select(-3, cr.tensor(np.repeat(np.arange(hk), gqa[0])))
        v = v.index_select(-3, cr.tensor(np.repeat(np.arange(hv), gqa[1])))
    s = (q * scale) @ k.transpose(-2, -1)
    if bias is None:
        return cr.softmax(s, -1) @ v
    s = s + bias
    full = np.isneginf(s._data).all(-1, keepdims=True)  # a fully masked row attends to nothing: p = 0
    if not full.any():
        return cr.softmax(s, -1) @ v
    p = cr.softmax(cr.where(np.broadcast_to(full, s._data.shape), 0.0, s), -1) * cr.tensor((~full).astype(s._data.dtype))
    return p @ v
