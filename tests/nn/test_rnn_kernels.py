"""The recurrent layers' fused per-step kernels (numba) against their NumPy passes: the same bits, forward
and backward, both directions, padded and packed, float32 and float64, with and without bias/projection;
float64 gradcheck on each path."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule
from chainrule import _fused

from .layer_harness import gradcheck_layer

pytest.importorskip("numba", reason="numba (the 'fast' extra) compiles the kernels")

LENGTHS = [7, 7, 6, 4, 4, 2, 1]  # packed: sequences sorted by decreasing length


def _run(cls: str, dtype: Any, bidir: bool, packed: bool, fused: bool, **kw: Any) -> list[np.ndarray]:
    """Outputs, final states and every gradient of a 2-layer ``cls`` on fixed inputs, kernels on or off."""
    rng = np.random.default_rng(3)
    T, B, I, H = 7, len(LENGTHS), 5, 6
    chainrule.manual_seed(0)
    layer = getattr(chainrule.nn, cls)(I, H, num_layers=2, bidirectional=bidir, **kw).to(dtype)
    x = chainrule.tensor(rng.standard_normal((T, B, I)), dtype=dtype, requires_grad=True)
    dirs = 2 if bidir else 1
    P = kw.get("proj_size", 0) or H
    h0 = chainrule.tensor(rng.standard_normal((2 * dirs, B, P)), dtype=dtype, requires_grad=True)
    c0 = chainrule.tensor(rng.standard_normal((2 * dirs, B, H)), dtype=dtype, requires_grad=True)
    states = [h0, c0] if cls == "LSTM" else [h0]
    with _fused.override(fused):
        xin = chainrule.nn.utils.rnn.pack_padded_sequence(x, LENGTHS) if packed else x
        y, hn = layer(xin, tuple(states) if cls == "LSTM" else h0)
        if packed:
            y = chainrule.nn.utils.rnn.pad_packed_sequence(y)[0]
        finals = list(hn) if cls == "LSTM" else [hn]
        w = chainrule.tensor(rng.standard_normal(tuple(y.shape)), dtype=dtype)
        loss = (y * w).sum() + sum((f * f * 0.5).sum() for f in finals)
        loss.backward()
    grads = [x.grad, *(s.grad for s in states), *(p.grad for p in layer.parameters())]
    return [t.detach().numpy() for t in [y, *finals, *grads]]


@pytest.mark.parametrize(
    "cls,kw", [("LSTM", {}), ("LSTM", {"proj_size": 3}), ("GRU", {}), ("GRU", {"bias": False})],
    ids=["lstm", "lstm_proj", "gru", "gru_nobias"],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bidir,packed", [(False, False), (True, False), (True, True)])
def test_kernels_give_the_numpy_bits(cls: str, kw: dict[str, Any], dtype: str, bidir: bool, packed: bool) -> None:
    """With kernels on, every output and gradient is bit for bit the NumPy passes' result."""
    from chainrule.nn.functional import _rnn_kernels

    with _fused.override(True):
        assert _rnn_kernels.lstm_cell_forward.compiled is not None
        assert _rnn_kernels.gru_cell_backward.compiled is not None
    with _fused.override(False):
        assert _rnn_kernels.lstm_cell_forward.compiled is None
        assert _rnn_kernels.gru_cell_backward.compiled is None
    dt = getattr(chainrule, dtype)
    on = _run(cls, dt, bidir, packed, True, **kw)
    off = _run(cls, dt, bidir, packed, False, **kw)
    assert len(on) == len(off)
    for a, b in zip(on, off):
        assert a.dtype == np.dtype(dtype)
        assert np.array_equal(a, b)


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_gradcheck_each_path(cls: str, fused: bool) -> None:
    """Float64 finite differences agree with the BPTT gradients, kernels on and off."""
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal((4, 2, 3)), rng.standard_normal((1, 2, 4))]
    if cls == "LSTM":
        xs.append(rng.standard_normal((1, 2, 4)))

    def call(layer: Any, args: list[Any]) -> Any:
        return layer(args[0], (args[1], args[2]) if cls == "LSTM" else args[1])

    with _fused.override(fused):
        gradcheck_layer(lambda lib: getattr(lib.nn, cls)(3, 4), xs, call=call)
