"""Sizes by keyword (``x.reshape(shape=...)``, ``x.flip(dims=...)``, ``zeros(size=...)``...) against PyTorch,
forward and backward; and the TypeError when sizes come both ways or under a wrong keyword."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

X = np.random.default_rng(7).normal(size=(2, 1, 3))

# (name, call(lib, x)) — each a keyword form PyTorch accepts
CALLS = [
    ("reshape.method", lambda T, x: x.reshape(shape=(3, 2))),
    ("reshape.function", lambda T, x: T.reshape(x, shape=[-1])),
    ("view", lambda T, x: x.view(size=(6, 1))),
    ("permute.method", lambda T, x: x.permute(dims=(2, 0, 1))),
    ("permute.function", lambda T, x: T.permute(x, dims=[1, 2, 0])),
    ("expand", lambda T, x: x.expand(size=(2, 4, 3))),
    ("repeat", lambda T, x: x.repeat(repeats=(1, 2, 1, 2))),
    ("flip.method", lambda T, x: x.flip(dims=(1, 2))),
    ("flip.function", lambda T, x: T.flip(x, dims=[0])),
    ("split.method", lambda T, x: x.split(split_size=2, dim=2)[1]),
]


@pytest.mark.parametrize("name,call", CALLS, ids=[c[0] for c in CALLS])
def test_keyword_sizes_forward_and_backward_match_torch(name: str, call) -> None:
    xo = chainrule.tensor(X, requires_grad=True)
    xt = torch.tensor(X, requires_grad=True)
    yo, yt = call(chainrule, xo), call(torch, xt)
    assert tuple(yo.shape) == tuple(yt.shape)
    np.testing.assert_array_equal(yo.detach().numpy(), yt.detach().numpy())
    w = np.random.default_rng(1).normal(size=tuple(yt.shape))
    (yo * chainrule.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("fn", ["zeros", "ones", "rand", "randn"])
def test_creation_size_keyword_gives_the_shape_and_dtype(fn: str) -> None:
    ours = getattr(chainrule, fn)(size=(2, 3), dtype=chainrule.float64)
    theirs = getattr(torch, fn)(size=(2, 3), dtype=torch.float64)
    assert tuple(ours.shape) == tuple(theirs.shape) and str(ours.dtype)[-7:] == str(theirs.dtype)[-7:]
    if fn in ("zeros", "ones"):
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_new_creation_methods_take_size_keyword() -> None:
    x = chainrule.ones(2, dtype=chainrule.float64)
    for method in ("new_zeros", "new_ones", "new_empty"):
        y = getattr(x, method)(size=(3, 1))
        assert tuple(y.shape) == (3, 1) and y.dtype == chainrule.float64


@pytest.mark.parametrize(
    "call",
    [
        lambda T, x: x.reshape(6, shape=(6,)),
        lambda T, x: x.permute(0, 1, 2, dims=(0, 1, 2)),
        lambda T, x: x.flip(dimz=(0,)),
        lambda T, x: T.zeros(2, size=(2,)),
    ],
)
def test_sizes_both_ways_or_wrong_keyword_raise_type_error_like_torch(call) -> None:
    with pytest.raises(TypeError):
        call(torch, torch.tensor(X))
    with pytest.raises(TypeError, match=r"\(\) got"):
        call(chainrule, chainrule.tensor(X))
