"""The backward engine: accumulation, retain_graph, autograd.grad, long chains, freeing, no cycles."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import chainrule as cr


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _graph(lib, x, w):
    """A small graph with broadcasting, reuse of a tensor and a dtype cast."""
    h = x * w + x  # (3, 4) * (4,) broadcast; x used twice
    y = (h * h).sum(dim=0) / 3.0
    return (y.double() * 2).sum()


def test_backward_matches_torch(torch):
    xs, ws = np.random.default_rng(0).normal(size=(3, 4)), np.random.default_rng(1).normal(size=4)
    grads = []
    for lib in (cr, torch):
        x = lib.tensor(xs.astype(np.float32), requires_grad=True)
        w = lib.tensor(ws.astype(np.float32), requires_grad=True)
        _graph(lib, x, w).backward()
        assert x.grad.dtype == x.dtype and w.grad.shape == w.shape
        grads.append((x.grad.numpy(), w.grad.numpy()))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_backward_with_explicit_gradient(torch):
    results = []
    for lib in (cr, torch):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * x
        y.backward(gradient=lib.tensor([1.0, 0.5, -1.0]))
        results.append(x.grad.tolist())
    assert results[0] == results[1]


def test_scalar_backward_default_gradient_and_0d():
    x = cr.tensor(3.0, requires_grad=True)
    (x * x).backward()
    assert x.grad.item() == 6.0 and x.grad.shape == ()
    y = cr.tensor([2.0], requires_grad=True)
    (y * 5).backward()  # one element: implicit gradient allowed, as torch
    assert y.grad.tolist() == [5.0]


def test_grads_accumulate_across_backward_calls():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    for k in range(1, 4):
        (x * 3).sum().backward()
        assert x.grad.tolist() == [3.0 * k, 3.0 * k]
    g = x.grad
    (x * 1).sum().backward()
    assert x.grad is g  # accumulated in place, as torch
    x.grad = None
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_leaf_grads_never_alias():
    x = cr.ones(2, requires_grad=True)
    y = cr.ones(2, requires_grad=True)
    (x + y).sum().backward()
    x.grad.add_(1)
    assert y.grad.tolist() == [1.0, 1.0]
    g = cr.ones(2)
    z = cr.zeros(2, requires_grad=True)
    (z + 0).backward(g)
    z.grad.mul_(5)
    assert g.tolist() == [1.0, 1.0]  # the user's gradient tensor is not the leaf's .grad


def test_retain_graph_allows_second_backward():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_saved_arrays_freed_after_backward():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    node = y.grad_fn
    assert node._saved is not None and len(node._saved) > 0
    y.sum().backward(retain_graph=True)
    assert node._saved is not None
    y.sum().backward()
    assert node._saved is None
    with pytest.raises(RuntimeError, match="second time"):
        _ = node.saved_tensors


def test_graph_without_saved_arrays_can_be_reused():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()  # Add and Sum save no arrays: legal in torch too
    assert x.grad.tolist() == [2.0, 2.0]


def test_long_chain_is_iterative():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    del y  # deleting the 100,000-node chain must not overflow the C stack either


def test_no_reference_cycles():
    """After ``del`` the graph dies by reference counting alone (gc disabled)."""
    gc.collect()
    gc.disable()
    try:
        x = cr.tensor([1.0, 2.0], requires_grad=True)
        h = x * 2
        h.retain_grad()
        z = h.exp() * h
        loss = z.sum()
        refs = [weakref.ref(o) for o in (h, z, loss, h.grad_fn, z.grad_fn, loss.grad_fn)]
        loss.backward()
        del h, z, loss
        assert [r() for r in refs] == [None] * len(refs)
        # a graph that was never backpropagated dies too
        y = (x * 3).sin()
        refs = [weakref.ref(y), weakref.ref(y.grad_fn)]
        del y
        assert [r() for r in refs] == [None, None]
    finally:
        gc.enable()


def test_no_cycles_with_custom_function_and_hooks():
    class Square(cr.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            out = a * a
            ctx.out = out  # even keeping the output on ctx must not create a cycle via the graph
            return out

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return 2 * a * g

    gc.collect()
    gc.disable()
    try:
        x = cr.tensor([1.0, 2.0], requires_grad=True)
        y = Square.apply(x)
        y.register_hook(lambda g: g * 1)
        refs = [weakref.ref(y), weakref.ref(y.grad_fn)]
        y.sum().backward()
        del y
        assert [r() for r in refs] == [None, None]
        assert x.grad.tolist() == [2.0, 4.0]
    finally:
        gc.enable()


def test_autograd_grad(torch):
    out = []
    for lib in (cr, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0], requires_grad=True)
        h = x * w
        y = (h * h).sum()
        gx, gh = lib.autograd.grad(y, [x, h], retain_graph=True)
        assert x.grad is None and w.grad is None  # grad() does not accumulate
        (gw,) = lib.autograd.grad([y], w, grad_outputs=[lib.tensor(2.0)])
        out.append([gx.tolist(), gh.tolist(), gw.tolist()])
    assert out[0] == out[1]


def test_autograd_grad_allow_unused(torch):
    x = cr.tensor([1.0], requires_grad=True)
    u = cr.tensor([1.0], requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="allow_unused"):
        cr.autograd.grad(y, [x, u], retain_graph=True)
    gx, gu = cr.autograd.grad(y, [x, u], allow_unused=True, retain_graph=True)
    assert gx.tolist() == [2.0] and gu is None
    gx, gu = cr.autograd.grad(y, [x, u], materialize_grads=True)
    assert gu.tolist() == [0.0]
    with pytest.raises(RuntimeError, match="does not require grad"):
        cr.autograd.grad((x * 2).sum(), cr.ones(1))


def test_autograd_grad_non_scalar_needs_grad_outputs():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        cr.autograd.grad(x * 2, x)
    (g,) = cr.autograd.grad(x * 2, x, grad_outputs=cr.ones(2))
    assert g.tolist() == [2.0, 2.0]


def test_autograd_backward_function_and_inputs(torch):
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    w = cr.tensor([3.0, 4.0], requires_grad=True)
    y = (x * w).sum()
    cr.autograd.backward(y, inputs=[x])
    assert x.grad.tolist() == [3.0, 4.0] and w.grad is None
    z = x * 2
    cr.autograd.backward([z], [cr.ones(2)])
    assert x.grad.tolist() == [5.0, 6.0]


def test_gradients_only_flow_where_needed():
    calls = []

    class Record(cr.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            calls.append(ctx.needs_input_grad)
            return a * b

        @staticmethod
        def backward(ctx, g):
            calls.append(("backward", ctx.needs_input_grad))
            ga = g * 2 if ctx.needs_input_grad[0] else None
            gb = g * 3 if ctx.needs_input_grad[1] else None
            return ga, gb

    x = cr.ones(2, requires_grad=True)
    c = cr.ones(2)  # a constant
    Record.apply(x, c).sum().backward()
    assert calls == [(True, False), ("backward", (True, False))]
    assert c.grad is None and x.grad.tolist() == [2.0, 2.0]
    # nothing requires grad: no node is recorded, forward sees all False
    calls.clear()
    out = Record.apply(cr.ones(2), cr.ones(2))
    assert calls == [(False, False)] and out.grad_fn is None and not out.requires_grad


def test_branch_without_grad_is_not_visited():
    x = cr.ones(2, requires_grad=True)
    y = cr.ones(2) * 5  # constant branch: no node
    assert y.grad_fn is None
    ((x * y) + y).sum().backward()
    assert x.grad.tolist() == [5.0, 5.0] and y.grad is None


def test_tensor_hooks():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    h = x.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
    y = x * 3
    y.register_hook(lambda g: g + 1)
    y.sum().backward()
    assert seen == [[6.0, 6.0]] and x.grad.tolist() == [60.0, 60.0]
    h.remove()
    x.grad = None
    (x * 1).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    post = []
    x.register_post_accumulate_grad_hook(lambda t: post.append(t.grad.tolist()))
    (x * 1).sum().backward()
    assert post == [[2.0, 2.0]]


def test_grad_dtype_and_shape_follow_inputs():
    x = cr.ones(3, dtype=cr.float64, requires_grad=True)
    b = cr.ones(1, requires_grad=True)  # broadcast float32 input
    (x * b).sum().backward()  # float64 result
    assert x.grad.dtype is cr.float64 and b.grad.dtype is cr.float32 and b.grad.shape == (1,)
    assert b.grad.tolist() == [3.0]


def test_next_functions():
    x = cr.ones(2, requires_grad=True)
    y = x * 2 + cr.ones(2)
    (node, nr), (none, _) = y.grad_fn.next_functions[:2]
    assert node.name() == "MulBackward" and none is None
    (acc, _) = node.next_functions[0]
    assert acc.name() == "AccumulateGrad" and acc.variable is x


def test_zero_dim_gradients_are_writable_tensors(torch) -> None:
    """The classic manual loop on a 0-dim weight: ``w.grad.zero_()`` and in-place updates work, as in PyTorch
    (NumPy returns read-only scalars for math on 0-d arrays; gradients must not keep them)."""
    def run(lib):
        w = lib.tensor(1.0, requires_grad=True)
        seen = []
        for _ in range(3):
            ((w * 1.5 - 2.0) ** 2).backward()
            seen.append(w.grad.item())
            with lib.no_grad():
                w -= 0.1 * w.grad
            w.grad.zero_()
        (g,) = lib.autograd.grad((w * 3.0) ** 2, w)
        g.add_(1.0)
        (w * w).backward()
        (w * w).backward()  # accumulated into the 0-dim .grad
        w.grad.mul_(2)
        return seen, g.item(), w.grad.item()

    ours, theirs = run(cr), run(torch)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
    np.testing.assert_allclose(ours[1:], theirs[1:], rtol=1e-6)
