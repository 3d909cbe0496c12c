"""Fused spatial ops re-built from differentiable primitives, for their double backward.

Pooling, patch extraction (im2col / col2im), transposed convolution, resampling and grid sampling
compute their first-order gradient with NumPy kernels (strided views, ``bincount`` scatters) that
cannot be recorded. Under ``create_graph=True`` the engine differentiates these compositions instead
(``CompositeDoubleBackward``): each is the op's forward formula written with chainrule ops, mostly
two index primitives that are each other's VJP — a gather ``TakeAt`` (x[idx]) and a scatter-add
``ScatterZeros`` — plus pad, slices, sums and matmuls. The op-case tests check that both agree.

Windows: with the input padded to extent P, window k of output position o reads the flat position
    idx[k, o] = Σ_a (o_a·s_a + k_a·d_a)·∏_{b>a} P_b
so im2col is one gather  cols = x_pad[:, :, idx]  and col2im its adjoint, one scatter-add.
Max pooling gathers each window's recorded argmax: y = x[argmax] (its second derivative in x is 0;
its double backward carries the grad-of-grad through the same gather).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

__all__ = [
    "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "adaptive_max_pool2d", "max_pool_nd", "avg_pool_nd",
    "adaptive_max_pool_nd", "max_unpool", "im2col", "col2im", "conv_transpose", "resample", "grid_sample",
]  # fmt: skip


def _cr() -> Any:
    import chainrule

    return chainrule


def _take(x: Any, index: Any) -> Any:
    """x[index] (recorded; its VJP scatters back)."""
    from ...ops._xp import TakeAt

    return TakeAt.apply(x, index, None)


def _scatter(shape: tuple[int, ...], index: Any, g: Any) -> Any:
    """zeros(shape) with g added at [index] (recorded; its VJP gathers)."""
    from ...ops._xp import ScatterZeros

    return ScatterZeros.apply(g, shape, index, True, None)


def _const(a: Any, dtype: Any) -> Any:
    return _cr().tensor(np.asarray(a, dtype=dtype))


# --- windows ---------------------------------------------------------------------------------------
def _window_index(k: tuple, s: tuple, d: tuple, out: tuple, padded: tuple) -> np.ndarray:
    """Flat position in the padded input (extent ``padded``) of window entry (k, o): shape (*K, *O)."""
    nd = len(k)
    idx = np.zeros((1,) * (2 * nd), np.int64)
    for a in range(nd):
        step = math.prod(padded[a + 1 :])
        ks = [1] * (2 * nd)
        ks[a] = k[a]
        os_ = [1] * (2 * nd)
        os_[nd + a] = out[a]
        idx = idx + (np.arange(k[a]) * d[a] * step).reshape(ks) + (np.arange(out[a]) * s[a] * step).reshape(os_)
    return idx


def _padded(size: tuple, k: tuple, s: tuple, d: tuple, lo: tuple, hi: tuple, out: tuple) -> tuple:
    """The padded extent that holds every window (a ceil_mode window may overhang the high pad)."""
    return tuple(max(n + a + b, (o - 1) * st + dd * (kk - 1) + 1) for n, a, b, o, st, dd, kk in zip(size, lo, hi, out, s, d, k))


def windows(x: Any, size: tuple, k: tuple, s: tuple, d: tuple, lo: tuple, hi: tuple, out: tuple) -> Any:
    """cols[n, c, k, o] = x_pad[n, c, o·s + k·d]: x (N, C, *S) -> (N, C, *K, *O), zero padding."""
    n, c = x.shape[:2]
    padded = _padded(size, k, s, d, lo, hi, out)
    x = x.reshape(n, c, *size)
    if padded != tuple(size):
        pads: list[int] = []
        for a in reversed(range(len(size))):
            pads += [lo[a], padded[a] - size[a] - lo[a]]
        x = _cr().nn.functional.pad(x, tuple(pads))
    flat = x.reshape(n, c, math.prod(padded))
    return _take(flat, (slice(None), slice(None), _window_index(k, s, d, out, padded)))


def unwindows(cols: Any, size: tuple, k: tuple, s: tuple, d: tuple, lo: tuple, hi: tuple, out: tuple) -> Any:
    """The adjoint of ``windows``: each patch entry added back to the pixel it was read from, padding cropped."""
    n, c = cols.shape[:2]
    padded = _padded(size, k, s, d, lo, hi, out)
    cols = cols.reshape(n, c, *k, *out)
    xp = _scatter((n, c, math.prod(padded)), (slice(None), slice(None), _window_index(k, s, d, out, padded)), cols)
    xp = xp.reshape(n, c, *padded)
    if padded == tuple(size):
        return xp
    return xp[(slice(None), slice(None), *(slice(a, a + m) for a, m in zip(lo, size)))]


def _gather_flat(x: Any, idx: np.ndarray) -> Any:
    """y[n, c, o] = x[n, c, idx[n, c, o]] with idx a flat position over x's spatial dims (N, C, *S)."""
    n, c = idx.shape[:2]
    xf = x.reshape(n, c, math.prod(x.shape[2:]))
    i = np.asarray(idx, np.int64).reshape(n, c, math.prod(idx.shape[2:]))
    y = _take(xf, (np.arange(n)[:, None, None], np.arange(c)[None, :, None], i))
    return y.reshape(idx.shape)


