"""Op cases for ops/more_math.py, ops/split_join.py, ops/stats.py, the distance compositions
(pdist, pairwise_distance, cosine_similarity), kthvalue/nanmedian/isin, and in-place forms
of the older elementwise ops."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

S = (3, 4)


def _n(*shapes):
    return lambda r: [r.standard_normal(s) for s in shapes]


def _distinct(shape):
    return lambda r: [r.permutation(int(np.prod(shape))).reshape(shape) * 0.37 - 1.1]


def _nan_rows(rng):
    a = rng.permutation(20).reshape(4, 5) * 0.3 - 2.0
    a[0, 1], a[2, 0], a[2, 3] = np.nan, np.nan, np.nan
    a[3, :] = np.nan
    return [a]


CASES = [
    # more_math
    OpCase("clamp_min_max", lambda m, a: (m.clamp_min(a, -0.5), a.clamp_max(0.7), a.clamp_min(m.tensor(0.1, dtype=a.dtype))), [S], noncontig=True, gradcheck=False),
    OpCase("clamp_min_max_inplace", lambda m, a: (a * 1).clamp_min_(-0.5) + (a * 1).clamp_max_(0.5), make=lambda r: [r.uniform(-2, 2, S)], gradcheck=False),
    OpCase("sinc", lambda m, a: m.sinc(a), [S], noncontig=True),
    OpCase("sinc_at_zero", lambda m, a: m.sinc(a * 0) + a.sinc(), [(3,)]),
    OpCase("logit", lambda m, a: m.logit(a), [S], domain=(0.1, 0.9), noncontig=True),
    OpCase("logit_eps", lambda m, a: a.logit(eps=0.2), [S], domain=(0.05, 0.95), gradcheck=False),
    OpCase("ldexp", lambda m, a, e: (m.ldexp(a, e), a.ldexp(e * 2)), make=_n(S, S)),
    OpCase("ldexp_int_exponent", lambda m, a, e: m.ldexp(a, e), make=lambda r: [r.standard_normal(S), r.integers(-3, 4, S)], grad=False),
    OpCase("frexp", lambda m, a: m.frexp(a), [S]),
    OpCase("frexp_method_edges", lambda m, a: a.frexp(), make=lambda r: [np.array([0.0, -0.0, 1.0, -3.5, 1e-30, 6e20])], gradcheck=False),
    OpCase("rad2deg_deg2rad", lambda m, a: (m.rad2deg(a), a.deg2rad(), m.deg2rad(m.tensor([180, 90]))), [S]),
    OpCase("signbit", lambda m, a: (m.signbit(a), a.signbit()), make=lambda r: [np.array([1.0, -1.0, 0.0, -0.0, np.inf, -np.inf])], grad=False),
    OpCase("heaviside", lambda m, a, v: (m.heaviside(a.detach(), v.detach()), a.detach().heaviside(m.tensor([0.5], dtype=a.dtype))),
           make=lambda r: [np.array([-1.5, 0.0, 2.0, 0.0]), np.array([0.25, 0.75, 1.0, 2.0])], grad=False),
    OpCase("gcd_lcm", lambda m, x, y: (m.gcd(x, y), x.lcm(y), x.gcd(y.abs())), make=lambda r: [np.array([12, -18, 0, 7, 0]), np.array([8, 12, 5, -3, 0])], grad=False),
    OpCase("positive", lambda m, a: m.positive(a) * 2 + a.positive(), [S]),
    OpCase("trig_aliases", lambda m, a, b: m.arcsin(a) + m.arccos(a) + a.arctan() + m.arctan2(a, b) + a.arctan2(b), make=lambda r: [r.uniform(-0.8, 0.8, S), r.uniform(0.5, 2, S)]),
    OpCase("fix_sgn", lambda m, a: (m.fix(a), a.sgn(), m.sgn(a), a.fix()), [S], gradcheck=False),
    # in-place forms of older ops
    OpCase("unary_inplace", lambda m, a: (a * 1).cos_() + (a * 1).sin_() + (a * 1).tan_() + (a * 1).sinh_() + (a * 1).cosh_() + (a * 1).erf_()
           + (a * 1).exp2_() + (a * 1).expm1_() + (a * 1).log1p_() + (a * 1).log2_() + (a * 1).log10_() + (a * 1).rsqrt_() + (a * 1).reciprocal_()
           + (a * 1).square_() + (a * 1).asin_() + (a * 1).acos_() + (a * 1).atan_() + (a * 1).arcsin_() + (a * 1).arccos_() + (a * 1).arctan_()
           + (a * 1).sinc_() + (a * 1).logit_() + (a * 1).deg2rad_() + (a * 1).rad2deg_() + (a * 1).negative_() + (a * 1).absolute_(), [S], domain=(0.2, 0.8)),
    OpCase("rounding_inplace", lambda m, a: ((a * 1).floor_(), (a * 1).ceil_(), (a * 1).round_(), (a * 1).trunc_(), (a * 1).frac_(), (a * 1).sign_(), (a * 1).fix_(), (a * 1).sgn_(),
                                             (a * 1).round_(decimals=1)), [S], gradcheck=False),
    OpCase("binary_inplace", lambda m, a, b: (a * 1).atan2_(b) + (a * 1).arctan2_(b) + (a * 1).multiply_(b) + (a * 1).divide_(b) + (a * 1).true_divide_(b)
           + (a * 1).subtract_(b) + (a * 1).float_power_(2) + (a * 1).ldexp_(b), make=lambda r: [r.uniform(0.5, 2, S), r.uniform(0.5, 2, S)], dtypes=("float64",)),
    OpCase("mod_inplace", lambda m, a, b: ((a * 1).fmod_(b), (a * 1).remainder_(b), a.detach().clone().floor_divide_(b.detach())), make=lambda r: [r.uniform(-3, 3, S), r.uniform(0.5, 2, S)], grad=False),
    OpCase("cum_tri_inplace", lambda m, a: (a * 1).cumsum_(1) + (a * 1).cumprod_(0) + (a * 1).tril_() + (a * 1).triu_(1), [S]),
    OpCase("compare_inplace", lambda m, a, b: ((a * 1).eq_(b), (a * 1).ne_(b), (a * 1).lt_(b), (a * 1).le_(0.0), (a * 1).gt_(b), (a * 1).ge_(b), (a * 1).greater_(b),
                                               (a * 1).greater_equal_(b), (a * 1).less_(b), (a * 1).less_equal_(b), (a * 1).not_equal_(b)),
           make=lambda r: [r.integers(-2, 2, S).astype(float), r.integers(-2, 2, S).astype(float)], grad=False),
    OpCase("logical_inplace", lambda m, a, b: ((a * 1).logical_and_(b), (a * 1).logical_or_(b), (a * 1).logical_xor_(b), (a * 1).logical_not_()),
           make=lambda r: [r.integers(0, 2, S).astype(float), r.integers(0, 2, S).astype(float)], grad=False),
    OpCase("bitwise_named_inplace", lambda m, x, y: (x.clone().bitwise_and_(y), x.clone().bitwise_or_(y), x.clone().bitwise_xor_(y), x.clone().bitwise_not_(),
                                                     x.clone().gcd_(y), x.clone().lcm_(y), x.clone().float().heaviside_(y.float())),
           make=lambda r: [r.integers(-9, 9, S), r.integers(-9, 9, S)], grad=False),
    OpCase("addr_inplace", lambda m, c, a, b: (c * 1).addr_(a, b, alpha=2.0), make=_n((3, 4), (3,), (4,))),
    OpCase("clamp_inplace_tensor", lambda m, a, b: (a * 1).clamp_min_(b), make=_n(S, S), gradcheck=False),
    OpCase("fill_diagonal_inplace", lambda m, a, b, c: ((a * 1).fill_diagonal_(0.5), (b * 1).fill_diagonal_(-1.0, wrap=True), (b * 1).fill_diagonal_(2.0), (c * 1).fill_diagonal_(3.0)),
           make=_n((3, 4), (7, 3), (2, 2, 2))),
    OpCase("reshape_inplace", lambda m, a: ((a * 1).unsqueeze_(1), (a * 1).t_(), (a * 1).transpose_(0, 1) * 2, (a * 1).swapaxes_(1, 0), (a[None] * 1).squeeze_(0), (a[None] * 1).squeeze_()), [S]),
    OpCase("reshape_inplace_chain", lambda m, a: (lambda b: (b.unsqueeze_(0), b.transpose_(0, 2), b.squeeze_(1), b * b)[-1])(a * 1), [S]),
    # split / join / select
    OpCase("broadcast_tensors", lambda m, a, b, c: m.broadcast_tensors(a, b, c), make=_n((3, 1), (4,), ())),
    OpCase("tensor_split_sections", lambda m, a: m.tensor_split(a, 3, dim=1), [(2, 7)], noncontig=True),
    OpCase("tensor_split_indices", lambda m, a: (a.tensor_split([1, 4, 2, 9], 1), m.tensor_split(a, m.tensor([2, 5]), dim=-1), m.tensor_split(a, m.tensor(2))), [(2, 7)]),
    OpCase("hsplit_vsplit_dsplit", lambda m, a: (m.hsplit(a, 2), a.vsplit([1]), m.dsplit(a, 3), m.hsplit(a[0, 0], [1, 2])), [(2, 4, 3)]),
    OpCase("select", lambda m, a: (m.select(a, 1, 2), a.select(0, -1), a.select(-1, 0)), [(2, 3, 4)], noncontig=True),
    OpCase("ravel_row_stack", lambda m, a, b: (m.ravel(a), a.ravel(), m.row_stack([a, b])), make=_n(S, (4,)), noncontig=True),
    OpCase("narrow_copy", lambda m, a: (m.narrow_copy(a, 1, 1, 2), a.narrow_copy(0, 0, 2)), [S]),
    OpCase("vander", lambda m, a: (m.vander(a), m.vander(a, N=5, increasing=True), m.vander(a * 0, 3)), [(4,)], grad=False),
    # PyTorch 2.13's vander backward fails (an in-place cumprod), so the gradient oracle is x[:, None] ** powers
    OpCase("vander_grad", lambda m, a: m.vander(a, N=5) if m.__name__ == "chainrule" else a[:, None] ** m.arange(4.0, -1.0, -1.0), [(4,)]),
    OpCase("vander_int", lambda m, x: (m.vander(x), m.vander(x, 2, True)), make=lambda r: [np.array([1, 2, 3])], grad=False),
    OpCase("nextafter", lambda m, a, b: (m.nextafter(a, b) - a, a.nextafter(b) - a), make=_n(S, S), grad=False, dtypes=("float32", "float64"), atol=0, rtol=0),
    OpCase("mvlgamma", lambda m, a: (m.mvlgamma(a, 1), a.mvlgamma(3), (a * 1).mvlgamma_(2)), [S], domain=(1.1, 4.0)),
    OpCase("renorm", lambda m, a: (m.renorm(a, 2, 0, 1.0), a.renorm(1, 1, 0.8), m.renorm(a, 3.0, -1, 50.0)), [S], noncontig=True),
    OpCase("renorm_inplace", lambda m, a: (a * 1).renorm_(2, 1, 0.5), [(2, 3, 2)]),
    OpCase("sum_to_size", lambda m, a: (a.sum_to_size(3, 1), a.sum_to_size((1, 4)), a.sum_to_size(4), a.sum_to_size(2, 3, 4)), [(2, 3, 4)]),
    OpCase("split_with_sizes_ger", lambda m, a, v: (m.split_with_sizes(a, [1, 3], 1), a.split_with_sizes([2, 1]), m.ger(v, v), v.ger(v[:2])), make=_n(S, (3,))),
    OpCase("apply_map_to_dense", lambda m, a, b: (a.detach().clone().apply_(lambda v: v * v - 1), a.detach().clone().map_(b.detach(), lambda x, y: max(x, y)), a.to_dense() * 2),
           make=_n(S, (4,)), gradcheck=False),
    OpCase("combinations", lambda m, a: (m.combinations(a), m.combinations(a, 3), m.combinations(a, 2, with_replacement=True), m.combinations(a, 5)), [(4,)]),
    OpCase("unravel_index", lambda m, i: m.unravel_index(i, (3, 4, 5)), make=lambda r: [np.array([[0, 59], [-1, 17]])], grad=False),
    OpCase("diagflat", lambda m, a: (m.diagflat(a), a.diagflat(1), m.diagflat(a, -2)), [(2, 2)]),
    OpCase("vdot_addr", lambda m, a, b, c: (m.vdot(a, b), a.vdot(b), m.addr(c, a, b), c.addr(a, b, beta=0.5, alpha=-1.0)), make=_n((4,), (4,), (4, 4))),
    OpCase("slice_scatter", lambda m, a, s: (m.slice_scatter(a, s, 1, 1, 4, 2), a.slice_scatter(s[:2].sum(1, keepdim=True).expand(2, 4), 0, 1)), make=_n((3, 4), (3, 2))),
    OpCase("slice_scatter_grad", lambda m, a, s: m.slice_scatter(a, s, dim=1, start=1, end=4, step=2), make=_n((3, 4), (3, 2))),
    OpCase("select_scatter", lambda m, a, s: (m.select_scatter(a, s, 0, 1), a.select_scatter(s * 2, 1, -1)), make=_n((3, 3), (3,))),
    OpCase("diagonal_scatter", lambda m, a, s: (m.diagonal_scatter(a, s), a.diagonal_scatter(s * 3, 1)), make=_n((3, 4), (3,))),
    OpCase("diagonal_scatter_dims", lambda m, a, s: m.diagonal_scatter(a, s, -1, 2, 0), make=_n((3, 2, 4), (2, 3))),
    # statistics / integration
    OpCase("cov", lambda m, a: (m.cov(a), a.cov(correction=0)), [(3, 6)], noncontig=True),
    OpCase("cov_1d", lambda m, a: m.cov(a), [(5,)]),
    OpCase("cov_weights", lambda m, a, w, f: m.cov(a, fweights=f, aweights=w), make=lambda r: [r.standard_normal((2, 5)), r.uniform(0.2, 2, 5), np.array([1, 2, 1, 3, 1])]),
    OpCase("corrcoef", lambda m, a: (m.corrcoef(a), a.corrcoef()), [(3, 6)]),
    OpCase("trapezoid", lambda m, y: (m.trapezoid(y), m.trapz(y, dim=0), m.trapezoid(y, dx=0.5), m.trapz(y, dx=2.0, dim=0)), [S], noncontig=True),
    OpCase("trapezoid_x", lambda m, y, x, x2: (m.trapezoid(y, x), m.trapz(y, x2, dim=0), m.cumulative_trapezoid(y, x)), make=lambda r: [r.standard_normal(S), np.sort(r.uniform(0, 3, 4)), r.uniform(0, 1, (3, 4))]),
    OpCase("cumulative_trapezoid", lambda m, y: (m.cumulative_trapezoid(y), m.cumulative_trapezoid(y, dx=0.3, dim=0)), [S]),
    OpCase("histogram", lambda m, a, w: (m.histogram(a.detach(), 5), a.detach().histogram(m.tensor([-2.0, 0.0, 0.5, 3.0], dtype=a.dtype)),
                                         m.histogram(a.detach(), 4, range=(-1.0, 1.0), weight=w.detach(), density=True)),
           make=lambda r: [r.standard_normal(40), r.uniform(0, 1, 40)], grad=False, dtypes=("float32", "float64")),
    # distances
    OpCase("pdist", lambda m, a: (m.pdist(a), m.pdist(a, p=1.0), m.pdist(a, p=float("inf"))), make=_n((4, 3))),
    OpCase("pairwise_distance_toplevel", lambda m, a, b: (m.pairwise_distance(a, b), m.pairwise_distance(a, b, p=1.0, keepdim=True), m.pairwise_distance(a[0], b)), make=_n(S, (4,))),
    OpCase("cosine_similarity_toplevel", lambda m, a, b: (m.cosine_similarity(a, b), m.cosine_similarity(a, b, dim=0), m.cosine_similarity(a, b[None], dim=-1)), make=_n(S, S), noncontig=True),
    OpCase("cosine_similarity_zero", lambda m, a, b: m.cosine_similarity(a * 0, b, dim=-1), make=_n(S, (4,)), gradcheck=False),
    # order statistics and membership
    OpCase("kthvalue", lambda m, a: (m.kthvalue(a, 2), a.kthvalue(3, dim=0, keepdim=True), m.kthvalue(a, 1, 1)), make=_distinct((3, 5)), noncontig=True),
    OpCase("kthvalue_0d", lambda m, a: m.kthvalue(a, 1), [()]),
    OpCase("nanmedian", lambda m, a: (m.nanmedian(a), a.nanmedian(1), m.nanmedian(a, 0, keepdim=True)), make=_nan_rows, gradcheck=False),
    OpCase("nanmedian_no_nan", lambda m, a: (m.nanmedian(a, -1), a.nanmedian()), make=_distinct((3, 4))),
    OpCase("isin", lambda m, x, y: (m.isin(x, y), m.isin(x, y, invert=True), m.isin(x, 3), m.isin(2, y)), make=lambda r: [r.integers(0, 6, S), np.array([1, 3, 5])], grad=False),
]
