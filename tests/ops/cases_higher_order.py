"""Op cases whose result is itself a gradient taken with ``create_graph=True`` (so it can be
differentiated again): they put the backward-only primitives (``ScatterZeros``, ``TakeAt``, which
index ops' recorded backward uses) in the graph and compare the recorded backward with PyTorch's."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

_ROWS = np.array([2, 0, 2, 1])


def _grad_of(loss):
    """d loss(a)/da, recorded (``create_graph=True``)."""

    def f(m, a):
        with m.enable_grad():  # finite differences evaluate cases under no_grad
            return m.autograd.grad(loss(m, a), a, create_graph=True)[0]

    return f


def _grad_of_grad_norm(loss):
    """d ‖d loss(a)/da‖² / da, recorded twice (a third-order graph under backward)."""

    def f(m, a):
        with m.enable_grad():
            (g,) = m.autograd.grad(loss(m, a), a, create_graph=True)
            return m.autograd.grad((g * g).sum(), a, create_graph=True)[0]

    return f


def _indexed_cubes(m, a):
    return (a[1:, ::2] ** 3).sum() + (a[m.tensor(_ROWS)] ** 3).sum()


CASES = [
    OpCase("grad_of_indexing", _grad_of(_indexed_cubes), [(3, 4)]),
    OpCase("grad_of_grad_norm_indexing", _grad_of_grad_norm(_indexed_cubes), [(3, 4)]),
    OpCase("grad_of_mlp_loss", _grad_of(lambda m, a: (m.tanh(a @ a.T) ** 2).mean()), [(3, 4)]),
]
