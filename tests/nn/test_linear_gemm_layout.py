"""``F.linear``'s GEMM layouts: the transposed-output forward (few rows, large float32 weight) and the
one-row weight gradient (an outer product) give the same bits as the plain formulas ``x @ W.T + b``,
``g.T @ x``, ``g @ W``, and agree with PyTorch."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import chainrule
import chainrule.nn.functional as F

linear_module = importlib.import_module("chainrule.nn.functional.linear")  # the module, not F.linear

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

SHAPES = [  # (rows, in, out): the MLP workloads' layers, around the layout rule's edges, and odd sizes
    (2, 784, 256), (32, 784, 256), (32, 256, 128), (32, 128, 10), (64, 784, 1024), (64, 1024, 1024),
    (65, 784, 256), (128, 784, 256), (128, 256, 128), (129, 784, 256), (7, 333, 129), (33, 1000, 513),
]  # fmt: skip


def _bits(a: np.ndarray) -> np.ndarray:
    return a.view(np.uint32 if a.dtype == np.float32 else np.uint64)


def _run(xs: np.ndarray, ws: np.ndarray, bs: np.ndarray | None, gs: np.ndarray) -> list[np.ndarray]:
    x, w = chainrule.tensor(xs, requires_grad=True), chainrule.tensor(ws, requires_grad=True)
    b = None if bs is None else chainrule.tensor(bs, requires_grad=True)
    y = F.linear(x, w, b)
    y.backward(chainrule.tensor(gs))
    out = [y.detach().numpy(), x.grad.numpy(), w.grad.numpy()]
    return out + ([] if b is None else [b.grad.numpy()])


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n,k,m", SHAPES)
def test_linear_layouts_give_the_plain_formulas_bits(n: int, k: int, m: int, dtype: type, bias: bool) -> None:
    rng = np.random.default_rng(n * 1000 + m)
    xs, ws = rng.standard_normal((n, k)).astype(dtype), rng.standard_normal((m, k)).astype(dtype)
    bs = rng.standard_normal(m).astype(dtype) if bias else None
    gs = rng.standard_normal((n, m)).astype(dtype)
    got = _run(xs, ws, bs, gs)
    y = xs @ ws.T
    if bs is not None:
        y += bs
    want = [y, gs @ ws, gs.T @ xs] + ([] if bs is None else [np.add.reduce(gs, 0)])
    assert got[0].flags.c_contiguous and got[0].shape == (n, m)
    for a, c in zip(got, want):
        assert a.dtype == c.dtype
        np.testing.assert_array_equal(_bits(a), _bits(c))
    tx, tw = torch.tensor(xs, requires_grad=True), torch.tensor(ws, requires_grad=True)
    tb = None if bs is None else torch.tensor(bs, requires_grad=True)
    ty = torch.nn.functional.linear(tx, tw, tb)
    ty.backward(torch.tensor(gs))
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    for a, t in zip(got, [ty, tx.grad, tw.grad] + ([] if tb is None else [tb.grad])):
        np.testing.assert_allclose(a, t.detach().numpy(), **tol)


def test_the_transposed_forward_is_taken_where_measured_faster() -> None:
    """The rule itself: few rows and a large float32 weight only (not float64, not 10 outputs)."""
    want = linear_module._wants_transposed_gemm
    f32, f64 = np.float32, np.float64
    assert want(np.zeros((32, 784), f32), np.zeros((256, 784), f32))
    assert want(np.zeros((128, 784), f32), np.zeros((256, 784), f32))
    assert not want(np.zeros((1, 784), f32), np.zeros((256, 784), f32))
    assert not want(np.zeros((32, 128), f32), np.zeros((10, 128), f32))
    assert not want(np.zeros((128, 256), f32), np.zeros((128, 256), f32))
    assert not want(np.zeros((1024, 784), f32), np.zeros((256, 784), f32))
    assert not want(np.zeros((32, 784), f64), np.zeros((256, 784), f64))
    assert not want(np.zeros((784, 32), f32).T, np.zeros((256, 784), f32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k,m", [(784, 256), (1, 1), (3, 500), (129, 17)])
def test_one_row_weight_gradient_is_the_gemm_bit_for_bit(k: int, m: int, dtype: type) -> None:
    """Batch 1: g.T @ x with a zero row added gives the K = 1 GEMM's bits, signed zeros included."""
    rng = np.random.default_rng(k + m)
    g, x = rng.standard_normal((1, m)).astype(dtype), rng.standard_normal((1, k)).astype(dtype)
    g[:, ::3], g[:, 1::5], x[:, ::4] = 0.0, -0.0, -0.0
    np.testing.assert_array_equal(_bits(linear_module._outer_gemm(g, x)), _bits(g.T @ x))
    got = _run(x, rng.standard_normal((m, k)).astype(dtype), None, g)
    np.testing.assert_array_equal(_bits(got[2]), _bits(g.T @ x))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,k", [((32, 16, 2048), 128), ((4, 3, 5, 64), 33), ((2, 1, 7), 9)])
def test_input_gradient_of_batched_inputs_is_one_gemm_with_the_same_values(shape, k, dtype) -> None:
    """gx = g W for x (*, in): one GEMM over the flattened leading dims; agrees with the per-index
    products and with PyTorch."""
    rng = np.random.default_rng(3)
    xs = rng.standard_normal((*shape[:-1], k)).astype(dtype)
    ws = rng.standard_normal((shape[-1], k)).astype(dtype)
    gs = rng.standard_normal(shape).astype(dtype)
    x, w = chainrule.tensor(xs, requires_grad=True), chainrule.tensor(ws, requires_grad=True)
    F.linear(x, w).backward(chainrule.tensor(gs))
    tol = 1e-4 * np.sqrt(shape[-1]) if dtype == np.float32 else 1e-12  # float32 sums of `out` products
    np.testing.assert_allclose(x.grad.numpy(), gs @ ws, rtol=tol, atol=tol)
    tx, tw = torch.tensor(xs, requires_grad=True), torch.tensor(ws, requires_grad=True)
    torch.nn.functional.linear(tx, tw).backward(torch.tensor(gs))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=tol * 10, atol=tol * 10)
