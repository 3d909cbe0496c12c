"""3-d pooling, unpooling and power-average pooling: max_pool3d, avg_pool3d, adaptive_max_pool3d,
max_unpool1d/2d/3d, lp_pool1d/2d/3d.

The window reductions read the (padded) input through the strided window view of ``patches.py``,
(N, C, *K, *O), and reduce over the kernel axes K:

    max:  y[o] = max_k x_pad[o·s + k·d]      idx[o] = flat input position of the first maximum
          VJP: gx[idx[o]] += g[o]   (one bincount over (n, c, position))
    avg:  y[o] = Σ_k x_pad[o·s + k·d] / div[o]
          VJP: gx = col2im(g / div broadcast over K)

``max_unpool`` scatters values to the positions a max pool recorded (y[idx] = x; VJP gx = g[idx]).
``lp_pool`` is PyTorch's composite (Σ xᵖ)^(1/p) = (avg_pool(xᵖ)·∏k)^(1/p) of differentiable ops.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from ...autograd.function import CompositeDoubleBackward
from ...ops._util import Function, check_tensor, shape_str
from . import _composites_spatial as _spatial
from .patches import PatchGeom, col2im, ntuple, pad_to, window_view

__all__ = [
    "max_pool3d", "max_pool3d_with_indices", "avg_pool3d", "adaptive_max_pool3d",
    "adaptive_max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d",
    "lp_pool1d", "lp_pool2d", "lp_pool3d",
]  # fmt: skip


class MaxPoolNd(CompositeDoubleBackward, Function):
    """y[o] = max over the window of o;  idx[o] = flat position (over the spatial dims) of its first maximum.
    VJP: gx[n, c, idx[o]] += g[n, c, o]."""

    composite = staticmethod(_spatial.max_pool_nd)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, gm: PatchGeom) -> Any:
        """Forward formula of the class docstring, on NumPy arrays."""
        fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        v = window_view(gm, pad_to(gm, x, fill))  # (N, C, *K, *O)
        offsets = list(itertools.product(*(range(k) for k in gm.k)))
        head = (slice(None), slice(None))
        y = v[(*head, *offsets[0])].copy()
        arg = np.zeros(y.shape, dtype=np.int32)
        win = np.empty(y.shape, dtype=bool)
        for j, off in enumerate(offsets[1:], 1):  # one strided slab per kernel offset; first maximum wins
            slab = v[(*head, *off)]
            np.greater(slab, y, out=win)
            if x.dtype.kind == "f":
                win |= np.isnan(slab)  # NaN propagates, as in PyTorch
            arg[win] = j
            np.copyto(y, slab, where=win)
        strides = [math.prod(gm.size[a + 1 :]) for a in range(len(gm.k))]
        koff = np.array([sum(k * d * st for k, d, st in zip(off, gm.d, strides)) for off in offsets], dtype=np.int64)
        base = np.zeros(gm.out, dtype=np.int64)
        for a, st in enumerate(strides):
            shape = [1] * len(gm.k)
            shape[a] = gm.out[a]
            base = base + ((np.arange(gm.out[a]) * gm.s[a] - gm.lo[a]) * st).reshape(shape)
        idx = base + koff[arg]
        ctx.idx, ctx.xshape = idx, x.shape
        return y, idx

    @staticmethod
    def backward(ctx: Any, g: np.ndarray, *_: Any) -> tuple[Any, ...]:
        """The VJPs of the class docstring, on NumPy arrays."""
        return scatter_add(ctx.idx, g, ctx.xshape), None


def scatter_add(idx: np.ndarray, g: np.ndarray, xshape: tuple[int, ...]) -> np.ndarray:
    """An array of ``xshape`` (N, C, *S) with g[n, c, o] added at flat spatial position idx[n, c, o]."""
    n, c = xshape[:2]
    size = math.prod(xshape[2:])
    base = (np.arange(n * c) * size).reshape(n, c, *(1,) * (idx.ndim - 2))
    flat = np.bincount((idx + base).ravel(), weights=g.ravel().astype(np.float64), minlength=n * c * size)
    return flat.astype(g.dtype, copy=False).reshape(xshape)


class AvgPoolNd(CompositeDoubleBackward, Function):
    """y[o] = Σ_{k} x_pad[o·s + k·d] / div[o]   (div: window size by PyTorch's rules, or the override).
    VJP: gx = col2im(g / div repeated over the window)."""

    composite = staticmethod(_spatial.avg_pool_nd)

    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents (a linear map)
    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, gm: PatchGeom, div: Any) -> np.ndarray:
        """Forward formula of the class docstring, on NumPy arrays."""
        nd = len(gm.k)
        v = window_view(gm, pad_to(gm, x, 0))
        s = v.sum(axis=tuple(range(2, 2 + nd)))
        ctx.gm, ctx.div = gm, div
        return (s / div).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, g: np.ndarray) -> tuple[Any, ...]:
        """The VJPs of the class docstring, on NumPy arrays."""
        gm, nd = ctx.gm, len(ctx.gm.k)
        gd = (g / ctx.div).astype(g.dtype, copy=False)
        cols = np.broadcast_to(gd.reshape(*g.shape[:2], *(1,) * nd, *gm.out), g.shape[:2] + gm.k + gm.out)
        return col2im(gm, cols), None, None


class MaxUnpool(CompositeDoubleBackward, Function):
    """y[n, c, idx[n, c, i]] = x[n, c, i] on a zero (N, C, *out) array.
    VJP: gx[n, c, i] = g[n, c, idx[n, c, i]]."""

    composite = staticmethod(_spatial.max_unpool)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, idx: np.ndarray, oshape: tuple[int, ...]) -> np.ndarray:
        """Forward formula of the class docstring, on NumPy arrays."""
        n, c = x.shape[:2]
        y = np.zeros((n, c, math.prod(oshape[2:])), dtype=x.dtype)
        k = math.prod(x.shape[2:])
        i2 = idx.reshape(n, c, k)
        np.put_along_axis(y, i2, x.reshape(n, c, k), axis=2)
        ctx.i2, ctx.xshape = i2, x.shape
        return y.reshape(oshape)

    @staticmethod
    def backward(ctx: Any, g: np.ndarray) -> tuple[Any, ...]:
        """The VJPs of the class docstring, on NumPy arrays."""
        n, c = g.shape[:2]
        gx = np.take_along_axis(g.reshape(n, c, math.prod(g.shape[2:])), ctx.i2, axis=2)
        return gx.reshape(ctx.xshape), None, None


# --- argument handling ---------------------------------------------------------------------------
def _out_len(i: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    o = (i + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= i + p:
        o -= 1
    return o


def _batched(op: str, x: Any, nd: int) -> tuple[Any, bool]:
    check_tensor(x, op)
    shape = tuple(x.shape)
    if len(shape) not in (nd + 1, nd + 2) or 0 in shape[-nd - 1 :]:
        raise RuntimeError(
            f"{op}: expected a non-empty {nd + 1}D (unbatched) or {nd + 2}D (batched) input; expected "
            f"[N, C, D, H, W] or [C, D, H, W], got input of size: {shape_str(shape)}"
        )
    return (x, True) if len(shape) == nd + 2 else (x.unsqueeze(0), False)


def _pool_geom(op: str, nd: int, x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
               ceil_mode: bool) -> PatchGeom:  # fmt: skip
    k = ntuple(kernel_size, nd, "kernel_size", op)
    s = k if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0) else ntuple(stride, nd, "stride", op)
    p, d = ntuple(padding, nd, "padding", op), ntuple(dilation, nd, "dilation", op)
    if min(k) <= 0 or min(s) <= 0 or min(d) <= 0:
        raise RuntimeError(f"{op}: kernel_size, stride and dilation must be greater than zero; got kernel_size={list(k)}, stride={list(s)}, dilation={list(d)}")  # fmt: skip
    for pp, kk, dd in zip(p, k, d):
        if pp < 0 or pp > ((kk - 1) * dd + 1) // 2:
            raise RuntimeError(f"{op}: pad should be at most half of effective kernel size; expected 0 <= pad <= {((kk - 1) * dd + 1) // 2}, got pad={pp}, kernel_size={kk} and dilation={dd}")  # fmt: skip
    size = tuple(x.shape[2:])
    out = tuple(_out_len(i, kk, ss, pp, dd, bool(ceil_mode)) for i, kk, ss, pp, dd in zip(size, k, s, p, d))
    if min(out) <= 0:
        raise RuntimeError(f"{op}: Given input size: {shape_str(tuple(x.shape[1:]))}. Calculated output size: {shape_str((x.shape[1], *out))}. Output size is too small")  # fmt: skip
    return PatchGeom(size, k, s, d, p, p, out)


def max_pool3d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,  # noqa: A002
               ceil_mode: bool = False, return_indices: bool = False) -> Any:  # fmt: skip
    """Max over sliding 3-d windows of (N, C, D, H, W) or (C, D, H, W); optionally the flat argmax indices."""
    x, batched = _batched("max_pool3d", input, 3)
    gm = _pool_geom("max_pool3d", 3, x, kernel_size, stride, padding, dilation, ceil_mode)
    y, idx = MaxPoolNd.apply(x, gm)
    if not batched:
        y, idx = y.squeeze(0), idx.squeeze(0)
    return (y, idx) if return_indices else y


def max_pool3d_with_indices(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
                            dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:  # fmt: skip
    """``max_pool3d`` that always returns ``(values, indices)``."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _divisor(gm: PatchGeom, include_pad: bool) -> Any:
    """PyTorch's per-window divisor: the window clipped to the padded input (include_pad) or to the input."""
    div: Any = 1
    for a, (i, o, k, s, p) in enumerate(zip(gm.size, gm.out, gm.k, gm.s, gm.lo)):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, i + p)
        one = end - start if include_pad else np.minimum(end, i) - np.maximum(start, 0)
        shape = [1] * len(gm.k)
        shape[a] = o
        div = div * one.reshape(shape)
    return div


