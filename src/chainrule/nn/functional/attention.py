"""Attention: ``scaled_dot_product_attention`` and ``multi_head_attention_forward``.

Both are fused primitives around the same kernel (a handful of batched GEMMs, no loop over heads or
batch). With s = q kᵀ·scale + bias, p = softmax(s) (rows), pd = p ⊙ m (dropout, m = keep/(1−p_drop)),
out = pd v, and g = ∂L/∂out:

    gv = pdᵀ g,   gpd = g vᵀ (+ ∂L/∂weights),   gp = gpd ⊙ m,   gs = p ⊙ (gp − rowsum(gp ⊙ p)),
    gq = gs k·scale,   gk = gsᵀ q·scale,   gbias = gs.

Rows whose scores are all −inf (fully masked) give 0 in ``scaled_dot_product_attention`` (PyTorch's
"safe" softmax) and NaN in ``multi_head_attention_forward(need_weights=True)`` (plain softmax), as
in PyTorch 2.13.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ... import _parallel
from ..._random import default_generator
from ..._tensor import Tensor
from ...autograd.function import CompositeDoubleBackward, Function
from ...ops._util import broadcast_error, check_tensor, make, shape_str
from ...ops.elementwise import where
from .. import attention as _attention_kernels
from . import _composites
from . import _composites_seq as _seq
from ._mha_parts import _cat, _check_proj, _from_static, _linear_rows, _pad1

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


# --- the kernel, on NumPy arrays (..., L, E) x (..., S, E) x (..., S, Ev) ----------------------------
def _softmax_rows(s: Any, safe: bool, masked: bool) -> Any:
    """s ← softmax(s) over the last dim, in place (``safe``: a fully masked row gives 0, not NaN).

    Large C-contiguous scores go by blocks of rows over chainrule's threads (each row the same
    operations, so the same bits); inside a chunk of the batch this runs on the calling thread."""
    if s.ndim > 1 and s.flags.c_contiguous and _parallel.threads_for(s.size) > 1:
        rows = s.reshape(-1, s.shape[-1])
        _parallel.for_rows(lambda r: _softmax_block(rows[r], safe, masked), rows.shape[0], s.size)
        return s
    return _softmax_block(s, safe, masked)


def _softmax_block(s: Any, safe: bool, masked: bool) -> Any:
    """``_softmax_rows`` on one block of rows, on the calling thread."""
    m = np.max(s, axis=-1, keepdims=True, initial=-np.inf)
    with np.errstate(invalid="ignore", divide="ignore"):
        if safe and masked:
            m[m == -np.inf] = 0  # a fully masked row: exp(−inf) = 0 everywhere, then p = 0
        s -= m
        np.exp(s, out=s)
        z = np.einsum("...j->...", s)[..., None]  # much faster than s.sum(-1) on short rows
        if safe:
            z[z == 0] = 1
        s *= 1 / z
    return s


def _probs(qs: Any, k: Any, bias: Any, safe: bool) -> Any:
    """p = softmax(qs kᵀ + bias) over the last dim (a fresh array; ``qs`` is already scaled)."""
    s = np.matmul(qs, np.swapaxes(k, -1, -2))
    if bias is not None:
        if np.broadcast_shapes(s.shape, bias.shape) == s.shape:
            s += bias
        else:
            s = s + bias
    return _softmax_rows(s, safe, bias is not None)


def _rows_of(a: Any, rows: slice, n: int) -> Any:
    """``a[rows]`` along the leading batch axis when ``a`` has one of length ``n`` (else ``a``: it broadcasts)."""
    return a[rows] if a is not None and a.ndim == 4 and a.shape[0] == n else a


def _chunkable(q: Any, k: Any, v: Any, bias: Any) -> bool:
    """Whether the kernel may be split along dim 0: q, k, v (N, H, ·, ·) with the same N and H, and a
    bias that broadcasts to the scores without enlarging them."""
    if not (q.ndim == k.ndim == v.ndim == 4 and q.shape[:2] == k.shape[:2] == v.shape[:2]):
        return False
    if bias is None:
        return True
    scores = (*q.shape[:3], k.shape[2])
    return bias.ndim <= 4 and np.broadcast_shapes(scores, bias.shape) == scores


def _attn_forward(q: Any, k: Any, v: Any, bias: Any, scale: float, dropout_p: float, safe: bool) -> tuple[Any, ...]:
    """(out, qs, p, pd, dmask) of one attention; ``pd`` is ``p`` after dropout (``p`` itself without).

    Batches of (N, H, ·, ·) are split along N over chainrule's threads when the scores are large
    (each chunk the same GEMMs and softmax on its rows, BLAS on one thread meanwhile)."""
    if not _chunkable(q, k, v, bias):
        qs = q * q.dtype.type(scale)
        p = _probs(qs, k, bias, safe)
        dmask = _dropout_mask(p.shape, dropout_p, p.dtype) if dropout_p > 0.0 else None
        pd = p if dmask is None else p * dmask
        return np.matmul(pd, v), qs, p, pd, dmask
    n, h, L, _ = q.shape
    S = k.shape[2]
    dt = np.result_type(q, k, v)
    qs = np.empty(q.shape, dt)
    p = np.empty((n, h, L, S), dt)
    out = np.empty((n, h, L, v.shape[3]), dt)
    dmask = _dropout_mask(p.shape, dropout_p, p.dtype) if dropout_p > 0.0 else None
    pd = p if dmask is None else np.empty_like(p)
    sc = dt.type(scale)

    def rows(r: slice) -> None:
        np.multiply(q[r], sc, out=qs[r])
        s = p[r]
        np.matmul(qs[r], np.swapaxes(k[r], -1, -2), out=s)
        if bias is not None:
            s += _rows_of(bias, r, n)
        _softmax_rows(s, safe, bias is not None)
        if dmask is not None:
            _parallel.elementwise(lambda o, a, b: np.multiply(a, b, out=o), pd[r], s, dmask[r])
        np.matmul(pd[r], v[r], out=out[r])

    _parallel.for_rows(rows, n, p.size, blas=True)
    return out, qs, p, pd, dmask


def _attn_backward(g: Any, gw: Any, qs: Any, k: Any, v: Any, p: Any, dmask: Any, scale: float, need: Any) -> tuple[Any, ...]:
    """(gq, gk, gv, gbias) from g = ∂L/∂out and gw = ∂L/∂pd (or None); ``need`` flags q, k, v, bias.

    Split along N like the forward when the kernel's arrays allow it."""
    n = p.shape[0]
    if not (_chunkable(qs, k, v, None) and g.ndim == 4 and g.shape[0] == n and (gw is None or gw.ndim == 4)):
        return _attn_backward_rows(g, gw, qs, k, v, p, dmask, scale, need, None)
    dt = p.dtype
    grads = (
        np.empty(qs.shape, dt) if need[0] else None,
        np.empty(k.shape, dt) if need[1] else None,
        np.empty(v.shape, dt) if need[2] else None,
        np.empty(p.shape, dt) if need[3] else None,
    )

    def rows(r: slice) -> None:
        _attn_backward_rows(
            g[r], _rows_of(gw, r, n), qs[r], k[r], v[r], p[r], _rows_of(dmask, r, n), scale, need,
            tuple(None if a is None else a[r] for a in grads),
        )

    _parallel.for_rows(rows, n, p.size, blas=True)
    return grads


