"""Patches in any number of spatial dims: im2col / col2im (``F.unfold`` / ``F.fold``) and the
channel/space rearrangements (``pixel_shuffle``, ``pixel_unshuffle``, ``channel_shuffle``).

``im2col`` turns x (N, C, *S) into the patch array (N, C, *K, *O): entry [n, c, k, o] is the padded
input at position ``o·stride + k·dilation``; it is one ``as_strided`` view of the padded input,
copied once. ``col2im`` is its adjoint: each kernel offset k adds its (N, C, *O) slab into the
strided positions it came from (a loop over the ∏K offsets, never over elements), then the padding
is cropped. The two are each other's VJP, so ``Im2col`` and ``Col2im`` are one Function each.
3-d convolutions are built on them (``conv3d.py``), as are the 3-d pooling layers.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ...autograd.function import CompositeDoubleBackward
from ...ops._util import Function, check_tensor, shape_str
from . import _composites_spatial as _spatial

__all__ = ["unfold", "fold", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle"]


class PatchGeom:
    """Windows over spatial sizes ``size``: kernel, stride, dilation, (low, high) pads, output sizes."""

    __slots__ = ("size", "k", "s", "d", "lo", "hi", "out", "padded")

    def __init__(self, size: tuple[int, ...], k: tuple[int, ...], s: tuple[int, ...], d: tuple[int, ...],
                 lo: tuple[int, ...], hi: tuple[int, ...], out: tuple[int, ...]) -> None:  # fmt: skip
        self.size, self.k, self.s, self.d, self.lo, self.hi, self.out = size, k, s, d, lo, hi, out
        # the padded extent must hold every window (a ceil_mode window may overhang the high pad)
        self.padded = tuple(
            max(n + a + b, (o - 1) * st + dd * (kk - 1) + 1)
            for n, a, b, o, st, dd, kk in zip(size, lo, hi, out, s, d, k)
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PatchGeom) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def key(self) -> tuple[Any, ...]:
        """Everything that defines the geometry, as one tuple."""
        return (self.size, self.k, self.s, self.d, self.lo, self.hi, self.out)

    def inner(self) -> tuple[slice, ...]:
        """Where the unpadded input sits inside the padded buffer."""
        return tuple(slice(a, a + n) for a, n in zip(self.lo, self.size))


def pad_to(gm: PatchGeom, x: np.ndarray, fill: Any = 0) -> np.ndarray:
    """x (N, C, *S) inside a buffer of the padded extent, the border set to ``fill``."""
    if gm.padded == gm.size:
        return x
    xp = np.full(x.shape[:2] + gm.padded, fill, dtype=x.dtype)
    xp[(slice(None), slice(None), *gm.inner())] = x
    return xp


def window_view(gm: PatchGeom, xp: np.ndarray) -> np.ndarray:
    """Read-only (N, C, *K, *O) strided view of the padded input xp."""
    st = xp.strides
    sp = st[2:]
    shape = xp.shape[:2] + gm.k + gm.out
    strides = st[:2] + tuple(dd * t for dd, t in zip(gm.d, sp)) + tuple(s * t for s, t in zip(gm.s, sp))
    return as_strided(xp, shape, strides, writeable=False)


def im2col(gm: PatchGeom, x: np.ndarray, fill: Any = 0) -> np.ndarray:
    """Patch array (N, C, *K, *O) of x (N, C, *S) (a contiguous copy)."""
    return np.ascontiguousarray(window_view(gm, pad_to(gm, x, fill)))


def col2im(gm: PatchGeom, cols: np.ndarray) -> np.ndarray:
    """Adjoint of ``im2col``: sum the patch entries (N, C, *K, *O) back into an (N, C, *S) array."""
    xp = np.zeros(cols.shape[:2] + gm.padded, dtype=cols.dtype)
    for off in itertools.product(*(range(k) for k in gm.k)):
        dst = tuple(slice(o * d, o * d + s * (n - 1) + 1, s) for o, d, s, n in zip(off, gm.d, gm.s, gm.out))
        xp[(slice(None), slice(None), *dst)] += cols[(slice(None), slice(None), *off)]
    if gm.padded == gm.size:
        return xp
    return np.ascontiguousarray(xp[(slice(None), slice(None), *gm.inner())])


class Im2col(CompositeDoubleBackward, Function):
    """cols[n, c, k, o] = x_pad[n, c, o·s + k·d]   (x (N, C, *S) -> cols (N, C, *K, *O), zero padding).
    VJP: gx = col2im(g) — every patch entry's gradient added back to the pixel it was read from."""

    composite = staticmethod(_spatial.im2col)

    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents (a linear map)
    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, gm: PatchGeom) -> np.ndarray:
        """Forward formula of the class docstring, on NumPy arrays."""
        ctx.gm = gm
        return im2col(gm, x)

    @staticmethod
    def backward(ctx: Any, g: np.ndarray) -> tuple[Any, ...]:
        """The VJPs of the class docstring, on NumPy arrays."""
        return col2im(ctx.gm, g), None


