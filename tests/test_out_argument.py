"""``out=`` on the top-level functions and ``Tensor.bernoulli_`` with a tensor of probabilities,
against PyTorch on the same inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule

torch = pytest.importorskip("torch")


def _both(shape: tuple[int, ...], seed: int = 0) -> tuple[chainrule.Tensor, torch.Tensor]:
    a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return chainrule.tensor(a), torch.tensor(a)


@pytest.mark.parametrize(
    "name, args",
    [
        ("add", ((3, 4), (3, 4))),
        ("mul", ((3, 4), (4,))),
        ("matmul", ((3, 4), (4, 2))),
        ("tanh", ((5,),)),
        ("sum", ((3, 4),)),
        ("cat", None),
    ],
)
def test_out_writes_into_the_given_tensor_and_returns_it(name: str, args: tuple | None) -> None:
    if args is None:
        (c1, t1), (c2, t2) = _both((2, 3), 1), _both((1, 3), 2)
        c_in, t_in = ([c1, c2],), ([t1, t2],)
    else:
        pairs = [_both(s, k) for k, s in enumerate(args)]
        c_in, t_in = tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
    expected = getattr(torch, name)(*t_in)
    out = chainrule.empty(*expected.shape)
    storage_before = out._data
    got = getattr(chainrule, name)(*c_in, out=out)
    assert got is out
    assert out._data is storage_before  # same shape: written in place, views of it see the result
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_out_of_another_shape_is_resized_with_pytorchs_warning() -> None:
    c, t = _both((2, 3))
    t_out, c_out = torch.empty(5), chainrule.empty(5)
    with warnings.catch_warnings(record=True) as t_w:
        warnings.simplefilter("always")
        torch.exp(t, out=t_out)
    with pytest.warns(UserWarning, match="resized"):
        chainrule.exp(c, out=c_out)
    assert t_w and tuple(c_out.shape) == tuple(t_out.shape) == (2, 3)
    np.testing.assert_allclose(c_out.numpy(), t_out.numpy(), rtol=1e-6)
    # an empty out is resized silently, as in PyTorch
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chainrule.exp(c, out=chainrule.empty(0))


def test_out_casts_within_a_kind_and_refuses_a_narrowing_kind() -> None:
    c, t = _both((4,))
    c_out, t_out = chainrule.empty(4, dtype=chainrule.float64), torch.empty(4, dtype=torch.float64)
    chainrule.exp(c, out=c_out)
    torch.exp(t, out=t_out)
    assert c_out.dtype == chainrule.float64
    np.testing.assert_allclose(c_out.numpy(), t_out.numpy(), rtol=1e-6)  # PyTorch computes in the out dtype
    with pytest.raises(RuntimeError):
        torch.exp(t, out=torch.empty(4, dtype=torch.int64))
    with pytest.raises(RuntimeError, match=r"exp\(\).*can.t be cast"):
        chainrule.exp(c, out=chainrule.empty(4, dtype=chainrule.int64))


def test_out_refuses_autograd_as_pytorch() -> None:
    x = chainrule.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError):
        torch.mul(torch.ones(3, requires_grad=True), 2, out=torch.empty(3))
    with pytest.raises(RuntimeError, match=r"mul\(\).*out=.*automatic differentiation"):
        chainrule.mul(x, 2, out=chainrule.empty(3))
    with chainrule.no_grad():
        out = chainrule.mul(x, 2, out=chainrule.empty(3))
    np.testing.assert_array_equal(out.numpy(), [2, 2, 2])


def test_out_with_several_results_takes_a_tuple() -> None:
    c, t = _both((3, 4))
    values, indices = chainrule.empty(0), chainrule.empty(0, dtype=chainrule.int64)
    got = chainrule.max(c, 1, out=(values, indices))
    expected = torch.max(t, 1)
    assert got.values is values and got.indices is indices
    np.testing.assert_array_equal(values.numpy(), expected.values.numpy())
    np.testing.assert_array_equal(indices.numpy(), expected.indices.numpy())
    with pytest.raises(TypeError, match=r"max\(\).*tuple of 2"):
        chainrule.max(c, 1, out=values)


def test_creation_functions_write_out() -> None:
    for name, args in [("zeros", (2, 3)), ("ones", (4,)), ("arange", (5,)), ("full", ((2, 2), 7.0))]:
        c_out, t_out = chainrule.empty(0), torch.empty(0)
        got = getattr(chainrule, name)(*args, out=c_out)
        getattr(torch, name)(*args, out=t_out)
        assert got is c_out
        np.testing.assert_array_equal(c_out.numpy(), t_out.numpy())


def test_out_must_be_a_tensor() -> None:
    with pytest.raises(TypeError, match=r"add\(\): argument 'out' must be Tensor, not list"):
        chainrule.add(chainrule.ones(2), 1, out=[0, 0])


def test_bernoulli_in_place_takes_a_tensor_of_probabilities() -> None:
    p = chainrule.tensor([0.0, 1.0, 0.0, 1.0])
    x = chainrule.empty(4).bernoulli_(p)
    np.testing.assert_array_equal(x.numpy(), [0, 1, 0, 1])  # probabilities 0 and 1 are certain
    t_x = torch.empty(4).bernoulli_(torch.tensor([0.0, 1.0, 0.0, 1.0]))
    np.testing.assert_array_equal(x.numpy(), t_x.numpy())
    chainrule.manual_seed(0)
    frac = chainrule.empty(20000).bernoulli_(chainrule.full((20000,), 0.25)).mean().item()
    assert abs(frac - 0.25) < 0.02
    with pytest.raises(RuntimeError):
        torch.empty(3).bernoulli_(1.5)
    with pytest.raises(RuntimeError, match=r"bernoulli_.*\[0, 1\]"):
        chainrule.empty(3).bernoulli_(1.5)
    with pytest.raises(RuntimeError, match=r"bernoulli_.*\[0, 1\]"):
        chainrule.empty(2).bernoulli_(chainrule.tensor([0.5, -0.1]))
    with pytest.raises(RuntimeError, match="bernoulli_.*broadcast"):
        chainrule.empty(3).bernoulli_(chainrule.full((2,), 0.5))
