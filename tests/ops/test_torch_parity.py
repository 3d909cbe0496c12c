"""Every op case, forward and backward, against PyTorch 2.13 on the same inputs."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule

from .cases import CASES
from .harness import OpCase, outputs, to_lib

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

VARIANTS = [
    pytest.param(case, dtype, nc, id=f"{case.name}-{dtype}{'-noncontig' if nc else ''}")
    for case in CASES
    for dtype in case.dtypes
    for nc in ((False, True) if case.noncontig else (False,))
]


def _np(t: object) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    if isinstance(t, chainrule.Tensor):
        return t.detach().numpy()
    return np.asarray(t)


@pytest.mark.parametrize(("case", "dtype", "noncontig"), VARIANTS)
def test_forward_backward_match_torch(case: OpCase, dtype: str, noncontig: bool) -> None:
    arrays = case.inputs()
    cr_leaves, cr_args = to_lib(chainrule, arrays, dtype, noncontig)
    th_leaves, th_args = to_lib(torch, arrays, dtype, noncontig)
    cr_out = outputs(case.fn(chainrule, *cr_args))
    th_out = outputs(case.fn(torch, *th_args))
    assert len(cr_out) == len(th_out), f"{case.name}: number of outputs differs"
    for c, t in zip(cr_out, th_out):
        if isinstance(t, torch.Tensor):
            assert str(c.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], f"{case.name}: dtype"
            assert tuple(c.shape) == tuple(t.shape), f"{case.name}: shape"
        np.testing.assert_allclose(_np(c), _np(t), rtol=case.rtol, atol=case.atol, err_msg=f"{case.name}: forward")
    if not case.grad or not cr_leaves:
        return
    rng = np.random.default_rng(1)
    diff = [(c, t) for c, t in zip(cr_out, th_out) if isinstance(t, torch.Tensor) and t.requires_grad]
    assert diff, f"{case.name}: torch output requires no grad; set grad=False on the case"
    cr_loss, th_loss = 0, 0
    for c, t in diff:
        w = rng.standard_normal(tuple(t.shape)).astype(dtype)
        cr_loss = cr_loss + (c * chainrule.tensor(w)).sum()
        th_loss = th_loss + (t * torch.tensor(w)).sum()
    cr_loss.backward()
    th_loss.backward()
    for i, (c, t) in enumerate(zip(cr_leaves, th_leaves)):
        if t.grad is None:
            assert c.grad is None or not np.any(c.grad.numpy()), f"{case.name}: input {i} got a grad torch doesn't give"
            continue
        assert c.grad is not None, f"{case.name}: input {i} got no gradient"
        assert c.grad.dtype == c.dtype, f"{case.name}: grad dtype {c.grad.dtype} != input dtype {c.dtype}"
        np.testing.assert_allclose(
            c.grad.numpy(), t.grad.numpy(), rtol=case.rtol * 10, atol=case.atol * 10,
            err_msg=f"{case.name}: gradient of input {i}",
        )
