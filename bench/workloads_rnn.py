"""Recurrent workloads (issue 16): a 2-layer LSTM regression step and a GRU character-model step.

Registered into ``WORKLOADS`` when ``bench.workloads`` is imported (its last line imports this module).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .workloads import Step, _rng, load_numpy_weights, register


def lstm_setup(lib: Any, batch: int) -> tuple[Any, Any, Any]:
    """nn.LSTM(128, 256, num_layers=2), input (64, batch, 128), target (64, batch, 256)."""
    rng = _rng()
    model = load_numpy_weights(lib, lib.nn.LSTM(128, 256, num_layers=2), rng)
    x = lib.tensor(rng.standard_normal((64, batch, 128)).astype(np.float32))
    t = lib.tensor(rng.standard_normal((64, batch, 256)).astype(np.float32) * 0.1)
    return model, x, t


def gru_setup(lib: Any, batch: int) -> tuple[Any, Any, Any]:
    """ModuleList([Embedding(65, 64), GRU(64, 256, batch_first), Linear(256, 65)]), characters, next ones."""
    rng = _rng()
    nn = lib.nn
    emb, rnn, head = nn.Embedding(65, 64), nn.GRU(64, 256, batch_first=True), nn.Linear(256, 65)
    model = load_numpy_weights(lib, nn.ModuleList([emb, rnn, head]), rng)
    text = rng.integers(0, 65, (batch, 65), dtype=np.int64)
    return model, lib.tensor(text[:, :-1]), lib.tensor(text[:, 1:].reshape(-1))


@register(
    "lstm", 32,
    "nn.LSTM(128, 256, num_layers=2) over (seq 64, batch, 128), MSELoss to a fixed random target, Adam lr 1e-3",
    family="recurrent",
)  # fmt: skip
def lstm(lib: Any, batch: int) -> Step:
    model, x, t = lstm_setup(lib, batch)
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.MSELoss()

    def step() -> Any:
        opt.zero_grad()
        out, _ = model(x)
        loss = loss_fn(out, t)
        loss.backward()
        opt.step()
        return loss

    return step


@register(
    "gru_char", 32,
    "character model: Embedding(65, 64) → nn.GRU(64, 256, batch_first) → Linear(256, 65) over (batch, seq 64), "
    "CrossEntropyLoss on the next character, Adam lr 2e-3",
    family="recurrent",
)  # fmt: skip
def gru_char(lib: Any, batch: int) -> Step:
    model, x, y = gru_setup(lib, batch)
    emb, rnn, head = model
    opt = lib.optim.Adam(model.parameters(), lr=2e-3)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step() -> Any:
        opt.zero_grad()
        out, _ = rnn(emb(x))
        loss = loss_fn(head(out).reshape(-1, 65), y)
        loss.backward()
        opt.step()
        return loss

    return step
