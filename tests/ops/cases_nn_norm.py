"""Op cases for nn/functional/norm.py: layer_norm, rms_norm, batch_norm, group_norm, instance_norm, normalize.

Running statistics are made inside the case (constants of the input's dtype), so they are no leaves:
cases that also return them (to compare the in-place update with torch) have ``gradcheck=False``,
as the running stats depend on the input without carrying a gradient.
"""

from __future__ import annotations

import numpy as np

import chainrule.nn.functional  # noqa: F401  (makes chainrule.nn.functional reachable as m.nn.functional)

from .harness import OpCase

F64 = ("float32", "float64")


def _F(m):  # noqa: N802
    return m.nn.functional


def _stats(m, x, c):
    """Running mean/var of ``c`` channels in x's dtype (torch: fresh tensors, updated in place)."""
    mean = m.tensor(np.linspace(-0.5, 0.5, c).tolist(), dtype=x.dtype)
    var = m.tensor(np.linspace(0.5, 2.0, c).tolist(), dtype=x.dtype)
    return mean, var


def _ln(name, x, shape, w=True, b=True, **kw):
    shapes = [x] + ([shape] if w else []) + ([shape] if b else [])

    def fn(m, x, *p):
        it = iter(p)
        return _F(m).layer_norm(x, list(shape), next(it) if w else None, next(it) if b else None, **kw)

    return OpCase(name, fn, shapes, dtypes=F64, noncontig=len(x) >= 2, atol=1e-5, rtol=1e-4)


def _rms(name, x, shape, w=True, **kw):
    def fn(m, x, *p):
        return _F(m).rms_norm(x, list(shape), p[0] if w else None, **kw)

    return OpCase(name, fn, [x] + ([shape] if w else []), dtypes=F64, noncontig=len(x) >= 2, atol=1e-5, rtol=1e-4)


def _bn(name, x, training, w=True, b=True, stats=True, ret_stats=False, **kw):
    c = x[1]
    shapes = [x] + ([(c,)] if w else []) + ([(c,)] if b else [])

    def fn(m, x, *p):
        it = iter(p)
        rm, rv = _stats(m, x, c) if stats else (None, None)
        out = _F(m).batch_norm(x, rm, rv, next(it) if w else None, next(it) if b else None, training=training, **kw)
        return (out, rm, rv) if ret_stats else out

    return OpCase(name, fn, shapes, dtypes=F64, noncontig=True, atol=1e-5, rtol=1e-4, gradcheck=not ret_stats)


def _gn(name, x, groups, w=True, b=True, **kw):
    c = x[1]
    shapes = [x] + ([(c,)] if w else []) + ([(c,)] if b else [])

    def fn(m, x, *p):
        it = iter(p)
        return _F(m).group_norm(x, groups, next(it) if w else None, next(it) if b else None, **kw)

    return OpCase(name, fn, shapes, dtypes=F64, noncontig=True, atol=1e-5, rtol=1e-4)


def _in(name, x, w=False, stats=False, use_input_stats=True, ret_stats=False, **kw):
    c = x[1]
    shapes = [x] + ([(c,), (c,)] if w else [])

    def fn(m, x, *p):
        rm, rv = _stats(m, x, c) if stats else (None, None)
        out = _F(m).instance_norm(x, rm, rv, *(p or (None, None)), use_input_stats=use_input_stats, **kw)
        return (out, rm, rv) if ret_stats else out

    return OpCase(name, fn, shapes, dtypes=F64, atol=1e-5, rtol=1e-4, gradcheck=not ret_stats)


def _zero_rows(rng):
    x = rng.uniform(-2, 2, (4, 5))
    x[1] = 0.0
    return [x]


def _small_rows(rng):  # rows with norm < eps (clamped) and > eps, none near the kink
    x = rng.uniform(-1, 1, (4, 5))
    x[0] *= 0.01
    x[2] *= 0.02
    return [x]


