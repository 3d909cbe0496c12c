"""Fused sequence and attention ops re-built from differentiable primitives, for their double backward.

The recurrent layers (``RNNLayer``, ``LSTMLayer``, ``GRULayer``), multi-head attention's core and the
CTC loss run their time loops and backpropagation through time on NumPy arrays. Under
``create_graph=True`` the engine differentiates these compositions instead (``CompositeDoubleBackward``):
each is the op's forward formula written with chainrule ops (the cell recurrence step by step, the
attention per head, the CTC forward recursion), and the op-case tests check that both agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["rnn_layer", "lstm_layer", "gru_layer", "mha_core", "ctc"]


def _cr() -> Any:
    import chainrule

    return chainrule


def _const(a: Any, dtype: Any) -> Any:
    return _cr().tensor(np.asarray(a, dtype=dtype))


# --- recurrences ---------------------------------------------------------------------------------
def _recur(x: Any, h0: Any, reverse: bool, batch_sizes: Any, cell: Any, extra: Any = None) -> tuple[Any, ...]:
    """Run ``cell(t, bs, state) -> (output rows, new state)`` over time (packed: only the first
    ``batch_sizes[t]`` rows step; the others keep their state and output 0). Returns (y, *state)."""
    from .rnn_fused import _valid

    cr = _cr()
    T, B = x.shape[0], x.shape[1]
    sizes = _valid(batch_sizes, T, B)
    state = (h0,) if extra is None else (h0, extra)
    ys: list[Any] = [None] * T
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        bs = sizes[t]
        out, new = cell(t, bs, tuple(s[:bs] for s in state))
        if bs < B:
            zeros = _const(np.zeros((B - bs, out.shape[1])), x._data.dtype)
            out = cr.cat([out, zeros], 0)
            new = tuple(cr.cat([n, s[bs:]], 0) for n, s in zip(new, state))
        ys[t] = out
        state = new
    return (cr.stack(ys, 0), *state)


def rnn_layer(ctx: Any, x: Any, h0: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any, relu: bool, reverse: bool,
              batch_sizes: Any) -> Any:  # fmt: skip
    """h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh), φ = tanh or relu; returns (y, h_n)."""
    cr = _cr()
    gx = x @ w_ih.T
    if b_ih is not None:
        gx = gx + (b_ih + b_hh)

    def cell(t: int, bs: int, st: tuple) -> tuple[Any, tuple]:
        a = gx[t, :bs] + st[0] @ w_hh.T
        h = cr.relu(a) if relu else cr.tanh(a)
        return h, (h,)

    return _recur(x, h0, reverse, batch_sizes, cell)


def lstm_layer(ctx: Any, x: Any, h0: Any, c0: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any, w_hr: Any,
               reverse: bool, batch_sizes: Any) -> Any:  # fmt: skip
    """i, f, g, o = σ, σ, tanh, σ of W_ih x_t + b_ih + W_hh h_{t−1} + b_hh;  c_t = f c_{t−1} + i g;
    h_t = o tanh(c_t) (times W_hrᵀ with a projection); returns (y, h_n, c_n)."""
    cr = _cr()
    H = c0.shape[-1]
    gx = x @ w_ih.T
    if b_ih is not None:
        gx = gx + (b_ih + b_hh)

    def cell(t: int, bs: int, st: tuple) -> tuple[Any, tuple]:
        h, c = st
        a = gx[t, :bs] + h @ w_hh.T
        i, f = cr.sigmoid(a[:, :H]), cr.sigmoid(a[:, H : 2 * H])
        g, o = cr.tanh(a[:, 2 * H : 3 * H]), cr.sigmoid(a[:, 3 * H :])
        c = f * c + i * g
        h = o * cr.tanh(c)
        if w_hr is not None:
            h = h @ w_hr.T
        return h, (h, c)

    return _recur(x, h0, reverse, batch_sizes, cell, c0)


def gru_layer(ctx: Any, x: Any, h0: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any, reverse: bool,
              batch_sizes: Any) -> Any:  # fmt: skip
    """r, z = σ(W_i· x + b_i· + W_h· h + b_h·);  n = tanh(W_in x + b_in + r (W_hn h + b_hn));
    h_t = (1 − z) n + z h_{t−1}; returns (y, h_n)."""
    cr = _cr()
    H = h0.shape[-1]
    gx = x @ w_ih.T
    if b_ih is not None:
        gx = gx + b_ih

    def cell(t: int, bs: int, st: tuple) -> tuple[Any, tuple]:
        (hp,) = st
        gh = hp @ w_hh.T
        if b_hh is not None:
            gh = gh + b_hh
        a = gx[t, :bs]
        r = cr.sigmoid(a[:, :H] + gh[:, :H])
        z = cr.sigmoid(a[:, H : 2 * H] + gh[:, H : 2 * H])
        n = cr.tanh(a[:, 2 * H :] + r * gh[:, 2 * H :])
        h = (1 - z) * n + z * hp
        return h, (h,)

    return _recur(x, h0, reverse, batch_sizes, cell)


# --- multi-head attention ------------------------------------------------------------------------
def _heads(x: Any, n_heads: int, bf: bool) -> Any:
    """(L, N, E) — or (N, L, E) when ``bf`` — as (N, H, L, E/H)."""
    a, b, e = x.shape
    x = x.reshape(a, b, n_heads, e // n_heads)
    return x.permute(0, 2, 1, 3) if bf else x.permute(1, 2, 0, 3)


def _merge(x: Any, bf: bool) -> Any:
    """(N, H, L, D) back to (N, L, H·D) — or (L, N, H·D)."""
    n, h, L, d = x.shape
    return x.permute(0, 2, 1, 3).reshape(n, L, h * d) if bf else x.permute(2, 0, 1, 3).reshape(L, n, h * d)


def mha_core(ctx: Any, q: Any, k: Any, v: Any, bias: Any, cfg: Any) -> Any:
    """Per head: p = softmax(q kᵀ·scale + bias), out = (p ⊙ m) v, with the forward's dropout mask m;
    returns out merged (and the weights p ⊙ m, or their mean over heads, when asked)."""
    cr = _cr()
    n_heads, bf, scale, _, safe, weights = cfg
    if k is None:
        e = q.shape[-1] // 3
        qh, kh, vh = (_heads(q[..., i * e : (i + 1) * e], n_heads, bf) for i in range(3))
    else:
        qh, kh, vh = _heads(q, n_heads, bf), _heads(k, n_heads, bf), _heads(v, n_heads, bf)
    dt = qh._data.dtype
    s = (qh * scale) @ kh.transpose(-2, -1)
    p = None
    if bias is not None:
        s = s + (bias if isinstance(bias, cr.Tensor) else _const(bias, dt))
        full = np.isneginf(s._data).all(-1, keepdims=True)
        if safe and full.any():  # a fully masked row attends to nothing: p = 0
            p = cr.softmax(cr.where(np.broadcast_to(full, s._data.shape), 0.0, s), -1) * _const(~full, dt)
    if p is None:
        p = cr.softmax(s, -1)
    dmask = ctx.saved_tensors[4]
    pd = p if dmask is None else p * _const(dmask, dt)
    out = _merge(pd @ vh, bf)
    if weights == 0:
        return out
    return out, (pd.mean(1) if weights == 1 else pd)


# --- CTC -----------------------------------------------------------------------------------------
def _shift(a: Any, k: int, dt: Any) -> Any:
    """a moved k places right along its last axis, zeros entering: b[:, s] = a[:, s − k]."""
    n, w = a.shape
    if w <= k:
        return _const(np.zeros((n, w)), dt)
    return _cr().cat([_const(np.zeros((n, k)), dt), a[:, : w - k]], 1)


def ctc(ctx: Any, lp: Any, targets: np.ndarray, il: np.ndarray, tl: np.ndarray, blank: int, zero_inf: bool) -> Any:
    """nll = −log p(l|x) by the forward recursion in probability space, rescaled every frame
    (Rabiner's scaling: α̂ₜ = αₜ / cₜ, log p = Σₜ log cₜ + log(α̂(2S) + α̂(2S−1))), plus the term
    Σ_{t<T'} exp(lp) − (its value) whose gradient is the exp(lp) PyTorch's VJP adds (value 0).
    Samples with an infinite or zero-length loss keep the forward's value (no gradient)."""
    from .ctc import _extended

    cr = _cr()
    T, N, _ = lp.shape
    dt = lp._data.dtype
    ext = _extended(targets, tl, blank)
    W = ext.shape[1]
    ar = np.arange(N)
    valid = np.arange(W)[None, :] < (2 * tl + 1)[:, None]
    skip = np.zeros((N, W), bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    from ...ops._xp import TakeAt

    probs = cr.exp(TakeAt.apply(lp, (slice(None), ar[:, None], ext), None))  # (T, N, W): p[t, n, l'_s]
    start = np.zeros((N, W), bool)
    start[:, 0] = True
    if W > 1:
        start[:, 1] = tl > 0
    alpha = probs[0] * _const(start & valid, dt)
    log_c = None
    for t in range(T):
        if t > 0:
            new = (alpha + _shift(alpha, 1, dt) + _shift(alpha, 2, dt) * _const(skip, dt)) * probs[t] * _const(valid, dt)
        else:
            new = alpha
        active = t < il
        c = new.sum(-1)
        keep = active & (c._data != 0)
        c_safe = cr.where(keep, c, 1.0)
        new = new / c_safe.reshape(N, 1)
        alpha = new if t == 0 else cr.where(active[:, None], new, alpha)
        lc = cr.log(c_safe)
        log_c = lc if log_c is None else log_c + lc
    end = TakeAt.apply(alpha, (ar, 2 * tl), None)
    if W > 1:
        end = end + TakeAt.apply(alpha, (ar, np.maximum(2 * tl - 1, 0)), None) * _const(tl > 0, dt)
    end_safe = cr.where(end._data != 0, end, 1.0)
    nll = -(log_c + cr.log(end_safe))
    fwd = ctx.saved_tensors[3]
    good = np.isfinite(fwd) & (il > 0)
    value = np.where(zero_inf & np.isinf(fwd), 0, fwd).astype(dt)
    nll = cr.where(good, nll, _const(value, dt))
    live = (np.arange(T)[:, None] < il[None, :]) & good[None, :]  # where the VJP's exp(lp) term applies
    e = (cr.exp(lp) * _const(live[:, :, None], dt)).sum((0, 2))
    return nll + (e - e.detach())