def _attn_backward_rows(
    g: Any, gw: Any, qs: Any, k: Any, v: Any, p: Any, dmask: Any, scale: float, need: Any, outs: Any
) -> tuple[Any, ...]:
    """The backward on one block of rows: written into ``outs`` = (gq, gk, gv, gs) when given, else fresh arrays."""
    o = outs if outs is not None else (None, None, None, None)
    gv = None
    if need[2]:
        pd = p if dmask is None else p * dmask
        gv = np.matmul(np.swapaxes(pd, -1, -2), g, out=o[2])
    if not (need[0] or need[1] or need[3]):
        return None, None, gv, None
    gp = np.matmul(g, np.swapaxes(v, -1, -2), out=o[3])
    _softmax_grad_rows(gp, p, gw, dmask)
    gs = gp
    gq = None
    if need[0]:
        gq = np.matmul(gs, k, out=o[0])
        gq *= gq.dtype.type(scale)
    gk = np.matmul(np.swapaxes(gs, -1, -2), qs, out=o[1]) if need[1] else None
    return gq, gk, gv, (gs if need[3] else None)


def _softmax_grad_rows(gp: Any, p: Any, gw: Any, dmask: Any) -> None:
    """gp ← p ⊙ (gp' − rowsum(gp' ⊙ p)) in place, gp' = (gp + gw) ⊙ dmask (either may be None); by blocks
    of rows over chainrule's threads when the arrays are large and alike (each row the same bits)."""

    def block(a: Any, b: Any, w: Any, m: Any) -> None:
        if w is not None:
            a += w
        if m is not None:
            a *= m
        with np.errstate(invalid="ignore"):
            a -= np.einsum("...j,...j->...", a, b)[..., None]
            a *= b

    arrays = [a for a in (gp, p, gw, dmask) if a is not None]
    if (gp.ndim > 1 and _parallel.threads_for(gp.size) > 1
            and all(a.shape == gp.shape and a.flags.c_contiguous for a in arrays)):
        w, m = (None if a is None else a.reshape(-1, a.shape[-1]) for a in (gw, dmask))
        a, b = gp.reshape(-1, gp.shape[-1]), p.reshape(-1, p.shape[-1])
        _parallel.for_rows(
            lambda r: block(a[r], b[r], None if w is None else w[r], None if m is None else m[r]), a.shape[0], gp.size
        )
    else:
        block(gp, p, gw, dmask)


