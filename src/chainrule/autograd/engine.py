"""The chain rule, in one loop.

Backward visits the graph's nodes in reverse topological order (found by an iterative DFS, so a
chain of 100,000 ops never meets Python's recursion limit). At each node it calls the op's local
vector-Jacobian product, then — here, once, for every op — sums broadcast gradients back to each
input's shape (*unbroadcast*), casts them to the input's dtype, and accumulates them into the
input's node or, for a leaf, into ``.grad``. Saved arrays are freed after use unless
``retain_graph=True``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _node_hooks
from . import function as _fn

__all__ = ["toposort", "run_backward", "unbroadcast"]


def toposort(roots: Sequence[Any]) -> list[Any]:
    """Nodes reachable from ``roots`` (graph nodes), each before every node it depends on."""
    order: list[Any] = []
    visited: set[Any] = set()  # nodes hash by identity
    # a node is pushed twice: first to expand it, then (under the marker ``None``) to emit it
    stack: list[Any] = list(roots)
    push, pop, done, seen = stack.append, stack.pop, order.append, visited.add
    while stack:
        node = pop()
        if node is None:
            done(pop())
            continue
        if node in visited:
            continue
        seen(node)
        push(node)
        push(None)
        for e in node._edges:
            if e is not None:
                pn = e[0]
                if pn is not None and pn not in visited:
                    push(pn)
    order.reverse()
    return order


def unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` down to ``shape``: the adjoint of broadcasting ``shape`` up to ``g.shape``."""
    lead = g.ndim - len(shape)
    if lead == 1 and shape and g.shape[1:] == shape:  # a bias-like input broadcast along a leading dim
        return _add_reduce(g, 0)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and g.shape[i + lead] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if lead:
        g = g.reshape(shape)
    if g.shape != shape:  # pragma: no cover - an op returned a gradient of the wrong shape
        raise RuntimeError(f"backward: gradient of shape {g.shape} cannot be summed to {shape}")
    return g


_add_reduce = np.add.reduce
_refcount = sys.getrefcount


def _add(acc: np.ndarray | None, g: np.ndarray) -> np.ndarray:
    return g if acc is None else acc + g  # out of place: ``acc`` may be an array another node holds


def run_backward(
    roots: Sequence[Any],
    root_grads: Sequence[np.ndarray],
    retain_graph: bool,
    inputs: Sequence[Any] | None = None,
) -> list[np.ndarray | None] | None:
    """Backpropagate ``root_grads`` from ``roots``.

    With ``inputs=None`` (``Tensor.backward``) gradients accumulate into leaves' ``.grad``;
    otherwise (``autograd.grad``) the gradients of ``inputs`` are returned and nothing accumulates.
    """
    Tensor = _fn.Tensor
    node_grads: dict[Any, list[Any]] = {}
    leaf_grads: dict[int, list[Any]] = {}  # id(leaf) -> [leaf, grad]
    capture: dict[tuple[int, int], int] = {}
    if inputs is not None:
        for k, t in enumerate(inputs):
            if t._grad_fn is not None:
                capture[(id(t._grad_fn), t._output_nr)] = k
    captured: list[np.ndarray | None] = [None] * (len(inputs) if inputs is not None else 0)

    for t, g in zip(roots, root_grads):
        node = t._grad_fn
        if node is None:
            entry = leaf_grads.setdefault(id(t), [t, None])
            entry[1] = _add(entry[1], g)
        else:
            grads = node_grads.setdefault(node, [None] * node._n_out)
            grads[t._output_nr] = _add(grads[t._output_nr], g)

    anomaly = _fn._anomaly[0]
    prof = _fn._profiler[0]
    pop = node_grads.pop
    get = node_grads.get
    for node in toposort([t._grad_fn for t in roots if t._grad_fn is not None]):
        grads = pop(node, None)
        if grads is None:
            continue
        if node._hooks:
            _run_node_hooks(node, grads)
        if capture:
            for nr, g in enumerate(grads):
                k = capture.get((id(node), nr))
                if k is not None:
                    captured[k] = g
        hooked = node._node_hooks
        if hooked is not None:
            grads = _node_hooks.run_prehooks(node, grads, _fn.Tensor._make, _array)
        cls = type(node)
        if prof is not None:
            event = prof.begin(node.name())
        if node._n_out > 1:
            if node.materialize_grads:
                # outputs nobody used still get a (zero) gradient, as PyTorch materializes them
                grads = [
                    np.zeros(shape, dtype) if g is None else g
                    for g, (shape, dtype) in zip(grads, node._out_meta)
                ]
            if cls._array_op:
                gin = cls.backward(node, *grads)
            else:
                gin = _fn.call_backward(node, grads)
        elif cls._array_op:  # chainrule's own ops: arrays in, arrays out
            gin = cls.backward(node, grads[0])
        else:
            gin = _fn.call_backward(node, grads)
        if prof is not None:
            prof.end(event)
        if type(gin) is not tuple:
            gin = (gin,)
        if hooked is not None:
            gin = _node_hooks.run_posthooks(node, gin, grads, _fn.Tensor._make, _array)
        if anomaly:
            _check_anomaly(node, gin)
        edges = node._edges
        if len(gin) != len(edges):
            raise RuntimeError(
                f"{node.name()}: function returned an incorrect number of gradients; "
                f"expected {len(edges)}, got {len(gin)}"
            )
        for e, g in zip(edges, gin):
            if e is None or g is None:
                continue
            pn, nr, p, shape, dtype = e
            if g.shape != shape:
                g = unbroadcast(g, shape)
            gd = g.dtype
            if gd is not dtype and gd != dtype:
                g = g.astype(dtype)
            if pn is None:
                entry = leaf_grads.get(id(p))
                if entry is None:
                    leaf_grads[id(p)] = [p, g]
                else:
                    entry[1] = _add(entry[1], g)
            else:
                pg = get(pn)
                if pg is None:
                    if pn._n_out == 1:
                        node_grads[pn] = [g]
                        continue
                    pg = node_grads[pn] = [None] * pn._n_out
                old = pg[nr]
                pg[nr] = g if old is None else old + g
        if not retain_graph and node._saved:
            node._saved = None

    if inputs is not None:
        for k, t in enumerate(inputs):
            if t._grad_fn is None:
                entry = leaf_grads.get(id(t))
                captured[k] = None if entry is None else entry[1]
        return captured
    grads = gin = g = e = None  # drop this frame's references: leaves may take arrays over
    _accumulate_leaves(Tensor, leaf_grads)
    return None


