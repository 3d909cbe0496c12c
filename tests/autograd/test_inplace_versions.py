"""In-place ops: graph recording, version counters, views, and PyTorch's errors."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _both(torch, fn, *arrays):
    """Run ``fn(lib, *leaves)`` with both libraries; return (chainrule grads, torch grads)."""
    out = []
    for lib in (cr, torch):
        leaves = [lib.tensor(np.asarray(a, dtype=np.float32), requires_grad=True) for a in arrays]
        fn(lib, *leaves)
        out.append([None if t.grad is None else t.grad.numpy() for t in leaves])
    return out


def _assert_same(pair):
    for a, b in zip(*pair):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


INPLACE_GRAPHS = {
    "iadd_chain": lambda L, x, w: (lambda y: (y.__iadd__(w), y.__imul__(3), y.sum().backward()))(x * 2),
    "add_alpha": lambda L, x, w: (lambda y: (y.add_(w, alpha=0.5), (y * y).sum().backward()))(x * 1),
    "sub_mul_div": lambda L, x, w: (lambda y: (y.sub_(w), y.mul_(w), y.div_(w + 3), y.sum().backward()))(x * 1),
    "mul_by_grad_tensor": lambda L, x, w: (lambda y: (y.mul_(w), y.sum().backward()))(x * 1),
    "pow_": lambda L, x, w: (lambda y: (y.pow_(2), y.sum().backward()))(x + 3),
    "clamp_": lambda L, x, w: (lambda y: (y.clamp_(-0.5, 0.5), (y * w).sum().backward()))(x * 1),
    "addcmul_": lambda L, x, w: (lambda y: (y.addcmul_(x, w, value=2), y.sum().backward()))(x * 1),
    "copy_": lambda L, x, w: (lambda y: (y.copy_(w * 2), (y * x).sum().backward()))(x * 1),
    "broadcast_arg": lambda L, x, w: (lambda y: (y.add_(w[:1]), (y * y).sum().backward()))(x * 1),
    "consumer_before_inplace": lambda L, x, w: (lambda a: (lambda b: (a.mul_(w), (b + a).sum().backward()))(a + 1))(x * 1),
    "repeated_rebase": lambda L, x, w: (lambda a: (lambda b: (a.add_(1), (lambda c: (a.mul_(w), (b + c + a * 7).sum().backward()))(a * 5)))(a * 3))(x * 1),
    "view_mul_": lambda L, x, w: (lambda y: (y[1:3].mul_(w[:2]), (y * L.arange(4.0)).sum().backward()))(x * 1),
    "view_of_view": lambda L, x, w: (lambda y: (y.reshape(2, 2).t()[0].add_(w[:2] * 3), (y * y).sum().backward()))(x * 2),
    "inplace_then_view_use": lambda L, x, w: (lambda y: (y[0:2].exp_(), (y.sum() + y[0:2].sum()).backward()))(x * 1),
}


@pytest.mark.parametrize("name", list(INPLACE_GRAPHS))
def test_inplace_grads_match_torch(torch, name):
    xs = np.array([0.3, -1.2, 0.7, 2.0])
    ws = np.array([1.5, 0.5, -2.0, 0.25])
    _assert_same(_both(torch, INPLACE_GRAPHS[name], xs, ws))


def test_inplace_without_grad_writes_through():
    x = cr.tensor([1.0, 2.0])
    data = x.numpy()
    x.add_(1).mul_(2)
    x += 1
    x -= cr.tensor([1.0, 1.0])
    x *= 2
    x /= 4
    assert x.numpy() is data and x.tolist() == [2.0, 3.0]
    assert x._version == 6 and not x.requires_grad


def test_inplace_with_grad_argument_makes_tensor_require_grad():
    buf = cr.zeros(2)
    w = cr.tensor([1.0, 2.0], requires_grad=True)
    buf.add_(w * 3)
    assert buf.requires_grad and buf.grad_fn is not None and not buf.is_leaf
    buf.sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]


def test_version_counter_bumps():
    x = cr.ones(3)
    assert x._version == 0
    x.add_(1)
    assert x._version == 1
    x.zero_()
    x.fill_(2.0)
    x[0] = 5.0
    assert x._version == 4
    x.detach().mul_(2)  # detach shares the counter, as torch
    assert x._version == 5 and x.tolist() == [10.0, 4.0, 4.0]


def test_views_share_version_counter(torch):
    x = cr.ones(2, 3)
    views = [x[0], x.reshape(6), x.t(), x.view(3, 2), x.transpose(0, 1), x.unsqueeze(0), x[:, 1:]]
    for v in views:
        assert v._version == x._version
    x.add_(1)
    for v in views:
        assert v._version == x._version == 1
    views[0].mul_(2)  # writing through a view is seen by the base and by every other view
    assert x._version == 2 and all(v._version == 2 for v in views)
    assert x.tolist() == [[4.0, 4.0, 4.0], [2.0, 2.0, 2.0]]
    with cr.no_grad():
        v = x.reshape(6)
    assert v._version == x._version


def test_modified_saved_input_raises(torch):
    for lib in (cr, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        z = y * y  # saves y
        y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()


def test_modified_saved_output_raises(torch):
    for lib in (cr, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_modified_through_a_view_raises(torch):
    for lib in (cr, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        with lib.no_grad():
            y[0:1].mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_legal_inplace_cases_work(torch):
    for lib in (cr, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x + 1  # Add saves nothing
        y.add_(1)
        y.mul_(2)  # mul_ by a number saves nothing about y
        y.sum().backward()
        assert x.grad.tolist() == [2.0, 2.0]
        x2 = lib.tensor([1.0, 2.0], requires_grad=True)
        a = x2 * 1
        b = a.exp()  # saves its output, not a
        a.add_(1)
        b.sum().backward()
        np.testing.assert_allclose(x2.grad.numpy(), np.exp([1.0, 2.0]), rtol=1e-6)


def test_inplace_on_leaf_requiring_grad(torch):
    for lib in (cr, torch):
        x = lib.ones(2, requires_grad=True)
        for f in (lambda t: t.add_(1), lambda t: t.mul_(2), lambda t: t.__iadd__(1), lambda t: t.zero_(),
                  lambda t: t.copy_(t * 0), lambda t: t[0:1].add_(1)):  # fmt: skip
            with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
                f(x)
        with lib.no_grad():
            x.add_(1)
        assert x.tolist() == [2.0, 2.0]


def test_inplace_preserves_identity_and_memory():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    data = y.detach().numpy()
    assert y.add_(1) is y
    assert y.detach().numpy() is data or np.shares_memory(y.detach().numpy(), data)


def test_setitem_records_graph(torch):
    def fn(L, x, w):
        y = x * 1
        y[1] = w[0] * 2
        y[2:] = w[2:]
        (y * y).sum().backward()

    _assert_same(_both(torch, fn, [1.0, 2.0, 3.0, 4.0], [0.5, -1.0, 2.0, 3.0]))


def test_fill_and_zero_cut_the_history(torch):
    for lib in (cr, torch):
        x = lib.ones(2, requires_grad=True)
        a = x * 1
        b = a * 3  # consumer recorded before the fill keeps the old history
        a.zero_()
        b.sum().backward()
        assert x.grad.tolist() == [3.0, 3.0]
        assert a.tolist() == [0.0, 0.0]
