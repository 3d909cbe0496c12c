"""Bad input to shape and indexing ops raises PyTorch's exception class with a helpful message."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr


@pytest.fixture
def x() -> cr.Tensor:
    return cr.tensor(np.arange(6, dtype=np.float32).reshape(2, 3))


@pytest.fixture
def m() -> cr.Tensor:
    return cr.tensor(np.arange(12, dtype=np.float32).reshape(3, 4))


# --- shape ops ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("shape", "match"),
    [
        ((2, 5), r"shape '\[2, 5\]' is invalid for input of size 6"),
        ((-1, 4), r"shape '\[-1, 4\]' is invalid for input of size 6"),
        ((-1, -1), "only one dimension can be inferred"),
        ((-2, 3), "invalid shape dimension -2"),
    ],
)
def test_reshape_invalid(x: cr.Tensor, shape: tuple[int, ...], match: str) -> None:
    with pytest.raises(RuntimeError, match=match):
        x.reshape(*shape)


def test_reshape_zero_elements_ambiguous() -> None:
    with pytest.raises(RuntimeError, match="ambiguous"):
        cr.zeros(0, 4).reshape(-1, 0)


def test_view_invalid(x: cr.Tensor) -> None:
    with pytest.raises(RuntimeError, match="invalid for input of size 6"):
        x.view(4)
    with pytest.raises(RuntimeError, match="invalid for input of size 6"):
        x.view_as(cr.zeros(3, 3))


def test_flatten_unflatten_errors(x: cr.Tensor) -> None:
    with pytest.raises(RuntimeError, match="start_dim cannot come after end_dim"):
        x.flatten(1, 0)
    with pytest.raises(RuntimeError, match="don't multiply up to the size of dim 1"):
        x.unflatten(1, (2, 2))
    with pytest.raises(RuntimeError, match="sizes must be non-empty"):
        x.unflatten(1, ())
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.flatten(0, 2)


def test_permute_errors(x: cr.Tensor) -> None:
    with pytest.raises(RuntimeError, match="number of dims"):
        x.permute(0)
    with pytest.raises(RuntimeError, match="duplicate dims"):
        x.permute(0, 0)
    with pytest.raises(
        IndexError, match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"
    ):
        x.permute(0, 2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.transpose(0, 2)
    with pytest.raises(TypeError, match="sizes must be ints"):
        x.permute("a", "b")


def test_t_needs_at_most_2d() -> None:
    with pytest.raises(RuntimeError, match="<= 2 dimensions, but self is 3D"):
        cr.zeros(2, 3, 4).t()


def test_squeeze_unsqueeze_dims(x: cr.Tensor) -> None:
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.squeeze(2)
    with pytest.raises(IndexError, match=r"range of \[-3, 2\], but got 3"):
        x.unsqueeze(3)


def test_expand_errors(x: cr.Tensor) -> None:
    with pytest.raises(
        RuntimeError, match=r"expanded size of the tensor \(3\) must match the existing size \(2\)"
    ):
        x.expand(3, 3)
    with pytest.raises(RuntimeError, match="number of sizes provided"):
        x.expand(3)
    with pytest.raises(RuntimeError, match="leading, non-existing dimension 0"):
        x.expand(-1, 2, 3)
    with pytest.raises(RuntimeError, match="number of sizes provided"):
        cr.broadcast_to(x, (3,))


def test_expanded_view_refuses_inplace_writes() -> None:
    e = cr.zeros(3, 1).expand(3, 4)
    with pytest.raises(RuntimeError, match="read-only"):
        e.add_(1)


def test_repeat_errors(x: cr.Tensor) -> None:
    with pytest.raises(RuntimeError, match="can not be smaller than number of dimensions"):
        x.repeat(2)
    with pytest.raises(RuntimeError, match="negative dimension"):
        x.repeat(2, -1)


def test_cat_errors(x: cr.Tensor) -> None:
    with pytest.raises(RuntimeError, match=r"Expected size 3 but got size 4 for tensor number 1"):
        cr.cat([x, cr.zeros(3, 4)])
    with pytest.raises(RuntimeError, match="same number of dimensions: got 2 and 1"):
        cr.cat([x, cr.zeros(3)])
    with pytest.raises(ValueError, match="non-empty list of Tensors"):
        cr.cat([])
    with pytest.raises(IndexError, match="Dimension out of range"):
        cr.cat([x], dim=2)
    with pytest.raises(TypeError, match="expected a sequence of Tensors"):
        cr.cat(x)
    with pytest.raises(TypeError, match="expected Tensor as element 1"):
        cr.cat([x, 1.0])
    with pytest.raises(RuntimeError, match="zero-dimensional tensor"):
        cr.cat([cr.tensor(1.0), cr.tensor(2.0)])


def test_stack_errors(x: cr.Tensor) -> None:
    with pytest.raises(
        RuntimeError, match=r"equal size, but got \[2, 3\] at entry 0 and \[3, 2\] at entry 1"
    ):
        cr.stack([x, cr.zeros(3, 2)])
    with pytest.raises(ValueError, match="non-empty"):
        cr.stack([])


def test_split_chunk_errors(x: cr.Tensor) -> None:
    with pytest.raises(RuntimeError, match="split_size can only be 0 if dimension size is 0"):
        x.split(0)
    with pytest.raises(RuntimeError, match=r"sum exactly to 3 .* split_sizes=\[1, 3\]"):
        x.split([1, 3], 1)
    with pytest.raises(RuntimeError, match="chunks` to be greater than 0, got: 0"):
        x.chunk(0)
    with pytest.raises(IndexError, match="no dimensions"):
        cr.tensor(1.0).unbind()


def test_narrow_errors(x: cr.Tensor) -> None:
    with pytest.raises(RuntimeError, match=r"start \(1\) \+ length \(3\) exceeds dimension size \(2\)"):
        x.narrow(0, 1, 3)
    with pytest.raises(IndexError, match="start out of range"):
        x.narrow(0, 3, 0)
    with pytest.raises(IndexError, match="start out of range"):
        x.narrow(0, -3, 1)


def test_flip_roll_movedim_errors(x: cr.Tensor) -> None:
    with pytest.raises(RuntimeError, match="appears multiple times"):
        x.flip(0, 0)
    with pytest.raises(RuntimeError, match="shifts and dimensions must align"):
        x.roll(1, (0, 1))
    with pytest.raises(RuntimeError, match="shifts and dimensions must align"):
        x.roll((1, 2))
    with pytest.raises(RuntimeError, match="Input must be >= 2-d"):
        cr.zeros(3).fliplr()
    with pytest.raises(RuntimeError, match="Input must be >= 1-d"):
        cr.tensor(1.0).flipud()
    with pytest.raises(RuntimeError, match="same number of dims"):
        x.movedim((0, 1), (0,))
    with pytest.raises(RuntimeError, match="repeated dim in `source`"):
        x.movedim((0, 0), (0, 1))


def test_tri_diag_errors(x: cr.Tensor) -> None:
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        cr.zeros(3).tril()
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        cr.zeros(3).triu()
    with pytest.raises(RuntimeError, match="cannot be identical 0, 0"):
        x.diagonal(0, 0, 0)
    with pytest.raises(RuntimeError, match="Supports 1D or 2D tensors.*3D"):
        cr.zeros(2, 2, 2).diag()


# --- indexing ---------------------------------------------------------------------------------------
def test_getitem_out_of_range(m: cr.Tensor) -> None:
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        m[5]
    with pytest.raises(IndexError, match="index 7 is out of bounds for dimension 1 with size 4"):
        m[:, 7]
    with pytest.raises(IndexError, match="index 7 is out of bounds for dimension 0 with size 3"):
        m[[0, 7]]
    with pytest.raises(IndexError, match="out of bounds"):
        m[cr.tensor([0, -4])]


def test_getitem_bad_indices(m: cr.Tensor) -> None:
    with pytest.raises(ValueError, match="step must be greater than zero"):
        m[::-1]
    with pytest.raises(IndexError, match="too many indices for tensor"):
        m[0, 0, 0]
    with pytest.raises(IndexError, match="must be long, int, byte or bool tensors"):
        m[cr.tensor([0.5])]
    with pytest.raises(IndexError, match="did not match"):
        m[cr.tensor([True, False])]
    with pytest.raises(IndexError, match="only integers, slices"):
        m["a"]
    with pytest.raises(IndexError, match="shape mismatch"):
        m[[0, 1], [0, 1, 2]]


def test_setitem_errors(m: cr.Tensor) -> None:
    with pytest.raises(
        RuntimeError,
        match=r"value tensor of shape \[3, 4\] cannot be broadcast to indexing result of shape \[2, 4\]",
    ):
        m[[0, 1]] = cr.zeros(3, 4)
    with pytest.raises(IndexError, match="out of bounds"):
        m[3] = 1.0
    leaf = cr.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf[0] = 1.0


def test_gather_errors(m: cr.Tensor) -> None:
    with pytest.raises(RuntimeError, match="index 5 is out of bounds for dimension 0 with size 3"):
        m.gather(0, cr.tensor([[5, 1]]))
    with pytest.raises(RuntimeError, match="index -1 is out of bounds"):
        m.gather(0, cr.tensor([[-1, 1]]))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        m.gather(0, cr.tensor([0, 1]))
    with pytest.raises(
        RuntimeError,
        match=r"expected index \[4, 1\] to be no larger than self \[3, 4\] apart from dimension 1",
    ):
        m.gather(1, cr.zeros(4, 1, dtype=cr.int64))
    with pytest.raises(RuntimeError, match="Expected dtype int64 for index"):
        m.gather(0, cr.tensor([[0.0, 1.0]]))
    with pytest.raises(IndexError, match="Dimension out of range"):
        m.gather(2, cr.zeros(2, 1, dtype=cr.int64))


def test_scatter_errors(m: cr.Tensor) -> None:
    idx = cr.tensor([[0, 1]])
    with pytest.raises(RuntimeError, match="no larger size than src"):
        m.scatter_add(0, idx, cr.zeros(1, 1))
    with pytest.raises(RuntimeError, match="self.dtype to be equal to src.dtype"):
        m.scatter_add(0, idx, cr.zeros(1, 2, dtype=cr.float64))
    with pytest.raises(RuntimeError, match="out of bounds"):
        m.scatter(0, cr.tensor([[3, 1]]), 1.0)
    with pytest.raises(RuntimeError, match="reduce argument must be either add or multiply"):
        m.scatter(0, idx, 1.0, reduce="max")
    with pytest.raises(TypeError, match="either 'src' or 'value'"):
        cr.scatter(m, 0, idx)
    with pytest.raises(RuntimeError, match="Expected dtype int64 for index"):
        m.scatter(0, cr.tensor([[0.0]]), 1.0)


def test_scatter_multiply_has_no_gradient() -> None:
    a = cr.ones(3, requires_grad=True)
    out = (a * 1).scatter(0, cr.tensor([0, 0]), cr.tensor([2.0, 3.0]), reduce="multiply")
    with pytest.raises(RuntimeError, match="not implemented"):
        out.sum().backward()


def test_index_select_errors(m: cr.Tensor) -> None:
    with pytest.raises(IndexError, match="supposed to be a vector"):
        m.index_select(0, cr.tensor([[0, 1]]))
    with pytest.raises(IndexError, match="index out of range in self"):
        m.index_select(0, cr.tensor([0, 5]))
    with pytest.raises(IndexError, match="index out of range in self"):
        m.index_select(0, cr.tensor([-1]))
    with pytest.raises(RuntimeError, match="Expected dtype int32 or int64 for index"):
        m.index_select(0, cr.tensor([0.0, 1.0]))


def test_index_add_errors(m: cr.Tensor) -> None:
    with pytest.raises(RuntimeError, match=r"Number of indices \(2\) should be equal to source.size\(dim\)"):
        m.index_add(0, cr.tensor([0, 1]), cr.zeros(3, 4))
    with pytest.raises(RuntimeError, match="must have the same scalar type"):
        m.index_add(0, cr.tensor([0, 1]), cr.zeros(2, 4, dtype=cr.float64))
    with pytest.raises(IndexError, match="out of bounds"):
        m.index_add(0, cr.tensor([0, 3]), cr.zeros(2, 4))


def test_take_along_dim_errors(m: cr.Tensor) -> None:
    with pytest.raises(RuntimeError, match="must match the size of tensor b"):
        cr.take_along_dim(m, cr.tensor([[0], [1]]), 1)
    with pytest.raises(RuntimeError, match="dtype of indices should be Long"):
        cr.take_along_dim(m, cr.tensor([[0.0]]), 1)
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        cr.take_along_dim(m, cr.tensor([0]), 1)


def test_masked_select_errors(m: cr.Tensor) -> None:
    with pytest.raises(RuntimeError, match="expected BoolTensor for mask"):
        m.masked_select(cr.tensor([1, 0, 1, 1]))
    with pytest.raises(RuntimeError, match="must match the size"):
        m.masked_select(cr.tensor([True, False]))


def test_one_hot_errors() -> None:
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        cr.one_hot(cr.tensor([0, 3]), 3)
    with pytest.raises(RuntimeError, match="non-negative"):
        cr.one_hot(cr.tensor([0, -1]), 3)
    with pytest.raises(RuntimeError, match="LongTensor"):
        cr.one_hot(cr.tensor([0.0, 1.0]), 3)
    with pytest.raises(RuntimeError, match="Can not infer total number of classes from empty tensor"):
        cr.one_hot(cr.tensor([], dtype=cr.int64))


# --- view semantics -------------------------------------------------------------------------------
def test_views_share_memory_and_version(m: cr.Tensor) -> None:
    for v in (m.reshape(4, 3), m.t(), m[1:], m.unsqueeze(0), m.diagonal(), m.narrow(1, 1, 2)):
        v.mul_(1)
        assert np.shares_memory(v.numpy(), m.numpy())
    before = m._version
    m.view(-1)[0] = 100.0
    assert m[0, 0].item() == 100.0 and m._version > before
    m.diagonal().zero_()
    assert m[1, 1].item() == 0.0


def test_copies_do_not_alias(m: cr.Tensor) -> None:
    for c in (m.flip(0), m[[0, 1]], m.roll(1), m.repeat(1, 1), cr.cat([m]), m.t().reshape(-1), m.diag()):
        assert not np.shares_memory(c.numpy(), m.numpy())


def test_saved_input_modified_through_view_is_detected() -> None:
    a = cr.ones(2, 3, requires_grad=True) * 1
    b = a * a  # saves a
    a.view(-1)[0] = 5.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        b.sum().backward()
