"""How an op propagates tangents under forward-mode AD: ``Function.apply``'s hook while a dual level is on.

For ``y = f(x₁, …, xₙ)`` with tangents ẋₖ, the output tangent is the Jacobian-vector product
ẏ = Σₖ ∂f/∂xₖ · ẋₖ. An op gets it from the first of:

1. its JVP rule: ``jvp(ctx, *tangents)`` beside ``forward``/``backward`` (one tangent per forward
   argument, None where there is none), written with ``ctx.xp`` like ``backward``; ops whose
   Jacobian is diagonal share ``diagonal_jvp`` (Jẋ = Jᵀẋ: the VJP applied to the tangent), and ops
   that are linear in their floating inputs say so with ``_jvp_linear = True`` (ẏ = op(ẋ): the op
   itself applied to the tangents);
2. for an op with one one-element output (a loss, a full reduction), when no graph is needed:
   ẏ = Σₖ ⟨VJPₖ(1), ẋₖ⟩, one first-order backward of the op;
3. its composite (fused ops with ``CompositeDoubleBackward``): the same forward built from
   primitives, run on the dual inputs;
4. the double-vjp trick: the VJP u ↦ Jᵀu is linear in u, so ⟨Jᵀu, ẋ⟩ = ⟨u, Jẋ⟩ and
   ẏ = ∂⟨VJP(u), ẋ⟩/∂u — one recorded backward of the op and one more backward, for every op
   whose backward can be recorded (``create_graph``).

Tangents are computed on NumPy arrays when nothing needs their reverse-mode graph, and on Tensors
(``tensor_xp``, recorded) when a tangent or an input requires grad, so a JVP can itself be
differentiated in reverse mode.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import forward_ad as _fad
from . import function as _fn
from .grad_mode import state as _grad_state

__all__ = ["apply_dual", "install", "diagonal_jvp", "ForwardADNotImplemented"]


class ForwardADNotImplemented(RuntimeError):
    """An op applied to dual tensors has no way to propagate their tangents."""


def install() -> None:
    """Connect the hook to ``Function.apply`` (done when the first dual level is entered)."""
    _fn._fw_apply = apply_dual


def apply_dual(cls: Any, args: tuple[Any, ...]) -> Any:
    """``cls.apply(*args)`` while a dual level is active: the primal output(s), with tangents attached."""
    lvl = _fad._current[0]
    Tensor = _fn.Tensor
    tans = None
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            t = lvl.get(a)
            if t is not None:
                if tans is None:
                    tans = [None] * len(args)
                tans[i] = t
    on = _fn._fw_on
    on[0] = False  # ops run inside (the forward, the tangent formulas) see no dual tensors
    try:
        if tans is None:
            return cls.apply(*args)
        ctx, outs, req = _forward(cls, args, tans)
        outs_t = outs if type(outs) is tuple else (outs,)
        tensor_mode = _grad_state.enabled and (
            True in req or any(t is not None and t._requires_grad for t in tans)
        )
        out_tans = _tangents(cls, ctx, args, outs_t, tans, tensor_mode, on)
        ctx.needs_input_grad = req
        for o, t in zip(outs_t, out_tans):
            if t is not None and o._data.dtype.kind in "fc":
                if t._data.dtype != o._data.dtype:
                    t = t.to(o.dtype)
                if t._data.shape != o._data.shape:  # e.g. only a bias had a tangent
                    t = t.expand(o._data.shape) if t._requires_grad else Tensor._make(
                        np.broadcast_to(t._data, o._data.shape).copy())
                lvl.set(o, t)
        if True in req:
            lvl.set_node(ctx, tuple(out_tans))
        return outs
    finally:
        on[0] = True


def _zeros(a: Any) -> Any:
    return _fn.Tensor._make(np.zeros_like(a._data))


def _forward(cls: Any, args: tuple[Any, ...], tans: list[Any]) -> tuple[Any, Any, tuple[bool, ...]]:
    """``cls.apply`` spelled out so the node (``ctx``) is at hand and saves what the tangents need too."""
    Tensor = _fn.Tensor
    grad_on = _grad_state.enabled
    req = tuple(isinstance(a, Tensor) and grad_on and a._requires_grad for a in args)
    if not cls._array_op:
        ctx = cls.__new__(cls)
        outs = _fn._apply_tensor_function(cls, ctx, args)
        return ctx, outs, req
    ctx = object.__new__(cls)
    ctx.needs_input_grad = tuple(r or t is not None for r, t in zip(req, tans))
    out = cls.forward(ctx, *[a._data if isinstance(a, Tensor) else a for a in args])
    outs = tuple([_fn._wrap(o) for o in out]) if type(out) is tuple else _fn._wrap(out)
    if True in req:
        view = ctx._is_view
        ctx._edges = tuple(_fn.edge(a, view) if r else None for a, r in zip(args, req))
        if type(outs) is tuple:
            ctx._n_out = len(outs)
        _fn._attach(ctx, args, outs)
    else:
        if ctx._is_view:
            _fn._share_version(args[0], outs)
        if ctx._saved:
            _fn._record_versions(ctx, args, outs)  # where each saved value came from
    if getattr(cls, "composite", None) is not None:
        ctx._composite_args = args
    return ctx, outs, req


def _tangents(
    cls: Any, ctx: Any, args: Any, outs: tuple[Any, ...], tans: list[Any], tensor_mode: bool, on: list[bool]
) -> list[Any]:
    """One tangent (Tensor or None) per output of the op."""
    if getattr(cls, "_jvp_linear", False):  # ẏ = op(ẋ)
        res = cls.apply(*[
            (t if t is not None else _zeros(a)) if isinstance(a, _fn.Tensor) and a._data.dtype.kind in "fc" else a
            for a, t in zip(args, tans)
        ])  # fmt: skip
        return list(res) if type(res) is tuple else [res]
    if cls.jvp is not _fn.Function.jvp:
        if not cls._array_op:  # a user Function's jvp sees zeros for inputs without a tangent
            tans = [
                t if t is not None else (_zeros(a) if isinstance(a, _fn.Tensor) and a._data.dtype.kind in "fc" else None)
                for a, t in zip(args, tans)
            ]  # fmt: skip
        return _rule(cls, ctx, outs, tans, tensor_mode)
    if not tensor_mode and cls._array_op and len(outs) == 1 and outs[0]._data.size == 1:
        return [_scalar_jvp(cls, ctx, outs[0], tans)]
    if not cls._array_op:
        raise ForwardADNotImplemented(
            f"{cls.__name__}: You must implement the jvp function for custom autograd.Function to use it "
            "with forward mode AD."
        )
    if getattr(cls, "composite", None) is not None:
        on[0] = True  # the composite's primitives propagate the tangents themselves
        try:
            res = cls.composite(ctx, *args)
        finally:
            on[0] = False
        res = res if type(res) is tuple else (res,)
        lvl = _fad._current[0]
        return [lvl.get(r) if isinstance(r, _fn.Tensor) else None for r in res]
    if not cls._graph_backward:
        raise ForwardADNotImplemented(
            f"{ctx.name()}: forward-mode AD (dual tensors) is not implemented for this op yet: it has no JVP "
            "rule and its backward runs on NumPy arrays only, so the double-vjp trick cannot derive one. "
            "Use reverse mode (backward / autograd.grad) for this computation."
        )
    return _double_vjp(cls, ctx, outs, tans, tensor_mode)


def _scalar_jvp(cls: Any, ctx: Any, out: Any, tans: list[Any]) -> Any:
    """A one-element output (a loss, a full reduction): ẏ = Σₖ ⟨∇ₖy, ẋₖ⟩ = Σₖ ⟨VJPₖ(1), ẋₖ⟩ — one
    first-order backward of the op, on arrays (exact for every op, fused or not)."""
    gin = cls.backward(ctx, np.ones_like(out._data))
    gin = gin if type(gin) is tuple else (gin,)
    total = np.zeros((), out._data.dtype)
    for g, t in zip(gin, tans):
        if g is not None and t is not None:
            total = total + np.sum(np.asarray(g) * t._data)
    return _fn.Tensor._make(np.asarray(total, out._data.dtype).reshape(out._data.shape))


def _saved_as(ctx: Any, tensor_mode: bool) -> tuple[Any, ...]:
    """The saved values as the tangent formulas see them: connected to the graph (tensor mode) or
    constants (inputs/outputs as Tensors without history)."""
    saved = ctx._saved
    if not saved:
        return saved
    src = ctx._saved_src
    if tensor_mode:
        from .graph_backward import _reconnect

        return tuple(_reconnect(ctx, s, src[i] if i < len(src) else -1) for i, s in enumerate(saved))
    out = []
    for i, s in enumerate(saved):
        k = src[i] if i < len(src) else -1
        if k != -1 and isinstance(s, np.ndarray):
            s = _fn.Tensor._make(s)
        out.append(s)
    return tuple(out)


def _rule(cls: Any, ctx: Any, outs: tuple[Any, ...], full: list[Any], tensor_mode: bool) -> list[Any]:
    """The op's own JVP rule, on arrays (numpy_xp) or recorded Tensors (tensor_xp)."""
    Tensor = _fn.Tensor
    if not cls._array_op:  # a user Function: Tensors in, Tensors out, as PyTorch
        prev = _grad_state.enabled
        _grad_state.enabled = tensor_mode
        try:
            res = cls.jvp(ctx, *full)
        finally:
            _grad_state.enabled = prev
    elif tensor_mode:
        from ..ops._xp import tensor_xp

        saved = ctx._saved
        ctx._saved = _saved_as(ctx, True)
        ctx.xp = tensor_xp
        try:
            res = cls.jvp(ctx, *full)
        finally:
            ctx._saved = saved
            del ctx.xp
    else:
        res = cls.jvp(ctx, *[None if t is None else t._data for t in full])
    res = res if type(res) is tuple else (res,)
    return [
        None if r is None else (r if isinstance(r, Tensor) else Tensor._make(np.asarray(r, dtype=o._data.dtype)))
        for r, o in zip(res, outs)
    ]


