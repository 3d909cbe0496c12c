"""The per-step gate arithmetic of the fused LSTM as fused kernels (see ``chainrule._fused``).

One LSTM step's element-wise work is about ten NumPy passes forward and twenty backward over
(H, B)-sized blocks; each pass is short, so the calls cost as much as the arithmetic. These kernels
do the same float operations per element, in the same order and dtype, in one loop (bit for bit the
NumPy path of ``rnn_fused_lstm.py``). The transcendental functions stay in NumPy (its SIMD tanh is
~40× faster than a scalar one in a compiled loop, and differs from it in the last bits): forward,
``np.tanh`` runs over the whole gate block before ``lstm_cell_forward`` and over c_t after it.

Layout (gate-major, as in ``rnn_fused_lstm.py``): a step's gate block ``a`` is (4H, m) with the rows
o, i, f, g; states are (H, m); column b is one sequence of the batch.
"""

from __future__ import annotations

import numpy as np

from ..._fused import kernel

__all__ = ["lstm_cell_forward", "lstm_cell_backward"]


@kernel
def lstm_cell_forward(a, c_prev, c):  # noqa: ANN001
    """Given a = [tanh(a_o/2), tanh(a_i/2), tanh(a_f/2), tanh(a_g)] (the σ rows' weights halved), in place:

        o, i, f = ½·a + ½ (σ of the pre-activations)      c_t = f ⊙ c_{t−1} + i ⊙ g   (into ``c``)
    """
    H, m = c.shape
    half = a.dtype.type(0.5)
    for j in range(H):
        for b in range(m):
            o = a[j, b] * half + half
            i = a[H + j, b] * half + half
            f = a[2 * H + j, b] * half + half
            a[j, b] = o
            a[H + j, b] = i
            a[2 * H + j, b] = f
            c[j, b] = f * c_prev[j, b] + i * a[3 * H + j, b]


@kernel
def lstm_cell_backward(a, tc, c_prev, dh, gy, dc, ga):  # noqa: ANN001
    """One step of BPTT without projection, e = dh + gy (∂L/∂h_t), d = dc (∂L/∂c_t from step t+1):

        d ← d + (1 − tanh²c_t)·o·e
        ga = [e·tanh(c_t)·(1 − o)o,  d·g·(1 − i)i,  d·c_{t−1}·(1 − f)f,  d·(1 − g²)·i]   (rows o, i, f, g)
        dc ← d ⊙ f   (∂L/∂c_{t−1}; ∂L/∂h_{t−1} = W_hhᵀ ga is the caller's GEMM)
    """
    H, m = dc.shape
    one = a.dtype.type(1)
    for j in range(H):
        for b in range(m):
            o, i, f, g = a[j, b], a[H + j, b], a[2 * H + j, b], a[3 * H + j, b]
            e = dh[j, b] + gy[j, b]
            t = tc[j, b]
            d = dc[j, b] + (one - t * t) * o * e
            ga[j, b] = e * t * ((one - o) * o)
            ga[H + j, b] = d * g * ((one - i) * i)
            ga[2 * H + j, b] = d * c_prev[j, b] * ((one - f) * f)
            ga[3 * H + j, b] = d * ((one - g * g) * i)
            dc[j, b] = d * f
