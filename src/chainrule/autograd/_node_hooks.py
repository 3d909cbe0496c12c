"""Hooks on graph nodes (``grad_fn.register_hook`` / ``register_prehook``), run by both backward engines:
a pre-hook sees the gradients a node receives and may replace them; a hook sees what its backward returned
(and what it received) and may replace the returned gradients."""

from __future__ import annotations

from typing import Any

__all__: list[str] = []


def add_node_hook(node: Any, kind: int, fn: Any) -> Any:
    """Register ``fn`` as a pre-hook (kind 0) or hook (kind 1) of ``node``; the removable handle."""
    from .._tensor import _RemovableHandle

    if node._node_hooks is None:
        node._node_hooks = ([], [])
    hooks = node._node_hooks[kind]
    hooks.append(fn)
    return _RemovableHandle(hooks, fn)


def run_prehooks(node: Any, grads: list[Any], wrap: Any, unwrap: Any) -> list[Any]:
    """``grads`` (the node's incoming gradients) after its pre-hooks; ``wrap``/``unwrap`` convert between
    the engine's values and the Tensors the hooks see."""
    for fn in node._node_hooks[0]:  # type: ignore[index]
        r = fn(tuple(None if g is None else wrap(g) for g in grads))
        if r is not None:
            grads = [None if g is None else unwrap(g) for g in r]
    return grads


def run_posthooks(node: Any, gin: tuple[Any, ...], grads: list[Any], wrap: Any, unwrap: Any) -> tuple:
    """``gin`` (the gradients the node's backward returned) after its hooks ``fn(grad_inputs, grad_outputs)``."""
    outs = tuple(None if g is None else wrap(g) for g in grads)
    for fn in node._node_hooks[1]:  # type: ignore[index]
        r = fn(tuple(None if g is None else wrap(g) for g in gin), outs)
        if r is not None:
            gin = tuple(None if g is None else unwrap(g) for g in r)
    return gin
