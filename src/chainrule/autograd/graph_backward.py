"""The chain rule, recorded: backward with ``create_graph=True``.

The same reverse topological walk as ``engine.run_backward``, but every gradient is a Tensor and
every step — each op's vector-Jacobian product, the unbroadcasting sums, the dtype casts and the
accumulation of gradients — is a recorded chainrule op, so the gradients themselves have a graph and
can be differentiated again, to any order.

Each op's ``backward`` is the one its first-order path runs: the engine hands the context the
Tensor namespace (``ctx.xp``) instead of NumPy, and reconnects each saved array to the graph (an
input becomes the Tensor it was taken from, an output the Tensor this node produced). Built-in ops
that do not yet have a recordable backward (``_graph_backward = False``) raise a RuntimeError that
names the op: a wrong second derivative is never returned silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _node_hooks
from . import function as _fn
from .engine import toposort
from .grad_mode import state as _grad_state

__all__ = ["run_backward_graph"]


def _graph_tensor(data: np.ndarray, fn: Any, nr: int) -> Any:
    """A Tensor standing for output ``nr`` of node ``fn`` (holding ``data``)."""
    t = _fn._wrap(data)
    t._requires_grad = True
    t._grad_fn = fn
    t._output_nr = nr
    if _fn._fw_on[0]:  # forward-over-reverse: the re-created output keeps its tangent
        from .forward_ad import _inherit

        _inherit(t, fn, nr)
    return t


def _reconnect(node: Any, value: Any, k: int) -> Any:
    """A saved value as backward under ``create_graph`` sees it: connected to the graph when it is an
    input (k ≥ 0) or an output (k ≤ −2) of ``node`` that carries gradient, else left as it is."""
    if k == -1 or value is None:
        return value
    arr = value._data if isinstance(value, _fn.Tensor) else value
    if k >= 0:
        e = node._edges[k] if k < len(node._edges) else None
        if e is None:  # an input that needs no gradient: a constant Tensor (operators work on it)
            return value if isinstance(value, _fn.Tensor) else _const(arr)
        fn, nr, t = e[0], e[1], e[2]
        if t is not None and t._data is arr:
            return t
        if fn is None:  # a leaf held elsewhere: only its array was saved
            return t if t is not None else value
        return _graph_tensor(arr, fn, nr)
    j = -2 - k
    meta = getattr(node, "_out_meta", None)
    if meta is not None and j < len(meta) and np.dtype(meta[j][1]).kind != "f":
        return value
    if arr.dtype.kind != "f":
        return value
    return _graph_tensor(arr, node, j)


def _call_backward(node: Any, grads: list[Any]) -> tuple[Any, ...]:
    """Run ``node.backward`` on Tensors, recording it; returns a tuple of Tensors/None."""
    cls = type(node)
    Tensor = _fn.Tensor
    if cls._array_op and not cls._graph_backward:
        raise RuntimeError(
            f"{node.name()}: double backward (create_graph=True) is not implemented for this op yet; "
            "its backward runs on NumPy arrays only, so the gradient it returns could not be "
            "differentiated again. Use a composition of other ops, or first-order gradients."
        )
    if getattr(node, "_composite_args", None) is not None:
        return _composite_vjp(node, grads)
    saved = node._saved
    _ = node.saved_tensors  # the usual errors: graph already freed, or a saved value changed in place
    src = node._saved_src
    if saved:
        tens = tuple(
            _reconnect(node, s, src[i] if i < len(src) else -1) for i, s in enumerate(saved)
        )
    else:
        tens = saved
    node._saved = tens
    if cls._array_op:
        from ..ops._xp import tensor_xp

        node.xp = tensor_xp
    try:
        gin = cls.backward(node, *grads)
    finally:
        node._saved = saved
        if cls._array_op:
            del node.xp
    if type(gin) is not tuple:
        gin = (gin,)
    if cls._array_op:
        return tuple(g if g is None or isinstance(g, Tensor) else _const(g) for g in gin)
    n = len(node._edges)
    if len(gin) > n and all(g is None for g in gin[n:]):
        gin = gin[:n]
    if len(gin) != n:
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients (expected {n}, got {len(gin)})"
        )
    out = []
    for i, (g, shape) in enumerate(zip(gin, node._in_meta)):
        if g is not None:
            g = g if isinstance(g, Tensor) else _const(g)
            if shape is not None and g._data.shape != shape and not _fn._sums_to(g._data.shape, shape):
                raise RuntimeError(
                    f"Function {node.name()} returned an invalid gradient at index {i} - got "
                    f"{list(g._data.shape)} but expected shape compatible with {list(shape)}"
                )
        out.append(g)
    return tuple(out)


def _composite_vjp(node: Any, grads: list[Any]) -> tuple[Any, ...]:
    """A fused op's VJP, recorded: its forward re-built from primitives (``cls.composite``) and
    differentiated with ``create_graph=True`` (for fused kernels without a sensible recorded form)."""
    from . import grad as autograd_grad

    args = node._composite_args
    outs = type(node).composite(node, *args)
    outs = outs if type(outs) is tuple else (outs,)
    wanted = [k for k, e in enumerate(node._edges) if e is not None]
    pairs = [(o, g) for o, g in zip(outs, grads) if g is not None and o._requires_grad]
    gin: list[Any] = [None] * len(node._edges)
    if not pairs or not wanted:
        return tuple(gin)
    res = autograd_grad(
        [o for o, _ in pairs], [args[k] for k in wanted], [g for _, g in pairs],
        create_graph=True, allow_unused=True,
    )
    for k, g in zip(wanted, res):
        gin[k] = g
    return tuple(gin)


def _const(a: Any) -> Any:
    return _fn.Tensor._make(np.asarray(a))


def _unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum Tensor ``g`` down to ``shape`` (recorded): the adjoint of broadcasting."""
    from ..ops._xp import tensor_xp as xp

    gs = g._data.shape
    lead = len(gs) - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and gs[i + lead] != 1)
    if axes:
        g = xp.sum(g, axis=axes, keepdims=True)
    if g._data.shape != shape:
        g = xp.reshape(g, shape)
    return g


