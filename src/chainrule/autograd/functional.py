"""``autograd.functional``: Jacobians, Hessians and their products for functions of Tensors.

Everything is built on reverse mode with ``create_graph=True``: a vector-Jacobian product is one
backward; a Jacobian-vector product is the *double-vjp* trick — u ↦ Jᵀu is linear in u, so
Jv = ∂(Jᵀu)ᵀv/∂u is one more backward — and a Hessian is the Jacobian of the gradient. The
forward-mode Jacobian (``strategy="forward-mode"``) runs dual numbers instead (``forward_ad``). Signatures,
defaults and output structures are PyTorch's ``torch.autograd.functional``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import function as _fn
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _tuple(x: Any) -> tuple[tuple[Any, ...], bool]:
    if isinstance(x, (tuple, list)):
        return tuple(x), True
    return (x,), False


def _prep(inputs: tuple[Any, ...], create_graph: bool, op: str) -> tuple[Any, ...]:
    Tensor = _fn.Tensor
    out = []
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected inputs to be Tensors, but input {i} is {type(t).__name__}")
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))  # stays connected to t's own graph
        else:
            out.append(t.detach().requires_grad_(True))
    return tuple(out)


def _zeros_like(t: Any) -> Any:
    return _fn.Tensor._make(np.zeros_like(t._data))


def _post(ts: tuple[Any, ...], create_graph: bool) -> tuple[Any, ...]:
    return tuple(t if create_graph else t.detach() for t in ts)


def _grads(outs: Any, ins: Any, gos: Any, create_graph: bool, strict: bool, op: str) -> tuple[Any, ...]:
    from . import grad

    outs = [o for o in outs]
    if not any(o.requires_grad for o in outs):
        if strict:
            raise RuntimeError(f"{op}: the output of the user-provided function is independent of the inputs")
        return tuple(_zeros_like(t) for t in ins)
    pairs = [(o, g) for o, g in zip(outs, gos) if o.requires_grad]
    res = grad([o for o, _ in pairs], list(ins), [g for _, g in pairs], create_graph=True, allow_unused=True)
    out = []
    for i, (r, t) in enumerate(zip(res, ins)):
        if r is None:
            if strict:
                raise RuntimeError(f"{op}: the output of the user-provided function is independent of input {i}")
            r = _zeros_like(t)
        out.append(r if create_graph else r.detach())
    return tuple(out)


def _call(func: Callable[..., Any], inputs: tuple[Any, ...], op: str) -> tuple[tuple[Any, ...], bool]:
    with enable_grad():
        out = func(*inputs)
    outs, is_tuple = _tuple(out)
    for i, o in enumerate(outs):
        if not isinstance(o, _fn.Tensor):
            raise TypeError(f"{op}: the function must return Tensors, but output {i} is {type(o).__name__}")
    return outs, is_tuple


def _check_v(v: Any, like: tuple[Any, ...], op: str, what: str) -> tuple[Any, ...]:
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(
                f"{op}: v can only be None if the {what} is a single Tensor with a single element; "
                f"got {len(like)} tensor(s) of shapes {[list(t.shape) for t in like]}"
            )
        return (_fn.Tensor._make(np.ones_like(like[0]._data)),)
    vs, _ = _tuple(v)
    if len(vs) != len(like):
        raise RuntimeError(f"{op}: v has {len(vs)} tensor(s) but the {what} has {len(like)}")
    for i, (a, b) in enumerate(zip(vs, like)):
        if tuple(a.shape) != tuple(b.shape):
            raise RuntimeError(
                f"{op}: entry {i} of v has shape {list(a.shape)}; expected the {what}'s shape {list(b.shape)}"
            )
    return vs


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> Any:
    """(func(inputs), vᵀ·J): the vector-Jacobian product, one backward.

    Example:
        >>> import chainrule as cr
        >>> out, g = cr.autograd.functional.vjp(lambda x: x * x, cr.tensor([1.0, 2.0]), cr.tensor([1.0, 1.0]))
        >>> g
        tensor([2., 4.])
    """
    ins, in_tuple = _tuple(inputs)
    with enable_grad():
        ins = _prep(ins, create_graph, "vjp")
        outs, out_tuple = _call(func, ins, "vjp")
        vs = _check_v(v, outs, "vjp", "output")
        res = _grads(outs, ins, vs, create_graph, strict, "vjp")
    outs = _post(outs, create_graph)
    return (outs if out_tuple else outs[0]), (res if in_tuple else res[0])


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> Any:
    """(func(inputs), J·v): the Jacobian-vector product by the double-vjp trick (two backwards).

    Example:
        >>> import chainrule as cr
        >>> out, t = cr.autograd.functional.jvp(lambda x: x * x, cr.tensor([1.0, 2.0]), cr.tensor([1.0, 0.0]))
        >>> t
        tensor([2., 0.])
    """
    ins, in_tuple = _tuple(inputs)
    with enable_grad():
        ins = _prep(ins, create_graph, "jvp")
        vs = _check_v(v, ins, "jvp", "input")
        outs, out_tuple = _call(func, ins, "jvp")
        us = tuple(_fn.Tensor._make(np.zeros_like(o._data)).requires_grad_(True) for o in outs)
        g = _grads(outs, ins, us, True, strict, "jvp")  # Jᵀu, linear in u
        res = _grads(g, us, vs, create_graph, strict, "jvp")
    outs = _post(outs, create_graph)
    return (outs if out_tuple else outs[0]), (res if out_tuple else res[0])


def jacobian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """∂func/∂inputs, shaped ``output.shape + input.shape`` (tuples of tuples for several of either).

    ``strategy="reverse-mode"`` takes one backward per output element; ``"forward-mode"`` (which, as in
    PyTorch, needs ``vectorize=True``) one forward pass with dual numbers per input element
    (``autograd.forward_ad``; the double-vjp trick where an op has no forward mode). ``vectorize`` is
    accepted for PyTorch compatibility; both strategies give the same values.
    """
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f'jacobian: expected strategy to be either "forward-mode" or "reverse-mode", got {strategy!r}')
    if strategy == "forward-mode" and not vectorize:
        raise ValueError(
            "jacobian: computing the Jacobian with forward-mode AD is only implemented for vectorize=True"
        )
    ins, in_tuple = _tuple(inputs)
    blocks = None
    with enable_grad():
        ins = _prep(ins, create_graph, "jacobian")
        if strategy == "forward-mode":
            blocks, out_tuple = _jac_dual(func, ins, create_graph, strict)
        if blocks is not None:
            pass
        elif strategy == "reverse-mode":
            outs, out_tuple = _call(func, ins, "jacobian")
            blocks = _jac_reverse(outs, ins, create_graph, strict)
        else:
            outs, out_tuple = _call(func, ins, "jacobian")
            blocks = _jac_forward(outs, ins, create_graph, strict)
    if not out_tuple and not in_tuple:
        return blocks[0][0]
    if not out_tuple:
        return tuple(blocks[0])
    if not in_tuple:
        return tuple(row[0] for row in blocks)
    return tuple(tuple(row) for row in blocks)


def _jac_dual(func: Callable[..., Any], ins: tuple[Any, ...], create_graph: bool, strict: bool) -> Any:
    """Forward mode with dual numbers, one pass per input element: (blocks, output is a tuple), or
    (None, False) when an op has no forward mode or a dual level is already active."""
    from . import _dual_transforms as dual

    if strict or not dual.available():
        return None, False
    try:
        out, blocks, _ = dual.jacobian_dual(func, ins, range(len(ins)))
    except dual.ForwardADNotImplemented:
        return None, False
    blocks = [[b if create_graph else b.detach() for b in row] for row in blocks]
    return blocks, isinstance(out, (tuple, list))


def _stack_rows(rows: list[Any], shape: tuple[int, ...]) -> Any:
    import chainrule as cr

    if not rows:
        return cr.zeros(shape, dtype=cr.float64)
    return cr.stack(rows).reshape(shape)


def _jac_reverse(outs: Any, ins: Any, create_graph: bool, strict: bool) -> list[list[Any]]:
    blocks = []
    for o in outs:
        n = o.numel()
        rows: list[list[Any]] = [[] for _ in ins]
        for i in range(n):
            seed = np.zeros(o._data.size, o._data.dtype)
            seed[i] = 1
            g = _grads([o], ins, [_fn.Tensor._make(seed.reshape(o._data.shape))], create_graph, strict, "jacobian")
            for k, gk in enumerate(g):
                rows[k].append(gk.reshape(-1))
        blocks.append([
            _stack_rows(r, tuple(o.shape) + tuple(t.shape)) if r else _fn.Tensor._make(
                np.zeros(tuple(o.shape) + tuple(t.shape), t._data.dtype))
            for r, t in zip(rows, ins)
        ])  # fmt: skip
    return blocks


def _jac_forward(outs: Any, ins: Any, create_graph: bool, strict: bool) -> list[list[Any]]:
    import chainrule as cr

    us = tuple(_fn.Tensor._make(np.zeros_like(o._data)).requires_grad_(True) for o in outs)
    g = _grads(outs, ins, us, True, strict, "jacobian")  # Jᵀu for all inputs at once
    blocks: list[list[Any]] = [[None] * len(ins) for _ in outs]
    for k, t in enumerate(ins):
        cols: list[list[Any]] = [[] for _ in outs]
        for j in range(t.numel()):
            e = np.zeros(t._data.size, t._data.dtype)
            e[j] = 1
            vs = [_fn.Tensor._make(e.reshape(t._data.shape)) if kk == k else _zeros_like(ins[kk]) for kk in range(len(ins))]
            jv = _grads(g, us, vs, create_graph, strict, "jacobian")  # column j of every output's block
            for i, c in enumerate(jv):
                cols[i].append(c.reshape(-1))
        for i, o in enumerate(outs):
            shape = tuple(o.shape) + tuple(t.shape)
            blocks[i][k] = cr.stack(cols[i], dim=-1).reshape(shape) if cols[i] else _fn.Tensor._make(
                np.zeros(shape, t._data.dtype))
    return blocks


def hessian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """∂²func/∂inputs² of a scalar function: the Jacobian of its gradient (shape ``x.shape + x.shape``).

    Example:
        >>> import chainrule as cr
        >>> cr.autograd.functional.hessian(lambda x: (x ** 3).sum(), cr.tensor([1.0, 2.0]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    ins, in_tuple = _tuple(inputs)

    def grad_fn(*xs: Any) -> Any:
        out = func(*xs)
        if not isinstance(out, _fn.Tensor) or out.numel() != 1:
            raise RuntimeError("hessian: the function given to hessian should return a single Tensor with one element")
        g = _grads([out], xs, [_fn.Tensor._make(np.ones_like(out._data))], True, strict, "hessian")
        return g if in_tuple else g[0]

    return jacobian(grad_fn, ins if in_tuple else ins[0], create_graph, strict, vectorize, outer_jacobian_strategy)


def vhp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> Any:
    """(func(inputs), vᵀ·H): the vector-Hessian product of a scalar function, two backwards."""
    ins, in_tuple = _tuple(inputs)
    with enable_grad():
        ins = _prep(ins, create_graph, "vhp")
        vs = _check_v(v, ins, "vhp", "input")
        outs, _ = _call(func, ins, "vhp")
        if len(outs) != 1 or outs[0].numel() != 1:
            raise RuntimeError("vhp: the function given to vhp should return a single Tensor with one element")
        g = _grads(outs, ins, [_fn.Tensor._make(np.ones_like(outs[0]._data))], True, strict, "vhp")
        res = _grads(g, ins, vs, create_graph, strict, "vhp")
    out = outs[0] if create_graph else outs[0].detach()
    return out, (res if in_tuple else res[0])


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False) -> Any:
    """(func(inputs), H·v): the Hessian-vector product of a scalar function (H is symmetric: H·v = vᵀ·H)."""
    return vhp(func, inputs, v, create_graph, strict)
