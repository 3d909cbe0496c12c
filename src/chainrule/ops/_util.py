"""Helpers shared by the ops: operand promotion, dim handling and the common error messages."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _dtype
from ..autograd import function as _fn
from ..autograd.function import Function

__all__ = [
    "tensor_cls", "as_operand", "promote", "promote_float", "norm_dim", "norm_dims",
    "broadcast_error", "shape_str", "make", "check_tensor",
]  # fmt: skip


def tensor_cls() -> Any:
    return _fn.Tensor


def make(arr: Any) -> Any:
    """Wrap a NumPy result as a Tensor outside the graph (comparisons, indices...)."""
    if type(arr) is not np.ndarray:
        if hasattr(arr, "_phys"):  # computed on a batched tensor's data inside vmap: it stays batched
            arr._batch()  # (an array that lost its batch raises, rather than keep one sample)
            return _fn.Tensor._make(arr)
        arr = np.asarray(arr)
    return _fn.Tensor._make(arr)


def check_tensor(x: Any, op: str, arg: str = "input") -> Any:
    if not isinstance(x, _fn.Tensor):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}")
    return x


def as_operand(x: Any, op: str) -> Any:
    """A Tensor or Python/NumPy scalar stays as is; an ndarray becomes a Tensor; else TypeError."""
    if isinstance(x, np.generic):  # NumPy scalars are not "weak" in NumPy 2: use Python's
        return x.item()
    if isinstance(x, (_fn.Tensor, int, float, bool)):
        return x
    if isinstance(x, np.ndarray):
        return _fn.Tensor._make(x)
    raise TypeError(
        f"{op}: expected a Tensor or a number as operand, got {type(x).__name__}. "
        "Wrap lists with chainrule.tensor(...)."
    )


def promote(a: Any, b: Any, op: str) -> tuple[Any, Any]:
    """Cast the operands of a binary op to PyTorch's result dtype (a Python float never widens)."""
    Tensor = _fn.Tensor
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            da, db = a._data.dtype, b._data.dtype
            if da is db or da == db:
                return a, b
            dt = _dtype.result_type(a, b)
            return _cast_to(a, dt), _cast_to(b, dt)
        dt_t, st = a._data.dtype, type(b)
    elif isinstance(b, Tensor):
        dt_t, st = b._data.dtype, type(a)
    else:
        st = None
    # Fast path: a Python float with a floating tensor, or a Python int with a floating/int64
    # tensor, never changes the dtype (PyTorch's "wrapped number" rule).
    if st is float:
        if dt_t.kind == "f":
            return a, b
    elif st is int:
        if dt_t.kind == "f" or dt_t == np.int64:
            return a, b
    a, b = as_operand(a, op), as_operand(b, op)
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return promote(a, b, op)
    t = a if isinstance(a, Tensor) else b
    dt = _dtype.result_type(a, b)
    if dt.np != t._data.dtype:
        t2 = _cast_to(t, dt)
        return (t2, b) if t is a else (a, t2)
    return a, b


def promote_float(x: Any) -> Any:
    """Integer/bool tensors become the default float dtype (for div, sqrt, exp ...)."""
    if x._data.dtype.kind != "f":
        return _cast_to(x, _dtype.get_default_dtype())
    return x


def _cast_to(t: Any, dt: _dtype.dtype) -> Any:
    from .copy import cast

    return cast(t, dt) if t._data.dtype != dt.np else t


def norm_dim(dim: int, ndim: int, op: str) -> int:
    """A dim in ``[-ndim, ndim)`` made non-negative; a 0-d tensor accepts 0 and -1 like PyTorch."""
    n = max(ndim, 1)
    try:
        d = operator.index(dim)
    except TypeError as e:
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}") from e
    if not -n <= d < n:
        raise IndexError(
            f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
        )
    return d % n if ndim else 0


def norm_dims(dim: Any, ndim: int, op: str) -> tuple[int, ...] | None:
    """``None`` (all dims) or a sorted tuple of unique non-negative dims."""
    if dim is None:
        return None
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None  # PyTorch: dim=() or [] reduces over everything for sum/mean
        dims = tuple(norm_dim(d, ndim, op) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{op}: dim {list(dim)} appears multiple times in the list of dims")
        return tuple(sorted(dims)) if ndim else ()
    d = norm_dim(dim, ndim, op)  # validates the range for 0-d tensors too
    return (d,) if ndim else ()


def shape_str(shape: Sequence[int]) -> str:
    return "[" + ", ".join(str(s) for s in shape) + "]"


def broadcast_error(op: str, *shapes: Sequence[int]) -> RuntimeError:
    """PyTorch's wording for shapes that do not broadcast, naming the op."""
    ndim = max(len(s) for s in shapes)
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
    for i in range(ndim - 1, -1, -1):
        sizes = {p[i] for p in padded} - {1}
        if len(sizes) > 1:
            a, b = (p[i] for p in padded[:2])
            return RuntimeError(
                f"{op}: the size of tensor a ({a}) must match the size of tensor b ({b}) at "
                f"non-singleton dimension {i}; shapes {' and '.join(shape_str(s) for s in shapes)} "
                "do not broadcast"
            )
    return RuntimeError(f"{op}: shapes {' and '.join(shape_str(s) for s in shapes)} do not broadcast")


def shape_of(x: Any) -> tuple[int, ...]:
    return tuple(x._data.shape) if isinstance(x, _fn.Tensor) else tuple(np.shape(x))


__all__ += ["Function", "shape_of"]
