"""Op cases for ops/combine.py: grids and products, stacking helpers, tensordot, the addmm family,
trace, cross, rot90, diff, diag_embed and tril/triu_indices (0-d, empty, broadcast, non-contiguous)."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

S = (3, 4)


def _n(*shapes):
    return lambda r: [r.standard_normal(s) for s in shapes]


def _cdist_p(p):
    return lambda m, a, b: m.cdist(a, b, p=p)


CASES = [
    # meshgrid / cartesian_prod
    OpCase("meshgrid_ij", lambda m, a, b, c: m.meshgrid(a, b, c, indexing="ij"), make=_n((3,), (4,), (2,))),
    OpCase("meshgrid_xy", lambda m, a, b, c: m.meshgrid(a, b, c, indexing="xy"), make=_n((3,), (4,), (2,))),
    OpCase("meshgrid_list_0d", lambda m, a, b: m.meshgrid([a, b], indexing="ij"), make=_n((), (4,))),
    OpCase("meshgrid_one_empty", lambda m, a, b: m.meshgrid(a, b, indexing="xy"), make=_n((3,), (0,)), gradcheck=False),
    OpCase("meshgrid_int", lambda m, x, y: m.meshgrid(x, y, indexing="ij"), make=lambda r: [np.arange(3), np.arange(2)], grad=False),
    OpCase("cartesian_prod", lambda m, a, b, c: m.cartesian_prod(a, b, c), make=_n((3,), (2,), (2,))),
    OpCase("cartesian_prod_one", lambda m, a: m.cartesian_prod(a), make=_n((3,))),
    # kron / block_diag
    OpCase("kron", lambda m, a, b: m.kron(a, b), make=_n((2, 3), (3, 2))),
    OpCase("kron_mixed_ndim", lambda m, a, b: a.kron(b), make=_n((2,), (2, 3, 1))),
    OpCase("kron_0d", lambda m, a, b: m.kron(a, b), make=_n((), (3,))),
    OpCase("kron_noncontig", lambda m, a, b: m.kron(a, b), make=_n(S, (2, 2)), noncontig=True),
    OpCase("block_diag", lambda m, a, b, c, d: m.block_diag(a, b, c, d), make=_n((2, 3), (), (4,), (1, 2))),
    OpCase("block_diag_empty_block", lambda m, a, b: m.block_diag(a, b), make=_n((2, 0), (2, 2))),
    OpCase("block_diag_mixed_dtype", lambda m, a, x: m.block_diag(a, x), make=lambda r: [r.standard_normal((2, 2)), np.array([[1, 2]])]),
    # atleast / stacking
    OpCase("atleast_1d", lambda m, a, b: (m.atleast_1d(a), m.atleast_1d(a, b)), make=_n((), (2, 3))),
    OpCase("atleast_2d", lambda m, a, b, c: m.atleast_2d((a, b, c)), make=_n((), (3,), (2, 3, 1))),
    OpCase("atleast_3d", lambda m, a, b, c, d: (m.atleast_3d(a, b, c, d), m.atleast_3d(b)), make=_n((), (3,), (2, 3), (1, 2, 3, 1))),
    OpCase("dstack", lambda m, a, b: m.dstack([a, b]), make=_n((2, 3), (2, 3, 2))),
    OpCase("dstack_1d", lambda m, a, b: m.dstack((a, b)), make=_n((3,), (3,))),
    OpCase("column_stack", lambda m, a, b, c: m.column_stack([a, b, c]), make=_n((3,), (3, 2), (3,))),
    OpCase("column_stack_0d", lambda m, a, b: m.column_stack([a, b]), make=_n((), ())),
    # tensordot
    OpCase("tensordot", lambda m, a, b: m.tensordot(a, b), make=_n((2, 3, 4), (3, 4, 5))),
    OpCase("tensordot_lists", lambda m, a, b: m.tensordot(a, b, dims=([0, 2], [2, 0])), make=_n((2, 3, 4), (4, 5, 2)), noncontig=True),
    OpCase("tensordot_int0_1", lambda m, a, b: (m.tensordot(a, b, 0), m.tensordot(a, b.t(), 1)), make=_n((2, 3), (2, 3))),
    OpCase("tensordot_empty", lambda m, a, b: m.tensordot(a, b, 1), make=_n((2, 0), (0, 3)), gradcheck=False),
    # addmm family
    OpCase("addmm", lambda m, c, a, b: m.addmm(c, a, b), make=_n((2, 4), (2, 3), (3, 4)), noncontig=True),
    OpCase("addmm_bcast_scaled", lambda m, c, a, b: c.addmm(a, b, beta=0.5, alpha=-2.0), make=_n((4,), (2, 3), (3, 4))),
    OpCase("addmm_beta0_ignores_nan", lambda m, c, a, b: m.addmm(c * float("nan"), a, b, beta=0), make=_n((2, 4), (2, 3), (3, 4)), grad=False),
    OpCase("addmv", lambda m, c, a, v: m.addmv(c, a, v, alpha=3.0), make=_n((2,), (2, 3), (3,))),
    OpCase("addmv_0d_input", lambda m, c, a, v: c.addmv(a, v, beta=2.0), make=_n((), (2, 3), (3,))),
    OpCase("addbmm", lambda m, c, a, b: m.addbmm(c, a, b, beta=0.5), make=_n((2, 4), (5, 2, 3), (5, 3, 4))),
    OpCase("baddbmm", lambda m, c, a, b: m.baddbmm(c, a, b, alpha=0.5), make=_n((5, 2, 4), (5, 2, 3), (5, 3, 4))),
    OpCase("baddbmm_bcast", lambda m, c, a, b: c.baddbmm(a, b), make=_n((1, 4), (5, 2, 3), (5, 3, 4))),
    OpCase("addmm_inplace", lambda m, c, a, b: (c * 1).addmm_(a, b), make=_n((2, 4), (2, 3), (3, 4))),
    OpCase("baddbmm_inplace", lambda m, c, a, b: (c * 1).baddbmm_(a, b, beta=2.0), make=_n((5, 2, 4), (5, 2, 3), (5, 3, 4))),
    OpCase("addbmm_inplace", lambda m, c, a, b: (c * 1).addbmm_(a, b), make=_n((2, 4), (5, 2, 3), (5, 3, 4))),
    OpCase("addmv_inplace", lambda m, c, a, v: (c * 1).addmv_(a, v), make=_n((2,), (2, 3), (3,))),
    # trace / cross / rot90 / diff / diag_embed
    OpCase("trace", lambda m, a: m.trace(a), [S], noncontig=True),
    OpCase("trace_method_empty", lambda m, a: a.trace(), [(0, 3)], gradcheck=False),
    OpCase("trace_int", lambda m, x: m.trace(x), make=lambda r: [r.integers(-5, 5, S)], grad=False),
    OpCase("cross", lambda m, a, b: m.cross(a, b, dim=1), make=_n((4, 3), (4, 3)), noncontig=True),
    OpCase("cross_default_dim_bcast", lambda m, a, b: m.cross(a, b, 0), make=_n((3, 1, 2), (3, 4, 2))),
    OpCase("cross_method_negdim", lambda m, a, b: a.cross(b, dim=-1), make=_n((2, 3), (1, 3))),
    OpCase("rot90", lambda m, a: (m.rot90(a), m.rot90(a, 2), m.rot90(a, -1), m.rot90(a, 4)), [S], noncontig=True),
    OpCase("rot90_dims", lambda m, a: a.rot90(1, [2, 0]), [(2, 3, 4)]),
    OpCase("diff", lambda m, a: m.diff(a), [S], noncontig=True),
    OpCase("diff_n2_dim0", lambda m, a: a.diff(n=2, dim=0), [(5, 3)]),
    OpCase("diff_prepend_append", lambda m, a, p, q: m.diff(a, 1, 1, prepend=p, append=q), make=_n(S, (3, 1), (3, 2))),
    OpCase("diff_n_too_large", lambda m, a: m.diff(a, n=5), [(2, 3)], gradcheck=False),
    OpCase("diff_bool_int", lambda m, x, k: (m.diff(x), m.diff(k)), make=lambda r: [r.integers(-5, 5, (6,)), r.random(6) > 0.5], grad=False),
    OpCase("diag_embed", lambda m, a: m.diag_embed(a), [S], noncontig=True),
    OpCase("diag_embed_offset_dims", lambda m, a: a.diag_embed(offset=-1, dim1=0, dim2=2), [(2, 3)]),
    OpCase("diag_embed_pos_offset", lambda m, a: m.diag_embed(a, 2, 1, 0), [(3,)]),
    # cdist
    OpCase("cdist", lambda m, a, b: m.cdist(a, b), make=_n((4, 3), (5, 3)), noncontig=True, dtypes=("float32", "float64")),
    *[OpCase(f"cdist_p{p}", _cdist_p(p), make=_n((2, 4, 3), (2, 5, 3))) for p in (1.0, 3.0, 0.5, float("inf"))],
    OpCase("cdist_p0", lambda m, a, b: m.cdist(a, b, p=0), make=lambda r: [np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([[1.0, 0.0], [0.0, 0.0], [3.0, 2.0]])]),
    OpCase("cdist_batch_bcast", lambda m, a, b: m.cdist(a, b), make=_n((2, 1, 4, 3), (3, 5, 3))),
    OpCase("cdist_zero_distance", lambda m, a: m.cdist(a, a.detach() * 1.0), make=_n((3, 2)), gradcheck=False),
    OpCase("cdist_empty", lambda m, a, b: m.cdist(a, b), make=_n((0, 3), (2, 3)), gradcheck=False),
    # index helpers
    OpCase("tril_triu_indices", lambda m: (m.tril_indices(3, 4), m.triu_indices(4, 3, 1), m.tril_indices(3, 3, -1, dtype=m.int32), m.triu_indices(0, 3)), make=lambda r: [], grad=False),
]
