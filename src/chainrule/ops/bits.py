"""Raw bits and memory: bit shifts, ``Tensor.view(dtype)`` and ``Tensor.resize_``.

Shifts follow PyTorch: values wrap around in the result dtype, and a shift by a negative amount
or by at least the bit width gives 0 (left) or the sign fill (right: −1 for negative values, 0
otherwise). None of these carry gradients: the results are integers or reinterpreted bits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from ._util import broadcast_error, check_tensor, make, tensor_cls
from .compare import _arrays, _integral, _wrap_int

__all__ = ["bitwise_left_shift", "bitwise_right_shift"]


def _shift(input: Any, other: Any, left: bool, op: str) -> Any:  # noqa: A002
    T = tensor_cls()
    if not isinstance(input, T):
        if not isinstance(other, T):
            raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
        if type(input) is int and other._data.dtype.kind in "iu":
            input = _wrap_int(input, other._data.dtype, op)
        input = make(np.asarray(input, dtype=other._data.dtype))  # a number on the left
    ad, bd = _arrays(input, other, op)
    if type(bd) is int and ad.dtype.kind in "iu":
        bd = _wrap_int(bd, ad.dtype, op)
    dt = ad.dtype
    if dt.kind not in "iu":
        _integral(dt if dt.kind != "b" else np.dtype(np.float32), op)  # raises the NotImplementedError
    s = np.asarray(bd).astype(np.int64)
    bits = dt.itemsize * 8
    ok = (s >= 0) & (s < bits)
    amount = np.where(ok, s, 0).astype(dt)
    try:
        if left:
            out = np.where(ok, np.left_shift(ad, amount), 0)
        else:
            fill = np.where(ad < 0, -1, 0) if dt.kind == "i" else 0
            out = np.where(ok, np.right_shift(ad, amount), fill)
    except ValueError:
        raise broadcast_error(op, ad.shape, np.shape(bd)) from None
    return make(np.asarray(out).astype(dt, copy=False))


def bitwise_left_shift(input: Any, other: Any) -> Any:  # noqa: A002
    """``input << other`` for integer tensors, wrapping around in the result dtype."""
    return _shift(input, other, True, "bitwise_left_shift")


def bitwise_right_shift(input: Any, other: Any) -> Any:  # noqa: A002
    """``input >> other`` for integer tensors (arithmetic shift: the sign fills in)."""
    return _shift(input, other, False, "bitwise_right_shift")


def view_dtype(input: Any, dtype: Any) -> Any:  # noqa: A002
    """``input``'s bits read as ``dtype`` (shares memory); with a different element size the last
    dim, which must be contiguous, shrinks or grows in proportion."""
    x = check_tensor(input, "view")
    dt = _dtype.to_dtype(dtype, "view")
    a = x._data
    if dt.np == a.dtype:
        return make(a.view())  # (PyTorch's view(dtype) carries no gradient, even to the same dtype)
    old, new = a.dtype.itemsize, dt.np.itemsize
    if old != new:
        name_a, name_b = _dtype.from_numpy_dtype(a.dtype), dt
        if a.ndim == 0:
            raise RuntimeError(
                f"view(): self.dim() cannot be 0 to view {name_a} as {name_b} (different element sizes)"
            )
        if a.shape[-1] != 1 and a.strides[-1] != old:
            raise RuntimeError(f"view(): self.stride(-1) must be 1 to view {name_a} as {name_b} (different element sizes)")
        if (a.shape[-1] * old) % new:
            raise RuntimeError(
                f"view(): self.size(-1) must be divisible by {new // old} to view {name_a} as {name_b} "
                f"(different element sizes), but got {a.shape[-1]}"
            )
        if not a.flags.c_contiguous:
            a = np.ascontiguousarray(a)  # (NumPy needs the whole array contiguous to reinterpret)
    return make(a.view(dt.np))


def resize_(input: Any, *sizes: Any) -> Any:  # noqa: A002
    """``Tensor.resize_``: give ``input`` the shape ``sizes`` in place; its first elements (row-major)
    keep their values, elements beyond the old ones are 0."""
    from .shape import _sizes

    x = check_tensor(input, "resize_")
    if x._requires_grad:
        raise RuntimeError("resize_: cannot resize variables that require grad; resize a .detach()-ed copy")
    shape = _sizes(sizes, "resize_")
    if any(s < 0 for s in shape):
        raise RuntimeError(f"resize_: Trying to create tensor with negative dimension; got {list(shape)}")
    n = int(np.prod(shape, dtype=np.int64))
    flat = x._data.reshape(-1)
    if n <= flat.size:
        data = flat[:n].copy().reshape(shape)
    else:
        data = np.zeros(n, flat.dtype)
        data[: flat.size] = flat
        data = data.reshape(shape)
    x._data = data
    x._bump_version()
    return x
