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

from ..._fused import kernel

__all__ = ["lstm_cell_forward", "lstm_cell_backward", "gru_gates_pre", "gru_gates_mid", "gru_state", "gru_cell_backward"]


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


@kernel
def gru_gates_pre(gx, q, b_hh, a, qn):  # noqa: ANN001
    """GRU step, before the σ's tanh: with q = W_hh h_{t−1} (3H, m) and b = b_hh (3H, 1; zeros without bias),

        a_rz = (gx_rz + (q_rz + b_rz))·½   (tanh(a_rz) gives σ)      qn = q_n + b_n
    """
    H, m = qn.shape
    half = a.dtype.type(0.5)
    for j in range(2 * H):
        bj = b_hh[j, 0]
        for k in range(m):
            a[j, k] = (gx[j, k] + (q[j, k] + bj)) * half
    for j in range(H):
        bj = b_hh[2 * H + j, 0]
        for k in range(m):
            qn[j, k] = q[2 * H + j, k] + bj


@kernel
def gru_gates_mid(a, gx, qn):  # noqa: ANN001
    """GRU step, between the two tanh: r, z = ½·tanh(·) + ½ in place, then a_n = gx_n + r ⊙ qn."""
    H, m = qn.shape
    half = a.dtype.type(0.5)
    for j in range(H):
        for k in range(m):
            r = a[j, k] * half + half
            a[j, k] = r
            a[H + j, k] = a[H + j, k] * half + half
            a[2 * H + j, k] = gx[2 * H + j, k] + r * qn[j, k]


@kernel
def gru_state(a, h_prev, h):  # noqa: ANN001
    """GRU step's new state h_t = (h_{t−1} − n) ⊙ z + n  (= (1 − z) ⊙ n + z ⊙ h_{t−1})."""
    H, m = h.shape
    for j in range(H):
        for k in range(m):
            n = a[2 * H + j, k]
            h[j, k] = (h_prev[j, k] - n) * a[H + j, k] + n


@kernel
def gru_cell_backward(a, qn, h_prev, g, ez, gy, ga):  # noqa: ANN001
    """One step of GRU BPTT, e = (g + ez) + gy with g + ez = ∂L/∂h_t from step t+1 (g its GEMM part):

        gn = e(1 − z)(1 − n²)    gz = e(h_{t−1} − n)·z(1 − z)    gr = gn·qn·r(1 − r)
        ga = [gn, gr, gz, gn·r]  (rows)      ez ← e ⊙ z  (∂L/∂h_{t−1} = ez + W_hhᵀ ga[H:] is completed by
        the caller's GEMM)
    """
    H, m = qn.shape
    one = a.dtype.type(1)
    for j in range(H):
        for k in range(m):
            r, z, n = a[j, k], a[H + j, k], a[2 * H + j, k]
            e = (g[j, k] + ez[j, k]) + gy[j, k]
            gn = e * (one - z) * (one - n * n)
            ga[j, k] = gn
            ga[H + j, k] = gn * qn[j, k] * (r * (one - r))
            ga[2 * H + j, k] = e * (h_prev[j, k] - n) * (z * (one - z))
            ga[3 * H + j, k] = gn * r
            ez[j, k] = e * z
