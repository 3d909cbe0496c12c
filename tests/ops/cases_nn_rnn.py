"""Op cases for nn/functional/rnn.py: torch.rnn_tanh/rnn_relu/lstm/gru (padded and packed forms) and the cells.

Inputs are x, the initial state(s) and every weight in PyTorch's flat order, so parity and gradcheck
cover each layer-direction op (RNNLayer, LSTMLayer, GRULayer) with respect to all of them. Packed cases
pass ``batch_sizes`` (int64, decreasing) as a non-differentiable input.
"""

from __future__ import annotations

import numpy as np

from .harness import OpCase

F64 = ("float32", "float64")
TOL = {"atol": 1e-5, "rtol": 1e-4, "domain": (-0.8, 0.8)}
I, H, P = 3, 4, 2
GATES = {"rnn_tanh": 1, "rnn_relu": 1, "gru": 3, "lstm": 4}


def _weights(mode, layers, dirs, bias, proj=0):
    g, out = GATES[mode] * H, proj or H
    shapes = []
    for layer in range(layers):
        for _ in range(dirs):
            shapes += [(g, I if layer == 0 else out * dirs), (g, out)]
            shapes += [(g,), (g,)] if bias else []
            shapes += [(proj, H)] if proj else []
    return shapes


def _stack(name, mode, T=4, Bn=2, layers=1, bidir=False, bias=True, batch_first=False, proj=0):
    dirs = 2 if bidir else 1
    x = (Bn, T, I) if batch_first else (T, Bn, I)
    states = [(layers * dirs, Bn, proj or H)] + ([(layers * dirs, Bn, H)] if mode == "lstm" else [])
    ns = len(states)

    def fn(m, x, *rest):
        hx = list(rest[:ns]) if mode == "lstm" else rest[0]
        return getattr(m, mode)(x, hx, list(rest[ns:]), bias, layers, 0.0, False, bidir, batch_first)

    return OpCase(f"{mode}_{name}", fn, [x, *states, *_weights(mode, layers, dirs, bias, proj)], dtypes=F64, **TOL)


def _packed(name, mode, batch_sizes, layers=1, bidir=False):
    dirs = 2 if bidir else 1
    n, Bn = sum(batch_sizes), batch_sizes[0]
    states = [(layers * dirs, Bn, H)] * (2 if mode == "lstm" else 1)
    shapes = [(n, I), *states, *_weights(mode, layers, dirs, True)]
    ns = len(states)

    def make(rng):
        arrays = [rng.uniform(-0.8, 0.8, size=s) for s in shapes]
        return [arrays[0], np.asarray(batch_sizes, np.int64), *arrays[1:]]

    def fn(m, data, bs, *rest):
        hx = list(rest[:ns]) if mode == "lstm" else rest[0]
        return getattr(m, mode)(data, bs, hx, list(rest[ns:]), True, layers, 0.0, False, bidir)

    return OpCase(f"{mode}_packed_{name}", fn, make=make, dtypes=F64, atol=1e-5, rtol=1e-4)


def _cell(mode, bias=True):
    g = GATES[mode.replace("_cell", "")] * H
    states = [(2, H)] * (2 if mode == "lstm_cell" else 1)
    ns = len(states)
    shapes = [(2, I), *states, (g, I), (g, H)] + ([(g,), (g,)] if bias else [])

    def fn(m, x, *rest):
        hx = tuple(rest[:ns]) if mode == "lstm_cell" else rest[0]
        return getattr(m, mode)(x, hx, *rest[ns:])

    return OpCase(f"{mode}{'' if bias else '_nobias'}", fn, shapes, dtypes=F64, **TOL)


CASES = [
    _stack("1layer", "rnn_tanh"),
    _stack("2layer_bidir", "rnn_tanh", layers=2, bidir=True),
    _stack("relu_bf_nobias", "rnn_relu", layers=2, batch_first=True, bias=False),
    _stack("1layer", "gru"),
    _stack("2layer_bidir_bf", "gru", layers=2, bidir=True, batch_first=True),
    _stack("nobias", "gru", bias=False),
    _stack("1layer", "lstm"),
    _stack("2layer_bidir", "lstm", layers=2, bidir=True),
    _stack("proj_bidir", "lstm", layers=2, bidir=True, proj=P),
    _stack("proj_nobias_bf", "lstm", bias=False, batch_first=True, proj=P),
    _stack("one_step_batch1", "lstm", T=1, Bn=1),
    _packed("unequal", "rnn_tanh", [3, 2, 2, 1]),
    _packed("unequal_bidir", "gru", [3, 3, 1], layers=2, bidir=True),
    _packed("unequal_bidir", "lstm", [3, 2, 1, 1], layers=2, bidir=True),
    _cell("rnn_tanh_cell"), _cell("rnn_relu_cell"), _cell("gru_cell"), _cell("lstm_cell"),
    _cell("lstm_cell", bias=False), _cell("gru_cell", bias=False),
]  # fmt: skip
