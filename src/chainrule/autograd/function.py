"""``Function``: one differentiable operation, its forward and its vector-Jacobian product side by side.

An instance of a ``Function`` subclass is both the ``ctx`` its static methods receive and the
graph node that backward later visits (``tensor.grad_fn``). Two flavours share this class:

* chainrule's own ops set ``_array_op = True``: ``forward``/``backward`` receive and return NumPy
  arrays, which keeps per-op overhead near a bare NumPy call and lets the code read like the math;
* user subclasses (PyTorch's custom-op API) receive and return Tensors, exactly as in PyTorch.
"""

from __future__ import annotations

import traceback
from typing import Any

import numpy as np

from ._numpy_xp import numpy_xp
from .grad_mode import state as _grad_state

__all__ = ["Function", "FunctionCtx", "once_differentiable", "CompositeDoubleBackward"]

# Bound by chainrule._tensor once the Tensor class exists (Tensor's methods import the ops, which
# import this module, so the class cannot be imported here at module load).
Tensor: Any = None

_anomaly = [False]  # set by autograd.anomaly.detect_anomaly
_profiler: list[Any] = [None]  # while a profile records: chainrule.profiler's recorder (times backward nodes)
_fw_on = [False]  # True while a forward-AD dual level is active (autograd.forward_ad)
_fw_apply: Any = None  # then ``apply`` defers to this hook (autograd._jvp.apply_dual), which adds tangents
_fw_level: list[Any] = [None]  # the active dual level (autograd.forward_ad keeps its state here)
_vmap: list[Any] = [None]  # while a vmap runs: chainrule.func._batching.apply (batched arguments -> their rule)


def edge(t: Any, keep_tensor: bool) -> tuple[Any, int, Any, tuple[int, ...], np.dtype]:
    """How backward reaches input ``t``: ``(grad_fn, output_nr, tensor, shape, dtype)``.

    Taken when the node is created (as PyTorch's graph edges), so a later in-place op that gives
    ``t`` a new history does not re-route this node. The tensor itself is kept only for a leaf
    (its ``.grad`` is filled) or the base of a view (which shares its memory anyway), so
    intermediate activations are freed once backward has used them.
    """
    fn = t._grad_fn
    return (fn, t._output_nr, t if fn is None or keep_tensor else None, t._data.shape, t._data.dtype)


