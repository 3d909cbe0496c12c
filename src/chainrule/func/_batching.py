"""Batched tensors for ``vmap``: a Tensor whose physical array carries the batch dimensions in front.

A ``BatchedTensor`` wraps a *physical* Tensor ``_phys`` whose leading dims are one batch dim per vmap
level it is batched at (``_levels``, ascending: outer vmaps first), followed by the per-sample
(*logical*) dims. Inside the vmapped function it behaves like one sample: ``shape``, ``dim()``,
``size()`` and the array ``_data`` that ops read their metadata from are logical — ``_data`` is
sample 0 as a view that remembers the batch (``_logical.py``), so NumPy code an op runs on it outside a
``Function`` covers every sample or fails loudly, never silently uses one sample.

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
from ._logical import _CONTROL_FLOW, _ITEM, _Logical, _logical_of, levels_stack, sizes_of

__all__ = ["BatchedTensor", "register", "rule_for", "apply", "physical", "wrap"]

_RULES: dict[type, Callable[..., Any]] = {}
_WARNED: set[str] = set()
_new = object.__new__


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
    """The batching rule registered for ``cls`` or a family it belongs to (None: the per-sample loop)."""
    _load_rules()
    rule = _RULES.get(cls)
    if rule is None:
        for base, family_rule in _FAMILIES:
            if issubclass(cls, base):
                rule = _RULES[cls] = family_rule
                break
    return rule


_FAMILIES: list[tuple[type, Callable[..., Any]]] = []  # (mixin, rule) for families defined across modules


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
    nested = False
    for i, a in enumerate(args):
        b = as_batched(a)
        if b is not None:
            levels.update(b._levels)
            if b is not a:
                new = list(args) if new is None else new
                new[i] = b
        elif type(a) is tuple or type(a) is list:  # index arrays inside a tuple (advanced indexing ...)
            for e in a:
                eb = as_batched(e) if isinstance(e, (_fn.Tensor, np.ndarray)) else None
                if eb is not None:
                    levels.update(eb._levels)
                    nested = True
    if not levels:
        return NotImplemented
    if new is not None:
        args = tuple(new)
    lv = tuple(sorted(levels))
    rule = rule_for(cls)
    if nested and not getattr(rule, "sees_nested", False):  # entries of containers: one call per sample
        return _loop(cls, args, lv)
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

    def per_sample(a: Any) -> Any:
        """``a`` as a function of the sample index (batched entries of tuples/lists too), or None if unbatched."""
        if type(a) is tuple or type(a) is list:
            parts = [per_sample(e) for e in a]
            if all(p is None for p in parts):
                return None
            return lambda i: type(a)(e if p is None else p(i) for e, p in zip(a, parts))
        b = as_batched(a) if isinstance(a, (_fn.Tensor, np.ndarray)) else None
        if b is None:
            return None
        flat = physical(b, levels, full=True).reshape((total, *b._data.shape))
        if isinstance(a, _fn.Tensor):
            return flat.__getitem__  # recorded: gradients flow to every sample
        arr = flat._data
        return arr.__getitem__  # a plain array argument (indices ...) stays a plain array

    slicers = [per_sample(a) for a in args]
    results = []
    for i in range(total):
        results.append(cls.apply(*[a if f is None else f(i) for a, f in zip(args, slicers)]))
    if type(results[0]) is tuple:
        outs = [ops.stack([r[j] for r in results]) for j in range(len(results[0]))]
        return tuple(wrap(o.reshape(sizes + o._data.shape[1:]), levels) for o in outs)
    o = ops.stack(results)
    return wrap(o.reshape(sizes + o._data.shape[1:]), levels)


def random_levels(op: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """For a random draw (``rand`` ...) inside vmap: the batch sizes and levels that want one draw per
    sample (randomness='different'); a RuntimeError if a vmap running has randomness='error'."""
    if any(mode == "error" for _, _, mode in levels_stack):
        raise RuntimeError(
            f"vmap: called random operation while in randomness error mode ({op}). Please either use the 'same' "
            "or 'different' randomness flags on vmap or perform the randomness operation out of vmap"
        )
    different = [(lv, n) for lv, n, mode in levels_stack if mode == "different"]
    return tuple(n for _, n in different), tuple(lv for lv, _ in different)


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
    if all(b is None for b in bo + bi):
        return _grad_per_cotangent(grad, outs, ins, gos, bg, levels, kw)
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


def _grad_per_cotangent(grad: Callable[..., Any], outs: list[Any], ins: list[Any], gos: list[Any],
                        bg: list[Any], levels: tuple[int, ...], kw: dict[str, Any]) -> tuple[Any, ...]:
    """Only the cotangents are batched (``vmap(vjp_fn)(cotangents)``, the rows of a Jacobian): the graph
    was built once, outside the vmap, so each batch entry v gets its own backward, vᵀ·J, and the results
    are stacked along the batch dims (summing them, as one backward over the expanded outputs would, is wrong).
    """
    p_gos = [None if g is None else physical(g if b is None else b, levels, full=True) for g, b in zip(gos, bg)]
    sizes = sizes_of(levels)
    rows: list[tuple[Any, ...]] = []
    entries = list(np.ndindex(*sizes))
    for n, idx in enumerate(entries):
        step = dict(kw)
        if n < len(entries) - 1:
            step["retain_graph"] = True  # the same graph serves every entry
        rows.append(grad(outs, ins, [None if pg is None else pg[idx] for pg in p_gos], **step))
    from ..ops import stack

    result = []
    for i in range(len(ins)):
        col = [r[i] for r in rows]
        if all(g is None for g in col):
            result.append(None)
            continue
        col = [_fn.Tensor._make(np.zeros_like(ins[i]._data)) if g is None else g for g in col]
        result.append(wrap(stack(col).reshape(sizes + tuple(ins[i].shape)), levels))
    return tuple(result)
