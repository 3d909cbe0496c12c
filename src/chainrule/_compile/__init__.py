"""``chainrule.compile``: trace a model's forward once, then replay it as a single graph node.

PyTorch's ``torch.compile(model)`` turns Python-level graph building into compiled kernels;
chainrule's version removes the per-op Python bookkeeping instead. The first call for a given
input signature (shapes, dtypes, ``requires_grad``, grad mode, other arguments) runs eagerly while
recording every op; the second runs eagerly once more and checks that a replay gives the same
bits; later calls replay the recorded ops on arrays, and the whole forward becomes ONE autograd
node whose backward runs the ops' own ``backward`` in the eager engine's order. Results and
gradients are bit-identical to eager mode; small, overhead-bound models train about twice as fast.

Like ``torch.jit.trace`` (and CUDA graphs), a trace freezes Python control flow. chainrule makes
the rest safe: a call that draws random numbers (dropout while training), writes in place (e.g.
BatchNorm's running statistics while training), reads tensor values back into Python (``.item()``,
``if t.sum() > 0``), registers hooks on intermediates, or uses custom Python ``Function``s runs
eagerly (with one warning naming the reason; ``fullgraph=True`` raises instead). A new signature,
a module switched between train/eval, a parameter replaced or changed in shape or dtype, or a
module added or removed anywhere triggers a new trace. Up to ``cache_size_limit`` signatures are
kept per function (as ``torch._dynamo.config.cache_size_limit``), then calls run eagerly.
Tensors must be passed as top-level positional arguments (Tensors in keyword arguments run eagerly;
inside lists or tuples they would make every call a new signature); tracing records only the
calling thread's ops.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .._tensor import Tensor
from ..autograd import function as _fn
from ..nn import module as _module
from ..nn.module import Module
from .codegen import generate_guard
from .program import Program, Replay, ShapeChanged
from .trace import trace

__all__ = ["compile", "CompiledFunction", "OptimizedModule"]

_MISSING = object()


def compile(  # noqa: A001  (PyTorch's name)
    model: Any = None, *, fullgraph: bool = False, dynamic: Any = None, backend: Any = "inductor",
    mode: Any = None, options: Any = None, disable: bool = False,
) -> Any:
    """Trace-and-replay ``model`` (a Module or a function of Tensors); ``torch.compile``'s signature.

    ``dynamic``, ``backend``, ``mode`` and ``options`` are accepted and ignored; ``disable=True``
    returns ``model`` itself; ``fullgraph=True`` raises instead of running a call eagerly.
    Used bare or with arguments as a decorator: ``@chainrule.compile`` / ``@chainrule.compile()``.
    """
    if model is None:
        return lambda m: compile(m, fullgraph=fullgraph, disable=disable)
    if disable:
        return model
    if isinstance(model, Module):
        return OptimizedModule(model, fullgraph=fullgraph)
    if callable(model):
        return functools.update_wrapper(CompiledFunction(model, fullgraph=fullgraph), model)
    raise TypeError(f"compile: expected a Module or a function, got {type(model).__name__}")


class CompiledFunction:
    """A function of Tensors that replays its recorded ops (see the module docstring)."""

    cache_size_limit = 8
    retrace_limit = 64  # traces in a row after a guard failed (e.g. forward sets a module attribute)

    def __init__(self, fn: Callable[..., Any], fullgraph: bool = False, name: str | None = None) -> None:
        self.fn = fn
        self.fullgraph = fullgraph
        self.name = name or getattr(fn, "__qualname__", type(fn).__name__)
        self._cache: dict[Any, Program | None] = {}
        self.reasons: dict[Any, str] = {}  # why a signature runs eagerly
        self._warned: set[str] = set()
        self._retraces = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        tensors: list[Tensor] = []
        sig: list[Any] = [_fn._grad_state.enabled]
        for a in args:
            if isinstance(a, Tensor):
                d = a._data
                tensors.append(a)
                sig.append((d.shape, d.dtype, a._requires_grad))
            else:
                sig.append(a)
        if kwargs:
            if any(isinstance(v, Tensor) for v in kwargs.values()):
                return self._eager(None, "Tensors passed as keyword arguments", args, kwargs)
            sig.append(tuple(sorted(kwargs.items())))
        if _fn._anomaly[0]:
            return self.fn(*args, **kwargs)  # anomaly mode checks every op: eager
        try:
            key = tuple(sig)
            program = self._cache.get(key, _MISSING)
        except TypeError:
            return self._eager(None, "an argument that is not hashable", args, kwargs)
        if program is None:
            return self.fn(*args, **kwargs)
        if program is _MISSING:
            return self._trace(key, tensors, args, kwargs)
        if not program.guard():  # type: ignore[union-attr]
            if not _guards_hold(program):  # type: ignore[arg-type]
                self._retraces += 1
                if self._retraces > self.retrace_limit:
                    return self._eager(key, f"guards failed more than retrace_limit={self.retrace_limit} times "
                                       "(does forward assign module attributes?)", args, kwargs)
                return self._trace(key, tensors, args, kwargs)
            _refresh(program)  # type: ignore[arg-type]
        return self._replay(key, program, tensors, args, kwargs)  # type: ignore[arg-type]

    # --- the three ways a call runs --------------------------------------------------------------
    def _trace(self, key: Any, tensors: list[Tensor], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if key not in self._cache and len(self._cache) >= self.cache_size_limit:
            return self._eager(key, f"more than cache_size_limit={self.cache_size_limit} input signatures", args, kwargs)
        result, program, problem = trace(tensors, lambda: self.fn(*args, **kwargs))
        if program is None:
            self._eager(key, problem or "unsupported", None, None)
            return result
        program.build()
        program.structure = _module._structure[0]
        program.ext_sig = _signature(program.externals)
        program.train_sig = tuple([m.training for m in program.modules])
        program.guard = generate_guard(program, _module._structure)
        self._cache[key] = program
        return result

    def _replay(self, key: Any, program: Program, tensors: list[Tensor], args: Any, kwargs: Any) -> Any:
        expected = None
        if not program.verified:  # the first replay is checked against an eager run, bit for bit
            expected = self.fn(*args, **kwargs)
        try:
            out = Replay.run(program, tensors)
        except ShapeChanged as e:
            return self._eager(key, f"an op's output changed shape or dtype ({e})", args, kwargs)
        node = out._grad_fn if program.single else next((o._grad_fn for o in out if o._grad_fn is not None), None)
        if node is not None:
            node._saved = (node.__dict__.pop("ctxs"),)  # freed by the engine after backward
            if program.saved_inputs:
                inputs = (*tensors, *program.externals)
                cells = [inputs[k]._version_cell() for k in program.saved_inputs]
                node._versions = tuple([(c, c[0]) for c in cells])
        if expected is not None:
            if not _same(expected, out):
                self._eager(key, "a replay did not reproduce the eager result (a data-dependent op?)", None, None)
                return expected
            program.verified = True
        self._retraces = 0  # the limit is on guard failures in a row (train()/eval() each epoch is fine)
        return out

    def _eager(self, key: Any, why: str, args: Any, kwargs: Any) -> Any:
        """Run ``key``'s signature eagerly from now on, warning once per reason."""
        if key is not None:
            self._cache[key] = None
            self.reasons[key] = why
        message = f"chainrule.compile: {self.name} runs eagerly: {why}"
        if self.fullgraph:
            raise RuntimeError(message + " (fullgraph=True)")
        if why not in self._warned:
            self._warned.add(why)
            warnings.warn(message, stacklevel=4)
        return None if args is None else self.fn(*args, **(kwargs or {}))


