"""Pooling: max/avg pooling (1-D, 2-D) and adaptive avg/max pooling, as loops over kernel offsets.

Everything runs on an (n, c, h, w) view of the input (1-D inputs get h = 1, unbatched n = 1).
A window reduction is a short Python loop over the kh·kw kernel offsets, each step one strided
slice of the (padded) input of the output's shape — never a loop over elements. Max pooling keeps
the winning offset per output (a uint8 array; first maximum wins, as in PyTorch), from which the
flat input indices (``return_indices``) and the backward scatter are derived. Adaptive average
pooling is separable: ``out = A_h · x · A_wᵀ`` with averaging matrices built from PyTorch's
start = ⌊i·In/Out⌋, end = ⌈(i+1)·In/Out⌉ windows.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ..._fused import FLOATS
from ...autograd.function import CompositeDoubleBackward
from ...ops._util import Function, check_tensor, shape_str
from . import _composites_spatial as _spatial
from ._pool_kernels import max_pool_2x2, max_pool_2x2_backward
from ._split import split
from .conv import workspace

__all__ = [
    "max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d", "max_pool1d_with_indices",
    "max_pool2d_with_indices", "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
]  # fmt: skip


class _PGeom:
    """Window geometry of a 2-D pooling of (n, c, h, w): kernel, stride, dilation, pads, output size."""

    __slots__ = ("n", "c", "h", "w", "kh", "kw", "sh", "sw", "dh", "dw", "pt", "pl", "hp", "wp",
                 "ho", "wo", "oshape", "plain", "tiled")  # fmt: skip

    def __init__(self, x4: tuple[int, ...], k: tuple[int, int], s: tuple[int, int], p: tuple[int, int],
                 d: tuple[int, int], ceil: bool, oshape_prefix: tuple[int, ...], nd: int) -> None:  # fmt: skip
        self.n, self.c, self.h, self.w = x4
        (self.kh, self.kw), (self.sh, self.sw), (self.dh, self.dw) = k, s, d
        self.pt, self.pl = p
        self.ho, self.wo = (_out_len(i, kk, ss, pp, dd, ceil) for i, kk, ss, pp, dd in zip(x4[2:], k, s, p, d))
        # the padded extent must hold every window, including ceil_mode's overhanging last one
        self.hp = max(self.h + 2 * self.pt, (self.ho - 1) * self.sh + self.dh * (self.kh - 1) + 1)
        self.wp = max(self.w + 2 * self.pl, (self.wo - 1) * self.sw + self.dw * (self.kw - 1) + 1)
        self.plain = self.hp == self.h and self.wp == self.w  # no padding: slice the input itself
        # the windows tile the input exactly: the backward assigns instead of accumulating
        self.tiled = self.plain and (self.sh, self.sw) == k and d == (1, 1) and (self.h, self.w) == (self.ho * k[0], self.wo * k[1])
        self.oshape = (*oshape_prefix, self.wo) if nd == 1 else (*oshape_prefix, self.ho, self.wo)

    def slices(self) -> list[tuple[slice, slice]]:
        eh, ew = self.sh * (self.ho - 1) + 1, self.sw * (self.wo - 1) + 1
        return [
            (slice(i * self.dh, i * self.dh + eh, self.sh), slice(j * self.dw, j * self.dw + ew, self.sw))
            for i in range(self.kh)
            for j in range(self.kw)
        ]


_pgeom = lru_cache(maxsize=512)(_PGeom)
_slices = lru_cache(maxsize=512)(_PGeom.slices)


def _out_len(i: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    o = (i + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= i + p:
        o -= 1
    return o


def _padded(gm: _PGeom, x4: np.ndarray, fill: Any) -> np.ndarray:
    if gm.plain:
        return x4
    xp, new = workspace(("pool_pad", gm, fill), (gm.n, gm.c, gm.hp, gm.wp), x4.dtype)
    if new and fill != 0:  # the border keeps its fill between uses
        xp.fill(fill)
    xp[:, :, gm.pt : gm.pt + gm.h, gm.pl : gm.pl + gm.w] = x4
    return xp


class MaxPool2d(CompositeDoubleBackward, Function):
    """out = max over each window;  idx = offset of the first maximum.
    VJP: gx[window's argmax] += g."""

    composite = staticmethod(_spatial.max_pool2d)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, gm: _PGeom, xshape: tuple, return_indices: bool) -> Any:
        best, _ = workspace(("maxpool", gm), (gm.n, gm.c, gm.ho, gm.wo), x.dtype)
        ctx.gm, ctx.xshape, ctx.fused = gm, xshape, False
        kernel = _kernel_2x2(gm, x, max_pool_2x2)
        if kernel is not None:  # one pass (over slices of the n·c planes on the threads)
            idx = np.empty(best.shape, np.uint8)
            x3, b3, i3 = x.reshape(-1, gm.h, gm.w), best.reshape(-1, gm.ho, gm.wo), idx.reshape(-1, gm.ho, gm.wo)
            split(lambda r: kernel(x3[r], b3[r], i3[r]), len(x3), x.size, kernel=True)
            ctx.fused = True
            return _max_pool_result(ctx, gm, best, idx, return_indices)
        xp = _padded(gm, x.reshape(gm.n, gm.c, gm.h, gm.w), -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min)
        sl = _slices(gm)
        if not (ctx.needs_input_grad[0] or return_indices):

            def max_only(b: slice) -> None:
                np.copyto(best[b], xp[b, :, sl[0][0], sl[0][1]])
                for sy, sx in sl[1:]:
                    np.maximum(best[b], xp[b, :, sy, sx], out=best[b])

            split(max_only, gm.n, x.size)
            return best.reshape(gm.oshape)
        idx = np.zeros(best.shape, np.uint8 if len(sl) < 256 else np.int32)
        wins, step = np.empty(best.shape, bool), np.empty(best.shape, idx.dtype)

        def part(b: slice) -> None:  # the images b (split over threads)
            bb, ib, wb, sb = best[b], idx[b], wins[b], step[b]
            np.copyto(bb, xp[b, :, sl[0][0], sl[0][1]])
            for o, (sy, sx) in enumerate(sl[1:], 1):
                s = xp[b, :, sy, sx]
                np.greater(s, bb, out=wb)
                np.subtract(o, ib, out=sb, dtype=ib.dtype)  # idx += wins·(o − idx): plain ufuncs, no masked writes
                sb *= wb
                ib += sb
                np.maximum(bb, s, out=bb)

        split(part, gm.n, x.size)
        return _max_pool_result(ctx, gm, best, idx, return_indices)

    @staticmethod
    def backward(ctx: Any, g: np.ndarray, *_: Any) -> tuple[Any, ...]:
        (idx,) = ctx.saved_tensors
        gm = ctx.gm
        g4 = g.reshape(idx.shape)
        kernel = max_pool_2x2_backward.compiled if ctx.fused and g.dtype.name in FLOATS else None
        if kernel is not None:  # every element of the frame written once: g at the argmax, else 0
            gx, _ = workspace(("pool_gx", gm), (gm.n, gm.c, gm.h, gm.w), g.dtype)
            g3 = np.ascontiguousarray(g4).reshape(-1, gm.ho, gm.wo)
            i3, x3, zero = idx.reshape(g3.shape), gx.reshape(-1, gm.h, gm.w), g.dtype.type(0)
            split(lambda r: kernel(g3[r], i3[r], x3[r], zero), len(x3), gx.size, kernel=True)
            return gx.reshape(ctx.xshape), None, None, None
        gxp = _grad_frame(gm, g.dtype, zero=not gm.tiled)
        finite = bool(np.isfinite(g4).all())  # g·mask would turn ±inf into nan off the argmax
        mask = np.empty(idx.shape, bool)
        sl = _slices(gm)

        def part(b: slice) -> None:  # the images b (split over threads)
            mb, gb = mask[b], g4[b]
            for o, (sy, sx) in enumerate(sl):
                np.equal(idx[b], o, out=mb)
                share = np.multiply(gb, mb) if finite else np.where(mb, gb, 0)
                if gm.tiled:
                    gxp[b, :, sy, sx] = share
                else:
                    gxp[b, :, sy, sx] += share

        split(part, gm.n, gxp.size)
        return _crop(gm, gxp).reshape(ctx.xshape), None, None, None

    @staticmethod
    def jvp(ctx: Any, t: Any, *_: Any) -> Any:
        """ẏ = ẋ at each window's argmax (a gather, recorded under ``tensor_xp``)."""
        (idx,) = ctx.saved_tensors
        gm = ctx.gm
        idx = idx._data if hasattr(idx, "_data") else idx
        off = np.array([i * gm.dh * gm.w + j * gm.dw for i in range(gm.kh) for j in range(gm.kw)], np.int64)
        base = (np.arange(gm.ho) * gm.sh - gm.pt)[:, None] * gm.w + (np.arange(gm.wo) * gm.sw - gm.pl)
        flat = (off[idx] + base).reshape(gm.n * gm.c, gm.ho * gm.wo)
        rows = np.arange(gm.n * gm.c)[:, None]
        xp = ctx.xp
        picked = xp.take_at(xp.reshape(t, (gm.n * gm.c, gm.h * gm.w)), (rows, flat))
        return xp.reshape(picked, gm.oshape)