def _cast(g: Any, dtype: np.dtype) -> Any:
    from .. import _dtype
    from ..ops.copy import cast

    return cast(g, _dtype.from_numpy_dtype(dtype))


def _needed(order: list[Any], inputs: Sequence[Any]) -> set[Any]:
    """The nodes whose backward leads to one of ``inputs`` (``grad(..., inputs=...)`` runs no other)."""
    target_nodes = {id(t._grad_fn) for t in inputs if t._grad_fn is not None}
    target_leaves = {id(t) for t in inputs if t._grad_fn is None}
    needed: set[Any] = set()
    for node in reversed(order):  # dependencies first
        for e in node._edges:
            if e is None:
                continue
            pn = e[0]
            if (pn is None and id(e[2]) in target_leaves) or (
                pn is not None and (pn in needed or id(pn) in target_nodes)
            ):
                needed.add(node)
                break
    return needed


def run_backward_graph(
    roots: Sequence[Any],
    root_grads: Sequence[Any],
    retain_graph: bool,
    inputs: Sequence[Any] | None = None,
) -> list[Any] | None:
    """Backpropagate Tensor ``root_grads`` from ``roots``, recording every step as a graph.

    With ``inputs=None`` the gradients accumulate (out of place, as PyTorch under create_graph)
    into the leaves' ``.grad``; otherwise the gradients of ``inputs`` are returned.
    """
    Tensor = _fn.Tensor
    prev = _grad_state.enabled
    _grad_state.enabled = True
    try:
        return _walk(Tensor, roots, root_grads, retain_graph, inputs)
    finally:
        _grad_state.enabled = prev


def _walk(Tensor: Any, roots: Any, root_grads: Any, retain_graph: bool, inputs: Any) -> Any:
    node_grads: dict[Any, list[Any]] = {}
    leaf_grads: dict[int, list[Any]] = {}
    capture: dict[tuple[int, int], int] = {}
    if inputs is not None:
        for k, t in enumerate(inputs):
            if t._grad_fn is not None:
                capture[(id(t._grad_fn), t._output_nr)] = k
    captured: list[Any] = [None] * (len(inputs) if inputs is not None else 0)

    def add(acc: Any, g: Any) -> Any:
        return g if acc is None else acc + g

    for t, g in zip(roots, root_grads):
        node = t._grad_fn
        if node is None:
            entry = leaf_grads.setdefault(id(t), [t, None])
            entry[1] = add(entry[1], g)
        else:
            grads = node_grads.setdefault(node, [None] * node._n_out)
            grads[t._output_nr] = add(grads[t._output_nr], g)

    anomaly = _fn._anomaly[0]
    order = toposort([t._grad_fn for t in roots if t._grad_fn is not None])
    needed = None if inputs is None else _needed(order, inputs)
    for node in order:
        grads = node_grads.pop(node, None)
        if grads is None:
            continue
        if node._hooks:
            for nr, hook in node._hooks:
                if grads[nr] is not None:
                    r = hook(grads[nr])
                    if r is not None:
                        grads[nr] = r
        if capture:
            for nr, g in enumerate(grads):
                k = capture.get((id(node), nr))
                if k is not None:
                    captured[k] = g
        if needed is not None and node not in needed:
            continue  # no input of interest lies behind this node: skip its backward
        if node._n_out > 1 and node.materialize_grads:
            grads = [
                _const(np.zeros(shape, dtype)) if g is None else g
                for g, (shape, dtype) in zip(grads, node._out_meta)
            ]
        hooked = node._node_hooks
        if hooked is not None:
            grads = _node_hooks.run_prehooks(node, grads, _same, _same)
        prof = _fn._profiler[0]
        if prof is not None:
            event = prof.begin(node.name())
        gin = _call_backward(node, grads)
        if prof is not None:
            prof.end(event)
        if hooked is not None:
            gin = _node_hooks.run_posthooks(node, tuple(gin), grads, _same, _same)
        if anomaly:
            from .engine import _check_anomaly

            _check_anomaly(node, tuple(None if g is None else g._data for g in gin))
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
            if g._data.shape != shape:
                g = _unbroadcast(g, shape)
            if g._data.dtype != dtype:
                g = _cast(g, dtype)
            if pn is None:
                entry = leaf_grads.get(id(p))
                if entry is None:
                    leaf_grads[id(p)] = [p, g]
                else:
                    entry[1] = entry[1] + g
            else:
                pg = node_grads.get(pn)
                if pg is None:
                    pg = node_grads[pn] = [None] * pn._n_out
                pg[nr] = add(pg[nr], g)
        if not retain_graph and node._saved:
            node._saved = None

    if inputs is not None:
        for k, t in enumerate(inputs):
            if t._grad_fn is None:
                entry = leaf_grads.get(id(t))
                captured[k] = None if entry is None else entry[1]
        return captured
    for leaf, g in leaf_grads.values():
        if not leaf._requires_grad:
            continue
        for hook in leaf._hooks or ():
            r = hook(g)
            if r is not None:
                g = r
        old = leaf._grad
        leaf._grad = g if old is None else old + g  # out of place: both may be part of a graph
        for hook in leaf._post_hooks or ():
            hook(leaf)
    return None


def _same(g: Any) -> Any:
    """Gradients are Tensors already when the backward is recorded."""
    return g