class Col2im(CompositeDoubleBackward, Function):
    """x[n, c, p] = Σ_{(k, o): o·s + k·d = p + pad} cols[n, c, k, o]   (the adjoint of Im2col).
    VJP: gcols = im2col(g) — each patch entry receives the gradient of the pixel it was added to."""

    composite = staticmethod(_spatial.col2im)

    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents (a linear map)
    _array_op = True

    @staticmethod
    def forward(ctx: Any, cols: np.ndarray, gm: PatchGeom) -> np.ndarray:
        """Forward formula of the class docstring, on NumPy arrays."""
        ctx.gm = gm
        return col2im(gm, cols)

    @staticmethod
    def backward(ctx: Any, g: np.ndarray) -> tuple[Any, ...]:
        """The VJPs of the class docstring, on NumPy arrays."""
        return im2col(ctx.gm, g), None


# --- argument handling ---------------------------------------------------------------------------
def ntuple(v: Any, n: int, name: str, op: str) -> tuple[int, ...]:
    """``v`` as n ints (a single int is repeated); a clear error otherwise."""
    if isinstance(v, (list, tuple)):
        if len(v) == 1 and n > 1:
            v = tuple(v) * n
        if len(v) != n or not all(isinstance(e, (int, np.integer)) and not isinstance(e, bool) for e in v):
            raise RuntimeError(f"{op}: {name} must be an int or a tuple of {n} ints; expected {n} ints, got {list(v)}")
        return tuple(int(e) for e in v)
    if not isinstance(v, (int, np.integer)) or isinstance(v, bool):
        raise TypeError(f"{op}: {name} must be an int or a tuple of {n} ints; expected int, got {type(v).__name__}")
    return (int(v),) * n


