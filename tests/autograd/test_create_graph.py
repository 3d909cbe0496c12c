"""``create_graph=True``: the backward pass recorded as a graph, differentiated again, against PyTorch."""

import gc
import weakref

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import Function, once_differentiable

torch = pytest.importorskip("torch", reason="PyTorch is the test oracle for second derivatives")


def _pair(shape, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    return cr.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def test_second_and_third_derivatives_of_a_scalar_function():
    x, xt = _pair((5,))

    def f(m, t):
        return (m.sin(t) * t.exp() + t**3 / (1 + t * t)).sum()

    g, = cr.autograd.grad(f(cr, x), x, create_graph=True)
    gt, = torch.autograd.grad(f(torch, xt), xt, create_graph=True)
    h, = cr.autograd.grad(g.sum(), x, create_graph=True)
    ht, = torch.autograd.grad(gt.sum(), xt, create_graph=True)
    k, = cr.autograd.grad(h.sum(), x)
    kt, = torch.autograd.grad(ht.sum(), xt)
    for a, b in ((g, gt), (h, ht), (k, kt)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_create_graph_leaves_grad_with_a_graph():
    x, xt = _pair((4,))
    (x**3).sum().backward(create_graph=True)
    (xt**3).sum().backward(create_graph=True)
    assert x.grad.grad_fn is not None and x.grad.requires_grad
    g1 = x.grad
    x.grad = None
    g1.sum().backward()
    gt1 = xt.grad
    xt.grad = None
    gt1.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12)


def test_hessian_of_an_mlp_loss_matches_torch():
    rng = np.random.default_rng(1)
    w1, b1, w2 = rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal((1, 4))
    xs, ys = rng.standard_normal((6, 3)), rng.standard_normal((6, 1))

    def hess(m):
        W1 = m.tensor(w1, requires_grad=True)
        loss = ((m.tanh(m.tensor(xs) @ W1.T + m.tensor(b1)) @ m.tensor(w2).T - m.tensor(ys)) ** 2).mean()
        g, = m.autograd.grad(loss, W1, create_graph=True)
        rows = [m.autograd.grad(g.reshape(-1)[i], W1, retain_graph=True)[0].reshape(-1) for i in range(12)]
        return np.stack([r.detach().numpy() for r in rows])

    np.testing.assert_allclose(hess(cr), hess(torch), rtol=1e-9, atol=1e-12)


def test_gradient_penalty_broadcast_and_dtype_cast_are_recorded():
    x, xt = _pair((3, 2))
    b, bt = _pair((2,), seed=2)

    def pen(m, x, b):
        y = (x * b).float().sum() if m is cr else (x * b).float().sum()
        g, = m.autograd.grad(y, x, create_graph=True)
        return (g.double() ** 2).sum()

    pen(cr, x, b).backward()
    pen(torch, xt, bt).backward()
    np.testing.assert_allclose(b.grad.numpy(), bt.grad.numpy(), rtol=1e-6)


class ArrayOnly(Function):
    """An array op (as built-in ops are) whose backward is not marked recordable."""

    _array_op = True

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2


def test_op_without_recordable_backward_is_named():
    x = cr.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"ArrayOnlyBackward: double backward \(create_graph=True\)"):
        cr.autograd.grad(ArrayOnly.apply(x).sum() * 2, x, create_graph=True)


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        y = x * x * x
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return 3 * y / x * g  # uses the saved output: it must be reconnected to the graph


def test_custom_function_with_tensor_backward_is_twice_differentiable():
    x = cr.tensor([0.5, 2.0, -1.5], dtype=cr.float64, requires_grad=True)
    assert cr.autograd.gradgradcheck(Cube.apply, (x,))
    g, = cr.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
    h, = cr.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), 6 * x.detach().numpy(), rtol=1e-12)


def test_once_differentiable_refuses_a_second_derivative():
    class NumpyCube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return cr.tensor(3 * x.detach().numpy() ** 2) * g

    x = cr.tensor([1.0, 2.0], dtype=cr.float64, requires_grad=True)
    NumpyCube.apply(x).sum().backward()
    assert x.grad.tolist() == [3.0, 12.0]
    g, = cr.autograd.grad((NumpyCube.apply(x) ** 2).sum(), x, create_graph=True)
    assert g.tolist() == [6.0, 6 * 2.0**5]  # d(x⁶)/dx = 6x⁵
    with pytest.raises(RuntimeError, match="once_differentiable"):
        g.sum().backward()


def test_retain_graph_defaults_to_create_graph():
    x = cr.tensor([1.0, 2.0], dtype=cr.float64, requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(create_graph=True)
    y.backward()  # the graph was retained
    y2 = (x.exp() * x).sum()
    y2.backward(create_graph=True, retain_graph=False)
    with pytest.raises(RuntimeError, match="second time"):
        y2.backward()


def test_create_graph_backward_then_second_backward_frees_everything():
    def run():
        x = cr.randn(8, 5, dtype=cr.float64, requires_grad=True)
        w = cr.randn(3, 5, dtype=cr.float64, requires_grad=True)
        loss = cr.tanh(x @ w.T).pow(2).mean()
        g, = cr.autograd.grad(loss, w, create_graph=True)
        (g * g).sum().backward()
        refs = [weakref.ref(t) for t in (loss, g)] + [weakref.ref(loss.grad_fn), weakref.ref(g.grad_fn)]
        return refs, x, w

    gc.collect()
    gc.disable()
    try:
        refs, x, w = run()
        assert x.grad is not None and w.grad is not None and w.grad.grad_fn is None
        assert all(r() is None for r in refs)  # freed by reference counting alone: no cycles
    finally:
        gc.enable()


def test_version_counter_still_checked_under_create_graph():
    x = cr.tensor([1.0, 2.0], dtype=cr.float64, requires_grad=True)
    y = x * 1.0
    z = (y * y).sum()
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        cr.autograd.grad(z, x, create_graph=True)


class NanGrad(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * float("nan")


def test_anomaly_detection_under_create_graph():
    x = cr.ones(3, dtype=cr.float64, requires_grad=True)
    with cr.autograd.detect_anomaly():
        z = (NanGrad.apply(x) * 3).sum()
        with pytest.raises(RuntimeError, match="NanGradBackward.*nan"):
            cr.autograd.grad(z, x, create_graph=True)
