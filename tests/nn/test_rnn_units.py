"""The LSTM's time loops cut into blocks of hidden units over several threads (``_UnitSteps`` on
``_lockstep.run_steps``): the primitive's ordering and errors, and the layer against PyTorch, against its
one-thread path, kernels on and off, and float64 gradcheck."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pytest

import chainrule
from chainrule import _fused, _lockstep, _parallel
from chainrule.nn.functional import rnn_fused_lstm

from .layer_harness import check_layer, gradcheck_layer

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


@pytest.mark.parametrize("threads,chunks", [(2, 2), (2, 3), (3, 3), (1, 2)])
def test_run_steps_runs_each_chunk_once_and_steps_in_order(threads: int, chunks: int) -> None:
    """Every (step, chunk) exactly once; no chunk of step s + 1 starts before all of step s has finished."""
    events: list[tuple[str, int, int]] = []
    lock = threading.Lock()

    def fn(s: int, k: int) -> None:
        with lock:
            events.append(("start", s, k))
        time.sleep(0.0005 * ((s + k) % 3))
        with lock:
            events.append(("end", s, k))

    with _parallel.override(threads):
        _lockstep.run_steps(fn, 12, chunks)
    starts = [(s, k) for e, s, k in events if e == "start"]
    assert sorted(starts) == [(s, k) for s in range(12) for k in range(chunks)]
    for i, (e, s, _) in enumerate(events):
        if e == "start" and s > 0:
            ended = {(s2, k2) for e2, s2, k2 in events[:i] if e2 == "end" and s2 == s - 1}
            assert len(ended) == chunks


def test_run_steps_raises_a_chunks_error() -> None:
    def fn(s: int, k: int) -> None:
        if (s, k) == (3, 1):
            raise ValueError("chunk failed")

    with _parallel.override(2), pytest.raises(ValueError, match="chunk failed"):
        _lockstep.run_steps(fn, 8, 2)


def _spy(monkeypatch: Any) -> list[int]:
    """Count the calls of ``run_steps`` (the unit-block path taken)."""
    calls: list[int] = []
    real = _lockstep.run_steps

    def counted(fn: Any, n_steps: int, n_chunks: int) -> None:
        calls.append(n_chunks)
        real(fn, n_steps, n_chunks)

    monkeypatch.setattr(_lockstep, "run_steps", counted)
    return calls


@pytest.mark.parametrize("threads", [2, 3])
@pytest.mark.parametrize("bidir,bias", [(False, True), (True, True), (True, False)])
@pytest.mark.parametrize("fused", [True, False])
def test_unit_blocks_match_torch(monkeypatch: Any, threads: int, bidir: bool, bias: bool, fused: bool) -> None:
    """A 2-layer LSTM whose steps run in blocks of units on 2 or 3 threads: values and every gradient."""
    calls = _spy(monkeypatch)
    rng = np.random.default_rng(0)
    D = 2 if bidir else 1
    xs = [rng.standard_normal(s).astype(np.float32) for s in [(9, 4, 5), (2 * D, 4, 12), (2 * D, 4, 12)]]
    with _parallel.override(threads, 1), _fused.override(fused):
        check_layer(lambda lib: lib.nn.LSTM(5, 12, num_layers=2, bidirectional=bidir, bias=bias), xs,
                    call=lambda layer, a: layer(a[0], (a[1], a[2])))
    assert calls and set(calls) == {threads}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unit_blocks_kernels_give_the_numpy_bits(dtype: str) -> None:
    """On the unit-block path too, the fused kernels give the NumPy passes' bits."""

    def run(fused: bool) -> list[np.ndarray]:
        rng = np.random.default_rng(2)
        chainrule.manual_seed(0)
        dt = getattr(chainrule, dtype)
        layer = chainrule.nn.LSTM(3, 8, num_layers=2).to(dt)
        x = chainrule.tensor(rng.standard_normal((6, 5, 3)), dtype=dt, requires_grad=True)
        with _parallel.override(2, 1), _fused.override(fused):
            y, (h, c) = layer(x)
            ((y * y).sum() + h.sum() + (c * 0.5).sum()).backward()
        return [t.detach().numpy() for t in [y, h, c, x.grad, *(p.grad for p in layer.parameters())]]

    pytest.importorskip("numba", reason="numba (the 'fast' extra) compiles the kernels")
    for a, b in zip(run(True), run(False)):
        assert np.array_equal(a, b)


def test_unit_blocks_gradcheck(monkeypatch: Any) -> None:
    calls = _spy(monkeypatch)
    rng = np.random.default_rng(4)
    xs = [rng.standard_normal((4, 2, 3)), rng.standard_normal((1, 2, 4)), rng.standard_normal((1, 2, 4))]
    with _parallel.override(2, 1):
        gradcheck_layer(lambda lib: lib.nn.LSTM(3, 4), xs, call=lambda layer, a: layer(a[0], (a[1], a[2])))
    assert calls


@pytest.mark.parametrize("case", ["proj", "packed", "odd_hidden"])
def test_unit_blocks_only_where_they_apply(monkeypatch: Any, case: str) -> None:
    """Projection, packed sequences, or a hidden size the threads do not divide: the plain loops (and still
    PyTorch's numbers)."""
    calls = _spy(monkeypatch)
    rng = np.random.default_rng(1)
    H = 7 if case == "odd_hidden" else 8
    P = 3 if case == "proj" else H
    xs = [rng.standard_normal(s).astype(np.float32) for s in [(5, 3, 4), (1, 3, P), (1, 3, H)]]
    lengths = [5, 3, 2]

    def call(layer: Any, a: list[Any]) -> Any:
        if case != "packed":
            return layer(a[0], (a[1], a[2]))
        lib = chainrule if isinstance(a[0], chainrule.Tensor) else torch
        out, hidden = layer(lib.nn.utils.rnn.pack_padded_sequence(a[0], lengths), (a[1], a[2]))
        return lib.nn.utils.rnn.pad_packed_sequence(out)[0], hidden

    with _parallel.override(2, 1):
        check_layer(lambda lib: lib.nn.LSTM(4, H, proj_size=P if case == "proj" else 0), xs, call=call)
    assert calls == []
    with _parallel.override(1):
        assert rnn_fused_lstm._unit_chunks(8, 8, [3] * 5, 3, 1 << 20) == 1  # one thread: no blocks
    with _parallel.override(2):
        assert rnn_fused_lstm._unit_chunks(8, 8, [3] * 5, 3, 1 << 20) == 2
