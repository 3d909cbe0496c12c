"""2x2 max pooling with stride 2 as fused kernels (see ``chainrule._fused``).

The windows of a 2x2 pool with stride 2 (no padding, no dilation) tile the input: every input
element belongs to at most one window (floor mode may leave a last row or column that none covers).
The forward is then one pass that reads each window once and writes its maximum and the offset of
its first maximum, and the backward one pass that writes every input element once: g at its window's
argmax, 0 elsewhere. The NumPy path (``pooling.MaxPool2d``) makes four strided passes plus masks for
each direction (~10x slower here); it stays the fallback, and the path for every other geometry.

Both work on (rows, h, w) C-contiguous views, rows = n·c, so a caller can hand slices of rows to
threads. The comparisons are those of the NumPy path, in its order of offsets (0, 0), (0, 1), (1, 0),
(1, 1), so the results are the same: a later element wins only if it is greater (first maximum
wins), and a NaN makes the maximum NaN (as ``np.maximum``) without moving the offset. The selects are
written with ``|`` rather than ``or``: a short-circuit is a branch, which keeps LLVM from vectorising.
"""

from __future__ import annotations

import numpy as np

from ..._fused import kernel

__all__ = ["max_pool_2x2", "max_pool_2x2_backward"]


@kernel
def max_pool_2x2(x, out, idx):  # noqa: ANN001
    """out[r, i, j] = max(x[r, 2i, 2j], x[r, 2i, 2j+1], x[r, 2i+1, 2j], x[r, 2i+1, 2j+1]);
    idx[r, i, j] = 0, 1, 2 or 3: which of the four is the first maximum."""
    rows, ho, wo = out.shape
    for r in range(rows):
        for i in range(ho):
            top = x[r, 2 * i]
            bottom = x[r, 2 * i + 1]
            o = out[r, i]
            ix = idx[r, i]
            for j in range(wo):
                best = top[2 * j]
                k = 0
                s = top[2 * j + 1]
                gt = s > best
                k = 1 if gt else k
                best = s if (gt | (s != s)) else best
                s = bottom[2 * j]
                gt = s > best
                k = 2 if gt else k
                best = s if (gt | (s != s)) else best
                s = bottom[2 * j + 1]
                gt = s > best
                k = 3 if gt else k
                best = s if (gt | (s != s)) else best
                o[j] = best
                ix[j] = k


@kernel
def max_pool_2x2_backward(g, idx, gx, zero):  # noqa: ANN001
    """gx[r, 2i + a, 2j + b] = g[r, i, j] if idx[r, i, j] = 2a + b else 0, and 0 in a last row or
    column that no window covers; ``zero`` is 0 of gx's dtype."""
    rows, ho, wo = g.shape
    h, w = gx.shape[1], gx.shape[2]
    for r in range(rows):
        for i in range(ho):
            top = gx[r, 2 * i]
            bottom = gx[r, 2 * i + 1]
            gr = g[r, i]
            ir = idx[r, i]
            for p in range(2 * wo):  # along the input row: vectorises, where a loop over j does not
                j = p >> 1
                k = np.int32(ir[j])
                v = gr[j]  # loaded once: a second load after the store to top could not be vectorised
                b = p & 1
                top[p] = v if k == b else zero
                bottom[p] = v if k == b + 2 else zero
            for p in range(2 * wo, w):
                top[p] = zero
                bottom[p] = zero
        for y in range(2 * ho, h):
            for p in range(w):
                gx[r, y, p] = zero