def _dropout_mask(shape: tuple[int, ...], p: float, dtype: Any) -> Any:
    """keep/(1−p) with keep ~ Bernoulli(1−p), drawn from chainrule's default generator."""
    if p >= 1.0:
        return np.zeros(shape, dtype)
    keep = default_generator.np.random(shape, dtype=np.float64 if dtype == np.float64 else np.float32) >= p
    return np.multiply(keep, dtype.type(1.0 / (1.0 - p)), dtype=dtype)


class ScaledDotProductAttention(CompositeDoubleBackward, Function):
    """out = softmax(q kᵀ·scale + bias) ⊙ m · v  (m: dropout mask or none; k, v heads repeated for GQA).

    Shapes: q (..., L, E), k (..., S, E), v (..., S, Ev), bias broadcastable to (..., L, S).
    VJP: gv = pdᵀ g,  gP = g vᵀ ⊙ m,  gS = P ⊙ (gP − rowsum(gP ⊙ P)),  gq = gS k·scale,  gk = gSᵀ q·scale,
    gbias = gS  (gk, gv summed over each group of repeated heads under GQA).
    """

    composite = staticmethod(_composites.attention)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, q: Any, k: Any, v: Any, bias: Any, scale: float, dropout_p: float, gqa: Any) -> Any:
        ctx.gqa = gqa
        if gqa is not None:
            k, v = np.repeat(k, gqa[0], axis=-3), np.repeat(v, gqa[1], axis=-3)
        out, qs, p, _, dmask = _attn_forward(q, k, v, bias, scale, dropout_p, True)
        ctx.scale = scale
        ctx.save_for_backward(qs, k, v, p, dmask)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        qs, k, v, p, dmask = ctx.saved_tensors
        gq, gk, gv, gb = _attn_backward(g, None, qs, k, v, p, dmask, ctx.scale, ctx.needs_input_grad)
        if ctx.gqa is not None:
            gk = None if gk is None else _sum_groups(gk, ctx.gqa[0])
            gv = None if gv is None else _sum_groups(gv, ctx.gqa[1])
        return gq, gk, gv, gb, None, None, None


