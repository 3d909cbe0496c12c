"""The fused GRU layer direction: forward time loop and backpropagation through time as ONE op.

Conventions as in ``rnn_fused.py`` (time-major x (T, B, I), states stacked and indexed by t + r / t + w,
packed sequences as a prefix of valid rows), with the time loops **gate-major** like the LSTM's
(``rnn_fused_lstm.py``): a step's gates are a (3H, B) block, its states (H, B) blocks, each gate one
contiguous slice. The input projection of all steps is one GEMM before the loop, ``Gx = W_ih Xᵀ + b_ih``
(3H, T·B), step t reading its columns t·B ...; per step one GEMM ``q = W_hh h_{t−1}`` (in row blocks on
one thread, ``_row_blocks``), the gate arithmetic around NumPy's tanh in fused kernels
(``_rnn_kernels.py``) or, without numba, the same float operations as NumPy passes.

Backward, each step's gate gradients are one (4H, B) block with the rows gn, gr, gz, gn ⊙ r: rows
0:3H are the input side's [gn, gr, gz] (W_ih's rows taken in the order n, r, z) and rows H:4H the hidden
side's [gr, gz, gn ⊙ r] (W_hh's order), so ∂L/∂h_{t−1} = e ⊙ z + W_hhᵀ g[H:] is one GEMM; the blocks of all
steps are columns of one (4H, T·B) matrix and the weight gradients one GEMM each after the loop.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..._fused import FLOATS
from ...autograd.function import CompositeDoubleBackward
from ...ops._util import Function
from . import _composites_seq as _seq
from ._rnn_kernels import gru_cell_backward, gru_gates_mid, gru_gates_pre, gru_state
from .rnn_fused import _by_rows, _live, _steps, _valid
from .rnn_fused_lstm import _copy, _gemm, _row_blocks

__all__: list[str] = []

_PAD = 16  # extra elements per row of the (rows, T·B) matrices, so their rows are not a power of two apart


def _nrz(w: Any) -> Any:
    """The gate blocks (rows) of ``w`` from PyTorch's order r, z, n to n, r, z."""
    H = w.shape[0] // 3
    return np.concatenate([w[2 * H:], w[:2 * H]])


def _rzn(g: Any) -> Any:
    """The inverse of ``_nrz``: rows n, r, z back to r, z, n."""
    H = g.shape[0] // 3
    return np.concatenate([g[H:], g[:H]])


