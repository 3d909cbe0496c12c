"""RNN, LSTM, GRU against PyTorch: forward, input/initial-state/parameter gradients over layers, directions,
batch_first, proj_size, bias and unbatched inputs; float64 gradcheck; state_dict both ways; dropout between
layers; the fused op against the same recurrence composed from primitive ops."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn

from .layer_harness import check_layer, gradcheck_layer

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

I, H, T, B = 3, 5, 4, 2

KINDS = [
    ("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("GRU", {}), ("LSTM", {}), ("LSTM", {"proj_size": 2}),
]  # fmt: skip
COMBOS = list(itertools.product([1, 2], [False, True], [False, True], [True, False]))


def _x(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _make(cls: str, kw: dict[str, Any], **more: Any) -> Any:
    return lambda lib: getattr(lib.nn, cls)(I, H, **kw, **more)


def _states(cls: str, kw: dict[str, Any], layers: int, dirs: int, batch: tuple[int, ...]) -> list[np.ndarray]:
    h = kw.get("proj_size", 0) or H
    shapes = [(layers * dirs, *batch, h)] + ([(layers * dirs, *batch, H)] if cls == "LSTM" else [])
    return [_x(*s, seed=10 + k) for k, s in enumerate(shapes)]


def _call(cls: str) -> Any:
    if cls == "LSTM":
        return lambda layer, xs: layer(xs[0], (xs[1], xs[2]))
    return lambda layer, xs: layer(xs[0], xs[1])


@pytest.mark.parametrize("cls,kw", KINDS, ids=lambda v: str(v))
@pytest.mark.parametrize("layers,bidir,batch_first,bias", COMBOS)
def test_layer_matches_torch(cls: str, kw: dict[str, Any], layers: int, bidir: bool, batch_first: bool,
                             bias: bool) -> None:
    make = _make(cls, kw, num_layers=layers, bidirectional=bidir, batch_first=batch_first, bias=bias)
    x = _x(B, T, I) if batch_first else _x(T, B, I)
    check_layer(make, [x])  # zero initial states
    states = _states(cls, kw, layers, 2 if bidir else 1, (B,))
    check_layer(make, [x, *states], call=_call(cls))  # given initial states: their gradients too


@pytest.mark.parametrize("cls,kw", KINDS, ids=lambda v: str(v))
@pytest.mark.parametrize("bidir", [False, True])
def test_unbatched_input(cls: str, kw: dict[str, Any], bidir: bool) -> None:
    make = _make(cls, kw, num_layers=2, bidirectional=bidir, batch_first=True)
    check_layer(make, [_x(T, I)])
    check_layer(make, [_x(T, I), *_states(cls, kw, 2, 2 if bidir else 1, ())], call=_call(cls))


@pytest.mark.parametrize("cls,kw", KINDS, ids=lambda v: str(v))
def test_gradcheck_float64(cls: str, kw: dict[str, Any]) -> None:
    make = _make(cls, kw, num_layers=2, bidirectional=True)
    gradcheck_layer(make, [_x(3, 2, I).astype(np.float64)])
    states = [s.astype(np.float64) for s in _states(cls, kw, 2, 2, (2,))]
    gradcheck_layer(make, [_x(3, 2, I).astype(np.float64), *states], call=_call(cls))


@pytest.mark.parametrize("cls,kw", KINDS, ids=lambda v: str(v))
def test_state_dict_round_trips(cls: str, kw: dict[str, Any]) -> None:
    th = getattr(torch.nn, cls)(I, H, num_layers=2, bidirectional=True, **kw)
    cr = getattr(nn, cls)(I, H, num_layers=2, bidirectional=True, **kw)
    assert list(cr.state_dict()) == list(th.state_dict())
    for (name, p), (_, tp) in zip(cr.named_parameters(), th.named_parameters()):
        assert tuple(p.shape) == tuple(tp.shape), name
    cr.load_state_dict({k: chainrule.tensor(v.numpy()) for k, v in th.state_dict().items()})  # torch -> chainrule
    x = _x(T, B, I)
    out_cr = cr(chainrule.tensor(x))[0].detach().numpy()
    np.testing.assert_allclose(out_cr, th(torch.tensor(x))[0].detach().numpy(), atol=1e-5, rtol=1e-5)
    th2 = getattr(torch.nn, cls)(I, H, num_layers=2, bidirectional=True, **kw)
    th2.load_state_dict({k: torch.tensor(v.numpy()) for k, v in cr.state_dict().items()})  # chainrule -> torch
    np.testing.assert_allclose(th2(torch.tensor(x))[0].detach().numpy(), out_cr, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("cls,kw", KINDS, ids=lambda v: str(v))
def test_initialization_and_names(cls: str, kw: dict[str, Any]) -> None:
    layer = getattr(nn, cls)(I, 16, num_layers=2, bidirectional=True, **kw)
    bound = 1 / 4
    for name, p in layer.named_parameters():
        a = p.detach().numpy()
        assert a.min() >= -bound and a.max() <= bound and a.std() > bound / 4, name
    names = [n for ws in layer._all_weights for n in ws]
    assert names == [n for n, _ in layer.named_parameters()]
    assert [len(ws) for ws in layer.all_weights] == [len(ws) for ws in layer._all_weights]
    assert layer.all_weights[1][0] is layer.weight_ih_l0_reverse
    assert layer.flatten_parameters() is None
    th = getattr(torch.nn, cls)(I, 16, num_layers=2, bidirectional=True, **kw)
    assert repr(layer) == repr(th)


@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
def test_dropout_between_layers_train_and_eval(cls: str) -> None:
    """Eval: deterministic and equal to the same stack without dropout; train: masks vary with the seed."""
    layer = getattr(nn, cls)(I, H, num_layers=2, dropout=0.5)
    x = chainrule.tensor(_x(T, B, I))
    layer.eval()
    a = layer(x)[0].detach().numpy()
    np.testing.assert_array_equal(layer(x)[0].detach().numpy(), a)
    ref = getattr(nn, cls)(I, H, num_layers=2)
    ref.load_state_dict(layer.state_dict())
    np.testing.assert_allclose(ref(x)[0].detach().numpy(), a, rtol=1e-6)
    layer.train()
    chainrule.manual_seed(0)
    c = layer(x)[0].detach().numpy()
    chainrule.manual_seed(0)
    np.testing.assert_array_equal(layer(x)[0].detach().numpy(), c)  # same seed, same masks
    chainrule.manual_seed(1)
    assert not np.allclose(layer(x)[0].detach().numpy(), c) and not np.allclose(c, a)


@pytest.mark.parametrize("lib_name", ["chainrule", "torch"])
def test_dropout_between_layers_statistics(lib_name: str) -> None:
    """Layer 0 is made to output the constant 0.5 and layer 1 (relu, W_ih = I, no recurrence) to copy its
    input, so the output IS the dropped layer-0 output: zeros with probability p, 0.5/(1−p) elsewhere, mean 0.5
    (the same statistics in both libraries)."""
    lib = chainrule if lib_name == "chainrule" else torch
    p, n = 0.3, 4000
    layer = lib.nn.RNN(1, 1, num_layers=2, nonlinearity="relu", dropout=p)
    with lib.no_grad():
        for w in layer.parameters():
            w.zero_()
        layer.bias_ih_l0.fill_(0.5)
        layer.weight_ih_l1.fill_(1.0)
    lib.manual_seed(0)
    out = layer(lib.zeros(n, 1, 1))[0].detach().numpy().ravel()
    dropped = out == 0
    assert abs(dropped.mean() - p) < 0.03
    np.testing.assert_allclose(out[~dropped], 0.5 / (1 - p), rtol=1e-6)
    assert abs(out.mean() - 0.5) < 0.03


def test_dropout_matches_torch_in_eval_and_warns() -> None:
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        nn.LSTM(I, H, dropout=0.2)
    check_layer(lambda lib: lib.nn.LSTM(I, H, num_layers=3, dropout=0.3), [_x(T, B, I)], train=False)


def _composed_lstm(x: Any, h: Any, c: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> tuple[Any, Any, Any]:
    """The LSTM recurrence from primitive ops (linear, sigmoid, tanh, chunk, stack): one node per op per step."""
    F = nn.functional
    ys = []
    for t in range(x.shape[0]):
        gates = F.linear(x[t], w_ih, b_ih) + F.linear(h, w_hh, b_hh)
        i, f, g, o = gates.chunk(4, 1)
        c = i.sigmoid() * g.tanh() + f.sigmoid() * c
        h = o.sigmoid() * c.tanh()
        ys.append(h)
    return chainrule.stack(ys, 0), h, c


def _composed_gru(x: Any, h: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> tuple[Any, Any]:
    F = nn.functional
    ys = []
    for t in range(x.shape[0]):
        xr, xz, xn = F.linear(x[t], w_ih, b_ih).chunk(3, 1)
        hr, hz, hn = F.linear(h, w_hh, b_hh).chunk(3, 1)
        r, z = (xr + hr).sigmoid(), (xz + hz).sigmoid()
        n = (xn + r * hn).tanh()
        h = (1 - z) * n + z * h
        ys.append(h)
    return chainrule.stack(ys, 0), h


def _composed_rnn(x: Any, h: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> tuple[Any, Any]:
    F = nn.functional
    ys = []
    for t in range(x.shape[0]):
        h = (F.linear(x[t], w_ih, b_ih) + F.linear(h, w_hh, b_hh)).tanh()
        ys.append(h)
    return chainrule.stack(ys, 0), h


@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
def test_fused_op_agrees_with_composed_recurrence(cls: str) -> None:
    """Values and every gradient of the fused layer op equal the step-by-step graph of primitive ops."""
    layer = getattr(nn, cls)(I, H).double()
    rng = np.random.default_rng(5)
    x0 = rng.standard_normal((6, B, I))
    s0 = [rng.standard_normal((1, B, H)) for _ in range(2 if cls == "LSTM" else 1)]
    weights = rng.standard_normal((6, B, H))

    def run(fused: bool) -> list[np.ndarray]:
        layer.zero_grad()
        x = chainrule.tensor(x0, requires_grad=True)
        states = [chainrule.tensor(s, requires_grad=True) for s in s0]
        if fused:
            y, hn = layer(x, tuple(states) if cls == "LSTM" else states[0])
        else:
            p = [layer.weight_ih_l0, layer.weight_hh_l0, layer.bias_ih_l0, layer.bias_hh_l0]
            if cls == "LSTM":
                y, h, c = _composed_lstm(x, states[0][0], states[1][0], *p)
                hn = (h.unsqueeze(0), c.unsqueeze(0))
            else:
                y, h = (_composed_gru if cls == "GRU" else _composed_rnn)(x, states[0][0], *p)
                hn = h.unsqueeze(0)
        finals = list(hn) if cls == "LSTM" else [hn]
        loss = (y * chainrule.tensor(weights)).sum() + sum((f * f).sum() for f in finals)
        loss.backward()
        grads = [x.grad.numpy(), *(s.grad.numpy() for s in states)]
        grads += [p.grad.numpy() for p in layer.parameters()]
        return [y.detach().numpy(), *(f.detach().numpy() for f in finals), *grads]

    for a, b in zip(run(True), run(False)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_no_per_step_graph_nodes() -> None:
    """A 2-layer LSTM over 50 steps puts a handful of nodes in the graph, not one per step."""
    from chainrule.autograd.engine import toposort

    layer = nn.LSTM(I, H, num_layers=2)
    y, _ = layer(chainrule.randn(50, B, I))
    nodes = toposort([y.grad_fn])
    assert sum(type(n).__name__ == "LSTMLayer" for n in nodes) == 2
    assert len(nodes) < 12


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("packed", [False, True])
def test_lstm_per_step_products_in_row_blocks_match_torch(threads: int, packed: bool) -> None:
    """Shapes big enough that, on one thread, the LSTM's per-step float32 products run as a batch of row
    blocks (forward [W_ih | b | W_hh] and backward W_hhᵀ); on two threads as one GEMM each. Both directions,
    padded and packed (a product on the first columns only)."""
    from chainrule import _parallel
    from chainrule.nn.functional.rnn_fused_lstm import _row_blocks

    lengths = [6] * 4 + [5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1, 1]

    def call(layer: Any, xs: list[Any]) -> Any:
        lib = chainrule if isinstance(xs[0], chainrule.Tensor) else torch
        if not packed:
            return layer(xs[0], (xs[1], xs[2]))
        out, hidden = layer(lib.nn.utils.rnn.pack_padded_sequence(xs[0], lengths), (xs[1], xs[2]))
        return lib.nn.utils.rnn.pad_packed_sequence(out)[0], hidden

    with _parallel.override(threads):
        blocks = _row_blocks(np.zeros((512, 64 + 1 + 128), np.float32), 16).shape[0]
        assert (blocks > 1) == (threads == 1)
        states = [_x(2, 16, 128, seed=10 + k) for k in range(2)]
        check_layer(lambda lib: lib.nn.LSTM(64, 128, bidirectional=True), [_x(6, 16, 64), *states], call=call)
