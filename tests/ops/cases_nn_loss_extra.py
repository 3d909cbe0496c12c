"""Op cases for nn/functional/loss_embedding.py, loss_margin.py and ctc.py: distances, ranking and
embedding losses, multi-class margin losses, Poisson/Gaussian likelihoods and CTC, every reduction.

Targets PyTorch does not differentiate are integers or constants built inside the case; float targets
it does differentiate (margin ranking, multilabel soft margin, Poisson, Gaussian) are leaves.
"""

from __future__ import annotations

import numpy as np

import chainrule.nn.functional  # noqa: F401  (makes chainrule.nn.functional reachable as m.nn.functional)

from .harness import OpCase

F64 = ("float32", "float64")
REDS = ("mean", "sum", "none")


def _F(m):  # noqa: N802
    return m.nn.functional


def _signs(r, shape):
    return np.where(r.random(shape) < 0.5, -1.0, 1.0)


def _distances():
    return [
        OpCase("cosine_similarity", lambda m, a, b: _F(m).cosine_similarity(a, b), [(3, 4), (3, 4)], dtypes=F64, noncontig=True),
        OpCase("cosine_similarity_dim0_3d", lambda m, a, b: _F(m).cosine_similarity(a, b, dim=0), [(4, 2, 3), (4, 2, 3)]),
        OpCase("cosine_similarity_broadcast", lambda m, a, b: _F(m).cosine_similarity(a, b, dim=-1), [(3, 1, 4), (5, 4)]),
        OpCase("cosine_similarity_1d", lambda m, a, b: _F(m).cosine_similarity(a, b, dim=0), [(6,), (6,)]),
        OpCase("pairwise_distance", lambda m, a, b: _F(m).pairwise_distance(a, b), [(4, 5), (4, 5)], dtypes=F64),
        OpCase("pairwise_distance_p1_keepdim", lambda m, a, b: _F(m).pairwise_distance(a, b, p=1, keepdim=True), [(4, 5), (4, 5)]),
        OpCase("pairwise_distance_p3_broadcast", lambda m, a, b: _F(m).pairwise_distance(a, b, p=3.0, eps=1e-3), [(2, 3, 4), (4,)]),
        OpCase("pairwise_distance_1d", lambda m, a, b: _F(m).pairwise_distance(a, b), [(5,), (5,)]),
    ]


def _triplets():
    out = []
    for red in REDS:
        out += [
            OpCase(f"triplet_margin_loss_{red}", lambda m, a, p, n, red=red: _F(m).triplet_margin_loss(a, p, n, reduction=red), [(6, 4)] * 3, dtypes=F64),
            OpCase(f"triplet_margin_loss_swap_p1_{red}", lambda m, a, p, n, red=red: _F(m).triplet_margin_loss(a, p, n, margin=2.0, p=1, swap=True, reduction=red), [(6, 4)] * 3),
        ]
    cos_dist = lambda m: (lambda x, y: 1 - _F(m).cosine_similarity(x, y))  # noqa: E731
    return out + [
        OpCase("triplet_margin_loss_1d", lambda m, a, p, n: _F(m).triplet_margin_loss(a, p, n, margin=3.0), [(5,)] * 3),
        OpCase("triplet_margin_with_distance_loss", lambda m, a, p, n: _F(m).triplet_margin_with_distance_loss(a, p, n), [(6, 4)] * 3),
        OpCase("triplet_margin_with_cosine_distance_swap", lambda m, a, p, n: _F(m).triplet_margin_with_distance_loss(a, p, n, distance_function=cos_dist(m), margin=0.5, swap=True, reduction="none"), [(6, 4)] * 3),
    ]


