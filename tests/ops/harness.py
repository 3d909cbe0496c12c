"""The op-case harness: one ``OpCase`` per line drives torch parity, gradcheck and coverage.

A case's ``fn(lib, *inputs)`` is written once against the PyTorch API and called with ``lib`` =
``chainrule`` or ``torch``. Inputs are made by ``make(rng)`` (default: uniform floats of ``shapes``
in ``domain``); floating inputs require grad, integer/bool inputs (indices, masks) do not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import chainrule


@dataclass
class OpCase:
    name: str
    fn: Callable[..., Any]
    shapes: Sequence[tuple[int, ...]] = ()
    domain: tuple[float, float] = (-2.0, 2.0)
    make: Callable[[np.random.Generator], list[np.ndarray]] | None = None
    grad: bool = True  # False for ops whose output carries no gradient (comparisons, argmax ...)
    gradcheck: bool = True  # False where finite differences are ill-posed (kinks on the grid ...)
    atol: float = 1e-6
    rtol: float = 1e-5
    noncontig: bool = False  # also run with transposed (non-contiguous) float inputs
    dtypes: Sequence[str] = ("float32",)
    extra: dict[str, Any] = field(default_factory=dict)

    def inputs(self, seed: int = 0) -> list[np.ndarray]:
        rng = np.random.default_rng(seed)
        if self.make is not None:
            return [np.asarray(a) for a in self.make(rng)]
        lo, hi = self.domain
        return [rng.uniform(lo, hi, size=s) for s in self.shapes]

    def __repr__(self) -> str:
        return self.name


def to_lib(lib: Any, arrays: Sequence[np.ndarray], dtype: str, noncontig: bool = False) -> tuple[list[Any], list[Any]]:
    """Leaves (what gradients are taken of) and the inputs handed to ``fn``, in ``lib``'s types."""
    leaves, args = [], []
    for a in arrays:
        if a.dtype.kind == "f":
            base = a.astype(dtype)
            if noncontig and a.ndim >= 2:
                t = lib.tensor(np.ascontiguousarray(base.T), requires_grad=True)
                leaves.append(t)
                args.append(t.permute(*range(a.ndim - 1, -1, -1)))
            else:
                t = lib.tensor(base, requires_grad=True)
                leaves.append(t)
                args.append(t)
        else:
            args.append(lib.tensor(a))
    return leaves, args


def outputs(out: Any) -> list[Any]:
    """Flatten an op's result into a list of tensors (values/indices pairs, split lists ...)."""
    if isinstance(out, (tuple, list)):
        return [o for item in out for o in outputs(item)]
    if hasattr(out, "values") and hasattr(out, "indices") and not callable(out.values):
        return [out.values, out.indices]
    return [out]


def graph_ops(case: OpCase) -> set[str]:
    """Names of the Function classes that ``case`` puts in chainrule's graph."""
    from chainrule.autograd.engine import toposort

    _, args = to_lib(chainrule, case.inputs(), "float64")
    roots = [o.grad_fn for o in outputs(case.fn(chainrule, *args)) if getattr(o, "grad_fn", None) is not None]
    return {type(n).__name__ for n in toposort(roots)}