def _double_vjp(cls: Any, ctx: Any, outs: tuple[Any, ...], full: list[Any], tensor_mode: bool) -> list[Any]:
    """ẏ = ∂⟨VJP(u), ẋ⟩/∂u: the op's recorded backward at a dummy cotangent u, differentiated in u."""
    from ..ops._xp import tensor_xp
    from . import grad as autograd_grad

    Tensor = _fn.Tensor
    us = [
        Tensor._make(np.zeros_like(o._data)).requires_grad_(o._data.dtype.kind in "fc") for o in outs
    ]
    prev = _grad_state.enabled
    _grad_state.enabled = True
    saved = ctx._saved
    ctx._saved = _saved_as(ctx, tensor_mode)
    ctx.xp = tensor_xp
    try:
        gin = cls.backward(ctx, *us)
    finally:
        ctx._saved = saved
        del ctx.xp
    try:
        gin = gin if type(gin) is tuple else (gin,)
        s = None
        for g, t in zip(gin, full):
            if g is None or t is None or not isinstance(g, Tensor):
                continue
            term = (g * t).sum()
            s = term if s is None else s + term
        wrt = [u for u in us if u._requires_grad]
        if s is None or not s._requires_grad or not wrt:
            return [_zeros(o) if o._data.dtype.kind in "fc" else None for o in outs]
        res = autograd_grad([s], wrt, create_graph=tensor_mode, allow_unused=True)
    finally:
        _grad_state.enabled = prev
    it = iter(res)
    out = []
    for u, o in zip(us, outs):
        if not u._requires_grad:
            out.append(None)
            continue
        r = next(it)
        out.append(_zeros(o) if r is None else r)
    return out


def diagonal_jvp(ctx: Any, *tangents: Any) -> Any:
    """The JVP rule of an op whose Jacobian with respect to each input is diagonal (elementwise maps,
    with broadcasting) or symmetric (softmax): Jₖẋₖ = Jₖᵀẋₖ, so ẏ = Σₖ VJPₖ(ẋₖ) — the op's own
    backward, called with each tangent in place of the output gradient."""
    cls = type(ctx)
    if getattr(ctx.xp, "is_tensor", False) and not cls._graph_backward:
        raise ForwardADNotImplemented(
            f"{ctx.name()}: its backward runs on NumPy arrays only, so tangents that require grad cannot be "
            "propagated through it (forward-mode AD of this op is first-order only)."
        )
    needs = ctx.needs_input_grad
    total = None
    try:
        for k, t in enumerate(tangents):
            if t is None:
                continue
            ctx.needs_input_grad = tuple(i == k for i in range(len(needs)))
            gin = cls.backward(ctx, t)
            g = gin[k] if type(gin) is tuple else gin
            if g is not None:
                total = g if total is None else total + g
    finally:
        ctx.needs_input_grad = needs
    return total
