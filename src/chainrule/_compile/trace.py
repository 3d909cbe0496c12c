"""Recording one eager call of a function as a replayable program.

While ``trace`` runs the function eagerly, ``Function.apply`` is wrapped so that every op is
recorded with where its inputs come from: a *slot* holding the function's tensor arguments, the
outputs of earlier ops, tensors that existed before the call (parameters, buffers: *externals*, read
afresh at every replay) and constants (dims, flags, reductions). Anything a replay could not
reproduce exactly makes the trace refuse, with the reason: random numbers, in-place writes,
tensors read back into Python (``.item()``, ``bool(t)``...), hooks on intermediates, arrays
computed outside ops, custom Python ``Function``s.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from .._tensor import Tensor
from ..autograd import function as _fn
from ..autograd.engine import toposort
from ..autograd.function import Function
from .program import Op, Program

_READBACKS = ("item", "tolist", "numpy", "__bool__", "__float__", "__int__", "__index__", "__array__")
_HOOKS = ("register_hook", "retain_grad")


class _Recorder:
    def __init__(self, inputs: list[Tensor]) -> None:
        self.slot_of: dict[int, int] = {id(t): i for i, t in enumerate(inputs)}
        self.keep: list[Any] = list(inputs)  # holds every traced tensor, so no id is reused
        self.values: list[Any] = [t._data for t in inputs]  # trace-time value of each slot
        self.n_inputs = len(inputs)
        self.externals: list[Tensor] = []
        self.ops: list[Op] = []
        self.node_op: dict[int, int] = {}  # id(graph node) -> op index
        self.nodes: list[Any] = []  # the graph nodes of the eager call, in op order
        self.created: set[int] = set()  # tensors made inside the call by creation functions
        self.modules: dict[int, Any] = {}
        self.problem: str | None = None
        self.rank = 0

    def fail(self, why: str, rank: int = 0) -> None:
        """Note why the call cannot replay; the highest ``rank`` (the root cause) is reported."""
        if self.problem is None or rank > self.rank:
            self.problem, self.rank = why, rank

    def slot(self, value: Any) -> int:
        self.values.append(value)
        return len(self.values) - 1

    def array_slot(self, a: np.ndarray) -> int | None:
        """The slot of the tensor whose array ``a`` is: an input, an op output, or a parameter or
        buffer of a module called so far (which becomes an external); None if ``a`` is no tensor's."""
        for t in self.keep:
            if isinstance(t, Tensor) and t._data is a:
                return self.slot_of[id(t)] if id(t) in self.slot_of else None
        for m in self.modules.values():
            for t in (*m._parameters.values(), *m._buffers.values()):
                if t is not None and t._data is a:
                    s = self.slot_of[id(t)] = self.slot(a)
                    self.externals.append(t)
                    self.keep.append(t)
                    return s
        return None

    def on_apply(self, cls: type, args: tuple[Any, ...], out: Any) -> None:
        if self.problem is not None:
            return
        if not cls._array_op:
            return self.fail(f"the custom autograd.Function '{cls.__name__}' (only built-in ops replay)")
        enabled = _fn._grad_state.enabled
        slots, needs, grad_in = [], [], []
        for pos, a in enumerate(args):
            if isinstance(a, Tensor):
                s = self.slot_of.get(id(a))
                if s is None:
                    if id(a) in self.created:
                        return self.fail(
                            f"'{cls.__name__}' reads a tensor created inside the call by a creation "
                            "function or .detach()/.data (its value would be frozen)"
                        )
                    s = self.slot_of[id(a)] = self.slot(a._data)
                    self.externals.append(a)
                    self.keep.append(a)
                need = enabled and a._requires_grad
                if need:
                    grad_in.append((pos, s, a._data.shape, a._data.dtype))
            elif isinstance(a, np.ndarray):  # a tensor's array passed directly (e.g. a buffer)
                s = self.array_slot(a)
                if s is None:
                    return self.fail(f"'{cls.__name__}' receives an array computed outside an op")
                need = False
            else:
                if isinstance(a, (tuple, list)) and any(isinstance(e, np.ndarray) for e in a):
                    return self.fail(f"'{cls.__name__}' receives arrays computed outside an op")
                s = self.slot(a)
                need = False
            slots.append(s)
            needs.append(need)
        outs = out if type(out) is tuple else (out,)
        out_slots = []
        for o in outs:
            s = self.slot_of[id(o)] = self.slot(o._data)
            self.keep.append(o)
            out_slots.append(s)
        node = next((o._grad_fn for o in outs if o._grad_fn is not None), None)
        if node is not None:
            self.node_op[id(node)] = len(self.ops)
            self.nodes.append(node)
        self.ops.append(Op(
            cls, tuple(needs), tuple(slots), tuple(out_slots),
            tuple((o._data.shape, o._data.dtype) for o in outs), tuple(grad_in),
        ))  # fmt: skip


