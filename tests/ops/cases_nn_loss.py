"""Op cases for nn/functional/loss.py and loss_class.py: every loss, every reduction and option.

Class weights and ``pos_weight``, which PyTorch does not differentiate, are constants built inside
the case (so gradcheck does not perturb them); targets that are floats are leaves and get compared
gradients too (PyTorch differentiates them).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np

import chainrule.nn.functional  # noqa: F401  (makes chainrule.nn.functional reachable as m.nn.functional)

from .harness import OpCase

F64 = ("float32", "float64")
REDS = ("mean", "sum", "none")
W5 = [0.5, 1.0, 2.0, 0.25, 1.5]  # class weights for C = 5


def _F(m):  # noqa: N802
    return m.nn.functional


def _quiet(fn):
    """A case whose call warns by design in both libraries (legacy flags, broadcasting, KL 'mean')."""

    def run(m, *a):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return fn(m, *a)

    return run


def _const(m, x, values):
    return m.tensor(np.asarray(values).tolist(), dtype=x.dtype)


def _probs(*shape):
    return lambda r: [r.uniform(0.05, 0.95, shape), r.uniform(0.0, 1.0, shape)]


def _logits_idx(n_shape, c=5, extra=(), ignore=None):
    """Logits (N, C, *extra) and class indices (N, *extra); ``ignore`` is planted at two positions."""

    def make(r):
        x = r.standard_normal((*n_shape[:1], c, *extra)) if n_shape else r.standard_normal((c,))
        t = r.integers(0, c, (*n_shape[:1], *extra)) if n_shape else np.array(r.integers(0, c))
        if ignore is not None and t.ndim:
            t.reshape(-1)[[0, -1]] = ignore
        return [x, t]

    return make


def _logits_probs(n=4, c=5, extra=()):
    def make(r):
        x = r.standard_normal((n, c, *extra))
        p = r.dirichlet(np.ones(c), (n, *extra))
        return [x, np.moveaxis(p, -1, 1)]

    return make


def _regression():
    out = []
    for red in REDS:
        out += [
            OpCase(f"mse_loss_{red}", lambda m, a, b, red=red: _F(m).mse_loss(a, b, reduction=red), [(3, 4), (3, 4)], dtypes=F64, noncontig=True),
            OpCase(f"l1_loss_{red}", lambda m, a, b, red=red: _F(m).l1_loss(a, b, reduction=red), [(3, 4), (3, 4)], dtypes=F64, noncontig=True),
            OpCase(f"smooth_l1_loss_{red}", lambda m, a, b, red=red: _F(m).smooth_l1_loss(a, b, reduction=red), [(3, 4), (3, 4)], dtypes=F64),
            OpCase(f"smooth_l1_loss_beta_{red}", lambda m, a, b, red=red: _F(m).smooth_l1_loss(a, b, reduction=red, beta=0.5), [(3, 4), (3, 4)]),
            OpCase(f"huber_loss_{red}", lambda m, a, b, red=red: _F(m).huber_loss(a, b, reduction=red), [(3, 4), (3, 4)], dtypes=F64),
            OpCase(f"huber_loss_delta_{red}", lambda m, a, b, red=red: _F(m).huber_loss(a, b, reduction=red, delta=0.6), [(3, 4), (3, 4)]),
            OpCase(f"mse_loss_weight_{red}", lambda m, a, b, w, red=red: _F(m).mse_loss(a, b, reduction=red, weight=w), [(3, 4), (3, 4), (3, 4)], domain=(0.1, 2.0)),
            OpCase(f"l1_loss_weight_{red}", lambda m, a, b, w, red=red: _F(m).l1_loss(a, b, reduction=red, weight=w), make=lambda r: [r.standard_normal((3, 4)), r.standard_normal((3, 4)), r.uniform(0.1, 2, (3, 4))]),
            OpCase(f"huber_loss_weight_{red}", lambda m, a, b, w, red=red: _F(m).huber_loss(a, b, reduction=red, weight=w), make=lambda r: [r.standard_normal((3, 4)), r.standard_normal((3, 4)), r.uniform(0.1, 2, (3, 4))]),
        ]
    return out


def _bce():
    out = []
    for red in REDS:
        out += [
            OpCase(f"bce_{red}", lambda m, p, y, red=red: _F(m).binary_cross_entropy(p, y, reduction=red), make=_probs(3, 4), dtypes=F64, atol=1e-5),
            OpCase(f"bce_weight_{red}", lambda m, p, y, red=red: _F(m).binary_cross_entropy(p, y, _const(m, p, [0.5, 1.0, 2.0, 0.1]), reduction=red), make=_probs(3, 4), atol=1e-5),
            OpCase(f"bce_logits_{red}", lambda m, z, y, red=red: _F(m).binary_cross_entropy_with_logits(z, y, reduction=red), make=lambda r: [3 * r.standard_normal((3, 4)), r.uniform(0, 1, (3, 4))], dtypes=F64, atol=1e-5),
            OpCase(
                f"bce_logits_weight_pos_weight_{red}",
                lambda m, z, y, red=red: _F(m).binary_cross_entropy_with_logits(
                    z, y, _const(m, z, [[0.5], [1.0], [2.0]]), reduction=red, pos_weight=_const(m, z, [1.0, 3.0, 0.5, 2.0])
                ),
                make=lambda r: [3 * r.standard_normal((3, 4)), r.uniform(0, 1, (3, 4))], dtypes=F64, atol=1e-5,
            ),
        ]
    return out + [
        OpCase("bce_0d", lambda m, p, y: _F(m).binary_cross_entropy(p, y), make=lambda r: [np.array(0.3), np.array(0.6)]),
        OpCase("bce_empty_sum", lambda m, p, y: _F(m).binary_cross_entropy(p, y, reduction="sum"), make=_probs(0, 3)),
        OpCase("bce_clamped_log", lambda m, p, y: _F(m).binary_cross_entropy(p, y, reduction="none"), make=lambda r: [np.array([0.0, 1.0, 1e-30, 0.5]), np.array([1.0, 0.0, 1.0, 0.3])], dtypes=F64, gradcheck=False),
        OpCase("bce_logits_extreme", lambda m, z, y: _F(m).binary_cross_entropy_with_logits(z, y, reduction="none"), make=lambda r: [np.array([1e4, -1e4, 1e4, -1e4, 40.0, -40.0]), np.array([0.0, 1.0, 1.0, 0.0, 0.3, 0.7])], dtypes=F64, gradcheck=False),
        OpCase("bce_logits_extreme_pos_weight", lambda m, z, y: _F(m).binary_cross_entropy_with_logits(z, y, reduction="none", pos_weight=_const(m, z, [2.0])), make=lambda r: [np.array([1e4, -1e4, 1e4, -1e4]), np.array([0.0, 1.0, 1.0, 0.5])], dtypes=F64, gradcheck=False),
        OpCase("bce_logits_0d", lambda m, z, y: _F(m).binary_cross_entropy_with_logits(z, y), make=lambda r: [np.array(0.7), np.array(0.2)]),
    ]


def _ce_class():
    out = []
    opts = itertools.product(REDS, (0.0, 0.25), (False, True), (-100, 2))
    for red, eps, weighted, ii in opts:
        tag = f"{red}_ls{eps}{'_w' if weighted else ''}{'_ii2' if ii == 2 else ''}"

        def fn(m, x, t, red=red, eps=eps, weighted=weighted, ii=ii):
            w = _const(m, x, W5) if weighted else None
            return _F(m).cross_entropy(x, t, w, ignore_index=ii, reduction=red, label_smoothing=eps)

        ign = 2 if ii == 2 else -100
        out += [
            OpCase(f"cross_entropy_{tag}", fn, make=_logits_idx((6,), ignore=ign), dtypes=F64, atol=1e-5),
            OpCase(f"cross_entropy_kdim_{tag}", fn, make=_logits_idx((2,), extra=(3, 2), ignore=ign), atol=1e-5),
            OpCase(f"cross_entropy_unbatched_{tag}", fn, make=_logits_idx(()), atol=1e-5),
        ]
    return out + [
        OpCase("cross_entropy_default", lambda m, x, t: _F(m).cross_entropy(x, t), make=_logits_idx((4,)), noncontig=True, atol=1e-5),
        OpCase("cross_entropy_3d_kdim", lambda m, x, t: _F(m).cross_entropy(x, t), make=_logits_idx((2,), c=3, extra=(2, 2, 2)), atol=1e-5),
        OpCase("cross_entropy_uint8_target", lambda m, x, t: _F(m).cross_entropy(x, t), make=lambda r: [r.standard_normal((4, 3)), np.array([0, 2, 1, 1], np.uint8)]),
        OpCase("cross_entropy_all_ignored", lambda m, x, t: _F(m).cross_entropy(x, t), make=lambda r: [r.standard_normal((3, 4)), np.full(3, -100)], gradcheck=False),
        OpCase("cross_entropy_all_ignored_w", lambda m, x, t: _F(m).cross_entropy(x, t, _const(m, x, [1.0, 2, 3, 4])), make=lambda r: [r.standard_normal((3, 4)), np.full(3, -100)], gradcheck=False),
        OpCase("cross_entropy_empty_batch", lambda m, x, t: _F(m).cross_entropy(x, t), make=lambda r: [np.zeros((0, 3)), np.zeros(0, np.int64)], gradcheck=False),
        OpCase("cross_entropy_empty_sum", lambda m, x, t: _F(m).cross_entropy(x, t, reduction="sum"), make=lambda r: [np.zeros((0, 3)), np.zeros(0, np.int64)]),
        OpCase("cross_entropy_extreme_logits", lambda m, x, t: _F(m).cross_entropy(x, t, reduction="none"), make=lambda r: [np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 50.0], [100.0, 100.0, -100.0]]), np.array([1, 1, 2])], dtypes=F64, gradcheck=False),
        OpCase("cross_entropy_size1_class", lambda m, x, t: _F(m).cross_entropy(x, t), make=lambda r: [r.standard_normal((3, 1)), np.zeros(3, np.int64)]),
        OpCase("cross_entropy_legacy_reduce", _quiet(lambda m, x, t: _F(m).cross_entropy(x, t, size_average=False)), make=_logits_idx((4,)), atol=1e-5),
    ]


def _ce_probs():
    out = []
    for red, eps, weighted in itertools.product(REDS, (0.0, 0.3), (False, True)):
        tag = f"{red}_ls{eps}{'_w' if weighted else ''}"

        def fn(m, x, p, red=red, eps=eps, weighted=weighted):
            w = _const(m, x, W5) if weighted else None
            return _F(m).cross_entropy(x, p, w, reduction=red, label_smoothing=eps)

        out += [
            OpCase(f"cross_entropy_probs_{tag}", fn, make=_logits_probs(), dtypes=F64, atol=1e-5),
            OpCase(f"cross_entropy_probs_kdim_{tag}", fn, make=_logits_probs(2, extra=(3,)), atol=1e-5),
        ]
    return out + [
        OpCase("cross_entropy_probs_unbatched", lambda m, x, p: _F(m).cross_entropy(x, p), make=lambda r: [r.standard_normal(4), r.dirichlet(np.ones(4))]),
        OpCase("cross_entropy_probs_weight_leaf", lambda m, x, p, w: _F(m).cross_entropy(x, p, w), make=lambda r: [r.standard_normal((3, 4)), r.dirichlet(np.ones(4), 3), r.uniform(0.5, 2, 4)]),
        OpCase("cross_entropy_probs_empty", lambda m, x, p: _F(m).cross_entropy(x, p), make=lambda r: [np.zeros((0, 3)), np.zeros((0, 3))], gradcheck=False),
    ]


def _nll():
    out = []
    for red, weighted, ii in itertools.product(REDS, (False, True), (-100, 1)):
        tag = f"{red}{'_w' if weighted else ''}{'_ii1' if ii == 1 else ''}"

        def fn(m, x, t, red=red, weighted=weighted, ii=ii):
            w = _const(m, x, W5) if weighted else None
            return _F(m).nll_loss(x, t, w, ignore_index=ii, reduction=red)

        ign = 1 if ii == 1 else -100
        out += [
            OpCase(f"nll_loss_{tag}", fn, make=_logits_idx((6,), ignore=ign), dtypes=F64),
            OpCase(f"nll_loss_kdim_{tag}", fn, make=_logits_idx((2,), extra=(3, 2), ignore=ign)),
            OpCase(f"nll_loss_unbatched_{tag}", fn, make=_logits_idx(())),
        ]
    return out + [
        OpCase("nll_loss_of_log_softmax", lambda m, x, t: _F(m).nll_loss(_F(m).log_softmax(x, 1), t), make=_logits_idx((4,)), noncontig=True),
    ]


def _kl():
    pos = lambda r: [r.standard_normal((3, 4)), r.uniform(0.05, 1.0, (3, 4))]  # noqa: E731
    out = []
    for red in ("mean", "sum", "none", "batchmean"):
        out += [
            OpCase(f"kl_div_{red}", _quiet(lambda m, x, y, red=red: _F(m).kl_div(x, y, reduction=red)), make=pos, dtypes=F64),
            OpCase(f"kl_div_log_target_{red}", _quiet(lambda m, x, y, red=red: _F(m).kl_div(x, y, reduction=red, log_target=True)), [(3, 4), (3, 4)], dtypes=F64),
        ]
    return out + [
        OpCase("kl_div_broadcast", lambda m, x, y: _F(m).kl_div(x, y, reduction="sum"), make=lambda r: [r.standard_normal((3, 4)), r.uniform(0.05, 1, (4,))]),
        OpCase("kl_div_0d_batchmean", lambda m, x, y: _F(m).kl_div(x, y, reduction="batchmean"), make=lambda r: [np.array(-0.5), np.array(0.3)]),
        OpCase("kl_div_zero_target", lambda m, x, y: _F(m).kl_div(x, y.detach() * m.tensor([0.0, 1.0, 1.0]).to(y.dtype), reduction="sum"), make=lambda r: [r.standard_normal(3), r.uniform(0.1, 1, 3)], gradcheck=False),
    ]


def _misc():
    return [
        OpCase("mse_loss_broadcast", _quiet(lambda m, a, b: _F(m).mse_loss(a, b)), [(3, 1), (4,)]),
        OpCase("mse_loss_0d", lambda m, a, b: _F(m).mse_loss(a, b), [(), ()]),
        OpCase("mse_loss_empty_mean", lambda m, a, b: _F(m).mse_loss(a, b), [(0, 3), (0, 3)], gradcheck=False),
        OpCase("mse_loss_empty_sum", lambda m, a, b: _F(m).mse_loss(a, b, reduction="sum"), [(0, 3), (0, 3)]),
        OpCase("mse_loss_int_target", lambda m, a, t: _F(m).mse_loss(a, t), make=lambda r: [r.standard_normal((2, 3)), r.integers(-2, 3, (2, 3))]),
        OpCase("mse_loss_legacy_size_average", _quiet(lambda m, a, b: _F(m).mse_loss(a, b, size_average=False)), [(3, 4), (3, 4)]),
        OpCase("mse_loss_legacy_reduce", _quiet(lambda m, a, b: _F(m).mse_loss(a, b, reduce=False)), [(3, 4), (3, 4)]),
        OpCase("l1_loss_broadcast_sum", _quiet(lambda m, a, b: _F(m).l1_loss(a, b, reduction="sum")), [(2, 1, 4), (3, 1)]),
        OpCase("smooth_l1_loss_beta0", lambda m, a, b: _F(m).smooth_l1_loss(a, b, beta=0.0), [(3, 4), (3, 4)]),
        OpCase("mixed_dtype_mse", lambda m, a, b: _F(m).mse_loss(a, b.double()), [(3,), (3,)]),
    ]


CASES = [*_regression(), *_bce(), *_ce_class(), *_ce_probs(), *_nll(), *_kl(), *_misc()]
