"""``chainrule.func``: function transforms in ``torch.func``'s form — ``grad``, ``grad_and_value``,
``vjp``, ``jvp``, ``jacrev``, ``jacfwd``, ``hessian``, ``vmap`` and ``functional_call``.

Each transform returns a new function. They compose (``grad(grad(f))``, ``jacfwd(jacrev(f))``):
a transform called on inputs that already carry a graph — because an outer transform is
differentiating — records its own backward (``create_graph=True``), so the outer one can
differentiate through it. ``jvp`` and ``jacfwd`` run forward mode with dual numbers
(``autograd.forward_ad``), falling back to the double-vjp trick (see ``autograd.functional``) when an
op has no forward-mode support or a dual level is already active.
``vmap`` batches for real (one NumPy call per op over the whole batch, through
each op's batching rule; see ``_vmap`` and ``_batching``); a transform inside it differentiates a
per-sample copy of its inputs, so ``vmap(grad(loss), in_dims=(None, 0, 0))`` gives per-sample gradients.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..autograd import _dual_transforms as _dual
from ..autograd import forward_ad as _fad
from ..autograd import function as _fn
from ..autograd.grad_mode import enable_grad
from . import _batching
from ._vmap import vmap

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "functional_call", "vmap"]


def _argnums(argnums: Any, n: int, op: str) -> tuple[tuple[int, ...], bool]:
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)
    if not nums:
        raise RuntimeError(f"{op}: argnums must be non-empty")
    for a in nums:
        if not isinstance(a, int) or not -n <= a < n:
            raise RuntimeError(f"{op}: got argnums={argnums!r}; expected ints in [{-n}, {n}) for {n} positional arguments")
    return tuple(a % n for a in nums), single


def _flatten(x: Any) -> tuple[list[Any], Callable[[list[Any]], Any]]:
    """The Tensors of a pytree (Tensor, or dict/list/tuple nesting them) and how to rebuild it."""
    if isinstance(x, dict):
        keys = list(x)
        parts = [_flatten(x[k]) for k in keys]
    elif isinstance(x, (list, tuple)):
        keys = None
        parts = [_flatten(v) for v in x]
    else:
        return [x], lambda leaves: leaves[0]
    sizes = [len(p[0]) for p in parts]

    def rebuild(leaves: list[Any]) -> Any:
        out, i = [], 0
        for (_, fn), n in zip(parts, sizes):
            out.append(fn(leaves[i:i + n]))
            i += n
        if keys is not None:
            return dict(zip(keys, out))
        return type(x)(out)

    return [t for p in parts for t in p[0]], rebuild


def _wrap_inputs(args: tuple[Any, ...], nums: tuple[int, ...], op: str) -> tuple[list[Any], bool]:
    """Differentiable stand-ins for the Tensors of ``args[k]``, k in nums (pytrees of Tensors allowed);
    True when an outer transform is recording."""
    Tensor = _fn.Tensor
    args = list(args)
    nested = False
    in_vmap = bool(_batching.levels_stack)
    for k in nums:
        leaves, rebuild = _flatten(args[k])
        new = []
        for t in leaves:
            if not isinstance(t, Tensor):
                raise TypeError(
                    f"{op}: argument {k} must be a Tensor (or a dict/list/tuple of Tensors) to differentiate "
                    f"with respect to it, got {type(t).__name__}"
                )
            nested = nested or t.requires_grad
            if in_vmap:  # a per-sample copy, so its gradient keeps the batch dims instead of summing them
                new.append(_batching.expand_to_active(t))
            elif t.requires_grad:
                nested = True
                new.append(t.view_as(t))
            elif _fad._tangent(t) is not None:  # a dual input (inside jacfwd/jvp): keep its tangent
                nested = True
                new.append(_fad._carry(t, t.detach().requires_grad_(True)))
            else:
                new.append(t.detach().requires_grad_(True))
        args[k] = rebuild(new)
    return args, nested


def _grad_tree(out: Any, xs: list[Any], nums: tuple[int, ...], create: bool) -> list[Any]:
    """Gradients of scalar ``out`` for each ``xs[k]`` (k in nums), shaped as those pytrees."""
    flat = [_flatten(xs[k]) for k in nums]
    leaves = [t for f in flat for t in f[0]]
    gs = _grad([out], leaves, [_fn.Tensor._make(np.ones_like(out._data))], create)
    res, i = [], 0
    for ls, rebuild in flat:
        res.append(rebuild([_done(g, create) for g in gs[i:i + len(ls)]]))
        i += len(ls)
    return res


def _grad(outs: Sequence[Any], ins: Sequence[Any], gos: Sequence[Any], create: bool) -> tuple[Any, ...]:
    from ..autograd import grad as autograd_grad

    pairs = [(o, g) for o, g in zip(outs, gos) if o.requires_grad]
    if not pairs:
        return tuple(_fn.Tensor._make(np.zeros_like(t._data)) for t in ins)
    res = autograd_grad([o for o, _ in pairs], list(ins), [g for _, g in pairs], create_graph=create, allow_unused=True)
    return tuple(_fn.Tensor._make(np.zeros_like(t._data)) if r is None else r for r, t in zip(res, ins))


def _done(t: Any, nested: bool) -> Any:
    return t if nested else t.detach()


def grad_and_value(func: Callable[..., Any], argnums: Any = 0, has_aux: bool = False) -> Callable[..., Any]:
    """A function returning (∂func/∂args[argnums], func(args)); with ``has_aux`` func returns
    (output, aux) and the result is (grads, (output, aux))."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums, single = _argnums(argnums, len(args), "grad_and_value")
        with enable_grad():
            xs, nested = _wrap_inputs(args, nums, "grad_and_value")
            out = func(*xs, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f should be a tuple: (output, aux) if has_aux is True")
                out, aux = out
            if not isinstance(out, _fn.Tensor) or out.numel() != 1:
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                    f"{type(out).__name__}{'' if not isinstance(out, _fn.Tensor) else ' of shape ' + str(list(out.shape))}"
                )
            gs = _grad_tree(out, xs, nums, nested)
        g = gs[0] if single else tuple(gs)
        value = _done(out, nested)
        return (g, (value, aux)) if has_aux else (g, value)

    return wrapper


