"""Batched tensors for ``vmap``: a Tensor whose physical array carries the batch dimensions in front.

A ``BatchedTensor`` wraps a *physical* Tensor ``_phys`` whose leading dims are one batch dim per vmap
level it is batched at (``_levels``, ascending: outer vmaps first), followed by the per-sample
(*logical*) dims. Inside the vmapped function it behaves like one sample: ``shape``, ``dim()``,
``size()`` and the array ``_data`` that ops read their metadata from are logical — ``_data`` is a
read-only view of sample 0 that refuses to compute (``_Logical``), so an op that would compute on it
outside a ``Function`` fails loudly instead of silently using one sample.

Every op is a ``Function``; while a vmap runs, ``Function.apply`` hands any call with a batched
argument to ``apply`` below, which looks up the op's batching rule (``register``): the rule calls the
same ``Function`` once on the physical tensors (dims shifted past the batch dims, ranks aligned), so
a batch costs one NumPy call per op. Autograd records that physical call, hence backward inside vmap
is batched for free. An op without a rule runs once per sample (``_loop``) after a one-time warning.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd import function as _fn

__all__ = ["BatchedTensor", "register", "rule_for", "apply", "physical", "wrap", "is_batched"]

# The active vmap levels, outermost first: [level, batch size, randomness]; empty outside vmap.
levels_stack: list[list[Any]] = []
_RULES: dict[type, Callable[..., Any]] = {}
_WARNED: set[str] = set()
_new = object.__new__


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


class BatchedTensor(_fn.Tensor):
    """A tensor inside ``vmap``: per-sample (logical) shape outside, a physical Tensor with the batch
    dims in front (``_phys``, one per level in ``_levels``) inside. Built by ``vmap``; not public."""

    __slots__ = ("_phys", "_levels")

    @property  # type: ignore[override]
    def _requires_grad(self) -> bool:
        return self._phys._requires_grad

    @_requires_grad.setter
    def _requires_grad(self, value: bool) -> None:
        self._phys._requires_grad = value

    @property  # type: ignore[override]
    def _grad_fn(self) -> Any:
        return None  # the graph lives on the physical tensor

    @_grad_fn.setter
    def _grad_fn(self, value: Any) -> None:
        pass

    @property
    def grad_fn(self) -> Any:
        """The physical tensor's graph node."""
        return self._phys._grad_fn

    def requires_grad_(self, requires_grad: bool = True) -> Any:
        """Set ``requires_grad`` on the physical tensor (a leaf); returns self."""
        self._phys.requires_grad_(requires_grad)
        return self

    def detach(self) -> Any:
        """The same batched values cut from the graph."""
        return wrap(self._phys.detach(), self._levels)

    def item(self) -> Any:
        """Raises: a per-sample value is not one Python number inside vmap (data-dependent control flow)."""
        raise RuntimeError(_ITEM)

    def tolist(self) -> Any:
        """Raises, as ``item``: the values differ per sample."""
        return self.item()

    def __bool__(self) -> bool:
        """Raises: data-dependent control flow is not supported inside vmap (as in PyTorch)."""
        raise RuntimeError(_CONTROL_FLOW)

    def numpy(self, force: bool = False) -> np.ndarray:
        """Raises: the per-sample values are not one NumPy array inside vmap."""
        raise RuntimeError("vmap: numpy() is not supported on a batched tensor inside vmap")

    def __repr__(self) -> str:
        """``BatchedTensor(lvl=..., bdim=0, value=<physical tensor>)``, one level per line, as PyTorch."""
        return f"BatchedTensor(lvls={list(self._levels)}, bdims=0.., value=\n{self._phys!r})"


def is_batched(x: Any) -> bool:
    """True for a tensor batched at some vmap level."""
    return type(x) is BatchedTensor


def wrap(phys: Any, levels: tuple[int, ...]) -> Any:
    """``phys`` (batch dims of ``levels`` in front) as a BatchedTensor; a plain tensor for no levels."""
    if not levels:
        return phys
    t = _new(BatchedTensor)
    t._phys = phys
    t._levels = levels
    t._data = _logical_of(phys._data, levels, phys)
    t._grad = None
    t._output_nr = 0
    t._vc = None
    t._hooks = None
    t._post_hooks = None
    t._retains_grad = False
    return t


