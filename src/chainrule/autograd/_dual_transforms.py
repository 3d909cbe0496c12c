"""Jacobian-vector products and forward-mode Jacobians with dual numbers (``forward_ad``).

``func.jvp``, ``func.jacfwd`` and ``autograd.functional.jacobian(strategy="forward-mode")`` use these
when no dual level is active yet: one forward pass gives J·v, and the Jacobian is built column by
column (one pass per input element). When an op inside has no forward-mode support
(``ForwardADNotImplemented``) — or a dual level is already active (levels do not nest) — the callers
fall back to the double-vjp trick.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import forward_ad as _fad
from . import function as _fn
from ._jvp import ForwardADNotImplemented

__all__ = ["available", "jvp_dual", "jacobian_dual", "ForwardADNotImplemented"]


def available() -> bool:
    """True when a new dual level can be entered (none is active) and no ``vmap`` is running (batched
    tensors carry no tangents yet; the transforms then use the double-vjp trick, which vmap batches)."""
    return _fad._current[0] is None and _fn._vmap[0] is None


def _unpack(outs: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    primals, tangents = [], []
    for o in outs:
        if not isinstance(o, _fn.Tensor):
            raise TypeError(f"jvp: the function must return Tensors, but returned {type(o).__name__}")
        p, t = _fad.unpack_dual(o)
        primals.append(p)
        tangents.append(t if t is not None else _fn.Tensor._make(np.zeros_like(o._data)))
    return primals, tangents


def jvp_dual(func: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any],
             has_aux: bool = False) -> tuple[Any, list[Any], list[Any], Any]:  # fmt: skip
    """(raw output, primal outputs, tangent outputs, aux) of ``func`` at ``primals`` in direction ``tangents``."""
    with _fad.dual_level():
        duals = [_fad.make_dual(p, t) for p, t in zip(primals, tangents)]
        out = func(*duals)
        aux = None
        if has_aux:
            out, aux = out
        outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        ps, ts = _unpack(outs)
    return out, ps, ts, aux


def jacobian_dual(
    func: Callable[..., Any], args: Sequence[Any], nums: Sequence[int], kwargs: Any = None, has_aux: bool = False
) -> tuple[Any, list[list[Any]], Any]:
    """(output, blocks[i][k] = ∂out_i/∂args[nums[k]] shaped ``out_i.shape + arg.shape``, aux): one
    dual forward pass per element of each differentiated argument (the Jacobian's columns)."""
    import chainrule as cr

    kwargs = kwargs or {}
    out = aux = None
    cols: list[list[list[Any]]] = []
    for k in nums:
        x = args[k]
        flat_basis = np.eye(x._data.size, dtype=x._data.dtype)
        per_out: list[list[Any]] | None = None
        for j in range(x._data.size):
            a = list(args)
            e = _fn.Tensor._make(flat_basis[j].reshape(x._data.shape))
            with _fad.dual_level():
                a[k] = _fad.make_dual(x, e)
                res = func(*a, **kwargs)
                if has_aux:
                    res, aux = res
                outs = tuple(res) if isinstance(res, (tuple, list)) else (res,)
                ps, ts = _unpack(outs)
            if out is None:
                out = type(res)(ps) if isinstance(res, (tuple, list)) else ps[0]
            if per_out is None:
                per_out = [[] for _ in outs]
            for i, t in enumerate(ts):
                per_out[i].append(t.reshape(-1))
        if per_out is None:  # an empty input: run once for the outputs' shapes
            res = func(*args, **kwargs)
            if has_aux:
                res, aux = res
            outs = tuple(res) if isinstance(res, (tuple, list)) else (res,)
            out = res
            per_out = [[] for _ in outs]
            cols.append([[] for _ in outs])
            continue
        cols.append(per_out)
    outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    blocks: list[list[Any]] = []
    for i, o in enumerate(outs):
        row = []
        for kk, k in enumerate(nums):
            shape = tuple(o.shape) + tuple(args[k].shape)
            c = cols[kk][i]
            row.append(cr.stack(c, dim=-1).reshape(shape) if c else _fn.Tensor._make(np.zeros(shape, o._data.dtype)))
        blocks.append(row)
    return out, blocks, aux
