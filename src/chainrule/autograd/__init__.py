"""Reverse-mode automatic differentiation: ``backward``, ``grad``, ``Function``, grad modes, checks."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import function as _function
from .anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .engine import run_backward
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import gradcheck, gradgradcheck
from .variable import Variable

__all__ = [
    "backward", "grad", "Function", "FunctionCtx", "once_differentiable", "no_grad", "enable_grad",
    "set_grad_enabled", "inference_mode", "is_grad_enabled", "gradcheck", "gradgradcheck",
    "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "functional", "forward_ad", "Variable",
]  # fmt: skip


def _as_list(x: Any) -> list[Any]:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _root_grads(op: str, outputs: list[Any], grad_outputs: list[Any] | None) -> list[np.ndarray]:
    Tensor = _function.Tensor
    grads = []
    for i, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            raise TypeError(f"{op}: expected Tensors as outputs, got {type(out).__name__}")
        if not out._requires_grad:
            raise RuntimeError(
                f"{op}: element {i} of tensors does not require grad and does not have a grad_fn. "
                "Did you compute it under no_grad(), or forget requires_grad=True on the inputs?"
            )
        g = None if grad_outputs is None or i >= len(grad_outputs) else grad_outputs[i]
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(
                    f"{op}: grad can be implicitly created only for scalar outputs; got an output "
                    f"of shape {list(out._data.shape)}. Pass gradient= (a tensor of that shape) "
                    "or reduce it first, e.g. loss.sum().backward()."
                )
            grads.append(np.ones_like(out._data))
        else:
            # a private copy: the user's tensor must never become (or alias) a leaf's .grad
            gd = np.array(g._data if isinstance(g, Tensor) else g, dtype=out._data.dtype)
            if gd.shape != out._data.shape:
                raise RuntimeError(
                    f"{op}: mismatch in shape: grad_output[{i}] has a shape of {list(gd.shape)} "
                    f"and output[{i}] has a shape of {list(out._data.shape)}"
                )
            grads.append(gd)
    return grads


def _graph_root_grads(outputs: list[Any], grads: list[np.ndarray], given: list[Any] | None) -> list[Any]:
    """Root gradients as Tensors for ``create_graph=True``: a given Tensor keeps its own graph."""
    Tensor = _function.Tensor
    out = []
    for i, g in enumerate(grads):
        user = None if given is None or i >= len(given) else given[i]
        if isinstance(user, Tensor) and user._requires_grad and user._data.dtype == g.dtype:
            out.append(user)
        else:
            out.append(Tensor._make(g))
    return out


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the graph's leaves.

    With ``create_graph=True`` the backward pass is itself recorded, so the accumulated ``.grad``
    can be differentiated again; ``retain_graph`` then defaults to True, as in PyTorch.
    """
    outputs = _as_list(tensors)
    given = None if grad_tensors is None else _as_list(grad_tensors)
    grads = _root_grads("backward", outputs, given)
    retain = bool(create_graph if retain_graph is None else retain_graph)
    if create_graph:
        from .graph_backward import run_backward_graph

        roots = _graph_root_grads(outputs, grads, given)
        if inputs is not None:
            wanted = _as_list(inputs)
            captured = run_backward_graph(outputs, roots, retain, inputs=wanted) or []
            for t, g in zip(wanted, captured):
                if g is not None:
                    t._grad = g if t._grad is None else t._grad + g
            return
        run_backward_graph(outputs, roots, retain)
        return
    if inputs is not None:
        wanted = _as_list(inputs)
        captured = run_backward(outputs, grads, retain, inputs=wanted)
        from .engine import _accumulate_leaves

        _accumulate_leaves(
            _function.Tensor,
            {id(t): [t, g] for t, g in zip(wanted, captured or []) if g is not None},
        )
        return
    run_backward(outputs, grads, retain)


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Any, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, returned (``.grad`` untouched).

    With ``create_graph=True`` the returned gradients carry a graph (the backward pass recorded),
    so they can be differentiated again; ``retain_graph`` then defaults to True, as in PyTorch.
    """
    if _function._vmap[0] is not None:  # inside vmap: differentiate the physical (batched) tensors
        from ..func._batching import batched_grad

        kw = dict(retain_graph=retain_graph, create_graph=create_graph, allow_unused=allow_unused)
        got = batched_grad(grad, outputs, inputs, grad_outputs, materialize_grads=materialize_grads, **kw)
        if got is not NotImplemented:
            return got
    Tensor = _function.Tensor
    outs = _as_list(outputs)
    ins = _as_list(inputs)
    for i, t in enumerate(ins):
        if not isinstance(t, Tensor) or not t._requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad; every input must require grad")
    given = None if grad_outputs is None else _as_list(grad_outputs)
    grads = _root_grads("grad", outs, given)
    retain = bool(create_graph if retain_graph is None else retain_graph)
    if create_graph:
        from .graph_backward import _unbroadcast, run_backward_graph

        captured = run_backward_graph(outs, _graph_root_grads(outs, grads, given), retain, inputs=ins) or []
        return _collect(ins, captured, allow_unused, materialize_grads, _unbroadcast)
    captured = run_backward(outs, grads, retain, inputs=ins) or []
    result = []
    for i, (t, g) in enumerate(zip(ins, captured)):
        if g is None:
            if materialize_grads:
                result.append(Tensor._make(np.zeros_like(t._data)))
                continue
            if not allow_unused:
                raise RuntimeError(
                    f"grad: one of the differentiated Tensors (input {i}) appears to not have been "
                    "used in the graph. Set allow_unused=True if this is the desired behavior."
                )
            result.append(None)
        else:
            if g.shape != t._data.shape:
                from .engine import unbroadcast

                g = unbroadcast(g, t._data.shape)
            if type(g) is not np.ndarray:  # a NumPy scalar (math on 0-d arrays): a writable 0-d array
                g = np.asarray(g)
            result.append(Tensor._make(g if g.base is None else g.copy()))
    return tuple(result)


def _collect(ins: list[Any], captured: list[Any], allow_unused: Any, materialize: bool, unbroadcast: Any) -> tuple:
    """``grad``'s results under ``create_graph``: Tensors with their graph, shaped as the inputs."""
    Tensor = _function.Tensor
    result = []
    for i, (t, g) in enumerate(zip(ins, captured)):
        if g is None:
            if materialize:
                result.append(Tensor._make(np.zeros_like(t._data)))
                continue
            if not allow_unused:
                raise RuntimeError(
                    f"grad: one of the differentiated Tensors (input {i}) appears to not have been "
                    "used in the graph. Set allow_unused=True if this is the desired behavior."
                )
            result.append(None)
        else:
            result.append(g if g._data.shape == t._data.shape else unbroadcast(g, t._data.shape))
    return tuple(result)


def __getattr__(name: str) -> Any:
    """``autograd.functional`` (jacobian, hessian, vjp, jvp, hvp, vhp), ``autograd.forward_ad`` (dual
    tensors) and ``autograd.profiler`` are imported on first use."""
    if name in ("functional", "forward_ad", "profiler"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