def conv_out(op: str, size: tuple[int, ...], k: tuple[int, ...], s: tuple[int, ...], p: tuple[int, ...],
             d: tuple[int, ...]) -> tuple[int, ...]:  # fmt: skip
    """Sliding-window output sizes ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1, with PyTorch's checks."""
    if min(k, default=1) <= 0 or min(s, default=1) <= 0 or min(d, default=1) <= 0:
        raise RuntimeError(f"{op}: kernel_size, stride and dilation must be positive; got kernel_size={list(k)}, stride={list(s)}, dilation={list(d)}")  # fmt: skip
    if min(p, default=0) < 0:
        raise RuntimeError(f"{op}: padding must be non-negative; expected >= 0, got {list(p)}")
    out = tuple((n + 2 * pp - dd * (kk - 1) - 1) // st + 1 for n, kk, st, pp, dd in zip(size, k, s, p, d))
    if min(out, default=1) <= 0:
        raise RuntimeError(
            f"{op}: Given input spatial size {list(size)}, kernel_size={list(k)}, dilation={list(d)}, "
            f"padding={list(p)}, stride={list(s)}, the calculated output size {list(out)} is too small; "
            "expected every output size to be positive"
        )
    return out


def unfold(input: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Any:  # noqa: A002
    """Sliding patches of (N, C, H, W) as columns: (N, C·∏k, L), L = number of window positions."""
    op = "unfold"
    check_tensor(input, op)
    x = input._data
    if x.ndim not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported (got {x.ndim}D); {op} expected (N, C, H, W) or (C, H, W), got {shape_str(x.shape)}")  # fmt: skip
    k, d = ntuple(kernel_size, 2, "kernel_size", op), ntuple(dilation, 2, "dilation", op)
    p, s = ntuple(padding, 2, "padding", op), ntuple(stride, 2, "stride", op)
    batched = input if x.ndim == 4 else input.unsqueeze(0)
    size = batched.shape[2:]
    out = conv_out(op, tuple(size), k, s, p, d)
    gm = PatchGeom(tuple(size), k, s, d, p, p, out)
    cols = Im2col.apply(batched, gm)
    n, c = batched.shape[:2]
    res = cols.reshape(n, c * math.prod(k), math.prod(out))
    return res if x.ndim == 4 else res.squeeze(0)


def fold(input: Any, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,  # noqa: A002
         stride: Any = 1) -> Any:  # fmt: skip
    """Sum columns (N, C·∏k, L) of sliding patches back into an (N, C, *output_size) image (unfold's adjoint)."""
    op = "fold"
    check_tensor(input, op)
    x = input._data
    if x.ndim not in (2, 3):
        raise NotImplementedError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got {x.ndim}D); {op} expected (N, C*prod(kernel_size), L), got {shape_str(x.shape)}")  # fmt: skip
    size = ntuple(output_size, 2, "output_size", op)
    k, d = ntuple(kernel_size, 2, "kernel_size", op), ntuple(dilation, 2, "dilation", op)
    p, s = ntuple(padding, 2, "padding", op), ntuple(stride, 2, "stride", op)
    batched = input if x.ndim == 3 else input.unsqueeze(0)
    n, ck, length = batched.shape
    kk = math.prod(k)
    if ck % kk:
        raise RuntimeError(f"{op}: Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)={ck} and kernel_size={k}")  # fmt: skip
    out = conv_out(op, size, k, s, p, d)
    if math.prod(out) != length:
        raise RuntimeError(
            f"{op}: Given output_size={list(size)}, kernel_size={list(k)}, dilation={list(d)}, padding={list(p)}, "
            f"stride={list(s)}, expected size of input's dimension 2 to match the calculated number of sliding "
            f"blocks {' * '.join(map(str, out))} = {math.prod(out)}, but got input.size(2)={length}."
        )
    gm = PatchGeom(size, k, s, d, p, p, out)
    res = Col2im.apply(batched.reshape(n, ck // kk, *k, *out), gm)
    return res if x.ndim == 3 else res.squeeze(0)


def pixel_shuffle(input: Any, upscale_factor: int) -> Any:  # noqa: A002
    """(*, C·r², H, W) -> (*, C, H·r, W·r): out[c, h·r + i, w·r + j] = in[c·r² + i·r + j, h, w]."""
    op = "pixel_shuffle"
    check_tensor(input, op)
    r = int(upscale_factor)
    sh = tuple(input.shape)
    if len(sh) < 3:
        raise RuntimeError(f"{op}: pixel_shuffle expects input to have at least 3 dimensions, but got input with {len(sh)} dimension(s)")  # fmt: skip
    if r <= 0:
        raise RuntimeError(f"{op}: upscale_factor must be greater than 0, but got: {r}")
    c, h, w = sh[-3:]
    if c % (r * r):
        raise RuntimeError(f"{op}: pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")  # fmt: skip
    lead = sh[:-3]
    m = len(lead)
    y = input.reshape(*lead, c // (r * r), r, r, h, w)
    y = y.permute(*range(m), m, m + 3, m + 1, m + 4, m + 2)
    return y.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Any, downscale_factor: int) -> Any:  # noqa: A002
    """(*, C, H·r, W·r) -> (*, C·r², H, W), the inverse of ``pixel_shuffle``."""
    op = "pixel_unshuffle"
    check_tensor(input, op)
    r = int(downscale_factor)
    sh = tuple(input.shape)
    if len(sh) < 3:
        raise RuntimeError(f"{op}: pixel_unshuffle expects input to have at least 3 dimensions, but got input with {len(sh)} dimension(s)")  # fmt: skip
    if r <= 0:
        raise RuntimeError(f"{op}: downscale_factor must be greater than 0, but got: {r}")
    c, h, w = sh[-3:]
    if h % r or w % r:
        raise RuntimeError(f"{op}: pixel_unshuffle expects height and width to be divisible by downscale_factor, but input.size(-2)={h} and input.size(-1)={w} are not divisible by {r}")  # fmt: skip
    lead = sh[:-3]
    m = len(lead)
    y = input.reshape(*lead, c, h // r, r, w // r, r)
    y = y.permute(*range(m), m, m + 2, m + 4, m + 1, m + 3)
    return y.reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input: Any, groups: int) -> Any:  # noqa: A002
    """(N, g·k, *) -> (N, k·g, *): channel i·k + j moves to j·g + i (ShuffleNet's group interleave)."""
    op = "channel_shuffle"
    check_tensor(input, op)
    sh = tuple(input.shape)
    if len(sh) < 3:
        raise RuntimeError(f"{op}: channel_shuffle expects input to have at least 3 dimensions, but got input with {len(sh)} dims")  # fmt: skip
    g = int(groups)
    if g <= 0:
        raise RuntimeError(f"{op}: Number of groups to divide channels in must be positive. Value of groups:{g}")
    c = sh[1]
    if c % g:
        raise RuntimeError(f"{op}: Number of channels must be divisible by groups. Got {c} channels and {g} groups.")
    y = input.reshape(sh[0], g, c // g, *sh[2:]).transpose(1, 2)
    return y.reshape(sh)


def native_channel_shuffle(input: Any, groups: int) -> Any:  # noqa: A002
    """Same as ``channel_shuffle`` (PyTorch's name for the kernel without a fallback)."""
    return channel_shuffle(input, groups)
