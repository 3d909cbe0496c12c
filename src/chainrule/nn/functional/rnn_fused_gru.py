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

With several threads each step is cut into blocks of hidden units as the LSTM's (``_UnitSteps`` there):
the rows of the weights and gates are grouped per block ([r, z, n] of its units), a block's forward step is
its rows of the GEMM and its gate arithmetic, and backward its rows of ∂L/∂h_t and its gate gradients,
kept as two (3H, T·B) matrices (input side [gn, gr, gz], hidden side [gr, gz, gn ⊙ r] per block).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import _lockstep, _parallel
from ..._fused import FLOATS
from ...autograd.function import CompositeDoubleBackward
from ...ops._util import Function
from . import _composites_seq as _seq
from ._rnn_kernels import gru_cell_backward, gru_gates_mid, gru_gates_pre, gru_state
from .rnn_fused import _by_rows, _live, _steps, _valid
from .rnn_fused_lstm import _copy, _gemm, _product, _row_blocks

__all__: list[str] = []

_PAD = 16  # extra elements per row of the (rows, T·B) matrices, so their rows are not a power of two apart
_RZN, _NRZ = (0, 1, 2), (2, 0, 1)  # gate orders: PyTorch's, and the input side's gradient rows


def _rows(w: Any, gates: tuple[int, ...], chunks: int = 1) -> Any:
    """The gate blocks (rows) of ``w`` (3H, n), PyTorch's order r, z, n, in the order ``gates``, for each
    block of H / chunks units in turn."""
    H = w.shape[0] // 3
    out = np.empty_like(w)
    src, dst = w.reshape(3, chunks, H // chunks, -1), out.reshape(chunks, 3, H // chunks, -1)
    for k, gate in enumerate(gates):
        dst[:, k] = src[gate]
    return out


def _rows_back(g: Any, gates: tuple[int, ...], chunks: int = 1) -> Any:
    """The inverse of ``_rows``: back to PyTorch's rows r, z, n."""
    H = g.shape[0] // 3
    out = np.empty_like(g)
    src, dst = g.reshape(chunks, 3, H // chunks, -1), out.reshape(3, chunks, H // chunks, -1)
    for k, gate in enumerate(gates):
        dst[gate] = src[:, k]
    return out


def _unit_chunks(H: int, sizes: list[int], B: int, work: int) -> int:
    """Blocks of hidden units per step (1: the plain loops): chainrule's threads for a large enough layer
    without packing whose H they divide."""
    n = _parallel.threads_for(work)
    return 1 if n < 2 or H % n or min(sizes, default=B) < B else n


def _step_forward(kernels: Any, g: Any, q: Any, bias: Any, a: Any, qn: Any, hp: Any, hn: Any) -> None:
    """A step's gates (rows r, z, n of ``a``), W_hn h + b_hn (``qn``) and the new state ``hn`` from the input
    projection ``g``, q = W_hh h_{t−1} (overwritten), b_hh and h_{t−1} (``hp``); ``kernels`` or NumPy."""
    H = qn.shape[0]
    pre, mid, out = kernels
    if pre is not None:  # the same float operations as the passes below, in one loop each
        pre(g, q, bias, a, qn)
        np.tanh(a[:2 * H], out=a[:2 * H])
        mid(a, g, qn)
        np.tanh(a[2 * H:], out=a[2 * H:])
        out(a, hp, hn)
        return
    q += bias
    rz = a[:2 * H]
    np.add(g[:2 * H], q[:2 * H], out=rz)
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


def _step_backward(cell: Any, a: Any, qn: Any, hp: Any, g: Any, ez: Any, gy: Any, gx: Any, gh: Any) -> None:
    """A step's gate gradients (``gru_cell_backward``, or its NumPy passes): input side into ``gx``, hidden
    side into ``gh``, e ⊙ z into ``ez``."""
    if cell is not None:
        cell(a, qn, hp, g, ez, gy, gx, gh)
        return
    H = qn.shape[0]
    rr, zz, n = a[:H], a[H:2 * H], a[2 * H:]
    e = (g + ez) + gy
    gn = gx[:H]
    np.multiply(e * (1 - zz), 1 - n * n, out=gn)
    np.multiply(gn * qn, rr * (1 - rr), out=gx[H:2 * H])
    np.multiply(e * (hp - n), zz * (1 - zz), out=gx[2 * H:])
    gh[:2 * H] = gx[H:]
    np.multiply(gn, rr, out=gh[2 * H:])
    np.multiply(e, zz, out=ez)


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
        sizes = _valid(batch_sizes, T, B)
        nc = _unit_chunks(H, sizes, B, T * 3 * H * B)
        gx = np.empty((3 * H, TB + _PAD), dt)  # Gx = W_ih Xᵀ + b_ih, column t·B + b (rows per unit block)
        np.matmul(w_ih if nc == 1 else _rows(w_ih, _RZN, nc), x.reshape(TB, I).T, out=gx[:, :TB])
        if b_ih is not None:
            gx[:, :TB] += _rows(b_ih[:, None], _RZN, nc)
        bias = np.zeros((3 * H, 1), dt) if b_hh is None else _rows(b_hh[:, None], _RZN, nc)
        order, r, w = _steps(T, reverse)
        S = np.empty((T + 1, H, B), dt)  # the states, gate-major
        S[T if reverse else 0] = h0.T
        new = np.zeros if min(sizes, default=B) < B else np.empty  # zero past a sequence's end (packed)
        A = new((T, 3 * H, B), dt)  # r, z, n
        Q = new((T, H, B), dt)  # W_hn h_{t−1} + b_hn, needed by r's gradient
        fused = dt.name in FLOATS
        kernels = (gru_gates_pre.compiled, gru_gates_mid.compiled, gru_state.compiled) if fused else (None,) * 3

        def rows(R: slice) -> None:
            w3 = _row_blocks(w_hh, B)
            q4 = np.empty((3 * H, R.stop - R.start), dt)
            for t in order:
                lo, hi = _live(R, sizes[t])
                if hi > lo:
                    q, hp = q4[:, :hi - lo], S[t + r, :, lo:hi]
                    _gemm(w3, hp, q)
                    _step_forward(kernels, gx[:, t * B + lo:t * B + hi], q, bias, A[t, :, lo:hi],
                                  Q[t, :, lo:hi], hp, S[t + w, :, lo:hi])
                if hi < R.stop:
                    S[t + w, :, hi:R.stop] = S[t + r, :, hi:R.stop]  # ended sequences keep their state

        if nc > 1:
            h, wp = H // nc, _rows(w_hh, _RZN, nc)
            ws = [_row_blocks(wp[3 * h * k:3 * h * (k + 1)], B, one_thread=True) for k in range(nc)]
            qs = [np.empty((3 * h, B), dt) for _ in range(nc)]

            def chunk(s: int, k: int) -> None:
                t, U, G = order[s], slice(h * k, h * (k + 1)), slice(3 * h * k, 3 * h * (k + 1))
                _gemm(ws[k], S[t + r], qs[k])
                _step_forward(kernels, gx[G, t * B:(t + 1) * B], qs[k], bias[G], A[t, G], Q[t, U], S[t + r, U],
                              S[t + w, U])

            with _parallel.single_threaded_blas():
                _lockstep.run_steps(chunk, T, nc)
        else:
            _by_rows(rows, B, A.size)
        St = _copy(np.empty((T + 1, B, H), dt), S.transpose(0, 2, 1))  # rows t·B + b: the weight GEMM
        ctx.save_for_backward(x, w_ih, w_hh, S, St, A, Q)
        ctx.cfg = (reverse, sizes, b_ih is not None, nc)
        y = (St[:-1] if reverse else St[1:]).copy()
        for t, bs in enumerate(sizes):
            if bs < B:
                y[t, bs:] = 0  # no output after a sequence's end
        return y, St[0 if reverse else T].copy()

    @staticmethod
    def backward(ctx: Any, gy: Any, gh_n: Any) -> Any:
        x, w_ih, w_hh, S, St, A, Q = ctx.saved_tensors
        reverse, sizes, has_bias, nc = ctx.cfg
        T, B, I = x.shape
        H, dt = Q.shape[1], A.dtype
        TB = T * B
        order, r, w = _steps(T, reverse)
        gyT = _copy(np.empty((T, H, B), dt), gy.transpose(0, 2, 1))
        new = np.zeros if min(sizes, default=B) < B else np.empty
        dh = np.ascontiguousarray(gh_n.T)  # ∂L/∂h_t, GEMM part
        ez = np.zeros_like(dh)  # ∂L/∂h_t, the e ⊙ z part
        cell = gru_cell_backward.compiled if dt.name in FLOATS else None
        if nc == 1:
            G = new((4 * H, TB + _PAD), dt)  # rows gn, gr, gz, gn ⊙ r; zero where a sequence has ended
            gAx, gAh = G[:3 * H], G[H:]  # input side rows n, r, z; hidden side r, z, n
            w_rec_t = _row_blocks(np.ascontiguousarray(w_hh.T), B)  # (H, 3H), contiguous: faster GEMM

            def rows(R: slice) -> None:
                ga4 = np.empty((4 * H, R.stop - R.start), dt)
                for t in reversed(order):
                    lo, hi = _live(R, sizes[t])
                    if hi == lo:
                        continue
                    ga, g = ga4[:, :hi - lo], dh[:, lo:hi]
                    _step_backward(cell, A[t, :, lo:hi], Q[t, :, lo:hi], S[t + r, :, lo:hi], g, ez[:, lo:hi],
                                   gyT[t, :, lo:hi], ga[:3 * H], ga[H:])
                    _gemm(w_rec_t, ga[H:], g)
                    G[:, t * B + lo:t * B + hi] = ga

            _by_rows(rows, B, A.size)
        else:
            gAx, gAh = np.empty((3 * H, TB + _PAD), dt), np.empty((3 * H, TB + _PAD), dt)
            h, steps = H // nc, list(reversed(order))
            w_rec = np.ascontiguousarray(_rows(w_hh, _RZN, nc).T)  # (H, 3H), columns per unit block
            ws = [_row_blocks(w_rec[h * k:h * (k + 1)], B, one_thread=True) for k in range(nc)]
            ghs = [np.empty((3 * H, B), dt) for _ in range(2)]  # hidden side of the step before, and this one

            def chunk(s: int, k: int) -> None:
                t, U, Gk = steps[s], slice(h * k, h * (k + 1)), slice(3 * h * k, 3 * h * (k + 1))
                cols = slice(t * B, (t + 1) * B)
                if s:
                    _gemm(ws[k], ghs[(s - 1) % 2], dh[U])
                _step_backward(cell, A[t, Gk], Q[t, U], S[t + r, U], dh[U], ez[U], gyT[t, U], gAx[Gk, cols],
                               ghs[s % 2][Gk])
                gAh[Gk, cols] = ghs[s % 2][Gk]

            with _parallel.single_threaded_blas():
                _lockstep.run_steps(chunk, T, nc)
            np.matmul(w_rec, ghs[(T - 1) % 2], out=dh)
        dh += ez  # ∂L/∂h_0 = e ⊙ z + W_hhᵀ gAh of the first step
        gAx, gAh = gAx[:, :TB], gAh[:, :TB]
        split = nc > 1
        gx = None
        if ctx.needs_input_grad[0]:
            gx = _product(gAx.T, _rows(w_ih, _NRZ, nc), split).reshape(T, B, I)
        gw_ih = _rows_back(_product(gAx, x.reshape(TB, I), split), _NRZ, nc)
        gw_hh = _product(gAh, (St[1:] if reverse else St[:-1]).reshape(TB, H), split)
        if nc > 1:
            gw_hh = _rows_back(gw_hh, _RZN, nc)
        gb_ih = _rows_back(gAx.sum(1)[:, None], _NRZ, nc)[:, 0] if has_bias else None
        gb_hh = _rows_back(gAh.sum(1)[:, None], _RZN, nc)[:, 0] if has_bias else None
        return gx, np.ascontiguousarray(dh.T), gw_ih, gw_hh, gb_ih, gb_hh, None, None