def _sum_groups(g: Any, n: int) -> Any:
    """Adjoint of ``np.repeat(x, n, axis=-3)``: sum each run of ``n`` heads."""
    if n == 1:
        return g
    return g.reshape(*g.shape[:-3], g.shape[-3] // n, n, *g.shape[-2:]).sum(axis=-3)


def _heads(x: Any, n_heads: int, bf: bool) -> Any:
    """(L, N, E) — or (N, L, E) when ``bf`` — as a (N, H, L, E/H) view."""
    a, b, e = x.shape
    x = x.reshape(a, b, n_heads, e // n_heads)
    return x.transpose(0, 2, 1, 3) if bf else x.transpose(1, 2, 0, 3)


def _merge(bf: bool, *xhs: Any) -> Any:
    """Inverse of ``_heads``: (N, H, L, D) arrays -> one contiguous (N, L, H·D) or (L, N, H·D), side by side."""
    n, h, L, d = xhs[0].shape
    a, b = (n, L) if bf else (L, n)
    out = np.empty((a, b, len(xhs), h, d), xhs[0].dtype)
    for i, xh in enumerate(xhs):
        out[:, :, i] = xh.transpose(0, 2, 1, 3) if bf else xh.transpose(2, 0, 1, 3)
    return out.reshape(a, b, len(xhs) * h * d)


class MultiHeadAttentionCore(CompositeDoubleBackward, Function):
    """Attention of projected q (L, N, E), k, v (S, N, E) split into H heads (or (N, ·, E) with batch_first).

    Packed (k = v = None): ``q`` holds [q | k | v] along its last dim (one in-projection GEMM for
    self-attention) and the gradient comes back packed the same way. Outputs: heads merged back (L, N, E), and when asked the
    attention weights pd (N, H, L, S), or their mean over heads (N, L, S).
    VJP per head as in ``ScaledDotProductAttention``, with gpd += ∂L/∂weights (÷H when averaged).
    """

    composite = staticmethod(_seq.mha_core)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, q: Any, k: Any, v: Any, bias: Any, cfg: Any) -> Any:
        n_heads, bf, scale, dropout_p, safe, weights = cfg
        ctx.cfg, ctx.packed = cfg, k is None
        if k is None:  # packed [q | k | v]
            e = q.shape[-1] // 3
            qh, kh, vh = (_heads(q[..., i * e:(i + 1) * e], n_heads, bf) for i in range(3))
        else:
            qh, kh, vh = _heads(q, n_heads, bf), _heads(k, n_heads, bf), _heads(v, n_heads, bf)
        out, qs, p, pd, dmask = _attn_forward(qh, kh, vh, bias, scale, dropout_p, safe)
        ctx.save_for_backward(qs, kh, vh, p, dmask)
        out = _merge(bf, out)
        if weights == 0:
            return out
        return out, (pd.mean(axis=1) if weights == 1 else pd)

    @staticmethod
    def backward(ctx: Any, g: Any, gw: Any = None) -> Any:
        n_heads, bf, scale, _, _, weights = ctx.cfg
        qs, kh, vh, p, dmask = ctx.saved_tensors
        if gw is not None and weights == 1:
            gw = gw[:, None] * gw.dtype.type(1.0 / n_heads)
        need = ctx.needs_input_grad
        if ctx.packed:
            need = (need[0], need[0], need[0], need[3])
        gq, gk, gv, gb = _attn_backward(_heads(g, n_heads, bf), gw, qs, kh, vh, p, dmask, scale, need)
        if ctx.packed:
            return (_merge(bf, gq, gk, gv) if need[0] else None), None, None, gb, None
        return tuple(None if x is None else _merge(bf, x) for x in (gq, gk, gv)) + (gb, None)


# --- public functions ------------------------------------------------------------------------------
_SDPA = "scaled_dot_product_attention"


def _causal_bias(L: int, S: int, dtype: Any) -> Any:
    """0 on and below the diagonal (top-left aligned, as ``tril(ones(L, S))``), −inf above."""
    return np.triu(np.full((L, S), -np.inf, dtype), 1)


def _bool_bias(mask: Any, dtype: Any) -> Any:
    """A bool mask (True = take part) as an additive bias: 0 where True, −inf where False."""
    return np.where(mask, dtype.type(0), dtype.type(-np.inf))


_ALL_KERNELS = _attention_kernels._allowed[0]


def scaled_dot_product_attention(
    query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None, dropout_p: float = 0.0,
    is_causal: bool = False, *, scale: float | None = None, enable_gqa: bool = False,
) -> Tensor:
    """softmax(query keyᵀ·scale + mask) value, with dropout on the weights; scale defaults to 1/√E."""
    for name, t in (("query", query), ("key", key), ("value", value)):
        check_tensor(t, _SDPA, name)
    q, k, v = query._data, key._data, value._data
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise RuntimeError(
            f"{_SDPA}: expected query, key and value to be at least 2-D (..., seq, embed); got "
            f"{shape_str(q.shape)}, {shape_str(k.shape)} and {shape_str(v.shape)}"
        )
    if not q.dtype == k.dtype == v.dtype or q.dtype.kind != "f":
        raise RuntimeError(
            f"{_SDPA}: expected query, key and value to have the same floating point dtype; got "
            f"{query.dtype}, {key.dtype} and {value.dtype}"
        )
    if k.shape[-1] != q.shape[-1] or v.shape[-2] != k.shape[-2]:
        raise RuntimeError(
            f"{_SDPA}: expected key (..., S, {q.shape[-1]}) and value (..., S, Ev) for query "
            f"{shape_str(q.shape)}; got key {shape_str(k.shape)} and value {shape_str(v.shape)}"
        )
    if not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if _attention_kernels._allowed[0] is not _ALL_KERNELS:  # inside nn.attention.sdpa_kernel(...)
        _attention_kernels.check_kernel_allowed()
    gqa = _gqa(q, k, v) if enable_gqa else None
    kb = k.shape[:-2] if gqa is None else (*k.shape[:-3], q.shape[-3])
    try:
        batch = np.broadcast_shapes(q.shape[:-2], kb, v.shape[:-2] if gqa is None else kb)
    except ValueError:
        raise broadcast_error(_SDPA, q.shape[:-2], k.shape[:-2], v.shape[:-2]) from None
    L, S = q.shape[-2], k.shape[-2]
    bias: Any = None
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError(f"{_SDPA}: Explicit attn_mask should not be set when is_causal=True")
        bias = _causal_bias(L, S, q.dtype)
    elif attn_mask is not None:
        check_tensor(attn_mask, _SDPA, "attn_mask")
        m = attn_mask._data
        if m.dtype != np.bool_ and m.dtype != q.dtype:
            raise RuntimeError(
                f"{_SDPA}: expected attn_mask to be bool or of query's dtype {query.dtype}; got {attn_mask.dtype}"
            )
        target = (*batch, L, S)
        try:
            ok = np.broadcast_shapes(m.shape, target) == target
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(
                f"{_SDPA}: attn_mask of shape {shape_str(m.shape)} does not broadcast to the attention "
                f"weights' shape {shape_str(target)} (batch..., L, S)"
            )
        bias = _bool_bias(m, q.dtype) if m.dtype == np.bool_ else attn_mask
    sc = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    return ScaledDotProductAttention.apply(query, key, value, bias, sc, float(dropout_p), gqa)


def _gqa(q: Any, k: Any, v: Any) -> tuple[int, int] | None:
    """Repeat counts of key and value heads (dim −3) for grouped-query attention, or None if equal."""
    if q.ndim < 3 or k.ndim < 3 or v.ndim < 3:
        return None
    hq, hk, hv = q.shape[-3], k.shape[-3], v.shape[-3]
    if hk == hq and hv == hq:
        return None
    if hk == 0 or hv == 0 or hq % hk or hq % hv:
        raise RuntimeError(
            f"{_SDPA}: with enable_gqa=True the number of heads in key ({hk}) and value ({hv}) must "
            f"divide the number of heads in query ({hq})"
        )
    return hq // hk, hq // hv


_MHA = "multi_head_attention_forward"


def _canonical_mask(mask: Tensor | None, name: str, other: Tensor | None, other_name: str, dtype: Any) -> Tensor | None:
    """A bool mask (True = blocked) as a float −inf/0 mask of ``dtype``; a float mask as is."""
    if mask is None:
        return None
    kind = mask._data.dtype.kind
    if kind not in "bf":
        raise AssertionError(f"only bool and floating types of {name} are supported; got {mask.dtype}")
    if other is not None and other._data.dtype != mask._data.dtype:
        warnings.warn(
            f"Support for mismatched {name} and {other_name} is deprecated. Use same type for both instead.",
            stacklevel=3,
        )
    if kind == "b":  # an op (not a bare NumPy call), so traces and exports see the mask's dependence on inputs
        return where(mask, make(np.array(-np.inf, dtype)), make(np.array(0, dtype)))
    return mask


def _shape_check(query: Tensor, key: Tensor, value: Tensor, kpm: Tensor | None, attn_mask: Tensor | None, num_heads: int) -> bool:
    """PyTorch's rank checks (AssertionError); True for batched (3-D) input."""
    qd, kd, vd = query.ndim, key.ndim, value.ndim
    if qd not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {qd}-D query tensor")
    kind = "batched (3-D)" if qd == 3 else "unbatched (2-D)"
    if kd != qd or vd != qd:
        raise AssertionError(
            f"For {kind} `query`, expected `key` and `value` to be {qd}-D but found {kd}-D and {vd}-D tensors respectively"
        )
    if kpm is not None and kpm.ndim != qd - 1:
        raise AssertionError(
            f"For {kind} `query`, expected `key_padding_mask` to be `None` or {qd - 1}-D but found {kpm.ndim}-D tensor instead"
        )
    if attn_mask is not None:
        if attn_mask.ndim not in (2, 3):
            raise AssertionError(
                f"For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found {attn_mask.ndim}-D tensor instead"
            )
        expected = (num_heads, query.shape[0], key.shape[0])
        if qd == 2 and attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
            raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {tuple(attn_mask.shape)}")
    return qd == 3


def multi_head_attention_forward(
    query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
    in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None, bias_v: Tensor | None,
    add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor, out_proj_bias: Tensor | None,
    training: bool = True, key_padding_mask: Tensor | None = None, need_weights: bool = True,
    attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False, q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None, v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
    static_v: Tensor | None = None, average_attn_weights: bool = True, is_causal: bool = False,
    *, batch_first: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention of (L, N, E) query and (S, N, ·) key/value (see ``nn.MultiheadAttention``).

    ``batch_first=True`` (chainrule's extension, used by the layer) takes (N, L, E) inputs and
    returns (N, L, E) outputs without transposing.
    """
    for name, t in (("query", query), ("key", key), ("value", value)):
        check_tensor(t, _MHA, name)
    is_batched = _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    bf = batch_first and is_batched
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = (query.shape[1], query.shape[0], query.shape[2]) if bf else tuple(query.shape)
    dt = query._data.dtype
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", attn_mask, "attn_mask", dt)
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer module method "
            "`generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the causal mask is made by the kernel
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", dt)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    sb = slice(0, 2)
    if use_separate_proj_weight:
        if tuple(key.shape[sb]) != tuple(value.shape[sb]):
            raise AssertionError(
                f"key's sequence and batch dims {tuple(key.shape[sb])} do not match value's {tuple(value.shape[sb])}"
            )
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}")

    # in-projection: one GEMM for self-attention ([q | k | v] stays packed when nothing is appended to k, v)
    simple = bias_k is None and bias_v is None and not add_zero_attn and static_k is None and static_v is None
    packed = False
    k = v = None
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        if query is key and key is value:
            q = _linear_rows(query, in_proj_weight, in_proj_bias)
            packed = simple
            if not packed:
                q, k, v = q.chunk(3, dim=-1)
        else:
            w = in_proj_weight.chunk(3)
            b = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
            q, k, v = (_linear_rows(x, w[i], b[i]) for i, x in enumerate((query, key, value)))
    else:
        b = (None,) * 3 if in_proj_bias is None else in_proj_bias.chunk(3)
        _check_proj(query, key, value, (q_proj_weight, k_proj_weight, v_proj_weight), b)
        q, k, v = (_linear_rows(x, w, bb) for x, w, bb in zip((query, key, value), (q_proj_weight, k_proj_weight, v_proj_weight), b))

    src_len = key.shape[1 if bf else 0]
    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {shape_str(attn_mask.shape)}, but should be "
                    f"{shape_str((tgt_len, src_len))} (L, S)."
                )
        elif tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(
                f"The shape of the 3D attn_mask is {shape_str(attn_mask.shape)}, but should be "
                f"{shape_str((bsz * num_heads, tgt_len, src_len))} (N·num_heads, L, S)."
            )
    seq = 1 if bf else 0
    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key/value.")
        shape = (bsz, 1, embed_dim) if bf else (1, bsz, embed_dim)
        k = _cat(k, bias_k.reshape(1, 1, embed_dim).expand(*shape), seq)
        v = _cat(v, bias_v.reshape(1, 1, embed_dim).expand(*shape), seq)
        attn_mask, key_padding_mask = _pad1(attn_mask), _pad1(key_padding_mask)
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k is set but bias_v is None" if bias_v is None else "bias_v is set but bias_k is None")
    k = k if static_k is None else _from_static(static_k, bsz, num_heads, head_dim, bf, "static_k")
    v = v if static_v is None else _from_static(static_v, bsz, num_heads, head_dim, bf, "static_v")
    if add_zero_attn:
        k = _cat(k, make(np.zeros((bsz, 1, embed_dim) if bf else (1, bsz, embed_dim), dt)), seq)
        v = _cat(v, make(np.zeros((bsz, 1, v.shape[-1]) if bf else (1, bsz, v.shape[-1]), dt)), seq)
        attn_mask, key_padding_mask = _pad1(attn_mask), _pad1(key_padding_mask)
    src_len = q.shape[seq] if packed else k.shape[seq]

    bias: Any = None
    if attn_mask is not None:
        bias = attn_mask if attn_mask.ndim == 2 else attn_mask.reshape(bsz, num_heads, tgt_len, src_len)
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(
                f"Expected key_padding_mask of shape {shape_str((bsz, src_len))} (N, S), but got "
                f"{shape_str(key_padding_mask.shape)}"
            )
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len)
        bias = kpm if bias is None else bias + kpm
    if bias is None and is_causal:
        bias = _causal_bias(tgt_len, src_len, dt)
    if not training:
        dropout_p = 0.0
    weights = 0 if not need_weights else (1 if average_attn_weights else 2)
    cfg = (num_heads, bf, 1.0 / math.sqrt(head_dim), float(dropout_p), not need_weights, weights)
    res = MultiHeadAttentionCore.apply(q, None if packed else k, None if packed else v, bias, cfg)
    out, w = res if need_weights else (res, None)
    out = _linear_rows(out, out_proj_weight, out_proj_bias)
    if not is_batched:
        out = out.squeeze(1)
        w = None if w is None else w.squeeze(0)
    return out, w
