"""Memory after higher-order gradients and forward-mode AD: everything is freed, without cycles.

A ``create_graph=True`` backward records the backward pass as a second graph that refers to the first
(its saved values); a second backward through it must then free both, by reference counting alone.
Leaving a dual level must release every tangent it holds. "Freed" is asked with ``weakref.ref`` on
graph nodes, saved arrays and tensors, and "no cycle" by running with the collector off and checking
that ``gc.collect()`` afterwards finds nothing to collect.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

import chainrule as cr
import chainrule.autograd.forward_ad as fwAD
from chainrule.autograd.engine import toposort
from chainrule.nn import functional as F


@contextmanager
def _gc_off() -> Iterator[None]:
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _tensors() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is cr.Tensor)


def _graph_refs(*roots: Any, keep: tuple[Any, ...] = ()) -> tuple[list[weakref.ref], list[weakref.ref]]:
    """Weak references to every node behind ``roots`` and to every NumPy array those nodes saved
    (except the data of the tensors in ``keep``, which the test still holds)."""
    nodes = toposort([r.grad_fn for r in roots if r.grad_fn is not None])
    arrays = []
    for n in nodes:
        for s in n._saved or ():
            if isinstance(s, np.ndarray) and not any(np.shares_memory(s, k._data) for k in keep):
                arrays.append(weakref.ref(s))
    return [weakref.ref(n) for n in nodes], arrays


def _params() -> tuple[Any, Any, Any]:
    rng = np.random.default_rng(0)
    x = cr.tensor(rng.standard_normal((8, 5)), requires_grad=True)
    w = cr.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    b = cr.tensor(rng.standard_normal(4), requires_grad=True)
    return x, w, b


def _model(x: Any, w: Any, b: Any) -> Any:
    h = cr.tanh(F.linear(x, w, b))
    return F.cross_entropy(h * 3.0, cr.tensor([0, 1, 2, 3, 0, 1, 2, 3])) + (F.softplus(h) ** 2).mean()


def test_create_graph_backward_then_second_backward_frees_both_graphs() -> None:
    x, w, b = _params()
    with _gc_off():
        base = _tensors()
        y = _model(x, w, b)
        gx, gw = cr.autograd.grad(y, (x, w), create_graph=True)
        penalty = (gx**2).sum() + (gw**2).sum()  # a gradient penalty, as in WGAN-GP
        fwd_nodes, fwd_arrays = _graph_refs(y, keep=(x, w, b))
        bwd_nodes, bwd_arrays = _graph_refs(penalty, keep=(x, w, b))
        assert len(bwd_nodes) > len(fwd_nodes) > 5 and fwd_arrays and bwd_arrays
        penalty.backward()
        del y, gx, gw, penalty
        alive = [r() for r in fwd_nodes + bwd_nodes if r() is not None]
        assert not alive, f"graph nodes kept alive after the second backward: {alive[:5]}"
        assert not [r for r in fwd_arrays + bwd_arrays if r() is not None], "saved arrays kept alive"
        assert _tensors() == base + 3  # only the three .grad tensors are new
        assert gc.collect() == 0, "the graphs left reference cycles behind"
    assert x.grad.grad_fn is None and w.grad.grad_fn is None and b.grad is not None


def test_backward_create_graph_into_grad_then_backward_again_frees_everything() -> None:
    x, w, b = _params()
    with _gc_off():
        base = _tensors()
        _model(x, w, b).backward(create_graph=True)  # .grad now carries a graph
        nodes, arrays = _graph_refs(x.grad, w.grad, keep=(x, w, b))
        assert nodes and arrays
        (x.grad.sum() + w.grad.pow(2).sum()).backward(inputs=[b])
        gb = b.grad
        x.grad = w.grad = None
        b.grad = None
        del gb
        assert not [r for r in nodes if r() is not None]
        assert not [r for r in arrays if r() is not None]
        assert _tensors() == base
        assert gc.collect() == 0


def test_dual_level_exit_frees_tangents_and_graphs() -> None:
    x, w, b = _params()
    v = cr.tensor(np.ones((8, 5)))
    with _gc_off():
        base = _tensors()
        with fwAD.dual_level():
            level = fwAD._current[0]
            xd = fwAD.make_dual(x, v)
            y = _model(xd, w, b)  # x, w, b require grad: tangents are computed on recorded Tensors
            primal, tangent = fwAD.unpack_dual(y)
            t_ref = weakref.ref(tangent)
            nodes, arrays = _graph_refs(y, tangent, keep=(x, w, b, v))
            (tangent + primal).backward()  # reverse mode through the tangent
            held = len(level.tensors)
            del tangent, primal
        assert held >= 2 and not level.tensors and not level.nodes, "the level's tables were not emptied"
        del y, xd, level
        assert t_ref() is None
        assert not [r for r in nodes if r() is not None], "graph nodes outlived the dual level"
        assert not [r for r in arrays if r() is not None]
        assert _tensors() == base + 3  # x.grad, w.grad, b.grad
        assert gc.collect() == 0


def test_intermediate_tangents_die_with_their_tensors_inside_a_level() -> None:
    with _gc_off(), fwAD.dual_level():
        level = fwAD._current[0]
        x = fwAD.make_dual(cr.tensor(np.linspace(0, 1, 100)), cr.tensor(np.ones(100)))
        for _ in range(50):
            x = cr.sin(x) * 1.01 + 0.1  # each step's intermediates are dropped by reference counting
        assert len(level.tensors) <= 3
        assert fwAD.unpack_dual(x).tangent is not None


def test_forward_over_reverse_inside_a_level_frees_everything_on_exit() -> None:
    x, w, b = _params()
    with _gc_off():
        base = _tensors()
        with fwAD.dual_level():
            xd = fwAD.make_dual(x, cr.tensor(np.ones((8, 5))))
            (g,) = cr.autograd.grad(_model(xd, w, b), w, create_graph=True)  # ∂y/∂w with its tangent
            hvp = fwAD.unpack_dual(g).tangent  # ∂²y/∂w∂x · v
            nodes, arrays = _graph_refs(g, hvp, keep=(x, w, b))
            ref = weakref.ref(hvp)
            assert hvp.shape == (4, 5) and nodes
            del g, hvp, xd
        assert ref() is None
        assert not [r for r in nodes if r() is not None]
        assert not [r for r in arrays if r() is not None]
        assert _tensors() == base
        assert gc.collect() == 0
