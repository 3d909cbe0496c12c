"""Op cases for ops/index_write.py: scatter_reduce (every reduction, with and without include_self, ties
and zeros), index_copy/index_fill/index_put/masked_scatter with their in-place forms, take, and
repeat_interleave."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

S = (3, 4)
_IDX = np.array([[0, 2, 2, 1], [2, 0, 0, 0], [1, 1, 2, 0]])  # repeats: several sources per target


def _sr(reduce, include_self=True, shape_src=S, idx=_IDX, dim=0):
    # (a src larger than index: PyTorch 2.13's backward rejects it, so only the forward is compared)
    return OpCase(
        f"scatter_reduce_{reduce}{'' if include_self else '_noself'}{'_bigsrc' if shape_src != S else ''}",
        lambda m, a, i, s: m.scatter_reduce(a, dim, i, s, reduce, include_self=include_self),
        make=lambda r: [r.standard_normal((3, 4)), idx, r.standard_normal(shape_src)],
        grad=shape_src == S,
        noncontig=True,
    )


def _ir(reduce, include_self):
    return OpCase(
        f"index_reduce_{reduce}{'' if include_self else '_noself'}",
        lambda m, a, i, s: m.index_reduce(a, 0, i, s, reduce, include_self=include_self),
        make=lambda r: [r.standard_normal(S), np.array([2, 0, 2, 1, 2]), r.standard_normal((5, 4))],
        noncontig=True,
    )


def _ties(rng):  # equal values in input and src: amax/amin split the gradient among them
    a = np.array([[1.0, 2.0, 0.5], [3.0, 1.0, 0.0]])
    s = np.array([[1.0, 2.0, 0.5], [3.0, 2.0, 0.5]])
    return [a, np.array([[0, 0, 1], [0, 0, 1]]), s]


def _zeros(rng):  # products with one and with two zeros in a group
    a = np.array([[1.5, 0.0, 2.0, -1.0], [0.5, 3.0, 0.0, 2.0]])
    s = np.array([[0.0, 2.0, 0.0, 1.5], [2.0, -1.0, 0.0, 0.5], [3.0, 1.0, 2.0, 0.0]])
    return [a, np.array([[0, 1, 0, 1], [1, 0, 0, 1], [1, 0, 1, 1]]), s]


CASES = [
    *[_sr(r, inc) for r in ("sum", "prod", "mean", "amax", "amin") for inc in (True, False)],
    _sr("sum", shape_src=(4, 5)),
    OpCase("scatter_reduce_dim1_method", lambda m, a, i, s: a.scatter_reduce(1, i, s, "mean", include_self=False),
           make=lambda r: [r.standard_normal(S), np.array([[3, 3], [0, 1], [2, 2]]), r.standard_normal((3, 2))]),
    OpCase("scatter_reduce_amax_ties", lambda m, a, i, s: m.scatter_reduce(a, 1, i, s, "amax"), make=_ties, gradcheck=False),
    OpCase("scatter_reduce_amin_ties_noself", lambda m, a, i, s: m.scatter_reduce(a, 1, i, s, "amin", include_self=False), make=_ties, gradcheck=False),
    OpCase("scatter_reduce_prod_zeros", lambda m, a, i, s: m.scatter_reduce(a, 0, i, s, "prod"), make=_zeros),
    OpCase("scatter_reduce_prod_zeros_noself", lambda m, a, i, s: m.scatter_reduce(a, 0, i, s, "prod", include_self=False), make=_zeros),
    OpCase("scatter_reduce_int_mean", lambda m, x, i, y: (m.scatter_reduce(x, 0, i, y, "mean"), m.scatter_reduce(x, 0, i, y, "amax", include_self=False)),
           make=lambda r: [r.integers(-9, 9, S), _IDX, r.integers(-9, 9, S)], grad=False),
    OpCase("scatter_reduce_legacy_names", lambda m, a, i, s: (m.scatter_reduce(a, 0, i, s, "max"), a.scatter_reduce(0, i, s, "min", include_self=False)),
           make=lambda r: [r.standard_normal(S), _IDX, r.standard_normal(S)], grad=False),
    OpCase("scatter_reduce_inplace", lambda m, a, i, s: (a * 1).scatter_reduce_(0, i, s, "sum"), make=lambda r: [r.standard_normal(S), _IDX, r.standard_normal(S)]),
    OpCase("scatter_reduce_empty_index", lambda m, a, i, s: m.scatter_reduce(a, 0, i, s, "prod"),
           make=lambda r: [r.standard_normal(S), np.zeros((0, 4), np.int64), r.standard_normal(S)], grad=False),
    # index_reduce (scatter_reduce with the index spread over each slice); put
    *[_ir(red, inc) for red in ("prod", "mean", "amax", "amin") for inc in (True, False)],
    OpCase("index_reduce_dim1_method", lambda m, a, i, s: a.index_reduce(1, i, s, "amax"), make=lambda r: [r.standard_normal(S), np.array([3, 3]), r.standard_normal((3, 2))]),
    OpCase("index_reduce_inplace", lambda m, a, i, s: (a * 1).index_reduce_(0, i, s, "mean"), make=lambda r: [r.standard_normal(S), np.array([1, 1]), r.standard_normal((2, 4))]),
    OpCase("put", lambda m, a, i, s: m.put(a, i, s), make=lambda r: [r.standard_normal(S), np.array([[0, -1], [5, 6]]), r.standard_normal((2, 2))]),
    OpCase("put_accumulate", lambda m, a, i, s: a.put(i, s, accumulate=True), make=lambda r: [r.standard_normal(S), np.array([[0, -1], [5, 5]]), r.standard_normal((2, 2))]),
    OpCase("put_inplace", lambda m, a, i, s: (a * 1).put_(i, s), make=lambda r: [r.standard_normal(S), np.array([3, 11, 0]), r.standard_normal(3)]),
    # index_copy
    OpCase("index_copy", lambda m, a, i, s: m.index_copy(a, 0, i, s), make=lambda r: [r.standard_normal(S), np.array([2, 0]), r.standard_normal((2, 4))], noncontig=True),
    OpCase("index_copy_dim1_method", lambda m, a, i, s: a.index_copy(-1, i, s), make=lambda r: [r.standard_normal(S), np.array([3, 1, 0]), r.standard_normal((3, 3))]),
    OpCase("index_copy_inplace", lambda m, a, i, s: (a * 1).index_copy_(1, i, s), make=lambda r: [r.standard_normal(S), np.array([1]), r.standard_normal((3, 1))]),
    OpCase("index_copy_0d", lambda m, a, i, s: m.index_copy(a, 0, i, s), make=lambda r: [r.standard_normal(()), np.array([0]), r.standard_normal(())]),
    # index_fill
    OpCase("index_fill", lambda m, a, i: m.index_fill(a, 1, i, -1.5), make=lambda r: [r.standard_normal(S), np.array([3, 0, 3])], noncontig=True),
    OpCase("index_fill_tensor_value", lambda m, a, v, i: a.index_fill(0, i, v), make=lambda r: [r.standard_normal(S), r.standard_normal(()), np.array([2])]),
    OpCase("index_fill_inplace", lambda m, a, i: (a * 1).index_fill_(0, i, 2.0), make=lambda r: [r.standard_normal(S), np.array([0, 1])]),
    OpCase("index_fill_int", lambda m, x, i: x.index_fill(0, i, 7), make=lambda r: [r.integers(0, 5, (4,)), np.array([1, 3])], grad=False),
    OpCase("index_fill_0d_index", lambda m, a, i: m.index_fill(a, 0, i, 0.0), make=lambda r: [r.standard_normal(S), np.array(1)]),
    # index_put method forms
    OpCase("index_put_method", lambda m, a, v, i, j: a.index_put((i, j), v), make=lambda r: [r.standard_normal(S), r.standard_normal(3), np.array([0, 2, 1]), np.array([3, 3, 0])]),
    OpCase("index_put_inplace_accumulate", lambda m, a, v, i: (a * 1).index_put_((i,), v, accumulate=True), make=lambda r: [r.standard_normal(S), r.standard_normal(4), np.array([1, 1])]),
    # masked_scatter
    OpCase("masked_scatter", lambda m, a, s, k: m.masked_scatter(a, k, s), make=lambda r: [r.standard_normal(S), r.standard_normal((4, 5)), r.random(S) > 0.5], noncontig=True),
    OpCase("masked_scatter_bcast_mask", lambda m, a, s, k: a.masked_scatter(k, s), make=lambda r: [r.standard_normal(S), r.standard_normal(S), np.array([True, False, True, True])]),
    OpCase("masked_scatter_inplace", lambda m, a, s, k: (a * 1).masked_scatter_(k, s), make=lambda r: [r.standard_normal(S), r.standard_normal(12), r.random(S) > 0.3]),
    OpCase("masked_scatter_none", lambda m, a, s, k: m.masked_scatter(a, k, s), make=lambda r: [r.standard_normal(S), r.standard_normal(2), np.zeros(S, bool)]),
    # take
    OpCase("take", lambda m, a, i: m.take(a, i), make=lambda r: [r.standard_normal(S), np.array([[0, 11], [-1, 5], [5, 5]])], noncontig=True),
    OpCase("take_0d_and_empty", lambda m, a, i, j: (a.take(i), m.take(a, j)), make=lambda r: [r.standard_normal(S), np.array(3), np.zeros(0, np.int64)]),
    # repeat_interleave
    OpCase("repeat_interleave", lambda m, a: m.repeat_interleave(a, 2), [S], noncontig=True),
    OpCase("repeat_interleave_dim", lambda m, a: a.repeat_interleave(3, dim=1), [S], noncontig=True),
    OpCase("repeat_interleave_tensor", lambda m, a, r: m.repeat_interleave(a, r, dim=0), make=lambda r: [r.standard_normal(S), np.array([2, 0, 3])]),
    OpCase("repeat_interleave_tensor_1", lambda m, a, r: a.repeat_interleave(r, dim=-1, output_size=8), make=lambda r: [r.standard_normal(S), np.array([2])]),
    OpCase("repeat_interleave_0d", lambda m, a: (m.repeat_interleave(a, 3), a.repeat_interleave(2)), [()]),
    OpCase("repeat_interleave_indices", lambda m, r: m.repeat_interleave(r), make=lambda r: [np.array([1, 0, 3, 2])], grad=False),
    OpCase("repeat_interleave_int", lambda m, x: x.repeat_interleave(2, 0), make=lambda r: [r.integers(0, 9, (2, 2))], grad=False),
]