def sizes_of(levels: tuple[int, ...]) -> tuple[int, ...]:
    """The batch sizes of ``levels``."""
    size = {lv: n for lv, n, _ in levels_stack}
    return tuple(size[lv] for lv in levels)


def physical(t: Any, levels: tuple[int, ...], rank: int | None = None, full: bool = False) -> Any:
    """``t`` as a physical Tensor with one batch dim per level of ``levels`` (size 1 where ``t`` is not
    batched at it, or the full batch size with ``full``), its logical dims left-padded with 1s to ``rank``.
    A plain tensor stays as is unless ``rank`` or ``full`` ask for more."""
    if type(t) is BatchedTensor:
        p, own, lshape = t._phys, t._levels, t._data.shape
    else:
        if rank is None and not full:
            return t
        p = t if isinstance(t, _fn.Tensor) else _fn.Tensor._make(np.asarray(t))
        own, lshape = (), p._data.shape
    sizes = sizes_of(levels)
    pad = 0 if rank is None else max(rank - len(lshape), 0)
    shape = tuple(n if lv in own else 1 for lv, n in zip(levels, sizes)) + (1,) * pad + tuple(lshape)
    if p._data.shape != shape:
        p = p.reshape(shape)
    if full and shape[: len(levels)] != sizes:
        p = p.expand(sizes + shape[len(levels):])
    return p


