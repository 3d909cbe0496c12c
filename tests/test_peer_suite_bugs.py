"""Behaviours a peer's op suite found different from PyTorch: each checked against PyTorch itself."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule
import chainrule.utils.data as cdata

torch = pytest.importorskip("torch", reason="PyTorch (test extra torch==2.13.0) is the oracle")
tdata = pytest.importorskip("torch.utils.data")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pow_exponent_grad_at_zero_base(dtype: str) -> None:
    """d(aᵇ)/db = aᵇ·ln a, zeroed only where a == 0 and b >= 0: a = 0, b < 0 gives -inf, as PyTorch."""
    base = [0.0, 0.0, 0.0, 2.0, -1.0, 0.5, 0.0]
    expo = [-2.0, -0.5, 1.0, -1.0, 0.5, 3.0, 0.0]
    grads = []
    for lib in (chainrule, torch):
        a = lib.tensor(base, dtype=getattr(lib, dtype), requires_grad=True)
        b = lib.tensor(expo, dtype=getattr(lib, dtype), requires_grad=True)
        w = lib.tensor([1.0, -2.0, 1, 1, 1, 1, 1], dtype=a.dtype)
        g = lib.autograd.grad(a**b, [a, b], grad_outputs=w)
        grads.append([x.detach().numpy() for x in g])
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, equal_nan=True)


def test_pow_scalar_zero_base_exponent_grad() -> None:
    """The issue's example: grad of Σ 0 ** x at x = [-2, -1, 0, 1]."""
    out = []
    for lib in (chainrule, torch):
        x = lib.tensor([-2.0, -1.0, 0.0, 1.0], requires_grad=True)
        out.append(lib.autograd.grad((0**x).sum(), [x])[0].numpy())
    np.testing.assert_array_equal(out[0], out[1])
    assert np.isneginf(out[0][:2]).all()


@pytest.mark.parametrize("op", ["linspace", "logspace"])
def test_spaced_bool_not_implemented(op: str) -> None:
    for lib in (torch, chainrule):
        with pytest.raises(NotImplementedError, match=f"{op}_cpu.*Bool"):
            getattr(lib, op)(5, 10, 3, dtype=lib.bool)


@pytest.mark.parametrize("dtype", ["int32", "int64", "float64"])
def test_linspace_other_dtypes_still_match(dtype: str) -> None:
    ours = chainrule.linspace(0, 7, 5, dtype=getattr(chainrule, dtype)).numpy()
    theirs = torch.linspace(0, 7, 5, dtype=getattr(torch, dtype)).numpy()
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda m: m.ones(2).div(m.ones(2), rounding_mode="typo"), "rounding_mode.*'typo'"),
        (lambda m: m.eye(-3, 3), "n must be greater or equal to 0, got -3"),
        (lambda m: m.eye(3, -2), "m must be greater or equal to 0, got -2"),
        (lambda m: m.eye(-1), "n must be greater or equal to 0, got -1"),
    ],
)
def test_error_classes_match(call, match: str) -> None:
    for lib in (torch, chainrule):
        with pytest.raises(RuntimeError, match=match):
            call(lib)


def test_eye_zero_sizes() -> None:
    for args in [(0,), (0, 3), (3, 0)]:
        assert tuple(chainrule.eye(*args).shape) == tuple(torch.eye(*args).shape)


@pytest.mark.parametrize(
    "dtype, value",
    [("int32", 0xFFFFFFFF), ("int32", 2**40 + 5), ("uint8", 0x1FF), ("uint8", -1), ("int8", 200),
     ("int16", -70000), ("int64", 2**63), ("int64", -(2**63))],
)
@pytest.mark.parametrize("op", ["__or__", "__xor__", "__and__", "__ror__"])
def test_bitwise_python_int_wraps(dtype: str, value: int, op: str) -> None:
    data = [0, 1, -1, 77] if dtype != "uint8" else [0, 1, 255, 77]
    ours = getattr(chainrule.tensor(data, dtype=getattr(chainrule, dtype)), op)(value)
    theirs = getattr(torch.tensor(data, dtype=getattr(torch, dtype)), op)(value)
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_bitwise_int_too_big() -> None:
    for lib in (torch, chainrule):
        with pytest.raises(OverflowError):
            lib.tensor([0], dtype=lib.int32) | 2**64


@pytest.mark.parametrize(
    "lengths", [[0, 1], [1, 0], [0.0, 1.0], [0.5, 0.5], [0.3, 0.3, 0.4], [1], [0.25, 0.25, 0.25, 0.25]]
)
@pytest.mark.parametrize("n", [0, 1, 7, 10])
def test_random_split_reads_fractions_as_pytorch(lengths: list, n: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PyTorch (and we) warn about empty splits
        ours = cdata.random_split(range(n), lengths)
        theirs = tdata.random_split(range(n), lengths)
    assert [len(p) for p in ours] == [len(p) for p in theirs]
    assert sorted(i for p in ours for i in p) == list(range(n))


def test_random_split_warns_on_empty_split_and_keeps_integer_lengths() -> None:
    with pytest.warns(UserWarning, match="index 0 is 0"):
        parts = cdata.random_split(range(4), [0, 1])
    assert [len(p) for p in parts] == [0, 4]
    assert [len(p) for p in cdata.random_split(range(4), [1, 3])] == [1, 3]
    with pytest.raises(ValueError, match="sum of input lengths"):
        cdata.random_split(range(4), [1, 1])
    with pytest.raises(ValueError, match="not between 0 and 1"):
        cdata.random_split(range(4), [1.5, -0.5])