def _kernel_2x2(gm: _PGeom, x: np.ndarray, k: Any) -> Any:
    """The compiled kernel ``k`` when this pool is 2x2 with stride 2 over a C-contiguous float input
    without padding or dilation (``_pool_kernels``), else None (the NumPy passes run)."""
    if (gm.kh, gm.kw, gm.sh, gm.sw, gm.dh, gm.dw) != (2, 2, 2, 2, 1, 1) or not gm.plain:
        return None
    if x.dtype.name not in FLOATS or not x.flags.c_contiguous or x.size == 0:
        return None
    return k.compiled


def _max_pool_result(ctx: Any, gm: _PGeom, best: np.ndarray, idx: np.ndarray, return_indices: bool) -> Any:
    """Save the argmax offsets for the backward; the output (and the flat input indices if asked)."""
    ctx.save_for_backward(idx)
    out = best.reshape(gm.oshape)
    if not return_indices:
        return out
    off = np.array([i * gm.dh * gm.w + j * gm.dw for i in range(gm.kh) for j in range(gm.kw)], np.int64)
    base = (np.arange(gm.ho) * gm.sh - gm.pt)[:, None] * gm.w + (np.arange(gm.wo) * gm.sw - gm.pl)
    return out, (off[idx] + base).reshape(gm.oshape)


