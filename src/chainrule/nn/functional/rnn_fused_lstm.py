"""The fused LSTM layer direction: forward time loop and backpropagation through time as ONE op.

Conventions as in ``rnn_fused.py`` (time-major x (T, B, I), the state stack indexed by t + r / t + w),
but the time loops work **gate-major**: per step the gates are a (4H, B) block and the states (H, B)
blocks, so each gate is one contiguous slice and the element-wise work runs over contiguous memory.
Each step is ONE GEMM, ``a = [W_ih | b | W_hh] [x_t; 1; h_{t−1}]`` ((4H, K + P)·(K + P, B), K = I + 1 with
a bias, b = b_ih + b_hh), written straight into the step's gate block: the inputs x_tᵀ (and a row of ones)
are copied once into the rows above the states of a stack ``Z`` (T+1, K + P, B). On one thread that
product runs as a batch of row blocks (``_row_blocks``). The gate rows are permuted to o, i, f, g (the
three σ gates first), and the rows of the σ gates of the weights and the bias are halved (exact in
floating point), so one tanh over the whole block gives tanh(a_g) and tanh(a/2) for the σ gates,
σ(a) = ½·tanh(a/2) + ½. Around NumPy's tanh, a step's gate arithmetic runs as one fused kernel forward
and one backward (``_rnn_kernels.py``) when numba is installed, else as NumPy passes with the same bits.

The weight gradients contract over (t, b): each step's gate gradients (4H, B), computed in a scratch
block, are copied into their columns of one (4H, T·B) matrix ``gA`` (rows padded so that they are not a
power of two apart), and ``Z`` is transposed once to (T+1, B, K + P) (also the source of the output), so
``[gW_ih | gb | gW_hh]`` is one GEMM, and so is gx.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import _parallel
from ..._fused import FLOATS
from ...autograd.function import CompositeDoubleBackward
from ...ops._util import Function
from . import _composites_seq as _seq
from ._rnn_kernels import lstm_cell_backward, lstm_cell_forward
from .rnn_fused import _by_rows, _live, _steps, _valid

__all__: list[str] = []


def _oifg(w: Any, out: Any = None) -> Any:
    """The gate blocks (rows) of ``w`` from PyTorch's order i, f, g, o to o, i, f, g (into ``out``)."""
    H = w.shape[0] // 4
    out = np.empty_like(w) if out is None else out
    out[:H], out[H:] = w[3 * H:], w[:3 * H]
    return out


def _copy(dst: Any, src: Any) -> Any:
    """``dst[...] = src`` (a transposing copy), over blocks of the leading axis on chainrule's threads when
    large (a copy is the same bits however it is split); returns ``dst``."""
    _parallel.for_rows(lambda R: np.copyto(dst[R], src[R]), dst.shape[0], dst.size)
    return dst


# M·N·K below which OpenBLAS's single-precision GEMM runs its direct kernel, without packing the operands
_DIRECT = 1 << 20