def grad(func: Callable[..., Any], argnums: Any = 0, has_aux: bool = False) -> Callable[..., Any]:
    """A function returning ∂func/∂args[argnums] of a scalar ``func`` (with ``has_aux``: (grads, aux)).

    Example:
        >>> import chainrule as cr
        >>> cr.func.grad(cr.sin)(cr.tensor(0.0))
        tensor(1.)
    """
    gv = grad_and_value(func, argnums, has_aux)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> Any:
    """(func(primals), vjp_fn): ``vjp_fn(cotangents)`` returns one vᵀ·∂func/∂primal per primal."""
    nums = tuple(range(len(primals)))
    with enable_grad():
        xs, nested = _wrap_inputs(primals, nums, "vjp")
        out = func(*xs)
    aux = None
    if has_aux:
        out, aux = out
    outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)

    def vjp_fn(*cotangents: Any) -> tuple[Any, ...]:
        cts = cotangents[0] if len(cotangents) == 1 and isinstance(out, (tuple, list)) else cotangents
        cts = tuple(cts) if isinstance(cts, (tuple, list)) else (cts,)
        if len(cts) != len(outs):
            raise RuntimeError(f"vjp_fn: expected {len(outs)} cotangent(s), got {len(cts)}")
        create = nested or any(isinstance(c, _fn.Tensor) and c.requires_grad for c in cts)
        with enable_grad():
            gs = _grad(outs, xs, cts, True)  # keep the graph: vjp_fn may be called again
        return tuple(_done(g, create) for g in gs)

    value = out if nested else (type(out)(o.detach() for o in out) if isinstance(out, (tuple, list)) else out.detach())
    return (value, vjp_fn, aux) if has_aux else (value, vjp_fn)


