"""Float64 ``gradgradcheck`` of every op case whose ops all have a recordable backward, and a coverage
test: every op marked converted (``_graph_backward``) must be second-order checked by some case."""

from __future__ import annotations

import pytest

import chainrule
from chainrule.autograd.function import Function

from .cases import CASES
from .harness import OpCase, graph_ops, outputs, to_lib
from .test_coverage import _primitives


def _op_classes() -> dict[str, type]:
    found: dict[str, type] = {}
    stack = list(Function.__subclasses__())
    while stack:
        c = stack.pop()
        found.setdefault(c.__name__, c)
        stack.extend(c.__subclasses__())
    return found


def _converted(name: str, classes: dict[str, type]) -> bool:
    cls = classes.get(name)
    return cls is not None and (not cls._array_op or cls._graph_backward)


import chainrule.ops._xp  # noqa: E402,F401  (the backward-only primitives)

# first derivatives with a kink within finite differences' ε of the case's inputs
_KINKED = {"norm_neginf": "min |x| is within ε of 0, where the first derivative's sign(x) jumps"}
# second derivatives PyTorch itself refuses (raising as it does is checked in test_double_backward_a.py)
_KINKED.update({n: "two zeros scattered to one position: no second derivative for src"
                for n in ("scatter_reduce_prod_zeros", "scatter_reduce_prod_zeros_noself")})

# second-order checked through smaller cases of the same code paths (finite differences over the
# recorded recurrence take about a minute each here): 2 layers × 2 directions by rnn_tanh_2layer_bidir,
# packed unequal lengths in both directions by gru_packed_unequal_bidir, projections by
# lstm_proj_nobias_bf. Their first derivatives are still checked (gradcheck and PyTorch parity).
_COVERED_SMALLER = {"lstm_2layer_bidir", "lstm_packed_unequal_bidir", "gru_2layer_bidir_bf", "lstm_proj_bidir"}

_CLASSES = _op_classes()
_CHECKED = [
    c for c in CASES
    if c.grad and c.gradcheck and c.name not in _KINKED and c.name not in _COVERED_SMALLER and all(_converted(n, _CLASSES) for n in graph_ops(c))
]  # fmt: skip


@pytest.mark.parametrize("case", _CHECKED, ids=lambda c: c.name)
def test_gradgradcheck(case: OpCase) -> None:
    leaves, args = to_lib(chainrule, case.inputs(), "float64")

    def f(*xs: chainrule.Tensor) -> list[chainrule.Tensor]:
        it = iter(xs)
        full = [next(it) if a.requires_grad else a for a in args]
        outs = outputs(case.fn(chainrule, *full))
        return [o for o in outs if o.is_floating_point() and o.requires_grad]

    assert chainrule.autograd.gradgradcheck(f, leaves)


def test_every_converted_op_is_second_order_checked() -> None:
    """Fails for an op marked converted that no fully-converted case covers; lists the ops not yet
    converted (their double backward raises a clear error naming the op)."""
    checked: set[str] = set()
    for case in _CHECKED:
        checked |= graph_ops(case)
    prims = _primitives()
    converted = {n for n in prims if _converted(n, _CLASSES) and _CLASSES[n]._array_op}
    unconverted = sorted(prims - converted)
    print(f"ops without a recordable backward yet ({len(unconverted)}): {unconverted}")
    missing = converted - checked
    assert not missing, f"ops marked _graph_backward without a gradgradcheck case: {sorted(missing)}"


def _composite_cases() -> list[OpCase]:
    from chainrule.autograd.function import CompositeDoubleBackward

    names = {n for n, c in _CLASSES.items() if issubclass(c, CompositeDoubleBackward)}
    return [c for c in _CHECKED if graph_ops(c) & names]


@pytest.mark.parametrize("case", _composite_cases(), ids=lambda c: c.name)
def test_fused_backward_agrees_with_its_composite(case: OpCase) -> None:
    """A fused op's first-order gradient (arrays) equals the recorded gradient of its composite."""
    import numpy as np

    leaves, args = to_lib(chainrule, case.inputs(), "float64")
    outs = [o for o in outputs(case.fn(chainrule, *args)) if o.is_floating_point() and o.requires_grad]
    rng = np.random.default_rng(1)
    vs = [chainrule.tensor(rng.standard_normal(tuple(o.shape))) for o in outs]
    fused = chainrule.autograd.grad(outs, leaves, vs, retain_graph=True, allow_unused=True)
    recorded = chainrule.autograd.grad(outs, leaves, vs, create_graph=True, allow_unused=True)
    for a, b in zip(fused, recorded):
        assert (a is None) == (b is None)
        if a is not None:
            assert b.grad_fn is not None or not b.requires_grad
            np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)
