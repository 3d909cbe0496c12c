"""The per-sample view of a batched tensor (``_Logical``) and the vmap levels now running.

Inside ``vmap`` a batched tensor's ``_data`` — the array ops read shapes and dtypes from — is sample 0 of
its physical array, as an ndarray subclass that remembers the whole batch. NumPy code that ops run on it
outside a ``Function`` (comparisons, argument checks, ``argmax``/``sort`` along an axis, basic indexing,
``zeros_like``) computes on the physical array and gives another such view; anything else raises a
RuntimeError naming the NumPy function instead of silently using one sample.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd import function as _fn

__all__ = ["levels_stack", "sizes_of"]

# The active vmap levels, outermost first: [level, batch size, randomness]; empty outside vmap.
levels_stack: list[list[Any]] = []


class _Logical(np.ndarray):
    """The per-sample view a batched tensor shows as ``_data`` (sample 0's memory, the logical shape).

    It carries the physical tensor (``_phys``) and its levels, so the NumPy code that ops run on it
    outside a ``Function`` (comparisons, argument checks) still covers every sample: elementwise ufuncs
    run on the physical array and give another such view; min/max/any/all over everything (argument
    checks) look at all samples; functions that only read metadata (``zeros_like`` ...) see one sample.
    Anything else raises a RuntimeError naming the NumPy function, rather than use one sample only.
    """

    _phys: Any = None  # views derived from it by NumPy methods (reshape ...) lose the batch: None
    _levels: tuple[int, ...] = ()

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if kwargs.get("out") is not None:  # a TypeError: in-place fast paths then take the general (batched) path
            raise TypeError(f"vmap: numpy.{ufunc.__name__} cannot write into a batched tensor's data in place")
        if True:
            if method == "__call__":
                return _batched_ufunc(ufunc, inputs, kwargs)
            if method == "reduce" and ufunc in _GLOBAL_REDUCE and kwargs.get("axis") is None and len(inputs) == 1:
                if self._phys is not None and not kwargs.get("keepdims"):
                    return ufunc.reduce(self._phys._data, axis=None, **{k: v for k, v in kwargs.items() if k != "axis"})
        raise RuntimeError(
            f"vmap: numpy.{ufunc.__name__}.{method} was applied to a batched tensor's data outside a chainrule "
            "Function, so it has no batching rule; compute it outside vmap"
        )

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        name = func.__name__
        if name in _AXIS_FUNCS and args and type(args[0]) is _Logical and args[0]._phys is not None:
            return _axis_func(func, _AXIS_FUNCS[name], args, kwargs)
        if name in _LIKE_FUNCS and type(args[0]) is _Logical and args[0]._phys is not None:
            # batched, so that a tensor built from it (a cotangent, a seed) can carry per-sample values
            return _logical_of(func(args[0]._phys._data, *args[1:], **kwargs), args[0]._levels)
        if name == "copyto":  # an in-place op writing a batched result into an unbatched tensor
            raise RuntimeError(
                "vmap: inplace arithmetic(self, *extra_args) is not possible because there exists a Tensor `other` in "
                "extra_args that has more elements than `self`. This happened due to `other` being vmapped over but "
                "`self` not being vmapped over in a vmap. Please try to use out-of-place operators instead."
            )
        if name == "take_along_axis":
            return _take_along_axis(*args, **kwargs)
        if name in ("reshape", "ravel", "squeeze", "expand_dims") and args and type(args[0]) is _Logical:
            return getattr(args[0], "_np_" + name)(*args[1:], **kwargs)
        if func.__name__ not in _META_FUNCS:
            raise RuntimeError(
                f"vmap: numpy.{func.__name__} was applied to a batched tensor's data outside a chainrule "
                "Function, so it has no batching rule; compute it outside vmap"
            )
        args = tuple(a.view(np.ndarray) if isinstance(a, _Logical) else a for a in args)
        return func(*args, **kwargs)

    def astype(self, dtype: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """The cast of every sample (another batched view)."""
        if self._phys is None:
            return np.ndarray.astype(self, dtype, *args, **kwargs)
        return _logical_of(self._phys._data.astype(dtype, *args, **kwargs), self._levels)

    def _batch(self) -> tuple[np.ndarray, tuple[int, ...]]:
        if self._phys is None:
            raise RuntimeError(
                "vmap: an array derived from a batched tensor outside a chainrule Function was used again; "
                "that computation has no batching rule; compute it outside vmap"
            )
        return self._phys._data, self._levels

    def __getitem__(self, key: Any) -> Any:
        """Basic indexing (ints, slices, None, ...) of every sample."""
        phys, levels = self._batch()
        key = key if isinstance(key, tuple) else (key,)
        if any(isinstance(i, (np.ndarray, list, bool, np.bool_)) for i in key):
            raise RuntimeError("vmap: advanced indexing of a batched tensor's data outside a chainrule Function has no batching rule")
        return _logical_of(np.asarray(phys[(slice(None),) * len(levels) + key]), levels)

    def reshape(self, *shape: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """Every sample reshaped."""
        phys, levels = self._batch()
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        return _logical_of(phys.reshape(phys.shape[: len(levels)] + shape, **kwargs), levels)

    def ravel(self, order: str = "C") -> Any:  # type: ignore[override]
        """Every sample flattened."""
        return self.reshape(-1)

    flatten = ravel  # type: ignore[assignment]

    def squeeze(self, axis: Any = None) -> Any:  # type: ignore[override]
        """Every sample without its size-1 dims (or those of ``axis``)."""
        phys, levels = self._batch()
        k = len(levels)
        if axis is None:
            axis = tuple(i for i, s in enumerate(self.shape) if s == 1)
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        return _logical_of(phys.squeeze(tuple(a % self.ndim + k for a in axes)), levels)

    def _np_reshape(self, shape: Any, *args: Any, **kwargs: Any) -> Any:
        return self.reshape(shape)

    def _np_ravel(self, *args: Any, **kwargs: Any) -> Any:
        return self.ravel()

    def _np_squeeze(self, axis: Any = None) -> Any:
        return self.squeeze(axis)

    def _np_expand_dims(self, axis: Any) -> Any:
        phys, levels = self._batch()
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        n = self.ndim + len(axes)
        return _logical_of(np.expand_dims(phys, tuple(a % n + len(levels) for a in axes)), levels)

    def __setitem__(self, key: Any, value: Any) -> None:
        raise RuntimeError("vmap: in-place writes into a batched tensor's data are not supported inside vmap")

    def __bool__(self) -> bool:
        raise RuntimeError(_CONTROL_FLOW)

    def item(self, *args: Any) -> Any:
        """Raises: one sample's value is not the batch's."""
        raise RuntimeError(_ITEM)

    def tolist(self) -> Any:
        """Raises, as ``item``."""
        raise RuntimeError(_ITEM)


_ITEM = (
    "vmap: It looks like you're calling .item() on a Tensor. We don't support vmap over calling .item() on a "
    "Tensor, please try to rewrite what you're doing with other operations."
)
_CONTROL_FLOW = (
    "vmap: It looks like you're attempting to use a Tensor in some data-dependent control flow. We don't "
    "support that yet, please shout over at https://github.com/pytorch/functorch/issues/257 ."
)


_META_FUNCS = frozenset({
    "shape", "ndim", "size", "result_type", "can_cast", "iscomplexobj", "isrealobj", "zeros_like",
    "ones_like", "empty_like", "full_like", "may_share_memory", "shares_memory", "min_scalar_type",
})  # fmt: skip
_LIKE_FUNCS = frozenset({"zeros_like", "ones_like", "empty_like", "full_like"})
_GLOBAL_REDUCE = (np.minimum, np.maximum, np.logical_and, np.logical_or)
# NumPy functions of one array along ``axis`` that ops call on ``_data`` (argmax, sort ...), by what
# ``axis=None`` means: "flat" — over the flattened array; "all" — over every dim; or the default axis.
_AXIS_FUNCS: dict[str, Any] = {
    "argmax": "flat", "argmin": "flat", "argsort": -1, "sort": -1, "all": "all", "any": "all",
    "flip": "all", "count_nonzero": "all", "cumsum": "flat", "cumprod": "flat", "partition": -1,
    "argpartition": -1,
}  # fmt: skip


def _axis_func(func: Any, none_means: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``func(a, axis=...)`` on a batched view: once on the physical array, the axis moved past the batch dims."""
    a, rest = args[0], list(args[1:])
    k, n = len(a._levels), a.ndim
    positional = func.__name__ not in ("partition", "argpartition") and bool(rest)
    if func.__name__ in ("partition", "argpartition"):  # (a, kth, axis=-1)
        positional = len(rest) > 1
        axis = rest[1] if positional else kwargs.get("axis", -1)
    else:
        axis = rest[0] if positional else kwargs.get("axis", none_means if isinstance(none_means, int) else None)
    phys = a._phys._data
    if axis is None:
        if none_means == "flat":
            phys, axis = phys.reshape(phys.shape[:k] + (-1,)), k
        else:
            axis = tuple(range(k, k + n))
    elif isinstance(axis, tuple):
        axis = tuple(i % n + k for i in axis)
    else:
        axis = axis % max(n, 1) + k
    if func.__name__ in ("partition", "argpartition"):
        rest = rest[:1]
    elif positional:
        rest = rest[1:]
    kwargs = {key: v for key, v in kwargs.items() if key != "axis"}
    return _logical_of(np.asarray(func(phys, *rest, axis=axis, **kwargs)), a._levels)


def _take_along_axis(arr: Any, indices: Any, axis: Any = None) -> Any:
    """``np.take_along_axis`` with batched operands: both aligned on every batch dim."""
    if axis is None:
        raise RuntimeError("vmap: numpy.take_along_axis with axis=None has no batching rule; compute it outside vmap")
    parts = [x for x in (arr, indices) if type(x) is _Logical]
    if any(x._phys is None for x in parts):
        raise RuntimeError("vmap: numpy.take_along_axis on an array derived from a batched tensor has no batching rule")
    levels = tuple(sorted({lv for x in parts for lv in x._levels}))
    sizes = sizes_of(levels)
    n = np.ndim(arr)

    def full(x: Any) -> np.ndarray:
        if type(x) is _Logical:
            shape = tuple(s if lv in x._levels else 1 for lv, s in zip(levels, sizes)) + x.shape
            return np.broadcast_to(x._phys._data.reshape(shape), sizes + x.shape)
        return np.broadcast_to(np.asarray(x), sizes + np.shape(x))

    return _logical_of(np.take_along_axis(full(arr), full(indices), axis=axis % n + len(levels)), levels)


def _logical_of(arr: np.ndarray, levels: tuple[int, ...], phys: Any = None) -> _Logical:
    """Sample 0 of the physical ``arr`` as a ``_Logical`` view that remembers the whole batch."""
    v = arr[(0,) * len(levels) + (...,)].view(_Logical)
    v._phys = _fn.Tensor._make(arr) if phys is None else phys
    v._levels = levels
    return v


def _batched_ufunc(ufunc: Any, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """An elementwise ufunc on batched views: computed once on the aligned physical arrays."""
    levels: set[int] = set()
    for i in inputs:
        if type(i) is _Logical:
            if i._phys is None:
                raise RuntimeError(
                    f"vmap: numpy.{ufunc.__name__} was applied to an array derived from a batched tensor outside a "
                    "chainrule Function, so it has no batching rule; compute it outside vmap"
                )
            levels.update(i._levels)
    lv = tuple(sorted(levels))
    rank = max(getattr(i, "ndim", 0) for i in inputs)
    sizes = sizes_of(lv)
    phys = []
    for i in inputs:
        if type(i) is _Logical:
            pad = (1,) * (rank - i.ndim)
            shape = tuple(n if v in i._levels else 1 for v, n in zip(lv, sizes)) + pad + i.shape
            phys.append(i._phys._data.reshape(shape))
        else:
            phys.append(i)
    out = ufunc(*phys, **kwargs)
    if type(out) is tuple:
        return tuple(_logical_of(np.asarray(o), lv) for o in out)
    return _logical_of(np.asarray(out), lv)


def sizes_of(levels: tuple[int, ...]) -> tuple[int, ...]:
    """The batch sizes of ``levels``."""
    size = {lv: n for lv, n, _ in levels_stack}
    return tuple(size[lv] for lv in levels)