class AvgPool2d(CompositeDoubleBackward, Function):
    """out = Σ window / divisor  (divisor: window size, clipped as PyTorch, or divisor_override).
    VJP: gx[window] += g / divisor."""

    composite = staticmethod(_spatial.avg_pool2d)

    _array_op = True
    _jvp_linear = True  # JVP: ẏ = avg_pool(ẋ) (a linear map)

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, gm: _PGeom, xshape: tuple, div: Any) -> np.ndarray:
        xp = _padded(gm, x.reshape(gm.n, gm.c, gm.h, gm.w), 0)
        sl = _slices(gm)
        acc, _ = workspace(("avgpool", gm), (gm.n, gm.c, gm.ho, gm.wo), np.int64 if x.dtype.kind != "f" else x.dtype)
        np.copyto(acc, xp[:, :, sl[0][0], sl[0][1]])
        for sy, sx in sl[1:]:
            acc += xp[:, :, sy, sx]
        ctx.gm, ctx.xshape, ctx.div = gm, xshape, div
        if x.dtype.kind != "f":  # integer pooling truncates like C integer division
            return (np.sign(acc) * (np.abs(acc) // div)).astype(x.dtype).reshape(gm.oshape)
        acc /= div
        return acc.reshape(gm.oshape)

    @staticmethod
    def backward(ctx: Any, g: np.ndarray) -> tuple[Any, ...]:
        gm = ctx.gm
        gd = g.reshape(gm.n, gm.c, gm.ho, gm.wo) / ctx.div
        gxp = _grad_frame(gm, g.dtype, zero=not gm.tiled)
        for sy, sx in _slices(gm):
            if gm.tiled:
                gxp[:, :, sy, sx] = gd
            else:
                gxp[:, :, sy, sx] += gd
        return _crop(gm, gxp).reshape(ctx.xshape), None, None, None


def _grad_frame(gm: _PGeom, dtype: Any, zero: bool) -> np.ndarray:
    """The (padded) input-shaped array the backward scatters into (reused between steps)."""
    gxp, new = workspace(("pool_gx", gm), (gm.n, gm.c, gm.hp, gm.wp), dtype)
    if zero and not new:
        gxp.fill(0)
    return gxp


def _crop(gm: _PGeom, gxp: np.ndarray) -> np.ndarray:
    return gxp if gm.plain else gxp[:, :, gm.pt : gm.pt + gm.h, gm.pl : gm.pl + gm.w]


class AdaptiveAvgPool2d(CompositeDoubleBackward, Function):
    """out = A_h · x · A_wᵀ  (rows of A average PyTorch's adaptive windows).   VJP: gx = A_hᵀ · g · A_w."""

    composite = staticmethod(_spatial.adaptive_avg_pool2d)

    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents (a linear map)
    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, x4: tuple, out: tuple, oshape: tuple) -> np.ndarray:
        n, c, h, w = x4
        ho, wo = out
        ah, aw = _avg_matrix(h, ho, x.dtype), _avg_matrix(w, wo, x.dtype)
        ctx.shapes = (x.shape, x4, out)
        x = x.reshape(x4)
        y = x if aw is None else np.tensordot(x, aw, axes=([3], [1]))  # (n, c, h, wo)
        y = y if ah is None else np.tensordot(y, ah, axes=([2], [1])).transpose(0, 1, 3, 2)
        return y.reshape(oshape)

    @staticmethod
    def backward(ctx: Any, g: np.ndarray) -> tuple[Any, ...]:
        xshape, (n, c, h, w), (ho, wo) = ctx.shapes
        ah, aw = _avg_matrix(h, ho, g.dtype), _avg_matrix(w, wo, g.dtype)
        gx = g.reshape(n, c, ho, wo)
        gx = gx if aw is None else np.tensordot(gx, aw, axes=([3], [0]))  # (n, c, ho, w)
        gx = gx if ah is None else np.tensordot(gx, ah, axes=([2], [0])).transpose(0, 1, 3, 2)
        return gx.reshape(xshape), None, None, None


class AdaptiveMaxPool2d(CompositeDoubleBackward, Function):
    """out = max over each adaptive window;  idx = flat input index of the first maximum.
    VJP: gx[idx] += g."""

    composite = staticmethod(_spatial.adaptive_max_pool2d)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, x4: tuple, out: tuple, oshape: tuple) -> Any:
        n, c, h, w = x4
        (rs, rl), (cs, cl) = _windows(h, out[0]), _windows(w, out[1])
        xf = x.reshape(n, c, h * w)
        best = idx = None
        for a in range(int(rl.max())):
            rows = rs + np.minimum(a, rl - 1)  # short windows repeat their last element: it never wins twice
            for b in range(int(cl.max())):
                cand = rows[:, None] * w + (cs + np.minimum(b, cl - 1))
                s = xf[:, :, cand]
                if best is None:
                    best, idx = s, np.broadcast_to(cand, s.shape).copy()
                    continue
                np.copyto(idx, cand, where=s > best)
                np.maximum(best, s, out=best)
        ctx.shapes = (x.shape, x4)
        ctx.save_for_backward(idx)
        return best.reshape(oshape), idx.reshape(oshape)

    @staticmethod
    def backward(ctx: Any, g: np.ndarray, *_: Any) -> tuple[Any, ...]:
        (idx,) = ctx.saved_tensors
        xshape, (n, c, h, w) = ctx.shapes
        flat = (idx + (np.arange(n * c) * (h * w)).reshape(n, c, 1, 1)).ravel()
        gx = np.bincount(flat, weights=g.reshape(-1), minlength=n * c * h * w).astype(g.dtype)
        return gx.reshape(xshape), None, None, None


