"""Forward-mode automatic differentiation with dual numbers, in ``torch.autograd.forward_ad``'s form.

A *dual tensor* is a primal value x carrying a tangent ẋ (a direction). Every op applied to dual
tensors also propagates the tangent, ẏ = J·ẋ (the Jacobian-vector product), so one forward pass
gives J·v without ever forming J::

    with forward_ad.dual_level():
        x = forward_ad.make_dual(x0, v)          # x0 + ε·v
        y = f(x)
        y0, jv = forward_ad.unpack_dual(y)        # f(x0) and J_f(x0)·v

Tangents live in a table of the active level (keyed by tensor identity, dropped when the tensor
dies) and are all released when the level exits. As in PyTorch, one level may be active at a time.
How each op propagates its tangent (its JVP rule, its composite, or the double-vjp trick) is in
``autograd._jvp``.
"""

from __future__ import annotations

import weakref
from typing import Any, NamedTuple

from . import function as _fn

__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual"]


class _Level:
    """The tangents of one dual level: tensor → tangent, and graph node → its outputs' tangents."""

    __slots__ = ("tensors", "nodes", "__weakref__")

    def __init__(self) -> None:
        self.tensors: dict[int, tuple[Any, Any]] = {}
        self.nodes: dict[int, tuple[Any, tuple[Any, ...]]] = {}

    def get(self, t: Any) -> Any:
        """The tangent of tensor ``t`` at this level, or None."""
        e = self.tensors.get(id(t))
        if e is not None and e[0]() is t:
            return e[1]
        return None

    def set(self, t: Any, tangent: Any) -> None:
        """Give tensor ``t`` the tangent ``tangent`` (forgotten when ``t`` is garbage collected)."""
        self.tensors[id(t)] = (weakref.ref(t, _forget(self.tensors, id(t))), tangent)

    def set_node(self, node: Any, tangents: tuple[Any, ...]) -> None:
        """Remember the tangents of a graph node's outputs (a recorded backward re-creates those outputs)."""
        self.nodes[id(node)] = (weakref.ref(node, _forget(self.nodes, id(node))), tangents)

    def node_tangent(self, node: Any, nr: int) -> Any:
        """The tangent of output ``nr`` of graph node ``node``, or None."""
        e = self.nodes.get(id(node))
        if e is not None and e[0]() is node and nr < len(e[1]):
            return e[1][nr]
        return None

    def clear(self) -> None:
        """Drop every tangent of this level."""
        self.tensors.clear()
        self.nodes.clear()


def _forget(table: dict[int, Any], key: int) -> Any:
    def callback(ref: Any) -> None:
        e = table.get(key)
        if e is not None and e[0] is ref:
            del table[key]

    return callback


_current: list[_Level | None] = _fn._fw_level  # the active level (at most one, as PyTorch)


def _level() -> _Level | None:
    return _current[0]


def _check_level(level: Any, op: str) -> _Level:
    lvl = _current[0]
    if level is None:
        level = 0 if lvl is not None else -1
    if lvl is None or level < 0:
        raise RuntimeError(
            f"{op}: Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        )
    if level != 0:
        raise RuntimeError(f"{op}: level {level} does not exist; the only dual level is 0")
    return lvl


def enter_dual_level() -> int:
    """Enter a new forward-AD level (returns its number, 0) in which dual tensors can be made and used.

    RuntimeError if a level is already active: as in PyTorch, dual levels do not nest (compose
    ``chainrule.func.jvp`` for higher-order forward derivatives).
    """
    if _current[0] is not None:
        raise RuntimeError("enter_dual_level: Nested forward mode AD is not supported at the moment")
    from . import _jvp

    _jvp.install()
    _current[0] = _Level()
    _fn._fw_on[0] = True
    return 0


def exit_dual_level(*, level: int | None = None) -> None:
    """Exit the forward-AD level, deleting every tangent it holds (the tensors themselves stay)."""
    lvl = _current[0]
    if lvl is None:
        raise RuntimeError("exit_dual_level: Dual level must be a positive number (no dual level is active)")
    if level is not None and level != 0:
        raise RuntimeError(
            "exit_dual_level: Trying to exit a forward AD level that was not the last one that was created. "
            "This is not supported."
        )
    _fn._fw_on[0] = False
    _current[0] = None
    lvl.clear()


class dual_level:
    """Context manager (and decorator) in which forward-AD computations happen: ``with dual_level(): ...``.

    Entering calls ``enter_dual_level()`` (the ``as`` value is the level, 0); leaving calls
    ``exit_dual_level()``, after which tensors made inside have no tangent any more.
    """

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: Any) -> None:
        exit_dual_level()

    def __call__(self, fn: Any) -> Any:
        """Use as a decorator: ``fn`` runs inside a dual level."""
        import functools

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with dual_level():
                return fn(*args, **kwargs)

        return wrapper


