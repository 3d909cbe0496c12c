"""Fused recurrences: one layer direction of an RNN as ONE differentiable op (the LSTM's and the GRU's, in
their gate-major layout, are in ``rnn_fused_lstm.py`` and ``rnn_fused_gru.py``).

Each op's ``forward`` runs the time loop on NumPy arrays and its ``backward`` is backpropagation
through time written out: the chain rule unrolled over the steps, in reverse order. The input
projection of every time step is one GEMM before the loop (``Gx = X W_ihᵀ + b``) and the weight
gradients are one GEMM each after the backward loop (``gW_ih = Σ_t gA_tᵀ x_t`` over all steps at
once), so only the small ``h W_hhᵀ`` product and the gate arithmetic run per step.

Shared conventions (time-major): x (T, B, I); states h (B, P), c (B, H); G gates per step. The
state array ``S`` (T+1, B, P) holds every state: for the forward direction step t reads S[t] and
writes S[t+1]; for the reverse direction step t reads S[t+1] and writes S[t]. So ``S[:-1]`` (or
``S[1:]``) is the stack of previous states the weight gradient of ``W_hh`` needs.

Packed sequences: ``batch_sizes[t]`` rows (a prefix, sequences sorted by decreasing length) are
valid at step t; the other rows keep their state (so h_n is each sequence's last valid state) and
get zero output.

Threads: the rows of the batch are independent recurrences, so with several threads (and enough work)
the time loops run on blocks of rows, one block per thread, BLAS on one thread meanwhile
(``_parallel.for_rows``); the GEMMs over all steps stay outside, on BLAS's own threads.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import _parallel
from ...autograd.function import CompositeDoubleBackward
from ...ops._util import Function
from . import _composites_seq as _seq

__all__: list[str] = []


def _steps(T: int, reverse: bool) -> tuple[range, int, int]:
    """Time order of the loop, and the offsets of the state read (t + r) and written (t + w) in S."""
    return (range(T - 1, -1, -1), 1, 0) if reverse else (range(T), 0, 1)


def _valid(batch_sizes: Any, T: int, B: int) -> list[int]:
    return [B] * T if batch_sizes is None else [int(b) for b in batch_sizes]


def _live(rows: slice, bs: int) -> tuple[int, int]:
    """The rows [lo, hi) of the block ``rows`` that are valid at a step with ``bs`` valid rows (a prefix)."""
    return rows.start, min(rows.stop, max(rows.start, bs))


def _by_rows(fn: Any, B: int, work: int) -> None:
    """``fn(rows)`` over blocks of the batch's rows, on chainrule's threads when ``work`` (elements) is large."""
    _parallel.for_rows(fn, B, work, blas=True)


def _projection(x: Any, w_ih: Any, bias: Any) -> Any:
    """Gx = X W_ihᵀ + b for all T·B rows at once: (T, B, I) -> (T, B, G)."""
    T, B, _ = x.shape
    gx = x.reshape(T * B, -1) @ w_ih.T
    if bias is not None:
        gx += bias
    return gx.reshape(T, B, -1)


def _hidden_gemm(w_hh: Any, h: Any) -> Any:
    """h W_hhᵀ (B, G), computed as (W_hh hᵀ)ᵀ: the (G, P)·(P, B) product is ~25% faster in BLAS for the
    small batch of a recurrence than (B, P)·(P, G), and the transposed view costs one strided read."""
    return (w_hh @ h.T).T


def _outputs(S: Any, reverse: bool, sizes: list[int], B: int) -> Any:
    """The per-step outputs from the state stack, zero where a sequence has ended."""
    y = (S[:-1] if reverse else S[1:]).copy()
    for t, bs in enumerate(sizes):
        if bs < B:
            y[t, bs:] = 0
    return y


def _input_grads(ctx: Any, gA: Any, gAh: Any, x: Any, w_ih: Any, Sprev: Any) -> tuple[Any, Any, Any, Any]:
    """One GEMM per gradient over all steps: gx = gA W_ih, gW_ih = gAᵀ X, gW_hh = gAhᵀ S_prev, gb = Σ gA."""
    need = ctx.needs_input_grad
    T, B, G = gA.shape
    gA2 = gA.reshape(T * B, G)
    gAh2 = gAh.reshape(T * B, G)
    gx = (gA2 @ w_ih).reshape(x.shape) if need[0] else None
    gw_ih = gA2.T @ x.reshape(T * B, -1)
    gw_hh = gAh2.T @ Sprev.reshape(T * B, -1)
    return gx, gw_ih, gw_hh, gA2.sum(0)


class RNNLayer(CompositeDoubleBackward, Function):
    """Elman recurrence  h_t = φ(a_t),  a_t = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh,  φ = tanh or relu.

    Output y_t = h_t; returns (y (T, B, H), h_n (B, H)).
    BPTT with e_t = ∂L/∂y_t + ∂L/∂h_t (from step t+1):  gA_t = e_t ⊙ φ'(a_t)  with φ' = 1 − h_t² (tanh)
    or [h_t > 0] (relu);  ∂L/∂h_{t−1} = gA_t W_hh.  Then gx_t = gA_t W_ih,  gW_ih = Σ_t gA_tᵀ x_t,
    gW_hh = Σ_t gA_tᵀ h_{t−1},  gb_ih = gb_hh = Σ_t gA_t,  gh_0 = ∂L/∂h_0.
    """

    composite = staticmethod(_seq.rnn_layer)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, h0: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any,
                relu: bool, reverse: bool, batch_sizes: Any) -> Any:
        T, B, _ = x.shape
        bias = None if b_ih is None else b_ih + b_hh
        gx = _projection(x, w_ih, bias)
        sizes = _valid(batch_sizes, T, B)
        order, r, w = _steps(T, reverse)
        S = np.empty((T + 1,) + h0.shape, x.dtype)
        S[T if reverse else 0] = h0

        def rows(R: slice) -> None:
            for t in order:
                (lo, hi), hp, hn = _live(R, sizes[t]), S[t + r], S[t + w]
                if hi > lo:
                    a = gx[t, lo:hi]
                    a += _hidden_gemm(w_hh, hp[lo:hi])
                    if relu:
                        np.maximum(a, 0, out=hn[lo:hi])
                    else:
                        np.tanh(a, out=hn[lo:hi])
                if hi < R.stop:
                    hn[hi:R.stop] = hp[hi:R.stop]

        _by_rows(rows, B, gx.size)
        ctx.save_for_backward(x, w_ih, w_hh, S)
        ctx.cfg = (relu, reverse, sizes, b_ih is not None)
        h_n = S[0] if reverse else S[T]
        return _outputs(S, reverse, sizes, B), h_n.copy()

    @staticmethod
    def backward(ctx: Any, gy: Any, gh_n: Any) -> Any:
        x, w_ih, w_hh, S = ctx.saved_tensors
        relu, reverse, sizes, has_bias = ctx.cfg
        T, B, _ = x.shape
        order, r, w = _steps(T, reverse)
        gA = np.zeros(gy.shape, gy.dtype)
        dh = gh_n.copy()

        def rows(R: slice) -> None:
            for t in reversed(order):
                lo, hi = _live(R, sizes[t])
                if hi == lo:
                    continue
                h = S[t + w, lo:hi]
                e = dh[lo:hi] + gy[t, lo:hi]
                ga = gA[t, lo:hi]
                if relu:
                    np.multiply(e, h > 0, out=ga)
                else:
                    np.multiply(e, 1 - h * h, out=ga)
                dh[lo:hi] = ga @ w_hh

        _by_rows(rows, B, gA.size)
        Sprev = S[1:] if reverse else S[:-1]
        gx, gw_ih, gw_hh, gb = _input_grads(ctx, gA, gA, x, w_ih, Sprev)
        gb_ = gb if has_bias else None
        return gx, dh, gw_ih, gw_hh, gb_, gb_, None, None, None
