"""Convolution and max pooling split over threads give bit for bit the results of one thread.

The element-wise parts of conv2d / conv1d and max_pool2d (patch matrix, output copy with the bias,
col2im, gradient re-layout, the pooling passes) run on slices of the batch or of the flat positions
when there are several threads and enough elements, and the convolution's GEMMs (output, input and
weight gradient, bias gradient) on blocks of output columns or rows with single-threaded BLAS. Here
the size thresholds are lowered to 0 so that even small inputs are cut (into 2·2 and 3·2 uneven
slices), and every result — forward, and the input, weight and bias gradients — must equal the
unsplit run exactly; the unsplit run is checked against PyTorch so that both paths are tied to the
oracle.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule import _parallel
from chainrule.nn.functional import _split

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _run(lib: Any, fn: str, arrays: list[np.ndarray], g: np.ndarray, kwargs: dict) -> list[np.ndarray]:
    ts = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = getattr(lib.nn.functional, fn)(*ts, **kwargs)
    out.backward(lib.tensor(g))
    return [out.detach().numpy()] + [t.grad.numpy() for t in ts]


def _split_runs(monkeypatch: pytest.MonkeyPatch, *args: Any) -> list[list[np.ndarray]]:
    """The op on one thread (unsplit), then with every kernel cut into slices for 2 and for 3 threads."""
    saved = _parallel.elementwise_threads()
    runs = []
    try:
        for threads, minimum in ((1, _split.SPLIT_MIN), (2, 0), (3, 0)):
            monkeypatch.setattr(_split, "SPLIT_MIN", minimum)
            monkeypatch.setattr(_split, "GEMM_MIN", minimum)  # the GEMMs in column/row blocks too
            _parallel.set_elementwise_threads(threads)
            runs.append(_run(cr, *args))
    finally:
        _parallel.set_elementwise_threads(saved)
    return runs


CONVS = [
    # (input shape, weight shape, kwargs): stride-1 "wide" layouts with and without junk columns
    ((5, 3, 9, 8), (4, 3, 3, 3), {"padding": 1}),
    ((4, 2, 7, 7), (3, 2, 3, 2), {"padding": (2, 0), "dilation": (1, 2)}),
    ((3, 4, 6, 6), (6, 4, 1, 1), {}),
    ((5, 1, 12), (3, 1, 5), {"padding": 2}),
]


@pytest.mark.parametrize("xshape, wshape, kwargs", CONVS)
@pytest.mark.parametrize("bias", [True, False])
def test_conv_split_equals_one_thread(monkeypatch, xshape, wshape, kwargs, bias):
    rng = np.random.default_rng(3)
    fn = "conv1d" if len(xshape) == 3 else "conv2d"
    arrays = [rng.standard_normal(xshape).astype(np.float32), rng.standard_normal(wshape).astype(np.float32)]
    if bias:
        arrays.append(rng.standard_normal(wshape[0]).astype(np.float32))
    ref = torch.nn.functional.conv1d if fn == "conv1d" else torch.nn.functional.conv2d
    g = rng.standard_normal(tuple(ref(*[torch.tensor(a) for a in arrays], **kwargs).shape)).astype(np.float32)
    runs = _split_runs(monkeypatch, fn, arrays, g, kwargs)
    for got, want in zip(runs[0], _run(torch, fn, arrays, g, kwargs)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    for other in runs[1:]:
        for a, b in zip(runs[0], other):
            np.testing.assert_array_equal(a, b)


POOLS = [
    ((6, 3, 8, 8), {"kernel_size": 2}),
    ((5, 2, 9, 7), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}),
]


@pytest.mark.parametrize("xshape, kwargs", POOLS)
def test_max_pool_split_equals_one_thread(monkeypatch, xshape, kwargs):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(xshape).astype(np.float32)
    x[0, 0, :2, :2] = 1.5  # a tied window: the first maximum takes the gradient
    oshape = tuple(torch.nn.functional.max_pool2d(torch.tensor(x), **kwargs).shape)
    g = rng.standard_normal(oshape).astype(np.float32)
    runs = _split_runs(monkeypatch, "max_pool2d", [x], g, kwargs)
    # overlapping windows: PyTorch sums a pixel's shares in another order
    for got, want in zip(runs[0], _run(torch, "max_pool2d", [x], g, kwargs)):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    for other in runs[1:]:
        for a, b in zip(runs[0], other):
            np.testing.assert_array_equal(a, b)


def test_max_pool_split_without_grad(monkeypatch):
    x = np.random.default_rng(5).standard_normal((7, 3, 10, 10)).astype(np.float32)
    outs = []
    for threads, minimum in ((1, _split.SPLIT_MIN), (2, 0), (3, 0)):
        monkeypatch.setattr(_split, "SPLIT_MIN", minimum)
        saved = _parallel.elementwise_threads()
        _parallel.set_elementwise_threads(threads)
        try:
            outs.append(cr.nn.functional.max_pool2d(cr.tensor(x), 2).numpy().copy())
        finally:
            _parallel.set_elementwise_threads(saved)
    want = torch.nn.functional.max_pool2d(torch.tensor(x), 2).numpy()
    for o in outs:
        np.testing.assert_array_equal(o, want)


@pytest.mark.parametrize("threads, n", [(1, 7), (3, 7), (3, 2), (2, 1)])
def test_split_covers_the_range_once(monkeypatch, threads, n):
    monkeypatch.setattr(_split, "SPLIT_MIN", 0)
    saved = _parallel.elementwise_threads()
    _parallel.set_elementwise_threads(threads)
    slices: list[slice] = []
    try:
        _split.split(slices.append, n, 1)
    finally:
        _parallel.set_elementwise_threads(saved)
    assert len(slices) == (1 if threads == 1 else min(threads * _split._SLICES_PER_THREAD, n))
    assert sorted(i for s in slices for i in range(s.start, s.stop)) == list(range(n))


@pytest.mark.parametrize("block", [256, 1 << 16])
def test_weight_grad_in_column_blocks_matches_torch(monkeypatch, block):
    """Few patch rows (1 input channel, 3x3): the weight gradient as a sum of column-block GEMMs
    (block 256) or as one GEMM (1 << 16: too few columns for 8 blocks) — both against PyTorch."""
    from chainrule.nn.functional import conv

    rng = np.random.default_rng(6)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in ((40, 1, 28, 28), (6, 1, 3, 3), (6,))]
    g = rng.standard_normal((40, 6, 28, 28)).astype(np.float32)
    monkeypatch.setattr(conv, "_GW_BLOCK", block)
    k, o, t = 9, 6, 40 * 29 * 29  # patch rows, out channels, wide columns (rows/images share one zero border)
    blocked = t >= 8 * (block // (k + o))
    assert blocked == (block == 256)
    ours, theirs = (_run(lib, "conv2d", arrays, g, {"padding": 1}) for lib in (cr, torch))
    for got, want in zip(ours, theirs):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-3)


def test_weight_grad_blocks_equal_one_gemm(monkeypatch):
    from chainrule.nn.functional import conv

    rng = np.random.default_rng(7)
    for k, o, t in ((9, 32, 53824), (27, 16, 20000), (72, 16, 14400), (144, 32, 14400)):
        cols = rng.standard_normal((k, t)).astype(np.float32)
        g2 = rng.standard_normal((o, t)).astype(np.float32)
        direct = (g2.astype(np.float64) @ cols.T.astype(np.float64)).astype(np.float32)
        got = conv._weight_grad(cols, g2)
        with monkeypatch.context() as m:
            m.setattr(conv, "_GW_MAX_ROWS", -1)  # always the single GEMM
            one = conv._weight_grad(cols, g2)
        for a in (got, one):
            assert a.shape == (o, k) and a.flags.c_contiguous
            np.testing.assert_allclose(a, direct, rtol=1e-4, atol=2e-3)
