"""nn.utils.rnn (PackedSequence, pack/pad and their inverses) and recurrent layers on packed sequences of
unequal lengths, against PyTorch: values, lengths, indices and gradients through packing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule

from .layer_harness import check_layer

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

I, H = 3, 4
LENGTHS = [2, 5, 1, 4]  # unsorted, distinct


def _lib(t: Any) -> Any:
    return torch if isinstance(t, torch.Tensor) else chainrule


def _x(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _np(t: Any) -> np.ndarray | None:
    return None if t is None else t.detach().numpy()


def _same_packed(cr: Any, th: Any) -> None:
    np.testing.assert_allclose(_np(cr.data), _np(th.data), rtol=1e-6)
    for a, b in zip(cr[1:], th[1:]):
        if b is None:
            assert a is None
        else:
            np.testing.assert_array_equal(_np(a), _np(b))
            assert a.dtype == chainrule.int64


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_and_pad_round_trip(batch_first: bool, enforce_sorted: bool) -> None:
    lengths = sorted(LENGTHS, reverse=True) if enforce_sorted else LENGTHS
    x = _x(4, 5, I) if batch_first else _x(5, 4, I)
    g = _x(sum(lengths), I, seed=2)
    res = {}
    for lib in (chainrule, torch):
        xt = lib.tensor(x, requires_grad=True)
        rnn = lib.nn.utils.rnn
        packed = rnn.pack_padded_sequence(xt, lib.tensor(lengths), batch_first=batch_first,
                                          enforce_sorted=enforce_sorted)
        (packed.data * lib.tensor(g)).sum().backward()
        padded, lens = rnn.pad_packed_sequence(packed, batch_first=batch_first, padding_value=-1.5, total_length=7)
        res[lib.__name__] = (packed, xt.grad.numpy(), _np(padded), _np(lens))
    cr, th = res["chainrule"], res["torch"]
    _same_packed(cr[0], th[0])
    for a, b in zip(cr[1:], th[1:]):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_pad_sequence_options_and_inverses() -> None:
    seqs = [_x(n, 2, seed=n) for n in LENGTHS]
    for kw in ({}, {"batch_first": True}, {"padding_value": 3.0, "padding_side": "left"},
               {"batch_first": True, "padding_side": "left"}):
        grads = []
        outs = []
        for lib in (chainrule, torch):
            ts = [lib.tensor(s, requires_grad=True) for s in seqs]
            out = lib.nn.utils.rnn.pad_sequence(ts, **kw)
            (out * lib.tensor(_x(*out.shape, seed=9))).sum().backward()
            outs.append(_np(out))
            grads.append([t.grad.numpy() for t in ts])
        np.testing.assert_allclose(outs[0], outs[1], rtol=1e-6)
        for a, b in zip(*grads):
            np.testing.assert_allclose(a, b, rtol=1e-6)
    for lib in (chainrule, torch):
        ts = [lib.tensor(s) for s in seqs]
        packed = lib.nn.utils.rnn.pack_sequence(ts, enforce_sorted=False)
        back = lib.nn.utils.rnn.unpack_sequence(packed)
        assert [tuple(b.shape) for b in back] == [s.shape for s in seqs]
        for b, s in zip(back, seqs):
            np.testing.assert_array_equal(_np(b), s)
        padded = lib.nn.utils.rnn.pad_sequence(ts, batch_first=True)
        for b, s in zip(lib.nn.utils.rnn.unpad_sequence(padded, lib.tensor(LENGTHS), batch_first=True), seqs):
            np.testing.assert_array_equal(_np(b), s)
    cr = chainrule.nn.utils.rnn.pack_sequence([chainrule.tensor(s) for s in seqs], enforce_sorted=False)
    th = torch.nn.utils.rnn.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    _same_packed(cr, th)
    assert isinstance(cr, tuple) and cr.is_cuda is False and cr.double().data.dtype == chainrule.float64


KINDS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("GRU", {}), ("LSTM", {}), ("LSTM", {"proj_size": 2})]


def _packed_call(cls: str, batch_first: bool, with_state: bool) -> Any:
    def call(layer: Any, xs: list[Any]) -> Any:
        lib = _lib(xs[0])
        packed = lib.nn.utils.rnn.pack_padded_sequence(xs[0], LENGTHS, batch_first=batch_first, enforce_sorted=False)
        if with_state:
            out, hidden = layer(packed, (xs[1], xs[2]) if cls == "LSTM" else xs[1])
        else:
            out, hidden = layer(packed)
        assert isinstance(out, lib.nn.utils.rnn.PackedSequence)
        padded, _ = lib.nn.utils.rnn.pad_packed_sequence(out, batch_first=batch_first)
        return padded, hidden

    return call


@pytest.mark.parametrize("cls,kw", KINDS, ids=lambda v: str(v))
@pytest.mark.parametrize("layers,bidir,batch_first", [(1, False, False), (2, True, False), (2, False, True),
                                                      (1, True, True)])
def test_layers_on_packed_sequences(cls: str, kw: dict[str, Any], layers: int, bidir: bool,
                                    batch_first: bool) -> None:
    """h_n is each sequence's last valid step (forward) / first step (reverse); gradients reach x, h0 and weights."""
    make = lambda lib: getattr(lib.nn, cls)(I, H, num_layers=layers, bidirectional=bidir,  # noqa: E731
                                            batch_first=batch_first, **kw)
    x = _x(4, 5, I) if batch_first else _x(5, 4, I)
    check_layer(make, [x], call=_packed_call(cls, batch_first, False))
    n = layers * (2 if bidir else 1)
    states = [_x(n, 4, kw.get("proj_size", 0) or H, seed=3)] + ([_x(n, 4, H, seed=4)] if cls == "LSTM" else [])
    check_layer(make, [x, *states], call=_packed_call(cls, batch_first, True))


def test_packed_h_n_is_last_valid_step() -> None:
    """Without torch's help: a one-directional GRU's h_n equals the output at each sequence's last step."""
    layer = chainrule.nn.GRU(I, H, batch_first=True)
    x = chainrule.tensor(_x(4, 5, I))
    packed = chainrule.nn.utils.rnn.pack_padded_sequence(x, LENGTHS, batch_first=True, enforce_sorted=False)
    out, h_n = layer(packed)
    padded, lengths = chainrule.nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
    for b, n in enumerate(lengths.tolist()):
        np.testing.assert_allclose(_np(h_n)[0, b], _np(padded)[b, n - 1], rtol=1e-6)
        assert not np.any(_np(padded)[b, n:])
        alone, h_alone = layer(x[b:b + 1, :n])
        np.testing.assert_allclose(_np(h_alone)[0, 0], _np(h_n)[0, b], rtol=1e-5, atol=1e-6)
