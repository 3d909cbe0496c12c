"""The fast paths of layer_norm and of the stride-1 convolution agree with slow references.

layer_norm works on an (R, D) matrix with BLAS matrix-vector sums; it must match the composite
(mean, var, affine) built from chainrule ops. The stride-1 convolution uses a flat buffer whose
rows and images share their zero borders; it must match PyTorch for paddings larger than the
kernel, asymmetric 'same' padding, dilation and groups.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule._alloc import tune_malloc


def _composite_ln(x, shape, w, b, eps):
    dims = tuple(range(-len(shape), 0))
    mu = x.mean(dim=dims, keepdim=True)
    xc = x - mu
    var = (xc * xc).mean(dim=dims, keepdim=True)
    y = xc / (var + eps).sqrt()
    if w is not None:
        y = y * w
    if b is not None:
        y = y + b
    return y


@pytest.mark.parametrize("xshape, nshape", [((5, 7), (7,)), ((2, 3, 4, 6), (4, 6)), ((64, 128), (128,)), ((3, 1), (1,))])
@pytest.mark.parametrize("affine", [(True, True), (True, False), (False, True), (False, False)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layer_norm_matches_composite(xshape, nshape, affine, dtype):
    rng = np.random.default_rng(1)
    x0 = (rng.standard_normal(xshape) * 3 + 1).astype(dtype)
    g0 = rng.standard_normal(xshape).astype(dtype)
    w0 = rng.standard_normal(nshape).astype(dtype)
    b0 = rng.standard_normal(nshape).astype(dtype)
    res = []
    for fast in (True, False):
        x = cr.tensor(x0, requires_grad=True)
        w = cr.tensor(w0, requires_grad=True) if affine[0] else None
        b = cr.tensor(b0, requires_grad=True) if affine[1] else None
        f = cr.nn.functional.layer_norm if fast else _composite_ln
        y = f(x, nshape, w, b, 1e-5)
        y.backward(cr.tensor(g0))
        res.append([y.detach().numpy(), x.grad.numpy()] + [t.grad.numpy() for t in (w, b) if t is not None])
        assert y.dtype == x.dtype and all(r.dtype == dtype for r in res[-1])
    tol = 1e-4 if dtype == np.float32 else 1e-10
    for a, c in zip(*res):
        np.testing.assert_allclose(a, c, rtol=tol, atol=tol)


def test_layer_norm_noncontiguous_and_broadcast_grad():
    rng = np.random.default_rng(2)
    x0 = rng.standard_normal((6, 8, 5)).astype(np.float32)
    out = {}
    for lib in (cr, torch):
        x = lib.tensor(x0, requires_grad=True)
        w = lib.tensor(np.linspace(0.5, 2, 6, dtype=np.float32), requires_grad=True)
        y = lib.nn.functional.layer_norm(x.transpose(0, 2), (6,), w)
        y.sum().backward()  # the incoming gradient is a broadcast (stride-0) array
        out[lib] = (y.detach().numpy(), x.grad.numpy(), w.grad.numpy())
    for a, c in zip(out[cr], out[torch]):
        np.testing.assert_allclose(a, c, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "xshape, wshape, kw",
    [
        ((2, 3, 9, 7), (4, 3, 3, 3), {"padding": 1}),
        ((2, 3, 9, 7), (4, 3, 3, 3), {"padding": 4}),  # padding larger than the kernel
        ((2, 3, 9, 7), (4, 3, 2, 4), {"padding": "same"}),  # asymmetric pads
        ((2, 3, 9, 7), (4, 3, 3, 2), {"padding": (3, 0), "dilation": (2, 1)}),
        ((3, 4, 6, 6), (6, 2, 3, 3), {"padding": 2, "groups": 2}),
        ((2, 3, 5, 5), (4, 3, 1, 1), {}),
        ((2, 3, 5, 5), (4, 3, 1, 1), {"padding": 1}),
        ((1, 2, 11), (3, 2, 4), {"padding": 3}),  # conv1d
    ],
)
@pytest.mark.filterwarnings("ignore:Using padding=.same.")
def test_conv_wide_layout_matches_torch(xshape, wshape, kw):
    rng = np.random.default_rng(3)
    x0, w0 = rng.standard_normal(xshape), rng.standard_normal(wshape)
    b0 = rng.standard_normal(wshape[0])
    out = {}
    for lib in (cr, torch):
        f = lib.nn.functional.conv2d if len(xshape) == 4 else lib.nn.functional.conv1d
        x, w, b = (lib.tensor(a, requires_grad=True) for a in (x0, w0, b0))
        for _ in range(2):  # the second call reuses the scratch buffers: borders must still be zero
            x.grad = w.grad = b.grad = None
            y = f(x, w, b, **kw)
            (y * y).sum().backward()
        out[lib] = (y.detach().numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy())
    for a, c in zip(out[cr], out[torch]):
        np.testing.assert_allclose(a, c, rtol=1e-9, atol=1e-9)


def test_tune_malloc_is_idempotent():
    first = tune_malloc()
    assert isinstance(first, bool)
    assert tune_malloc() is first
