"""Bad inputs to the unary, activation and comparison ops raise PyTorch's exception classes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule import ops

X = cr.tensor([[0.5, -1.0, 2.0], [0.0, 1.0, -3.0]])
I = cr.tensor([[1, 2, 3], [4, 5, 6]])
B = cr.tensor([True, False, True])


@pytest.mark.parametrize(
    "name", ["exp", "log", "sqrt", "sin", "tanh", "sigmoid", "erf", "square", "nan_to_num", "rsqrt"]
)
def test_unary_needs_a_tensor(name: str) -> None:
    with pytest.raises(TypeError, match=rf"{name}\(\): argument 'input' must be Tensor, not float"):
        getattr(ops, name)(3.0)
    with pytest.raises(TypeError, match="must be Tensor, not ndarray"):
        getattr(ops, name)(np.ones(3))


@pytest.mark.parametrize(
    ("name", "kernel"),
    [("gelu", "GeluKernelImpl"), ("silu", "silu_cpu"), ("softplus", "softplus_cpu"), ("leaky_relu", "leaky_relu_cpu"),
     ("elu", "elu_cpu"), ("selu", "elu_cpu"), ("celu", "elu_cpu"), ("logsigmoid", "log_sigmoid_cpu"), ("mish", "mish_cpu"),
     ("hardsigmoid", "hardsigmoid_cpu"), ("hardswish", "hardswish_cpu")],
)  # fmt: skip
def test_float_only_activations_reject_integers(name: str, kernel: str) -> None:
    with pytest.raises(NotImplementedError, match=rf"{name}: \"{kernel}\" not implemented for 'Long'.*int64"):
        getattr(ops, name)(I)
    with pytest.raises(NotImplementedError, match="not implemented for 'Bool'"):
        getattr(ops, name)(B)


@pytest.mark.parametrize("name", ["relu", "hardtanh", "relu6"])
def test_bool_rejected_by_relu_family(name: str) -> None:
    with pytest.raises(RuntimeError, match="Boolean inputs not supported"):
        getattr(ops, name)(B)


def test_activation_arguments() -> None:
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh.*'foo'"):
        ops.gelu(X, approximate="foo")
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        ops.hardtanh(X, 2.0, 1.0)
    with pytest.raises(RuntimeError, match="alpha cannot be 0 for CELU"):
        ops.celu(X, 0.0)
    with pytest.raises(TypeError, match="relu\\(\\): argument 'input' must be Tensor"):
        ops.relu([1.0, 2.0])


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_errors(name: str) -> None:
    fn = getattr(ops, name)
    with pytest.raises(
        IndexError,
        match=rf"{name}: Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)",
    ):
        fn(X, 2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        fn(cr.tensor(1.0), 1)
    with pytest.raises(TypeError, match="argument 'dim' must be int, not None"):
        fn(X, None)
    with pytest.raises(
        NotImplementedError, match=rf"\"{name}_lastdim_kernel_impl\" not implemented for 'Long'"
    ):
        fn(I, 0)
    assert fn(I, 0, dtype=cr.float64).dtype == cr.float64


def test_no_warnings_at_extremes() -> None:
    big = cr.tensor([1000.0, -1000.0, 0.0, float("inf"), float("-inf"), float("nan")], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outs = [ops.sigmoid(big), ops.softplus(big), ops.logsigmoid(big), ops.exp(big), ops.log(big), ops.sqrt(big),
                ops.gelu(big), ops.silu(big), ops.elu(big), ops.selu(big), ops.erf(big), ops.tanh(big), ops.leaky_relu(big), ops.hardtanh(big), ops.relu(big),
                ops.softmax(big[:3], 0), ops.log_softmax(big[:3], 0), ops.cosh(big), ops.expm1(big), ops.log1p(big)]  # fmt: skip
        for o in outs:  # (a sum of +inf and -inf would warn in the reduction itself)
            o.backward(cr.tensor(np.ones(o.shape, np.float32)))
    s = ops.softmax(cr.tensor([1000.0, -1000.0]), 0)
    assert s.tolist() == [1.0, 0.0]
    assert ops.sigmoid(cr.tensor([1000.0, -1000.0])).tolist() == [1.0, 0.0]


def test_fused_softmax_matches_its_composite() -> None:
    x = cr.tensor(np.random.default_rng(0).standard_normal((3, 5)), requires_grad=True)
    composite = ops.exp(x) / ops.exp(x).sum(dim=1, keepdim=True)
    np.testing.assert_allclose(ops.softmax(x, 1).detach().numpy(), composite.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(
        ops.log_softmax(x, 1).detach().numpy(), ops.log(composite).detach().numpy(), rtol=1e-12
    )


def test_compare_operand_types() -> None:
    with pytest.raises(TypeError, match=r"eq\(\): argument 'other' must be Tensor or Number, not str"):
        ops.eq(X, "a")
    with pytest.raises(TypeError, match="not list"):
        ops.lt(X, [1, 2, 3])
    with pytest.raises(TypeError, match=r"gt\(\): argument 'input' must be Tensor, not int"):
        ops.gt(1, X)
    with pytest.raises(TypeError, match=r"isnan\(\): argument 'input' must be Tensor, not float"):
        ops.isnan(3.0)
    with pytest.raises(TypeError, match=r"logical_and\(\): argument 'other' must be Tensor, not int"):
        ops.logical_and(X, 1)


@pytest.mark.parametrize("name", ["eq", "lt", "ge", "logical_and", "logical_xor", "bitwise_and"])
def test_compare_broadcast_error(name: str) -> None:
    a, b = (I, cr.tensor([1, 2])) if name.startswith("bitwise") else (X, cr.tensor([1.0, 2.0]))
    with pytest.raises(
        RuntimeError, match=rf"{name}: the size of tensor a \(3\) must match the size of tensor b \(2\)"
    ):
        getattr(ops, name)(a, b)


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor"])
def test_bitwise_rejects_floats(name: str) -> None:
    with pytest.raises(NotImplementedError, match=rf"\"{name}_cpu\" not implemented for 'Float'"):
        getattr(ops, name)(X, X)
    with pytest.raises(NotImplementedError, match="not implemented for 'Float'"):
        getattr(ops, name)(I[0], X[0])
    with pytest.raises(NotImplementedError, match="not implemented for 'Float'"):
        getattr(ops, name)(I, 1.5)
    with pytest.raises(NotImplementedError, match="'Double'"):
        getattr(ops, name)(X.double(), I)


def test_bitwise_not_and_operators_reject_floats() -> None:
    with pytest.raises(NotImplementedError, match="\"bitwise_not_cpu\" not implemented for 'Float'"):
        _ = ~X
    with pytest.raises(NotImplementedError, match="\"bitwise_and_cpu\" not implemented for 'Float'"):
        _ = X & B
    with pytest.raises(NotImplementedError, match='"bitwise_or_cpu"'):
        _ = X | 1


def test_isclose_errors() -> None:
    with pytest.raises(RuntimeError, match="isclose: Long did not match Float"):
        ops.isclose(X, I)
    with pytest.raises(RuntimeError, match="Long did not match Float"):
        ops.allclose(X, I)
    with pytest.raises(RuntimeError, match="rtol must be greater than or equal to zero, but got -1"):
        ops.isclose(X, X, rtol=-1)
    with pytest.raises(RuntimeError, match="atol must be greater than or equal to zero"):
        ops.isclose(X, X, atol=-1e-3)
    with pytest.raises(RuntimeError, match="isclose: the size of tensor a"):
        ops.isclose(X, cr.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"isclose\(\): argument 'other' must be Tensor"):
        ops.isclose(X, 1.0)


def test_reduction_dims() -> None:
    with pytest.raises(
        IndexError, match=r"any: Dimension out of range \(expected to be in range of \[-2, 1\], but got 5\)"
    ):
        ops.any(X, 5)
    with pytest.raises(IndexError, match="all: Dimension out of range"):
        ops.all(X, (0, -3))
    with pytest.raises(RuntimeError, match="count_nonzero: dim \\[0, 0\\] appears multiple times"):
        ops.count_nonzero(X, (0, 0))


def test_python_bool_results() -> None:
    assert ops.equal(X, X.clone()) is True
    assert ops.equal(X, X[:1]) is False
    assert ops.allclose(X, X + 1e-9) is True
    assert ops.allclose(X, X + 1.0) is False
