"""Recording a forward pass: public entry points are patched for the duration of one export only.

``tracing(graph, model)`` swaps ``chainrule.<op>``, ``chainrule.ops.<op>``, ``chainrule.nn.functional.<fn>``
(and the same function objects imported into ``chainrule.nn.modules.*`` and into the model's own
modules), a few Tensor methods, the in-place helper and ``Module.__call__`` for wrappers, and puts
everything back on exit. Outside an export nothing is patched, so normal execution pays nothing.

A wrapper runs the real operation (so shapes and values stay exact) and, when one of its arguments
is traced and it is the outermost recorded call, asks the op's handler for the ONNX nodes.
Operations with no handler that turn a traced tensor into a new tensor raise
``UnsupportedOperatorError``.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
import types
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from .._tensor import Tensor
from ._errors import TracerWarning, UnsupportedOperatorError
from ._graph import Graph

__all__ = ["HANDLERS", "register", "tracing"]

Handler = Callable[[Graph, dict[str, Any], Any], Any]
HANDLERS: dict[str, Handler] = {}


def register(*keys: str, eval_kwargs: dict[str, Any] | None = None) -> Callable[[Handler], Handler]:
    """Register a handler for ``"ops.<name>"``, ``"F.<name>"`` or ``"Tensor.<name>"``.

    ``eval_kwargs`` are forced on the real call during export (e.g. ``training=False`` for dropout),
    so the traced values match the exported inference graph.
    """

    def deco(fn: Handler) -> Handler:
        fn.eval_kwargs = eval_kwargs  # type: ignore[attr-defined]
        for k in keys:
            HANDLERS[k] = fn
        return fn

    return deco


class _State:
    graph: Graph | None = None
    depth = 0


STATE = _State()


def _traced_in(g: Graph, args: Any, kwargs: dict[str, Any]) -> bool:
    names = g.names
    for a in (*args, *kwargs.values()):
        if isinstance(a, Tensor):
            if id(a) in names:
                return True
        elif isinstance(a, (list, tuple)):
            for b in a:
                if isinstance(b, Tensor) and id(b) in names:
                    return True
    return False


def _traced_tensors(g: Graph, args: Any, kwargs: dict[str, Any]) -> list[Tensor]:
    found = []
    for a in (*args, *kwargs.values()):
        for b in a if isinstance(a, (list, tuple)) else (a,):
            if isinstance(b, Tensor) and id(b) in g.names:
                found.append(b)
    return found


def _has_tensor(out: Any) -> bool:
    if isinstance(out, Tensor):
        return True
    return isinstance(out, (list, tuple)) and any(isinstance(o, Tensor) for o in out)


def _bind_args(sig: inspect.Signature | None, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
    if sig is None:
        return {"input": args[0], "args": args[1:], **kwargs}
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    a = dict(bound.arguments)
    if "self" in a:
        a["input"] = a.pop("self")
    for p in sig.parameters.values():  # **kwargs catch-alls are spread out
        if p.kind is p.VAR_KEYWORD:
            a.update(a.pop(p.name, {}))
    return a


def _bind_out(g: Graph, out: Any, names: Any) -> None:
    if isinstance(out, Tensor):
        g.bind(out, names if isinstance(names, str) else names[0])
        return
    for o, n in zip(out, names):
        if isinstance(o, Tensor) and n is not None:
            g.bind(o, n)


def _wrap(orig: Callable[..., Any], key: str) -> Callable[..., Any]:
    handler = HANDLERS.get(key)
    try:
        sig: inspect.Signature | None = inspect.signature(orig)
    except (TypeError, ValueError):
        sig = None
    op_name = key.split(".", 1)[1]

    @functools.wraps(orig)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g = STATE.graph
        if g is None or STATE.depth or not _traced_in(g, args, kwargs):
            return orig(*args, **kwargs)
        a = _bind_args(sig, args, kwargs) if handler is not None else {}
        a["_name"] = op_name
        forced = getattr(handler, "eval_kwargs", None)
        before = [(t, t._version) for t in _traced_tensors(g, args, kwargs)]
        STATE.depth += 1
        try:
            if forced and sig is not None:
                call = {k: v for k, v in a.items() if k in sig.parameters}
                out = orig(**{**call, **forced})
            else:
                out = orig(*args, **kwargs)
        finally:
            STATE.depth -= 1
        if not _has_tensor(out):  # x.size(), x.type(), x.tolist() ...: plain values, nothing to record
            return out
        if handler is None:
            raise UnsupportedOperatorError(op_name)
        written = [t for t, v in before if t._version != v]  # inplace=True: the op read the old value
        for t in written:
            g.accept_version(t)
        _bind_out(g, out, handler(g, a, out))
        results = out if isinstance(out, (tuple, list)) else (out,)
        if any(all(t is not o for o in results) for t in written):
            raise UnsupportedOperatorError(op_name, "it writes into an argument that is not its result")
        return out

    wrapper.__chainrule_onnx_orig__ = orig  # type: ignore[attr-defined]
    return wrapper


def _wrap_inplace(orig: Callable[..., Any]) -> Callable[..., Any]:
    """``x.add_(y)``, ``x += y`` ...: record the out-of-place op, write its value into ``x``, rebind ``x``."""
    from .. import _tensor_methods as tm

    def _inplace(t: Any, name: str, op: Any, *args: Any, **kwargs: Any) -> Any:
        g = STATE.graph
        if g is None or STATE.depth or not _traced_in(g, (t, *args), kwargs):
            return orig(t, name, op, *args, **kwargs)
        if t._grad_fn is not None and getattr(t._grad_fn, "_is_view", False):
            raise UnsupportedOperatorError(name, "an in-place operation on a view of a traced tensor")
        before = g.bound
        result = op(t, *args, **kwargs)
        if g.bound == before or g.names.get(id(result)) is None:
            raise UnsupportedOperatorError(name)
        tm._write(t, name, result._data)
        g.bind(t, g.names[id(result)])
        return t

    return _inplace


def _warn_on_python_value(orig: Callable[..., Any], name: str) -> Callable[..., Any]:
    """``x.item()``, ``bool(x)`` ... on a traced tensor: allowed, but the value is frozen into the graph."""

    @functools.wraps(orig)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        g = STATE.graph
        if g is not None and not STATE.depth and id(self) in g.names:
            warnings.warn(
                f"chainrule.onnx.export: Tensor.{name} turned a traced tensor of shape {list(self.shape)} into a "
                "Python value; the exported graph keeps the value of this trace (control flow and sizes that "
                "depend on it will not follow other inputs)",
                TracerWarning,
                stacklevel=2,
            )
        return orig(self, *args, **kwargs)

    return method


_LIKE = ("zeros_like", "ones_like", "full_like", "empty_like", "rand_like", "randn_like", "randint_like")
_PYTHON_VALUE = ("item", "tolist", "numpy", "__bool__", "__float__", "__int__", "__index__")


def _wrap_property(prop: property, key: str) -> property:
    getter = _wrap(prop.fget, key)  # type: ignore[arg-type]
    return property(getter)


def _patch(undo: list[tuple[Any, str, bool, Any]], obj: Any, name: str, new: Any) -> None:
    own = name in vars(obj)
    undo.append((obj, name, own, vars(obj).get(name)))
    setattr(obj, name, new)


def _patch_static_methods(undo: list[tuple[Any, str, bool, Any]], cls: type, wrapped: dict[int, Any]) -> None:
    for name, attr in list(vars(cls).items()):
        if isinstance(attr, staticmethod) and id(attr.__func__) in wrapped:
            _patch(undo, cls, name, staticmethod(wrapped[id(attr.__func__)]))


def _module_call(orig_call: Callable[..., Any], wrapped: dict[int, Any]) -> Callable[..., Any]:
    """``Module.__call__`` that also swaps function attributes (``self.activation = F.relu``) for wrappers."""

    def __call__(self: Any, *args: Any, **kwargs: Any) -> Any:
        d = self.__dict__
        swap = [(k, v) for k, v in d.items() if isinstance(v, types.FunctionType) and id(v) in wrapped]
        for k, v in swap:
            d[k] = wrapped[id(v)]
        try:
            return orig_call(self, *args, **kwargs)
        finally:
            for k, v in swap:
                d[k] = v

    return __call__


_TENSOR_METHODS = {
    "to": "cast", "type": "cast", "type_as": "cast", "float": "cast", "double": "cast", "half": "cast",
    "long": "cast", "int": "cast", "short": "cast", "bool": "cast", "byte": "cast",
    "clone": "identity", "contiguous": "identity", "detach": "identity",
}  # fmt: skip


@contextlib.contextmanager
def tracing(graph: Graph, model: Any) -> Iterator[None]:
    """Patch the entry points, record into ``graph`` while the block runs, then restore everything."""
    import chainrule
    import chainrule.nn.functional as F
    import chainrule.nn.functional.attention as FA
    import chainrule.nn.modules as nn_modules
    from chainrule import _creation, ops
    from chainrule import _tensor_methods as tm
    from chainrule.nn.module import Module

    from . import _ops_attention, _ops_conv, _ops_index, _ops_nn, _ops_shape, _ops_tensor  # noqa: F401
    from . import _ops_spatial as _spatial_handlers  # noqa: F401  (3-d, resample, patches)

    if STATE.graph is not None:
        raise RuntimeError("chainrule.onnx.export: an export is already running in this process")
    undo: list[tuple[Any, str, bool, Any]] = []
    wrapped: dict[int, Any] = {}
    try:
        for prefix, ns in (("ops", ops), ("F", F)):
            for name in getattr(ns, "__all__", ()):
                fn = getattr(ns, name, None)
                if not isinstance(fn, types.FunctionType) or id(fn) in wrapped:
                    continue
                wrapped[id(fn)] = _wrap(fn, f"{prefix}.{name}")
        for name in _LIKE:
            fn = getattr(_creation, name)
            wrapped[id(fn)] = _wrap(fn, f"ops.{name}")
        wrapped[id(FA.multi_head_attention_forward)] = _wrap(
            FA.multi_head_attention_forward, "F.multi_head_attention_forward"
        )
        import chainrule.nn.functional.rnn as FR  # torch.lstm/gru/rnn_* and their cells (not in F.__all__)

        from . import _ops_rnn  # noqa: F401  (registers their handlers)

        for name in FR.__all__:
            wrapped[id(getattr(FR, name))] = _wrap(getattr(FR, name), f"F.{name}")
        targets = [ops, F, chainrule, FA, tm]
        families = (nn_modules.__name__ + ".", F.__name__ + ".")  # modules import F's family files too
        targets += [m for n, m in list(sys.modules.items()) if n.startswith(families) and m is not None]
        for m in model.modules() if hasattr(model, "modules") else ():
            user = sys.modules.get(type(m).__module__)
            if user is not None and not type(m).__module__.startswith("chainrule.") and user not in targets:
                targets.append(user)
        wrapped[id(tm._inplace)] = _wrap_inplace(tm._inplace)  # also where it was imported by name
        for ns in targets:
            for name, val in list(vars(ns).items()):
                if isinstance(val, types.FunctionType) and id(val) in wrapped:
                    _patch(undo, ns, name, wrapped[id(val)])
                elif isinstance(val, types.FunctionType) and id(getattr(val, "__wrapped__", None)) in wrapped:
                    _patch(undo, ns, name, wrapped[id(val.__wrapped__)])  # chainrule.<op> taking out=: the op
                elif isinstance(val, type) and val.__module__ == ns.__name__:
                    _patch_static_methods(undo, val, wrapped)  # class ReLU: _fn = staticmethod(F.relu)
        for name, kind in _TENSOR_METHODS.items():
            _patch(undo, Tensor, name, _wrap(getattr(Tensor, name), f"Tensor.{kind}"))
        for name in _PYTHON_VALUE:
            _patch(undo, Tensor, name, _warn_on_python_value(getattr(Tensor, name), name))
        for name in ("T", "mT"):
            _patch(undo, Tensor, name, _wrap_property(inspect.getattr_static(Tensor, name), f"Tensor.{name}"))
        _patch(undo, Module, "__call__", _module_call(Module.__call__, wrapped))
        STATE.graph, STATE.depth = graph, 0
        yield
    finally:
        STATE.graph, STATE.depth = None, 0
        for obj, name, own, old in reversed(undo):
            if own:
                setattr(obj, name, old)
            else:
                delattr(obj, name)