CASES = [
    # layer_norm: one and two normalized dims, every weight/bias combination, 1-d, size-1, zero-size
    _ln("layer_norm[3x4,(4)]", (3, 4), (4,)),
    _ln("layer_norm[2x3x4,(3,4)]", (2, 3, 4), (3, 4)),
    _ln("layer_norm_no_affine", (2, 3, 5), (5,), w=False, b=False),
    _ln("layer_norm_weight_only", (4, 6), (6,), b=False, eps=1e-3),
    _ln("layer_norm_bias_only", (4, 6), (6,), w=False),
    _ln("layer_norm_1d", (7,), (7,)),
    _ln("layer_norm_whole[2x3]", (2, 3), (2, 3)),
    _ln("layer_norm_size1_dim", (3, 1), (1,)),
    _ln("layer_norm_zero_batch", (0, 4), (4,)),
    # rms_norm: eps=None (finfo eps) and explicit eps
    _rms("rms_norm[3x4,(4)]", (3, 4), (4,)),
    _rms("rms_norm[2x3x4,(3,4)]", (2, 3, 4), (3, 4), eps=1e-4),
    _rms("rms_norm_no_weight", (5, 3), (3,), w=False),
    _rms("rms_norm_1d", (6,), (6,), eps=0.1),
    _rms("rms_norm_zero_batch", (0, 3), (3,)),
    # batch_norm: training (batch stats, running stats updated) and eval (running stats)
    _bn("batch_norm_train[4x3]", (4, 3), True),
    _bn("batch_norm_train[4x3x5]", (4, 3, 5), True, w=False, b=False, eps=1e-3),
    _bn("batch_norm_train[2x3x4x5]", (2, 3, 4, 5), True),
    _bn("batch_norm_train_weight_only", (3, 2, 4), True, b=False),
    _bn("batch_norm_train_bias_only", (3, 2, 4), True, w=False),
    _bn("batch_norm_train_no_stats", (5, 3), True, stats=False),
    _bn("batch_norm_train_stats[4x3]", (4, 3), True, ret_stats=True, momentum=0.3),
    _bn("batch_norm_train_stats[2x3x2x2]", (2, 3, 2, 2), True, ret_stats=True),
    _bn("batch_norm_train_5d", (2, 2, 2, 3, 2), True),
    _bn("batch_norm_train_one_channel", (6, 1), True),
    _bn("batch_norm_eval[4x3]", (4, 3), False),
    _bn("batch_norm_eval[2x3x4x5]", (2, 3, 4, 5), False, eps=1e-2),
    _bn("batch_norm_eval_no_affine", (3, 4, 2), False, w=False, b=False, ret_stats=True),
    _bn("batch_norm_eval_weight_only", (3, 4), False, b=False),
    _bn("batch_norm_eval_zero_batch", (0, 3), False),
    _bn("batch_norm_train_zero_batch", (0, 3, 2), True, ret_stats=True),
    # group_norm: G between 1 (layer-norm like) and C (instance-norm like)
    _gn("group_norm[2x4x3,G2]", (2, 4, 3), 2),
    _gn("group_norm[2x6,G3]", (2, 6), 3),
    _gn("group_norm[2x4x3x3,G4]", (2, 4, 3, 3), 4, eps=1e-3),
    _gn("group_norm[3x4x5,G1]", (3, 4, 5), 1),
    _gn("group_norm_no_affine", (2, 6, 2, 2), 3, w=False, b=False),
    _gn("group_norm_weight_only", (2, 4, 3), 2, b=False),
    _gn("group_norm_zero_batch", (0, 4, 2), 2),
    # instance_norm
    _in("instance_norm[2x3x5]", (2, 3, 5)),
    _in("instance_norm_affine[2x3x4x4]", (2, 3, 4, 4), w=True, eps=1e-3),
    _in("instance_norm_stats", (2, 3, 5), stats=True, ret_stats=True, momentum=0.2),
    _in("instance_norm_use_running", (2, 3, 5), w=True, stats=True, use_input_stats=False),
    # normalize
    OpCase("normalize", lambda m, x: _F(m).normalize(x), [(3, 4)], dtypes=F64, noncontig=True, atol=1e-5, rtol=1e-4),
    OpCase("normalize_p1_dim-1", lambda m, x: _F(m).normalize(x, p=1.0, dim=-1), [(2, 3, 4)], atol=1e-5, rtol=1e-4),
    OpCase("normalize_p3_dim0", lambda m, x: _F(m).normalize(x, p=3, dim=0), [(3, 4)], domain=(0.2, 2.0), atol=1e-5, rtol=1e-4),
    OpCase("normalize_pinf", lambda m, x: _F(m).normalize(x, p=float("inf"), dim=1), [(3, 5)], atol=1e-5, rtol=1e-4),
    OpCase("normalize_1d", lambda m, x: _F(m).normalize(x, dim=0), [(5,)], atol=1e-5, rtol=1e-4),
    OpCase("normalize_0d", lambda m, x: _F(m).normalize(x, dim=0), [()], atol=1e-5, rtol=1e-4),
    OpCase("normalize_clamped", lambda m, x: _F(m).normalize(x, eps=0.05), make=_small_rows, atol=1e-5, rtol=1e-4),
    OpCase("normalize_zero_row", lambda m, x: _F(m).normalize(x), make=_zero_rows, gradcheck=False, atol=1e-5, rtol=1e-4),
    OpCase("normalize_zero_size", lambda m, x: _F(m).normalize(x, dim=1), [(0, 3)]),
]
