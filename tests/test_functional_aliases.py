"""Top-level spellings of nn.functional operations (``torch.layer_norm``, ``torch.batch_norm`` with its own
argument order, ``torch.embedding(weight, indices)``...) and ``asarray``/``range``/``rsub``/``detach``,
forward and backward against PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")

R = np.random.default_rng(5)
X2, X3, X4 = R.normal(size=(4, 3)), R.normal(size=(2, 4, 5)), R.normal(size=(1, 4, 4, 4))
W3, B3, RM, RV = R.normal(size=3), R.normal(size=3), R.normal(size=3), R.uniform(0.5, 2, size=3)


def _t(lib, a, grad=False):
    return lib.tensor(a, requires_grad=grad)


# (id, call(lib, leaves) -> tensor, leaves as arrays: the first ones get gradients)
CASES = [
    ("layer_norm", lambda T, x, w, b: T.layer_norm(x, [3], w, b, 1e-5, True), [X2, W3, B3]),
    ("group_norm", lambda T, x: T.group_norm(x, 2, None, None, 1e-5, True), [X3]),
    ("batch_norm.train", lambda T, x, w, b: T.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, False), [X2, W3, B3]),
    ("batch_norm.eval", lambda T, x, w, b: T.batch_norm(x, w, b, T.tensor(RM), T.tensor(RV), False, 0.1, 1e-5, False),
     [X2, W3, B3]),
    ("instance_norm", lambda T, x: T.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, False), [X3]),
    ("embedding", lambda T, w: T.embedding(w, T.tensor([[0, 2], [3, 0]])), [X2]),
    ("embedding.padding_idx", lambda T, w: T.embedding(w, T.tensor([0, 2, 0]), padding_idx=0), [X2]),
    ("bilinear", lambda T, a, b, w: T.bilinear(a, b, w, None), [X2, X2[::-1].copy(), R.normal(size=(2, 3, 3))]),
    ("pixel_shuffle", lambda T, x: T.pixel_shuffle(x, 2), [X4]),
    ("pixel_unshuffle", lambda T, x: T.pixel_unshuffle(x, 2), [X4]),
    ("threshold", lambda T, x: T.threshold(x, 0.1, 20.0), [X2]),
    ("rrelu.eval", lambda T, x: T.rrelu(x), [X2]),
    ("conv2d", lambda T, x, w: T.conv2d(x, w, None, 1, 1), [X4, R.normal(size=(2, 4, 3, 3))]),
    ("max_pool2d", lambda T, x: T.max_pool2d(x, 2), [X4]),
    ("avg_pool1d", lambda T, x: T.avg_pool1d(x, 2), [X3]),
    ("dropout.eval", lambda T, x: T.dropout(x, 0.5, False), [X2]),
    ("dropout.p0", lambda T, x: T.dropout(x, p=0.0, train=True), [X2]),
    ("alpha_dropout.eval", lambda T, x: T.alpha_dropout(x, 0.3, False), [X2]),
    ("rsub", lambda T, x: T.rsub(x, 2.0, alpha=3), [X2]),
    ("rsub.tensor", lambda T, x, y: T.rsub(x, y), [X2, W3]),
    ("detach", lambda T, x: T.detach(x) * x, [X2]),
]


@pytest.mark.parametrize("name,call,leaves", CASES, ids=[c[0] for c in CASES])
def test_top_level_alias_matches_torch_forward_and_backward(name: str, call, leaves) -> None:
    ours = [_t(chainrule, a, True) for a in leaves]
    theirs = [_t(torch, a, True) for a in leaves]
    yo, yt = call(chainrule, *ours), call(torch, *theirs)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = R.normal(size=tuple(yt.shape))
    (yo * chainrule.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    for a, b in zip(ours, theirs):
        if b.grad is None:
            assert a.grad is None or not np.any(a.grad.numpy())
        else:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_dropout_in_training_zeroes_and_rescales() -> None:
    y = chainrule.dropout(chainrule.ones(2000, dtype=chainrule.float64), 0.25, True).numpy()
    assert set(np.unique(y)) <= {0.0, 1 / 0.75} and 0.2 < np.mean(y == 0) < 0.3


@pytest.mark.parametrize("args", [(0, 3), (1, 2, 0.25), (-1, 4, 2), (0.5, 2.5, 0.5)])
def test_range_includes_the_end_and_warns_like_torch(args: tuple) -> None:
    with warnings.catch_warnings():  # PyTorch warns once per process
        warnings.simplefilter("ignore")
        theirs = torch.range(*args)
    with pytest.warns(UserWarning, match="deprecated"):
        ours = chainrule.range(*args)
    assert str(ours.dtype)[-7:] == str(theirs.dtype)[-7:]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())


def test_asarray_shares_memory_and_converts_like_torch() -> None:
    a = np.arange(3.0)
    ours, theirs = chainrule.asarray(a), torch.asarray(a)
    a[0] = 7.0
    assert ours[0].item() == theirs[0].item() == 7.0
    assert str(chainrule.asarray([1, 2]).dtype)[-5:] == str(torch.asarray([1, 2]).dtype)[-5:]
    t = chainrule.ones(2)
    assert chainrule.asarray(t) is t
    assert chainrule.asarray(t, copy=True) is not t
    assert chainrule.asarray(t, dtype=chainrule.float64).dtype == chainrule.float64
    assert chainrule.asarray([1.0], requires_grad=True).requires_grad