def _signature(tensors: list[Tensor]) -> tuple[Any, ...]:
    return tuple([(t._data.shape, t._data.dtype, t._requires_grad) for t in tensors])


def _guards_hold(program: Program) -> bool:
    return (
        program.structure == _module._structure[0]
        and tuple([m.training for m in program.modules]) == program.train_sig
        and _signature(program.externals) == program.ext_sig
    )


def _refresh(program: Program) -> None:
    """The signatures hold but the fast guard did not: an external's array was swapped for another
    of the same shape and dtype (``p.data = ...``), or an external gained a history."""
    program.ext_arrays[:] = [t._data for t in program.externals]  # type: ignore[index]
    if program.ext_edges is not None and any(t._grad_fn is not None for t in program.externals):
        program.ext_edges = None  # edges are taken afresh at each call from now on
        program.guard = generate_guard(program, _module._structure)  # without the leaf checks


def _same(a: Any, b: Any) -> bool:
    a = (a,) if isinstance(a, Tensor) else tuple(a)
    b = (b,) if isinstance(b, Tensor) else tuple(b)
    return len(a) == len(b) and all(
        x._data.shape == y._data.shape and x._data.dtype == y._data.dtype
        and np.array_equal(x._data, y._data, equal_nan=x._data.dtype.kind in "fc")
        for x, y in zip(a, b)
    )  # fmt: skip


class OptimizedModule(Module):
    """``compile(module)``: the module, replayed; its state_dict keys start with ``_orig_mod.``, as torch's."""

    def __init__(self, mod: Module, fullgraph: bool = False) -> None:
        super().__init__()
        self._orig_mod = mod
        self.__dict__["_compiled"] = CompiledFunction(mod, fullgraph, name=type(mod).__name__)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.__dict__["_compiled"](*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            orig = self.__dict__.get("_modules", {}).get("_orig_mod")
            if orig is None:
                raise
            return getattr(orig, name)
