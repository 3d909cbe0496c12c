"""Comparisons, predicates, logical and bitwise ops, any/all, isclose/equal, count_nonzero.

None of these is differentiable: results are made outside the graph with ``make``. Mixed operands
are compared in PyTorch's promoted dtype (an int tensor against 0.5 compares as float; a float32
tensor against a Python float compares in float32).
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import _dtype
from ._numpy_names import numpy_names
from ._util import broadcast_error, make, norm_dims, tensor_cls

__all__ = [
    "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
    "not_equal", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "any", "all", "logical_and",
    "logical_or", "logical_not", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor",
    "bitwise_not", "isclose", "allclose", "equal", "count_nonzero",
]  # fmt: skip

_NUMBER = (int, float, bool, np.number, np.bool_)
_TORCH_NAMES = {
    "float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
    "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
}  # fmt: skip


def _input(x: Any, op: str, arg: str = "input") -> np.ndarray:
    """The array of a Tensor argument; TypeError for anything else."""
    try:
        return x._data
    except AttributeError:
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}") from None


def _arrays(a: Any, b: Any, op: str) -> tuple[Any, Any]:
    """The two operands as arrays/scalars in PyTorch's promoted dtype."""
    ad = _input(a, op)
    T = tensor_cls()
    if isinstance(b, T):
        bd = b._data
        if ad.dtype == bd.dtype:
            return ad, bd
    elif not isinstance(b, _NUMBER):
        raise TypeError(
            f"{op}(): argument 'other' must be Tensor or Number, not {type(b).__name__}. "
            "Wrap lists with chainrule.tensor(...)."
        )
    else:
        bd = b
    dt = _dtype.result_type(a, b).np
    if ad.dtype != dt:
        ad = ad.astype(dt)
    if isinstance(b, T) and bd.dtype != dt:
        bd = bd.astype(dt)
    return ad, bd


def _binary(ufunc: Any, a: Any, b: Any, op: str) -> Any:
    ad, bd = _arrays(a, b, op)
    try:
        with np.errstate(invalid="ignore"):
            return make(ufunc(ad, bd))
    except ValueError:
        raise broadcast_error(op, ad.shape, np.shape(bd)) from None


def eq(input: Any, other: Any) -> Any:  # noqa: A002
    """input == other elementwise (bool tensor)."""
    return _binary(np.equal, input, other, "eq")


def ne(input: Any, other: Any) -> Any:  # noqa: A002
    """input != other elementwise."""
    return _binary(np.not_equal, input, other, "ne")


def lt(input: Any, other: Any) -> Any:  # noqa: A002
    """input < other elementwise."""
    return _binary(np.less, input, other, "lt")


def le(input: Any, other: Any) -> Any:  # noqa: A002
    """input <= other elementwise."""
    return _binary(np.less_equal, input, other, "le")


def gt(input: Any, other: Any) -> Any:  # noqa: A002
    """input > other elementwise."""
    return _binary(np.greater, input, other, "gt")


def ge(input: Any, other: Any) -> Any:  # noqa: A002
    """input >= other elementwise."""
    return _binary(np.greater_equal, input, other, "ge")


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


# --- predicates ---------------------------------------------------------------------------------
def isnan(input: Any) -> Any:  # noqa: A002
    """True where input is nan."""
    return make(np.isnan(_input(input, "isnan")))


def isinf(input: Any) -> Any:  # noqa: A002
    """True where input is ±inf."""
    return make(np.isinf(_input(input, "isinf")))


def isfinite(input: Any) -> Any:  # noqa: A002
    """True where input is neither nan nor ±inf."""
    return make(np.isfinite(_input(input, "isfinite")))


def isposinf(input: Any) -> Any:  # noqa: A002
    """True where input is +inf."""
    x = _input(input, "isposinf")
    return make(x == np.inf if x.dtype.kind == "f" else np.zeros(x.shape, bool))


def isneginf(input: Any) -> Any:  # noqa: A002
    """True where input is −inf."""
    x = _input(input, "isneginf")
    return make(x == -np.inf if x.dtype.kind == "f" else np.zeros(x.shape, bool))


# --- reductions to bool ---------------------------------------------------------------------------
def _reduce_bool(fn: Any, input: Any, dim: Any, keepdim: bool, op: str) -> Any:
    x = _input(input, op)
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        out = x != 0  # PyTorch: an empty dim list reduces nothing
    else:
        out = fn(x, axis=norm_dims(dim, x.ndim, op), keepdims=keepdim)
    return make(out.astype(np.uint8) if x.dtype == np.uint8 else out)


