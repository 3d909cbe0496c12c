"""``chainrule.jit``: the TorchScript names model code uses, with truthful answers.

``is_scripting()``/``is_tracing()`` are False (nothing is ever scripted or traced by TorchScript), and
``ignore``, ``unused``, ``export``, ``annotate`` and ``Final`` leave code as it is, so modules written
to be scriptable run eagerly. ``script``, ``trace``, ``save`` and ``load`` raise: chainrule has no
TorchScript. For speed use ``chainrule.compile(model)``; to ship a model, ``chainrule.onnx.export``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, NamedTuple

__all__ = ["is_scripting", "is_tracing", "ignore", "unused", "export", "annotate", "Final", "script", "trace",
           "trace_module", "save", "load", "freeze", "optimize_for_inference", "ScriptModule", "ScriptFunction",
           "Attribute"]

_NO_TORCHSCRIPT = (
    "chainrule has no TorchScript. To make a model faster, use chainrule.compile(model) (it traces once and "
    "replays one graph node); to export it for deployment, use chainrule.onnx.export(model, args, path); "
    "to keep its weights, chainrule.save(model.state_dict(), path). Or simply call the model eagerly."
)


def is_scripting() -> bool:
    """False: chainrule never runs code under TorchScript."""
    return False


def is_tracing() -> bool:
    """False: no TorchScript tracing is running."""
    return False


def ignore(drop: Any = False, **kwargs: Any) -> Any:
    """``@jit.ignore`` / ``@jit.ignore(drop=True)``: the function is left as it is."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``@jit.unused``: the function is left as it is."""
    return fn


def export(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``@jit.export``: the method is left as it is."""
    return fn


def annotate(the_type: Any, the_value: Any) -> Any:
    """``jit.annotate(List[int], [])``: returns the value."""
    return the_value


def _refuse(what: str) -> RuntimeError:
    return RuntimeError(f"chainrule.jit.{what}: {_NO_TORCHSCRIPT}")


def script(obj: Any, *args: Any, **kwargs: Any) -> Any:
    """Raises: there is no TorchScript (the message names ``chainrule.compile`` and ``chainrule.onnx.export``)."""
    raise _refuse("script")


def trace(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Raises: there is no TorchScript tracer (see ``chainrule.compile`` / ``chainrule.onnx.export``)."""
    raise _refuse("trace")


def trace_module(mod: Any, *args: Any, **kwargs: Any) -> Any:
    """Raises: there is no TorchScript tracer."""
    raise _refuse("trace_module")


def save(m: Any, f: Any, *args: Any, **kwargs: Any) -> None:
    """Raises: there are no TorchScript archives; save ``state_dict()`` with ``chainrule.save``."""
    raise _refuse("save")


def load(f: Any, *args: Any, **kwargs: Any) -> Any:
    """Raises: TorchScript archives cannot be run; load a ``state_dict`` with ``chainrule.load``."""
    raise _refuse("load")


def freeze(mod: Any, *args: Any, **kwargs: Any) -> Any:
    """Raises: there are no scripted modules to freeze."""
    raise _refuse("freeze")


def optimize_for_inference(mod: Any, *args: Any, **kwargs: Any) -> Any:
    """Raises: there are no scripted modules to optimize."""
    raise _refuse("optimize_for_inference")


class ScriptModule:
    """No chainrule object is a ScriptModule; the class exists for ``isinstance`` checks."""


class ScriptFunction:
    """No chainrule object is a ScriptFunction; the class exists for ``isinstance`` checks."""


class Attribute(NamedTuple):
    """``jit.Attribute(value, type)``: the pair as a named tuple, as in eager PyTorch."""

    value: Any
    type: Any


Final = Final
