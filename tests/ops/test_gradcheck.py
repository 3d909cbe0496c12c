"""Float64 finite-difference gradcheck of every differentiable op case."""

from __future__ import annotations

import pytest

import chainrule

from .cases import CASES
from .harness import OpCase, outputs, to_lib


@pytest.mark.parametrize("case", [c for c in CASES if c.grad and c.gradcheck], ids=lambda c: c.name)
def test_gradcheck(case: OpCase) -> None:
    leaves, args = to_lib(chainrule, case.inputs(), "float64")
    if not leaves:
        pytest.fail(f"{case.name}: no float input to check; set grad=False")
    n = len(leaves)

    def f(*xs: chainrule.Tensor) -> list[chainrule.Tensor]:
        it = iter(xs)
        full = [next(it) if a.requires_grad else a for a in args]
        outs = outputs(case.fn(chainrule, *full))
        return [o for o in outs if o.is_floating_point()]

    assert len(leaves) == n
    assert chainrule.autograd.gradcheck(f, leaves)