@lru_cache(maxsize=256)
def _windows(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    return start, end - start


@lru_cache(maxsize=256)
def _avg_matrix(size: int, out: int, dtype: Any) -> np.ndarray | None:
    if size == out:
        return None
    start, length = _windows(size, out)
    cols = np.arange(size)
    inside = (cols >= start[:, None]) & (cols < (start + length)[:, None])
    return (inside / length[:, None]).astype(dtype)


# --- argument handling ---------------------------------------------------------------------------
def _tuple(v: Any, n: int, name: str, op: str) -> tuple[int, ...]:
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            v = tuple(v) * n
        if len(v) != n or not all(isinstance(e, (int, np.integer)) for e in v):
            raise RuntimeError(f"{op}: {name} must be a single int or a tuple of {n} ints; expected {n} ints, got {list(v)}")  # fmt: skip
        return tuple(int(e) for e in v)
    if not isinstance(v, (int, np.integer)):
        raise TypeError(f"{op}: {name} must be an int or a tuple of {n} ints; expected int, got {type(v).__name__}")
    return (int(v),) * n


def _input4(op: str, x: Any, nd: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(n, c, h, w) view of the input and the leading (batch, channel) dims of the output."""
    check_tensor(x, op)
    shape = x._data.shape
    if len(shape) not in (nd + 1, nd + 2) or 0 in shape[-nd - 1 :]:
        spatial = "L" if nd == 1 else "H, W"
        raise RuntimeError(
            f"{op}: expected a non-empty {nd + 1}D (unbatched) or {nd + 2}D (batched) input; expected "
            f"[N, C, {spatial}] or [C, {spatial}], got input of size: {shape_str(shape)}"
        )
    s = shape if len(shape) == nd + 2 else (1, *shape)
    x4 = (s[0], s[1], 1, s[2]) if nd == 1 else tuple(s)
    return x4, shape[:-nd]


def _geometry(op: str, nd: int, x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
              ceil_mode: bool) -> tuple[_PGeom, tuple[int, ...]]:  # fmt: skip
    x4, prefix = _input4(op, x, nd)
    k = _tuple(kernel_size, nd, "kernel_size", op)
    s = k if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else _tuple(stride, nd, "stride", op)
    p = _tuple(padding, nd, "padding", op)
    d = _tuple(dilation, nd, "dilation", op)
    if min(k) <= 0 or min(s) <= 0 or min(d) <= 0:
        raise RuntimeError(f"{op}: kernel_size, stride and dilation must be greater than zero; expected > 0, got kernel_size={list(k)}, stride={list(s)}, dilation={list(d)}")  # fmt: skip
    for pp, kk, dd in zip(p, k, d):
        if pp < 0 or pp > ((kk - 1) * dd + 1) // 2:
            raise RuntimeError(f"{op}: pad should be at most half of effective kernel size; expected 0 <= pad <= {((kk - 1) * dd + 1) // 2}, got pad={pp}, kernel_size={kk} and dilation={dd}")  # fmt: skip
    if nd == 1:
        k, s, p, d = (1, k[0]), (1, s[0]), (0, p[0]), (1, d[0])
    gm = _pgeom(x4, k, s, p, d, bool(ceil_mode), prefix, nd)
    if gm.ho <= 0 or gm.wo <= 0:
        size = "x".join(map(str, x4[1:] if nd == 2 else (x4[1], x4[3])))
        osize = "x".join(map(str, (gm.c, gm.ho, gm.wo) if nd == 2 else (gm.c, gm.wo)))
        raise RuntimeError(f"{op}: Given input size: ({size}). Calculated output size: ({osize}). Output size is too small; expected a larger input or smaller kernel, got input {shape_str(x._data.shape)}")  # fmt: skip
    return gm, x._data.shape


def _max_pool(op: str, nd: int, input: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any,  # noqa: A002
              ceil_mode: bool, return_indices: bool) -> Any:  # fmt: skip
    gm, xshape = _geometry(op, nd, input, kernel_size, stride, padding, dilation, ceil_mode)
    return MaxPool2d.apply(input, gm, xshape, bool(return_indices))


def max_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,  # noqa: A002
               ceil_mode: bool = False, return_indices: bool = False) -> Any:  # fmt: skip
    """Max over sliding windows of (N, C, L) or (C, L); optionally also the flat argmax indices."""
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,  # noqa: A002
               ceil_mode: bool = False, return_indices: bool = False) -> Any:  # fmt: skip
    """Max over sliding windows of (N, C, H, W) or (C, H, W); optionally also the flat argmax indices."""
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _avg_pool(op: str, nd: int, input: Any, kernel_size: Any, stride: Any, padding: Any, ceil_mode: bool,  # noqa: A002
              count_include_pad: bool, divisor_override: Any) -> Any:  # fmt: skip
    gm, xshape = _geometry(op, nd, input, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError(f"{op}: divisor must be not zero; expected a non-zero divisor_override, got 0")
        div: Any = divisor_override
    else:
        div = _divisor(gm, bool(count_include_pad), input._data.dtype)
    return AvgPool2d.apply(input, gm, xshape, div)


@lru_cache(maxsize=256)
def _divisor(gm: _PGeom, include_pad: bool, dtype: Any) -> Any:
    """PyTorch's per-window divisor: the window clipped to the padded input (include_pad) or to the input."""
    def one(i: int, o: int, k: int, s: int, p: int) -> np.ndarray:
        start = np.arange(o) * s - p
        end = np.minimum(start + k, i + p)
        return end - start if include_pad else np.minimum(end, i) - np.maximum(start, 0)

    div = one(gm.h, gm.ho, gm.kh, gm.sh, gm.pt)[:, None] * one(gm.w, gm.wo, gm.kw, gm.sw, gm.pl)[None, :]
    if (div == div.flat[0]).all():
        return int(div.flat[0])
    return div.astype(dtype) if dtype.kind == "f" else div


def avg_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,  # noqa: A002
               count_include_pad: bool = True) -> Any:  # fmt: skip
    """Mean over sliding windows of (N, C, L) or (C, L)."""
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,  # noqa: A002
               count_include_pad: bool = True, divisor_override: int | None = None) -> Any:  # fmt: skip
    """Mean over sliding windows of (N, C, H, W) or (C, H, W)."""
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)  # fmt: skip