# --- pooling -------------------------------------------------------------------------------------
def max_pool2d(ctx: Any, x: Any, gm: Any, xshape: tuple, return_indices: bool) -> Any:
    """y = x[argmax of each window] (the forward's recorded winners; flat positions in the unpadded input)."""
    (win,) = ctx.saved_tensors
    off = np.array([i * gm.dh * gm.w + j * gm.dw for i in range(gm.kh) for j in range(gm.kw)], np.int64)
    base = (np.arange(gm.ho) * gm.sh - gm.pt)[:, None] * gm.w + (np.arange(gm.wo) * gm.sw - gm.pl)
    flat = off[win.astype(np.int64)] + base  # (n, c, ho, wo)
    return _gather_flat(x.reshape(gm.n, gm.c, gm.h * gm.w), flat).reshape(gm.oshape)


def adaptive_max_pool2d(ctx: Any, x: Any, x4: tuple, out: tuple, oshape: tuple) -> Any:
    """y = x[argmax of each adaptive window]."""
    (idx,) = ctx.saved_tensors
    n, c, h, w = x4
    return _gather_flat(x.reshape(n, c, h * w), idx.reshape(n, c, *out)).reshape(oshape)


def max_pool_nd(ctx: Any, x: Any, gm: Any) -> Any:
    """y = x[argmax of each window] (N-d)."""
    return _gather_flat(x, ctx.idx)


def adaptive_max_pool_nd(ctx: Any, x: Any, out: tuple) -> Any:
    """y = x[argmax of each adaptive window] (N-d)."""
    return _gather_flat(x, ctx.idx)


def avg_pool2d(ctx: Any, x: Any, gm: Any, xshape: tuple, div: Any) -> Any:
    """y = Σ window / divisor over the zero-padded input."""
    pb, pr = gm.hp - gm.h - gm.pt, gm.wp - gm.w - gm.pl
    cols = windows(x.reshape(gm.n, gm.c, gm.h, gm.w), (gm.h, gm.w), (gm.kh, gm.kw), (gm.sh, gm.sw),
                   (gm.dh, gm.dw), (gm.pt, gm.pl), (pb, pr), (gm.ho, gm.wo))  # fmt: skip
    y = cols.sum((2, 3))
    y = y / (float(div) if np.ndim(div) == 0 else _const(div, x._data.dtype))
    return y.reshape(gm.oshape)


def avg_pool_nd(ctx: Any, x: Any, gm: Any, div: Any) -> Any:
    """y = Σ window / divisor (N-d)."""
    nd = len(gm.k)
    cols = windows(x, gm.size, gm.k, gm.s, gm.d, gm.lo, gm.hi, gm.out)
    y = cols.sum(tuple(range(2, 2 + nd)))
    return y / (float(div) if np.ndim(div) == 0 else _const(div, x._data.dtype))


def adaptive_avg_pool2d(ctx: Any, x: Any, x4: tuple, out: tuple, oshape: tuple) -> Any:
    """y = A_h · x · A_wᵀ with the (constant) averaging matrices of the adaptive windows."""
    from .pooling import _avg_matrix

    n, c, h, w = x4
    dt = x._data.dtype
    ah, aw = _avg_matrix(h, out[0], dt), _avg_matrix(w, out[1], dt)
    y = x.reshape(x4)
    if aw is not None:
        y = y @ _const(aw.T, dt)
    if ah is not None:
        y = _const(ah, dt) @ y
    return y.reshape(oshape)


def max_unpool(ctx: Any, x: Any, idx: np.ndarray, oshape: tuple) -> Any:
    """y[n, c, idx[n, c, i]] = x[n, c, i] on zeros (N, C, *out)."""
    n, c = x.shape[:2]
    k = math.prod(x.shape[2:])
    i = np.asarray(idx, np.int64).reshape(n, c, k)
    y = _scatter((n, c, math.prod(oshape[2:])), (np.arange(n)[:, None, None], np.arange(c)[None, :, None], i),
                 x.reshape(n, c, k))  # fmt: skip
    return y.reshape(oshape)


# --- patches and transposed convolution ----------------------------------------------------------
def im2col(ctx: Any, x: Any, gm: Any) -> Any:
    """cols[n, c, k, o] = x_pad[n, c, o·s + k·d]."""
    return windows(x, gm.size, gm.k, gm.s, gm.d, gm.lo, gm.hi, gm.out)