class Function:
    """Base class of differentiable operations, with PyTorch's ``autograd.Function`` API.

    Subclass it, write ``forward(ctx, *inputs)`` and ``backward(ctx, *grad_outputs)`` as
    static methods, and call ``YourFunction.apply(*inputs)``. ``backward`` returns one gradient
    per input of ``forward`` (``None`` for inputs that are not differentiable).

    Example:
        >>> import chainrule as cr
        >>> class Exp(cr.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, i):
        ...         result = i.exp()
        ...         ctx.save_for_backward(result)
        ...         return result
        ...     @staticmethod
        ...     def backward(ctx, grad_output):
        ...         (result,) = ctx.saved_tensors
        ...         return grad_output * result
        >>> x = cr.tensor([0.0, 1.0], requires_grad=True)
        >>> Exp.apply(x).sum().backward()
        >>> x.grad
        tensor([1.0000, 2.7183])
    """

    _array_op = False  # True for built-in ops working on NumPy arrays
    # True for built-in ops whose ``backward`` is written with ``ctx.xp`` and only differentiable
    # saved values (inputs/outputs), so ``create_graph=True`` can record it (user Functions always can)
    _graph_backward = False
    xp: Any = numpy_xp  # the array namespace backward computes with (a Tensor one under create_graph)
    _saved_src: Any = ()  # per saved value: input position k, output j as -2-j, or -1
    _is_view = False  # True when output 0 shares memory with input 0 (reshape, transpose, ...)

    # Node state, filled in by ``apply`` (class-level defaults keep ``apply`` short).
    needs_input_grad: tuple[bool, ...] = ()
    _edges: tuple[Any, ...] = ()  # one ``edge(...)`` per forward argument (None: no gradient)
    _saved: tuple[Any, ...] | None = ()
    _versions: tuple[tuple[list[int], int], ...] = ()
    _freed = False
    _n_out = 1
    _hooks: list[tuple[int, Any]] | None = None
    _node_hooks: tuple[list[Any], list[Any]] | None = None  # (pre-hooks, hooks) of register_(pre)hook
    _non_diff: tuple[int, ...] = ()
    _trace: list[str] | None = None
    materialize_grads = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass  # ctx objects are created by ``apply``; direct construction is allowed, as in torch

    # --- ctx API -------------------------------------------------------------------------------
    def save_for_backward(self, *values: Any) -> None:
        """Keep what backward needs; it is freed after backward unless ``retain_graph=True``."""
        self._saved = values

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """What ``forward`` passed to ``save_for_backward``, as a tuple.
        RuntimeError if the graph was already freed (backward without ``retain_graph=True``) or if a saved
        tensor was modified in place since (its version counter moved on), as in PyTorch.
        """
        saved = self._saved
        if saved is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                f"tensors after they have already been freed) in {self.name()}. Saved intermediate "
                "values of the graph are freed when you call .backward() or autograd.grad(). "
                "Specify retain_graph=True if you need to backward through the graph a second time."
            )
        for cell, version in self._versions:
            if cell[0] != version:
                raise RuntimeError(
                    f"{self.name()}: one of the variables needed for gradient computation has been "
                    f"modified by an inplace operation; expected version {version}, got version "
                    f"{cell[0]}. Use an out-of-place operation (e.g. x = x + 1 instead of x += 1) "
                    "on tensors that backward still needs."
                )
        return saved

    def mark_non_differentiable(self, *outputs: Any) -> None:
        """Declare outputs (e.g. indices) that carry no gradient."""
        self._non_diff_ids = {id(o) for o in outputs}

    def mark_dirty(self, *args: Any) -> None:
        """Accepted for PyTorch compatibility; in-place custom Functions are not tracked."""

    def set_materialize_grads(self, value: bool) -> None:
        """If True (the default), outputs nobody used reach ``backward`` as zeros instead of None."""
        self.materialize_grads = bool(value)

    # --- graph node API -------------------------------------------------------------------------
    @classmethod
    def name(cls) -> str:
        """The class name + ``"Backward"``, e.g. ``"MulBackward"`` (PyTorch adds a number: MulBackward0)."""
        return cls.__name__ + "Backward"

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """(node, output index) of each input, as in PyTorch; ``None`` for inputs without grad."""
        return tuple(
            (None, 0) if e is None else (e[0] if e[0] is not None else _AccumulateGrad(e[2]), e[1])
            for e in self._edges
        )

    def register_hook(self, fn: Any) -> Any:
        """Call ``fn(grad_inputs, grad_outputs)`` after this node's backward ran (tuples of Tensors or None:
        the gradients it returned for its inputs, and those it received); a tuple it returns replaces
        ``grad_inputs``. Returns a handle whose ``remove()`` unregisters it."""
        from ._node_hooks import add_node_hook

        return add_node_hook(self, 1, fn)

    def register_prehook(self, fn: Any) -> Any:
        """Call ``fn(grad_outputs)`` before this node's backward runs; a tuple it returns replaces the
        gradients the backward receives. Returns a handle whose ``remove()`` unregisters it."""
        from ._node_hooks import add_node_hook

        return add_node_hook(self, 0, fn)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {hex(id(self))}>"

    # --- forward ---------------------------------------------------------------------------------
    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        """The forward computation: ``forward(ctx, *inputs)`` returns the output(s); write it in a subclass.
        Call ``ctx.save_for_backward(...)`` to keep what ``backward`` needs.
        """
        raise NotImplementedError("Function subclasses must implement forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """The vector-Jacobian product: ``backward(ctx, *grad_outputs)`` returns one gradient (or None) per
        ``forward`` input, each ``gx = Σ g · ∂out/∂x``; write it in a subclass.
        """
        raise NotImplementedError("Function subclasses must implement backward(ctx, *grads)")

    @staticmethod
    def jvp(ctx: Any, *grad_inputs: Any) -> Any:
        """The Jacobian-vector product for forward-mode AD: ``jvp(ctx, *tangents)`` returns one tangent per
        output, ``ẏ = Σ ∂out/∂x · ẋ``; write it in a subclass to use the Function with dual tensors.
        """
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it with forward mode AD."
        )

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run ``forward`` and, when any input requires grad, record this node in the graph.

        The hot path of every op: one- and two-argument calls (most ops) are unrolled, and the
        output tensor is built with its graph state in one go.
        """
        if _vmap[0] is not None and (out := _vmap[0](cls, args)) is not NotImplemented:
            return out
        if _fw_on[0]:  # forward-mode AD: the same op, plus tangents
            return _fw_apply(cls, args)
        if not cls._array_op:
            return _apply_tensor_function(cls, cls.__new__(cls), args)
        ctx = _new(cls)
        T = Tensor
        n = len(args)
        if n == 1:
            a = args[0]
            if isinstance(a, T):
                needs = (True,) if a._requires_grad and _grad_state.enabled else _NO1
                ctx.needs_input_grad = needs
                out = cls.forward(ctx, a._data)
            else:
                needs = ctx.needs_input_grad = _NO1
                out = cls.forward(ctx, a)
        elif n == 2:
            a, b = args
            ta, tb = isinstance(a, T), isinstance(b, T)
            if _grad_state.enabled:
                needs = (ta and a._requires_grad, tb and b._requires_grad)
            else:
                needs = _NO2
            ctx.needs_input_grad = needs
            out = cls.forward(ctx, a._data if ta else a, b._data if tb else b)
        elif n == 3:
            a, b, c = args
            ta, tb, tc = isinstance(a, T), isinstance(b, T), isinstance(c, T)
            if _grad_state.enabled:
                needs = (ta and a._requires_grad, tb and b._requires_grad, tc and c._requires_grad)
            else:
                needs = _NO3
            ctx.needs_input_grad = needs
            out = cls.forward(ctx, a._data if ta else a, b._data if tb else b, c._data if tc else c)
        else:
            arrays = [a._data if isinstance(a, T) else a for a in args]
            if _grad_state.enabled:
                needs = tuple([isinstance(a, T) and a._requires_grad for a in args])
            else:
                needs = (False,) * n
            ctx.needs_input_grad = needs
            out = cls.forward(ctx, *arrays)

        if True not in needs:  # no graph: plain output tensor(s)
            outs = tuple([_wrap(o) for o in out]) if type(out) is tuple else _wrap(out)
            if ctx._is_view:  # a view shares its base's version counter, graph or not
                _share_version(args[0], outs)
            return outs
        view = ctx._is_view  # (forward may clear it: a reshape that had to copy)
        if n == 1:
            ctx._edges = (edge(args[0], view),)
        elif n == 2:
            ctx._edges = (edge(a, view) if needs[0] else None, edge(b, view) if needs[1] else None)
        elif n == 3:
            ctx._edges = (
                edge(a, view) if needs[0] else None,
                edge(b, view) if needs[1] else None,
                edge(c, view) if needs[2] else None,
            )
        else:
            ctx._edges = tuple([edge(a, view) if nd else None for a, nd in zip(args, needs)])
        if type(out) is tuple:
            outs = tuple([_wrap(o) for o in out])
            ctx._n_out = len(outs)
            _attach(ctx, args, outs)
            return outs
        # one output (the common case): built directly as a graph node's output
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        t = _new(T)
        t._data = out
        t._requires_grad = True
        t._grad = None
        t._grad_fn = ctx
        t._output_nr = 0
        t._vc = None
        t._hooks = None
        t._post_hooks = None
        t._retains_grad = False
        if view:
            _share_version(args[0], t)
        if ctx._saved:
            _record_versions(ctx, args, t)
        if _anomaly[0]:
            ctx._trace = _user_stack()
        return t


_new = object.__new__
_NO1 = (False,)
_NO2 = (False, False)
_NO3 = (False, False, False)


class _AccumulateGrad:
    """Stand-in node shown by ``next_functions`` for a leaf tensor (PyTorch's AccumulateGrad)."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    next_functions: tuple[Any, ...] = ()


FunctionCtx = Function  # PyTorch exposes the ctx type under this name


def _wrap(out: Any) -> Any:
    """An output array as a Tensor that requires no grad (yet); ``Tensor._make`` inlined."""
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    t = _new(Tensor)
    t._data = out
    t._requires_grad = False
    t._grad = None
    t._grad_fn = None
    t._output_nr = 0
    t._vc = None
    t._hooks = None
    t._post_hooks = None
    t._retains_grad = False
    return t


def _graph_output(out: Any, ctx: Function) -> Any:
    """A single output array as a Tensor that ``ctx`` produced (output 0)."""
    t = _wrap(out)
    t._requires_grad = True
    t._grad_fn = ctx
    return t


def _attach(ctx: Function, inputs: tuple[Any, ...], outs: Any) -> None:
    """Mark outputs as produced by ``ctx``; record versions of saved inputs/outputs."""
    if type(outs) is tuple:
        non_diff = getattr(ctx, "_non_diff_ids", ())
        for i, o in enumerate(outs):
            if id(o._data) in non_diff:
                continue
            if o._data.dtype.kind == "f":
                o._requires_grad = True
                o._grad_fn = ctx
                o._output_nr = i
        ctx._out_meta = tuple((o._data.shape, o._data.dtype) for o in outs)
        first = outs[0]
    else:
        first = outs
        first._requires_grad = True
        first._grad_fn = ctx
    if ctx._is_view:
        _share_version(inputs[0], outs)
    if ctx._saved:
        _record_versions(ctx, inputs, outs)
    if _anomaly[0]:
        ctx._trace = _user_stack()


def _user_stack() -> list[str]:
    """The current stack as formatted lines, without chainrule's own frames at its end."""
    import os

    pkg = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frames = traceback.extract_stack()
    while frames and os.path.abspath(frames[-1].filename).startswith(pkg + os.sep):
        frames.pop()
    return traceback.format_list(frames)


def _share_version(base: Any, outs: Any) -> None:
    """Views (every output of a view op) share their base's version counter."""
    cell = base._version_cell()
    if type(outs) is tuple:
        for o in outs:
            o._vc = cell
    else:
        outs._vc = cell


def _record_versions(ctx: Function, inputs: tuple[Any, ...], outs: Any) -> None:
    """Remember the version of every saved input/output, to detect in-place changes later.

    Each saved value is matched to the first input (then output) tensor that is it or holds its
    array; values that match nothing (fresh temporaries, numbers) need no version. Where each saved
    value came from (``_saved_src``: input position k, output j as −2 − j, else −1) lets
    ``create_graph=True`` reconnect it to the graph.
    """
    T = Tensor
    outs_t = outs if type(outs) is tuple else (outs,)
    versions = []
    src = []
    for s in ctx._saved:
        if s is None:
            src.append(-1)
            continue
        arr = s._data if isinstance(s, T) else s
        hit = None
        where = 0
        for t in inputs:  # inputs first, then outputs
            if isinstance(t, T) and (t is s or t._data is arr):
                hit = t
                break
            where += 1
        if hit is None:
            where = -2
            for t in outs_t:
                if t is s or t._data is arr:
                    hit = t
                    break
                where -= 1
        if hit is None and type(arr) is not np.ndarray and isinstance(arr, np.generic):
            # a 0-d result saved as a NumPy scalar: apply wrapped it in a new 0-d array
            where = -2
            for t in outs_t:
                if t._data.ndim == 0 and t._data.dtype == arr.dtype and t._data == arr:
                    hit = t
                    break
                where -= 1
        if hit is not None:
            src.append(where)
            cell = hit._vc
            if cell is None:
                cell = hit._vc = [0]
            versions.append((cell, cell[0]))
        else:
            src.append(-1)
    ctx._saved_src = src
    if versions:
        ctx._versions = tuple(versions)


def _apply_tensor_function(cls: type, ctx: Function, args: tuple[Any, ...]) -> Any:
    """The PyTorch-style path: forward sees Tensors (under no_grad) and returns Tensor(s)."""
    grad_on = _grad_state.enabled
    needs = tuple(isinstance(a, Tensor) and grad_on and a._requires_grad for a in args)
    ctx.needs_input_grad = needs
    _grad_state.enabled = False
    try:
        if "setup_context" in cls.__dict__ or _overrides_setup_context(cls):
            out = cls.forward(*args)  # PyTorch 2's style: forward without ctx, then setup_context
            cls.setup_context(ctx, args, out)
        else:
            out = cls.forward(ctx, *args)
    finally:
        _grad_state.enabled = grad_on
    is_tuple = type(out) is tuple
    raw = out if is_tuple else (out,)
    for o in raw:
        if not isinstance(o, Tensor):
            raise TypeError(
                f"{cls.__name__}.forward: expected it to return a Tensor or a tuple of Tensors, "
                f"got {type(o).__name__}"
            )
    # fresh output tensors sharing the data (an input returned as-is must not be re-parented)
    outs = tuple(Tensor._make(o._data) for o in raw)
    ctx._in_meta = tuple(a._data.shape if isinstance(a, Tensor) else None for a in args)
    if any(needs):
        ctx._edges = tuple(edge(a, False) if n else None for a, n in zip(args, needs))
        non_diff = getattr(ctx, "_non_diff_ids", set())
        ctx._non_diff_ids = {
            id(outs[i]._data) for i, o in enumerate(raw) if id(o) in non_diff or o._data.dtype.kind != "f"
        }
        ctx._n_out = len(outs)
        _attach(ctx, args, outs)
    return outs if is_tuple else outs[0]


def _overrides_setup_context(cls: type) -> bool:
    for k in cls.__mro__:
        if k is Function:
            return False
        if "setup_context" in k.__dict__:
            return True
    return False


def call_backward(node: Function, grads: list[Any]) -> tuple[Any, ...]:
    """Call ``node.backward`` with its output gradients; always returns a tuple of arrays/None."""
    cls = type(node)
    if cls._array_op:
        gin = cls.backward(node, *grads)
        return gin if type(gin) is tuple else (gin,)
    wrapped = [None if g is None else Tensor._make(g) for g in grads]
    prev = _grad_state.enabled
    _grad_state.enabled = False
    try:
        gin = cls.backward(node, *wrapped)
    finally:
        _grad_state.enabled = prev
    if type(gin) is not tuple:
        gin = (gin,)
    n = len(node._edges)
    if len(gin) > n and all(g is None for g in gin[n:]):
        gin = gin[:n]  # PyTorch accepts extra trailing Nones
    if len(gin) != n:
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients (expected {n}, "
            f"got {len(gin)})"
        )
    out = []
    for i, (g, shape) in enumerate(zip(gin, node._in_meta)):
        if g is not None:
            g = g._data if isinstance(g, Tensor) else np.asarray(g)
            if shape is not None and g.shape != shape and not _sums_to(g.shape, shape):
                raise RuntimeError(
                    f"Function {node.name()} returned an invalid gradient at index {i} - got "
                    f"{list(g.shape)} but expected shape compatible with {list(shape)}"
                )
        out.append(g)
    return tuple(out)


def _sums_to(gshape: tuple[int, ...], shape: tuple[int, ...]) -> bool:
    """True when ``shape`` broadcasts to ``gshape`` (the engine then sums the gradient back)."""
    if len(gshape) < len(shape):
        return False
    return all(s == 1 or s == gs for s, gs in zip(shape[::-1], gshape[::-1]))


class CompositeDoubleBackward:
    """Mixin for fused ops whose first-order backward works on arrays it derived in ``forward`` (no
    sensible recorded form): they define ``composite(ctx, *args)``, the same forward built from
    differentiable primitives, and under ``create_graph=True`` the engine differentiates that instead.
    The node keeps its forward arguments (``_composite_args``) for it; first-order backward is unchanged.
    """

    _graph_backward = True

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """``Function.apply``, then remember the arguments on the node for ``composite``."""
        out = Function.apply.__func__(cls, *args)  # type: ignore[attr-defined]
        first = out[0] if type(out) is tuple else out
        node = first._grad_fn
        if type(node) is cls:
            node._composite_args = args
        return out


def once_differentiable(fn: Any) -> Any:
    """Decorate a custom Function's ``backward`` that is not itself differentiable (e.g. NumPy code).

    It runs without recording; under ``create_graph=True`` its results are marked so that
    differentiating them again raises a RuntimeError instead of giving a silently wrong answer.
    """
    import functools

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        from .grad_mode import no_grad

        with no_grad():
            out = fn(ctx, *args)
        if not _grad_state.enabled:
            return out
        needs = [a for a in args if isinstance(a, Tensor) and a._requires_grad]
        if not needs:
            return out
        one = type(out) is not tuple
        outs = (out,) if one else out
        marked = tuple(
            _DelayedError.apply(o, *needs) if isinstance(o, Tensor) and o._data.dtype.kind == "f" else o
            for o in outs
        )
        return marked[0] if one else marked

    return wrapper


class _DelayedError(Function):
    """Identity on ``x`` whose backward raises: the result of a ``once_differentiable`` backward."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, *anchors: Any) -> Any:
        return x.copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with @once_differentiable; "
            "write its backward with Tensor operations to make it differentiable"
        )
