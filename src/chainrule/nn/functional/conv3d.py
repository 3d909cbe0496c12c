"""3-d convolutions, composed from the N-d patch primitives: ``conv3d`` and ``conv_transpose3d``.

conv:            y[n, g·O' + o, q] = Σ_{c, k} W[g·O' + o, c, k] · im2col(x)[n, g·C' + c, k, q] + b
transposed conv: y = col2im(Wᵀ x) + b, the input-gradient of the convolution with the same weight.

Both are one patch primitive (``Im2col`` / ``Col2im``, each other's VJP) and one batched GEMM per
group, so their gradients come from those ops' VJPs: gx = col2im(Wᵀ g), gW = g · colsᵀ, gb = Σ g.
"""

from __future__ import annotations

import math
from typing import Any

from ...ops._util import check_tensor, shape_str
from .patches import Col2im, Im2col, PatchGeom, ntuple

__all__ = ["conv3d", "conv_transpose3d"]


def _check(op: str, nd: int, x: Any, w: Any, b: Any) -> None:
    check_tensor(x, op)
    check_tensor(w, op, "weight")
    if x._data.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{op}: expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}; expected "
            f"[N, C, D, H, W] or [C, D, H, W], got input of size: {shape_str(x._data.shape)}"
        )
    if w._data.ndim != nd + 2:
        raise RuntimeError(f"{op}: weight must be {nd + 2}-D; expected [out, in/groups, *kernel], got {shape_str(w._data.shape)}")  # fmt: skip
    if x._data.dtype.kind != "f" or x._data.dtype != w._data.dtype:
        raise RuntimeError(
            f"{op}: input and weight must have the same floating dtype; expected {w.dtype}, got {x.dtype} "
            "(convert with .float() or .to(weight.dtype))"
        )
    if b is not None:
        check_tensor(b, op, "bias")
        if b._data.dtype != w._data.dtype:
            raise RuntimeError(f"{op}: bias dtype must match weight; expected {w.dtype}, got {b.dtype}")
    if b is not None and b._data.ndim != 1:
        raise RuntimeError(f"{op}: bias must be 1-D; got {shape_str(b._data.shape)}")


def _groups(op: str, groups: Any) -> int:
    if not isinstance(groups, int) or isinstance(groups, bool) or groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported; expected groups >= 1, got {groups}")
    return groups