def col2im(ctx: Any, cols: Any, gm: Any) -> Any:
    """x[n, c, p] = Σ_{(k, o) reading p} cols[n, c, k, o]."""
    return unwindows(cols, gm.size, gm.k, gm.s, gm.d, gm.lo, gm.hi, gm.out)


def conv_transpose(ctx: Any, x: Any, w: Any, b: Any, gm: Any, shapes: tuple) -> Any:
    """out = col2im(Wᵀ x) + b: per group, the patch columns Wᵀ(c/g, o/g·K) x(c/g, T), then summed back
    into the output (whose convolution geometry ``gm`` maps it to the input's size)."""
    xs, (n, c, h, wd), oshape, ws = shapes
    g = gm.groups
    cout = ws[1] * g
    wt = w.reshape(g, c // g, -1).transpose(1, 2)  # (g, cout/g·kh·kw, c/g)
    cols = (wt @ x.reshape(n, g, c // g, h * wd)).reshape(n, cout, gm.kh, gm.kw, h, wd)
    y = unwindows(cols, (gm.h, gm.w), (gm.kh, gm.kw), (gm.sh, gm.sw), (gm.dh, gm.dw), (gm.pt, gm.pl),
                  (gm.hp - gm.h - gm.pt, gm.wp - gm.w - gm.pl), (gm.ho, gm.wo))  # fmt: skip
    if b is not None:
        y = y + b.reshape(1, cout, 1, 1)
    return y.reshape(oshape)


# --- resampling ----------------------------------------------------------------------------------
def resample(ctx: Any, x: Any, mats: tuple, take: Any) -> Any:
    """y = x ×_d A_d along each spatial axis d (a matmul with the constant matrix; nearest: one-hot rows)."""
    dt = x._data.dtype
    y = x
    for d, a in enumerate(mats):
        if a is None:
            continue
        y = (y.movedim(d + 2, -1) @ _const(a.T, dt)).movedim(-1, d + 2)
    return y


def grid_sample(ctx: Any, x: Any, grid: Any, mode: str, padding_mode: str, align: bool) -> Any:
    """y = Σ_taps Π_a w_a(u_a) · x[tap] with the taps of the forward (constants) and the weights as functions
    of the grid: along each axis the pixel coordinate u = u₀ + c'·(g − g₀) is the forward's piecewise-linear
    map (unnormalise, clip / reflect) expanded at g₀, exact with its slope c' = du/dg; t = u − ⌊u₀⌋."""
    from .grid_sample import _cubic, _source, _taps

    n, c, *size = x.shape
    nd = len(size)
    out = tuple(grid.shape[1:-1])
    m = math.prod(out)
    g = grid.reshape(n, m, nd)
    g0 = g._data.astype(np.float64)
    axes = []
    for a in range(nd):
        ga = g[..., nd - 1 - a]
        gv = g0[..., nd - 1 - a]
        taps, _ = _taps(mode, gv, size[a], padding_mode, align)
        if mode == "bicubic":
            u0 = (gv + 1) / 2 * (size[a] - 1) if align else ((gv + 1) * size[a] - 1) / 2
            du = (size[a] - 1) / 2 if align else size[a] / 2
        else:
            u0, du = _source(gv, size[a], padding_mode, align)
        u = ga * _const(du, x._data.dtype) + _const(u0 - du * gv, x._data.dtype)
        if mode == "nearest":
            ws: list[Any] = [u * 0.0 + 1.0]  # weight 1, gradient 0 (the grid still gets a zero gradient)
        elif mode == "bilinear":
            t = u - _const(np.floor(u0), x._data.dtype)
            ws = [1 - t, t]
        else:
            ws = _cubic(u - _const(np.floor(u0), x._data.dtype))[0]
        axes.append([(tp[0], tp[3], wt) for tp, wt in zip(taps, ws)])
    strides = [math.prod(size[a + 1 :]) for a in range(nd)]
    xf = x.reshape(n, c, math.prod(size))
    rows, chans = np.arange(n)[:, None, None], np.arange(c)[None, :, None]
    y = None
    for combo in itertools.product(*axes):
        valid = np.logical_and.reduce([tp[1] for tp in combo])
        flat = sum(np.clip(tp[0], 0, sz - 1) * st for tp, sz, st in zip(combo, size, strides))
        vals = _take(xf, (rows, chans, flat[:, None, :]))  # (n, c, m)
        w = _const(valid, x._data.dtype)
        for tp in combo:
            if tp[2] is not None:
                w = w * tp[2]
        term = vals * w.reshape(n, 1, m)
        y = term if y is None else y + term
    return y.reshape(n, c, *out)
