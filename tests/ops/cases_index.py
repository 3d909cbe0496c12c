"""Op cases for ops/index.py: basic/advanced/mixed indexing, setitem, gather/scatter, masks, one_hot."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

S = (3, 4)
S3 = (2, 3, 4)


def _with(*extra):
    """A float input of shape S followed by fixed integer/bool arrays."""
    return lambda r: [r.standard_normal(S), *(np.asarray(e) for e in extra)]


def _setitem(index):
    """``c[index] = v`` on a non-leaf copy, so gradients flow to both ``a`` and ``v``."""
    return lambda m, a, v: (lambda c: (c.__setitem__(index, v), c)[1])(a * 1)


_REP = np.array([[0, 2, 2], [1, 1, 0], [2, 0, 2]])  # repeated indices: gradients accumulate
_SC_IDX = np.array([[0, 1, 2, 0], [2, 0, 0, 1]])  # scatter rows along dim 0 (distinct per column)

CASES = [
    # basic indexing: views
    OpCase("getitem", lambda m, a: a[1], [S], noncontig=True),
    OpCase("getitem_slice", lambda m, a: a[1:, ::2], [S], noncontig=True),
    OpCase("getitem_neg", lambda m, a: a[-1, -3:-1], [S]),
    OpCase("getitem_scalar", lambda m, a: a[0, 2], [S]),
    OpCase("getitem_none_ellipsis", lambda m, a: a[None, ..., 1, None], [S3]),
    OpCase("getitem_ellipsis_0d", lambda m, a: a[...], [()]),
    OpCase("getitem_0d_none", lambda m, a: a[None], [()]),
    OpCase("getitem_empty_slice", lambda m, a: a[2:1], [S]),
    OpCase("getitem_zero_size", lambda m, a: a[:, 1:], [(0, 3)], gradcheck=False),
    OpCase("getitem_tensor_bounds", lambda m, a, i: a[i[0]:i[1]], make=_with(np.array([1, 3]))),
    # advanced indexing: copies, repeated indices accumulate
    OpCase("getitem_list", lambda m, a: a[[0, 2, 0]], [S], noncontig=True),
    OpCase("getitem_int_tensor", lambda m, a, i: a[i], make=_with([2, 0, 2, 2])),
    OpCase("getitem_int32_tensor", lambda m, a, i: a[:, i], make=_with(np.array([3, 3, 1], np.int32))),
    OpCase("getitem_2d_index", lambda m, a, i: a[i], make=_with(_REP)),
    OpCase("getitem_pairs", lambda m, a, i, j: a[i, j], make=_with([0, 2, 2, 0], [1, 3, 3, 1])),
    OpCase("getitem_broadcast_pairs", lambda m, a, i, j: a[i, j], make=_with([[0], [2]], [1, 3, 3])),
    OpCase("getitem_neg_index", lambda m, a, i: a[i], make=_with([-1, -3, 0])),
    OpCase("getitem_mixed", lambda m, a, i: a[1:, i, None], make=lambda r: [r.standard_normal(S3), np.array([0, 2, 2])]),
    OpCase("getitem_split_adv", lambda m, a, i, j: a[i, :, j], make=lambda r: [r.standard_normal(S3), np.array([1, 0]), np.array([3, 3])]),
    # ints are selected before advanced indices (torch), so these differ from NumPy's placement
    OpCase("getitem_int_splits_adv", lambda m, a, i: a[:, 0, :, i], make=lambda r: [r.standard_normal((2, 3, 4, 5)), np.array([1, 1, 4])]),
    OpCase("getitem_int_first_adv", lambda m, a, i: a[0, :, i], make=lambda r: [r.standard_normal(S3), np.array([3, 0, 3])]),
    OpCase("getitem_none_int_ellipsis_adv", lambda m, a, i: a[None, 1, ..., i], make=lambda r: [r.standard_normal(S3), np.array([2, 2])]),
    OpCase("getitem_0d_int_tensor", lambda m, a, i, j: a[i, :, j], make=lambda r: [r.standard_normal(S3), np.array(1), np.array([0, 0])]),
    OpCase("setitem_int_splits_adv", lambda m, a, v, i: (lambda c: (c.__setitem__((0, slice(None), i), v), c)[1])(a * 1),
           make=lambda r: [r.standard_normal(S3), r.standard_normal((3, 2)), np.array([3, 1])]),
    OpCase("getitem_int_and_list", lambda m, a: a[1, [0, 0, 2]], [S3]),
    OpCase("getitem_bool_mask", lambda m, a, k: a[k], make=_with(np.array([[True, False, True, True], [False] * 4, [True, True, False, False]]))),
    OpCase("getitem_bool_rows", lambda m, a, k: a[k, 1:], make=_with(np.array([True, False, True]))),
    OpCase("getitem_bool_after_ellipsis", lambda m, a, k: a[..., k], make=lambda r: [r.standard_normal(S3), np.array([True, False, False, True])]),
    OpCase("getitem_bool_all_false", lambda m, a, k: a[k], make=_with(np.zeros(S, bool))),
    OpCase("getitem_empty_list", lambda m, a: a[[]], [S]),
    OpCase("getitem_bool_scalar", lambda m, a: a[True], [S]),
    OpCase("getitem_int_tensor_int_data", lambda m, x, i: x[i], make=lambda r: [r.integers(0, 9, S), np.array([2, 2])], grad=False),
    # setitem on a non-leaf (index_put through Tensor.__setitem__)
    OpCase("index_put", _setitem((slice(None), 1)), make=lambda r: [r.standard_normal(S), r.standard_normal(3)]),
    OpCase("setitem_broadcast_value", _setitem(slice(1, None)), make=lambda r: [r.standard_normal(S), r.standard_normal(4)]),
    OpCase("setitem_scalar_value", lambda m, a: (lambda c: (c.__setitem__(0, 2.5), c)[1])(a * 1), [S]),
    OpCase("setitem_list", _setitem([2, 0]), make=lambda r: [r.standard_normal(S), r.standard_normal((2, 4))]),
    OpCase("setitem_mask", lambda m, a, v, k: (lambda c: (c.__setitem__(k, v), c)[1])(a * 1),
           make=lambda r: [r.standard_normal(S), r.standard_normal(()), r.standard_normal(S) > 0]),
    OpCase("setitem_leading_ones", _setitem(1), make=lambda r: [r.standard_normal(S), r.standard_normal((1, 1, 4))]),
    OpCase("setitem_cast_value", lambda m, a, v: (lambda c: (c.__setitem__(0, v.double()), c)[1])(a * 1), make=lambda r: [r.standard_normal(S), r.standard_normal(4)]),
    OpCase("setitem_int", lambda m, x: (lambda c: (c.__setitem__((0, slice(1, 3)), 7.9), c)[1])(x.clone()), make=lambda r: [r.integers(0, 9, S)], grad=False),
    OpCase("index_put_fn", lambda m, a, v, i: m.index_put(a, (i,), v), make=lambda r: [r.standard_normal(S), r.standard_normal(4), np.array([2, 0])]),
    OpCase("index_put_accumulate", lambda m, a, v, i: m.index_put(a, (i,), v, accumulate=True), make=lambda r: [r.standard_normal(S), r.standard_normal((3, 4)), np.array([2, 0, 2])]),
    # gather / scatter
    OpCase("gather", lambda m, a, i: m.gather(a, 1, i), make=_with(_REP)),
    OpCase("gather_dim0", lambda m, a, i: a.gather(0, i), make=_with(_REP), noncontig=True),
    OpCase("gather_neg_dim_smaller", lambda m, a, i: a.gather(-1, i), make=_with([[3, 3, 0, 1, 1, 2], [0, 0, 0, 0, 0, 0]])),
    OpCase("gather_3d", lambda m, a, i: a.gather(1, i), make=lambda r: [r.standard_normal(S3), r.integers(0, 3, (2, 5, 3))]),
    OpCase("gather_0d", lambda m, a, i: a.gather(0, i), make=lambda r: [r.standard_normal(()), np.array(0)]),
    OpCase("gather_empty", lambda m, a, i: a.gather(1, i), make=_with(np.zeros((3, 0), np.int64)), gradcheck=False),
    OpCase("scatter_add", lambda m, a, i, s: m.scatter_add(a, 0, i, s), make=lambda r: [r.standard_normal(S), _REP, r.standard_normal((3, 3))]),
    OpCase("scatter_add_dim1", lambda m, a, i, s: a.scatter_add(1, i, s), make=lambda r: [r.standard_normal(S), _REP, r.standard_normal((3, 3))]),
    OpCase("scatter", lambda m, a, i, s: m.scatter(a, 0, i, s), make=lambda r: [r.standard_normal(S), _SC_IDX, r.standard_normal((2, 4))]),
    # src larger than index: torch 2.13's backward rejects it, so only the forward is compared
    OpCase("scatter_big_src", lambda m, a, i, s: m.scatter(a.detach(), 0, i, s.detach()), make=lambda r: [r.standard_normal(S), _SC_IDX, r.standard_normal((3, 5))], grad=False),
    OpCase("scatter_add_big_src", lambda m, a, i, s: m.scatter_add(a.detach(), 1, i, s.detach()), make=lambda r: [r.standard_normal(S), _REP, r.standard_normal((3, 5))], grad=False),
    OpCase("scatter_value", lambda m, a, i: a.scatter(1, i, 0.5), make=_with(_SC_IDX.T[:3, :2].copy())),
    OpCase("scatter_value_kw", lambda m, a, i: m.scatter(a, 1, i, value=-1.0), make=_with([[1], [0], [3]])),
    OpCase("scatter_reduce_add", lambda m, a, i, s: a.detach().scatter(0, i, s.detach(), reduce="add"), make=lambda r: [r.standard_normal(S), _REP, r.standard_normal((3, 3))], grad=False),
    OpCase("scatter_reduce_multiply", lambda m, a, i, s: a.detach().scatter(0, i, s.detach(), reduce="multiply"), make=lambda r: [r.standard_normal(S), _REP, r.standard_normal((3, 3))], grad=False),
    OpCase("scatter_add_inplace", lambda m, a, i, s: (lambda c: c.scatter_add_(0, i, s))(a * 1), make=lambda r: [r.standard_normal(S), _REP, r.standard_normal((3, 3))]),
    OpCase("scatter_inplace", lambda m, a, i, s: (lambda c: c.scatter_(0, i, s))(a * 1), make=lambda r: [r.standard_normal(S), _SC_IDX, r.standard_normal((2, 4))]),
    # index_select / index_add / take_along_dim
    OpCase("index_select", lambda m, a, i: m.index_select(a, 0, i), make=_with([2, 0, 2, 2]), noncontig=True),
    OpCase("index_select_dim1", lambda m, a, i: a.index_select(-1, i), make=_with(np.array([3, 1, 3], np.int32))),
    OpCase("index_select_0d_index", lambda m, a, i: a.index_select(1, i), make=_with(np.array(2))),
    OpCase("index_select_empty", lambda m, a, i: a.index_select(0, i), make=_with(np.zeros(0, np.int64)), gradcheck=False),
    OpCase("index_add", lambda m, a, i, s: m.index_add(a, 0, i, s), make=lambda r: [r.standard_normal(S), np.array([2, 0, 2]), r.standard_normal((3, 4))]),
    OpCase("index_add_alpha", lambda m, a, i, s: a.index_add(1, i, s, alpha=-2.0), make=lambda r: [r.standard_normal(S), np.array([1, 1]), r.standard_normal((3, 2))]),
    OpCase("index_add_inplace", lambda m, a, i, s: (lambda c: c.index_add_(0, i, s))(a * 1), make=lambda r: [r.standard_normal(S), np.array([1, 1]), r.standard_normal((2, 4))]),
    OpCase("take_along_dim", lambda m, a, i: m.take_along_dim(a, i, 1), make=_with([[0, 3], [1, 1], [2, 0]])),
    OpCase("take_along_dim_bcast", lambda m, a, i: a.take_along_dim(i, 0), make=lambda r: [r.standard_normal((3, 1)), np.array([[2, 0, 1, 1]])]),
    OpCase("take_along_dim_flat", lambda m, a, i: m.take_along_dim(a, i), make=_with([11, 0, 0, 5])),
    # masks, nonzero, one_hot
    OpCase("masked_select", lambda m, a, k: m.masked_select(a, k), make=_with(np.array([[True, False, True, True], [False] * 4, [True, True, False, False]])), noncontig=True),
    OpCase("masked_select_bcast", lambda m, a, k: a.masked_select(k), make=lambda r: [r.standard_normal((3, 1)), np.array([True, False, True, True])]),
    OpCase("nonzero", lambda m, x: m.nonzero(x), make=lambda r: [r.integers(0, 2, S3)], grad=False),
    OpCase("nonzero_tuple", lambda m, a: a.detach().nonzero(as_tuple=True), make=lambda r: [r.standard_normal(S) * (r.random(S) > 0.5)], grad=False),
    OpCase("nonzero_0d", lambda m, a: m.nonzero(a.detach()), [()], grad=False),
    OpCase("nonzero_0d_tuple", lambda m, a: m.nonzero(a.detach(), as_tuple=True), [()], grad=False),
    OpCase("nonzero_bool", lambda m, k: m.nonzero(k), make=lambda r: [r.random(S) > 0.5], grad=False),
    OpCase("one_hot", lambda m, i: m.nn.functional.one_hot(i) if m.__name__ == "torch" else m.one_hot(i), make=lambda r: [np.array([0, 3, 1, 1])], grad=False),
    OpCase("one_hot_classes", lambda m, i: m.nn.functional.one_hot(i, 5) if m.__name__ == "torch" else m.one_hot(i, num_classes=5), make=lambda r: [np.array([[0, 3], [4, 1]])], grad=False),
    OpCase("one_hot_empty", lambda m, i: m.nn.functional.one_hot(i, 3) if m.__name__ == "torch" else m.one_hot(i, 3), make=lambda r: [np.zeros((0,), np.int64)], grad=False),
]
