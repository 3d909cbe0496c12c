"""Convolutions: conv1d, conv2d, conv_transpose1d, conv_transpose2d — im2col by stride tricks + one GEMM.

Every convolution is computed in 2-D on a (N, C, H, W) view (1-D inputs get H = 1, unbatched
inputs N = 1). The input is copied once, channel-major, into a zero-padded buffer ``xp`` of shape
(C, N, Hp, Wp). The patch matrix ``cols`` (K = C·kh·kw rows, T columns) is a strided view of it,
copied once, and the output is a single GEMM ``W (O, K) @ cols (K, T)``.

* stride 1 ("wide" layout): the columns are all T = N·Hp·Wp positions of the flattened buffer, so
  the kernel offset (i, j) is a plain 1-D shift ``i·dh·Wp + j·dw``: building ``cols`` and the
  col2im of the backward are kh·kw contiguous slice copies/adds. Outputs at the kh-1 / kw-1
  border positions are junk and dropped (their upstream gradient is set to 0). Measured against
  computing only the Ho·Wp row positions (less GEMM work, but strided copies): see bench/conv_notes.md.
* stride > 1: the columns are the N·Ho·Wo output positions, patches via ``as_strided``.

A transposed convolution is the input-gradient of a convolution, and its backward is the
convolution itself, so both use the same four helpers (``_cols``, ``_unwide``, ``_wide``, ``_col2im``).
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ...autograd.function import CompositeDoubleBackward
from ...ops._util import Function, check_tensor, shape_str
from . import _composites
from . import _composites_spatial as _spatial
from . import _conv_exact as _exact
from ._split import matmul, split, split_blas

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]

_WS: dict[tuple[Any, ...], list[np.ndarray]] = {}
_WS_MIN_BYTES = 1 << 16


def workspace(key: tuple[Any, ...], shape: tuple[int, ...], dtype: Any) -> tuple[np.ndarray, bool]:
    """A scratch array for ``key`` that nothing else references any more, and whether it is new (zeros).

    Large temporaries are otherwise mmap-ed and page-faulted afresh at every step. An array is
    handed out again only once every view of it (an output tensor, a saved tensor, a gradient)
    is gone, which ``sys.getrefcount`` tells: 3 = the pool's list, the loop name, the call's arg.
    """
    if np.prod(shape) * np.dtype(dtype).itemsize < _WS_MIN_BYTES:
        return np.zeros(shape, dtype), True
    key = (*key, shape, dtype)
    arrays = _WS.get(key)
    if arrays is None:
        if len(_WS) >= 128:  # forget the oldest shapes (e.g. a smaller last batch)
            del _WS[next(iter(_WS))]
        arrays = _WS[key] = []
    for a in arrays:
        if sys.getrefcount(a) == 3:
            return a, False
    a = np.zeros(shape, dtype)
    if len(arrays) < 4:
        arrays.append(a)
    return a, True


class _Geom:
    """Shapes of a 2-D convolution of input (n, c, h, w) to output (n, o, ho, wo) (hashable via the cache)."""

    __slots__ = ("n", "c", "h", "w", "kh", "kw", "sh", "sw", "dh", "dw", "pt", "pl", "hp", "wp",
                 "ho", "wo", "wide", "t", "ms", "groups", "hs", "ws", "base", "blen")  # fmt: skip

    def __init__(self, n: int, c: int, h: int, w: int, k: tuple[int, int], s: tuple[int, int],
                 d: tuple[int, int], pads: tuple[int, int, int, int], ho: int, wo: int, groups: int) -> None:  # fmt: skip
        self.n, self.c, self.h, self.w = n, c, h, w
        (self.kh, self.kw), (self.sh, self.sw), (self.dh, self.dw) = k, s, d
        pt, pb, pl, pr = pads
        self.pt, self.pl, self.hp, self.wp = pt, pl, h + pt + pb, w + pl + pr
        self.ho, self.wo, self.groups = ho, wo, groups
        # Neighbouring rows (and images) share their zero borders: a row of the flat buffer is
        # ws = w + max(pl, pr) long (the right pad of one row is the left pad of the next) and an
        # image hs = h + max(pt, pb) rows, but never shorter than an output row/image.
        hs, ws = max(h + max(pt, pb), ho), max(w + max(pl, pr), wo)
        # The wide layout has hs·ws columns per image instead of ho·wo: worth it for small kernels only.
        # A kernel nearly as large as the image (a weight gradient written as a convolution of the input
        # with the output gradient) would make the patch matrix hundreds of times larger than needed.
        self.wide = s == (1, 1) and hs * ws <= 4 * ho * wo
        if self.wide:
            self.hs, self.ws = hs, ws
            self.t = n * self.hs * self.ws
            self.ms = self.dh * (self.kh - 1) * self.ws + self.dw * (self.kw - 1)
            self.base = pt * self.ws + pl  # flat position of input pixel (0, 0, 0)
            self.blen = max(self.t + self.ms, self.base + self.t)
        else:
            self.t, self.ms = n * ho * wo, 0
            self.hs = self.ws = self.base = self.blen = 0


geom = lru_cache(maxsize=512)(_Geom)


@lru_cache(maxsize=16)
def _ones(n: int, dtype: Any) -> np.ndarray:
    a = np.ones(n, dtype)
    a.flags.writeable = False
    return a


def _cols(gm: _Geom, x: np.ndarray) -> np.ndarray:
    """Patch matrix (c·kh·kw, T) of the input x (n, c, h, w), any strides."""
    c, kh, kw, t = gm.c, gm.kh, gm.kw, gm.t
    xt = x.transpose(1, 0, 2, 3)
    if gm.wide:
        if kh == kw == 1 and gm.hs == gm.h and gm.ws == gm.w:  # 1x1 kernel: the input itself
            cols, _ = workspace(("cols", gm), (c, t), x.dtype)
            np.copyto(cols.reshape(xt.shape), xt)  # a copy: saved for backward, safe from in-place edits
            return cols
        buf, _ = workspace(("xpad", gm), (c, gm.blen), x.dtype)  # the border stays zero between uses
        inner = buf[:, gm.base : gm.base + t].reshape(c, gm.n, gm.hs, gm.ws)[:, :, : gm.h, : gm.w]
        split(lambda b: np.copyto(inner[:, b], xt[:, b]), gm.n, x.size)
        s0, s1 = buf.strides
        v = as_strided(buf, (c, kh, kw, t), (s0, gm.dh * gm.ws * s1, gm.dw * s1, s1), writeable=False)
        cols, _ = workspace(("cols", gm), (c * kh * kw, t), x.dtype)
        c4 = cols.reshape(c, kh, kw, t)
        split(lambda p: np.copyto(c4[..., p], v[..., p]), t, cols.size)  # each slice reads the filled buffer
        return cols
    if gm.hp == gm.h and gm.wp == gm.w:
        xp = xt
    else:
        xp, _ = workspace(("xpad", gm), (c, gm.n, gm.hp, gm.wp), x.dtype)
        xp[:, :, gm.pt : gm.pt + gm.h, gm.pl : gm.pl + gm.w] = xt
    sc, sn, sy, sx = xp.strides
    v = as_strided(xp, (c, kh, kw, gm.n, gm.ho, gm.wo),
                   (sc, gm.dh * sy, gm.dw * sx, sn, gm.sh * sy, gm.sw * sx), writeable=False)  # fmt: skip
    cols, _ = workspace(("cols", gm), (c * kh * kw, t), x.dtype)
    np.copyto(cols.reshape(c, kh, kw, gm.n, gm.ho, gm.wo), v)
    return cols


def _unwide(gm: _Geom, y: np.ndarray) -> np.ndarray:
    """GEMM result (o, T) as the output (n, o, ho, wo) (a strided view)."""
    o = y.shape[0]
    if gm.wide:
        return y.reshape(o, gm.n, gm.hs, gm.ws)[:, :, : gm.ho, : gm.wo].transpose(1, 0, 2, 3)
    return y.reshape(o, gm.n, gm.ho, gm.wo).transpose(1, 0, 2, 3)


def _wide(gm: _Geom, g: np.ndarray) -> np.ndarray:
    """Output-shaped g (n, o, ho, wo) as a (o, T) matrix, zero at the junk columns."""
    o = g.shape[1]
    gt = g.transpose(1, 0, 2, 3)
    if gm.wide and (gm.hs != gm.ho or gm.ws != gm.wo):
        buf, _ = workspace(("gwide", gm), (o, gm.n, gm.hs, gm.ws), g.dtype)  # junk columns stay zero
        inner = buf[:, :, : gm.ho, : gm.wo]
        split(lambda b: np.copyto(inner[:, b], gt[:, b]), gm.n, g.size)
        return buf.reshape(o, gm.t)
    buf, _ = workspace(("gwide", gm), gt.shape, g.dtype)
    split(lambda b: np.copyto(buf[:, b], gt[:, b]), gm.n, g.size)
    return buf.reshape(o, gm.t)


def _col2im(gm: _Geom, gc: np.ndarray) -> np.ndarray:
    """Adjoint of ``_cols``: sum the patch gradients (c·kh·kw, T) back into an (n, c, h, w) view."""
    c, kh, kw, t, n = gm.c, gm.kh, gm.kw, gm.t, gm.n
    if gm.wide:
        if kh == kw == 1 and gm.hs == gm.h and gm.ws == gm.w:
            return gc.reshape(c, n, gm.h, gm.w).transpose(1, 0, 2, 3)
        buf, _ = workspace(("col2im", gm), (c, gm.blen), gc.dtype)
        g4 = gc.reshape(c, kh, kw, t)
        shifts = [(i, j, i * gm.dh * gm.ws + j * gm.dw) for i in range(kh) for j in range(kw)]

        def part(p: slice) -> None:  # the positions p of buf: offset (0, 0) is copied, the others added
            a, e = p.start, p.stop
            buf[:, a : max(a, min(e, t))] = g4[:, 0, 0, a : min(e, t)]
            buf[:, max(a, t) : e] = 0
            for i, j, s in shifts[1:]:
                lo, hi = max(a, s), min(e, s + t)
                if lo < hi:
                    buf[:, lo:hi] += g4[:, i, j, lo - s : hi - s]

        split(part, gm.blen, buf.size)
        return buf[:, gm.base : gm.base + t].reshape(c, n, gm.hs, gm.ws)[:, :, : gm.h, : gm.w].transpose(1, 0, 2, 3)
    xp, new = workspace(("col2im", gm), (c, n, gm.hp, gm.wp), gc.dtype)
    if not new:
        xp.fill(0)
    g6 = gc.reshape(c, kh, kw, n, gm.ho, gm.wo)
    eh, ew = gm.sh * (gm.ho - 1) + 1, gm.sw * (gm.wo - 1) + 1
    for i in range(kh):
        for j in range(kw):
            y0, x0 = i * gm.dh, j * gm.dw
            xp[:, :, y0 : y0 + eh : gm.sh, x0 : x0 + ew : gm.sw] += g6[:, i, j]
    return xp[:, :, gm.pt : gm.pt + gm.h, gm.pl : gm.pl + gm.w].transpose(1, 0, 2, 3)


def _mm(a: np.ndarray, b: np.ndarray, groups: int, ta: bool = False, tb: bool = False, key: Any = None) -> np.ndarray:
    """(opt. transposed) a @ b per group: a, b are 2-D with the group as the leading block of rows.

    With ``key`` the product is written into a reused workspace array.
    """
    if groups == 1:
        a2, b2 = (a.T if ta else a), (b.T if tb else b)
        if key is None:
            return a2 @ b2
        out, _ = workspace(key, (a2.shape[0], b2.shape[1]), np.result_type(a, b))
        return matmul(a2, b2, out)  # in column blocks over the threads
    a3 = a.reshape(groups, -1, a.shape[1])
    b3 = b.reshape(groups, -1, b.shape[1])
    r = np.matmul(a3.transpose(0, 2, 1) if ta else a3, b3.transpose(0, 2, 1) if tb else b3)
    return r.reshape(-1, r.shape[2])


# Weight gradient in column blocks when the patch matrix has few rows: a block's two operands,
# (K + O)·block floats, stay in a core's L2 cache (measured: 32 channels from 1, 9 rows by 53,824
# columns, 1.25 ms as one GEMM vs 0.44 ms in blocks of 1,598; no gain from 144 rows on)
_GW_BLOCK = 1 << 16
_GW_MAX_ROWS = 72


def _weight_grad(cols: np.ndarray, g2: np.ndarray) -> np.ndarray:
    """gW (O, K) = g2 (O, T) @ colsᵀ (T, K): one GEMM, or for few rows K a sum of column-block GEMMs."""
    k, t = cols.shape
    o = g2.shape[0]
    block = _GW_BLOCK // (k + o)
    dtype = np.result_type(cols, g2)
    if k > _GW_MAX_ROWS or t < 8 * block:  # (cols @ g2ᵀ)ᵀ: this orientation of the long-K GEMM runs ~10 % faster
        return np.ascontiguousarray(matmul(cols, g2.T, np.empty((k, o), dtype), by_rows=True).T)
    parts = np.empty((-(-t // block), k, o), dtype)

    def blocks(bs: slice) -> None:
        for i in range(bs.start, bs.stop):
            np.matmul(cols[:, i * block : (i + 1) * block], g2[:, i * block : (i + 1) * block].T, out=parts[i])

    split_blas(blocks, len(parts), k * o * t, min_block=1)
    return np.ascontiguousarray(parts.sum(0).T)


class ConvNd(CompositeDoubleBackward, Function):
    """out = W ⋆ x + b  as  y = W(o, K) @ cols(K, T) + b,  cols = im2col(x).
    VJP: gW = g(o, T) @ colsᵀ,  gx = col2im(Wᵀ @ g),  gb = Σ g over (n, h, w)."""

    composite = staticmethod(_composites.conv)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, w: np.ndarray, b: Any, gm: _Geom, shapes: tuple) -> np.ndarray:
        x4 = x.reshape(shapes[1])
        wm = w.reshape(w.shape[0], -1)
        ctx.exact = _exact.usable(gm, x4)  # compiled patch kernels: one column per output position
        cols = _exact.cols(gm, x4, workspace) if ctx.exact else _cols(gm, x4)
        y = _mm(wm, cols, gm.groups, key=("y", gm))
        ctx.gm, ctx.shapes = gm, shapes
        need = ctx.needs_input_grad
        ctx.save_for_backward(cols if need[1] else None, w if need[0] else None)
        out, _ = workspace(("out", gm), (gm.n, y.shape[0], gm.ho, gm.wo), y.dtype)
        if ctx.exact:
            _exact.output(gm, y, b, out)
            return out.reshape(shapes[2])
        # NCHW-contiguous like PyTorch (later elementwise ops run faster); the bias is added to the
        # GEMM result first, where the rows are long (adding it during the strided copy is 3x slower)
        y = np.ascontiguousarray(y)  # (it is) so that both reshapes below are views of the same memory
        view, y3 = _unwide(gm, y), y.reshape(y.shape[0], gm.n, gm.t // max(gm.n, 1))

        def part(rows: slice) -> None:
            if b is not None:
                np.add(y3[:, rows], b[:, None, None], out=y3[:, rows])
            np.copyto(out[rows], view[rows])

        split(part, gm.n, out.size)
        return out.reshape(shapes[2])

    @staticmethod
    def backward(ctx: Any, g: np.ndarray) -> tuple[Any, ...]:
        cols, w = ctx.saved_tensors
        gm, need = ctx.gm, ctx.needs_input_grad
        xshape, wshape = ctx.shapes[0], ctx.shapes[3]
        g4 = g.reshape(gm.n, wshape[0], gm.ho, gm.wo)
        g2 = _exact.grad_matrix(gm, g4, workspace) if ctx.exact else _wide(gm, g4)
        gx = gw = gb = None
        if need[0]:
            gc = _mm(w.reshape(wshape[0], -1), g2, gm.groups, ta=True, key=("gcols", gm))
            gx = (_exact.col2im(gm, gc, workspace) if ctx.exact else _col2im(gm, gc)).reshape(xshape)
        if need[1]:
            if gm.groups == 1:
                gw = _weight_grad(cols, g2).reshape(wshape)
            else:
                gw = _mm(g2, cols, gm.groups, tb=True).reshape(wshape)
        if need[2]:
            ones = _ones(g2.shape[1], g2.dtype)  # a matrix-vector product: ~3x faster than g2.sum(1)
            gb = np.empty(g2.shape[0], g2.dtype)
            split_blas(lambda _: np.matmul(g2, ones, out=gb), 1, 0)  # one call, BLAS on one thread
        return gx, gw, gb, None, None


class ConvTransposeNd(CompositeDoubleBackward, Function):
    """out = col2im(Wᵀ @ x) + b  (the input-gradient of a convolution with weight W).
    VJP: gx = W @ im2col(g),  gW = x(cin, T) @ im2col(g)ᵀ,  gb = Σ g over (n, h, w)."""

    composite = staticmethod(_spatial.conv_transpose)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, w: np.ndarray, b: Any, gm: _Geom, shapes: tuple) -> np.ndarray:
        x2 = _wide(gm, x.reshape(shapes[1]))
        view = _col2im(gm, _mm(w.reshape(w.shape[0], -1), x2, gm.groups, ta=True, key=("gcols", gm)))
        out, _ = workspace(("out", gm), view.shape, view.dtype)
        if b is None:
            np.copyto(out, view)
        else:
            np.add(view, b[:, None, None], out=out)
        ctx.gm, ctx.shapes = gm, shapes
        need = ctx.needs_input_grad
        ctx.save_for_backward(x2 if need[1] else None, w if need[0] else None)
        return out.reshape(shapes[2])

    @staticmethod
    def backward(ctx: Any, g: np.ndarray) -> tuple[Any, ...]:
        x2, w = ctx.saved_tensors
        gm, need = ctx.gm, ctx.needs_input_grad
        xshape, wshape = ctx.shapes[0], ctx.shapes[3]
        g4 = g.reshape(gm.n, gm.c, gm.h, gm.w)
        cols = _cols(gm, g4) if need[0] or need[1] else None
        gx = gw = gb = None
        if need[0]:
            gx = _unwide(gm, _mm(w.reshape(wshape[0], -1), cols, gm.groups, key=("y", gm))).reshape(xshape)
        if need[1]:
            gw = _mm(x2, cols, gm.groups, tb=True).reshape(wshape)
        if need[2]:
            gb = g4.sum((0, 2, 3))
        return gx, gw, gb, None, None


# --- argument handling ---------------------------------------------------------------------------
def _tuple(v: Any, n: int, name: str, op: str) -> tuple[int, ...]:
    if isinstance(v, (list, tuple)):
        if len(v) == 1 and n > 1:
            v = tuple(v) * n
        if len(v) != n or not all(isinstance(e, (int, np.integer)) for e in v):
            raise RuntimeError(
                f"{op}: expected {name} to be a single integer value or a list of {n} values to match "
                f"the convolution dimensions; expected {n} ints, got {name}={list(v)}"
            )
        return tuple(int(e) for e in v)
    if not isinstance(v, (int, np.integer)):
        raise TypeError(f"{op}: {name} must be an int or a tuple of {n} ints, got {type(v).__name__}")
    return (int(v),) * n


def _check_common(op: str, x: Any, w: Any, b: Any, nd: int) -> None:
    check_tensor(x, op)
    check_tensor(w, op, "weight")
    xs, ws = x._data.shape, w._data.shape
    if x._data.ndim not in (nd + 1, nd + 2):
        dims = "L" if nd == 1 else "H, W"
        raise RuntimeError(
            f"{op}: expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}; expected "
            f"[N, C, {dims}] or [C, {dims}], got input of size: {shape_str(xs)}"
        )
    if w._data.ndim != nd + 2:
        raise RuntimeError(f"{op}: weight must be {nd + 2}-D; expected [out, in/groups, *kernel], got {shape_str(ws)}")
    if x._data.dtype.kind != "f" or x._data.dtype != w._data.dtype:
        raise RuntimeError(
            f"{op}: input and weight must have the same floating dtype; expected {w.dtype}, got {x.dtype} "
            "(convert with .float() or .to(weight.dtype))"
        )
    if b is not None:
        check_tensor(b, op, "bias")
        if b._data.dtype != w._data.dtype:
            raise RuntimeError(f"{op}: bias dtype must match weight; expected {w.dtype}, got {b.dtype}")


def _as4(shape: tuple[int, ...], nd: int) -> tuple[int, int, int, int]:
    """(n, c, h, w) of a batched/unbatched 1-D or 2-D input shape."""
    s = shape if len(shape) == nd + 2 else (1, *shape)
    return (s[0], s[1], 1, s[2]) if nd == 1 else (s[0], s[1], s[2], s[3])


def _convnd(op: str, nd: int, input: Any, weight: Any, bias: Any, stride: Any, padding: Any,  # noqa: A002
            dilation: Any, groups: int) -> Any:  # fmt: skip
    _check_common(op, input, weight, bias, nd)
    xs, ws = input._data.shape, weight._data.shape
    s = _tuple(stride, nd, "stride", op)
    d = _tuple(dilation, nd, "dilation", op)
    if min(s) <= 0:
        raise RuntimeError(f"{op}: non-positive stride is not supported; expected stride >= 1, got {list(s)}")
    if min(d) <= 0:
        raise RuntimeError(f"{op}: non-positive dilation is not supported; expected dilation >= 1, got {list(d)}")
    if not isinstance(groups, (int, np.integer)) or groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported; expected groups >= 1, got {groups}")
    k = ws[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * nd
        elif padding == "same":
            if any(e != 1 for e in s):
                raise RuntimeError(f"{op}: padding='same' is not supported for strided convolutions; expected stride 1, got {list(s)}")
            pads = [(dd * (kk - 1) // 2, dd * (kk - 1) - dd * (kk - 1) // 2) for dd, kk in zip(d, k)]
        else:
            raise RuntimeError(f"{op}: Invalid padding string: '{padding}'; expected 'same' or 'valid', got '{padding}'")
    else:
        p = _tuple(padding, nd, "padding", op)
        if min(p) < 0:
            raise RuntimeError(f"{op}: negative padding is not supported; expected padding >= 0, got {list(p)}")
        pads = [(e, e) for e in p]
    n, c, h, w = _as4(xs, nd)
    o = ws[0]
    if o % groups:
        raise RuntimeError(f"{op}: weight out-channels must be divisible by groups={groups}; expected a multiple of {groups}, got weight of size {shape_str(ws)}")  # fmt: skip
    if c != ws[1] * groups:
        raise RuntimeError(
            f"{op}: Given groups={groups}, weight of size {shape_str(ws)}, expected input{shape_str(xs)} to "
            f"have {ws[1] * groups} channels; expected {ws[1] * groups} channels, got {c} channels instead"
        )
    if bias is not None and bias._data.shape != (o,):
        raise RuntimeError(f"{op}: bias must be 1-D with one value per output channel; expected [{o}], got {shape_str(bias._data.shape)}")  # fmt: skip
    if nd == 1:
        k, s, d, pads = (1, k[0]), (1, s[0]), (1, d[0]), [(0, 0), pads[0]]
    spatial = (h, w)
    eff = [dd * (kk - 1) + 1 for dd, kk in zip(d, k)]
    padded = [sp + a + bb for sp, (a, bb) in zip(spatial, pads)]
    if any(pz < e for pz, e in zip(padded, eff)):
        pin, ks = (padded[1:], eff[1:]) if nd == 1 else (padded, eff)
        raise RuntimeError(
            f"{op}: Calculated padded input size per channel: ({' x '.join(map(str, pin))}). Kernel size: "
            f"({' x '.join(map(str, ks))}). Kernel size can't be greater than actual input size; expected "
            f"padded input >= kernel, got input {shape_str(xs)}"
        )
    ho, wo = ((pz - e) // st + 1 for pz, e, st in zip(padded, eff, s))
    gm = geom(n, c, h, w, tuple(k), tuple(s), tuple(d), (*pads[0], *pads[1]), ho, wo, int(groups))
    oshape = ((n,) if len(xs) == nd + 2 else ()) + (o,) + ((wo,) if nd == 1 else (ho, wo))
    shapes = (xs, (n, c, h, w), oshape, ws)
    return ConvNd.apply(input, weight, bias, gm, shapes)


def conv1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
           dilation: Any = 1, groups: int = 1) -> Any:  # fmt: skip
    """1-D cross-correlation of (N, C, L) or (C, L) with weight (out, C/groups, k)."""
    return _convnd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
           dilation: Any = 1, groups: int = 1) -> Any:  # fmt: skip
    """2-D cross-correlation of (N, C, H, W) or (C, H, W) with weight (out, C/groups, kh, kw)."""
    return _convnd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def _conv_transposend(op: str, nd: int, input: Any, weight: Any, bias: Any, stride: Any, padding: Any,  # noqa: A002
                      output_padding: Any, groups: int, dilation: Any) -> Any:  # fmt: skip
    _check_common(op, input, weight, bias, nd)
    xs, ws = input._data.shape, weight._data.shape
    s = _tuple(stride, nd, "stride", op)
    d = _tuple(dilation, nd, "dilation", op)
    if isinstance(padding, str):
        raise TypeError(f"{op}: padding must be an int or a tuple of ints; expected int, got '{padding}'")
    p = _tuple(padding, nd, "padding", op)
    op_ = _tuple(output_padding, nd, "output_padding", op)
    if min(s) <= 0 or min(d) <= 0:
        raise RuntimeError(f"{op}: non-positive stride or dilation is not supported; expected >= 1, got stride={list(s)}, dilation={list(d)}")  # fmt: skip
    if min(p) < 0 or min(op_) < 0:
        raise RuntimeError(f"{op}: negative padding is not supported; expected >= 0, got padding={list(p)}, output_padding={list(op_)}")  # fmt: skip
    if any(a >= st and a >= dd for a, st, dd in zip(op_, s, d)):
        raise RuntimeError(
            f"{op}: output padding must be smaller than either stride or dilation; expected "
            f"output_padding < max(stride, dilation), got output_padding={list(op_)}, stride={list(s)}, dilation={list(d)}"
        )
    if not isinstance(groups, (int, np.integer)) or groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported; expected groups >= 1, got {groups}")
    n, c, h, w = _as4(xs, nd)
    if c != ws[0] or ws[0] % groups:
        raise RuntimeError(
            f"{op}: Given transposed=1, weight of size {shape_str(ws)}, expected input{shape_str(xs)} to have "
            f"{ws[0]} channels (divisible by groups={groups}); expected {ws[0]} channels, got {c} channels instead"
        )
    cout = ws[1] * groups
    if bias is not None and bias._data.shape != (cout,):
        raise RuntimeError(f"{op}: bias must be 1-D with one value per output channel; expected [{cout}], got {shape_str(bias._data.shape)}")  # fmt: skip
    k = ws[2:]
    if nd == 1:
        k, s, d, p, op_ = (1, k[0]), (1, s[0]), (1, d[0]), (0, p[0]), (0, op_[0])
    ins = (h, w)
    outs = [(i - 1) * st - 2 * pp + dd * (kk - 1) + a + 1 for i, st, pp, dd, kk, a in zip(ins, s, p, d, k, op_)]
    if min(outs) <= 0:
        raise RuntimeError(f"{op}: output size is too small; expected positive sizes, got {outs[2 - nd:]} for input {shape_str(xs)}")  # fmt: skip
    gm = geom(n, cout, outs[0], outs[1], tuple(k), tuple(s), tuple(d), (p[0], p[0], p[1], p[1]), h, w, int(groups))
    oshape = ((n,) if len(xs) == nd + 2 else ()) + (cout,) + ((outs[1],) if nd == 1 else tuple(outs))
    shapes = (xs, (n, c, h, w), oshape, ws)
    return ConvTransposeNd.apply(input, weight, bias, gm, shapes)


def conv_transpose1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Any:  # fmt: skip
    """1-D transposed convolution ("deconvolution") of (N, C, L) with weight (C, out/groups, k)."""
    return _conv_transposend("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups, dilation)  # fmt: skip


def conv_transpose2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Any:  # fmt: skip
    """2-D transposed convolution of (N, C, H, W) with weight (C, out/groups, kh, kw)."""
    return _conv_transposend("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups, dilation)  # fmt: skip
