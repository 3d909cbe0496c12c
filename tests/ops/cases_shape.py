"""Op cases for ops/shape.py: views, joins, splits, flips, triangles; 0-d, size-1, zero-size, non-contiguous."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

S = (3, 4)
S3 = (2, 3, 4)


def _ints(r):
    return [r.standard_normal(S), r.integers(0, 5, S)]


# gradcheck=False on zero-size cases: autograd.gradcheck rejects empty inputs/outputs for now;
# parity with torch still checks their forward and (empty) gradients.
CASES = [
    # reshape / view family
    OpCase("reshape", lambda m, a: m.reshape(a, (4, 3)), [S], noncontig=True),
    OpCase("reshape_infer", lambda m, a: a.reshape(2, -1, 2), [S], noncontig=True),
    OpCase("reshape_0d", lambda m, a: a.reshape(1, 1) * 2, [()]),
    OpCase("reshape_to_0d", lambda m, a: a.reshape(()), [(1,)]),
    OpCase("reshape_zero_size", lambda m, a: a.reshape(-1, 2), [(0, 4)], gradcheck=False),
    OpCase("view", lambda m, a: a.view(12), [S]),
    OpCase("view_list", lambda m, a: a.view([2, 6]), [S]),
    OpCase("view_as", lambda m, a, b: a.view_as(b), [S, (6, 2)]),
    OpCase("reshape_as", lambda m, a, b: a.reshape_as(b) * b, [S, (2, 6)], noncontig=True),
    OpCase("flatten", lambda m, a: m.flatten(a), [S3], noncontig=True),
    OpCase("flatten_range", lambda m, a: a.flatten(1, -1), [S3]),
    OpCase("flatten_same", lambda m, a: a.flatten(1, 1), [S3]),
    OpCase("flatten_0d", lambda m, a: a.flatten(), [()]),
    OpCase("unflatten", lambda m, a: m.unflatten(a, 2, (2, -1)), [S3]),
    OpCase("unflatten_neg", lambda m, a: a.unflatten(-1, (1, 4)), [S]),
    OpCase("squeeze_all", lambda m, a: m.squeeze(a), [(1, 3, 1, 2)]),
    OpCase("squeeze_dim", lambda m, a: a.squeeze(-2), [(1, 3, 1, 2)]),
    OpCase("squeeze_non1_noop", lambda m, a: a.squeeze(1), [(1, 3, 1, 2)]),
    OpCase("squeeze_tuple", lambda m, a: a.squeeze((0, 2, 3)), [(1, 3, 1, 2)]),
    OpCase("squeeze_0d", lambda m, a: a.squeeze(0), [()]),
    OpCase("unsqueeze", lambda m, a: m.unsqueeze(a, 1), [S], noncontig=True),
    OpCase("unsqueeze_end", lambda m, a: a.unsqueeze(-1), [S]),
    OpCase("unsqueeze_0d", lambda m, a: a.unsqueeze(0), [()]),
    # permutations
    OpCase("permute", lambda m, a: m.permute(a, (2, 0, 1)), [S3]),
    OpCase("permute_varargs", lambda m, a: a.permute(-1, 0, 1), [S3], noncontig=True),
    OpCase("permute_0d", lambda m, a: a.permute(()), [()]),
    OpCase("transpose", lambda m, a: m.transpose(a, 0, 2), [S3], noncontig=True),
    OpCase("transpose_neg", lambda m, a: a.transpose(-1, -2), [S3]),
    OpCase("transpose_same", lambda m, a: a.transpose(1, 1), [S]),
    OpCase("swapaxes", lambda m, a: m.swapaxes(a, 0, 1), [S]),
    OpCase("swapdims", lambda m, a: a.swapdims(1, 2), [S3]),
    OpCase("t", lambda m, a: m.t(a), [S], noncontig=True),
    OpCase("t_1d", lambda m, a: a.t(), [(4,)]),
    OpCase("T_property", lambda m, a: a.T, [S]),
    OpCase("mT_property", lambda m, a: a.mT, [S3]),
    OpCase("movedim", lambda m, a: m.movedim(a, 0, -1), [S3]),
    OpCase("movedim_multi", lambda m, a: a.movedim((0, 1), (2, 0)), [S3]),
    OpCase("moveaxis", lambda m, a: m.moveaxis(a, [2], [0]), [S3]),
    # broadcasting views and tiling
    OpCase("expand", lambda m, a: a.expand(2, 3, 4), [(3, 1)]),
    OpCase("expand_keep", lambda m, a: m.ones(1).expand(4) * a.expand(-1, 4), [(3, 1)]),
    OpCase("expand_same", lambda m, a: a.expand(3, 4), [S]),
    OpCase("expand_0d", lambda m, a: a.expand(2, 2), [()]),
    OpCase("expand_zero", lambda m, a: a.expand(0, 4), [(1, 4)], gradcheck=False),
    OpCase("expand_as", lambda m, a, b: a.expand_as(b) * b, [(4,), S]),
    OpCase("broadcast_to", lambda m, a: m.broadcast_to(a, (2, 3, 4)), [(1, 4)], noncontig=True),
    OpCase("repeat", lambda m, a: a.repeat(2, 3), [S], noncontig=True),
    OpCase("repeat_lead", lambda m, a: a.repeat(2, 1, 2), [S]),
    OpCase("repeat_zero", lambda m, a: a.repeat(0, 2), [S], gradcheck=False),
    OpCase("repeat_0d", lambda m, a: a.repeat(3), [()]),
    OpCase("tile", lambda m, a: m.tile(a, (2,)), [S]),
    OpCase("tile_more", lambda m, a: a.tile((2, 1, 2)), [S]),
    # joining
    OpCase("cat", lambda m, a, b: m.cat([a, b]), [S, (2, 4)], noncontig=True),
    OpCase("cat_dim", lambda m, a, b: m.cat((a, b), dim=-1), [S, (3, 1)]),
    OpCase("cat_zero_size", lambda m, a, b: m.cat((a, b), dim=-1), [S, (3, 0)], gradcheck=False),
    OpCase("cat_single", lambda m, a: m.cat([a], 1), [S]),
    OpCase("cat_skip_empty", lambda m, a, b, c: m.cat([b, a, b, c], 1), [S, (0,), S], gradcheck=False),  # zero-size: see note
    OpCase("cat_1d_empty", lambda m, a, b: m.cat([a, b]), [(3,), (0,)], gradcheck=False),
    OpCase("cat_promote", lambda m, a, i: m.cat([a, i], 0), make=lambda r: [r.standard_normal(S), r.integers(0, 5, (2, 4))]),
    OpCase("cat_promote_double", lambda m, a: m.cat([a, a.double()]), [S]),
    OpCase("cat_int", lambda m, i, j: m.cat([i, j], 1), make=lambda r: [r.integers(0, 5, S), r.integers(0, 5, (3, 2))], grad=False),
    OpCase("concat", lambda m, a, b: m.concat([a, b], 1), [S, S]),
    OpCase("concatenate", lambda m, a, b: m.concatenate([a, b], dim=0), [(2,), (3,)]),
    OpCase("stack", lambda m, a, b: m.stack([a, b]), [S, S], noncontig=True),
    OpCase("stack_last", lambda m, a, b, c: m.stack((a, b, c), dim=-1), [S, S, S]),
    OpCase("stack_0d", lambda m, a, b: m.stack([a, b]), [(), ()]),
    OpCase("stack_promote", lambda m, a, i: m.stack([a, i], 1), make=lambda r: [r.standard_normal(S), r.integers(0, 5, S)]),
    OpCase("hstack", lambda m, a, b: m.hstack([a, b]), [S, (3, 2)]),
    OpCase("hstack_1d", lambda m, a, b: m.hstack((a, b)), [(3,), ()]),
    OpCase("vstack", lambda m, a, b: m.vstack([a, b]), [(4,), S]),
    # splitting
    OpCase("split", lambda m, a: m.split(a, 2), [(5, 3)], noncontig=True),
    OpCase("split_sections", lambda m, a: a.split([1, 0, 3], dim=1), [S]),
    OpCase("split_unused", lambda m, a: a.split(2, -1)[1] * 3, [S]),
    OpCase("split_big", lambda m, a: a.split(10), [S]),
    OpCase("split_zero_size", lambda m, a: a.split(2), [(0, 3)], gradcheck=False),
    OpCase("chunk", lambda m, a: m.chunk(a, 3, 1), [(2, 7)]),
    OpCase("chunk_fewer", lambda m, a: a.chunk(4), [(6, 2)]),
    OpCase("unbind", lambda m, a: m.unbind(a), [S], noncontig=True),
    OpCase("unbind_dim", lambda m, a: a.unbind(-1), [S3]),
    OpCase("unbind_one", lambda m, a: a.unbind(0)[1] * 2, [S]),
    OpCase("iter", lambda m, a: list(a), [S]),
    OpCase("narrow", lambda m, a: m.narrow(a, 1, 1, 2), [S], noncontig=True),
    OpCase("narrow_neg_start", lambda m, a: a.narrow(0, -2, 2), [S]),
    OpCase("narrow_empty", lambda m, a: a.narrow(1, 4, 0), [S]),
    # flips and rolls
    OpCase("flip", lambda m, a: m.flip(a, (0, 2)), [S3], noncontig=True),
    OpCase("flip_varargs", lambda m, a: a.flip(-1), [S]),
    OpCase("flip_0d", lambda m, a: a.flip(()), [()]),
    OpCase("fliplr", lambda m, a: m.fliplr(a), [S]),
    OpCase("flipud", lambda m, a: a.flipud(), [(4,)]),
    OpCase("roll", lambda m, a: m.roll(a, 1, 0), [S], noncontig=True),
    OpCase("roll_multi", lambda m, a: a.roll((1, -3), (0, 1)), [S]),
    OpCase("roll_flat", lambda m, a: a.roll(5), [S]),
    OpCase("roll_int", lambda m, a, i: m.roll(i, -1, 1), make=_ints, grad=False),
    # triangles and diagonals
    OpCase("tril", lambda m, a: m.tril(a), [S], noncontig=True),
    OpCase("tril_k", lambda m, a: a.tril(-1), [S3]),
    OpCase("triu", lambda m, a: m.triu(a, 1), [S], noncontig=True),
    OpCase("triu_batched", lambda m, a: a.triu(-2), [S3]),
    OpCase("diagonal", lambda m, a: m.diagonal(a), [S], noncontig=True),
    OpCase("diagonal_offset", lambda m, a: a.diagonal(1), [S]),
    OpCase("diagonal_neg_offset", lambda m, a: a.diagonal(-1, 1, 0), [S]),
    OpCase("diagonal_dims", lambda m, a: a.diagonal(0, -1, 0), [S3], noncontig=True),
    OpCase("diagonal_out_of_range", lambda m, a: a.diagonal(7), [S]),
    OpCase("diag_1d", lambda m, a: m.diag(a), [(4,)]),
    OpCase("diag_1d_k", lambda m, a: a.diag(-2), [(3,)]),
    OpCase("diag_2d", lambda m, a: m.diag(a, 1), [S], noncontig=True),
    OpCase("diag_2d_neg", lambda m, a: a.diag(-1), [S]),
    # views see writes through the base, and backward through in-place ops on them
    OpCase("view_inplace_write", lambda m, a: (lambda c: (c.view(-1)[1:3].mul_(2), c)[1])(a.detach().clone()), [S], grad=False),
    OpCase("diagonal_inplace", lambda m, a: (lambda c: (c.diagonal().zero_(), c)[1])(a.detach().clone()), [S], grad=False),
    OpCase("int_view_ops", lambda m, a, i: i.reshape(4, 3).t().unsqueeze(0).flip(1), make=_ints, grad=False),
]

_ = np  # (numpy is used by `make` helpers above)
