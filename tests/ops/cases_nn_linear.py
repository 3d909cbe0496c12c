"""Op cases for nn/functional/linear.py: linear, bilinear, dropout (deterministic settings), embedding, pad.

Dropout draws differ from PyTorch's generator, so only its deterministic settings (eval, p=0, p=1) are
compared here; its statistics are tested in tests/nn/test_linear_activation.py.
"""

from __future__ import annotations

import numpy as np

import chainrule.nn.functional  # noqa: F401  (makes chainrule.nn.functional reachable as m.nn.functional)

from .harness import OpCase

F64 = ("float32", "float64")


def _F(m):  # noqa: N802
    return m.nn.functional


def _emb(rows=6, dim=3, idx_shape=(2, 4), lo=0):
    def make(rng):
        idx = rng.integers(lo, rows, idx_shape)
        idx.reshape(-1)[:2] = [1, 1]  # a repeated row, so gradients accumulate
        return [rng.standard_normal((rows, dim)), idx]

    return make


def _pad(name, shape, pad, mode="constant", **kw):
    return OpCase(
        f"pad_{name}", lambda m, x: _F(m).pad(x, pad, mode=mode, **kw), [shape], dtypes=F64, noncontig=len(shape) >= 2
    )


CASES = [
    # linear: 2-D, N-D (one GEMM over flattened leading dims), 1-D, no bias, zero-size batch, broadcast bias
    OpCase("linear", lambda m, x, w, b: _F(m).linear(x, w, b), [(5, 4), (3, 4), (3,)], noncontig=True, dtypes=F64, atol=1e-5),
    OpCase("linear_3d", lambda m, x, w, b: _F(m).linear(x, w, b), [(2, 5, 4), (3, 4), (3,)], noncontig=True, atol=1e-5),
    OpCase("linear_4d", lambda m, x, w, b: _F(m).linear(x, w, b), [(2, 2, 3, 4), (6, 4), (6,)], atol=1e-5),
    OpCase("linear_1d", lambda m, x, w, b: _F(m).linear(x, w, b), [(4,), (3, 4), (3,)]),
    OpCase("linear_nobias", lambda m, x, w: _F(m).linear(x, w), [(5, 4), (3, 4)], noncontig=True),
    OpCase("linear_bias_kw", lambda m, x, w, b: _F(m).linear(x, w, bias=b), [(5, 4), (3, 4), (1,)]),
    OpCase("linear_empty_batch", lambda m, x, w, b: _F(m).linear(x, w, b), [(0, 4), (3, 4), (3,)]),
    OpCase("linear_size1", lambda m, x, w, b: _F(m).linear(x, w, b), [(1, 1), (1, 1), (1,)]),
    OpCase("linear_x_only", lambda m, x: _F(m).linear(x, m.ones(3, 4, dtype=x.dtype)), [(5, 4)]),
    # bilinear
    OpCase("bilinear", lambda m, a, b, w, c: _F(m).bilinear(a, b, w, c), [(4, 2), (4, 3), (5, 2, 3), (5,)], dtypes=F64, atol=1e-5),
    OpCase("bilinear_nobias_3d", lambda m, a, b, w: _F(m).bilinear(a, b, w), [(2, 4, 2), (2, 4, 3), (5, 2, 3)], atol=1e-5),
    # dropout: the deterministic settings
    OpCase("dropout_eval", lambda m, x: _F(m).dropout(x, 0.5, training=False), [(3, 4)]),
    OpCase("dropout_p0", lambda m, x: _F(m).dropout(x, p=0.0), [(3, 4)], noncontig=True),
    OpCase("dropout_p1", lambda m, x: _F(m).dropout(x, p=1.0), [(3, 4)]),
    OpCase("dropout_inplace_eval", lambda m, x: _F(m).dropout(x * 1, 0.3, False, True), [(3, 4)]),
    OpCase("dropout1d_p0", lambda m, x: _F(m).dropout1d(x, p=0.0), [(2, 3, 4)]),
    OpCase("dropout2d_p1", lambda m, x: _F(m).dropout2d(x, p=1.0), [(2, 3, 2, 2)]),
    OpCase("dropout3d_eval", lambda m, x: _F(m).dropout3d(x, 0.5, False), [(2, 3, 2, 2, 2)]),
    OpCase("alpha_dropout_eval", lambda m, x: _F(m).alpha_dropout(x, 0.5, False), [(3, 4)]),
    OpCase("feature_alpha_dropout_eval", lambda m, x: _F(m).feature_alpha_dropout(x, 0.2), [(2, 3, 4)]),
    # embedding (indices are an int input; weight is the leaf)
    OpCase("embedding", lambda m, w, i: _F(m).embedding(i, w), make=_emb(), dtypes=F64),
    OpCase("embedding_1d_idx", lambda m, w, i: _F(m).embedding(i, w), make=_emb(idx_shape=(5,))),
    OpCase("embedding_0d_idx", lambda m, w, i: _F(m).embedding(i, w), make=lambda r: [r.standard_normal((4, 3)), np.array(2)]),
    OpCase("embedding_empty_idx", lambda m, w, i: _F(m).embedding(i, w), make=lambda r: [r.standard_normal((4, 3)), np.zeros((0,), np.int64)]),
    OpCase("embedding_int32_idx", lambda m, w, i: _F(m).embedding(i, w), make=lambda r: [r.standard_normal((4, 3)), np.array([[0, 3], [3, 1]], np.int32)]),
    OpCase("embedding_padding_idx", lambda m, w, i: _F(m).embedding(i, w, padding_idx=1), make=_emb(), gradcheck=False),  # no grad to that row by design
    OpCase("embedding_padding_idx_neg", lambda m, w, i: _F(m).embedding(i, w, padding_idx=-1), make=_emb(), gradcheck=False),
    OpCase("embedding_scale_grad_by_freq", lambda m, w, i: _F(m).embedding(i, w, scale_grad_by_freq=True), make=_emb(idx_shape=(3, 5)), gradcheck=False),  # scaled on purpose
    OpCase("embedding_max_norm", lambda m, w, i: _F(m).embedding(i, w * 1, max_norm=1.0), make=_emb(), gradcheck=False),
    OpCase("embedding_max_norm_p1", lambda m, w, i: _F(m).embedding(i, w * 1, max_norm=0.5, norm_type=1.0), make=_emb(), gradcheck=False),
    OpCase("embedding_sparse_flag", lambda m, w, i: _F(m).embedding(i, w, sparse=False), make=_emb()),
    # pad: constant (also negative = crop, value), reflect, replicate, circular in 1/2/3 dims
    _pad("const_1d", (5,), (1, 2)),
    _pad("const_value", (2, 3), (1, 2), value=1.5),
    _pad("const_two_dims", (2, 3, 4), (1, 0, 2, 1)),
    _pad("const_all_dims", (2, 3, 4), (1, 1, 0, 2, 1, 0)),
    _pad("const_crop", (3, 5), (-1, 2, 1, -2)),
    _pad("const_crop_to_zero", (3, 2), (-1, -1)),
    _pad("const_zero_size", (0, 3), (1, 1)),
    _pad("const_empty_pad", (2, 3), ()),
    _pad("reflect_1d", (2, 5), (2, 3), "reflect"),
    _pad("reflect_batched", (2, 3, 5), (4, 1), "reflect"),
    _pad("reflect_2d", (2, 3, 4, 5), (1, 2, 3, 1), "reflect"),
    _pad("reflect_3d", (1, 2, 3, 4, 5), (1, 1, 2, 0, 1, 2), "reflect"),
    _pad("reflect_crop", (2, 5), (-1, 2), "reflect"),
    _pad("replicate_1d", (2, 4), (3, 2), "replicate"),
    _pad("replicate_2d", (3, 4, 5), (2, 1, 1, 3), "replicate"),
    _pad("replicate_3d", (2, 3, 2, 3), (1, 1, 2, 0, 1, 2), "replicate"),
    _pad("replicate_crop", (2, 5), (2, -1), "replicate"),
    _pad("circular_1d", (2, 5), (3, 2), "circular"),
    _pad("circular_2d", (2, 3, 4, 5), (1, 4, 3, 2), "circular"),
    _pad("circular_3d", (2, 2, 3, 3), (1, 1, 2, 0, 1, 2), "circular"),
    _pad("circular_crop", (2, 5), (-1, 2), "circular"),
    _pad("circular_crop_left", (2, 5), (2, -1), "circular"),
]