def trace(tensors: list[Tensor], call: Callable[[], Any]) -> tuple[Any, Program | None, str | None]:
    """Run ``call()`` eagerly (it passes ``tensors`` to the traced function), recording it.

    Returns (its result, the program, None), or (its result, None, why) when the call cannot be
    replayed exactly; either way the eager call itself completed normally.
    """
    from .._random import default_generator
    from ..nn import module as _module

    rec = _Recorder(tensors)
    orig_apply = Function.__dict__["apply"]
    orig_make = Tensor.__dict__["_make"]
    orig_init = Tensor.__init__
    orig_bump = Tensor._bump_version
    orig_call = _module.Module.__call__
    originals = {name: getattr(Tensor, name) for name in _READBACKS + _HOOKS}
    apply_fn = orig_apply.__func__
    make_fn = orig_make.__func__

    me = threading.get_ident()  # other threads (data loading...) run unrecorded meanwhile

    def apply(cls: type, *args: Any) -> Any:
        out = apply_fn(cls, *args)
        if threading.get_ident() == me:
            rec.on_apply(cls, args, out)
        return out

    def make(data: np.ndarray, requires_grad: bool = False) -> Tensor:
        t = make_fn(data, requires_grad)
        if threading.get_ident() == me:
            rec.created.add(id(t))
            rec.keep.append(t)
        return t

    def init(self: Tensor, *args: Any, **kwargs: Any) -> None:
        orig_init(self, *args, **kwargs)
        if threading.get_ident() == me:
            rec.created.add(id(self))
            rec.keep.append(self)

    def bump(self: Tensor) -> None:
        if threading.get_ident() == me:
            rec.fail("an in-place write to a tensor (replays cannot repeat side effects)", rank=1)
        orig_bump(self)

    def module_call(self: Any, *args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() == me:
            rec.modules[id(self)] = self
        return orig_call(self, *args, **kwargs)

    def guard(name: str, why: str) -> Any:
        original = originals[name]

        def wrapper(self: Tensor, *args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() == me:
                rec.fail(why)
            return original(self, *args, **kwargs)

        return wrapper

    rng_before = default_generator.np.bit_generator.state
    structure_before = _module._structure[0]
    Function.apply = classmethod(apply)  # type: ignore[method-assign,assignment]
    Tensor._make = staticmethod(make)  # type: ignore[method-assign,assignment]
    Tensor.__init__ = init  # type: ignore[method-assign]
    Tensor._bump_version = bump  # type: ignore[method-assign]
    _module.Module.__call__ = module_call  # type: ignore[method-assign]
    for name in _READBACKS:
        setattr(Tensor, name, guard(name, f"Tensor.{name}() reads a value back into Python (it would be frozen)"))
    for name in _HOOKS:
        setattr(Tensor, name, guard(name, f"Tensor.{name}() on a tensor inside the call (hooks do not replay)"))
    try:
        result = call()
    finally:
        Function.apply = orig_apply  # type: ignore[method-assign]
        Tensor._make = orig_make  # type: ignore[method-assign]
        Tensor.__init__ = orig_init  # type: ignore[method-assign]
        Tensor._bump_version = orig_bump  # type: ignore[method-assign]
        _module.Module.__call__ = orig_call  # type: ignore[method-assign]
        for name, original in originals.items():
            setattr(Tensor, name, original)
    if _module._structure[0] != structure_before:
        rec.fail("a module attribute was assigned during the call (Python side effects do not replay)", rank=1)
    if default_generator.np.bit_generator.state != rng_before:
        rec.fail("random numbers were drawn (e.g. dropout in training mode)", rank=2)
    program = _finish(rec, result) if rec.problem is None else None
    return result, (program if rec.problem is None else None), rec.problem


def _finish(rec: _Recorder, result: Any) -> Program | None:
    """The program for ``result``: output slots, backward order (the eager engine's), guards."""
    single = isinstance(result, Tensor)
    outs = (result,) if single else result
    if not isinstance(outs, (tuple, list)) or not outs or not all(isinstance(o, Tensor) for o in outs):
        rec.fail(f"the function returned {type(result).__name__}; compile replays functions returning Tensors")
        return None
    out_slots = []
    ext_slots = {rec.slot_of[id(t)] for t in rec.externals}
    for o in outs:
        s = rec.slot_of.get(id(o))
        if s is None or s < rec.n_inputs or s in ext_slots:
            rec.fail("the function returns a tensor no traced op computed (an input, a constant, nonzero()...)")
            return None
        out_slots.append(s)
    n_node_inputs = rec.n_inputs + len(rec.externals)
    node_inputs = [rec.values[i] if i < rec.n_inputs else None for i in range(rec.n_inputs)]
    node_inputs += [t._data for t in rec.externals]
    for s in out_slots:
        if any(np.may_share_memory(rec.values[s], a) for a in node_inputs):
            rec.fail("an output is a view of an input (views keep eager semantics)")
            return None
    roots = [o._grad_fn for o in outs if o._grad_fn is not None]
    order = [rec.node_op[id(n)] for n in toposort(roots) if id(n) in rec.node_op] if roots else []
    saved = set()  # node inputs whose arrays some op saved for backward: their versions are checked
    input_slot = {id(rec.values[i]): i for i in range(rec.n_inputs)}
    input_slot.update({id(t._data): rec.n_inputs + k for k, t in enumerate(rec.externals)})
    for node in rec.nodes:
        for value in node._saved or ():
            k = input_slot.get(id(value._data if isinstance(value, Tensor) else value))
            if k is not None:
                saved.add(k)
    slot_index = {}  # slots renumbered: node inputs first (in order), then everything else
    base: list[Any] = [None] * n_node_inputs
    for i in range(rec.n_inputs):
        slot_index[i] = i
    for k, t in enumerate(rec.externals):
        slot_index[rec.slot_of[id(t)]] = rec.n_inputs + k
    op_out = {s for op in rec.ops for s in op.outs}
    for s, v in enumerate(rec.values):
        if s not in slot_index:
            slot_index[s] = len(base)
            base.append(None if s in op_out else v)
    ops = [op.renumbered(slot_index) for op in rec.ops]
    return Program(
        ops=ops, order=tuple(order), base=base, n_inputs=rec.n_inputs, externals=list(rec.externals),
        out_slots=tuple(slot_index[s] for s in out_slots), single=single, saved_inputs=tuple(sorted(saved)),
        modules=list(rec.modules.values()), n_node_inputs=n_node_inputs,
    )  # fmt: skip