def any(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Any:  # noqa: A001,A002
    """True if any element (along ``dim``, an int or tuple) is nonzero; uint8 input gives uint8."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names(dim, keepdim, axis, keepdims, "any")
    return _reduce_bool(np.any, input, dim, keepdim, "any")


def all(input: Any, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Any:  # noqa: A001,A002
    """True if every element (along ``dim``, an int or tuple) is nonzero; uint8 input gives uint8."""
    if axis is not None or keepdims is not None:
        dim, keepdim = numpy_names(dim, keepdim, axis, keepdims, "all")
    return _reduce_bool(np.all, input, dim, keepdim, "all")


def count_nonzero(input: Any, dim: Any = None) -> Any:  # noqa: A002
    """Number of nonzero elements (along ``dim``, an int or tuple), as int64."""
    x = _input(input, "count_nonzero")
    return make(np.asarray(np.count_nonzero(x, axis=norm_dims(dim, x.ndim, "count_nonzero")), np.int64))


# --- logical and bitwise ------------------------------------------------------------------------
def _logical(ufunc: Any, a: Any, b: Any, op: str) -> Any:
    ad, bd = _input(a, op), _input(b, op, "other")
    try:
        return make(ufunc(ad, bd))
    except ValueError:
        raise broadcast_error(op, ad.shape, bd.shape) from None


def logical_and(input: Any, other: Any) -> Any:  # noqa: A002
    """Elementwise AND of truth values (nonzero is True)."""
    return _logical(np.logical_and, input, other, "logical_and")


def logical_or(input: Any, other: Any) -> Any:  # noqa: A002
    """Elementwise OR of truth values."""
    return _logical(np.logical_or, input, other, "logical_or")


def logical_xor(input: Any, other: Any) -> Any:  # noqa: A002
    """Elementwise XOR of truth values."""
    return _logical(np.logical_xor, input, other, "logical_xor")


def logical_not(input: Any) -> Any:  # noqa: A002
    """Elementwise NOT of truth values."""
    return make(np.logical_not(_input(input, "logical_not")))


def _integral(dt: np.dtype, op: str) -> None:
    if dt.kind not in "biu":
        raise NotImplementedError(
            f"{op}: \"{op}_cpu\" not implemented for '{_TORCH_NAMES.get(dt.name, dt.name)}'; "
            f"expected bool or integer tensors, got chainrule.{dt.name}"
        )


def _bitwise(ufunc: Any, a: Any, b: Any, op: str) -> Any:
    if not isinstance(a, tensor_cls()) and isinstance(b, tensor_cls()):
        a, b = b, a  # a Python number on the left (``1 & t`` reaches here as ``t.__rand__(1)``)
    _integral(_input(a, op).dtype, op)
    ad, bd = _arrays(a, b, op)
    if type(bd) is int and ad.dtype.kind in "iu":
        bd = _wrap_int(bd, ad.dtype, op)
    _integral(ad.dtype, op)
    try:
        return make(ufunc(ad, bd))
    except ValueError:
        raise broadcast_error(op, ad.shape, np.shape(bd)) from None


def _wrap_int(v: int, dt: np.dtype, op: str) -> Any:
    """A Python int as ``dt`` with two's-complement wrap-around, as PyTorch casts scalars (0xFFFFFFFF -> -1)."""
    if not -(1 << 63) <= v < (1 << 64):
        raise OverflowError(f"{op}: the Python integer {v} does not fit in 64 bits")
    bits = dt.itemsize * 8
    v &= (1 << bits) - 1
    if dt.kind == "i" and v >= 1 << (bits - 1):
        v -= 1 << bits
    return dt.type(v)


def bitwise_and(input: Any, other: Any) -> Any:  # noqa: A002
    """Elementwise AND of bits (logical AND for bool)."""
    return _bitwise(np.bitwise_and, input, other, "bitwise_and")


def bitwise_or(input: Any, other: Any) -> Any:  # noqa: A002
    """Elementwise OR of bits (logical OR for bool)."""
    return _bitwise(np.bitwise_or, input, other, "bitwise_or")


def bitwise_xor(input: Any, other: Any) -> Any:  # noqa: A002
    """Elementwise XOR of bits (logical XOR for bool)."""
    return _bitwise(np.bitwise_xor, input, other, "bitwise_xor")


def bitwise_not(input: Any) -> Any:  # noqa: A002
    """Elementwise NOT of bits (logical NOT for bool)."""
    x = _input(input, "bitwise_not")
    _integral(x.dtype, "bitwise_not")
    return make(np.invert(x))


# --- closeness ----------------------------------------------------------------------------------
def isclose(
    input: Any,
    other: Any,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,  # noqa: A002
) -> Any:
    """|input − other| ≤ atol + rtol·|other| elementwise (equal infinities are close)."""
    a, b = _input(input, "isclose"), _input(other, "isclose", "other")
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"isclose: {_TORCH_NAMES.get(b.dtype.name)} did not match {_TORCH_NAMES.get(a.dtype.name)}; "
            f"expected tensors of the same dtype, got chainrule.{a.dtype.name} and chainrule.{b.dtype.name}"
        )
    if rtol < 0 or atol < 0:
        name, val = ("rtol", rtol) if rtol < 0 else ("atol", atol)
        raise RuntimeError(f"isclose: {name} must be greater than or equal to zero, but got {val}")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_error("isclose", a.shape, b.shape) from None
    if a.dtype == np.bool_:
        return make(np.broadcast_to(a == b, np.broadcast_shapes(a.shape, b.shape)).copy())
    with np.errstate(invalid="ignore", over="ignore"):
        return make(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(
    input: Any,
    other: Any,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,  # noqa: A002
) -> bool:
    """True if ``isclose`` holds everywhere (a Python bool)."""
    return builtins.bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input: Any, other: Any) -> bool:  # noqa: A002
    """True if both tensors have the same shape and the same values (a Python bool)."""
    a, b = _input(input, "equal"), _input(other, "equal", "other")
    if a.shape != b.shape:
        return False
    ad, bd = _arrays(input, other, "equal")
    return builtins.bool(np.array_equal(ad, bd))
