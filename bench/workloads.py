"""Benchmark workloads, each written once against the PyTorch API.

A workload is ``make(lib, batch) -> step``: ``lib`` is the module ``chainrule`` or ``torch``, and
``step()`` runs one iteration (forward, backward, parameter update) and returns the loss tensor.
Weights and data come from a seeded NumPy generator and enter through ``lib.tensor``, so both
libraries start from the same numbers; the runner checks that their first losses agree before it
reports any timing. Data is made once, outside ``step``: data loading is not what is measured.

To add a workload, write ``make`` and stack one ``@register(...)`` per batch size to time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Workload", "WORKLOADS", "register"]

Step = Callable[[], Any]


@dataclass(frozen=True)
class Workload:
    name: str
    make: Callable[[Any, int], Step]
    batch: int
    about: str
    rtol: float = 1e-4  # how closely the two libraries' first losses must agree


WORKLOADS: dict[str, Workload] = {}


def register(name: str, batch: int, about: str, rtol: float = 1e-4) -> Callable[[Any], Any]:
    """Add ``make`` to ``WORKLOADS`` under ``name``, timed at ``batch``."""

    def deco(make: Callable[[Any, int], Step]) -> Callable[[Any, int], Step]:
        if name in WORKLOADS:
            raise ValueError(f"register: workload {name!r} is already registered")
        WORKLOADS[name] = Workload(name, make, batch, about, rtol)
        return make

    return deco


# --- shared pieces (PyTorch API only) --------------------------------------------------------------
def _rng() -> np.random.Generator:
    return np.random.default_rng(0)


def linear_params(lib: Any, rng: np.random.Generator, sizes: Sequence[int]) -> list[Any]:
    """[W1, b1, W2, b2, ...] with PyTorch's default Linear init U(±1/√fan_in), float32."""
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        w = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
        b = rng.uniform(-bound, bound, (fan_out,)).astype(np.float32)
        params += [lib.tensor(w, requires_grad=True), lib.tensor(b, requires_grad=True)]
    return params


def mlp(x: Any, params: Sequence[Any], act: Callable[[Any], Any]) -> Any:
    """x → (x Wᵀ + b) with ``act`` between layers (none after the last)."""
    n = len(params) // 2
    for i in range(n):
        x = x @ params[2 * i].T + params[2 * i + 1]
        if i < n - 1:
            x = act(x)
    return x


def sgd(lib: Any, params: Sequence[Any], lr: float) -> None:
    """Plain SGD, in place, then ``grad = None`` (what ``zero_grad(set_to_none=True)`` does)."""
    with lib.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None


# --- workloads --------------------------------------------------------------------------------------
@register(
    "elementwise_chain", 32,
    "999 small elementwise ops (x·0.9, +c, tanh, repeated) on a (32, 32) float32 tensor, "
    "then sum().backward(): per-op overhead",
)  # fmt: skip
def elementwise_chain(lib: Any, batch: int) -> Step:
    rng = _rng()
    x = lib.tensor(rng.standard_normal((batch, 32)).astype(np.float32), requires_grad=True)
    c = lib.tensor(rng.uniform(-0.1, 0.1, (32,)).astype(np.float32))

    def step() -> Any:
        h = x
        for _ in range(333):
            h = h * 0.9
            h = h + c
            h = h.tanh()
        loss = h.sum()
        loss.backward()
        x.grad = None
        return loss

    return step


@register(
    "mlp_step", 128,
    "784-256-128-10 ReLU MLP, log_softmax + NLL (gather), backward, SGD update",
)  # fmt: skip
def mlp_step(lib: Any, batch: int) -> Step:
    rng = _rng()
    params = linear_params(lib, rng, (784, 256, 128, 10))
    x = lib.tensor(rng.standard_normal((batch, 784)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, (batch, 1), dtype=np.int64))

    def step() -> Any:
        logits = mlp(x, params, lambda h: h.relu())
        loss = -logits.log_softmax(dim=1).gather(1, y).mean()
        loss.backward()
        sgd(lib, params, 0.01)
        return loss

    return step


@register("tiny_mlp", 32, "2-16-16-1 tanh MLP, MSE loss, backward, SGD update: overhead-bound")
def tiny_mlp(lib: Any, batch: int) -> Step:
    rng = _rng()
    params = linear_params(lib, rng, (2, 16, 16, 1))
    xs = rng.uniform(-1, 1, (batch, 2)).astype(np.float32)
    x = lib.tensor(xs)
    t = lib.tensor((np.sin(3 * xs[:, :1]) * xs[:, 1:]).astype(np.float32))

    def step() -> Any:
        out = mlp(x, params, lambda h: h.tanh())
        loss = ((out - t) ** 2).mean()
        loss.backward()
        sgd(lib, params, 0.1)
        return loss

    return step
