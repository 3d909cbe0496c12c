"""2x2 / stride-2 max pooling as fused kernels equals the NumPy passes bit for bit, and PyTorch.

``_pool_kernels`` runs the forward (maximum and first-maximum offset) and the backward (g at the
argmax, 0 elsewhere) in one pass each when numba is installed. Each case runs max_pool2d forward and
backward with kernels on and off (``_fused.override``), single-threaded and cut into slices for 3
threads, and asserts every array equal; the kernel path is also checked against PyTorch. Inputs
have tied windows (first maximum wins), NaN, ±inf and odd sizes (a last row / column no window
covers, whose gradient is 0).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule import _fused, _parallel
from chainrule.nn.functional import _split

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
pytest.importorskip("numba", reason="numba (the 'fast' extra) compiles the kernels")


def _pool(lib: Any, x: np.ndarray, g: np.ndarray, **kwargs: Any) -> list[np.ndarray]:
    t = lib.tensor(x, requires_grad=True)
    out, idx = lib.nn.functional.max_pool2d(t, 2, return_indices=True, **kwargs)
    out.backward(lib.tensor(g))
    return [out.detach().numpy().copy(), idx.numpy().copy(), t.grad.numpy().copy()]


def _inputs(shape: tuple[int, ...], dtype: Any, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, shape).astype(dtype)  # few distinct values: many tied windows
    x[0, 0, 0, :4] = [np.inf, -np.inf, -np.inf, -np.inf]
    x[-1, -1, -2:, -2:] = -np.inf
    return x


SHAPES = [(4, 3, 8, 8), (3, 2, 9, 7), (2, 5, 6, 11), (1, 1, 3, 4)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernel_equals_numpy_passes_and_torch(monkeypatch, shape, dtype):
    x = _inputs(shape, dtype, 1)
    g = np.random.default_rng(2).standard_normal((shape[0], shape[1], shape[2] // 2, shape[3] // 2)).astype(dtype)
    runs = []
    saved = _parallel.elementwise_threads()
    try:
        for fused in (False, True):
            for threads, minimum in ((1, _split.SPLIT_MIN), (3, 0)):
                monkeypatch.setattr(_split, "SPLIT_MIN", minimum)
                _parallel.set_elementwise_threads(threads)
                with _fused.override(fused):
                    runs.append(_pool(cr, x, g))
    finally:
        _parallel.set_elementwise_threads(saved)
    for other in runs[1:]:
        for a, b in zip(runs[0], other):
            np.testing.assert_array_equal(a, b)
    for got, want in zip(runs[-1], _pool(torch, x, g)):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("g_special", [np.inf, np.nan])
def test_nonfinite_gradient_and_nan_input(g_special):
    """A NaN in a window makes its maximum NaN in both paths; a non-finite g reaches only its argmax."""
    x = _inputs((2, 2, 6, 6), np.float32, 3)
    x[1, 0, 3, 2] = np.nan
    g = np.random.default_rng(4).standard_normal((2, 2, 3, 3)).astype(np.float32)
    g[0, 1, 1, 1] = g_special
    with _fused.override(False):
        want = _pool(cr, x, g)
    with _fused.override(True):
        got = _pool(cr, x, g)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
    assert np.isnan(got[0][1, 0, 1, 1])


def test_non_contiguous_input_and_no_grad():
    """A transposed input (not C-contiguous) takes the NumPy passes; without a gradient only the maximum."""
    x = _inputs((3, 4, 8, 10), np.float32, 5)
    xt = np.swapaxes(x, 2, 3)
    with _fused.override(True):
        got = _pool(cr, xt, np.ones((3, 4, 5, 4), np.float32))
        with cr.no_grad():
            plain = cr.nn.functional.max_pool2d(cr.tensor(x), 2).numpy()
    want = _pool(torch, np.ascontiguousarray(xt), np.ones((3, 4, 5, 4), np.float32))
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(plain, torch.nn.functional.max_pool2d(torch.tensor(x), 2).numpy())
