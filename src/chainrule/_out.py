"""``out=``: the keyword PyTorch's functions take to write their result into an existing tensor.

``chainrule.add(a, b, out=c)`` computes ``add(a, b)`` and copies it into ``c`` (cast to ``c``'s
dtype when that is a safe cast of the same kind, resized — with PyTorch's warning — when ``c`` has
another shape), and returns ``c``. As in PyTorch, ``out=`` does not take part in autograd: it is
an error while an argument requires grad and grad mode is on. Functions returning several tensors
(``max(x, dim)``, ``sort``...) take a tuple of as many tensors.

The op functions themselves stay as they are; the top-level ``chainrule.<name>`` is a thin wrapper
that pays one keyword check when ``out`` is not given.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

__all__ = ["write_out", "with_out"]


def _write_one(op: str, result: Any, out: Any) -> Any:
    from ._tensor import Tensor
    from .autograd.grad_mode import no_grad
    from .autograd.grad_mode import state as grad_state
    from .ops.bits import resize_

    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if not isinstance(result, Tensor):
        raise TypeError(f"{op}() got an unexpected keyword argument 'out' (it returns {type(result).__name__})")
    if grad_state.enabled and (result.requires_grad or out.requires_grad):
        raise RuntimeError(
            f"{op}(): functions with out=... arguments don't support automatic differentiation, but one of "
            "the arguments requires grad."
        )
    src, dst = result._data.dtype, out._data.dtype
    if src != dst and not np.can_cast(src, dst, "same_kind"):
        raise RuntimeError(
            f"{op}(): result type {result.dtype} can't be cast to the desired output type {out.dtype}"
        )
    if tuple(out.shape) != tuple(result.shape):
        if out.numel() > 0:
            warnings.warn(
                f"{op}(): an output with one or more elements was resized since it had shape "
                f"{list(out.shape)}, which does not match the required output shape {list(result.shape)}. "
                "Resize it first (out.resize_(0)) to reuse it without this warning.",
                UserWarning,
                stacklevel=4,
            )
        resize_(out, *result.shape)
    with no_grad():
        out.copy_(result)
    return out


def write_out(op: str, result: Any, out: Any) -> Any:
    """Copy ``result`` (a Tensor, or a tuple of them) into ``out`` and return ``out``, as PyTorch's
    ``out=`` does: same-kind casts, resizing with a warning, no autograd."""
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(
                f"{op}(): out= must be a tuple of {len(result)} Tensors for this call, got {type(out).__name__}"
            )
        outs = [_write_one(op, r, o) for r, o in zip(result, out)]
        return type(result)(*outs) if hasattr(result, "_fields") else tuple(outs)
    return _write_one(op, result, out)


def with_out(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` taking PyTorch's ``out=`` keyword as well (see this module's docstring)."""
    name = fn.__name__

    @functools.wraps(fn)
    def wrapper(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return fn(*args, **kwargs)
        return write_out(name, fn(*args, **kwargs), out)

    return wrapper


def add_out_argument(namespace: dict[str, Any], names: Iterable[str]) -> None:
    """Replace each function ``namespace[name]`` that has no ``out`` parameter by ``with_out(...)``."""
    for name in names:
        fn = namespace.get(name)
        if not inspect.isfunction(fn) or name.endswith("_") or name.startswith("_"):
            continue
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            continue
        if "out" in params:
            continue
        namespace[name] = with_out(fn)
