"""Creation functions: ``tensor``, ``zeros``, ``arange``, ``randn`` ... with PyTorch's signatures."""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _dtype
from ._device import check_device
from ._random import Generator, rng
from ._size_keyword import sizes_or_keyword
from ._tensor import Tensor
from .autograd import function as _function

__all__ = [
    "tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "zeros_like",
    "ones_like", "full_like", "empty_like", "arange", "linspace", "logspace", "eye", "rand",
    "randn", "randint", "randperm", "normal", "rand_like", "randn_like", "randint_like",
    "bernoulli", "scalar_tensor",
]  # fmt: skip


def _finish(arr: np.ndarray, requires_grad: bool, device: Any, op: str) -> Tensor:
    check_device(device, op)
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _draw(op: str, shape: tuple[int, ...], draw: Any) -> tuple[np.ndarray, tuple[int, ...]]:
    """``draw(shape)``, or inside ``vmap`` PyTorch's randomness modes: 'error' refuses, 'same' draws one
    sample for the whole batch, 'different' draws one per sample (the array then has the batch dims of
    those levels in front; the levels are returned with it)."""
    if _function._vmap[0] is None:
        return draw(shape), ()
    from .func._batching import random_levels

    lead, levels = random_levels(op)
    return draw(lead + shape), levels


def _finish_random(arr: np.ndarray, levels: tuple[int, ...], requires_grad: bool, device: Any, op: str) -> Tensor:
    """``_finish`` for a draw of :func:`_draw`: batched at ``levels`` inside vmap."""
    t = _finish(arr, requires_grad, device, op)
    if levels:
        from .func._batching import wrap

        return wrap(t, levels)
    return t


def _infer_dtype(arr: np.ndarray) -> np.dtype:
    """PyTorch's inference: Python floats -> default float, ints -> int64, bools -> bool."""
    kind = arr.dtype.kind
    if kind == "f":
        return arr.dtype if arr.dtype in (np.float16, np.float32) else _dtype.get_default_dtype().np
    if kind in "iu":
        return np.dtype(np.int64) if arr.dtype not in (np.int8, np.int16, np.int32, np.uint8) else arr.dtype
    if kind == "b":
        return np.dtype(np.bool_)
    raise TypeError(
        f"tensor: could not infer dtype of {arr.dtype} data; expected numbers, bools, nested "
        "lists of them, NumPy arrays or Tensors"
    )


def _to_array(data: Any, dtype: Any, op: str, copy: bool) -> np.ndarray:
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, np.ndarray):
        arr = data
    elif isinstance(data, np.generic):  # a NumPy scalar keeps its dtype, as in PyTorch
        arr = np.asarray(data)
        copy = False
    elif isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in data):
        try:
            arr = np.array([x._data if isinstance(x, Tensor) else x for x in data])
        except (ValueError, TypeError) as e:
            raise ValueError(str(_nesting_error(data, op) or e)) from None  # PyTorch: a ValueError
    else:
        try:
            arr = np.array(data)
        except (ValueError, TypeError) as e:
            raise _nesting_error(data, op) or ValueError(f"{op}: cannot build a tensor from {type(data).__name__}: {e}") from e
        if arr.dtype.kind not in "biuf":
            raise TypeError(
                f"{op}: could not infer dtype of {type(data).__name__}; expected numbers or "
                f"(nested) sequences of numbers, got elements of dtype {arr.dtype}"
            )
        if dtype is None and arr.dtype == np.float64:  # Python floats -> default dtype
            arr = arr.astype(_dtype.get_default_dtype().np)
        elif dtype is None and arr.dtype.kind in "iu" and arr.dtype != np.int64:
            arr = arr.astype(np.int64)
        copy = False
    target = _dtype.to_dtype(dtype, op).np if dtype is not None else _dtype.from_numpy_dtype(arr.dtype, op).np
    if arr.dtype != target:
        return arr.astype(target)
    return arr.copy() if copy else arr


def _is_seq(x: Any) -> bool:
    return isinstance(x, (list, tuple)) or (isinstance(x, (np.ndarray, Tensor)) and x.ndim > 0)


