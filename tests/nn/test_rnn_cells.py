"""RNNCell, LSTMCell, GRUCell against PyTorch: batched and unbatched, with and without states and bias;
float64 gradcheck; state_dict keys; a cell unrolled by hand equals the one-layer network."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn

from .layer_harness import check_layer, gradcheck_layer

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

I, H = 3, 5
CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("GRUCell", {}), ("LSTMCell", {})]


def _x(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _call(cls: str) -> Any:
    if cls == "LSTMCell":
        return lambda cell, xs: cell(xs[0], (xs[1], xs[2]))
    return lambda cell, xs: cell(xs[0], xs[1])


@pytest.mark.parametrize("cls,kw", CELLS, ids=lambda v: str(v))
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batch", [(4,), ()])
def test_cell_matches_torch(cls: str, kw: dict[str, Any], bias: bool, batch: tuple[int, ...]) -> None:
    make = lambda lib: getattr(lib.nn, cls)(I, H, bias=bias, **kw)  # noqa: E731
    check_layer(make, [_x(*batch, I)])
    states = [_x(*batch, H, seed=1)] + ([_x(*batch, H, seed=2)] if cls == "LSTMCell" else [])
    check_layer(make, [_x(*batch, I), *states], call=_call(cls))


@pytest.mark.parametrize("cls,kw", CELLS, ids=lambda v: str(v))
def test_cell_gradcheck_and_state_dict(cls: str, kw: dict[str, Any]) -> None:
    make = lambda lib: getattr(lib.nn, cls)(I, H, **kw)  # noqa: E731
    states = [_x(2, H, seed=1)] + ([_x(2, H, seed=2)] if cls == "LSTMCell" else [])
    gradcheck_layer(make, [_x(2, I).astype(np.float64), *(s.astype(np.float64) for s in states)], call=_call(cls))
    th, cr = make(torch), make(chainrule)
    assert list(cr.state_dict()) == list(th.state_dict())
    assert repr(cr) == repr(th)
    bound = 1 / np.sqrt(H)
    assert all(np.abs(p.detach().numpy()).max() <= bound for p in cr.parameters())


@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
def test_cell_unrolled_equals_layer(cls: str) -> None:
    layer = getattr(nn, cls)(I, H)
    cell = getattr(nn, cls + "Cell")(I, H)
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
    x = chainrule.tensor(_x(6, 2, I))
    out, hidden = layer(x)
    state = None
    steps = []
    for t in range(6):
        state = cell(x[t], state)
        steps.append(state[0] if cls == "LSTM" else state)
    np.testing.assert_allclose(chainrule.stack(steps, 0).detach().numpy(), out.detach().numpy(), rtol=1e-5,
                               atol=1e-6)
