"""Second derivatives where PyTorch defines them only in part: scatter_reduce('prod') with two zeros
reduced into one position (PyTorch raises for src's second derivative, not for input's)."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is the test oracle for second derivatives")

_A = [[1.5, 0.0, 2.0, -1.0], [0.5, 3.0, 0.0, 2.0]]
_S = [[0.0, 2.0, 0.0, 1.5], [2.0, -1.0, 0.0, 0.5], [3.0, 1.0, 2.0, 0.0]]
_I = [[0, 1, 0, 1], [1, 0, 0, 1], [1, 0, 1, 1]]


@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_prod_two_zeros_like_torch(include_self: bool) -> None:
    grads = {}
    for m in (cr, torch):
        a = m.tensor(_A, dtype=m.float64, requires_grad=True)
        s = m.tensor(_S, dtype=m.float64, requires_grad=True)
        o = m.scatter_reduce(a, 0, m.tensor(_I), s, "prod", include_self=include_self)
        ga, gs = m.autograd.grad((o * o).sum(), (a, s), create_graph=True)
        with pytest.raises(RuntimeError, match="Double backward is unsupported for src when >1 zeros"):
            m.autograd.grad(gs.sum(), (a, s), retain_graph=True)
        grads[m] = [g.detach().numpy() for g in m.autograd.grad((ga * ga).sum(), (a, s))]
    for ours, theirs in zip(grads[cr], grads[torch]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