def _nesting_error(data: Any, op: str) -> Exception | None:
    """PyTorch's error for ragged nested sequences: the shape is read along the first elements, then every
    sequence must match it ("expected sequence of length 2 at dim 1 (got 1)"); None if ``data`` is not ragged."""
    shape, d = [], data
    while _is_seq(d):
        shape.append(len(d))
        if not len(d):
            break
        d = d[0]

    def walk(x: Any, dim: int) -> Exception | None:
        if dim == len(shape):
            if _is_seq(x):
                return TypeError(f"{op}: expected a number at dim {dim}, got a {type(x).__name__} (nested sequences "
                                 f"must all have the same depth)")
            return None
        if not _is_seq(x):
            return TypeError(f"{op}: not a sequence: expected a sequence at dim {dim}, got {type(x).__name__} {x!r:.40}")
        if len(x) != shape[dim]:
            return ValueError(f"{op}: expected sequence of length {shape[dim]} at dim {dim} (got {len(x)}); nested "
                              "sequences must be rectangular")
        for item in x:
            if (err := walk(item, dim + 1)) is not None:
                return err
        return None

    return walk(data, 0)


def tensor(data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, scalars, NumPy arrays, Tensors)."""
    return _finish(_to_array(data, dtype, "tensor", copy=True), requires_grad, device, "tensor")


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array or Tensor when the dtype allows."""
    if isinstance(data, Tensor) and (dtype is None or _dtype.to_dtype(dtype) is data.dtype):
        return data
    return _finish(_to_array(data, dtype, "as_tensor", copy=False), False, device, "as_tensor")


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray`` (float64 stays float64, as in PyTorch)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(ndarray).__name__}")
    _dtype.from_numpy_dtype(ndarray.dtype, "from_numpy")
    return Tensor._make(ndarray)


