"""Memory behaviour of the graph: what backward frees, that training doesn't grow, no ref cycles.

NumPy arrays and graph nodes support weak references, so "is it freed?" is asked directly with
``weakref.ref``; growth over many steps is measured with ``tracemalloc`` (NumPy reports its data
buffers to it).
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import Function
from chainrule.autograd.engine import toposort

_temps: list[weakref.ref] = []


class _SaveTemp(Function):
    """out = 3x, saving a freshly computed temporary (nothing else holds it).   VJP: gx = g·t/x."""

    _array_op = True

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        t = x * 3.0
        _temps.append(weakref.ref(t))
        ctx.save_for_backward(t)
        return x * 3.0

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (t,) = ctx.saved_tensors
        return g * 3.0 + 0 * t


@contextmanager
def _gc_off() -> Iterator[None]:
    """Only reference counting frees objects inside: anything left alive is held, or in a cycle."""
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _leaf(n: int = 1000) -> Any:
    return cr.tensor(np.linspace(-1, 1, n, dtype=np.float32), requires_grad=True)


# --- (a) backward releases what it saved ------------------------------------------------------------
def test_saved_arrays_are_freed_by_backward_while_output_lives() -> None:
    _temps.clear()
    x = _leaf()
    with _gc_off():
        y = _SaveTemp.apply(x)
        assert _temps[-1]() is not None, "forward's saved temporary should live until backward"
        y.backward(cr.ones_like(y))
        assert _temps[-1]() is None, "backward must free saved arrays (retain_graph=False)"
        assert y.grad_fn is not None  # the output and its node are still alive
    np.testing.assert_allclose(x.grad.numpy(), np.full(1000, 3.0, np.float32))


def test_retain_graph_keeps_saved_arrays_and_second_backward_raises_without_it() -> None:
    _temps.clear()
    x = _leaf()
    y = _SaveTemp.apply(x)
    y.backward(cr.ones_like(y), retain_graph=True)
    assert _temps[-1]() is not None
    y.backward(cr.ones_like(y))  # second pass is allowed, and frees
    assert _temps[-1]() is None
    np.testing.assert_allclose(x.grad.numpy(), np.full(1000, 6.0, np.float32))
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward(cr.ones_like(y))


def test_intermediate_activations_are_freed_by_backward_while_output_lives() -> None:
    """As in PyTorch: keeping ``loss`` (e.g. for logging) must not keep every activation alive."""
    x = _leaf(100_000)
    with _gc_off():
        h1 = x * 2.0
        h2 = h1 * h1
        out = h2 * 0.5
        refs = [weakref.ref(h1._data), weakref.ref(h2._data)]
        del h1, h2
        out.backward(cr.ones_like(out))
        alive = [i for i, r in enumerate(refs) if r() is not None]
        assert not alive, f"intermediates {alive} still alive after backward while the output lives"


def test_traced_memory_returns_to_baseline_after_graph_is_dropped() -> None:
    x = _leaf(250_000)  # 1 MB per float32 intermediate
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        h = x
        for _ in range(8):
            h = h * 1.01 + 0.5
        h.backward(cr.ones_like(h))
        del h
        x.grad = None
        grown = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert grown < 64 * 1024, f"{grown} bytes still allocated after the graph was dropped"


# --- (b) many training steps do not grow memory ------------------------------------------------------
def _tiny_mlp_step() -> Callable[[], Any]:
    """One SGD step of a 2-16-16-1 tanh MLP on raw tensors (MSE, batch 32)."""
    rng = np.random.default_rng(0)
    params = []
    for fan_in, fan_out in ((2, 16), (16, 16), (16, 1)):
        bound = 1 / np.sqrt(fan_in)
        params.append(
            cr.tensor(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32), requires_grad=True)
        )
        params.append(
            cr.tensor(rng.uniform(-bound, bound, (fan_out,)).astype(np.float32), requires_grad=True)
        )
    xs = rng.uniform(-1, 1, (32, 2)).astype(np.float32)
    x, t = cr.tensor(xs), cr.tensor(np.sin(3 * xs[:, :1]) * xs[:, 1:])
    w1, b1, w2, b2, w3, b3 = params

    def step() -> Any:
        h = (x @ w1.T + b1).tanh()
        h = (h @ w2.T + b2).tanh()
        loss = ((h @ w3.T + b3 - t) ** 2).mean()
        loss.backward()
        with cr.no_grad():
            for p in params:
                p -= 0.05 * p.grad
                p.grad = None
        return loss

    return step


@pytest.mark.slow
def test_ten_thousand_training_steps_do_not_grow_memory() -> None:
    """Objects: no block growth from step 1,000 to 10,000. Bytes: none over a traced window.

    ``tracemalloc`` slows each step ~4x, so bytes are traced over steps 1,000-4,000 only; a leak
    of even one small object per step shows in the block count over the whole run.
    """
    step = _tiny_mlp_step()
    first = step().item()
    for _ in range(999):
        loss = step()
    gc.collect()
    blocks = sys.getallocatedblocks()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for _ in range(3000):
            loss = step()
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    for _ in range(6000):
        loss = step()
    last = loss.item()
    del loss
    gc.collect()
    new_blocks = sys.getallocatedblocks() - blocks
    assert last < first, "the model should have trained (sanity check of the step)"
    assert grown < 64 * 1024, f"traced memory grew by {grown} bytes over 3,000 steps"
    assert new_blocks < 200, f"{new_blocks} more memory blocks after step 10,000 than after step 1,000"


# --- (c) no reference cycles: reference counting alone frees the graph -----------------------------
def test_graph_is_freed_by_refcounting_after_backward() -> None:
    x = _leaf()
    w = cr.tensor(np.full(1000, 0.5, np.float32), requires_grad=True)
    with _gc_off():
        y = ((x * w + 1.0) * x - w) / 2.0
        nodes = [weakref.ref(n) for n in toposort([y.grad_fn])]
        assert len(nodes) >= 4
        y.backward(cr.ones_like(y))
        del y
        alive = [r() for r in nodes if r() is not None]
        assert not alive, f"graph nodes kept alive without gc (a reference cycle?): {alive}"
    assert x.grad is not None and w.grad is not None
    assert x.grad.grad_fn is None and x.grad.is_leaf


def test_graph_is_freed_by_refcounting_without_backward() -> None:
    x = _leaf()
    with _gc_off():
        y = (x * 2.0 + 1.0) * x
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None


def test_custom_function_saving_its_output_makes_no_cycle() -> None:
    class Exp(Function):
        @staticmethod
        def forward(ctx: Any, i: Any) -> Any:
            result = i * 1.5
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (result,) = ctx.saved_tensors
            return g * result / result * 1.5

    x = _leaf()
    with _gc_off():
        y = Exp.apply(x) * 2.0
        node = weakref.ref(y.grad_fn)
        inner = weakref.ref(toposort([y.grad_fn])[-1])
        y.backward(cr.ones_like(y))
        del y
        assert node() is None and inner() is None


def test_retain_grad_makes_no_cycle() -> None:
    x = _leaf()
    with _gc_off():
        h = x * 2.0
        h.retain_grad()
        y = h * 3.0
        node, h_node = weakref.ref(y.grad_fn), weakref.ref(h.grad_fn)
        y.backward(cr.ones_like(y))
        np.testing.assert_allclose(h.grad.numpy(), np.full(1000, 3.0, np.float32))
        del y, h
        assert node() is None and h_node() is None
