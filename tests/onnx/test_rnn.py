"""RNN/LSTM/GRU and their cells exported as ONNX's RNN/LSTM/GRU operators: onnx.checker passes and
onnxruntime equals chainrule at two batch sizes and two sequence lengths (one of each differs from the trace)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn

from .harness import ATOL, RTOL

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

KINDS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("GRU", {}), ("LSTM", {})]


def _session(model: Any, args: tuple[Any, ...], **kw: Any) -> Any:
    buf = io.BytesIO()
    proto = cr.onnx.export(model, args, buf, **kw)
    onnx.checker.check_model(proto, full_check=True)
    return proto, ort.InferenceSession(buf.getvalue(), providers=["CPUExecutionProvider"])


def _flat(out: Any) -> list[np.ndarray]:
    if isinstance(out, cr.Tensor):
        return [out.numpy()]
    return [a for o in out for a in _flat(o)]


def _compare(sess: Any, model: Any, args: tuple[Any, ...]) -> None:
    got = sess.run(None, {i.name: a.numpy() for i, a in zip(sess.get_inputs(), args)})
    with cr.no_grad():
        want = _flat(model(*args))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("cls,kw", KINDS, ids=lambda v: str(v))
@pytest.mark.parametrize("layers,bidir,batch_first", [(1, False, False), (2, True, False), (3, True, True),
                                                      (2, False, True)])
@pytest.mark.parametrize("with_state", [False, True])
def test_layer_export(cls: str, kw: dict[str, Any], layers: int, bidir: bool, batch_first: bool,
                      with_state: bool) -> None:
    model = getattr(nn, cls)(3, 5, num_layers=layers, bidirectional=bidir, batch_first=batch_first, **kw).eval()
    nd = layers * (2 if bidir else 1)
    seq_batch = {0: "batch", 1: "seq"} if batch_first else {0: "seq", 1: "batch"}
    names = ["x"] + (["h0", "c0"] if cls == "LSTM" else ["h0"] if with_state else [])
    n_states = 2 if cls == "LSTM" else 1
    axes = {"x": seq_batch, "output_0": seq_batch, **{f"output_{k + 1}": {1: "batch"} for k in range(n_states)}}
    if with_state:
        axes.update({n: {1: "batch"} for n in names[1:]})

    def args(seq: int, batch: int) -> tuple[Any, ...]:
        x = cr.randn(batch, seq, 3) if batch_first else cr.randn(seq, batch, 3)
        if not with_state:
            return (x,)
        states = tuple(cr.randn(nd, batch, 5) for _ in range(n_states))
        return (x, states if cls == "LSTM" else states[0])

    model_fn = model
    if with_state and cls == "LSTM":  # flat inputs for the session: (x, h0, c0)
        model_fn = _Flat(model)
    example = args(4, 2)
    flat_example = (example[0], *example[1]) if with_state and cls == "LSTM" else example
    _, sess = _session(model_fn, flat_example, input_names=names[: len(flat_example)], dynamic_axes=axes)
    for seq, batch in [(4, 2), (7, 3), (1, 5)]:
        a = args(seq, batch)
        _compare(sess, model_fn, (a[0], *a[1]) if with_state and cls == "LSTM" else a)


class _Flat(nn.Module):
    """LSTM with (x, h0, c0) as three separate inputs."""

    def __init__(self, lstm: nn.Module) -> None:
        super().__init__()
        self.lstm = lstm

    def forward(self, x: Any, h0: Any, c0: Any) -> Any:
        return self.lstm(x, (h0, c0))


@pytest.mark.parametrize("cls,kw", KINDS, ids=lambda v: str(v))
def test_unbatched_layer_export(cls: str, kw: dict[str, Any]) -> None:
    model = getattr(nn, cls)(3, 4, num_layers=2, bidirectional=True, **kw).eval()
    _, sess = _session(model, (cr.randn(5, 3),), input_names=["x"],
                       dynamic_axes={"x": {0: "seq"}, "output_0": {0: "seq"}})
    for seq in (5, 2):
        _compare(sess, model, (cr.randn(seq, 3),))


CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("GRUCell", {}), ("LSTMCell", {}),
         ("GRUCell", {"bias": False})]


@pytest.mark.parametrize("cls,kw", CELLS, ids=lambda v: str(v))
@pytest.mark.parametrize("with_state", [False, True])
def test_cell_export(cls: str, kw: dict[str, Any], with_state: bool) -> None:
    cell = getattr(nn, cls)(3, 4, **kw).eval()
    lstm = cls == "LSTMCell"
    model: Any = cell
    if with_state and lstm:
        model = _FlatCell(cell)
    n_in = (3 if lstm else 2) if with_state else 1
    names = ["x", "h", "c"][:n_in]

    def args(batch: int) -> tuple[Any, ...]:
        return (cr.randn(batch, 3), *(cr.randn(batch, 4) for _ in range(n_in - 1)))

    _, sess = _session(model, args(2), input_names=names)  # dim 0 (batch) is dynamic by default
    for batch in (2, 6):
        _compare(sess, model, args(batch))


class _FlatCell(nn.Module):
    """LSTMCell with (x, h, c) as three separate inputs."""

    def __init__(self, cell: nn.Module) -> None:
        super().__init__()
        self.cell = cell

    def forward(self, x: Any, h: Any, c: Any) -> Any:
        return self.cell(x, (h, c))


def test_what_is_not_exported_says_so() -> None:
    with pytest.raises(cr.onnx.UnsupportedOperatorError, match="proj_size"):
        cr.onnx.export(nn.LSTM(3, 4, proj_size=2), (cr.randn(5, 2, 3),), io.BytesIO())

    class Packed(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.gru = nn.GRU(3, 4)

        def forward(self, x: Any) -> Any:
            packed = nn.utils.rnn.pack_padded_sequence(x, [5, 3])
            return self.gru(packed)[1]

    with pytest.raises(cr.onnx.UnsupportedOperatorError):
        cr.onnx.export(Packed(), (cr.randn(5, 2, 3),), io.BytesIO())