def avg_pool3d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,  # noqa: A002
               count_include_pad: bool = True, divisor_override: int | None = None) -> Any:  # fmt: skip
    """Mean over sliding 3-d windows of (N, C, D, H, W) or (C, D, H, W)."""
    op = "avg_pool3d"
    x, batched = _batched(op, input, 3)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{op}: not implemented for integer inputs; expected a floating dtype, got {input.dtype}")
    gm = _pool_geom(op, 3, x, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError(f"{op}: divisor must be not zero; expected a non-zero divisor_override, got 0")
        div: Any = divisor_override
    else:
        div = _divisor(gm, bool(count_include_pad)).astype(x._data.dtype)
    y = AvgPoolNd.apply(x, gm, div)
    return y if batched else y.squeeze(0)


class AdaptiveMaxPoolNd(CompositeDoubleBackward, Function):
    """y[o] = max of x over the adaptive window of o (start ⌊o·In/Out⌋, end ⌈(o+1)·In/Out⌉ per dim);
    idx[o] = flat input position of its first maximum.  VJP: gx[idx[o]] += g[o]."""

    composite = staticmethod(_spatial.adaptive_max_pool_nd)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, out: tuple[int, ...]) -> Any:
        """Forward formula of the class docstring, on NumPy arrays."""
        n, c, *size = x.shape
        y = np.empty((n, c, *out), dtype=x.dtype)
        idx = np.empty((n, c, *out), dtype=np.int64)
        wins = [[(o * i // m, -(-(o + 1) * i // m)) for o in range(m)] for i, m in zip(size, out)]
        grid = np.arange(math.prod(size)).reshape(size)
        for pos in np.ndindex(*out):
            sl = tuple(slice(*wins[a][p]) for a, p in enumerate(pos))
            w = x[(slice(None), slice(None), *sl)]
            w = w.reshape(n, c, math.prod(w.shape[2:]))
            arg = np.argmax(w, axis=-1)
            y[(slice(None), slice(None), *pos)] = np.take_along_axis(w, arg[..., None], -1)[..., 0]
            idx[(slice(None), slice(None), *pos)] = grid[sl].ravel()[arg]
        ctx.idx, ctx.xshape = idx, x.shape
        return y, idx

    @staticmethod
    def backward(ctx: Any, g: np.ndarray, *_: Any) -> tuple[Any, ...]:
        """The VJPs of the class docstring, on NumPy arrays."""
        return scatter_add(ctx.idx, g, ctx.xshape), None


def adaptive_max_pool3d(input: Any, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    """Max over adaptive windows of (N, C, D, H, W) or (C, D, H, W) giving ``output_size`` (None keeps a size)."""
    op = "adaptive_max_pool3d"
    x, batched = _batched(op, input, 3)
    sizes = list(output_size) if isinstance(output_size, (list, tuple)) else [output_size] * 3
    if len(sizes) != 3:
        raise RuntimeError(f"{op}: output_size must be 3; expected 3 sizes, got {sizes}")
    out = tuple(sp if o is None else int(o) for o, sp in zip(sizes, x.shape[2:]))
    if min(out) <= 0:
        raise RuntimeError(f"{op}: output_size must be positive; expected sizes > 0, got {sizes}")
    y, idx = AdaptiveMaxPoolNd.apply(x, out)
    if not batched:
        y, idx = y.squeeze(0), idx.squeeze(0)
    return (y, idx) if return_indices else y


def adaptive_max_pool3d_with_indices(input: Any, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    """``adaptive_max_pool3d`` that always returns ``(values, indices)``."""
    return adaptive_max_pool3d(input, output_size, True)


def _max_unpool(op: str, nd: int, input: Any, indices: Any, kernel_size: Any, stride: Any, padding: Any,  # noqa: A002
                output_size: Any) -> Any:  # fmt: skip
    check_tensor(input, op)
    check_tensor(indices, op, "indices")
    if indices._data.dtype != np.int64:
        raise RuntimeError(f"{op}: elements in indices should be type int64 but got: {indices.dtype}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"{op}: Expected shape of indices to be same as that of the input tensor ({shape_str(tuple(input.shape))}) but got indices tensor with shape: {shape_str(tuple(indices.shape))}")  # fmt: skip
    x, batched = _batched(op, input, nd)
    idx = indices if batched else indices.unsqueeze(0)
    k = ntuple(kernel_size, nd, "kernel_size", op)
    s = k if stride is None else ntuple(stride, nd, "stride", op)
    p = ntuple(padding, nd, "padding", op)
    default = [(i - 1) * ss - 2 * pp + kk for i, ss, pp, kk in zip(x.shape[2:], s, p, k)]
    if output_size is None:
        size = default
    else:
        size = [int(v) for v in output_size]
        if len(size) == nd + 2:
            size = size[2:]
        if len(size) != nd:
            raise ValueError(f"{op}: output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a length of '{len(size)}'")  # fmt: skip
        for d, (v, lo, st) in enumerate(zip(size, default, s)):
            if not lo - st < v < lo + st:
                raise ValueError(f"{op}: invalid output_size {size} (dim {d} must be between {lo - st} and {lo + st})")
    total = math.prod(size)
    a = idx._data
    if a.size and (a.min() < 0 or a.max() >= total):
        bad = a.min() if a.min() < 0 else a.max()
        raise RuntimeError(f"{op}: Found an invalid max index: {bad} (output volumes are of size {'x'.join(map(str, size))}); expected indices in [0, {total - 1}]")  # fmt: skip
    y = MaxUnpool.apply(x, a, (*x.shape[:2], *size))
    return y if batched else y.squeeze(0)


def max_unpool1d(input: Any, indices: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
                 output_size: Any = None) -> Any:  # fmt: skip
    """Partial inverse of max_pool1d: put each value back at its recorded index, zeros elsewhere."""
    return _max_unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input: Any, indices: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
                 output_size: Any = None) -> Any:  # fmt: skip
    """Partial inverse of max_pool2d: put each value back at its recorded index, zeros elsewhere."""
    return _max_unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input: Any, indices: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
                 output_size: Any = None) -> Any:  # fmt: skip
    """Partial inverse of max_pool3d: put each value back at its recorded index, zeros elsewhere."""
    return _max_unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding, output_size)


def _lp_pool(nd: int, input: Any, norm_type: float, kernel_size: Any, stride: Any, ceil_mode: bool) -> Any:  # noqa: A002
    from .. import functional as F  # the package namespace (max/avg pools of every dim)

    mx = getattr(F, f"max_pool{nd}d")
    avg = getattr(F, f"avg_pool{nd}d")
    if norm_type == float("inf"):
        return mx(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if norm_type == -float("inf"):
        return -mx(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = avg(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    k = kernel_size if nd == 1 and not isinstance(kernel_size, (list, tuple)) else math.prod(ntuple(kernel_size, nd, "kernel_size", f"lp_pool{nd}d"))  # fmt: skip
    return (out.sign() * F.relu(out.abs())).mul(k).pow(1.0 / norm_type)


def lp_pool1d(input: Any, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> Any:  # noqa: A002
    """Power-average pooling: (Σ_window xᵖ)^(1/p) over windows of (N, C, L); p = inf is max pooling of |x|."""
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Any, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> Any:  # noqa: A002
    """Power-average pooling: (Σ_window xᵖ)^(1/p) over 2-d windows."""
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Any, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> Any:  # noqa: A002
    """Power-average pooling: (Σ_window xᵖ)^(1/p) over 3-d windows."""
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)
