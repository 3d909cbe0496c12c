"""ONNX nodes for attention: ``scaled_dot_product_attention`` and ``multi_head_attention_forward``
(what ``nn.MultiheadAttention`` and ``nn.TransformerEncoderLayer`` call).

Attention is written with MatMul/Softmax; reshapes keep batch and sequence dims dynamic (0/-1).
Constant masks are baked into the graph as initializers, masks computed from the inputs become
``Where`` nodes; dropout is off (eval).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._tensor import Tensor
from ._errors import UnsupportedOperatorError
from ._graph import Graph
from ._ops_tensor import A, dt
from ._trace import register


def _additive_mask(g: Graph, mask: Any, d: np.dtype, true_blocks: bool = True) -> str:
    """A bool mask as 0/−inf (MHA: True = blocked; SDPA: True = take part, ``true_blocks=False``);
    a float mask as is. A mask computed from the inputs becomes a ``Where`` node, a constant one an initializer."""
    if isinstance(mask, Tensor) and g.is_traced(mask):
        if mask._data.dtype.kind == "b":
            blocked, kept = g.scalar(-np.inf, d), g.scalar(0.0, d)
            return g.node("Where", [g.value(mask), blocked, kept] if true_blocks else [g.value(mask), kept, blocked])
        return g.value(mask, d)
    m = g.constant_data(mask)
    if m.dtype.kind == "b":
        m = np.where(m, d.type(-np.inf), d.type(0))
    return g.const(m.astype(d))


def _causal(lq: int, lk: int, d: np.dtype) -> np.ndarray:
    return np.triu(np.full((lq, lk), -np.inf, dtype=d), 1)


@register("F.scaled_dot_product_attention")
def _sdpa(g: Graph, a: A, out: Any) -> str:
    q, k, v = a["query"], a["key"], a["value"]
    if a.get("enable_gqa"):
        raise UnsupportedOperatorError("scaled_dot_product_attention", "enable_gqa=True")
    d = dt(out)
    scale = a.get("scale") or 1.0 / math.sqrt(q.shape[-1])
    perm = list(range(k.ndim))
    perm[-2], perm[-1] = perm[-1], perm[-2]
    scores = g.node("MatMul", [g.value(q), g.transpose(g.value(k), perm)])
    scores = g.node("Mul", [scores, g.scalar(scale, d)])
    mask = a.get("attn_mask")
    if a.get("is_causal"):
        scores = g.node("Add", [scores, g.const(_causal(q.shape[-2], k.shape[-2], d))])
    elif mask is not None:
        if mask._data.dtype.kind == "b" and not g.is_traced(mask):  # SDPA: True = take part
            keep = g.constant_data(mask)
            scores = g.node("Add", [scores, g.const(np.where(keep, d.type(0), d.type(-np.inf)))])
        else:
            scores = g.node("Add", [scores, _additive_mask(g, mask, d, true_blocks=False)])
    return g.node("MatMul", [g.node("Softmax", [scores], axis=-1), g.value(v)])


def _project(g: Graph, x: str, w: np.ndarray, b: np.ndarray | None) -> str:
    y = g.node("MatMul", [x, g.const(np.ascontiguousarray(w.T))])
    return g.node("Add", [y, g.const(b)]) if b is not None else y


@register("F.multi_head_attention_forward")
def _mha(g: Graph, a: A, out: Any) -> list[str | None]:
    query, key, value = a["query"], a["key"], a["value"]
    for opt in ("bias_k", "bias_v", "static_k", "static_v"):
        if a.get(opt) is not None:
            raise UnsupportedOperatorError("multi_head_attention_forward", f"{opt} is set")
    if a.get("add_zero_attn"):
        raise UnsupportedOperatorError("multi_head_attention_forward", "add_zero_attn=True")
    for name in ("in_proj_weight", "in_proj_bias", "q_proj_weight", "k_proj_weight", "v_proj_weight",
                 "out_proj_weight", "out_proj_bias"):  # fmt: skip
        if g.is_traced(a.get(name)):
            raise UnsupportedOperatorError("multi_head_attention_forward", f"{name} computed from the input")
    attn_out = out[0]
    d = dt(attn_out)
    e, h = int(a["embed_dim_to_check"]), int(a["num_heads"])
    hd = e // h
    batched = query.ndim == 3
    bf = bool(a.get("batch_first")) and batched

    def to_nle(t: Tensor) -> str:  # (N, L, E) view of an input
        v = g.value(t)
        if not batched:
            return g.unsqueeze(v, [0])
        return v if bf else g.transpose(v, [1, 0, 2])

    if a.get("use_separate_proj_weight"):
        wq, wk, wv = (g.constant_data(a[f"{c}_proj_weight"]) for c in "qkv")
    else:
        w = g.constant_data(a["in_proj_weight"])
        wq, wk, wv = w[:e], w[e : 2 * e], w[2 * e :]
    b = a.get("in_proj_bias")
    bd = None if b is None else g.constant_data(b)
    bq, bk, bv = (None, None, None) if bd is None else (bd[:e], bd[e : 2 * e], bd[2 * e :])
    qv = _project(g, to_nle(query), wq, bq)
    kv = qv if (key is query and wk is wq) else _project(g, to_nle(key), wk, bk)
    vv = _project(g, to_nle(value), wv, bv)
    heads = [0, 0, h, hd]
    qh = g.transpose(g.reshape(qv, heads), [0, 2, 1, 3])  # (N, H, L, D)
    kt = g.transpose(g.reshape(kv, heads), [0, 2, 3, 1])  # (N, H, D, S)
    vh = g.transpose(g.reshape(vv, heads), [0, 2, 1, 3])  # (N, H, S, D)
    scores = g.node("Mul", [g.node("MatMul", [qh, kt]), g.scalar(1.0 / math.sqrt(hd), d)])
    lq, lk = query.shape[0 if not bf and batched else -2], key.shape[0 if not bf and batched else -2]
    if not batched:
        lq, lk = query.shape[0], key.shape[0]
    mask = a.get("attn_mask")
    if a.get("is_causal") and mask is None:
        scores = g.node("Add", [scores, g.const(_causal(lq, lk, d))])
    elif mask is not None:
        m = _additive_mask(g, mask, d)
        if mask.ndim == 3:  # (N·H, L, S)
            m = g.reshape(m, [-1, h, lq, lk])
        scores = g.node("Add", [scores, m])
    kpm = a.get("key_padding_mask")
    if kpm is not None:
        m = _additive_mask(g, kpm, d)
        scores = g.node("Add", [scores, g.unsqueeze(m, [1, 2] if batched else [0, 1])])
    probs = g.node("Softmax", [scores], axis=-1)
    ctx = g.transpose(g.node("MatMul", [probs, vh]), [0, 2, 1, 3])  # (N, L, H, D)
    ob = a.get("out_proj_bias")
    wo = g.constant_data(a["out_proj_weight"])
    y = _project(g, g.reshape(ctx, [0, 0, e]), wo, None if ob is None else g.constant_data(ob))
    if not batched:
        y = g.squeeze(y, [0])
    elif not bf:
        y = g.transpose(y, [1, 0, 2])
    weights = None
    if out[1] is not None:
        weights = g.reduce("ReduceMean", probs, [1], False) if a.get("average_attn_weights", True) else probs
        if not batched:
            weights = g.squeeze(weights, [0])
    return [y, weights]