def _pairs():
    out = []
    for red in REDS:
        out += [
            OpCase(f"margin_ranking_loss_{red}", lambda m, a, b, y, red=red: _F(m).margin_ranking_loss(a, b, y, margin=0.3, reduction=red), make=lambda r: [r.standard_normal(7), r.standard_normal(7), _signs(r, 7)], dtypes=F64),
            OpCase(f"cosine_embedding_loss_{red}", lambda m, a, b, y, red=red: _F(m).cosine_embedding_loss(a, b, y, margin=-0.2, reduction=red), make=lambda r: [r.standard_normal((6, 4)), r.standard_normal((6, 4)), _signs(r, 6)], dtypes=F64),
            OpCase(f"hinge_embedding_loss_{red}", lambda m, x, y, red=red: _F(m).hinge_embedding_loss(x, y, margin=1.5, reduction=red), make=lambda r: [r.uniform(0, 2.5, (3, 5)), _signs(r, (3, 5))], dtypes=F64),
            OpCase(f"soft_margin_loss_{red}", lambda m, x, red=red: _F(m).soft_margin_loss(x, m.tensor(_signs(np.random.default_rng(3), (4, 3)), dtype=x.dtype), reduction=red), [(4, 3)], domain=(-4, 4), dtypes=F64),
        ]
    return out + [
        OpCase("cosine_embedding_loss_1d_int_target", lambda m, a, b, y: _F(m).cosine_embedding_loss(a, b, y), make=lambda r: [r.standard_normal(5), r.standard_normal(5), np.array(-1)]),
        OpCase("hinge_embedding_loss_broadcast_target", lambda m, x, y: _F(m).hinge_embedding_loss(x, y), make=lambda r: [r.uniform(0, 2, (3, 4)), _signs(r, 4).astype(np.int64)]),
        OpCase("margin_ranking_loss_2d", lambda m, a, b, y: _F(m).margin_ranking_loss(a, b, y), make=lambda r: [r.standard_normal((3, 4)), r.standard_normal((3, 4)), _signs(r, (3, 4))]),
    ]


def _multiclass():
    out = []
    idx = lambda r: [r.standard_normal((5, 4)), r.integers(0, 4, 5)]  # noqa: E731
    labels = np.array([[3, 0, -1, 1], [1, 2, 3, 0], [2, -1, 0, 0], [-1, 1, 1, 1]])
    for red in REDS:
        out += [
            OpCase(f"multi_margin_loss_{red}", lambda m, x, t, red=red: _F(m).multi_margin_loss(x, t, reduction=red), make=idx, dtypes=F64),
            OpCase(f"multi_margin_loss_p2_weight_{red}", lambda m, x, t, red=red: _F(m).multi_margin_loss(x, t, p=2, margin=0.7, weight=m.tensor([0.5, 2.0, 1.0, 1.5], dtype=x.dtype), reduction=red), make=idx),
            OpCase(f"multilabel_margin_loss_{red}", lambda m, x, t, red=red: _F(m).multilabel_margin_loss(x, t, reduction=red), make=lambda r: [r.standard_normal((4, 4)), labels], dtypes=F64),
            OpCase(f"multilabel_soft_margin_loss_{red}", lambda m, x, y, red=red: _F(m).multilabel_soft_margin_loss(x, y, reduction=red), make=lambda r: [r.standard_normal((3, 5)), r.uniform(0, 1, (3, 5))], dtypes=F64),
        ]
    return out + [
        OpCase("multi_margin_loss_1d", lambda m, x, t: _F(m).multi_margin_loss(x, t, reduction="none"), make=lambda r: [r.standard_normal(4), np.array(2)]),
        OpCase("multilabel_margin_loss_1d", lambda m, x, t: _F(m).multilabel_margin_loss(x, t, reduction="none"), make=lambda r: [r.standard_normal(5), np.array([4, 0, -1, 2, 2])]),
        OpCase("multilabel_soft_margin_loss_weight", lambda m, x, y, w: _F(m).multilabel_soft_margin_loss(x, y, weight=w), make=lambda r: [r.standard_normal((3, 5)), r.uniform(0, 1, (3, 5)), r.uniform(0.5, 2, 5)]),
    ]


