"""chainrule.autograd.gradcheck: passes on correct gradients, fails on a wrong custom Function."""

from __future__ import annotations

import pytest

import chainrule as cr
from chainrule.autograd import Function, gradcheck
from chainrule.autograd.gradcheck import GradcheckError


class GoodCube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 3 * x * x * g


class WrongCube(Function):
    """Deliberately wrong: the derivative of x³ is 3x², not 2x²."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * x * g


class WrongSecondInput(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * b  # gb should be g * a


def _x(*shape):
    return cr.randn(*shape, dtype=cr.float64, requires_grad=True)


def test_passes_on_builtin_ops():
    assert gradcheck(lambda a, b: (a * b + a / (b * b + 1)).exp(), (_x(3), _x(3)))
    assert gradcheck(lambda a: a * a, (_x(2, 3),))
    assert gradcheck(lambda a, b: a * b, (_x(2, 3), _x(3)))  # broadcasting
    assert gradcheck(lambda a: (a * 2, a * a), (_x(4),))  # several outputs
    assert gradcheck(lambda a, k: a * k, (_x(2), 3.0))  # non-tensor inputs are passed through


def test_passes_on_correct_custom_function():
    assert gradcheck(GoodCube.apply, (_x(5),))


def test_fails_on_wrong_custom_function():
    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to input 0"):
        gradcheck(WrongCube.apply, (_x(5),))
    assert gradcheck(WrongCube.apply, (_x(5),), raise_exception=False) is False


def test_fails_on_wrong_gradient_of_second_input():
    a, b = _x(3), _x(3)
    with pytest.raises(RuntimeError, match="with respect to input 1"):
        gradcheck(WrongSecondInput.apply, (a, b))
    c = cr.randn(3, dtype=cr.float64)  # not requiring grad: not checked
    assert gradcheck(WrongSecondInput.apply, (a, c))


def test_gradcheck_error_is_a_runtime_error():
    from chainrule.autograd.gradcheck import GradcheckError

    assert issubclass(GradcheckError, RuntimeError)
    with pytest.raises(GradcheckError):
        gradcheck(WrongCube.apply, (_x(2),))


def test_tolerances_are_used():
    # a 1 % error passes with a loose rtol and fails with the default
    class Off(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2.02

    x = _x(3)
    assert not gradcheck(Off.apply, (x,), raise_exception=False)
    assert gradcheck(Off.apply, (x,), rtol=0.05, atol=0)


def test_warns_on_float32_and_requires_a_grad_input():
    x32 = cr.randn(3, requires_grad=True)
    with pytest.warns(UserWarning, match="double precision"):
        gradcheck(lambda a: a * 2, (x32,), eps=1e-2, atol=1e-2, rtol=1e-2)
    with pytest.raises(ValueError, match="require"):
        gradcheck(lambda a: a * 2, (cr.randn(3, dtype=cr.float64),))


def test_inputs_unchanged_after_check():
    x = _x(4)
    before = x.detach().clone()
    gradcheck(GoodCube.apply, (x,))
    assert x.detach().tolist() == before.tolist() and x.grad is None


def test_gradgradcheck_custom_function_with_tensor_backward():
    assert cr.autograd.gradgradcheck(GoodCube.apply, (_x(2),))


def test_non_contiguous_input():
    x = cr.randn(3, 4, dtype=cr.float64).t().requires_grad_()
    assert not x.is_contiguous()
    assert gradcheck(GoodCube.apply, (x,))
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        gradcheck(WrongCube.apply, (x,))


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class SecondWrong(Function):
        """First derivative right (3x²), but its own backward says d(3x²)/dx = 3x (once_differentiable-free)."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return _Wrong3x2.apply(x) * g

    class _Wrong3x2(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return 3 * x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * g

    x = _x(3)
    assert gradcheck(SecondWrong.apply, (x,))
    assert not cr.autograd.gradgradcheck(SecondWrong.apply, (x,), raise_exception=False)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        cr.autograd.gradgradcheck(SecondWrong.apply, (x,))


class ExpJvpOnly(Function):
    """exp with only a forward-mode rule: jvp(t) = t · eˣ (no backward, as in PyTorch's forward-AD recipe)."""

    @staticmethod
    def forward(ctx, x):
        result = cr.exp(x)
        ctx.result = result
        return result

    @staticmethod
    def jvp(ctx, t):
        return t * ctx.result


class ExpWrongJvp(ExpJvpOnly):
    @staticmethod
    def jvp(ctx, t):
        return 2 * t * ctx.result


def test_check_forward_ad_without_backward_like_torch():
    torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
    x = cr.randn(3, 2, dtype=cr.float64, requires_grad=True)
    flags = dict(check_forward_ad=True, check_backward_ad=False, check_undefined_grad=False,
                 check_batched_grad=False)
    assert gradcheck(ExpJvpOnly.apply, (x,), **flags)
    assert not gradcheck(ExpWrongJvp.apply, (x,), raise_exception=False, **flags)
    with pytest.raises(GradcheckError, match="forward mode"):
        gradcheck(ExpWrongJvp.apply, (x,), **flags)

    class TorchExp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.result = torch.exp(x)
            return ctx.result

        @staticmethod
        def jvp(ctx, t):
            return 2 * t * ctx.result

    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    assert not torch.autograd.gradcheck(TorchExp.apply, (tx,), raise_exception=False, **flags)


def test_check_forward_ad_on_builtin_ops_and_both_modes():
    x = cr.randn(2, 3, dtype=cr.float64, requires_grad=True)
    w = cr.randn(3, 4, dtype=cr.float64, requires_grad=True)
    assert gradcheck(lambda a, b: (a @ b).tanh(), (x, w), check_forward_ad=True)
    with pytest.raises(NotImplementedError):  # backward is checked by default and ExpJvpOnly has none
        gradcheck(ExpJvpOnly.apply, (x,), check_forward_ad=True)