def convnd(op: str, nd: int, input: Any, weight: Any, bias: Any, stride: Any, padding: Any,  # noqa: A002
           dilation: Any, groups: int) -> Any:  # fmt: skip
    """N-d cross-correlation through ``Im2col`` and a grouped GEMM (used for 3-d)."""
    _check(op, nd, input, weight, bias)
    g = _groups(op, groups)
    s, d = ntuple(stride, nd, "stride", op), ntuple(dilation, nd, "dilation", op)
    if min(s) <= 0 or min(d) <= 0:
        raise RuntimeError(f"{op}: non-positive stride or dilation is not supported; expected >= 1, got stride={list(s)}, dilation={list(d)}")  # fmt: skip
    ws = tuple(weight.shape)
    k = ws[2:]
    if isinstance(padding, str):
        if padding == "valid":
            lo = hi = (0,) * nd
        elif padding == "same":
            if any(e != 1 for e in s):
                raise RuntimeError(f"{op}: padding='same' is not supported for strided convolutions; expected stride 1, got {list(s)}")  # fmt: skip
            lo = tuple(dd * (kk - 1) // 2 for dd, kk in zip(d, k))
            hi = tuple(dd * (kk - 1) - a for dd, kk, a in zip(d, k, lo))
        else:
            raise RuntimeError(f"{op}: Invalid padding string: '{padding}'; expected 'same' or 'valid', got '{padding}'")
    else:
        lo = hi = ntuple(padding, nd, "padding", op)
        if min(lo) < 0:
            raise RuntimeError(f"{op}: negative padding is not supported; expected padding >= 0, got {list(lo)}")
    batched = input._data.ndim == nd + 2
    x = input if batched else input.unsqueeze(0)
    n, c, *size = x.shape
    o = ws[0]
    if o % g:
        raise RuntimeError(f"{op}: weight out-channels must be divisible by groups={g}; got weight of size {shape_str(ws)}")  # fmt: skip
    if c != ws[1] * g:
        raise RuntimeError(
            f"{op}: Given groups={g}, weight of size {shape_str(ws)}, expected input{shape_str(tuple(input.shape))} to "
            f"have {ws[1] * g} channels, but got {c} channels instead"
        )
    if bias is not None and tuple(bias.shape) != (o,):
        raise RuntimeError(f"{op}: bias must have one value per output channel; expected [{o}], got {shape_str(tuple(bias.shape))}")  # fmt: skip
    eff = [dd * (kk - 1) + 1 for dd, kk in zip(d, k)]
    padded = [sp + a + bb for sp, a, bb in zip(size, lo, hi)]
    if any(pz < e for pz, e in zip(padded, eff)):
        raise RuntimeError(
            f"{op}: Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
            f"({' x '.join(map(str, eff))}). Kernel size can't be greater than actual input size"
        )
    out = tuple((pz - e) // st + 1 for pz, e, st in zip(padded, eff, s))
    gm = PatchGeom(tuple(size), tuple(k), s, d, lo, hi, out)
    cols = Im2col.apply(x, gm).reshape(n, g, (c // g) * math.prod(k), math.prod(out))
    y = (weight.reshape(g, o // g, -1) @ cols).reshape(n, o, *out)
    if bias is not None:
        y = y + bias.reshape(o, *(1,) * nd)
    return y if batched else y.squeeze(0)


def conv_transposend(op: str, nd: int, input: Any, weight: Any, bias: Any, stride: Any, padding: Any,  # noqa: A002
                     output_padding: Any, groups: int, dilation: Any) -> Any:  # fmt: skip
    """N-d transposed convolution: a grouped GEMM Wᵀx then ``Col2im`` (used for 3-d)."""
    _check(op, nd, input, weight, bias)
    g = _groups(op, groups)
    s, d = ntuple(stride, nd, "stride", op), ntuple(dilation, nd, "dilation", op)
    if isinstance(padding, str):
        raise TypeError(f"{op}: padding must be an int or a tuple of ints; expected int, got '{padding}'")
    p, opad = ntuple(padding, nd, "padding", op), ntuple(output_padding, nd, "output_padding", op)
    if min(s) <= 0 or min(d) <= 0:
        raise RuntimeError(f"{op}: non-positive stride or dilation is not supported; expected >= 1, got stride={list(s)}, dilation={list(d)}")  # fmt: skip
    if min(p) < 0 or min(opad) < 0:
        raise RuntimeError(f"{op}: negative padding is not supported; expected >= 0, got padding={list(p)}, output_padding={list(opad)}")  # fmt: skip
    if any(a >= st and a >= dd for a, st, dd in zip(opad, s, d)):
        raise RuntimeError(
            f"{op}: output padding must be smaller than either stride or dilation; expected output_padding < "
            f"max(stride, dilation), got output_padding={list(opad)}, stride={list(s)}, dilation={list(d)}"
        )
    batched = input._data.ndim == nd + 2
    x = input if batched else input.unsqueeze(0)
    n, c, *size = x.shape
    ws = tuple(weight.shape)
    if c != ws[0] or ws[0] % g:
        raise RuntimeError(
            f"{op}: Given transposed=1, weight of size {shape_str(ws)}, expected input{shape_str(tuple(input.shape))} to have "
            f"{ws[0]} channels (divisible by groups={g}), but got {c} channels instead"
        )
    cout, k = ws[1] * g, ws[2:]
    if bias is not None and tuple(bias.shape) != (cout,):
        raise RuntimeError(f"{op}: bias must have one value per output channel; expected [{cout}], got {shape_str(tuple(bias.shape))}")  # fmt: skip
    outs = tuple((i - 1) * st - 2 * pp + dd * (kk - 1) + a + 1 for i, st, pp, dd, kk, a in zip(size, s, p, d, k, opad))
    if min(outs) <= 0:
        raise RuntimeError(f"{op}: output size is too small; expected positive sizes, got {list(outs)} for input {shape_str(tuple(input.shape))}")  # fmt: skip
    wt = weight.reshape(g, c // g, -1).transpose(1, 2)  # (g, cout/g · ∏k, c/g)
    cols = (wt @ x.reshape(n, g, c // g, math.prod(size))).reshape(n, cout, *k, *size)
    gm = PatchGeom(outs, tuple(k), s, d, p, p, tuple(size))
    y = Col2im.apply(cols, gm)
    if bias is not None:
        y = y + bias.reshape(cout, *(1,) * nd)
    return y if batched else y.squeeze(0)


def conv3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
           dilation: Any = 1, groups: int = 1) -> Any:  # fmt: skip
    """3-D cross-correlation of (N, C, D, H, W) or (C, D, H, W) with weight (out, C/groups, kd, kh, kw)."""
    return convnd("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
                     output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Any:  # fmt: skip
    """3-D transposed convolution of (N, C, D, H, W) with weight (C, out/groups, kd, kh, kw)."""
    return conv_transposend("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups, dilation)  # fmt: skip
