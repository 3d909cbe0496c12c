"""Thread settings: PyTorch's names and errors, acting on NumPy's BLAS pool."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def test_set_num_threads_limits_the_blas_pool() -> None:
    before = chainrule.get_num_threads()
    try:
        chainrule.set_num_threads(1)
        assert chainrule.get_num_threads() == 1
        a = chainrule.randn(64, 64)
        np.testing.assert_allclose((a @ a).numpy(), a.numpy() @ a.numpy(), rtol=1e-5)
    finally:
        chainrule.set_num_threads(before)
    assert chainrule.get_num_threads() == before


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_bad_thread_counts_raise_like_torch(bad: object) -> None:
    with pytest.raises(RuntimeError) as theirs:
        torch.set_num_threads(bad)
    with pytest.raises(RuntimeError) as ours:
        chainrule.set_num_threads(bad)
    assert str(ours.value).split(",")[0].split(" but")[0] == str(theirs.value).split(",")[0].split(" but")[0]
    with pytest.raises(RuntimeError, match="set_num_interop_threads expects"):
        chainrule.set_num_interop_threads(bad)


def test_interop_threads_are_recorded() -> None:
    old = chainrule.get_num_interop_threads()
    try:
        chainrule.set_num_interop_threads(3)
        assert chainrule.get_num_interop_threads() == 3
    finally:
        chainrule.set_num_interop_threads(old)
