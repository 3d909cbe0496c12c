"""Bad inputs to reductions, linear algebra and sorting raise PyTorch's exception class with a clear message."""

from __future__ import annotations

import pytest

import chainrule as cr


def _x(*shape, dtype=None):
    return cr.ones(*shape, dtype=dtype) if dtype else cr.ones(*shape)


# --- reductions ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda: cr.sum(_x(2, 3), 2),
        lambda: cr.sum(_x(2, 3), (0, -3)),
        lambda: cr.mean(_x(2, 3), -3),
        lambda: cr.prod(_x(2, 3), 2),
        lambda: cr.amax(_x(2, 3), 5),
        lambda: cr.max(_x(2, 3), 2),
        lambda: cr.argmax(_x(2, 3), 2),
        lambda: cr.var(_x(2, 3), 3),
        lambda: cr.logsumexp(_x(2, 3), 2),
        lambda: cr.norm(_x(2, 3), dim=2),
        lambda: cr.cumsum(_x(2, 3), 2),
        lambda: cr.cumprod(_x(2, 3), -3),
        lambda: cr.median(_x(2, 3), 2),
        lambda: cr.sum(cr.tensor(1.0), 1),
    ],
)
def test_dim_out_of_range(call) -> None:
    with pytest.raises(IndexError, match="Dimension out of range"):
        call()


def test_repeated_dim() -> None:
    with pytest.raises(RuntimeError, match="appears multiple times"):
        cr.sum(_x(2, 3), (0, 0))


def test_mean_of_int() -> None:
    with pytest.raises(RuntimeError, match="mean\\(\\).*floating point"):
        cr.mean(cr.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="floating point"):
        cr.mean(_x(2), dtype=cr.int64)


def test_var_std_of_int() -> None:
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        cr.var(cr.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        cr.std(cr.tensor([1, 2]), 0)


def test_var_unbiased_and_correction() -> None:
    with pytest.raises(TypeError, match="either 'unbiased' or 'correction'"):
        cr.var(_x(3), 0, unbiased=True, correction=0)


def test_norm_of_int_and_bad_p() -> None:
    with pytest.raises(RuntimeError, match="Expected a floating point"):
        cr.norm(cr.tensor([1, 2]))
    with pytest.raises(RuntimeError, match="Order abc not supported"):
        cr.norm(_x(2, 2), "abc")
    with pytest.raises(RuntimeError, match="inf norm on an empty tensor"):
        cr.norm(cr.zeros(0), float("inf"))


def test_nanmean_of_int() -> None:
    with pytest.raises(RuntimeError, match="nanmean.*floating point"):
        cr.nanmean(cr.tensor([1, 2]))


def test_prod_tuple_dim() -> None:
    with pytest.raises(TypeError, match="'dim' must be int"):
        cr.prod(_x(2, 3), (0, 1))


def test_logsumexp_needs_dim() -> None:
    with pytest.raises(TypeError):
        cr.logsumexp(_x(2, 3))  # type: ignore[call-arg]


@pytest.mark.parametrize("op", ["max", "min", "amax", "amin"])
def test_empty_full_reduction(op: str) -> None:
    with pytest.raises(RuntimeError, match="Expected reduction dim to be specified"):
        getattr(cr, op)(cr.zeros(0, 3))


@pytest.mark.parametrize("op", ["max", "min", "amax", "amin", "argmax", "argmin", "median"])
def test_empty_reduction_dim(op: str) -> None:
    with pytest.raises(IndexError, match="Expected reduction dim 0 to have non-zero size"):
        getattr(cr, op)(cr.zeros(0, 3), 0)


def test_argmax_empty_flat_and_aminmax_empty() -> None:
    with pytest.raises(IndexError, match="numel\\(\\) == 0"):
        cr.argmax(cr.zeros(0))
    with pytest.raises(RuntimeError, match="aminmax.*empty dimension"):
        cr.aminmax(cr.zeros(0))


def test_not_a_tensor() -> None:
    with pytest.raises(TypeError, match="must be Tensor, not list"):
        cr.sum([1.0, 2.0])


# --- linear algebra -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b", "pattern"),
    [
        ((2, 3), (4, 5), r"matmul: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"),
        ((3,), (4, 5), r"mat1 and mat2 shapes cannot be multiplied \(1x3 and 4x5\)"),
        ((3,), (4,), r"inconsistent tensor size, expected tensor \[3\] and src \[4\]"),
        ((2, 3), (4,), r"size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"),
        ((2, 2, 3), (3, 3, 5), r"size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton dimension 0"),
        ((), (2, 3), r"both arguments to matmul need to be at least 1D, but they are 0D and 2D"),
    ],
)
def test_matmul_shape_errors(a, b, pattern) -> None:
    with pytest.raises(RuntimeError, match=pattern):
        cr.matmul(cr.ones(*a), cr.ones(*b))


def test_matmul_dtype_mismatch() -> None:
    with pytest.raises(RuntimeError, match="same dtype, but got: float32 != float64"):
        cr.matmul(_x(2, 3), _x(3, 2, dtype=cr.float64))


