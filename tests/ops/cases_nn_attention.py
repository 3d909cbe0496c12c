"""Op cases for nn/functional/attention.py: scaled_dot_product_attention and multi_head_attention_forward.

Masks are made inside the case functions (constants, in the case's library) unless the case is about the
gradient that flows into a float mask, which is then an input. Dropout draws differ from PyTorch's
generator, so only dropout_p = 0 is compared here; its statistics are tested in tests/nn/test_attention.py.
"""

from __future__ import annotations

import numpy as np

import chainrule.nn.functional  # noqa: F401  (makes chainrule.nn.functional reachable as m.nn.functional)

from .harness import OpCase

F64 = ("float32", "float64")
TOL = {"atol": 1e-5, "rtol": 1e-4}


def _F(m):  # noqa: N802
    return m.nn.functional


def _sdpa(name, shapes, noncontig=False, dtypes=("float32",), **kw):
    return OpCase(
        f"sdpa_{name}", lambda m, q, k, v: _F(m).scaled_dot_product_attention(q, k, v, **kw), shapes,
        noncontig=noncontig, dtypes=dtypes, **TOL,
    )


def _bool_mask(shape, seed=0, full_row=None):
    """True = take part; column 0 always on, so no row is fully masked (unless ``full_row`` is given)."""
    mask = np.random.default_rng(seed).random(shape) > 0.4
    mask[..., 0] = True
    if full_row is not None:
        mask[..., full_row, :] = False
    return mask


def _sdpa_bool(name, shapes, mshape, full_row=None):
    mask = _bool_mask(mshape, full_row=full_row)
    return OpCase(
        f"sdpa_{name}", lambda m, q, k, v: _F(m).scaled_dot_product_attention(q, k, v, attn_mask=m.tensor(mask)),
        shapes, **TOL,
    )


def _float_mask_make(shapes, mshape, inf=True):
    def make(rng):
        arrs = [rng.uniform(-2, 2, s) for s in shapes]
        mask = rng.uniform(-1, 1, mshape)
        if inf:
            mask[..., 1:, -1] = -np.inf  # blocked entries, never a whole row
        return [*arrs, mask]

    return make


def _mha(m, x, *, nw=True, avg=True, kpm=None, am=None, causal=False, zero=False, bias_kv=None, bf=False, training=True):
    """Self-attention of x (L, N, E=4) with 2 heads and weights made from a fixed seed."""
    rng = np.random.default_rng(7)
    dt = x.dtype
    w_in, b_in = m.tensor(rng.uniform(-0.7, 0.7, (12, 4)), dtype=dt), m.tensor(rng.uniform(-0.3, 0.3, 12), dtype=dt)
    w_out, b_out = m.tensor(rng.uniform(-0.7, 0.7, (4, 4)), dtype=dt), m.tensor(rng.uniform(-0.3, 0.3, 4), dtype=dt)
    bk = bv = None
    if bias_kv:
        bk, bv = (m.tensor(rng.uniform(-1, 1, (1, 1, 4)), dtype=dt) for _ in range(2))
    kpm = None if kpm is None else m.tensor(kpm)
    am = None if am is None else (m.tensor(am) if isinstance(am, np.ndarray) else am)
    out = _F(m).multi_head_attention_forward(
        x, x, x, 4, 2, w_in, b_in, bk, bv, zero, 0.0, w_out, b_out, training=training, key_padding_mask=kpm,
        need_weights=nw, attn_mask=am, average_attn_weights=avg, is_causal=causal,
    )
    return out if nw else out[0]


def _mha_cross(m, q, k, v, w_q, w_k, w_v, nw=True):
    """Cross-attention with separate projection weights (kdim=3, vdim=5) and no biases."""
    return _F(m).multi_head_attention_forward(
        q, k, v, 4, 2, None, None, None, None, False, 0.0, m.eye(4, dtype=q.dtype), None,
        need_weights=nw, use_separate_proj_weight=True, q_proj_weight=w_q, k_proj_weight=w_k, v_proj_weight=w_v,
    )


KPM = np.array([[False, False, True], [False, True, True]])  # (N=2, S=3)
CAUSAL = np.triu(np.full((3, 3), -np.inf), 1)

