"""Copies and dtype conversion: ``clone``, ``x.to(dtype)``, ``dst.copy_(src)``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from ._util import Function, broadcast_error, make, tensor_cls

__all__ = ["cast", "clone", "copy_from"]


class Cast(Function):
    """out = x converted to another dtype.   VJP: gx = g (the engine casts it back to x's dtype)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, np_dtype: Any) -> Any:
        return x.astype(np_dtype)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g, None


class Clone(Function):
    """out = a copy of x.   VJP: gx = g."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x.copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g


class CopyFrom(Function):
    """out = src broadcast to dst's shape and dtype (``dst.copy_(src)``).   VJP: gdst = 0, gsrc = g."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, dst: Any, src: Any) -> Any:
        return np.broadcast_to(np.asarray(src, dtype=dst.dtype), dst.shape).copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return (ctx.xp.zeros_like(g) if ctx.needs_input_grad[0] else None), g



def cast(input: Any, dtype: _dtype.dtype) -> Any:  # noqa: A002
    """``input`` converted to ``dtype`` (differentiable between floating dtypes)."""
    out = Cast.apply(input, dtype.np)
    if not dtype.is_floating_point and out._grad_fn is not None:
        out._grad_fn, out._requires_grad = None, False
    return out


def clone(input: Any) -> Any:  # noqa: A002
    """A copy of ``input`` that stays in the graph."""
    return Clone.apply(input)


def copy_from(dst: Any, src: Any) -> Any:
    """The values of ``src`` broadcast to ``dst``'s shape (the out-of-place part of ``copy_``)."""
    T = tensor_cls()
    if not isinstance(src, T):
        src = make(np.asarray(src))
    try:
        np.broadcast_shapes(src._data.shape, dst._data.shape)
    except ValueError:
        raise broadcast_error("copy_", dst._data.shape, src._data.shape) from None
    return CopyFrom.apply(dst, src)
