"""Patch matrix and its adjoint for stride-1 convolutions as fused kernels (see ``chainrule._fused``).

With NumPy, a stride-1 convolution builds its patch matrix in the "wide" layout (``conv.py``): one
column per position of the zero-padded input, so that each kernel offset is a contiguous 1-D shift
and im2col / col2im are kh·kw long slice copies / adds. The price is GEMM columns at the padded
border whose results are dropped: (Hp·Wp)/(Ho·Wo) − 1 more work in all three GEMMs (15 % on 14x14
with padding 1). A compiled loop does not need the shift: these kernels read and write the exact
layout, one column per output position,

    cols[c, i, j, n, y, x] = x_in[n, c, y + i·dh − pt, x + j·dw − pl]   (0 outside the input),

and its adjoint, col2im, gathers for each input element the patch entries that read it,

    gx[n, c, yy, xx] = Σ_(i, j) cols_grad[c, i, j, n, yy + pt − i·dh, xx + pl − j·dw]   (in-range terms),

in the row-major order of (i, j): the order in which the wide col2im adds them, whose other terms
are the zeros of the dropped columns, so the sums are the same. Rows of 14 or 28 floats are too
short for vector loops, so with padding "same" (output plane = input plane) im2col runs along a
whole image plane at once, and col2im, writing a channel-major (c, n, h, w) gradient, along all
images of a channel, with a mask ``inside`` choosing the element or 0 where a read would wrap into
the neighbouring row or image (a select, not a multiplication: ±inf·0 would be NaN). im2col takes a
range of images, col2im a range of channels, so that callers hand disjoint ranges to threads.
"""

from __future__ import annotations

from ..._fused import kernel

__all__ = ["im2col_s1", "col2im_s1"]


@kernel
def im2col_s1(x, cols, dh, dw, pt, pl, b0, b1, zero, inside):  # noqa: ANN001
    """cols (c, kh, kw, n, ho, wo)[..., b0:b1, :, :] from x (n, c, h, w) when wo = w; ``zero`` is 0 of
    the dtype, ``inside[j, t]`` whether output position t (of ho·wo) reads a column of x at offset j."""
    n, c, h, w = x.shape
    _, kh, kw, _, ho, wo = cols.shape
    xf = x.reshape(-1)
    cf = cols.reshape(-1)
    plane = ho * wo
    for ch in range(c):
        for i in range(kh):
            ylo = min(max(0, pt - i * dh), ho)  # output rows reading a row of x
            yhi = max(min(ho, h + pt - i * dh), ylo)
            for j in range(kw):
                off = j * dw - pl
                t0 = ylo * wo + min(max(0, -off), wo)  # the span of reads inside x's plane
                t1 = max((yhi - 1) * wo + max(min(wo, w - off), 0), t0)
                for b in range(b0, b1):
                    d = (((ch * kh + i) * kw + j) * n + b) * plane
                    dst = cf[d : d + plane]
                    for t in range(t0):
                        dst[t] = zero
                    for t in range(t1, plane):
                        dst[t] = zero
                    if t1 > t0:
                        s = ((b * c + ch) * h + i * dh - pt) * w + off  # x of output position t: s + t
                        src = xf[s + t0 : s + t1]
                        span = dst[t0:t1]
                        ok = inside[j, t0:t1]
                        for t in range(t1 - t0):
                            v = src[t]
                            span[t] = v if ok[t] else zero


@kernel
def col2im_s1(gc, gx, shifts, inside, c0, c1, zero):  # noqa: ANN001
    """gx (c, n·h·w)[c0:c1] from the patch gradients gc (c, kh·kw, n·ho·wo) when (ho, wo) = (h, w):
    gx[ch, p] = Σ_k gc[ch, k, p + shifts[k]] over the offsets k = (i, j) in order where inside[k, p]
    (the read stays in p's image, row and column); ``zero`` is 0 of the dtype."""
    kk, m = gc.shape[1], gc.shape[2]
    for ch in range(c0, c1):
        dst = gx[ch]
        for p in range(m):
            dst[p] = zero
        for k in range(kk):
            s = shifts[k]
            p0 = max(0, -s)
            p1 = max(min(m, m - s), p0)
            src = gc[ch, k, p0 + s : p1 + s]
            span = dst[p0:p1]
            ok = inside[k, p0:p1]
            for p in range(p1 - p0):
                v = src[p]
                span[p] += v if ok[p] else zero
