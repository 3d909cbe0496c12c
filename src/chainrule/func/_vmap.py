"""``vmap``: map a function over a batch dimension of its inputs, in one call per op.

``vmap(f, in_dims, out_dims)(*args)`` moves each mapped input's ``in_dim`` to the front of a
``BatchedTensor`` (see ``_batching``), runs ``f`` once on those (each op meets its batching rule and
computes the whole batch in one NumPy call), and moves the batch dim of each output to ``out_dim``.
Levels nest: an inner vmap adds a batch dim behind the outer ones.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Any

from ..autograd import function as _fn
from . import _batching as _b

__all__ = ["vmap"]

_counter = itertools.count(1)


def _name(func: Any) -> str:
    return getattr(func, "__name__", None) or repr(func)


def _leaves(tree: Any) -> list[Any]:
    if isinstance(tree, dict):
        return [x for v in tree.values() for x in _leaves(v)]
    if isinstance(tree, (list, tuple)):
        return [x for v in tree for x in _leaves(v)]
    return [tree]


def _rebuild(tree: Any, it: Any) -> Any:
    if isinstance(tree, dict):
        return {k: _rebuild(v, it) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        vals = [_rebuild(v, it) for v in tree]
        return type(tree)(*vals) if hasattr(tree, "_fields") else type(tree)(vals)
    return next(it)


def _broadcast(dims: Any, tree: Any) -> list[Any] | None:
    """One dim per leaf of ``tree``: an int/None covers a whole subtree; containers must match."""
    if dims is None or isinstance(dims, int):
        return [dims] * len(_leaves(tree))
    if isinstance(dims, (list, tuple)) and isinstance(tree, (list, tuple)) and len(dims) == len(tree):
        parts = [_broadcast(d, t) for d, t in zip(dims, tree)]
    elif isinstance(dims, dict) and isinstance(tree, dict) and set(dims) == set(tree):
        parts = [_broadcast(dims[k], tree[k]) for k in tree]
    else:
        return None
    if any(p is None for p in parts):
        return None
    return [d for p in parts for d in p]  # type: ignore[union-attr]


def vmap(
    func: Callable[..., Any],
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable[..., Any]:
    """A function that maps ``func`` over dim ``in_dims`` of its inputs, stacking the results at ``out_dims``.

    ``in_dims``: an int/None for all inputs, or a tuple with one entry per positional argument (each an
    int, None — not mapped — or a nested structure matching a dict/list/tuple argument). ``out_dims``
    likewise for the outputs. Inside ``func`` tensors show their per-sample shape. Each op runs once
    over the whole batch through its batching rule; ops without one loop over the samples (a warning
    names them). ``randomness`` ('error', 'different', 'same') says what random ops (dropout) may do;
    ``chunk_size`` maps that many samples at a time. Composes with ``grad``/``jacrev`` and nests.

    Example:
        >>> import chainrule as cr
        >>> cr.func.vmap(cr.dot)(cr.ones(3, 2), cr.ones(3, 2))
        tensor([2., 2., 2.])
    """
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got {randomness}")
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        name = _name(func)
        if not isinstance(in_dims, (int, tuple)) or isinstance(in_dims, bool):
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a (potentially "
                f"nested) tuple matching the structure of inputs, got: {type(in_dims)}."
            )
        if not args:
            raise ValueError(
                f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are trying to "
                "vmap over a function with no inputs. The latter is unsupported."
            )
        flat_dims = _broadcast(in_dims, args)
        if flat_dims is None:
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the structure "
                "of `inputs`."
            )
        flat = _leaves(args)
        size = None
        norm = []
        for x, d in zip(flat, flat_dims):
            if d is not None and not isinstance(d, int):
                raise ValueError(
                    f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input but in_dim must "
                    "be either an integer dimension or None."
                )
            if d is not None and not isinstance(x, _fn.Tensor):
                raise ValueError(
                    f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input but the input is "
                    f"of type {type(x)}. We cannot vmap over non-Tensor arguments, please use None as the "
                    "respective in_dim"
                )
            if d is not None:
                n = x.dim()
                if not -n <= d < n:
                    raise ValueError(
                        f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some input, but that "
                        f"input is a Tensor of dimensionality {n} so expected in_dim to satisfy -{n} <= in_dim < {n}."
                    )
                d %= n
                if size is not None and x.shape[d] != size:
                    sizes = [t.shape[e % t.dim()] for t, e in zip(flat, flat_dims) if e is not None]
                    raise ValueError(
                        "vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                        f"{sizes} for the mapped dimension"
                    )
                size = x.shape[d]
            norm.append(d)
        if size is None:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if chunk_size is not None and size > chunk_size:
            return _chunked(wrapped_once, args, kwargs, flat, norm, size, chunk_size, out_dims)
        return wrapped_once(args, kwargs, flat, norm, size)

    def wrapped_once(args: Any, kwargs: Any, flat: list[Any], norm: list[Any], size: int) -> Any:
        level = next(_counter)
        _b.levels_stack.append([level, size, randomness])
        _fn._vmap[0] = _b.apply
        try:
            batched = [x if d is None else _add_level(x, d, level) for x, d in zip(flat, norm)]
            out = func(*_rebuild(args, iter(batched)), **kwargs)
            return _unwrap(out, level, size, out_dims, _name(func))
        finally:
            _b.levels_stack.pop()
            if not _b.levels_stack:
                _fn._vmap[0] = None

    return wrapped


def _add_level(x: Any, d: int, level: int) -> Any:
    """``x`` with its dim ``d`` as the batch dim of ``level`` (behind the batch dims it already has)."""
    b = _b.as_batched(x)
    if b is None:
        return _b.wrap(x.movedim(d, 0) if d else x, (level,))
    k = len(b._levels)
    return _b.wrap(b._phys.movedim(k + d, k) if d else b._phys, (*b._levels, level))


def _unwrap(out: Any, level: int, size: int, out_dims: Any, name: str) -> Any:
    """Move the batch dim of ``level`` of every output to its ``out_dim``."""
    flat_dims = _broadcast(out_dims, out)
    if flat_dims is None and isinstance(out_dims, tuple) and len(out_dims) == 1:
        flat_dims = _broadcast(out_dims[0], out)
    if flat_dims is None:
        raise ValueError(
            f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with the structure of "
            "`outputs`."
        )
    res = []
    for o, d in zip(_leaves(out), flat_dims):
        if d is not None and not isinstance(d, int):
            raise ValueError(
                f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, None or a python collection "
                "of ints representing where in the outputs the vmapped dimension should appear."
            )
        b = _b.as_batched(o) if isinstance(o, _fn.Tensor) else None
        if d is None:
            if b is not None and level in b._levels:
                raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is None")
            res.append(o)
            continue
        if not isinstance(o, _fn.Tensor):
            raise ValueError(
                f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(o)}. Did you mean to set "
                "out_dims= to None for output?"
            )
        n = o.dim() + 1
        if not -n <= d < n:
            raise IndexError(f"vmap: out_dim {d} is out of range for an output of {n} dims (expected [{-n}, {n - 1}])")
        d %= n
        if b is None or level not in b._levels:  # not batched here: the same value for every sample
            p, levels = (o, ()) if b is None else (b._phys, b._levels)
            k = len(levels)
            p = p.unsqueeze(k + d)
            shape = list(p.shape)
            shape[k + d] = size
            res.append(_b.wrap(p.expand(shape), levels))
            continue
        j = b._levels.index(level)
        rest = b._levels[:j] + b._levels[j + 1:]
        p = b._phys
        if j != len(rest) + d:
            p = p.movedim(j, len(rest) + d)
        res.append(_b.wrap(p, rest))
    return _rebuild(out, iter(res))


def _chunked(run: Callable[..., Any], args: Any, kwargs: Any, flat: list[Any], norm: list[Any], size: int,
             chunk: int, out_dims: Any) -> Any:  # fmt: skip
    """``vmap`` with ``chunk_size``: the batch in pieces, the outputs concatenated along their out_dims."""
    from .. import ops

    outs = []
    for lo in range(0, size, chunk):
        n = min(chunk, size - lo)
        part = [x if d is None else x.narrow(d, lo, n) for x, d in zip(flat, norm)]
        outs.append(run(args, kwargs, part, norm, n))
    dims = _broadcast(out_dims, outs[0])
    if dims is None:
        dims = _broadcast(out_dims[0], outs[0])
    leaves = [_leaves(o) for o in outs]
    res = [leaves[0][i] if d is None else ops.cat([lv[i] for lv in leaves], dim=d) for i, d in enumerate(dims)]
    return _rebuild(outs[0], iter(res))
