"""Op cases for ops/reduce.py: dims (negative, tuples, keepdim), 0-d, zero-size, ties, dtypes."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

S = (3, 4)
S3 = (2, 3, 4)
INF = float("inf")


def _distinct(shape):  # no ties (gaps of 0.5 so finite differences never cross an order change)
    def make(rng):
        n = int(np.prod(shape))
        return [(rng.permutation(n).reshape(shape) - n / 2) * 0.5]

    return make


def _ties(rng):
    return [rng.choice([-1.0, 0.5, 2.0], size=S)]


def _with_zeros(rng):
    a = rng.uniform(0.5, 1.5, S) * rng.choice([-1, 1], S)
    a[0, 1] = 0.0
    a[1, 0] = a[1, 2] = 0.0
    return [a]


def _with_nan(rng):
    a = rng.standard_normal(S)
    a[0, 1] = a[2, 3] = np.nan
    return [a]


def _ints(rng):
    return [rng.integers(-5, 5, S)]


def _bools(rng):
    return [rng.random(S) > 0.5]


CASES = [
    # sum
    OpCase("sum_all", lambda m, a: m.sum(a), [S], noncontig=True),
    OpCase("sum_dim", lambda m, a: m.sum(a, 1), [S], noncontig=True),
    OpCase("sum_neg_dim_keepdim", lambda m, a: a.sum(-1, keepdim=True), [S3]),
    OpCase("sum_tuple", lambda m, a: m.sum(a, (0, -1)), [S3], noncontig=True),
    OpCase("sum_empty_tuple", lambda m, a: m.sum(a, ()), [S]),
    OpCase("sum_0d", lambda m, a: m.sum(a), [()]),
    OpCase("sum_0d_dim", lambda m, a: m.sum(a, 0, keepdim=True), [()]),
    OpCase("sum_zero_size", lambda m, a: m.sum(a, 1), [(0, 3)]),
    OpCase("sum_zero_size_all", lambda m, a: m.sum(a), [(0, 3)]),
    OpCase("sum_size1", lambda m, a: m.sum(a, 1), [(3, 1)]),
    OpCase("sum_dtype", lambda m, a: m.sum(a, 0, dtype=m.float64), [S]),
    OpCase("sum_int", lambda m, a: m.sum(a, 1), make=_ints, grad=False),
    OpCase("sum_bool", lambda m, a: a.sum(), make=_bools, grad=False),
    # mean
    OpCase("mean_all", lambda m, a: m.mean(a), [S], noncontig=True),
    OpCase("mean_dim", lambda m, a: m.mean(a, -2), [S3]),
    OpCase("mean_tuple_keepdim", lambda m, a: a.mean((0, 2), keepdim=True), [S3]),
    OpCase("mean_0d", lambda m, a: m.mean(a), [()]),
    OpCase("mean_zero_size", lambda m, a: m.mean(a, 0), [(0, 3)]),
    OpCase("mean_dtype", lambda m, a: m.mean(a, 1, dtype=m.float64), [S]),
    OpCase("mean_int_dtype", lambda m, a: m.mean(a, dtype=m.float32), make=_ints, grad=False),
    # prod
    OpCase("prod_all", lambda m, a: m.prod(a), [S], domain=(0.5, 1.5), noncontig=True),
    OpCase("prod_dim", lambda m, a: m.prod(a, 1), [S], noncontig=True),
    OpCase("prod_neg_dim_keepdim", lambda m, a: a.prod(-3, keepdim=True), [S3]),
    OpCase("prod_zeros", lambda m, a: m.prod(a, 1), make=_with_zeros),
    OpCase("prod_zeros_all", lambda m, a: m.prod(a), make=_with_zeros),
    OpCase("prod_0d", lambda m, a: m.prod(a), [()]),
    OpCase("prod_0d_dim", lambda m, a: m.prod(a, 0), [()]),
    OpCase("prod_zero_size", lambda m, a: m.prod(a, 0), [(0, 3)]),
    OpCase("prod_int", lambda m, a: m.prod(a, 0), make=_ints, grad=False),
    OpCase("prod_dtype", lambda m, a: m.prod(a, dtype=m.float64), [(5,)]),
    # max / min / amax / amin
    OpCase("max_all", lambda m, a: m.max(a), make=_distinct(S), noncontig=True),
    OpCase("max_all_ties", lambda m, a: m.max(a), make=_ties, gradcheck=False),
    OpCase("max_dim", lambda m, a: m.max(a, 1), make=_distinct(S), noncontig=True),
    OpCase("max_dim_keepdim", lambda m, a: m.max(a, dim=-2, keepdim=True), make=_distinct(S3)),
    OpCase("max_dim_ties", lambda m, a: a.max(0), make=_ties, gradcheck=False),
    OpCase("max_0d_dim", lambda m, a: m.max(a, 0), [()]),
    OpCase("max_other", lambda m, a, b: m.max(a, b), make=lambda r: [r.permutation(12).reshape(S) * 0.5, r.permutation(4) * 0.5 + 0.25]),
    OpCase("max_int_dim", lambda m, a: m.max(a, 1), make=lambda r: [r.permutation(12).reshape(S)], grad=False),
    OpCase("max_zero_size_dim", lambda m, a: m.max(a, 1), [(0, 3)]),
    OpCase("min_all", lambda m, a: m.min(a), make=_distinct(S)),
    OpCase("min_all_ties", lambda m, a: a.min(), make=_ties, gradcheck=False),
    OpCase("min_dim", lambda m, a: m.min(a, 0, keepdim=True), make=_distinct(S), noncontig=True),
    OpCase("min_other", lambda m, a, b: m.min(a, b), make=lambda r: [r.permutation(12).reshape(S) * 0.5, r.permutation(4) * 0.5 + 0.25]),
    OpCase("amax_all", lambda m, a: m.amax(a), make=_distinct(S3)),
    OpCase("amax_tuple", lambda m, a: m.amax(a, (0, -1)), make=_distinct(S3), noncontig=True),
    OpCase("amax_keepdim", lambda m, a: a.amax(1, keepdim=True), make=_distinct(S)),
    OpCase("amax_ties", lambda m, a: m.amax(a, 1), make=_ties, gradcheck=False),
    OpCase("amax_0d", lambda m, a: m.amax(a), [()]),
    OpCase("amax_zero_size", lambda m, a: m.amax(a, 1), [(0, 3)]),
    OpCase("amax_nan", lambda m, a: m.amax(a, 1), make=_with_nan, gradcheck=False),
    OpCase("amin_dim", lambda m, a: m.amin(a, -1), make=_distinct(S3)),
    OpCase("amin_ties", lambda m, a: a.amin((0, 1)), make=_ties, gradcheck=False),
    OpCase("aminmax_all", lambda m, a: m.aminmax(a), make=_distinct(S)),
    OpCase("aminmax_dim", lambda m, a: a.aminmax(dim=1, keepdim=True), make=_distinct(S)),
    # argmax / argmin
    OpCase("argmax_all", lambda m, a: m.argmax(a), make=_distinct(S), grad=False, noncontig=True),
    OpCase("argmax_all_keepdim", lambda m, a: m.argmax(a, keepdim=True), make=_distinct(S), grad=False),
    OpCase("argmax_dim", lambda m, a: m.argmax(a, -1), make=_distinct(S3), grad=False),
    OpCase("argmax_dim_keepdim", lambda m, a: a.argmax(1, keepdim=True), make=_distinct(S), grad=False),
    OpCase("argmax_ties", lambda m, a: m.argmax(a, 1), make=_ties, grad=False),
    OpCase("argmax_0d", lambda m, a: m.argmax(a, 0), [()], grad=False),
    OpCase("argmin_all", lambda m, a: m.argmin(a), make=_distinct(S), grad=False),
    OpCase("argmin_dim", lambda m, a: m.argmin(a, 0), make=_distinct(S), grad=False, noncontig=True),
    OpCase("argmin_int", lambda m, a: a.argmin(1), make=lambda r: [r.permutation(12).reshape(S)], grad=False),
    # var / std
    OpCase("var_all", lambda m, a: m.var(a), [S], noncontig=True),
    OpCase("var_dim", lambda m, a: m.var(a, 1), [S], noncontig=True),
    OpCase("var_tuple_keepdim", lambda m, a: m.var(a, (0, -1), keepdim=True), [S3]),
    OpCase("var_correction0", lambda m, a: m.var(a, -1, correction=0), [S3]),
    OpCase("var_correction2", lambda m, a: a.var(dim=1, correction=2), [(3, 5)]),
    OpCase("var_unbiased_false", lambda m, a: m.var(a, 1, False, True), [S]),
    OpCase("var_legacy_unbiased", lambda m, a: m.var(a, False), [S]),
    OpCase("std_all", lambda m, a: m.std(a), [S], noncontig=True),
    OpCase("std_dim", lambda m, a: a.std(0, keepdim=True), [S]),
    OpCase("std_unbiased_kw", lambda m, a: m.std(a, dim=1, unbiased=False), [S]),
    OpCase("std_const", lambda m, a: m.std(a * 0 + 1, 1), [S], gradcheck=False),
    OpCase("var_mean", lambda m, a: m.var_mean(a, 1), [S]),
    OpCase("var_mean_all", lambda m, a: m.var_mean(a), [S]),
    OpCase("std_mean", lambda m, a: m.std_mean(a, (0, 1), correction=0, keepdim=True), [S3]),
    OpCase("std_mean_legacy", lambda m, a: m.std_mean(a, True), [S]),
    # logsumexp
    OpCase("logsumexp_dim", lambda m, a: m.logsumexp(a, 1), [S], noncontig=True),
    OpCase("logsumexp_tuple_keepdim", lambda m, a: a.logsumexp((0, 2), keepdim=True), [S3]),
    OpCase("logsumexp_large", lambda m, a: m.logsumexp(a * 100 + 1000, -1), [S], rtol=1e-5, atol=1e-4),
    OpCase("logsumexp_neginf", lambda m, a: m.logsumexp(a, 1), make=lambda r: [np.where(np.arange(12).reshape(S) % 3 == 0, -np.inf, r.standard_normal(S))]),
    OpCase("logsumexp_0d", lambda m, a: m.logsumexp(a, 0), [()]),
    OpCase("logsumexp_zero_size", lambda m, a: m.logsumexp(a, 1), [(0, 3)]),
    OpCase("logsumexp_int", lambda m, a: m.logsumexp(a, 1), make=_ints, grad=False),
    # norm
    OpCase("norm_fro", lambda m, a: m.norm(a), [S], noncontig=True),
    OpCase("norm_fro_dim", lambda m, a: m.norm(a, "fro", dim=1), [S]),
    OpCase("norm_2_dim_keepdim", lambda m, a: a.norm(2, -1, True), [S3]),
    OpCase("norm_2_tuple", lambda m, a: m.norm(a, p=2, dim=(0, 1)), [S3]),
    OpCase("norm_1", lambda m, a: m.norm(a, 1, dim=0), make=lambda r: [r.choice([-1, 1], S) * r.uniform(0.2, 2, S)]),
    OpCase("norm_3", lambda m, a: m.norm(a, 3, dim=1), make=lambda r: [r.choice([-1, 1], S) * r.uniform(0.2, 2, S)]),
    OpCase("norm_half", lambda m, a: m.norm(a, 0.5), make=lambda r: [r.choice([-1, 1], S) * r.uniform(0.2, 2, S)], rtol=1e-4),
    OpCase("norm_inf", lambda m, a: m.norm(a, INF, dim=1), make=_distinct(S)),
    OpCase("norm_neginf", lambda m, a: m.norm(a, -INF), make=_distinct(S)),
    OpCase("norm_inf_ties", lambda m, a: m.norm(a, INF), make=lambda r: [np.array([3.0, 1.0, 3.0, -3.0])], gradcheck=False),
    OpCase("norm_0", lambda m, a: m.norm(a, 0, dim=1), make=_with_zeros),
    OpCase("norm_2_zero_vector", lambda m, a: m.norm(a * 0, dim=1), [S], gradcheck=False),
    OpCase("norm_3_zeros", lambda m, a: m.norm(a, 3), make=_with_zeros),
    OpCase("norm_zero_size", lambda m, a: m.norm(a), [(0, 3)]),
    OpCase("norm_0d", lambda m, a: m.norm(a), [()]),
    OpCase("norm_dtype", lambda m, a: m.norm(a, dtype=m.float64), [S]),
    # cumulative
    OpCase("cumsum", lambda m, a: m.cumsum(a, 1), [S], noncontig=True),
    OpCase("cumsum_neg_dim", lambda m, a: a.cumsum(-3), [S3]),
    OpCase("cumsum_0d", lambda m, a: m.cumsum(a, 0), [()]),
    OpCase("cumsum_zero_size", lambda m, a: m.cumsum(a, 0), [(0, 3)]),
    OpCase("cumsum_int", lambda m, a: m.cumsum(a, 0), make=_ints, grad=False),
    OpCase("cumsum_dtype", lambda m, a: m.cumsum(a, 0, dtype=m.float64), [S]),
    OpCase("cumprod", lambda m, a: m.cumprod(a, 1), [S], noncontig=True),
    OpCase("cumprod_neg_dim", lambda m, a: a.cumprod(-2), [S3]),
    OpCase("cumprod_zeros", lambda m, a: m.cumprod(a, 1), make=_with_zeros),
    OpCase("cumprod_zeros_1d", lambda m, a: m.cumprod(a, 0), make=lambda r: [np.array([2.0, 0.0, 3.0, 0.0, 2.0])]),
    OpCase("cumprod_0d", lambda m, a: m.cumprod(a, 0), [()]),
    OpCase("cumprod_bool", lambda m, a: m.cumprod(a, 1), make=_bools, grad=False),
    # nan-aware
    OpCase("nansum", lambda m, a: m.nansum(a, 1), make=_with_nan),
    OpCase("nansum_all", lambda m, a: a.nansum(), make=_with_nan),
    OpCase("nansum_no_nan", lambda m, a: m.nansum(a, (0, 1), keepdim=True), [S3]),
    OpCase("nansum_int", lambda m, a: m.nansum(a), make=_ints, grad=False),
    OpCase("nanmean", lambda m, a: m.nanmean(a, 1), make=_with_nan),
    OpCase("nanmean_all", lambda m, a: a.nanmean(), make=_with_nan),
    OpCase("nanmean_no_nan", lambda m, a: m.nanmean(a, 0, keepdim=True), [S]),
    # median
    OpCase("median_all", lambda m, a: m.median(a), make=_distinct(S), noncontig=True),
    OpCase("median_all_odd", lambda m, a: m.median(a), make=_distinct((5,))),
    OpCase("median_all_ties", lambda m, a: m.median(a), make=lambda r: [np.array([1.0, 2.0, 2.0, 2.0, 3.0])], gradcheck=False),
    OpCase("median_dim", lambda m, a: m.median(a, 1), make=_distinct(S), noncontig=True),
    OpCase("median_dim_keepdim", lambda m, a: a.median(-1, keepdim=True), make=_distinct(S3)),
    OpCase("median_nan", lambda m, a: m.median(a, 1), make=_with_nan, gradcheck=False),
    OpCase("median_nan_all", lambda m, a: m.median(a), make=_with_nan, gradcheck=False),
    OpCase("median_0d", lambda m, a: m.median(a), [()]),
    OpCase("median_int", lambda m, a: m.median(a, 0), make=lambda r: [r.permutation(12).reshape(S)], grad=False),
]
