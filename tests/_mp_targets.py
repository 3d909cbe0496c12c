"""Process targets for the chainrule.multiprocessing tests, importable so 'spawn' children can load them."""

from __future__ import annotations

import gc
import os

import numpy as np

import chainrule


def add_one(t: chainrule.Tensor) -> None:
    """Add 1 to ``t`` in place."""
    t.add_(1)


def add_from_queue(q) -> None:
    """Take a tensor from ``q`` and add 10 to it in place."""
    t = q.get()
    t.add_(10)


def write_rank(i: int, t: chainrule.Tensor) -> None:
    """spawn target: slot ``i`` of ``t`` becomes ``i + 1``."""
    t[i] = float(i + 1)


def views_outlive_each_other(views: list) -> None:
    """Two views of one shared tensor: the second keeps its descriptor after the first is gone, and writes."""
    from chainrule.multiprocessing._shared import _root

    first = views.pop(0)
    second = views.pop(0)
    fd = _root(second._data).fd
    del first
    gc.collect()
    os.fstat(fd)  # still open: the descriptor is the second view's too (EBADF here if the first closed it)
    second.add_(10)


def fail_on_one(i: int) -> None:
    """spawn target: rank 1 raises."""
    if i == 1:
        raise ZeroDivisionError(f"rank {i} divided by zero")


def exit_three(i: int) -> None:
    """spawn target: every rank exits with status 3."""
    os._exit(3)


def batches(seed: int, n: int = 5):
    """``n`` regression batches from a NumPy seed (x: 8x4, y: 8x2)."""
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((8, 4)).astype(np.float32), rng.standard_normal((8, 2)).astype(np.float32))
            for _ in range(n)]


def train(model: chainrule.nn.Module, seed: int) -> None:
    """Hogwild worker: SGD on ``model``'s (shared) parameters with this worker's batches."""
    opt = chainrule.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for x, y in batches(seed):
        opt.zero_grad()
        chainrule.nn.functional.mse_loss(model(chainrule.tensor(x)), chainrule.tensor(y)).backward()
        opt.step()
