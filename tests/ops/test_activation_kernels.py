"""ReLU's gradient as a fused kernel equals the NumPy passes ``g · (out > 0)`` bit for bit.

Both paths run relu forward and backward (kernels on / off with ``_fused.override``), on one thread
and in chunks over 3 threads, in float32 and float64, with ±inf (where out > 0), NaN, ±0 in the
gradient and ±0, NaN in the input; the kernel path is also compared with PyTorch on finite values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule import _fused, _parallel

pytest.importorskip("numba", reason="numba (the 'fast' extra) compiles the kernels")


def _relu(lib: Any, x: np.ndarray, g: np.ndarray) -> list[np.ndarray]:
    t = lib.tensor(x, requires_grad=True)
    y = lib.nn.functional.relu(t)
    y.backward(lib.tensor(g))
    return [y.detach().numpy().copy(), t.grad.numpy().copy()]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_grad_kernel_equals_numpy(dtype):
    rng = np.random.default_rng(11)
    x = rng.standard_normal((6, 5, 7)).astype(dtype)
    x[0, 0, :3] = [0.0, -0.0, np.nan]
    g = rng.standard_normal(x.shape).astype(dtype)
    g[1, 1, :4] = [np.inf, -np.inf, np.nan, -0.0]
    g[2, 2, :2] = [-1.5, 0.0]
    x[1, 1, :4] = [1.0, 2.0, -1.0, -3.0]  # ±inf passed, NaN masked (NaN·0 = NaN in both), -0 masked
    runs = []
    for fused in (False, True):
        for threads, size in ((1, None), (3, 1)):
            with _fused.override(fused), _parallel.override(threads, size):
                runs.append(_relu(cr, x, g))
    for other in runs[1:]:
        for a, b in zip(runs[0], other):
            np.testing.assert_array_equal(a, b)
            np.testing.assert_array_equal(np.signbit(a), np.signbit(b))


def test_relu_grad_kernel_against_torch():
    torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
    rng = np.random.default_rng(12)
    x = rng.standard_normal((64, 8, 9, 9)).astype(np.float32)
    x[0, 0, 0, :2] = 0.0  # relu'(0) = 0
    g = rng.standard_normal(x.shape).astype(np.float32)
    with _fused.override(True):
        got = _relu(cr, x, g)
    for a, b in zip(got, _relu(torch, x, g)):
        np.testing.assert_array_equal(a, b)