def _accumulate_leaves(Tensor: Any, leaf_grads: dict[int, list[Any]]) -> None:
    """Add each leaf's gradient into ``.grad``, never aliasing arrays across leaves."""
    seen: set[int] = set()
    for leaf, g in leaf_grads.values():
        if not leaf._requires_grad:
            continue
        if leaf._hooks:
            for hook in leaf._hooks:
                r = hook(Tensor._make(g))
                if r is not None:
                    g = r._data
        if type(g) is not np.ndarray:  # NumPy math on 0-d arrays returns scalars, which are read-only
            g = np.asarray(g)
        old = leaf._grad
        if old is None:
            if g.base is not None or id(g) in seen or not g.flags.writeable:
                # a view or a shared array: give the leaf its own, unless ``g`` is a contiguous
                # view that only this loop references, of an array nothing else references
                # (e.g. the transposed gradient of ``W`` in ``x @ W.T``): PyTorch "steals" those
                base = g.base
                if not (
                    type(base) is np.ndarray
                    and base.base is None
                    and id(g) not in seen
                    and g.flags.writeable
                    and g.flags.c_contiguous
                    and _refcount(base) == 2  # g's reference and the argument's
                    and _refcount(g) == 3  # the leaf_grads entry, the loop variable, the argument
                ):
                    g = g.copy()
            seen.add(id(g))
            leaf._grad = Tensor._make(g)
        else:
            od = old._data
            if od.shape == g.shape and od.dtype == g.dtype and od.flags.writeable:
                np.add(od, g, out=od)  # in place, as PyTorch accumulates
            else:
                old._data = np.asarray(od + g)
        for hook in leaf._post_hooks or ():
            hook(leaf)


def _array(g: Any) -> Any:
    """The array of a gradient a hook returned (a Tensor, or anything NumPy takes)."""
    return g._data if isinstance(g, _fn.Tensor) else np.asarray(g)


def _run_node_hooks(node: Any, grads: list[Any]) -> None:
    Tensor = _fn.Tensor
    for nr, hook in node._hooks:
        g = grads[nr]
        if g is None:
            continue
        r = hook(Tensor._make(g))
        if r is not None:
            grads[nr] = r._data


def _check_anomaly(node: Any, gin: tuple[Any, ...]) -> None:
    for i, g in enumerate(gin):
        if g is not None and g.dtype.kind == "f" and np.isnan(g).any():
            where = "".join(node._trace or ["(no forward trace: enable detect_anomaly before forward)"])
            raise RuntimeError(
                f"Function '{node.name()}' returned nan values in its {i}th output.\n"
                f"The forward call that created it:\n{where}"
            )