class UnpackedDualTensor(NamedTuple):
    """What ``unpack_dual`` returns: the ``primal`` value and its ``tangent`` (None when it has none)."""

    primal: Any
    tangent: Any


def _plain_view(t: Any) -> Any:
    """A view of ``t`` (same data, same reverse-mode history) that carries no tangent."""
    on = _fn._fw_on[0]
    _fn._fw_on[0] = False
    try:
        return t.view_as(t)
    finally:
        _fn._fw_on[0] = on


def make_dual(tensor: Any, tangent: Any, *, level: int | None = None) -> Any:
    """A new tensor aliasing ``tensor`` that carries ``tangent`` as its forward gradient: x + ε·ẋ.

    The result is differentiable in reverse mode too (it is a view of ``tensor``). Errors as PyTorch:
    RuntimeError outside a dual level, for a tangent whose shape differs from the tensor's, or for a
    tensor that already has a tangent at this level; ValueError for a non-floating primal or tangent.

    Example:
        >>> import chainrule as cr
        >>> import chainrule.autograd.forward_ad as fwAD
        >>> with fwAD.dual_level():
        ...     y = cr.sin(fwAD.make_dual(cr.tensor([0.0]), cr.tensor([2.0])))
        ...     fwAD.unpack_dual(y).tangent
        tensor([2.])
    """
    Tensor = _fn.Tensor
    lvl = _check_level(level, "make_dual")
    for what, t in (("primal", tensor), ("tangent", tangent)):
        if not isinstance(t, Tensor):
            raise TypeError(f"make_dual: expected the {what} to be a Tensor, got {type(t).__name__}")
        if t._data.dtype.kind not in "fc":
            raise ValueError(f"make_dual: Expected {what} to be floating point or complex, but got: {t.dtype}")
    if tuple(tangent._data.shape) != tuple(tensor._data.shape):
        raise RuntimeError(
            "make_dual: Trying to set a forward gradient that has a different size than that of the original "
            f"Tensor, this is not supported. Tensor is of size {list(tensor._data.shape)} while the given "
            f"forward gradient is of size {list(tangent._data.shape)}."
        )
    if lvl.get(tensor) is not None:
        raise RuntimeError(
            "make_dual: Making a dual Tensor based on a Tensor that already has a forward gradient at the "
            "same level 0 is not supported."
        )
    out = _plain_view(tensor)
    lvl.set(out, tangent)
    if out._grad_fn is not None:  # a recorded backward that re-creates ``out`` finds the tangent there
        lvl.set_node(out._grad_fn, (tangent,))
    return out


def unpack_dual(tensor: Any, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)`` of a dual tensor: the primal as a view without tangent, the tangent as is
    (None when ``tensor`` has none at this level, or outside any level — then primal is ``tensor``)."""
    lvl = _current[0]
    if lvl is None or (level is not None and level != 0):
        return UnpackedDualTensor(tensor, None)
    tangent = lvl.get(tensor)
    return UnpackedDualTensor(_plain_view(tensor), tangent)


def _tangent(t: Any) -> Any:
    """The tangent of ``t`` at the active level (None if none or no level): for the function transforms."""
    lvl = _current[0]
    return None if lvl is None else lvl.get(t)


def _carry(src: Any, dst: Any) -> Any:
    """Give ``dst`` the tangent of ``src`` (if any); returns ``dst``."""
    lvl = _current[0]
    if lvl is not None:
        tan = lvl.get(src)
        if tan is not None:
            lvl.set(dst, tan)
    return dst


def _inherit(t: Any, node: Any, nr: int) -> None:
    """``t`` re-creates output ``nr`` of graph node ``node`` (a recorded backward): give it that tangent."""
    lvl = _current[0]
    if lvl is not None:
        tan = lvl.node_tangent(node, nr)
        if tan is not None:
            lvl.set(t, tan)


def _assign(dst: Any, src: Any) -> None:
    """``dst`` now holds ``src``'s value (an in-place op): it takes ``src``'s tangent, or loses its own."""
    lvl = _current[0]
    if lvl is None:
        return
    tan = lvl.get(src)
    if tan is not None:
        lvl.set(dst, tan)
    else:
        lvl.tensors.pop(id(dst), None)
