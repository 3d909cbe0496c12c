"""chainrule.autograd.Function: PyTorch's custom-op API, used exactly as PyTorch documents it."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import Function


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


# PyTorch's documentation example, verbatim (with `Function` imported from chainrule.autograd).
class Exp(Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result


def test_docs_exp_example(torch):
    input = cr.tensor([0.0, 1.0, -2.0], requires_grad=True)  # noqa: A001
    output = Exp.apply(input)
    assert output.grad_fn is not None and output.requires_grad and not output.is_leaf
    assert output.grad_fn.name() == "ExpBackward"
    output.sum().backward()
    t = torch.tensor([0.0, 1.0, -2.0], requires_grad=True)
    t.exp().sum().backward()
    np.testing.assert_allclose(input.grad.numpy(), t.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(output.detach().numpy(), np.exp([0.0, 1.0, -2.0]), rtol=1e-6)


def test_forward_receives_tensors_under_no_grad():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, k):
            seen["types"] = (type(a), type(k))
            seen["grad_enabled"] = cr.is_grad_enabled()
            seen["a_requires_grad"] = a.requires_grad
            return a * k

        @staticmethod
        def backward(ctx, g):
            seen["backward_type"] = type(g)
            return g * 2, None

    x = cr.ones(2, requires_grad=True)
    y = Probe.apply(x, 2)
    assert seen["types"] == (cr.Tensor, int) and seen["grad_enabled"] is False
    assert seen["a_requires_grad"] is True
    y.sum().backward()
    assert seen["backward_type"] is cr.Tensor and x.grad.tolist() == [2.0, 2.0]
    assert cr.is_grad_enabled()


class SplitSum(Function):
    """Two outputs: a + b and a * b."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a + b, a * b

    @staticmethod
    def backward(ctx, g_sum, g_prod):
        a, b = ctx.saved_tensors
        return g_sum + g_prod * b, g_sum + g_prod * a


def test_multiple_outputs(torch):
    a = cr.tensor([1.0, 2.0], requires_grad=True)
    b = cr.tensor([3.0, 5.0], requires_grad=True)
    s, p = SplitSum.apply(a, b)
    assert s.grad_fn is p.grad_fn
    (s * 2 + p * 3).sum().backward()
    ta = torch.tensor([1.0, 2.0], requires_grad=True)
    tb = torch.tensor([3.0, 5.0], requires_grad=True)
    ((ta + tb) * 2 + (ta * tb) * 3).sum().backward()
    assert a.grad.tolist() == ta.grad.tolist() and b.grad.tolist() == tb.grad.tolist()


def test_unused_output_gets_zero_gradient():
    a = cr.tensor([1.0, 2.0], requires_grad=True)
    b = cr.tensor([3.0, 5.0], requires_grad=True)
    s, p = SplitSum.apply(a, b)
    p.sum().backward()  # g_sum is materialized as zeros
    assert a.grad.tolist() == [3.0, 5.0] and b.grad.tolist() == [1.0, 2.0]


