"""Recurrent networks as functions, PyTorch's ``torch.rnn_tanh/rnn_relu/lstm/gru`` and their ``*_cell`` forms.

A stack of layers is a loop over layers and directions; each layer direction is one fused op
(``rnn_fused.py``: forward time loop and backpropagation through time). Between layers the
outputs of both directions are concatenated along features, and ``dropout`` is applied to every
layer's output but the last while training. ``params`` is the flat list of weights in PyTorch's
order: for each layer, for each direction, ``w_ih, w_hh[, b_ih, b_hh][, w_hr]``.

Both of PyTorch's call forms are accepted:
``lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)`` on a
padded tensor and ``lstm(data, batch_sizes, hx, params, has_biases, num_layers, dropout, train,
bidirectional)`` on the data of a PackedSequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..._tensor import Tensor
from ...ops.arrange import cat, stack
from .linear import dropout as _dropout
from .rnn_fused import RNNLayer
from .rnn_fused_gru import GRULayer
from .rnn_fused_lstm import LSTMLayer

__all__ = [
    "rnn_tanh", "rnn_relu", "lstm", "gru", "rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell",
]  # fmt: skip


def _padded_index(batch_sizes: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays between packed rows and the padded (T, B) grid.

    ``to_grid[t, b]`` is the packed row of step t of sequence b, or N (a zero row appended to the
    data) where the sequence has ended; ``to_packed`` lists the flat grid positions t·B + b of the
    packed rows in their order (step-major, then batch).
    """
    T, B = len(batch_sizes), int(batch_sizes[0]) if len(batch_sizes) else 0
    n = int(sum(batch_sizes))
    to_grid = np.full((T, B), n, np.int64)
    to_packed = np.empty(n, np.int64)
    k = 0
    for t, bs in enumerate(batch_sizes):
        to_grid[t, :bs] = np.arange(k, k + bs)
        to_packed[k:k + bs] = t * B + np.arange(bs)
        k += bs
    return to_grid, to_packed


def _split_call(args: tuple[Any, ...], name: str) -> tuple[Any, ...]:
    """Normalize both call forms to (input, batch_sizes, hx, params, has_biases, L, p, train, bidir, batch_first)."""
    if len(args) >= 4 and isinstance(args[3], (list, tuple)):  # packed form: (data, batch_sizes, hx, params, ...)
        if len(args) != 9:
            raise TypeError(f"{name}(): the packed form takes 9 arguments (data, batch_sizes, hx, params, "
                            f"has_biases, num_layers, dropout, train, bidirectional), got {len(args)}")
        data, batch_sizes, hx, params, *rest = args
        bs = batch_sizes._data if isinstance(batch_sizes, Tensor) else np.asarray(batch_sizes)
        return (data, [int(b) for b in bs], hx, params, *rest, False)
    if len(args) != 9:
        raise TypeError(f"{name}(): expected 9 arguments (input, hx, params, has_biases, num_layers, dropout, "
                        f"train, bidirectional, batch_first), got {len(args)}")
    x, hx, params, *rest = args
    return (x, None, hx, params, *rest)


def _run(mode: str, args: tuple[Any, ...], name: str) -> tuple[Any, ...]:
    """The layer stack shared by all four: returns (output, h_n) or (output, h_n, c_n)."""
    x, batch_sizes, hx, params, has_biases, num_layers, p, train, bidirectional, batch_first = _split_call(
        args, name)
    lstm_mode = mode == "LSTM"
    h, c = (hx[0], hx[1]) if lstm_mode else (hx, None)
    if batch_sizes is not None:  # packed rows -> padded (T, B, I) grid with a zero row for ended steps
        to_grid, to_packed = _padded_index(batch_sizes)
        x = cat([x, x.new_zeros((1,) + tuple(x.shape[1:]))], 0)[to_grid]
    elif batch_first:
        x = x.transpose(0, 1)
    D = 2 if bidirectional else 1
    proj = lstm_mode and h.shape[-1] != c.shape[-1]
    stride = (4 if has_biases else 2) + (1 if proj else 0)
    if len(params) != stride * num_layers * D:
        raise RuntimeError(f"{name}: expected {stride * num_layers * D} weights ({num_layers} layer(s) x {D} "
                           f"direction(s) x {stride}), got {len(params)}")
    sizes = tuple(batch_sizes) if batch_sizes is not None else None
    hs, cs = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(D):
            k = layer * D + d
            w = params[k * stride:(k + 1) * stride]
            b_ih, b_hh = (w[2], w[3]) if has_biases else (None, None)
            rev = d == 1
            if lstm_mode:
                y, hn, cn = LSTMLayer.apply(x, h[k], c[k], w[0], w[1], b_ih, b_hh, w[-1] if proj else None,
                                            rev, sizes)
                cs.append(cn)
            elif mode == "GRU":
                y, hn = GRULayer.apply(x, h[k], w[0], w[1], b_ih, b_hh, rev, sizes)
            else:
                y, hn = RNNLayer.apply(x, h[k], w[0], w[1], b_ih, b_hh, mode == "RNN_RELU", rev, sizes)
            outs.append(y)
            hs.append(hn)
        x = outs[0] if D == 1 else cat(outs, 2)
        if p and train and layer < num_layers - 1:
            x = _dropout(x, p, True)
    if batch_sizes is not None:
        x = x.reshape(-1, x.shape[-1])[to_packed]
    elif batch_first:
        x = x.transpose(0, 1)
    if lstm_mode:
        return x, stack(hs, 0), stack(cs, 0)
    return x, stack(hs, 0)