class GRULayer(CompositeDoubleBackward, Function):
    """Gated recurrent unit, PyTorch's gate order r, z, n and placement of b_hn (inside r ⊙ (...)):

        r = σ(W_ir x + b_ir + W_hr h + b_hr)      z = σ(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))       h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}

    Returns (y (T, B, H), h_n (B, H)). BPTT with e = ∂L/∂y_t + ∂L/∂h_t and q = W_hn h_{t−1} + b_hn:
        gn = e ⊙ (1 − z) ⊙ (1 − n²)     gz = e ⊙ (h_{t−1} − n) ⊙ z(1 − z)     gr = gn ⊙ q ⊙ r(1 − r)
        input side gAx = [gr, gz, gn],   hidden side gAh = [gr, gz, gn ⊙ r]
        ∂L/∂h_{t−1} = e ⊙ z + gAh W_hh
    then gx = gAx W_ih, gW_ih = Σ gAxᵀ x, gb_ih = Σ gAx, gW_hh = Σ gAhᵀ h_{t−1}, gb_hh = Σ gAh.
    σ(a) is computed as ½·tanh(a/2) + ½. Internally gate-major (see the module docstring).
    """

    composite = staticmethod(_seq.gru_layer)

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any, h0: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any,
                reverse: bool, batch_sizes: Any) -> Any:
        T, B, I = x.shape
        H, dt = h0.shape[-1], x.dtype
        TB = T * B
        gx = np.empty((3 * H, TB + _PAD), dt)  # Gx = W_ih Xᵀ + b_ih, column t·B + b
        np.matmul(w_ih, x.reshape(TB, I).T, out=gx[:, :TB])
        if b_ih is not None:
            gx[:, :TB] += b_ih[:, None]
        bias = (np.zeros(3 * H, dt) if b_hh is None else b_hh)[:, None]
        w3 = _row_blocks(w_hh, B)
        sizes = _valid(batch_sizes, T, B)
        order, r, w = _steps(T, reverse)
        S = np.empty((T + 1, H, B), dt)  # the states, gate-major
        S[T if reverse else 0] = h0.T
        new = np.zeros if min(sizes, default=B) < B else np.empty  # zero past a sequence's end (packed)
        A = new((T, 3 * H, B), dt)  # r, z, n
        Q = new((T, H, B), dt)  # W_hn h_{t−1} + b_hn, needed by r's gradient
        fused = dt.name in FLOATS
        pre, mid, out = (gru_gates_pre.compiled, gru_gates_mid.compiled, gru_state.compiled) if fused else (None,) * 3

        def rows(R: slice) -> None:
            q4 = np.empty((3 * H, R.stop - R.start), dt)
            for t in order:
                lo, hi = _live(R, sizes[t])
                if hi > lo:
                    a, qn, q = A[t, :, lo:hi], Q[t, :, lo:hi], q4[:, :hi - lo]
                    g, hp, hn = gx[:, t * B + lo:t * B + hi], S[t + r, :, lo:hi], S[t + w, :, lo:hi]
                    _gemm(w3, hp, q)
                    if pre is not None:  # the same float operations as the passes below, in one loop each
                        pre(g, q, bias, a, qn)
                        np.tanh(a[:2 * H], out=a[:2 * H])
                        mid(a, g, qn)
                        np.tanh(a[2 * H:], out=a[2 * H:])
                        out(a, hp, hn)
                    else:
                        q += bias
                        np.add(g[:2 * H], q[:2 * H], out=a[:2 * H])
                        rz = a[:2 * H]
                        rz *= 0.5
                        np.tanh(rz, out=rz)
                        rz *= 0.5
                        rz += 0.5
                        qn[...] = q[2 * H:]
                        n = a[2 * H:]
                        np.multiply(a[:H], qn, out=n)
                        np.add(g[2 * H:], n, out=n)
                        np.tanh(n, out=n)
                        np.subtract(hp, n, out=hn)
                        hn *= a[H:2 * H]
                        hn += n
                if hi < R.stop:
                    S[t + w, :, hi:R.stop] = S[t + r, :, hi:R.stop]  # ended sequences keep their state

        _by_rows(rows, B, A.size)
        St = _copy(np.empty((T + 1, B, H), dt), S.transpose(0, 2, 1))  # rows t·B + b: the weight GEMM
        ctx.save_for_backward(x, w_ih, w_hh, S, St, A, Q)
        ctx.cfg = (reverse, sizes, b_ih is not None)
        y = (St[:-1] if reverse else St[1:]).copy()
        for t, bs in enumerate(sizes):
            if bs < B:
                y[t, bs:] = 0  # no output after a sequence's end
        return y, St[0 if reverse else T].copy()

    @staticmethod
    def backward(ctx: Any, gy: Any, gh_n: Any) -> Any:
        x, w_ih, w_hh, S, St, A, Q = ctx.saved_tensors
        reverse, sizes, has_bias = ctx.cfg
        T, B, I = x.shape
        H, dt = Q.shape[1], A.dtype
        TB = T * B
        order, r, w = _steps(T, reverse)
        w_rec_t = _row_blocks(np.ascontiguousarray(w_hh.T), B)  # (H, 3H), contiguous: faster GEMM
        gyT = _copy(np.empty((T, H, B), dt), gy.transpose(0, 2, 1))
        new = np.zeros if min(sizes, default=B) < B else np.empty
        G = new((4 * H, TB + _PAD), dt)  # rows gn, gr, gz, gn ⊙ r; zero where a sequence has ended
        dh = np.ascontiguousarray(gh_n.T)  # ∂L/∂h_t, GEMM part
        ez = np.zeros_like(dh)  # ∂L/∂h_t, the e ⊙ z part
        cell = gru_cell_backward.compiled if dt.name in FLOATS else None

        def rows(R: slice) -> None:
            ga4 = np.empty((4 * H, R.stop - R.start), dt)
            for t in reversed(order):
                lo, hi = _live(R, sizes[t])
                if hi == lo:
                    continue
                a, qn, hp, ga = A[t, :, lo:hi], Q[t, :, lo:hi], S[t + r, :, lo:hi], ga4[:, :hi - lo]
                g, z = dh[:, lo:hi], ez[:, lo:hi]
                if cell is not None:  # the same float operations as the passes below, in one loop
                    cell(a, qn, hp, g, z, gyT[t, :, lo:hi], ga)
                else:
                    rr, zz, n = a[:H], a[H:2 * H], a[2 * H:]
                    e = (g + z) + gyT[t, :, lo:hi]
                    gn = ga[:H]
                    np.multiply(e * (1 - zz), 1 - n * n, out=gn)
                    np.multiply(gn * qn, rr * (1 - rr), out=ga[H:2 * H])
                    np.multiply(e * (hp - n), zz * (1 - zz), out=ga[2 * H:3 * H])
                    np.multiply(gn, rr, out=ga[3 * H:])
                    np.multiply(e, zz, out=z)
                _gemm(w_rec_t, ga[H:], g)
                G[:, t * B + lo:t * B + hi] = ga

        _by_rows(rows, B, A.size)
        dh += ez  # ∂L/∂h_0 = e ⊙ z + W_hhᵀ gAh of the first step
        gAx, gAh = G[:3 * H, :TB], G[H:, :TB]  # input side rows n, r, z; hidden side r, z, n
        gx = (gAx.T @ _nrz(w_ih)).reshape(T, B, I) if ctx.needs_input_grad[0] else None
        gw_ih = _rzn(gAx @ x.reshape(TB, I))
        gw_hh = gAh @ (St[1:] if reverse else St[:-1]).reshape(TB, H)
        gb_ih = _rzn(gAx.sum(1)) if has_bias else None
        gb_hh = gAh.sum(1) if has_bias else None
        return gx, np.ascontiguousarray(dh.T), gw_ih, gw_hh, gb_ih, gb_hh, None, None