def test_mm_bmm_mv_errors() -> None:
    with pytest.raises(RuntimeError, match=r"mm: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"):
        cr.mm(_x(2, 3), _x(4, 5))
    with pytest.raises(RuntimeError, match="mat2 must be a matrix"):
        cr.mm(_x(2, 3), _x(3))
    with pytest.raises(RuntimeError, match="batch1 must be a 3D tensor"):
        cr.bmm(_x(2, 3), _x(3, 2))
    with pytest.raises(RuntimeError, match=r"batch2 tensor to be: \[2, 3\] but got: \[2, 4\]"):
        cr.bmm(_x(2, 2, 3), _x(2, 4, 4))
    with pytest.raises(RuntimeError, match="size mismatch"):
        cr.mv(_x(2, 3), _x(4))
    with pytest.raises(RuntimeError, match="vector \\+ matrix @ vector expected, got 1, 2, 2"):
        cr.mv(_x(2, 3), _x(3, 2))


def test_dot_outer_inner_errors() -> None:
    with pytest.raises(RuntimeError, match="1D tensors expected, but got 2D and 2D tensors"):
        cr.dot(_x(2, 3), _x(2, 3))
    with pytest.raises(RuntimeError, match="inconsistent tensor size"):
        cr.dot(_x(3), _x(4))
    with pytest.raises(RuntimeError, match="expected both vectors to have same dtype, but found Float and Double"):
        cr.dot(_x(3), _x(3, dtype=cr.float64))
    with pytest.raises(RuntimeError, match="outer: Expected 1-D argument self, but got 2-D"):
        cr.outer(_x(2, 3), _x(3))
    with pytest.raises(RuntimeError, match=r"the last dimension must match.*\[2, 3\] and \[4\]"):
        cr.inner(_x(2, 3), _x(4))
    with pytest.raises(RuntimeError, match="same dtype"):
        cr.inner(_x(3), _x(3, dtype=cr.float64))


@pytest.mark.parametrize(
    ("eq", "shapes", "pattern"),
    [
        ("ij,jk->ik", [(2, 3)], "fewer operands were provided"),
        ("ij->ij", [(2, 3), (3, 4)], "more operands were provided"),
        ("ijk,jk->ik", [(2, 3), (2, 3)], "number of subscripts in the equation \\(3\\) does not match"),
        ("ij->iz", [(2, 3)], "output subscript z does not appear"),
        ("ij->ii", [(2, 3)], "output subscript i appears more than once"),
        ("ii->i", [(2, 3)], "subscript i is repeated for operand 0 but the sizes don't match"),
        ("i1->i", [(2, 3)], "invalid subscript given at index 1"),
        ("ij,jk", [(2, 3), (2, 4)], "subscript j has size 2 for operand 1 which does not broadcast"),
    ],
)
def test_einsum_errors(eq, shapes, pattern) -> None:
    with pytest.raises(RuntimeError, match=pattern):
        cr.einsum(eq, *(cr.ones(*s) for s in shapes))


def test_einsum_dtype_and_type_errors() -> None:
    with pytest.raises(RuntimeError, match="same dtype"):
        cr.einsum("i,i", _x(2), _x(2, dtype=cr.float64))
    with pytest.raises(TypeError, match="operand 1 must be a Tensor"):
        cr.einsum("i,i", _x(2), [1.0, 2.0])


# --- sorting and sampling -----------------------------------------------------------------------
def test_sort_topk_dim_and_k() -> None:
    with pytest.raises(IndexError, match="Dimension out of range"):
        cr.sort(_x(2, 3), 2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        cr.argsort(_x(2, 3), -3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        cr.topk(_x(2, 3), 1, dim=2)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        cr.topk(_x(2, 3), 4)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        cr.topk(_x(2, 3), -1)


@pytest.mark.parametrize(
    ("probs", "n", "kw", "exc", "pattern"),
    [
        ([0.5, -1.0], 1, {}, RuntimeError, "element < 0"),
        ([0.5, float("nan")], 1, {}, RuntimeError, "`inf`, `nan`"),
        ([0.0, 0.0], 1, {}, RuntimeError, "sum of probabilities <= 0"),
        ([0.5, 0.5], 3, {}, RuntimeError, "cannot sample n_sample > prob_dist.size\\(-1\\) samples without replacement"),
        ([0.5, 0.5], 0, {}, RuntimeError, "cannot sample n_sample <= 0"),
        ([1, 2], 1, {}, RuntimeError, "only supports floating-point dtypes"),
        ([[[1.0]]], 1, {}, RuntimeError, "prob_dist must be 1 or 2 dim"),
        ([0.5, 0.5], 1, {"generator": 3}, TypeError, "generator"),
    ],
)
def test_multinomial_errors(probs, n, kw, exc, pattern) -> None:
    with pytest.raises(exc, match=pattern):
        cr.multinomial(cr.tensor(probs), n, **kw)


def test_multinomial_generator_reproducible() -> None:
    p = cr.tensor([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]])
    a = cr.multinomial(p, 6, True, generator=cr.Generator().manual_seed(3))
    b = cr.multinomial(p, 6, True, generator=cr.Generator().manual_seed(3))
    assert a.dtype == cr.int64 and tuple(a.shape) == (2, 6)
    assert (a.numpy() == b.numpy()).all()
    assert (a.numpy()[1] != 2).all()


def test_return_types_unpack_and_repr() -> None:
    x = cr.tensor([[1.0, 3.0], [4.0, 2.0]])
    values, indices = cr.max(x, 1)
    r = cr.sort(x)
    assert r.values is r[0] and r.indices is r[1]
    assert values.tolist() == [3.0, 4.0] and indices.tolist() == [1, 0]
    assert "return_types.sort(" in repr(r) and "values=" in repr(r)
    mn, mx = cr.aminmax(x)
    assert (mn.item(), mx.item()) == (1.0, 4.0)