def test_set_materialize_grads_false_passes_none():
    got = []

    class Two(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.set_materialize_grads(False)
            return a * 1, a * 2

        @staticmethod
        def backward(ctx, g1, g2):
            got.append((g1 is None, g2 is None))
            return g2 * 2

    a = cr.ones(2, requires_grad=True)
    _, y = Two.apply(a)
    y.sum().backward()
    assert got == [(True, False)] and a.grad.tolist() == [2.0, 2.0]


def test_mark_non_differentiable(torch):
    class SortWithIndex(Function):
        @staticmethod
        def forward(ctx, x):
            order = np.argsort(x.detach().numpy(), kind="stable")
            idx = cr.tensor(order)
            values = cr.tensor(x.detach().numpy()[order])
            flag = values * 0
            ctx.mark_non_differentiable(idx, flag)
            ctx.save_for_backward(idx)
            return values, idx, flag

        @staticmethod
        def backward(ctx, g, g_idx, g_flag):
            (idx,) = ctx.saved_tensors
            out = np.zeros_like(g.numpy())
            out[idx.numpy()] = g.numpy()
            return cr.tensor(out)

    x = cr.tensor([3.0, 1.0, 2.0], requires_grad=True)
    v, i, f = SortWithIndex.apply(x)
    assert v.requires_grad and not i.requires_grad and not f.requires_grad
    assert i.dtype is cr.int64 and i.grad_fn is None
    (v * cr.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.tolist() == [100.0, 1.0, 10.0]


def test_single_output_mark_non_differentiable():
    class Flag(Function):
        @staticmethod
        def forward(ctx, x):
            out = x > 0
            ctx.mark_non_differentiable(out)
            return out.float()

        @staticmethod
        def backward(ctx, g):  # pragma: no cover - never called
            raise AssertionError

    y = Flag.apply(cr.ones(2, requires_grad=True))
    assert y.requires_grad  # marked object was not the returned one: differentiable, like torch


def test_integer_output_is_not_differentiable():
    class Argmax(Function):
        @staticmethod
        def forward(ctx, x):
            return cr.tensor(int(np.argmax(x.detach().numpy())))

        @staticmethod
        def backward(ctx, g):  # pragma: no cover
            raise AssertionError

    y = Argmax.apply(cr.tensor([1.0, 3.0], requires_grad=True))
    assert not y.requires_grad and y.grad_fn is None and y.item() == 1


def test_needs_input_grad_and_returning_none():
    seen = []

    class Scale(Function):
        @staticmethod
        def forward(ctx, x, w, factor):
            ctx.factor = factor
            ctx.save_for_backward(x, w)
            return x * w * factor

        @staticmethod
        def backward(ctx, g):
            seen.append(ctx.needs_input_grad)
            x, w = ctx.saved_tensors
            gx = g * w * ctx.factor if ctx.needs_input_grad[0] else None
            gw = g * x * ctx.factor if ctx.needs_input_grad[1] else None
            return gx, gw, None

    x = cr.tensor([1.0, 2.0], requires_grad=True)
    w = cr.tensor([3.0, 4.0])
    Scale.apply(x, w, 2.0).sum().backward()
    assert seen == [(True, False, False)]
    assert x.grad.tolist() == [6.0, 8.0] and w.grad is None


def test_backward_may_return_extra_trailing_none():
    class Id(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g, None, None

    x = cr.ones(2, requires_grad=True)
    Id.apply(x).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_wrong_number_of_gradients():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    x = cr.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"incorrect number of gradients \(expected 2, got 1\)"):
        Bad.apply(x, x).sum().backward()


def test_wrong_gradient_shape():
    class BadShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return cr.ones(5)

    x = cr.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"invalid gradient at index 0 - got \[5\].*\[2\]"):
        BadShape.apply(x).sum().backward()


def test_forward_must_return_tensors():
    class NotTensor(Function):
        @staticmethod
        def forward(ctx, x):
            return x.numpy()

        @staticmethod
        def backward(ctx, g):  # pragma: no cover
            return g

    with pytest.raises(TypeError, match="Tensor"):
        NotTensor.apply(cr.ones(2))


def test_returning_an_input_as_is():
    class Same(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    x = cr.ones(2, requires_grad=True)
    y = Same.apply(x)
    assert y is not x and x.is_leaf and y.grad_fn is not None
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_setup_context_style():
    class Mul(Function):
        @staticmethod
        def forward(a, b):
            return a * b

        @staticmethod
        def setup_context(ctx, inputs, output):
            a, b = inputs
            ctx.save_for_backward(a, b)

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            return g * b, g * a

    a = cr.tensor([2.0], requires_grad=True)
    b = cr.tensor([5.0], requires_grad=True)
    Mul.apply(a, b).backward()
    assert a.grad.tolist() == [5.0] and b.grad.tolist() == [2.0]


def test_custom_function_gradcheck():
    x = cr.randn(4, dtype=cr.float64, requires_grad=True)
    assert cr.autograd.gradcheck(Exp.apply, (x,))
    a = cr.randn(3, dtype=cr.float64, requires_grad=True)
    b = cr.randn(3, dtype=cr.float64, requires_grad=True)
    assert cr.autograd.gradcheck(SplitSum.apply, (a, b))


def test_saved_output_modified_in_place_is_detected():
    x = cr.tensor([0.0, 1.0], requires_grad=True)
    y = Exp.apply(x)
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_function_ctx_and_once_differentiable():
    from chainrule.autograd import FunctionCtx, once_differentiable

    class Double(Function):
        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            return g * 2

        @staticmethod
        def forward(ctx, x):
            assert isinstance(ctx, FunctionCtx)
            return x * 2

    x = cr.ones(1, requires_grad=True)
    Double.apply(x).backward()
    assert x.grad.tolist() == [2.0]
