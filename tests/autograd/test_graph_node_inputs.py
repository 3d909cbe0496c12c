"""The inputs a graph node lists (``grad_fn.next_functions``) are PyTorch's, in PyTorch's order.

Tutorials walk ``d.grad_fn.next_functions[0][0].next_functions[0][0]...`` back to the leaf, so a scalar
operand written first (``2 * b``, ``1 + c``) must still come second, and ``a + b`` has two inputs, not three.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _shape(fn):
    """The graph under ``fn`` as nested tuples of node names (PyTorch's trailing digit dropped)."""
    if fn is None:
        return None
    name = type(fn).__name__ if not hasattr(fn, "name") else fn.name()
    return (name.rstrip("0123456789").split("::")[-1], tuple(_shape(f) for f, _ in fn.next_functions))


@pytest.mark.parametrize("expr", [
    lambda lib, a: 2 * lib.sin(a) + 1,
    lambda lib, a: 1 + 2 * a,
    lambda lib, a: a * 3 + a,
    lambda lib, a: 0.5 + (a * a) * 4.0,
    lambda lib, a: (a - 1) + (a * 2),
])
def test_next_functions_match_torch(expr):
    values = np.linspace(0.0, 2 * math.pi, 5, dtype=np.float32)
    ours = expr(cr, cr.tensor(values, requires_grad=True))
    theirs = expr(torch, torch.tensor(values, requires_grad=True))
    assert _shape(ours.grad_fn) == _shape(theirs.grad_fn)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)


def test_the_tutorial_walk_from_output_to_leaf():
    a = cr.linspace(0.0, 2.0 * math.pi, steps=25, requires_grad=True)
    d = 2 * cr.sin(a) + 1
    node = d.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0]
    assert node.name() == "AccumulateGrad" and node.variable is a and node.next_functions == ()


@pytest.mark.parametrize("op", ["add", "sub"])
def test_alpha_still_scales_the_second_gradient(op):
    values = np.array([0.5, -1.0, 2.0], np.float32)
    grads = []
    for lib in (cr, torch):
        x, y = lib.tensor(values, requires_grad=True), lib.tensor(values[::-1].copy(), requires_grad=True)
        getattr(lib, op)(x, y, alpha=2.5).pow(2).sum().backward()
        grads.append((x.grad.numpy(), y.grad.numpy()))
    for ours, theirs in zip(grads[0], grads[1]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