def jvp(func: Callable[..., Any], primals: Any, tangents: Any, *, has_aux: bool = False) -> Any:
    """(func(primals), J·tangents) in one forward pass with dual numbers; ``primals``/``tangents`` are tuples.

    Example:
        >>> import chainrule as cr
        >>> cr.func.jvp(cr.sin, (cr.tensor([0.0, 1.0]),), (cr.tensor([1.0, 1.0]),))[1]
        tensor([1.0000, 0.5403])
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to be tuples")
    if len(primals) != len(tangents):
        raise RuntimeError(f"jvp: expected as many tangents as primals; got {len(tangents)} and {len(primals)}")
    for i, (p, t) in enumerate(zip(primals, tangents)):
        if not isinstance(p, _fn.Tensor) or not isinstance(t, _fn.Tensor):
            raise RuntimeError(f"jvp: expected primals and tangents to be Tensors; entry {i} is not")
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(
                f"jvp: Expected primals and tangents to have the same shape; entry {i} has primal shape "
                f"{list(p.shape)} and tangent shape {list(t.shape)}"
            )
    if _dual.available():
        try:
            return _jvp_forward(func, primals, tangents, has_aux)
        except _dual.ForwardADNotImplemented:
            pass  # an op without forward mode: the double-vjp trick below
    return _jvp_double_vjp(func, primals, tangents, has_aux)


def _jvp_forward(func: Callable[..., Any], primals: Any, tangents: Any, has_aux: bool) -> Any:
    nested = any(p.requires_grad or t.requires_grad for p, t in zip(primals, tangents))
    out, ps, ts, aux = _dual.jvp_dual(func, primals, tangents, has_aux)
    ps = [_done(p, nested) for p in ps]
    ts = [_done(t, nested) for t in ts]
    result = (ps[0], ts[0]) if not isinstance(out, (tuple, list)) else (tuple(ps), tuple(ts))
    return (*result, aux) if has_aux else result


def _jvp_double_vjp(func: Callable[..., Any], primals: Any, tangents: Any, has_aux: bool) -> Any:
    """(func(primals), J·tangents) by the double-vjp trick: two backwards."""
    nums = tuple(range(len(primals)))
    with enable_grad():
        xs, nested = _wrap_inputs(tuple(primals), nums, "jvp")
        out = func(*xs)
        aux = None
        if has_aux:
            out, aux = out
        outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        us = [_fn.Tensor._make(np.zeros_like(o._data)).requires_grad_(True) for o in outs]
        g = _grad(outs, xs, us, True)
        ts = _grad(g, us, list(tangents), True)
    ts = tuple(_done(t, nested) for t in ts)
    res_out = tuple(_done(o, nested) for o in outs)
    single = not isinstance(out, (tuple, list))
    result = (res_out[0], ts[0]) if single else (res_out, ts)
    return (*result, aux) if has_aux else result


def _jacobian(func: Callable[..., Any], argnums: Any, has_aux: bool, mode: str) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..autograd.functional import _jac_forward, _jac_reverse

        op = "jacrev" if mode == "reverse" else "jacfwd"
        nums, single = _argnums(argnums, len(args), op)
        if mode == "forward" and _dual.available():
            try:
                return _jacfwd_dual(func, args, kwargs, nums, single, has_aux)
            except _dual.ForwardADNotImplemented:
                pass  # an op without forward mode: the double-vjp trick below
        with enable_grad():
            xs, nested = _wrap_inputs(args, nums, op)
            out = func(*xs, **kwargs)
            aux = None
            if has_aux:
                out, aux = out
            outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
            ins = [xs[k] for k in nums]
            blocks = (_jac_reverse if mode == "reverse" else _jac_forward)(outs, ins, nested, False)
        blocks = [[_done(b, nested) for b in row] for row in blocks]
        rows = [row[0] if single else tuple(row) for row in blocks]
        res = rows[0] if not isinstance(out, (tuple, list)) else tuple(rows)
        return (res, aux) if has_aux else res

    return wrapper


def _jacfwd_dual(func: Callable[..., Any], args: Any, kwargs: Any, nums: Any, single: bool, has_aux: bool) -> Any:
    """jacfwd with dual numbers: one forward pass per element of the differentiated arguments."""
    for k in nums:
        if not isinstance(args[k], _fn.Tensor):
            raise TypeError(f"jacfwd: argument {k} must be a Tensor to differentiate with respect to it")
    nested = any(args[k].requires_grad for k in nums)
    with enable_grad():
        out, blocks, aux = _dual.jacobian_dual(func, args, nums, kwargs, has_aux)
    blocks = [[_done(b, nested) for b in row] for row in blocks]
    rows = [row[0] if single else tuple(row) for row in blocks]
    res = rows[0] if not isinstance(out, (tuple, list)) else tuple(rows)
    return (res, aux) if has_aux else res


def jacrev(func: Callable[..., Any], argnums: Any = 0, *, has_aux: bool = False) -> Callable[..., Any]:
    """A function returning ∂func/∂args[argnums] (shape ``out.shape + arg.shape``), one backward per output element."""
    return _jacobian(func, argnums, has_aux, "reverse")


def jacfwd(func: Callable[..., Any], argnums: Any = 0, has_aux: bool = False) -> Callable[..., Any]:
    """Like ``jacrev``, column by column: one forward-mode Jacobian-vector product (dual numbers) per input
    element (the double-vjp trick where an op has no forward mode)."""
    return _jacobian(func, argnums, has_aux, "forward")


def hessian(func: Callable[..., Any], argnums: Any = 0) -> Callable[..., Any]:
    """The Hessian of a scalar ``func``: ``jacfwd(jacrev(func, argnums), argnums)``."""
    return jacfwd(jacrev(func, argnums), argnums)


def functional_call(
    module: Any,
    parameter_and_buffer_dicts: Any,
    args: Any = None,
    kwargs: Mapping[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """Call ``module`` with its parameters/buffers replaced by the given tensors (by dotted name),
    restoring them afterwards, so a module can be differentiated as a function of its weights."""
    dicts = parameter_and_buffer_dicts
    if isinstance(dicts, (list, tuple)):
        merged: dict[str, Any] = {}
        for d in dicts:
            dup = set(merged) & set(d)
            if dup:
                raise ValueError(f"functional_call: {sorted(dup)} appeared in multiple dictionaries")
            merged.update(d)
        dicts = merged
    if strict:
        known = {n for n, _ in module.named_parameters()} | {n for n, _ in module.named_buffers()}
        missing, unexpected = sorted(known - set(dicts)), sorted(set(dicts) - known)
        if missing or unexpected:
            raise RuntimeError(f"functional_call: missing keys {missing}, unexpected keys {unexpected}")
    saved = []
    try:
        for name, value in dicts.items():
            owner_name, _, attr = name.rpartition(".")
            owner = module.get_submodule(owner_name) if owner_name else module
            saved.append((owner, attr, getattr(owner, attr)))
            owner.__dict__["_parameters" if attr in owner.__dict__["_parameters"] else "_buffers"][attr] = value
        if args is None:
            args = ()
        elif not isinstance(args, tuple):
            args = (args,)
        return module(*args, **(kwargs or {}))
    finally:
        for owner, attr, old in reversed(saved):
            owner.__dict__["_parameters" if attr in owner.__dict__["_parameters"] else "_buffers"][attr] = old