def _likelihood():
    out = []
    pos = lambda r: [r.uniform(0.2, 3.0, (3, 4)), r.uniform(0.1, 5.0, (3, 4))]  # noqa: E731
    for red in REDS:
        out += [
            OpCase(f"poisson_nll_loss_{red}", lambda m, x, y, red=red: _F(m).poisson_nll_loss(x, y, reduction=red), make=lambda r: [r.standard_normal((3, 4)), r.uniform(0.1, 5, (3, 4))], dtypes=F64),
            OpCase(f"poisson_nll_loss_rate_full_{red}", lambda m, x, y, red=red: _F(m).poisson_nll_loss(x, y, log_input=False, full=True, reduction=red), make=pos, dtypes=F64),
            OpCase(f"gaussian_nll_loss_{red}", lambda m, x, y, v, red=red: _F(m).gaussian_nll_loss(x, y, v, reduction=red), make=lambda r: [*pos(r), r.uniform(0.2, 2.0, (3, 4))], dtypes=F64),
        ]
    return out + [
        OpCase("poisson_nll_loss_full_log_input", lambda m, x, y: _F(m).poisson_nll_loss(x, y, full=True), make=lambda r: [r.standard_normal((5,)), np.array([0.5, 0.9, 1.5, 3.0, 7.0])]),
        OpCase("gaussian_nll_loss_var_drops_last_dim_full", lambda m, x, y, v: _F(m).gaussian_nll_loss(x, y, v, full=True), make=lambda r: [*pos(r), r.uniform(0.2, 2.0, (3,))]),
        OpCase("gaussian_nll_loss_var_size1_dim", lambda m, x, y, v: _F(m).gaussian_nll_loss(x, y, v, reduction="sum"), make=lambda r: [*pos(r), r.uniform(0.2, 2.0, (3, 1))]),
        OpCase("gaussian_nll_loss_var_float", lambda m, x, y: _F(m).gaussian_nll_loss(x, y, 0.7), make=pos),
        # var below eps is clamped without a gradient through the clamp: finite differences see a flat
        # function there, PyTorch's gradient (and ours) does not, so only the torch comparison applies.
        OpCase("gaussian_nll_loss_var_clamped", lambda m, x, y, v: _F(m).gaussian_nll_loss(x, y, v, eps=1e-2, reduction="none"), make=lambda r: [*pos(r), r.uniform(1e-4, 2e-2, (3, 4))], gradcheck=False, rtol=1e-4),
    ]


def _ctc_inputs(t_max=7, n=3, c=5, targets=((1, 2, 2), (3, 1), ()), il=(7, 5, 6), concat=False):
    def make(r):
        s = max(1, max(len(x) for x in targets))
        tl = np.array([len(x) for x in targets])
        tg = np.concatenate([np.array(x, np.int64) for x in targets]) if concat else np.array([list(x) + [0] * (s - len(x)) for x in targets], np.int64)
        return [r.standard_normal((t_max, n, c)), tg, np.array(il), tl]

    return make


def _ctc():
    out = []
    lsm = lambda m, x: _F(m).log_softmax(x, -1)  # noqa: E731
    for red in REDS:
        out += [
            OpCase(f"ctc_loss_{red}", lambda m, x, tg, il, tl, red=red: _F(m).ctc_loss(lsm(m, x), tg, il, tl, reduction=red), make=_ctc_inputs(), dtypes=F64, atol=1e-5, rtol=1e-4),
        ]
    impossible = _ctc_inputs(t_max=4, n=2, c=3, targets=((1, 1, 1), (2,)), il=(4, 3))
    return out + [
        OpCase("ctc_loss_concatenated_targets", lambda m, x, tg, il, tl: _F(m).ctc_loss(lsm(m, x), tg, il, tl, reduction="sum"), make=_ctc_inputs(concat=True), atol=1e-5, rtol=1e-4),
        OpCase("ctc_loss_blank_last", lambda m, x, tg, il, tl: _F(m).ctc_loss(lsm(m, x), tg, il, tl, blank=4, reduction="none"), make=_ctc_inputs(targets=((0, 1, 1), (3, 2), (0,))), atol=1e-5, rtol=1e-4),
        OpCase("ctc_loss_repeats_need_blanks", lambda m, x, tg, il, tl: _F(m).ctc_loss(lsm(m, x), tg, il, tl, reduction="none"), make=_ctc_inputs(t_max=6, n=2, targets=((2, 2, 2), (1, 1)), il=(6, 3)), dtypes=F64, atol=1e-5, rtol=1e-4),
        OpCase("ctc_loss_zero_infinity", lambda m, x, tg, il, tl: _F(m).ctc_loss(lsm(m, x), tg, il, tl, reduction="sum", zero_infinity=True), make=impossible, atol=1e-5, rtol=1e-4),
        OpCase("ctc_loss_unbatched", lambda m, x, tg, il, tl: _F(m).ctc_loss(lsm(m, x[:, 0]), tg[0], il[0], tl[0], reduction="none"), make=_ctc_inputs(), atol=1e-5, rtol=1e-4),
        # log_probs straight in (not from log_softmax): PyTorch's gradient adds exp(lp) for t < input_length (see
        # ctc.py), which is not the derivative of the loss in lp, so only the torch comparison applies.
        OpCase("ctc_loss_raw_log_probs", lambda m, x, tg, il, tl: _F(m).ctc_loss(x, tg, il, tl), make=_ctc_inputs(), gradcheck=False, atol=1e-5, rtol=1e-4),
    ]


CASES = [*_distances(), *_triplets(), *_pairs(), *_multiclass(), *_likelihood(), *_ctc()]