def register(*classes: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: the batching rule ``rule(cls, args, levels)`` of the given Function classes.

    The rule returns the physical output(s) (batch dims of ``levels`` in front) or ``NotImplemented``
    for a case it does not cover (the per-sample loop then runs).
    """

    def deco(rule: Callable[..., Any]) -> Callable[..., Any]:
        for c in classes:
            _RULES[c] = rule
        return rule

    return deco


def rule_for(cls: type) -> Callable[..., Any] | None:
    """The batching rule registered for ``cls`` (None: the per-sample loop)."""
    _load_rules()
    return _RULES.get(cls)


_loaded = [False]


def _load_rules() -> None:
    if not _loaded[0]:
        _loaded[0] = True
        from . import _rules_nn, _rules_tensor  # noqa: F401  (register on import)


def as_batched(a: Any) -> Any:
    """``a`` as a BatchedTensor if it carries a batch (a BatchedTensor, a Tensor or array whose data is a
    batched view), else None."""
    if type(a) is BatchedTensor:
        return a
    arr = a._data if isinstance(a, _fn.Tensor) else a
    if type(arr) is not _Logical:
        return None
    if arr._phys is None:
        raise RuntimeError(
            "vmap: an array derived from a batched tensor outside a chainrule Function reached an op; "
            "that computation has no batching rule; compute it outside vmap"
        )
    if isinstance(a, _fn.Tensor) and a._requires_grad and not arr._phys._requires_grad and arr._phys._grad_fn is None:
        arr._phys._requires_grad = True  # a tensor made from batched data, then marked requires_grad (a leaf)
    return wrap(arr._phys if isinstance(a, _fn.Tensor) else arr._phys.detach(), arr._levels)


def apply(cls: type, args: tuple[Any, ...]) -> Any:
    """``cls.apply(*args)`` with batched arguments: its rule, or a loop; ``NotImplemented`` if none is
    batched (``Function.apply`` then proceeds as usual)."""
    levels: set[int] = set()
    new = None
    for i, a in enumerate(args):
        b = as_batched(a)
        if b is not None:
            levels.update(b._levels)
            if b is not a:
                new = list(args) if new is None else new
                new[i] = b
    if not levels:
        return NotImplemented
    if new is not None:
        args = tuple(new)
    lv = tuple(sorted(levels))
    rule = rule_for(cls)
    out = NotImplemented if rule is None else rule(cls, args, lv)
    if out is NotImplemented:
        return _loop(cls, args, lv)
    return tuple(_full(o, lv) for o in out) if type(out) is tuple else _full(out, lv)


def _full(out: Any, levels: tuple[int, ...]) -> Any:
    if type(out) is BatchedTensor:
        return out if out._levels == levels else wrap(physical(out, levels, full=True), levels)
    sizes = sizes_of(levels)
    k = len(levels)
    if out._data.shape[:k] != sizes:
        out = out.expand(sizes + out._data.shape[k:])
    return wrap(out, levels)


def _loop(cls: type, args: tuple[Any, ...], levels: tuple[int, ...]) -> Any:
    """The fallback: ``cls.apply`` once per sample (recorded, so gradients flow), results stacked."""
    from .. import ops

    name = cls.__name__
    if name not in _WARNED:
        _WARNED.add(name)
        warnings.warn(
            f"vmap: there is a performance drop because the batching rule for {name} is not implemented "
            "yet; falling back to a loop over the batch",
            UserWarning,
            stacklevel=4,
        )
    sizes = sizes_of(levels)
    total = math.prod(sizes)
    flat = [
        physical(a, levels, full=True).reshape((total, *a._data.shape)) if type(a) is BatchedTensor else None
        for a in args
    ]
    results = []
    for i in range(total):
        results.append(cls.apply(*[a if f is None else f[i] for a, f in zip(args, flat)]))
    if type(results[0]) is tuple:
        outs = [ops.stack([r[j] for r in results]) for j in range(len(results[0]))]
        return tuple(wrap(o.reshape(sizes + o._data.shape[1:]), levels) for o in outs)
    o = ops.stack(results)
    return wrap(o.reshape(sizes + o._data.shape[1:]), levels)


def active_levels() -> tuple[int, ...]:
    """The levels of the vmaps now running, outermost first (empty outside vmap)."""
    return tuple(lv for lv, _, _ in levels_stack)


def expand_to_active(t: Any) -> Any:
    """``t`` batched at every active vmap level (materialized), recorded if ``t`` is — so that the
    gradient a transform inside vmap takes with respect to it is per sample rather than summed."""
    levels = active_levels()
    b = as_batched(t)
    if b is not None and b._levels == levels:
        p = b._phys
        return wrap(p.view_as(p) if p._requires_grad else p.detach().requires_grad_(True), levels)
    p = physical(t if b is None else b, levels, full=True)
    if p._requires_grad:
        return wrap(p.contiguous() if p._grad_fn is None else p, levels)
    return wrap(_fn.Tensor._make(np.ascontiguousarray(p._data)).requires_grad_(True), levels)


def inplace(t: Any, name: str, op: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``t.op_(...)`` on a batched tensor: the op out of place (batched, recorded), then ``t`` takes the
    result; the result may not be batched at a level ``t`` is not (as in PyTorch)."""
    b = as_batched(t)
    out = as_batched(op(t, *args, **kwargs))
    levels = b._levels
    if out is not None and not set(out._levels) <= set(levels):
        raise RuntimeError(
            f"vmap: {name}(self, *extra_args) is not possible because there exists a Tensor `other` in extra_args "
            "that has more elements than `self`. This happened due to `other` being vmapped over but `self` not "
            "being vmapped over in a vmap. Please try to use out-of-place operators instead."
        )
    phys = physical(op(t, *args, **kwargs) if out is None else out, levels, full=True)
    if type(t) is BatchedTensor:
        t._phys = phys
    t._data = _logical_of(phys._data, levels, phys)
    return t


def batched_grad(grad: Callable[..., Any], outputs: Any, inputs: Any, grad_outputs: Any, **kw: Any) -> Any:
    """``autograd.grad`` on batched tensors: run on the physical tensors, gradients batched as the
    inputs; ``NotImplemented`` when nothing is batched."""
    outs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    ins = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if grad_outputs is None:
        gos = [None] * len(outs)
    else:
        gos = list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) else [grad_outputs]
    bo, bi, bg = [as_batched(o) for o in outs], [as_batched(t) for t in ins], [as_batched(g) for g in gos]
    if all(b is None for b in bo + bi + bg):
        return NotImplemented
    levels = tuple(sorted({lv for b in bo + bi + bg if b is not None for lv in b._levels}))
    p_outs, p_gos = [], []
    for o, b, g, gb in zip(outs, bo, gos, bg):
        po = physical(o if b is None else b, levels, full=True)
        if g is None:
            if o._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            pg = _fn.Tensor._make(np.ones(po._data.shape, po._data.dtype))
        else:
            pg = physical(g if gb is None else gb, levels, full=True)
        p_outs.append(po)
        p_gos.append(pg)
    p_ins = [t if b is None else b._phys for t, b in zip(ins, bi)]
    res = grad(p_outs, p_ins, p_gos, **kw)
    return tuple(None if g is None else wrap(g, () if b is None else b._levels) for g, b in zip(res, bi))