def scalar_tensor(s: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A 0-d tensor holding ``s``, of the default float dtype unless ``dtype`` is given."""
    dt = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    return _finish(np.array(s, dtype=dt.np), requires_grad, device, "scalar_tensor")


def _shape(size: Sequence[Any], op: str) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    try:
        shape = tuple(operator.index(s) for s in size)
    except TypeError as e:
        raise TypeError(
            f"{op}(): argument 'size' must be a tuple of ints; got {tuple(size)!r}"
        ) from e
    if any(s < 0 for s in shape):
        raise RuntimeError(
            f"{op}: Dimension size must be non-negative; got size {list(shape)}. "
            "(Trying to create a tensor with a negative dimension.)"
        )
    return shape


def _float_dtype(dtype: Any, op: str) -> np.dtype:
    return _dtype.to_dtype(dtype, op).np if dtype is not None else _dtype.get_default_dtype().np


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    """A tensor of the given shape (ints or one sequence) of zeros; default float dtype unless ``dtype``."""
    size = sizes_or_keyword(size, kw, "size", "zeros")
    return _finish(np.zeros(_shape(size, "zeros"), _float_dtype(dtype, "zeros")), requires_grad, device, "zeros")


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    """A tensor of the given shape (ints or one sequence) of ones; default float dtype unless ``dtype``."""
    size = sizes_or_keyword(size, kw, "size", "ones")
    return _finish(np.ones(_shape(size, "ones"), _float_dtype(dtype, "ones")), requires_grad, device, "ones")


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """A tensor of the given shape with uninitialized values; the default float dtype unless ``dtype``.

    Layout/memory keywords (``pin_memory``, ``memory_format``...) have no meaning here and are ignored."""
    if "size" in _:
        size = sizes_or_keyword(size, {"size": _["size"]}, "size", "empty")
    return _finish(np.empty(_shape(size, "empty"), _float_dtype(dtype, "empty")), requires_grad, device, "empty")


def full(size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value``. The dtype follows the value when not given,
    as in PyTorch: bool -> bool, int -> int64, float -> the default float dtype.
    """
    if dtype is None:  # PyTorch infers from the fill value
        dtype = _dtype._scalar_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    shape = _shape((size,) if isinstance(size, int) else tuple(size), "full")
    return _finish(np.full(shape, fill_value, _dtype.to_dtype(dtype).np), requires_grad, device, "full")


def _like(t: Tensor, dtype: Any) -> tuple[tuple[int, ...], np.dtype]:
    if not isinstance(t, Tensor):
        raise TypeError(f"*_like: expected a Tensor, got {type(t).__name__}")
    return t._data.shape, (_dtype.to_dtype(dtype).np if dtype is not None else t._data.dtype)


def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:  # noqa: A002
    """Zeros with ``input``'s shape and dtype (or ``dtype``)."""
    return _finish(np.zeros(*_like(input, dtype)), requires_grad, device, "zeros_like")


def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:  # noqa: A002
    """Ones with ``input``'s shape and dtype (or ``dtype``)."""
    return _finish(np.ones(*_like(input, dtype)), requires_grad, device, "ones_like")


def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:  # noqa: A002
    """An uninitialized tensor with ``input``'s shape and dtype (or ``dtype``)."""
    return _finish(np.empty(*_like(input, dtype)), requires_grad, device, "empty_like")


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    """``fill_value`` everywhere, with ``input``'s shape and dtype (or ``dtype``)."""
    shape, dt = _like(input, dtype)
    return _finish(np.full(shape, fill_value, dt), requires_grad, device, "full_like")


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``[start, end)`` in steps; int64 for integer arguments, the default float dtype otherwise."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if vals[2] == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (vals[1] - vals[0]) * vals[2] < 0:
        raise RuntimeError(
            f"arange: upper bound and larger bound inconsistent with step sign; got start={vals[0]}, "
            f"end={vals[1]}, step={vals[2]}"
        )
    if dtype is None:
        dtype = _dtype.int64 if all(isinstance(v, (int, np.integer)) for v in vals) else _dtype.get_default_dtype()
    dt = _dtype.to_dtype(dtype)
    n = max(0, math.ceil((vals[1] - vals[0]) / vals[2]))
    arr = (vals[0] + vals[2] * np.arange(n, dtype=np.float64)).astype(dt.np) if dt.is_floating_point else np.arange(*vals, dtype=dt.np)
    return _finish(arr, requires_grad, device, "arange")


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive: start + i·(end − start)/(steps−1).
    Computed as PyTorch does (from ``start`` for the first half, from ``end`` after), so the floats match.
    """
    if int(steps) < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative; got {steps}")
    arr = _linspace(start, end, int(steps), _spaced_dtype(dtype, "linspace"))
    return _finish(arr, requires_grad, device, "linspace")


def _linspace(start: Any, end: Any, steps: int, dt: np.dtype) -> np.ndarray:
    """PyTorch's formula, in the output dtype: from ``start`` up to halfway, from ``end`` after."""
    if steps <= 1:
        return np.full(steps, start, dtype=np.float64).astype(dt)
    work = dt if dt.kind == "f" else np.dtype(np.float64)
    lo, hi = np.asarray(start, dtype=work), np.asarray(end, dtype=work)
    step = (hi - lo) / work.type(steps - 1)
    idx = np.arange(steps)
    half = steps // 2
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.where(
            idx < half, lo + step * idx.astype(work), hi - step * (steps - idx - 1).astype(work)
        )
    return out.astype(dt)


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` values ``base ** v``, v evenly spaced from ``start`` to ``end`` inclusive (in float64)."""
    arr = np.logspace(float(start), float(end), int(steps), base=base).astype(_spaced_dtype(dtype, "logspace"))
    return _finish(arr, requires_grad, device, "logspace")


def _spaced_dtype(dtype: Any, op: str) -> np.dtype:
    """linspace/logspace's dtype: any but bool, which PyTorch does not implement."""
    dt = _float_dtype(dtype, op)
    if dt.kind == "b":
        raise NotImplementedError(f"{op}: \"{op}_cpu\" not implemented for 'Bool'; expected a number dtype, got chainrule.bool")
    return dt


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n×m, ones on the diagonal); n and m must be ≥ 0."""
    for name, v in (("n", n), ("m", m)):
        if v is not None and int(v) < 0:
            raise RuntimeError(f"eye: {name} must be greater or equal to 0, got {int(v)}")
    return _finish(np.eye(int(n), None if m is None else int(m), dtype=_float_dtype(dtype, "eye")), requires_grad, device, "eye")


# --- random -----------------------------------------------------------------------------------------
def _random_float(op: str, size: Sequence[Any], dtype: Any) -> tuple[tuple[int, ...], np.dtype]:
    dt = _float_dtype(dtype, op)
    if dt.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point dtype, got {_dtype.from_numpy_dtype(dt)}")
    return _shape(size, op), dt


def rand(
    *size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False, **kw: Any
) -> Tensor:
    """Uniform samples on [0, 1)."""
    shape, dt = _random_float("rand", sizes_or_keyword(size, kw, "size", "rand"), dtype)
    arr, lv = _draw("rand", shape, lambda s: rng(generator).random(s, dtype=dt if dt != np.float16 else np.float32))
    return _finish_random(arr.astype(dt, copy=False), lv, requires_grad, device, "rand")


def randn(
    *size: Any, generator: Generator | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False, **kw: Any
) -> Tensor:
    """Standard normal samples."""
    shape, dt = _random_float("randn", sizes_or_keyword(size, kw, "size", "randn"), dtype)
    arr, lv = _draw("randn", shape, lambda s: rng(generator).standard_normal(s, dtype=dt if dt != np.float16 else np.float32))
    return _finish_random(arr.astype(dt, copy=False), lv, requires_grad, device, "randn")


def randint(low: int, high: Any = None, size: Any = None, *, generator: Generator | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers in ``[low, high)``; ``randint(high, size)`` and ``randint(high, size=...)`` as in PyTorch."""
    if high is None and size is not None:  # randint(high, size=(n,))
        low, high = 0, low
    elif size is None:
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint: missing the required argument 'size'")
    if high <= low:
        raise RuntimeError(f"randint: expected low < high, got low={low}, high={high}")
    dt = _dtype.to_dtype(dtype).np if dtype is not None else np.dtype(np.int64)
    arr, lv = _draw("randint", _shape(tuple(size), "randint"), lambda s: rng(generator).integers(low, high, size=s))
    return _finish_random(arr.astype(dt), lv, requires_grad, device, "randint")


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None, device: Any = None) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64 unless ``dtype``).
    chainrule draws with NumPy's PCG64: the same seed gives other numbers than PyTorch.
    """
    dt = _dtype.to_dtype(dtype).np if dtype is not None else np.dtype(np.int64)
    arr, lv = _draw("randperm", (int(n),), lambda s: rng(generator).permuted(np.broadcast_to(np.arange(int(n)), s), axis=-1))
    return _finish_random(arr.astype(dt), lv, False, device, "randperm")


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, generator: Generator | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Normal samples; ``mean``/``std`` may be tensors (broadcast) or floats with ``size``."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if np.any(np.asarray(s) < 0):
        raise RuntimeError(f"normal: expected all elements of std >= 0.0, got std={std}")
    shape = _shape(tuple(size), "normal") if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    dt = _float_dtype(dtype, "normal") if dtype is not None or not isinstance(m, np.ndarray) else m.dtype
    arr = (m + s * rng(generator).standard_normal(shape)).astype(dt)
    return _finish(arr, requires_grad, device, "normal")


def rand_like(input: Tensor, *, generator: Generator | None = None, dtype: Any = None, **kw: Any) -> Tensor:  # noqa: A002
    """``rand`` with ``input``'s shape and dtype (or ``dtype``): uniform samples on [0, 1)."""
    return rand(*input.shape, generator=generator, dtype=dtype or input.dtype, **kw)


def randn_like(input: Tensor, *, generator: Generator | None = None, dtype: Any = None, **kw: Any) -> Tensor:  # noqa: A002
    """``randn`` with ``input``'s shape and dtype (or ``dtype``): standard normal samples."""
    return randn(*input.shape, generator=generator, dtype=dtype or input.dtype, **kw)


def randint_like(input: Tensor, low: int, high: Any = None, *, dtype: Any = None, **kw: Any) -> Tensor:  # noqa: A002
    """``randint(low, high)`` (or ``randint(0, high)`` with one bound) with ``input``'s shape and dtype."""
    if high is None:  # randint_like(input, high), as in PyTorch
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype, **kw)


def bernoulli(input: Tensor, p: Any = None, *, generator: Generator | None = None) -> Tensor:  # noqa: A002
    """Samples 1 with probability ``input`` (elementwise), else 0; same dtype as ``input``."""
    probs = input._data if p is None else np.full(input._data.shape, p)
    if np.any((probs < 0) | (probs > 1)):
        raise RuntimeError("bernoulli: expected all probabilities in [0, 1]")
    u = rng(generator).random(input._data.shape)
    return Tensor._make((u < probs).astype(input._data.dtype))
