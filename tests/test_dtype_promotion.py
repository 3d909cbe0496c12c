"""Type promotion: chainrule.result_type and real op results against torch.result_type."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")

DTYPES = ["float32", "float64", "float16", "int32", "int64", "bool", "uint8", "int8", "int16"]
SCALARS = [3, 2.5, True, -1, 0.0]


def _make(lib, name: str, zero_dim: bool):
    return lib.ones(() if zero_dim else (2,), dtype=getattr(lib, name))


def _name(dt) -> str:
    return str(dt).replace("torch.", "").replace("chainrule.", "")


def _op_dtype(fn, *args):
    try:
        return _name(fn(*args).dtype)
    except Exception as e:  # noqa: BLE001 - the exception class is what we compare
        return type(e).__name__


PAIRS = list(itertools.product(DTYPES, DTYPES, [False, True], [False, True]))


@pytest.mark.parametrize("a,b,za,zb", PAIRS, ids=lambda v: str(v))
def test_result_type_tensor_pairs(a, b, za, zb):
    expected = _name(torch.result_type(_make(torch, a, za), _make(torch, b, zb)))
    assert cr.result_type(_make(cr, a, za), _make(cr, b, zb)).name == expected


@pytest.mark.parametrize("op", ["add", "mul", "sub", "div", "maximum", "eq"])
@pytest.mark.parametrize("a,b,za,zb", [p for p in PAIRS if p[2] or p[3] or p[0] <= p[1]], ids=lambda v: str(v))
def test_binary_op_result_dtype(op, a, b, za, zb):
    t = _op_dtype(getattr(torch, op), _make(torch, a, za), _make(torch, b, zb))
    c = _op_dtype(getattr(cr, op), _make(cr, a, za), _make(cr, b, zb))
    assert c == t


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("s", SCALARS, ids=repr)
@pytest.mark.parametrize("zero_dim", [False, True])
def test_result_type_with_python_scalar(a, s, zero_dim):
    expected = _name(torch.result_type(_make(torch, a, zero_dim), s))
    assert cr.result_type(_make(cr, a, zero_dim), s).name == expected
    assert cr.result_type(s, _make(cr, a, zero_dim)).name == expected


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow"])
@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("s", [3, 2.5, True], ids=repr)
def test_op_with_python_scalar_both_sides(op, a, s):
    for zero_dim in (False, True):
        t = _op_dtype(getattr(torch, op), _make(torch, a, zero_dim), s)
        assert _op_dtype(getattr(cr, op), _make(cr, a, zero_dim), s) == t
        t = _op_dtype(getattr(torch, op), s, _make(torch, a, zero_dim))
        assert _op_dtype(getattr(cr, op), s, _make(cr, a, zero_dim)) == t


def test_python_float_never_widens_float32():
    x = cr.ones(3)
    for y in (x * 2.5, 2.5 * x, x + 1e300 * 0, x / 3.0, x - 0.1, x**2.0, x * np.float64(2.0)):
        assert y.dtype is cr.float32
    assert (x * cr.tensor(2.0, dtype=cr.float64)).dtype is cr.float32  # 0-d doesn't widen
    assert (x * cr.ones(3, dtype=cr.float64)).dtype is cr.float64


def test_operator_dunders_follow_promotion():
    i = cr.tensor([1, 2])
    assert (i + 1).dtype is cr.int64
    assert (i * 1.5).dtype is cr.float32
    assert (i / 2).dtype is cr.float32  # true division of ints gives the default float
    assert (cr.tensor([True]) + True).dtype is cr.bool
    assert (cr.tensor([True]) + 1).dtype is cr.int64
    assert (cr.tensor([1], dtype=cr.int32) + cr.tensor(5)).dtype is cr.int32
    assert (cr.tensor([1], dtype=cr.uint8) + cr.tensor([1], dtype=cr.int8)).dtype is cr.int16


def test_promote_types_table():
    for a, b in itertools.product(DTYPES, DTYPES):
        expected = _name(torch.promote_types(getattr(torch, a), getattr(torch, b)))
        assert cr.promote_types(getattr(cr, a), getattr(cr, b)).name == expected


def test_default_dtype_changes_inference():
    try:
        cr.set_default_dtype(cr.float64)
        assert cr.tensor([1.5]).dtype is cr.float64
        assert cr.result_type(cr.tensor([1]), 2.5) is cr.float64
        assert (cr.ones(2, dtype=cr.float32) * 2.5).dtype is cr.float32
    finally:
        cr.set_default_dtype(cr.float32)
    assert cr.get_default_dtype() is cr.float32
    with pytest.raises(TypeError, match="floating"):
        cr.set_default_dtype(cr.int64)


def test_dtype_objects():
    assert cr.float is cr.float32 and cr.double is cr.float64 and cr.half is cr.float16
    assert cr.long is cr.int64 and cr.int is cr.int32
    assert repr(cr.float32) == "chainrule.float32"
    assert cr.float32.is_floating_point and not cr.int64.is_floating_point
    assert cr.float16.itemsize == 2
    assert cr.zeros(2, dtype=float).dtype is cr.float64  # Python float means float64, as in torch
    assert cr.zeros(2, dtype=int).dtype is cr.int64
    assert cr.zeros(2, dtype=bool).dtype is cr.bool
    assert cr.zeros(2, dtype=np.float16).dtype is cr.float16
