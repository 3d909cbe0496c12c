"""Distances: ``cdist`` (every row of x1 against every row of x2, a primitive) and the compositions
``pdist`` (``pairwise_distance`` and ``cosine_similarity`` live in ``nn.functional``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from ._util import Function, check_tensor, shape_str

__all__ = ["cdist", "pdist"]  # pairwise_distance/cosine_similarity: nn.functional (also top level)


class Cdist(Function):
    """out[b, i, j] = ‖x1[b, i] − x2[b, j]‖_p over the last dim (batch dims broadcast); with
    δ = x1_i − x2_j and d = out_ij:
      p = 0: d = #{δ ≠ 0} (no gradient);  p = ∞: d = max |δ|;  else d = (Σ |δ|^p)^(1/p).
    VJP: gx1_i = Σ_j g_ij·∂d/∂δ,  gx2_j = −Σ_i g_ij·∂d/∂δ, where
      ∂d/∂δ = sign δ·|δ|^(p−1) / d^(p−1)  (p = 1: sign δ;  p = 2: δ/d;  p = ∞: sign δ where |δ| = d),
    taken as 0 where d = 0. Under ``create_graph`` δ is formed again from the recorded inputs."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x1: Any, x2: Any, p: float) -> Any:
        delta = x1[..., :, None, :] - x2[..., None, :, :]
        ad = np.abs(delta)
        with np.errstate(all="ignore"):
            if p == 0:
                out = (ad != 0).sum(-1).astype(delta.dtype)
            elif p == 1:
                out = ad.sum(-1)
            elif p == 2:
                out = np.sqrt((delta * delta).sum(-1))
            elif p == np.inf:
                out = ad.max(-1) if ad.shape[-1] else np.zeros(ad.shape[:-1], ad.dtype)
            else:
                out = np.power(np.power(ad, p).sum(-1), 1.0 / p)
        ctx.p = p
        ctx.save_for_backward(delta, out, x1, x2)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        delta, out, x1, x2 = ctx.saved_tensors
        xp, p = ctx.xp, ctx.p
        if xp.is_tensor:  # δ saved as an array for speed; recorded, it must come from the inputs
            delta = x1[..., :, None, :] - x2[..., None, :, :]
        d = out[..., None]
        dv = getattr(d, "_data", d)  # values, for masks (where d = 0 the derivative is taken as 0)
        with np.errstate(all="ignore"):
            if p == 0:
                dd = xp.zeros_like(delta)
            elif p == 1:
                dd = xp.sign(delta)
            elif p == 2:
                dd = delta / xp.where(dv == 0, 1.0, d)  # δ = 0 wherever d = 0
            elif p == np.inf:
                dd = xp.sign(delta) * (np.abs(getattr(delta, "_data", delta)) == dv)
            else:
                zero = dv == 0
                safe = xp.where(zero, 1.0, d)
                dd = xp.where(zero, 0.0, xp.sign(delta) * xp.power(xp.abs(delta) / safe, p - 1))
            w = g[..., None] * dd
        gx1 = xp.sum(w, axis=-2) if ctx.needs_input_grad[0] else None
        gx2 = -xp.sum(w, axis=-3) if ctx.needs_input_grad[1] else None
        if not xp.is_tensor:
            gx1 = None if gx1 is None else gx1.astype(g.dtype, copy=False)
            gx2 = None if gx2 is None else gx2.astype(g.dtype, copy=False)
        return gx1, gx2, None


def cdist(x1: Any, x2: Any, p: float = 2.0, compute_mode: str | None = None) -> Any:
    """p-norm distances between the rows of ``x1`` (…, P, M) and ``x2`` (…, R, M): shape (…, P, R)."""
    a, b = check_tensor(x1, "cdist", "x1"), check_tensor(x2, "cdist", "x2")
    sa, sb = a._data.shape, b._data.shape
    if len(sa) < 2 or len(sb) < 2:
        bad, n = ("X1", len(sa)) if len(sa) < 2 else ("X2", len(sb))
        raise RuntimeError(f"cdist: cdist only supports at least 2D tensors, {bad} got: {n}D")
    if sa[-1] != sb[-1]:
        raise RuntimeError(f"cdist: X1 and X2 must have the same number of columns. X1: {sa[-1]} X2: {sb[-1]}")
    if a._data.dtype.kind != "f" or b._data.dtype.kind != "f":
        raise RuntimeError(
            f"cdist: cdist only supports floating-point dtypes, X1 got: {_dtype.from_numpy_dtype(a._data.dtype)}, "
            f"X2 got: {_dtype.from_numpy_dtype(b._data.dtype)}"
        )
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"cdist: X1 and X2 must have the same dtype; got {a.dtype} and {b.dtype}")
    if p < 0:
        raise RuntimeError(f"cdist: cdist only supports non-negative p values; got {p}")
    if compute_mode not in (None, "use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"):
        raise ValueError(f"cdist: {compute_mode} is not a valid value for compute_mode")
    try:
        np.broadcast_shapes(sa[:-2], sb[:-2])
    except ValueError:
        raise RuntimeError(
            f"cdist: the batch dims of x1 {shape_str(sa)} and x2 {shape_str(sb)} do not broadcast"
        ) from None
    return Cdist.apply(a, b, float(p))


def pdist(input: Any, p: float = 2.0) -> Any:  # noqa: A002
    """The p-norm distances between the rows of an (N, M) tensor, for each pair i < j in row-major order."""
    from ._util import make
    from .index import getitem

    x = check_tensor(input, "pdist")
    if x._data.ndim != 2:
        raise RuntimeError(f"pdist: pdist only supports 2D tensors, got: {x._data.ndim}D")
    if p < 0:
        raise RuntimeError(f"pdist: pdist only supports non-negative p values; got {p}")
    i, j = np.triu_indices(x._data.shape[0], 1)
    return getitem(cdist(x, x, p), (make(i), make(j)))
