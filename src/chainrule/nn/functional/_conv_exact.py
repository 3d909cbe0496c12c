"""The exact patch layout of a stride-1 convolution: one GEMM column per output position.

Used by ``conv.ConvNd`` when the fused kernels of ``_conv_kernels`` are available (numba), in place
of the wide layout, which has a column per padded input position and so makes all three GEMMs
(Hp·Wp)/(Ho·Wo) times larger. Columns are ordered (n, y, x), so the GEMM result (o, n·ho·wo) is
the output with its first two axes swapped: the copy to NCHW (with the bias) and the re-layout of
the output gradient move rows of ho·wo contiguous elements.

Each output and input-gradient element is the same sum of the same products as in the wide layout
(col2im adds the same terms in the same order), but OpenBLAS computes the last, partial block of
GEMM columns with another kernel, whose columns now fall elsewhere, and the weight and bias gradients
sum over fewer columns (the wide layout's extra ones are zeros) in other blocks: the results agree
with the wide layout's to float32 rounding, not bit for bit (tested against it and PyTorch within
the parity tolerance). The split over threads is bit-identical to one thread.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from ..._fused import FLOATS
from ._conv_kernels import col2im_s1, im2col_s1
from ._split import split

__all__ = ["MIN_ROWS", "usable", "cols", "output", "grad_matrix", "col2im"]

# patch rows (c·kh·kw) from which the exact layout pays; measured at 64x(1 -> 32)x28x28, 9 rows:
# forward 2.4 ms exact vs 1.8 wide (its GEMM is memory-bound); (8 -> 16) 14x14, 72 rows: 2.5 vs 2.7
MIN_ROWS = 16


def usable(gm: Any, x: np.ndarray) -> bool:
    """Whether the exact layout applies: a stride-1 convolution over floats with an output plane as
    large as the input's (padding "same"), one group, kernels on."""
    if not gm.wide or gm.groups != 1 or gm.wo != gm.w or x.dtype.name not in FLOATS or gm.n == 0:
        return False
    if gm.c * gm.kh * gm.kw < MIN_ROWS:  # e.g. 1 input channel: its GEMMs are memory-bound, the
        return False  # wide layout's contiguous copies are cheaper than the columns saved
    return gm.ho == gm.h and im2col_s1.compiled is not None


@lru_cache(maxsize=64)
def _inside(rows: int, w: int, kw: int, step: int, first: int) -> np.ndarray:
    """inside[j, p] for the positions p of a (rows, w) plane: column p % w + first + j·step is in 0..w-1."""
    col = np.arange(rows * w) % w
    shift = first + step * np.arange(kw)[:, None]
    a = (col + shift >= 0) & (col + shift < w)
    a.flags.writeable = False
    return a


def cols(gm: Any, x: np.ndarray, workspace: Any) -> np.ndarray:
    """Patch matrix (c·kh·kw, n·ho·wo) of x (n, c, h, w)."""
    k = im2col_s1.compiled
    x = np.ascontiguousarray(x)  # the kernel reads whole planes of a C-contiguous input
    out, _ = workspace(("cols_exact", gm), (gm.c, gm.kh, gm.kw, gm.n, gm.ho, gm.wo), x.dtype)
    zero = x.dtype.type(0)
    inside = _inside(gm.ho, gm.w, gm.kw, gm.dw, -gm.pl)
    run = lambda b: k(x, out, gm.dh, gm.dw, gm.pt, gm.pl, b.start, b.stop, zero, inside)  # noqa: E731
    split(run, gm.n, out.size, kernel=True)
    return out.reshape(gm.c * gm.kh * gm.kw, gm.n * gm.ho * gm.wo)


def output(gm: Any, y: np.ndarray, b: Any, out: np.ndarray) -> None:
    """out (n, o, ho, wo) = the GEMM result y (o, n·ho·wo) with its first axes swapped, plus b."""
    o = y.shape[0]
    y3, o3 = y.reshape(o, gm.n, gm.ho * gm.wo), out.reshape(gm.n, o, gm.ho * gm.wo)

    def part(rows: slice) -> None:
        src = y3[:, rows].transpose(1, 0, 2)
        if b is None:
            np.copyto(o3[rows], src)
        else:
            np.add(src, b[:, None], out=o3[rows])

    split(part, gm.n, out.size)


def grad_matrix(gm: Any, g: np.ndarray, workspace: Any) -> np.ndarray:
    """The output gradient g (n, o, ho, wo) as the (o, n·ho·wo) matrix of the GEMMs."""
    o = g.shape[1]
    g2, _ = workspace(("gwide", gm), (o, gm.n, gm.ho * gm.wo), g.dtype)
    g3 = g.reshape(gm.n, o, gm.ho * gm.wo)
    split(lambda rows: np.copyto(g2[:, rows], g3[rows].transpose(1, 0, 2)), gm.n, g.size)
    return g2.reshape(o, -1)


def col2im(gm: Any, gc: np.ndarray, workspace: Any) -> np.ndarray:
    """Input gradient (n, c, h, w) (a view of a channel-major array) from the patch gradients gc."""
    k = col2im_s1.compiled
    m = gm.n * gm.h * gm.w
    gx, _ = workspace(("col2im_exact", gm), (gm.c, m), gc.dtype)
    g3 = gc.reshape(gm.c, gm.kh * gm.kw, m)
    shifts, inside = _gather(gm.n, gm.h, gm.w, gm.kh, gm.kw, gm.dh, gm.dw, gm.pt, gm.pl)
    zero = gc.dtype.type(0)
    split(lambda c: k(g3, gx, shifts, inside, c.start, c.stop, zero), gm.c, gc.size, kernel=True)
    return gx.reshape(gm.c, gm.n, gm.h, gm.w).transpose(1, 0, 2, 3)


@lru_cache(maxsize=16)
def _gather(n: int, h: int, w: int, kh: int, kw: int, dh: int, dw: int, pt: int, pl: int) -> tuple[np.ndarray, np.ndarray]:
    """For col2im over the flat (n, h, w) positions p: the shift of offset (i, j)'s read, and whether
    the read position (y + pt − i·dh, x + pl − j·dw) is inside p's image."""
    y = np.arange(h)[:, None] + pt - dh * np.arange(kh)  # (h, kh)
    x = np.arange(w)[:, None] + pl - dw * np.arange(kw)  # (w, kw)
    ok = ((y >= 0) & (y < h)).T[:, None, :, None] & ((x >= 0) & (x < w)).T[None, :, None, :]  # (kh, kw, h, w)
    inside = np.ascontiguousarray(np.broadcast_to(ok.reshape(kh * kw, 1, h * w), (kh * kw, n, h * w))).reshape(kh * kw, -1)
    shifts = ((pt - dh * np.arange(kh))[:, None] * w + (pl - dw * np.arange(kw))).reshape(-1).astype(np.int64)
    inside.flags.writeable = False
    return shifts, inside
