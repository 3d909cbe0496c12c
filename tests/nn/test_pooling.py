"""Pooling layers against PyTorch: forward/backward parity (indices too), gradcheck, repr; the
offset-loop pooling against composites of plain ops."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule
import chainrule.nn as nn
import chainrule.nn.functional as F

from .layer_harness import check_layer, gradcheck_layer

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")


def _x(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


LAYERS = [
    ("MaxPool2d", (2,), {}, (2, 3, 8, 8)),
    ("MaxPool2d", (3, 2, 1), {"ceil_mode": True}, (2, 3, 9, 7)),
    ("MaxPool2d", ((3, 2),), {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2), "return_indices": True}, (2, 2, 9, 8)),
    ("MaxPool2d", (2,), {"return_indices": True}, (3, 6, 5)),
    ("MaxPool1d", (3,), {"stride": 2, "padding": 1, "return_indices": True}, (2, 3, 10)),
    ("MaxPool1d", (2,), {"ceil_mode": True, "dilation": 2}, (3, 9)),
    ("AvgPool2d", (2,), {}, (2, 3, 8, 8)),
    ("AvgPool2d", (3, 2, 1), {"ceil_mode": True, "count_include_pad": False}, (2, 3, 9, 7)),
    ("AvgPool2d", ((3, 2),), {"stride": 1, "padding": (1, 1), "divisor_override": 4}, (3, 6, 5)),
    ("AvgPool1d", (3,), {"stride": 2, "padding": 1}, (2, 3, 10)),
    ("AvgPool1d", (4,), {"ceil_mode": True, "count_include_pad": False, "padding": 2}, (3, 9)),
    ("AdaptiveAvgPool2d", ((4, 3),), {}, (2, 3, 9, 7)),
    ("AdaptiveAvgPool2d", ((None, 2),), {}, (3, 5, 5)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 4, 6, 6)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 9)),
    ("AdaptiveMaxPool2d", ((4, 3),), {"return_indices": True}, (2, 3, 9, 7)),
    ("AdaptiveMaxPool2d", (2,), {}, (3, 6, 6)),
    ("AdaptiveMaxPool1d", (3,), {"return_indices": True}, (2, 3, 8)),
]


def _make(cls: str, args: tuple, kwargs: dict) -> Any:
    return lambda lib: getattr(lib.nn, cls)(*args, **kwargs)


@pytest.mark.parametrize(("cls", "args", "kwargs", "shape"), LAYERS, ids=lambda v: str(v))
@pytest.mark.parametrize("train", [True, False])
def test_layer_matches_torch(cls: str, args: tuple, kwargs: dict, shape: tuple, train: bool) -> None:
    check_layer(_make(cls, args, kwargs), [_x(*shape)], train=train, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize(("cls", "args", "kwargs", "shape"), LAYERS, ids=lambda v: str(v))
def test_layer_gradcheck(cls: str, args: tuple, kwargs: dict, shape: tuple) -> None:
    gradcheck_layer(_make(cls, args, kwargs), [_x(*shape)])


REPRS = [
    ("MaxPool2d", (2,), {}),
    ("MaxPool2d", (3, 2, 1, 2, True, True), {}),
    ("MaxPool2d", ((3, 2),), {"stride": [2, 1]}),
    ("MaxPool1d", (3,), {"padding": 1}),
    ("AvgPool2d", (2,), {}),
    ("AvgPool2d", ((3, 2), 1, (1, 0), True, False, 3), {}),
    ("AvgPool1d", (3,), {}),
    ("AvgPool1d", (3, 1, 1, True, False), {}),
    ("AdaptiveAvgPool2d", ((None, 3),), {}),
    ("AdaptiveAvgPool2d", (1,), {}),
    ("AdaptiveAvgPool1d", (3,), {}),
    ("AdaptiveMaxPool2d", ((2, 4),), {"return_indices": True}),
    ("AdaptiveMaxPool1d", (2,), {}),
]


@pytest.mark.parametrize(("cls", "args", "kwargs"), REPRS, ids=lambda v: str(v))
def test_repr_matches_torch(cls: str, args: tuple, kwargs: dict) -> None:
    ours, theirs = getattr(nn, cls)(*args, **kwargs), getattr(torch.nn, cls)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []


def _windows(x: Any, k: int, s: int) -> list[Any]:
    """The k·k strided slices of x, one per kernel offset (plain slicing)."""
    ho, wo = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    return [x[:, :, i : i + s * (ho - 1) + 1 : s, j : j + s * (wo - 1) + 1 : s] for i in range(k) for j in range(k)]


@pytest.mark.parametrize(("k", "s"), [(2, 2), (3, 2), (3, 1)])
def test_fused_pools_agree_with_composites(k: int, s: int) -> None:
    x_np = _x(2, 3, 9, 8, seed=4)
    pairs = [
        (lambda x: F.max_pool2d(x, k, s), lambda x: chainrule.stack(_windows(x, k, s)).amax(0)),
        (lambda x: F.avg_pool2d(x, k, s), lambda x: chainrule.stack(_windows(x, k, s)).sum(0) / (k * k)),
    ]
    for fused, composite in pairs:
        results = []
        for fn in (fused, composite):
            x = chainrule.tensor(x_np, requires_grad=True)
            out = fn(x)
            (out * chainrule.tensor(_x(*out.shape, seed=5))).sum().backward()
            results.append((out.detach().numpy(), x.grad.numpy()))
        np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("size", "out"), [((9, 7), (4, 3)), ((3, 2), (5, 4)), ((6, 6), (3, 2))])
def test_adaptive_pools_agree_with_per_window_composite(size: tuple, out: tuple) -> None:
    """PyTorch's windows [⌊i·In/Out⌋, ⌈(i+1)·In/Out⌉) reduced one by one with plain mean/amax."""
    x_np = _x(2, 3, *size, seed=6)

    def bounds(n: int, m: int, i: int) -> tuple[int, int]:
        return (i * n) // m, -((-(i + 1) * n) // m)

    def composite(x: Any, reduce: str) -> Any:
        rows = []
        for i in range(out[0]):
            h0, h1 = bounds(size[0], out[0], i)
            cols = []
            for j in range(out[1]):
                w0, w1 = bounds(size[1], out[1], j)
                win = x[:, :, h0:h1, w0:w1]
                cols.append(win.mean((2, 3)) if reduce == "mean" else win.amax((2, 3)))
            rows.append(chainrule.stack(cols, -1))
        return chainrule.stack(rows, -2)

    for fused, reduce in ((F.adaptive_avg_pool2d, "mean"), (F.adaptive_max_pool2d, "max")):
        results = []
        for fn in (lambda x, f=fused: f(x, out), lambda x, r=reduce: composite(x, r)):
            x = chainrule.tensor(x_np, requires_grad=True)
            y = fn(x)
            (y * chainrule.tensor(_x(*y.shape, seed=7))).sum().backward()
            results.append((y.detach().numpy(), x.grad.numpy()))
        np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fn", ["max_pool2d", "avg_pool2d"])
def test_integer_inputs_match_torch(fn: str) -> None:
    x = np.arange(-40, 40).reshape(2, 5, 8) * 3
    ours = getattr(F, fn)(chainrule.tensor(x), 3, 2, 1)
    theirs = getattr(torch.nn.functional, fn)(torch.tensor(x), 3, 2, 1)
    assert ours.dtype == chainrule.int64
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_max_pool_no_grad_path_matches() -> None:
    x = _x(2, 3, 9, 9).astype(np.float32)
    with chainrule.no_grad():
        ours = F.max_pool2d(chainrule.tensor(x), 3, 2, 1, ceil_mode=True)
    np.testing.assert_array_equal(ours.numpy(), torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1, ceil_mode=True).numpy())
