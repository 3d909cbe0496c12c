"""Stride-1 convolutions in the exact patch layout (fused im2col / col2im kernels) against the wide one.

With numba, a stride-1 convolution with padding "same" and at least ``MIN_ROWS`` patch rows builds
one GEMM column per output position (``_conv_exact``) instead of one per padded input position.
Every element is the same sum of the same products as in the NumPy (wide) path, but BLAS may take
another kernel for the last partial block of GEMM columns, and the weight and bias gradients sum over
fewer columns, so the two paths agree within float32 rounding; the kernels cut into slices for 3
threads equal one thread exactly. Both paths are also checked against PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule import _fused, _parallel
from chainrule.nn.functional import _conv_exact, _split

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
pytest.importorskip("numba", reason="numba (the 'fast' extra) compiles the kernels")


def _run(lib: Any, fn: str, arrays: list[np.ndarray], g: np.ndarray, kwargs: dict) -> list[np.ndarray]:
    ts = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = getattr(lib.nn.functional, fn)(*ts, **kwargs)
    out.backward(lib.tensor(g))
    return [out.detach().numpy().copy()] + [t.grad.numpy().copy() for t in ts]


CASES = [
    # (input shape, weight shape, kwargs): all padding "same", stride 1, >= 16 patch rows
    ((5, 4, 9, 8), (6, 4, 3, 3), {"padding": 1}),
    ((3, 2, 10, 7), (5, 2, 3, 5), {"padding": (1, 2)}),
    ((4, 3, 8, 8), (4, 3, 3, 3), {"padding": 2, "dilation": 2}),
    ((2, 2, 7, 9), (3, 2, 5, 5), {"padding": "same"}),
    ((3, 20, 5, 6), (7, 20, 1, 1), {}),
    ((4, 8, 15), (5, 8, 3), {"padding": 1}),
]


@pytest.mark.parametrize("xshape, wshape, kwargs", CASES)
def test_exact_layout_equals_wide_and_torch(monkeypatch, xshape, wshape, kwargs):
    rng = np.random.default_rng(7)
    fn = "conv1d" if len(xshape) == 3 else "conv2d"
    x = rng.standard_normal(xshape).astype(np.float32)
    arrays = [x, rng.standard_normal(wshape).astype(np.float32), rng.standard_normal(wshape[0]).astype(np.float32)]
    g = rng.standard_normal((xshape[0], wshape[0], *xshape[2:])).astype(np.float32)
    seen = []
    real = _conv_exact.usable
    monkeypatch.setattr(_conv_exact, "usable", lambda gm, x: seen.append(real(gm, x)) or seen[-1])
    with _fused.override(False):
        wide = _run(cr, fn, arrays, g, kwargs)
    assert seen == [False]
    runs = []
    saved = _parallel.elementwise_threads()
    try:
        for threads, minimum in ((1, _split.SPLIT_MIN), (3, 0)):
            monkeypatch.setattr(_split, "SPLIT_MIN", minimum)
            _parallel.set_elementwise_threads(threads)
            with _fused.override(True):
                runs.append(_run(cr, fn, arrays, g, kwargs))
    finally:
        _parallel.set_elementwise_threads(saved)
    assert seen[1:] == [True, True]
    for run in runs:  # last bits differ: BLAS computes a partial last block of columns with another kernel
        for a, b in zip(run, wide):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    for a, b in zip(runs[0], runs[1]):
        np.testing.assert_array_equal(a, b)
    for got, want in zip(_fused_run(fn, arrays, g, kwargs), _run(torch, fn, arrays, g, kwargs)):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def _fused_run(fn: str, arrays: list[np.ndarray], g: np.ndarray, kwargs: dict) -> list[np.ndarray]:
    with _fused.override(True):
        return _run(cr, fn, arrays, g, kwargs)


def test_float64_and_non_contiguous_input():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((3, 6, 7, 4))
    w = rng.standard_normal((5, 4, 3, 3))
    g = rng.standard_normal((3, 5, 6, 7))
    want = _run(torch, "conv2d", [np.ascontiguousarray(x.transpose(0, 3, 1, 2)), w], g, {"padding": 1})
    for fused in (False, True):
        xt, wt = cr.tensor(x, requires_grad=True), cr.tensor(w, requires_grad=True)
        with _fused.override(fused):
            out = cr.nn.functional.conv2d(xt.permute(0, 3, 1, 2), wt, padding=1)  # a strided (3, 4, 6, 7) view
            out.backward(cr.tensor(g))
        got = [out.detach().numpy(), xt.grad.numpy().transpose(0, 3, 1, 2), wt.grad.numpy()]
        for a, b in zip(got, want):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


def test_inf_next_to_the_border_stays_out_of_the_padding():
    """A padded read next to an inf input is 0 (a select), not inf·0 = NaN: with positive weights the
    outputs whose window holds the inf are inf, all others finite, as in PyTorch."""
    rng = np.random.default_rng(9)
    x = rng.random((2, 4, 6, 6)).astype(np.float32)
    x[0, 1, 2, 5] = np.inf  # last column: the wide layout's wrapped read of the next row's column -1
    x[1, 2, 3, 0] = np.inf  # first column
    w = rng.random((3, 4, 3, 3)).astype(np.float32) + 0.1
    want = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), padding=1).numpy()
    for fused in (False, True):
        with _fused.override(fused), cr.no_grad():
            got = cr.nn.functional.conv2d(cr.tensor(x), cr.tensor(w), padding=1).numpy()
        assert not np.isnan(got).any()
        np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
        np.testing.assert_allclose(np.where(np.isinf(got), 0, got), np.where(np.isinf(want), 0, want), rtol=1e-5)
