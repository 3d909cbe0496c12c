"""``axis`` for ``dim`` and ``keepdims`` for ``keepdim`` (NumPy's spellings, which PyTorch accepts) on the
reductions and on cat/stack: values and gradients against PyTorch, and the TypeError when dim comes twice."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

X = np.random.default_rng(11).normal(size=(3, 4, 2))

# (id, call(lib, x)) returning one tensor; each through the method and the function where both exist
CALLS = [
    ("sum.method", lambda T, x: x.sum(axis=1)),
    ("sum.tuple.keepdims", lambda T, x: T.sum(x, axis=(0, 2), keepdims=True)),
    ("mean.method", lambda T, x: x.mean(axis=-1, keepdims=True)),
    ("mean.dim.keepdims", lambda T, x: x.mean(1, keepdims=True)),
    ("prod", lambda T, x: T.prod(x, axis=2)),
    ("max.values", lambda T, x: x.max(axis=1)[0]),
    ("max.keepdims", lambda T, x: T.max(x, axis=0, keepdims=True).values),
    ("min.values", lambda T, x: T.min(x, axis=2).values),
    ("amax", lambda T, x: x.amax(axis=(0, 1))),
    ("amin", lambda T, x: T.amin(x, axis=1, keepdims=True)),
    ("var", lambda T, x: x.var(axis=0)),
    ("std.keepdims", lambda T, x: T.std(x, axis=1, keepdims=True)),
    ("nansum", lambda T, x: T.nansum(x, axis=1)),
    ("nanmean", lambda T, x: x.nanmean(axis=2)),
    ("cat", lambda T, x: T.cat([x, 2 * x], axis=1)),
    ("concat", lambda T, x: T.concat([x, x], axis=-1)),
    ("stack", lambda T, x: T.stack([x, x * x], axis=1)),
    ("median.values", lambda T, x: x.median(axis=1).values),
    ("median.keepdims", lambda T, x: T.median(x, axis=2, keepdims=True)[0]),
    ("cumsum", lambda T, x: x.cumsum(axis=1)),
    ("cumprod", lambda T, x: T.cumprod(x, axis=2)),
]


@pytest.mark.parametrize("name,call", CALLS, ids=[c[0] for c in CALLS])
def test_numpy_spellings_forward_and_backward_match_torch(name: str, call) -> None:
    xo = chainrule.tensor(X, requires_grad=True)
    xt = torch.tensor(X, requires_grad=True)
    yo, yt = call(chainrule, xo), call(torch, xt)
    assert tuple(yo.shape) == tuple(yt.shape)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-12)
    w = np.random.default_rng(2).normal(size=tuple(yt.shape))
    (yo * chainrule.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("fn", ["argmax", "argmin"])
def test_arg_reductions_take_axis_and_keepdims(fn: str) -> None:
    ours = getattr(chainrule.tensor(X), fn)(axis=1, keepdims=True)
    theirs = getattr(torch.tensor(X), fn)(axis=1, keepdims=True)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize(
    "call", [lambda T, x: x.sum(0, axis=1), lambda T, x: T.mean(x, 1, axis=1), lambda T, x: T.cat([x, x], 1, axis=0)]
)
def test_dim_given_both_ways_is_a_type_error_as_in_torch(call) -> None:
    with pytest.raises(TypeError):
        call(torch, torch.tensor(X))
    with pytest.raises(TypeError, match="multiple values for argument 'dim'"):
        call(chainrule, chainrule.tensor(X))


@pytest.mark.parametrize("fn", ["any", "all"])
def test_logical_reductions_take_axis_and_keepdims(fn: str) -> None:
    b = X > 0
    ours = getattr(chainrule.tensor(b), fn)(axis=1, keepdims=True)
    theirs = getattr(torch.tensor(b), fn)(axis=1, keepdims=True)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_cumsum_without_dim_is_a_type_error_as_in_torch() -> None:
    with pytest.raises(TypeError):
        torch.tensor(X).cumsum()
    with pytest.raises(TypeError, match="dim"):
        chainrule.tensor(X).cumsum()
