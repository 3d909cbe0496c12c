"""grad_fn.register_hook / register_prehook against PyTorch: what the hooks see, that what they return
replaces the gradients, that handles remove them, in first-order and recorded (create_graph) backward."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _run(lib, create_graph: bool = False):
    seen: list = []
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = a * b  # MulBackward: grad_inputs (ga, gb), grad_outputs (gy,)
    z = (y ** 2).sum()

    def pre(gouts):
        seen.append(("pre", [g.tolist() for g in gouts]))
        return (gouts[0] * 10,)

    def post(gins, gouts):
        seen.append(("post", [g.tolist() for g in gins], [g.tolist() for g in gouts]))
        return (gins[0] + 1, gins[1])

    h1 = y.grad_fn.register_prehook(pre)
    h2 = y.grad_fn.register_hook(post)
    ga, gb = lib.autograd.grad(z, (a, b), create_graph=create_graph)
    h1.remove(), h2.remove()
    ga2, _ = lib.autograd.grad((a * b).sum(), (a, b))
    return seen, ga.tolist(), gb.tolist(), ga2.tolist()


@pytest.mark.parametrize("create_graph", [False, True])
def test_node_hooks_as_torch(create_graph: bool) -> None:
    ours, theirs = _run(chainrule, create_graph), _run(torch, create_graph)
    assert ours[0] == theirs[0]  # the hooks saw the same gradients, in the same order
    np.testing.assert_allclose(ours[1], theirs[1]), np.testing.assert_allclose(ours[2], theirs[2])
    assert ours[3] == theirs[3] == [0.5, -1.0, 2.0]  # removed: plain gradients again


def test_node_hook_with_backward_and_leaf_grads() -> None:
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        y = x * 3
        calls = []
        y.grad_fn.register_hook(lambda gi, go: calls.append([None if g is None else g.tolist() for g in gi + go]))
        y.sum().backward()
        return calls, x.grad.tolist()

    assert run(chainrule) == run(torch) == ([[[3.0, 3.0], None, [1.0, 1.0]]], [3.0, 3.0])