def _adaptive(op: str, nd: int, input: Any, output_size: Any) -> tuple[tuple, tuple, tuple]:  # noqa: A002
    x4, prefix = _input4(op, input, nd)
    if op.startswith("adaptive_avg") and input._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: not implemented for integer inputs; expected a floating dtype, got {input.dtype}")
    if isinstance(output_size, (list, tuple)):
        if len(output_size) != nd:
            raise RuntimeError(f"{op}: output_size must be {nd}; expected {nd} sizes, got {list(output_size)}")
        sizes = tuple(output_size)
    else:
        sizes = (output_size,) * nd
    spatial = x4[4 - nd :]
    out = tuple(sp if o is None else int(o) for o, sp in zip(sizes, spatial))
    if min(out) < 0 or (min(out) == 0 and x4[0] * x4[1]):
        raise RuntimeError(f"{op}: output_size must be positive; expected sizes > 0, got {list(sizes)}")
    if nd == 1:
        out = (1, out[0])
    oshape = (*prefix, *out[2 - nd :])
    return x4, out, oshape


def adaptive_avg_pool1d(input: Any, output_size: Any) -> Any:  # noqa: A002
    """Mean over ``output_size`` adaptive windows of the last dim of (N, C, L) or (C, L)."""
    return AdaptiveAvgPool2d.apply(input, *_adaptive("adaptive_avg_pool1d", 1, input, output_size))


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Any:  # noqa: A002
    """Mean over adaptive windows giving an output of ``output_size`` (None keeps the input size)."""
    return AdaptiveAvgPool2d.apply(input, *_adaptive("adaptive_avg_pool2d", 2, input, output_size))


