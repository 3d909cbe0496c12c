"""Bad input to the core raises PyTorch's exception class with a message naming the problem."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr


def _torch():
    return pytest.importorskip("torch")


def _both_raise(expr: str, exc: type, match: str) -> None:
    """chainrule raises ``exc`` matching ``match``; torch raises the same class."""
    torch = _torch()
    with pytest.raises(exc):
        eval(expr, {"L": torch, "np": np})
    with pytest.raises(exc, match=match):
        eval(expr, {"L": cr, "np": np})


def test_backward_on_non_scalar_without_gradient():
    _both_raise("(L.ones(2, requires_grad=True) * 2).backward()", RuntimeError,
                r"grad can be implicitly created only for scalar outputs.*\[2\]")  # fmt: skip


def test_backward_twice_through_freed_graph():
    x = cr.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_backward_on_tensor_without_grad():
    _both_raise("L.ones(2).sum().backward()", RuntimeError, "does not require grad")


def test_requires_grad_on_integer_tensor():
    _both_raise("L.tensor([1, 2], requires_grad=True)", RuntimeError, "floating point")
    _both_raise("L.tensor([1, 2]).requires_grad_()", RuntimeError, "floating point")
    _both_raise("L.zeros(2, dtype=L.bool, requires_grad=True)", RuntimeError, "floating point")


def test_in_place_on_saved_tensor():
    _both_raise(
        "(lambda x: (lambda y: (y.add_(1), y.sum().backward()))(x.exp()))(L.ones(2, requires_grad=True))",
        RuntimeError, r"modified by an inplace operation.*version",
    )  # fmt: skip


def test_in_place_on_leaf_requiring_grad():
    _both_raise("L.ones(2, requires_grad=True).add_(1)", RuntimeError,
                "a leaf Variable that requires grad is being used in an in-place operation")  # fmt: skip
    _both_raise("L.ones(2, requires_grad=True).mul_(2)", RuntimeError, "leaf Variable")
    _both_raise("L.ones(2, requires_grad=True).zero_()", RuntimeError, "leaf Variable")


def test_in_place_dtype_that_cannot_be_cast():
    _both_raise("L.ones(2, dtype=L.int64).add_(1.5)", RuntimeError, r"float32 can't be cast.*int64")


def test_in_place_broadcast_to_bigger_shape():
    _both_raise("L.ones(3).add_(L.ones(2, 3))", RuntimeError, r"add_.*\[3\].*\[2, 3\]")


def test_in_place_on_expanded_view():
    _both_raise("L.ones(2).expand(3, 2).add_(1)", RuntimeError, "single memory location")


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "maximum", "pow"])
def test_broadcast_mismatch_names_op_and_shapes(op):
    _both_raise(f"L.{op}(L.ones(2, 3), L.ones(4))", RuntimeError,
                rf"{op}: the size of tensor a \(3\) must match the size of tensor b \(4\).*\[2, 3\] and \[4\]")  # fmt: skip


def test_operator_broadcast_mismatch():
    with pytest.raises(RuntimeError, match=r"add: .*\[2, 3\] and \[4\]"):
        cr.ones(2, 3) + cr.ones(4)
    with pytest.raises(RuntimeError, match=r"mul: .*\[5\] and \[2\]"):
        cr.ones(5) * cr.ones(2)


def test_bad_operand_types():
    _both_raise("L.ones(2) + 'a'", TypeError, "str")
    _both_raise("L.ones(2) + [1.0, 2.0]", TypeError, "list")


def test_index_out_of_range():
    _both_raise("L.tensor([1, 2])[5]", IndexError, "out of bounds")
    _both_raise("L.ones(2, 3)[:, 3]", IndexError, "out of bounds")
    _both_raise("L.ones(2, 3)[0, 0, 0]", IndexError, "too many indices")


def test_dim_out_of_range():
    _both_raise("L.ones(2, 3).size(2)", IndexError, "out of range")


def test_item_and_bool_of_many_elements():
    _both_raise("L.tensor([1, 2]).item()", RuntimeError, "cannot be converted to Scalar")
    _both_raise("bool(L.tensor([1, 2]))", RuntimeError, "ambiguous")


def test_grad_outputs_shape_mismatch():
    x = cr.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Mismatch in shape|mismatch in shape.*\[3\].*\[2\]"):
        (x * 2).backward(cr.ones(3))


def test_cuda_is_a_clear_runtime_error():
    with pytest.raises(RuntimeError, match="chainrule computes on the CPU"):
        cr.ones(2).to("cuda")
    with pytest.raises(RuntimeError, match="chainrule computes on the CPU"):
        cr.ones(2).cuda()
    with pytest.raises(RuntimeError, match="chainrule computes on the CPU"):
        cr.randn(2, device="cuda")


def test_bool_subtraction_and_negation():
    _both_raise("L.tensor([True]) - L.tensor([False])", RuntimeError, "bool")
    _both_raise("L.tensor([1, 2]) - True", RuntimeError, "bool")
    _both_raise("-L.tensor([True])", RuntimeError, "bool")


def test_numpy_of_tensor_requiring_grad():
    _both_raise("L.ones(2, requires_grad=True).numpy()", RuntimeError, "requires grad")
