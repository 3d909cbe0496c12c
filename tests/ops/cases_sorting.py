"""Op cases for ops/sorting.py: sort/argsort/msort/topk on every dim option; multinomial made deterministic."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

S = (3, 4)
S3 = (2, 3, 4)


def _distinct(shape):
    def make(rng):
        n = int(np.prod(shape))
        return [(rng.permutation(n).reshape(shape) - n / 2) * 0.5]

    return make


def _ties(rng):
    return [rng.choice([-1.0, 0.5, 2.0], size=(3, 6))]


def _nan(rng):
    a = rng.permutation(12).reshape(S) * 0.5
    a[0, 2] = a[2, 0] = np.nan
    return [a]


def _sorted_values_indices(m, r):  # topk(sorted=False) order is unspecified: sort by value first
    order = m.argsort(r.values, dim=-1)
    return m.gather(r.values, -1, order), m.gather(r.indices, -1, order)


CASES = [
    OpCase("sort", lambda m, a: m.sort(a), make=_distinct(S), noncontig=True),
    OpCase("sort_dim0", lambda m, a: m.sort(a, 0), make=_distinct(S), noncontig=True),
    OpCase("sort_descending", lambda m, a: a.sort(dim=-2, descending=True), make=_distinct(S3)),
    OpCase("sort_stable_ties", lambda m, a: m.sort(a, stable=True), make=_ties, gradcheck=False),
    OpCase("sort_stable_ties_desc", lambda m, a: m.sort(a, stable=True, dim=1, descending=True), make=_ties, gradcheck=False),
    OpCase("sort_nan", lambda m, a: m.sort(a, 1), make=_nan, gradcheck=False),
    OpCase("sort_nan_desc", lambda m, a: m.sort(a, 1, descending=True), make=_nan, gradcheck=False),
    OpCase("sort_0d", lambda m, a: m.sort(a), [()]),
    OpCase("sort_zero_size", lambda m, a: m.sort(a, 0), [(0, 3)]),
    OpCase("sort_int", lambda m, a: m.sort(a), make=lambda r: [r.permutation(12).reshape(S)], grad=False),
    OpCase("argsort", lambda m, a: m.argsort(a), make=_distinct(S), grad=False, noncontig=True),
    OpCase("argsort_desc_dim0", lambda m, a: a.argsort(0, descending=True), make=_distinct(S), grad=False),
    OpCase("argsort_stable", lambda m, a: m.argsort(a, stable=True), make=_ties, grad=False),
    OpCase("argsort_0d", lambda m, a: m.argsort(a), [()], grad=False),
    OpCase("msort", lambda m, a: m.msort(a), make=_distinct(S), noncontig=True),
    OpCase("msort_method", lambda m, a: a.msort(), make=_distinct((5,))),
    OpCase("topk", lambda m, a: m.topk(a, 2), make=_distinct(S), noncontig=True),
    OpCase("topk_dim0_smallest", lambda m, a: a.topk(2, dim=0, largest=False), make=_distinct(S3)),
    OpCase("topk_all", lambda m, a: m.topk(a, 4, -1), make=_distinct(S)),
    OpCase("topk_zero_k", lambda m, a: m.topk(a, 0), make=_distinct(S)),
    OpCase("topk_unsorted", lambda m, a: _sorted_values_indices(m, m.topk(a, 3, sorted=False)), make=_distinct(S)),
    OpCase("topk_int", lambda m, a: m.topk(a, 1), make=lambda r: [r.permutation(12).reshape(S)], grad=False),
    OpCase("topk_0d", lambda m, a: m.topk(a, 1), [()]),
    # multinomial is random: cases whose result is fixed (one-hot rows; all nonzero categories drawn)
    OpCase("multinomial_onehot", lambda m, p: m.multinomial(p.detach(), 5, replacement=True), make=lambda r: [np.eye(4)[[2, 0, 3]]], grad=False),
    OpCase("multinomial_all", lambda m, p: m.sort(m.multinomial(p.detach(), 3)).values, make=lambda r: [np.array([0.2, 0.0, 0.5, 0.3])], grad=False),
    OpCase("multinomial_method", lambda m, p: p.detach().multinomial(1), make=lambda r: [np.array([[0.0, 2.0], [3.0, 0.0]])], grad=False),
]