def _adaptive_max(op: str, nd: int, input: Any, output_size: Any, return_indices: bool) -> Any:  # noqa: A002
    x4, out, oshape = _adaptive(op, nd, input, output_size)
    h, w = x4[2:]
    if h % out[0] == 0 and w % out[1] == 0:  # equal windows: the (faster) ordinary max pool
        gm = _pgeom(x4, (h // out[0], w // out[1]), (h // out[0], w // out[1]), (0, 0), (1, 1), False, oshape[:-nd], nd)
        res = MaxPool2d.apply(input, gm, input._data.shape, bool(return_indices))
    else:
        res = AdaptiveMaxPool2d.apply(input, x4, out, oshape)
        if not return_indices:
            res = res[0]
    return tuple(res) if return_indices else res


def adaptive_max_pool1d(input: Any, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    """Max over ``output_size`` adaptive windows of (N, C, L) or (C, L)."""
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Any, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    """Max over adaptive windows giving an output of ``output_size`` (None keeps the input size)."""
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, return_indices)


def max_pool1d_with_indices(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
                            dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:  # fmt: skip
    """``max_pool1d`` that always returns ``(values, indices)``."""
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
                            dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:  # fmt: skip
    """``max_pool2d`` that always returns ``(values, indices)``."""
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input: Any, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    """``adaptive_max_pool1d`` that always returns ``(values, indices)``."""
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input: Any, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    """``adaptive_max_pool2d`` that always returns ``(values, indices)``."""
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, True)
