"""Small top-level questions and checks real scripts ask: is it a storage, can it cast, which shape broadcasts."""

from __future__ import annotations

from typing import Any

from . import _dtype

__all__ = ["is_storage", "is_complex", "typename", "can_cast", "is_nonzero", "is_same_size", "broadcast_shapes",
           "_assert", "set_flush_denormal", "set_warn_always", "is_warn_always_enabled", "set_anomaly_enabled",
           "is_anomaly_enabled"]

_warn_always = [False]


def is_storage(obj: object) -> bool:
    """False: chainrule has no separate storage objects (a tensor's memory is its NumPy array)."""
    return False


def is_complex(input: Any) -> bool:  # noqa: A002
    """False: chainrule has no complex dtypes."""
    return False


def typename(obj: object) -> str:
    """A tensor's type string (``x.type()``, e.g. ``'chainrule.FloatTensor'``), else the object's class name."""
    from ._tensor import Tensor

    if isinstance(obj, Tensor):
        return obj.type()
    cls = type(obj)
    return cls.__qualname__ if cls.__module__ in ("builtins", "__builtin__", None) else f"{cls.__module__}.{cls.__qualname__}"


def can_cast(from_: _dtype.dtype, to: _dtype.dtype) -> bool:
    """Whether type promotion may cast ``from_`` to ``to``: never to a lower category (float -> int, int -> bool)."""
    return _dtype.to_dtype(from_, "can_cast").category <= _dtype.to_dtype(to, "can_cast").category


def is_nonzero(input: Any) -> bool:  # noqa: A002
    """The truth value of a one-element tensor; RuntimeError for zero or several elements."""
    n = input.numel()
    if n != 1:
        raise RuntimeError(f"is_nonzero: Boolean value of Tensor with {'no values' if n == 0 else 'more than one value'} "
                           f"is ambiguous; expected one element, got shape {list(input.shape)}")
    return bool(input.item())


def is_same_size(input: Any, other: Any) -> bool:  # noqa: A002
    """Whether the two tensors have the same shape."""
    return tuple(input.shape) == tuple(other.shape)


def broadcast_shapes(*shapes: Any) -> Any:
    """The shape that tensors of the given shapes broadcast to (RuntimeError if they do not)."""
    from ._tensor import Size

    out: list[int] = []
    for i, shape in enumerate(shapes):
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        if any(not isinstance(d, int) or d < 0 for d in shape):
            raise RuntimeError(f"broadcast_shapes: shape {shape} at index {i} must hold non-negative ints")
        if len(shape) > len(out):
            out = [1] * (len(shape) - len(out)) + out
        for k in range(1, len(shape) + 1):
            a, b = out[-k], shape[-k]
            if a == 1:
                out[-k] = b
            elif b != 1 and a != b:
                raise RuntimeError(f"broadcast_shapes: cannot broadcast a dimension of length {b} at {-k} "
                                   f"(argument {i}, shape {list(shape)}) with the shape so far {out}")
    return Size(out)


def _assert(condition: Any, message: str) -> None:
    """``torch._assert(cond, msg)`` (used by model code that must also trace): AssertionError(msg) if falsy."""
    if not condition:
        raise AssertionError(message)


def set_flush_denormal(mode: bool) -> bool:
    """False: NumPy has no flush-to-zero switch, so the request is not supported (PyTorch's answer then)."""
    return False


def set_warn_always(b: bool) -> None:
    """Record PyTorch's "warn every time" flag (chainrule's warnings follow Python's filters either way)."""
    _warn_always[0] = bool(b)


def is_warn_always_enabled() -> bool:
    """The flag set by :func:`set_warn_always` (False by default)."""
    return _warn_always[0]


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Turn autograd anomaly detection on or off (``chainrule.autograd.set_detect_anomaly``)."""
    from .autograd import set_detect_anomaly

    set_detect_anomaly(enabled, check_nan)


def is_anomaly_enabled() -> bool:
    """Whether autograd anomaly detection is on."""
    from .autograd import is_anomaly_enabled as enabled

    return enabled()
