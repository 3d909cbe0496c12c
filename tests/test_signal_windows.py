"""Window functions against PyTorch: every window, periodic and symmetric, lengths 0, 1, 2 and
more, float32 and float64, and the errors."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

CALLS = [
    ("hann_window", {}), ("hamming_window", {}), ("hamming_window", {"alpha": 0.5, "beta": 0.5}),
    ("blackman_window", {}), ("bartlett_window", {}), ("kaiser_window", {}), ("kaiser_window", {"beta": 3.0}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "kw"), CALLS)
@pytest.mark.parametrize("n", [0, 1, 2, 5, 16])
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_window_matches_torch(name: str, kw: dict, n: int, periodic: bool, dtype: str) -> None:
    ours = getattr(cr, name)(n, periodic, dtype=getattr(cr, dtype), **kw)
    theirs = getattr(torch, name)(n, periodic, dtype=getattr(torch, dtype), **kw)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_window_defaults_and_errors() -> None:
    w = cr.hann_window(8, requires_grad=True)
    assert w.dtype == cr.float32 and w.requires_grad and tuple(w.shape) == (8,)
    for lib in (cr, torch):
        with pytest.raises(RuntimeError):
            lib.hann_window(-1)
        with pytest.raises(RuntimeError):
            lib.hann_window(4, dtype=lib.int64)
