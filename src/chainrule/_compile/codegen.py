"""Straight-line Python for a traced program: the replay's forward and backward.

For a two-layer MLP the generated forward reads like the hand-written one::

    def forward(i0, i1, i2, i3, i4):
        c0 = new(K0); c0.needs_input_grad = N0
        v5 = F0(c0, i0, i1, i2)
        if v5.__class__ is not ndarray: v5 = asarray(v5)
        if v5.shape != S0_0 or v5.dtype != D0_0: changed(0, v5)
        ...
        return v9, (c0, c1, c2)

and the backward calls each op's ``backward`` in the eager engine's order, then routes every
input gradient the way the engine does: summed back to the input's shape (unbroadcast), cast
to its dtype, and added to what that value has received so far (``old + g``, in the same order).
Every constant (op classes, shapes, flags, dims) is bound in the functions' namespace.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.engine import unbroadcast
from .program import Program, ShapeChanged


def generate(program: Program) -> tuple[Any, Any]:
    """(forward, backward) functions for ``program``."""
    ns: dict[str, Any] = {
        "new": object.__new__, "ndarray": np.ndarray, "asarray": np.asarray, "zeros": np.zeros,
        "unbroadcast": unbroadcast, "changed": _changed_for(program),
    }  # fmt: skip
    outputs = {s for op in program.ops for s in op.outs}
    n_in = program.n_node_inputs

    def name(slot: int) -> str:
        if slot < n_in:
            return f"i{slot}"
        if slot in outputs:
            return f"v{slot}"
        ns[f"k{slot}"] = program.base[slot]
        return f"k{slot}"

    last_use = {s: i for i, op in enumerate(program.ops) for s in op.args if s in outputs}
    dead_after: dict[int, list[int]] = {}  # op index -> values no later op reads: freed there, as eager does
    for s, i in last_use.items():
        if s not in program.out_slots:
            dead_after.setdefault(i, []).append(s)
    src = [f"def forward({', '.join(f'i{k}' for k in range(n_in))}):"]
    for i, op in enumerate(program.ops):
        ns[f"K{i}"], ns[f"F{i}"], ns[f"N{i}"] = op.cls, op.cls.forward, op.needs
        args = ", ".join(name(s) for s in op.args)
        src.append(f"    c{i} = new(K{i}); c{i}.needs_input_grad = N{i}")
        if len(op.outs) == 1:
            src.append(f"    v{op.outs[0]} = F{i}(c{i}, {args})")
        else:
            src.append(f"    o = F{i}(c{i}, {args})")
            src.extend(f"    v{s} = o[{j}]" for j, s in enumerate(op.outs))
        for j, (s, (shape, dtype)) in enumerate(zip(op.outs, op.out_meta)):
            ns[f"S{i}_{j}"], ns[f"D{i}_{j}"] = shape, dtype
            src.append(f"    if v{s}.__class__ is not ndarray: v{s} = asarray(v{s})")
            src.append(f"    if v{s}.shape != S{i}_{j} or v{s}.dtype != D{i}_{j}: changed({i}, v{s})")
        if i in dead_after:
            src.append(f"    del {', '.join(f'v{s}' for s in sorted(dead_after[i]))}")
    outs = [f"v{s}" for s in program.out_slots]
    result = outs[0] if program.single else f"({', '.join(outs)},)"
    src.append(f"    return {result}, ({''.join(f'c{i}, ' for i in range(len(program.ops)))})")

    grads = [f"g{j}" for j in range(len(program.out_slots))]
    src.append(f"def backward(ctxs, {', '.join(grads)}):")
    if program.ops:
        src.append(f"    {''.join(f'c{i}, ' for i in range(len(program.ops)))}= ctxs")
    touched = sorted(
        {s for op in program.ops for _, s, _, _ in op.grad_in}
        | set(program.out_slots)
        | {s for op in program.ops if len(op.outs) > 1 for s in op.outs}  # unused outputs of multi-output ops
    )
    src.extend(f"    a{s} = None" for s in touched)
    for j, s in enumerate(program.out_slots):
        src.append(f"    if g{j} is not None: a{s} = g{j} if a{s} is None else a{s} + g{j}")
    for i in program.order:
        _backward_op(src, ns, i, program)
    src.append(f"    return ({''.join(f'a{k}, ' if k in touched else 'None, ' for k in range(n_in))})")
    exec(compile("\n".join(src), f"<chainrule.compile {len(program.ops)} ops>", "exec"), ns)  # noqa: S102
    return ns["forward"], ns["backward"]


def _backward_op(src: list[str], ns: dict[str, Any], i: int, program: Program) -> None:
    op = program.ops[i]
    ns[f"B{i}"] = op.cls.backward
    if len(op.outs) == 1:
        s = op.outs[0]
        src.append(f"    if a{s} is not None:")
        src.append(f"        r = B{i}(c{i}, a{s}); a{s} = None")
    else:
        names = [f"a{s}" for s in op.outs]
        src.append(f"    if {' or '.join(f'{n} is not None' for n in names)}:")
        src.append(f"        gs = [{', '.join(names)}]; {' = '.join(names)} = None")
        ns[f"M{i}"] = op.out_meta
        src.append(f"        if c{i}.materialize_grads:")
        src.append(f"            gs = [zeros(sh, dt) if g is None else g for g, (sh, dt) in zip(gs, M{i})]")
        src.append(f"        r = B{i}(c{i}, *gs)")
    src.append("        if r.__class__ is not tuple: r = (r,)")
    for pos, s, shape, dtype in op.grad_in:
        ns[f"GS{i}_{pos}"], ns[f"GD{i}_{pos}"] = shape, dtype
        src.append(f"        x = r[{pos}]")
        src.append("        if x is not None:")
        src.append(f"            if x.shape != GS{i}_{pos}: x = unbroadcast(x, GS{i}_{pos})")
        src.append(f"            if x.dtype is not GD{i}_{pos} and x.dtype != GD{i}_{pos}: x = x.astype(GD{i}_{pos})")
        src.append(f"            a{s} = x if a{s} is None else a{s} + x")


def _changed_for(program: Program) -> Any:
    def changed(i: int, value: np.ndarray) -> None:
        op = program.ops[i]
        raise ShapeChanged(
            f"{op.cls.__name__} gave {value.shape} {value.dtype}; traced {[m for m in op.out_meta]}"
        )

    return changed


def generate_guard(program: Program, structure: list[int]) -> Any:
    """``guard() -> bool``: True when what the trace depends on is as traced, checked in straight
    line — the module structure counter, each traced module's ``.training``, and each external's
    array (the very same object, hence the same shape and dtype), ``requires_grad`` and, when its
    edge was prepared once, that it is still a leaf. False only means "look closer": the caller
    then compares signatures (an array swapped for one of the same shape passes)."""
    ns: dict[str, Any] = {"STRUCTURE": structure, "TRACED": program.structure, "A": program.ext_arrays}
    terms = ["STRUCTURE[0] == TRACED"]
    for i, (m, training) in enumerate(zip(program.modules, program.train_sig)):
        ns[f"m{i}"] = m
        terms.append(f"m{i}.training is {bool(training)}")
    for i, t in enumerate(program.externals):
        ns[f"e{i}"] = t
        terms.append(f"e{i}._data is A[{i}] and e{i}._requires_grad is {bool(t._requires_grad)}")
        if program.ext_edges is not None:
            terms.append(f"e{i}._grad_fn is None")
    src = "def guard():\n    return (\n        " + "\n        and ".join(terms) + "\n    )"
    exec(compile(src, "<chainrule.compile guard>", "exec"), ns)  # noqa: S102
    return ns["guard"]