def _row_blocks(w: Any, n: int) -> Any:
    """``w`` (M, K) as (M / m, m, K) row blocks for the per-step products ``w @ z`` with z (K, n).

    A step's product is small (N = the batch), and repacking all of ``w`` for every step costs; cut into
    blocks of m rows with m·K·n under ``_DIRECT``, one batched ``np.matmul`` runs it ~25% faster on one
    thread (float32; measured for (1024, 513)·(513, 32)). With several threads, or when no such block
    divides M, ``w`` stays whole (one GEMM that BLAS can split over its threads): returned as (1, M, K).
    """
    M, K = w.shape
    if w.dtype == np.float32 and _parallel.elementwise_threads() == 1 and M * K * n >= _DIRECT:
        for m in range(min(M, (_DIRECT - 1) // (K * n)), 7, -1):
            if M % m == 0:
                return w.reshape(M // m, m, K)
    return w.reshape(1, M, K)


def _gemm(w3: Any, z: Any, out: Any) -> None:
    """``out = w @ z`` for ``w3 = _row_blocks(w, ...)`` (one batched product over its row blocks; splitting
    ``out``'s leading axis is always a view, also of a block of columns)."""
    np.matmul(w3, z, out=out.reshape(w3.shape[0], w3.shape[1], -1))


def _ifgo(g: Any) -> Any:
    """The inverse of ``_oifg``: rows o, i, f, g back to i, f, g, o."""
    H = g.shape[0] // 4
    return np.concatenate([g[H:], g[:H]])


class LSTMLayer(CompositeDoubleBackward, Function):
    """Long short-term memory, PyTorch's gate order i, f, g, o (rows of W_ih, W_hh, b):

        [a_i, a_f, a_g, a_o] = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh
        i = σ(a_i)   f = σ(a_f)   g = tanh(a_g)   o = σ(a_o)
        c_t = f ⊙ c_{t−1} + i ⊙ g      h̃_t = o ⊙ tanh(c_t)      h_t = W_hr h̃_t  (proj_size > 0; else h_t = h̃_t)

    Returns (y (T, B, P), h_n (B, P), c_n (B, H)). BPTT, e = ∂L/∂y_t + ∂L/∂h_t and d = ∂L/∂c_t from step t+1:
        ẽ = e W_hr  (gW_hr = Σ_t eᵀ h̃_t)     go = ẽ ⊙ tanh(c_t)     d ← d + ẽ ⊙ o ⊙ (1 − tanh²(c_t))
        gi = d ⊙ g   gf = d ⊙ c_{t−1}   gg = d ⊙ i      ∂L/∂c_{t−1} = d ⊙ f
        gA = [gi·i(1−i), gf·f(1−f), gg·(1−g²), go·o(1−o)]      ∂L/∂h_{t−1} = gA W_hh
    and the GEMMs over all steps: gx = gA W_ih, gW_ih = Σ gAᵀ x, gW_hh = Σ gAᵀ h_{t−1}, gb_ih = gb_hh = Σ gA.
    Internally gate-major with the rows in the order o, i, f, g (see the module docstring).
    """

    composite = staticmethod(_seq.lstm_layer)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, h0: Any, c0: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any,
                w_hr: Any, reverse: bool, batch_sizes: Any) -> Any:
        T, B, I = x.shape
        H, P = c0.shape[-1], h0.shape[-1]
        K = I + (b_ih is not None)  # columns of [W_ih | b] in w_cat, rows of [x; 1] in Z
        w_cat = np.empty((4 * H, K + P), x.dtype)  # [W_ih | b_ih + b_hh | W_hh], rows o, i, f, g
        _oifg(w_ih, w_cat[:, :I])
        if K > I:
            _oifg((b_ih + b_hh)[:, None], w_cat[:, I:K])
        _oifg(w_hh, w_cat[:, K:])
        w_cat[:3 * H] *= 0.5  # σ(a) = ½·tanh(a/2) + ½
        w_cat3 = _row_blocks(w_cat, B)
        sizes = _valid(batch_sizes, T, B)
        order, r, w = _steps(T, reverse)
        # Z[s] = [x; 1; h] (K + P, B): the state h lives in Z[s, K:] (the stack S of the module docstring of
        # rnn_fused.py), x_t in Z[t + r, :I], so step t is the one GEMM  a = [W_ih | b | W_hh] Z[t + r].
        Z = np.empty((T + 1, K + P, B), x.dtype)
        _copy(Z[r:T + r, :I], x.transpose(0, 2, 1))
        Z[0 if reverse else T, :I] = 0  # the one slot no step reads
        Z[:, I:K] = 1
        S = Z[:, K:]
        C = np.empty((T + 1, H, B), x.dtype)
        S[T if reverse else 0], C[T if reverse else 0] = h0.T, c0.T
        new = np.zeros if min(sizes, default=B) < B else np.empty  # zero past a sequence's end (packed)
        A = new((T, 4 * H, B), x.dtype)  # the activations o, i, f, g
        TC = new((T, H, B), x.dtype)  # tanh(c_t)
        cell = lstm_cell_forward.compiled if x.dtype.name in FLOATS else None  # None: the NumPy passes

        def rows(R: slice) -> None:
            u4 = np.empty((H, R.stop - R.start), x.dtype)
            for t in order:
                lo, hi = _live(R, sizes[t])
                if hi > lo:
                    a, u = A[t, :, lo:hi], u4[:, :hi - lo]
                    _gemm(w_cat3, Z[t + r, :, lo:hi], a)
                    np.tanh(a, out=a)
                    o, i, f, g = a[:H], a[H:2 * H], a[2 * H:3 * H], a[3 * H:]
                    c, tc = C[t + w, :, lo:hi], TC[t, :, lo:hi]
                    if cell is not None:  # the same float operations in one pass
                        cell(a, C[t + r, :, lo:hi], c)
                    else:
                        sg = a[:3 * H]
                        sg *= 0.5
                        sg += 0.5
                        np.multiply(f, C[t + r, :, lo:hi], out=c)
                        np.multiply(i, g, out=u)
                        c += u
                    np.tanh(c, out=tc)
                    if w_hr is None:
                        np.multiply(o, tc, out=S[t + w, :, lo:hi])
                    else:
                        np.multiply(o, tc, out=u)
                        np.matmul(w_hr, u, out=S[t + w, :, lo:hi])
                if hi < R.stop:
                    kept = slice(hi, R.stop)  # ended sequences keep their state
                    S[t + w, :, kept], C[t + w, :, kept] = S[t + r, :, kept], C[t + r, :, kept]

        _by_rows(rows, B, A.size)
        Zt = _copy(np.empty((T + 1, B, K + P), x.dtype), Z.transpose(0, 2, 1))  # rows t·B + b: the weight GEMM
        ctx.save_for_backward(w_ih, w_hh, w_hr, Zt, C, A, TC)
        ctx.cfg = (reverse, sizes, b_ih is not None)
        end = 0 if reverse else T
        St = Zt[:, :, K:]
        y = _copy(np.empty((T, B, P), x.dtype), St[:-1] if reverse else St[1:])
        for t, bs in enumerate(sizes):
            if bs < B:
                y[t, bs:] = 0  # no output after a sequence's end
        return y, St[end].copy(), np.ascontiguousarray(C[end].T)

    @staticmethod
    def backward(ctx: Any, gy: Any, gh_n: Any, gc_n: Any) -> Any:
        w_ih, w_hh, w_hr, Zt, C, A, TC = ctx.saved_tensors
        reverse, sizes, has_bias = ctx.cfg
        T, B = A.shape[0], A.shape[2]
        H, I = C.shape[1], w_ih.shape[1]
        K = I + has_bias
        P = Zt.shape[-1] - K
        order, r, w = _steps(T, reverse)
        w_rec_t = _row_blocks(np.ascontiguousarray(_oifg(w_hh).T), B)  # (P, 4H), contiguous: faster GEMM
        w_hr_t = None if w_hr is None else w_hr.T
        gyT = _copy(np.empty((T, P, B), gy.dtype), gy.transpose(0, 2, 1))
        new = np.zeros if min(sizes, default=B) < B else np.empty
        # gA as one (4H, T·B) matrix, its rows 16 elements longer so they are not a power of two apart
        gA = new((4 * H, T * B + 16), A.dtype)  # zero where a sequence has ended
        E = None if w_hr is None else np.zeros((T, P, B), A.dtype)
        dh, dc = np.ascontiguousarray(gh_n.T), np.ascontiguousarray(gc_n.T)
        cell = lstm_cell_backward.compiled if w_hr is None and A.dtype.name in FLOATS else None

        def rows(R: slice) -> None:
            n = R.stop - R.start
            s4, ga4 = np.empty((3 * H, n), A.dtype), np.empty((4 * H, n), A.dtype)
            u4, e4, eh4 = np.empty((H, n), A.dtype), np.empty((P, n), A.dtype), np.empty((H, n), A.dtype)
            for t in reversed(order):
                lo, hi = _live(R, sizes[t])
                if hi == lo:
                    continue
                m = hi - lo
                a, tc, ga = A[t, :, lo:hi], TC[t, :, lo:hi], ga4[:, :m]
                sd, u, e = s4[:, :m], u4[:, :m], e4[:, :m]
                o, i, f, g = a[:H], a[H:2 * H], a[2 * H:3 * H], a[3 * H:]
                d = dc[:, lo:hi]
                if cell is not None:  # the same float operations in one pass
                    cell(a, tc, C[t + r, :, lo:hi], dh[:, lo:hi], gyT[t, :, lo:hi], d, ga)
                    _gemm(w_rec_t, ga, dh[:, lo:hi])
                    gA[:, t * B + lo:t * B + hi] = ga
                    continue
                np.add(dh[:, lo:hi], gyT[t, :, lo:hi], out=e)
                if E is not None:
                    E[t, :, lo:hi] = e
                    e = np.matmul(w_hr_t, e, out=eh4[:, :m])
                np.multiply(tc, tc, out=u)  # d += e ⊙ o ⊙ (1 − tanh²c)
                np.subtract(1, u, out=u)
                u *= o
                u *= e
                d += u
                np.subtract(1, a[:3 * H], out=sd)  # σ' = s(1 − s) for o, i, f
                sd *= a[:3 * H]
                np.multiply(e, tc, out=ga[:H])
                np.multiply(d, g, out=ga[H:2 * H])
                np.multiply(d, C[t + r, :, lo:hi], out=ga[2 * H:3 * H])
                ga[:3 * H] *= sd
                np.multiply(g, g, out=u)  # gg = d ⊙ i ⊙ (1 − g²)
                np.subtract(1, u, out=u)
                u *= i
                np.multiply(d, u, out=ga[3 * H:])
                d *= f
                _gemm(w_rec_t, ga, dh[:, lo:hi])
                gA[:, t * B + lo:t * B + hi] = ga

        _by_rows(rows, B, A.size)
        gA2 = gA[:, :T * B]
        gx = (gA2.T @ _oifg(w_ih)).reshape(T, B, I) if ctx.needs_input_grad[0] else None
        # [gW_ih | gb | gW_hh] = Σ_t gA_t [x_t; 1; h_{t−1}]ᵀ, back in PyTorch's gate order
        gw = _ifgo(gA2 @ (Zt[1:] if reverse else Zt[:-1]).reshape(T * B, K + P))
        gb = gw[:, I] if has_bias else None
        gw_hr = None
        if E is not None:  # gW_hr = Σ_t e_t h̃_tᵀ, h̃_t = o ⊙ tanh(c_t)
            Ht = A[:, :H] * TC
            gw_hr = E.transpose(1, 0, 2).reshape(P, T * B) @ Ht.transpose(1, 0, 2).reshape(H, T * B).T
        gh0, gc0 = np.ascontiguousarray(dh.T), np.ascontiguousarray(dc.T)
        return gx, gh0, gc0, gw[:, :I], gw[:, K:], gb, gb, gw_hr, None, None
