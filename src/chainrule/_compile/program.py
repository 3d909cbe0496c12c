"""A traced call as a flat program, and its replay as ONE autograd node.

Forward replay runs each recorded op's ``forward`` on arrays, in order, with a fresh ctx, as
straight-line generated code (``codegen.py``): no Tensor objects, no graph bookkeeping. The whole
program is one node of the caller's graph (``Replay``), whose inputs are the function's tensor arguments and the externals (parameters...);
its backward runs the recorded ops' ``backward`` in the eager engine's order, summing gradients
exactly as the engine does (unbroadcast, cast, accumulate in the same order), so replayed
gradients equal eager ones bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..autograd.function import Function, _graph_output, _new, edge
from ..autograd.grad_mode import state as _grad_state


class ShapeChanged(Exception):
    """An op gave an output of another shape or dtype than when traced (a data-dependent op)."""


@dataclass(frozen=True)
class Op:
    """One recorded op: ``cls.forward(ctx, *[slot values])`` -> output slots."""

    cls: type
    needs: tuple[bool, ...]  # needs_input_grad, as the eager call had it
    args: tuple[int, ...]  # a slot per forward argument (constants live in slots too)
    outs: tuple[int, ...]
    out_meta: tuple[tuple[tuple[int, ...], np.dtype], ...]  # (shape, dtype) of each output
    grad_in: tuple[tuple[int, int, tuple[int, ...], np.dtype], ...]  # (arg pos, slot, shape, dtype)

    def renumbered(self, new: dict[int, int]) -> Op:
        return Op(
            self.cls, self.needs, tuple(new[s] for s in self.args), tuple(new[s] for s in self.outs),
            self.out_meta, tuple((p, new[s], shape, dt) for p, s, shape, dt in self.grad_in),
        )  # fmt: skip


@dataclass
class Program:
    """Slots ``0 .. n_node_inputs-1`` hold the tensor arguments then the externals' arrays."""

    ops: list[Op]
    order: tuple[int, ...]  # op indices in the eager engine's backward order
    base: list[Any]  # initial slot values: constants; None for inputs and op outputs
    n_inputs: int
    externals: list[Any]  # Tensors read at every replay (parameters, buffers, closed-over tensors)
    out_slots: tuple[int, ...]
    single: bool  # the function returned one Tensor (else a tuple of them)
    saved_inputs: tuple[int, ...]  # node inputs some op saved: their version counters are checked
    modules: list[Any]  # modules called during the trace: their .training is a guard
    n_node_inputs: int
    structure: int = 0  # nn.module._structure when traced
    ext_sig: tuple[Any, ...] = ()
    train_sig: tuple[bool, ...] = ()
    verified: bool = False
    guard: Any = None  # () -> bool: nothing the trace depends on changed (see ``codegen.generate_guard``)
    ext_arrays: list[Any] | None = None  # the externals' arrays the fast guard expects (same objects)
    ext_edges: tuple[Any, ...] | None = None  # the externals' graph edges, when all are leaves
    ext_needs: tuple[bool, ...] = ()  # their needs_input_grad entries (with ``ext_edges``)
    run_forward: Any = None  # (*node input arrays) -> (output or outputs, ctxs)
    run_backward: Any = None  # (ctxs, *output grads) -> node input grads

    def build(self) -> None:
        """Generate the straight-line forward and backward functions (see ``codegen``)."""
        from .codegen import generate

        self.run_forward, self.run_backward = generate(self)
        ext = self.externals
        self.ext_arrays = [t._data for t in ext]
        if all(t._grad_fn is None for t in ext):
            self.ext_edges = tuple([edge(t, False) if t._requires_grad else None for t in ext])
            self.ext_needs = tuple([t._requires_grad for t in ext])

class Replay(Function):
    """The whole traced program as one node: inputs (program, *tensor args, *externals)."""

    _array_op = True

    @classmethod
    def run(cls, program: Program, tensors: list[Any]) -> Any:
        """``Replay.apply(program, *tensors, *program.externals)``, with the externals' part prepared.

        When every external is a leaf (parameters, buffers) and the program returns one tensor,
        the externals' edges and ``needs_input_grad`` were computed once in ``build``; the guard
        (checked before) keeps them valid: same arrays, ``requires_grad`` and no history.
        """
        ext_edges = program.ext_edges
        if ext_edges is None or not program.single or not _grad_state.enabled:
            return cls.apply(program, *tensors, *program.externals)
        t_needs = tuple([t._requires_grad for t in tensors])
        needs = (False, *t_needs, *program.ext_needs)
        if True not in needs:
            return cls.apply(program, *tensors, *program.externals)
        ctx = _new(cls)
        ctx.needs_input_grad = needs
        ctx._edges = (None, *[edge(t, False) if r else None for t, r in zip(tensors, t_needs)], *ext_edges)
        out, ctx.ctxs = program.run_forward(*[t._data for t in tensors], *program.ext_arrays)
        ctx.program = program
        return _graph_output(out, ctx)

    @staticmethod
    def forward(ctx: Any, program: Program, *arrays: Any) -> Any:
        out, ctx.ctxs = program.run_forward(*arrays)
        ctx.program = program
        return out

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        # the caller moved the inner ctxs into _saved, so the engine frees them after backward;
        # saved_tensors raises if they were freed, or if a saved input was modified in place
        (ctxs,) = ctx.saved_tensors
        return (None, *ctx.program.run_backward(ctxs, *grad_outputs))