def rnn_tanh(*args: Any) -> tuple[Tensor, Tensor]:
    """Elman RNN with tanh over a stack of layers: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh).

    ``rnn_tanh(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)``
    or the packed form ``rnn_tanh(data, batch_sizes, hx, params, ...)``; returns (output, h_n).
    """
    return _run("RNN_TANH", args, "rnn_tanh")  # type: ignore[return-value]


def rnn_relu(*args: Any) -> tuple[Tensor, Tensor]:
    """Elman RNN with relu: h_t = relu(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh); arguments as ``rnn_tanh``."""
    return _run("RNN_RELU", args, "rnn_relu")  # type: ignore[return-value]


def lstm(*args: Any) -> tuple[Tensor, Tensor, Tensor]:
    """LSTM over a stack of layers (gates i, f, g, o; optional projection when h and c sizes differ).

    ``lstm(input, (h0, c0), params, has_biases, num_layers, dropout, train, bidirectional, batch_first)``
    or the packed form ``lstm(data, batch_sizes, (h0, c0), params, ...)``; returns (output, h_n, c_n).
    """
    return _run("LSTM", args, "lstm")  # type: ignore[return-value]


def gru(*args: Any) -> tuple[Tensor, Tensor]:
    """GRU over a stack of layers (gates r, z, n with b_hn inside r ⊙ (W_hn h + b_hn)); arguments as ``rnn_tanh``."""
    return _run("GRU", args, "gru")  # type: ignore[return-value]


def _cell_bias(b_ih: Any, b_hh: Any) -> tuple[Any, Any]:
    if (b_ih is None) != (b_hh is None):  # one bias alone: the other counts as zeros
        return (b_ih, b_ih.new_zeros(b_ih.shape)) if b_hh is None else (b_hh.new_zeros(b_hh.shape), b_hh)
    return b_ih, b_hh


def _cell_input(input: Tensor, hx: Sequence[Tensor], w_ih: Tensor, w_hh: Tensor) -> None:  # noqa: A002
    """PyTorch's checks of a cell's input (B, I) and states (B, H) against the weights."""
    if input.dim() != 2 or input.shape[1] != w_ih.shape[1]:
        raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} expected {w_ih.shape[1]}")
    for k, h in enumerate(hx):
        if h.dim() != 2 or h.shape[0] != input.shape[0]:
            raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{k} batch size "
                               f"{h.shape[0] if h.dim() else 0}")
        if h.shape[1] != w_hh.shape[1]:
            raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {h.shape[1]}, expected {w_hh.shape[1]}")


def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,  # noqa: A002
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One step h' = tanh(W_ih x + b_ih + W_hh h + b_hh) for input (B, I), hx (B, H): the fused op with T = 1."""
    _cell_input(input, (hx,), w_ih, w_hh)
    b_ih, b_hh = _cell_bias(b_ih, b_hh)
    return RNNLayer.apply(input.unsqueeze(0), hx, w_ih, w_hh, b_ih, b_hh, False, False, None)[1]


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,  # noqa: A002
                  b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One step h' = relu(W_ih x + b_ih + W_hh h + b_hh) for input (B, I), hx (B, H)."""
    _cell_input(input, (hx,), w_ih, w_hh)
    b_ih, b_hh = _cell_bias(b_ih, b_hh)
    return RNNLayer.apply(input.unsqueeze(0), hx, w_ih, w_hh, b_ih, b_hh, True, False, None)[1]


def lstm_cell(input: Tensor, hx: Sequence[Tensor], w_ih: Tensor, w_hh: Tensor,  # noqa: A002
              b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """One LSTM step for input (B, I) and hx = (h, c), each (B, H); returns (h', c') (see ``LSTMLayer``)."""
    h, c = hx
    _cell_input(input, (h, c), w_ih, w_hh)
    b_ih, b_hh = _cell_bias(b_ih, b_hh)
    _, h1, c1 = LSTMLayer.apply(input.unsqueeze(0), h, c, w_ih, w_hh, b_ih, b_hh, None, False, None)
    return h1, c1


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor,  # noqa: A002
             b_ih: Tensor | None = None, b_hh: Tensor | None = None) -> Tensor:
    """One GRU step for input (B, I) and hx (B, H); returns h' (see ``GRULayer``)."""
    _cell_input(input, (hx,), w_ih, w_hh)
    b_ih, b_hh = _cell_bias(b_ih, b_hh)
    return GRULayer.apply(input.unsqueeze(0), hx, w_ih, w_hh, b_ih, b_hh, False, None)[1]
