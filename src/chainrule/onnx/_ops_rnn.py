"""ONNX nodes for recurrent networks: ``torch.rnn_tanh/rnn_relu/lstm/gru`` (what ``nn.RNN/LSTM/GRU`` call)
and the cells, as ONNX's own ``RNN``/``LSTM``/``GRU`` operators, one per layer (both directions in one node).

Gate blocks are reordered from PyTorch's to ONNX's: LSTM i,f,g,o -> i,o,f,c; GRU r,z,n -> z,r,h with
``linear_before_reset=1`` (PyTorch applies r to W_hn h + b_hn). ONNX's ``B`` input is [Wb, Rb]
(b_ih then b_hh). ONNX's Y is (T, directions, B, H): it is transposed to (T, B, directions·H) for the
next layer and the output. Initial states that are constant zeros (the layers' default) are omitted,
so the batch size stays dynamic. Not exported: packed sequences and LSTM ``proj_size``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._errors import UnsupportedOperatorError
from ._graph import Graph
from ._ops_tensor import A
from ._trace import register

_GATES = {"rnn_tanh": 1, "rnn_relu": 1, "gru": 3, "lstm": 4}


def _reorder(w: np.ndarray, op: str, H: int) -> np.ndarray:
    """PyTorch's gate blocks in ONNX's order (rows of W, R or a bias)."""
    if op == "lstm":  # i f g o -> i o f c
        return np.concatenate([w[:H], w[3 * H:], w[H:2 * H], w[2 * H:3 * H]])
    if op == "gru":  # r z n -> z r h
        return np.concatenate([w[H:2 * H], w[:H], w[2 * H:]])
    return w


def _weights(g: Graph, op: str, params: list[Any], H: int, has_bias: bool) -> tuple[str, str, str]:
    """W (D, G·H, in), R (D, G·H, H) and B (D, 2·G·H) initializers from one layer's per-direction params."""
    Ws, Rs, Bs = [], [], []
    for p in params:
        for t in p:
            if g.is_traced(t):
                raise UnsupportedOperatorError(op, "recurrent weights computed from the model input")
        w_ih, w_hh = (g.constant_data(t) for t in p[:2])
        Ws.append(_reorder(w_ih, op, H))
        Rs.append(_reorder(w_hh, op, H))
        if has_bias:
            Bs.append(np.concatenate([_reorder(g.constant_data(p[2]), op, H), _reorder(g.constant_data(p[3]), op, H)]))
    b = g.const(np.stack(Bs)) if has_bias else ""
    return g.const(np.stack(Ws)), g.const(np.stack(Rs)), b


def _state(g: Graph, s: Any, lo: int, hi: int) -> str:
    """Initial states of one layer (rows lo:hi of the stacked states); "" (zeros) for a constant zero state."""
    if not g.is_traced(s):
        data = g.constant_data(s)[lo:hi]
        return "" if not np.any(data) else g.const(data)
    return g.node("Slice", [g.value(s), g.ints([lo]), g.ints([hi]), g.ints([0])])


def _layer(g: Graph, op: str, x: str, params: list[Any], states: list[Any], lo: int, hi: int, H: int,
           has_bias: bool) -> list[str]:
    """One ONNX RNN/LSTM/GRU node over x (T, B, in); returns [Y (T, B, D·H), Y_h(, Y_c)]."""
    D = len(params)
    W, R, B = _weights(g, op, params, H, has_bias)
    inits = [_state(g, s, lo, hi) for s in states]
    attrs: dict[str, Any] = {"hidden_size": H, "direction": "bidirectional" if D == 2 else "forward"}
    if op == "gru":
        onnx_op, attrs["linear_before_reset"] = "GRU", 1
    elif op == "lstm":
        onnx_op = "LSTM"
    else:
        onnx_op = "RNN"
        attrs["activations"] = ["Tanh" if op == "rnn_tanh" else "Relu"] * D
    inputs = [x, W, R, B, ""] + inits
    while inputs and inputs[-1] == "":  # trailing optional inputs left out
        inputs.pop()
    outs = g.node(onnx_op, inputs, n_out=3 if op == "lstm" else 2, **attrs)
    y = g.reshape(g.transpose(outs[0], [0, 2, 1, 3]), [0, 0, -1])
    return [y, *outs[1:]]


def _stack(g: Graph, a: A, out: Any) -> list[str]:
    op = a["_name"]
    args = a["args"]
    if len(args) >= 4 and isinstance(args[3], (list, tuple)):
        raise UnsupportedOperatorError(op, "a PackedSequence input (pass padded tensors to export)")
    x, hx, params, has_bias, layers, _, _, bidir, batch_first = args
    states = list(hx) if op == "lstm" else [hx]
    if op == "lstm" and hx[0].shape[-1] != hx[1].shape[-1]:
        raise UnsupportedOperatorError(op, "proj_size > 0 (ONNX's LSTM has no projection)")
    D = 2 if bidir else 1
    per = (4 if has_bias else 2)
    H = states[-1].shape[-1]
    v = g.value(x)
    if batch_first:
        v = g.transpose(v, [1, 0, 2])
    finals: list[list[str]] = [[] for _ in states]
    for layer in range(layers):
        ps = [params[(layer * D + d) * per:(layer * D + d + 1) * per] for d in range(D)]
        v, *last = _layer(g, op, v, ps, states, layer * D, (layer + 1) * D, H, has_bias)
        for f, s in zip(finals, last):
            f.append(s)
    if batch_first:
        v = g.transpose(v, [1, 0, 2])
    joined = [f[0] if len(f) == 1 else g.node("Concat", f, axis=0) for f in finals]
    return [v, *joined]


for _op in _GATES:
    register(f"F.{_op}")(_stack)


def _cell(g: Graph, a: A, out: Any) -> Any:
    op = a["_name"].removesuffix("_cell")
    x, hx = a["input"], a["hx"]
    states = list(hx) if op == "lstm" else [hx]
    p = [a["w_ih"], a["w_hh"]]
    has_bias = a.get("b_ih") is not None or a.get("b_hh") is not None
    if has_bias:
        p += [b if b is not None else _zeros_like(other) for b, other in ((a["b_ih"], a["b_hh"]), (a["b_hh"], a["b_ih"]))]
    H = states[-1].shape[-1]
    stacked = [_cell_state(g, s) for s in states]
    W, R, B = _weights(g, op, [p], H, has_bias)
    attrs: dict[str, Any] = {"hidden_size": H}
    if op == "gru":
        onnx_op, attrs["linear_before_reset"] = "GRU", 1
    elif op == "lstm":
        onnx_op = "LSTM"
    else:
        onnx_op, attrs["activations"] = "RNN", ["Tanh" if op == "rnn_tanh" else "Relu"]
    outs = g.node(onnx_op, [g.unsqueeze(g.value(x), [0]), W, R, B, "", *stacked], n_out=3 if op == "lstm" else 2,
                  **attrs)
    finals = [g.squeeze(o, [0]) for o in outs[1:]]
    return finals if op == "lstm" else finals[0]


def _cell_state(g: Graph, s: Any) -> str:
    """A cell's state (B, H) as ONNX's (1, B, H) initial state; "" (zeros) for a constant zero state."""
    if g.is_traced(s):
        return g.unsqueeze(g.value(s), [0])
    data = g.constant_data(s)[None]
    return "" if not np.any(data) else g.const(data)


def _zeros_like(t: Any) -> Any:
    from .._creation import zeros_like

    return zeros_like(t)


for _op in _GATES:
    register(f"F.{_op}_cell")(_cell)