CASES = [
    # scaled_dot_product_attention: shapes (batch and head dims, 2-D, broadcast batch), Ev != E, options
    _sdpa("basic", [(2, 3, 4), (2, 5, 4), (2, 5, 4)], noncontig=True, dtypes=F64),
    _sdpa("heads_4d", [(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)], dtypes=F64),
    _sdpa("2d", [(3, 4), (5, 4), (5, 2)], noncontig=True),
    _sdpa("broadcast_batch", [(2, 1, 3, 4), (1, 3, 5, 4), (3, 5, 2)]),
    _sdpa("size1", [(1, 1, 1), (1, 1, 1), (1, 1, 1)]),
    _sdpa("zero_batch", [(0, 3, 4), (0, 5, 4), (0, 5, 2)]),
    _sdpa("zero_keys", [(2, 3, 4), (2, 0, 4), (2, 0, 2)]),
    _sdpa("zero_queries", [(2, 0, 4), (2, 5, 4), (2, 5, 2)]),
    _sdpa("causal", [(2, 4, 3), (2, 4, 3), (2, 4, 5)], is_causal=True, dtypes=F64),
    _sdpa("causal_wide", [(2, 3, 3), (2, 5, 3), (2, 5, 2)], is_causal=True),
    _sdpa("causal_tall", [(5, 3), (2, 3), (2, 4)], is_causal=True),
    _sdpa("scale", [(2, 3, 4), (2, 5, 4), (2, 5, 2)], scale=0.3),
    _sdpa("scale_zero", [(2, 3, 4), (2, 5, 4), (2, 5, 2)], scale=0.0),
    _sdpa("dropout_zero", [(2, 3, 4), (2, 5, 4), (2, 5, 2)], dropout_p=0.0),
    _sdpa("gqa", [(2, 4, 3, 4), (2, 2, 5, 4), (2, 1, 5, 3)], enable_gqa=True, dtypes=F64),
    _sdpa("gqa_same_heads", [(2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3)], enable_gqa=True),
    # masks: bool of each rank, fully masked rows (0 in PyTorch 2.13), float masks receiving a gradient
    _sdpa_bool("bool_mask_2d", [(2, 3, 4), (2, 5, 4), (2, 5, 2)], (3, 5)),
    _sdpa_bool("bool_mask_4d_bcast", [(2, 3, 4, 4), (2, 3, 5, 4), (2, 3, 5, 2)], (2, 1, 4, 5)),
    _sdpa_bool("bool_mask_full_row", [(2, 3, 4), (2, 5, 4), (2, 5, 2)], (3, 5), full_row=1),
    OpCase(
        "sdpa_float_mask", lambda m, q, k, v, a: _F(m).scaled_dot_product_attention(q, k, v, attn_mask=a),
        make=_float_mask_make([(2, 3, 4), (2, 5, 4), (2, 5, 2)], (3, 5), inf=False), dtypes=F64, **TOL,
    ),
    OpCase(
        "sdpa_float_mask_inf_bcast", lambda m, q, k, v, a: _F(m).scaled_dot_product_attention(q, k, v, a),
        make=_float_mask_make([(2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 2)], (2, 1, 3, 5)), gradcheck=False, **TOL,
    ),
    OpCase(
        "sdpa_float_mask_full_row",
        lambda m, q, k, v: _F(m).scaled_dot_product_attention(
            q, k, v, m.tensor(np.where(_bool_mask((3, 5), full_row=2), 0.0, -np.inf), dtype=q.dtype)
        ), [(2, 3, 4), (2, 5, 4), (2, 5, 2)], **TOL,
    ),
    OpCase(
        "sdpa_composite",  # the fused op against softmax(q kᵀ/√E + mask) v written with matmul + softmax
        lambda m, q, k, v, a: (
            _F(m).scaled_dot_product_attention(q, k, v, attn_mask=a)
            - m.softmax(q @ k.transpose(-2, -1) / 2.0 + a, dim=-1) @ v
        ), make=_float_mask_make([(2, 3, 4), (2, 5, 4), (2, 5, 2)], (3, 5), inf=False), dtypes=F64, **TOL,
    ),
    # multi_head_attention_forward: packed self-attention, weights averaged or per head, masks, options
    OpCase("mha_self", lambda m, x: _mha(m, x), [(3, 2, 4)], dtypes=F64, **TOL),
    OpCase("mha_self_heads", lambda m, x: _mha(m, x, avg=False), [(3, 2, 4)], **TOL),
    OpCase("mha_no_weights", lambda m, x: _mha(m, x, nw=False), [(3, 2, 4)], dtypes=F64, **TOL),
    OpCase("mha_unbatched", lambda m, x: _mha(m, x[:, 0]), [(3, 2, 4)], **TOL),
    OpCase("mha_kpm", lambda m, x: _mha(m, x, kpm=KPM), [(3, 2, 4)], **TOL),
    OpCase("mha_kpm_no_weights", lambda m, x: _mha(m, x, kpm=KPM, nw=False), [(3, 2, 4)], **TOL),
    OpCase("mha_causal_mask", lambda m, x: _mha(m, x, am=CAUSAL, nw=False, causal=True), [(3, 2, 4)], **TOL),
    OpCase("mha_attn_mask_grad", lambda m, x, a: _mha(m, x, am=a), make=_float_mask_make([(3, 2, 4)], (3, 3)), gradcheck=False, **TOL),
    OpCase("mha_attn_mask_3d", lambda m, x, a: _mha(m, x, am=a, nw=False), make=_float_mask_make([(3, 2, 4)], (4, 3, 3), inf=False), **TOL),
    OpCase("mha_bias_kv_zero_attn", lambda m, x: _mha(m, x, kpm=KPM, bias_kv=True, zero=True), [(3, 2, 4)], dtypes=F64, **TOL),
    OpCase("mha_eval", lambda m, x: _mha(m, x, training=False), [(3, 2, 4)], **TOL),
    OpCase(
        "mha_cross_separate_weights", lambda m, q, k, v, wq, wk, wv: _mha_cross(m, q, k, v, wq, wk, wv),
        [(3, 2, 4), (5, 2, 3), (5, 2, 5), (4, 4), (4, 3), (4, 5)], dtypes=F64, **TOL,
    ),
]
