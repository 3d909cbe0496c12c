"""Op cases for ops/special.py, ops/gamma.py and chainrule.special: inverse hyperbolics, lgamma/
digamma/polygamma, igamma, erfinv, erfc, log_ndtr and the binary maps copysign, hypot, logaddexp(2),
xlogy, over matrices (+ non-contiguous), 0-d, empty and broadcast shapes, with float64 forward checks
at tight tolerance for the series approximations."""

from __future__ import annotations

import numpy as np

from .harness import OpCase

S = (3, 4)

_UNARY = [
    ("asinh", lambda m, a: m.asinh(a), (-3.0, 3.0)),
    ("acosh", lambda m, a: m.acosh(a), (1.2, 4.0)),
    ("atanh", lambda m, a: m.atanh(a), (-0.8, 0.8)),
    ("lgamma", lambda m, a: m.lgamma(a), (0.2, 8.0)),
    ("lgamma_negative", lambda m, a: m.lgamma(a), (-3.9, -3.1)),
    ("digamma", lambda m, a: m.digamma(a), (0.2, 8.0)),
    ("digamma_negative", lambda m, a: m.digamma(a), (-2.9, -2.1)),
    ("polygamma1", lambda m, a: m.polygamma(1, a), (0.3, 6.0)),
    ("polygamma3", lambda m, a: m.polygamma(3, a), (0.5, 6.0)),
    ("erfinv", lambda m, a: m.erfinv(a), (-0.95, 0.95)),
    ("erfc", lambda m, a: m.erfc(a), (-3.0, 3.0)),
]


def _gamma_points(rng):  # both sides of the shift threshold, tiny, large, near the poles and zeros
    return [np.concatenate([rng.uniform(0.01, 30, 100), rng.uniform(-6, -0.01, 50),
                            [1e-8, 0.5, 1.0, 2.0, 1.0001, 9.99, 10.0, 150.5, -0.5, -2.5]])]  # fmt: skip


def _erfinv_points(rng):  # the central and tail branches, down to 1 − 2⁻⁵³
    return [np.concatenate([rng.uniform(-1, 1, 200), [0.0, 1e-20, -0.999, 0.9999999, 1 - 1e-12, -(1 - 2.0**-53)]])]


def _special_points(rng):  # values PyTorch defines: poles, ±1, out of range
    return [np.array([0.0, -1.0, -2.0, 1.0, -1.0, 1.5, np.inf, np.nan])]


_SHAPES_A = np.random.default_rng(5).uniform(0.2, 30.0, (4, 5)).round(3)  # fixed shape parameters a of igamma


def _two(sa, sb, lo=-2.0, hi=2.0):
    return lambda r: [r.uniform(lo, hi, sa), r.uniform(lo, hi, sb)]


CASES = [
    *[OpCase(name, fn, [S], domain=dom, noncontig=True, dtypes=("float32", "float64")) for name, fn, dom in _UNARY],
    OpCase("asinh[0d]", lambda m, a: m.asinh(a), [()]),
    OpCase("lgamma[empty]", lambda m, a: m.lgamma(a), [(0, 3)], gradcheck=False),
    OpCase("digamma[1x1]", lambda m, a: a.digamma(), [(1, 1)], domain=(0.5, 2.0)),
    OpCase("lgamma_points", lambda m, a: m.lgamma(a), make=_gamma_points, dtypes=("float64",), rtol=1e-12, atol=1e-12, gradcheck=False),
    # (PyTorch's trigamma, digamma's gradient, is itself only good to ~1e-9 relative)
    OpCase("digamma_points", lambda m, a: m.digamma(a), make=_gamma_points, dtypes=("float64",), rtol=1e-9, atol=1e-9, gradcheck=False),
    OpCase("polygamma2_points", lambda m, a: m.polygamma(2, a), make=lambda r: [r.uniform(0.05, 30, 100)],
           dtypes=("float64",), rtol=1e-11, atol=1e-11, gradcheck=False),
    OpCase("erfinv_points", lambda m, a: m.erfinv(a), make=_erfinv_points, dtypes=("float64",), rtol=1e-10, atol=1e-12, gradcheck=False),
    OpCase("special_edges", lambda m, a: (m.lgamma(a), m.digamma(a), m.erfinv(a), m.atanh(a)), make=_special_points,
           grad=False, dtypes=("float32", "float64")),
    OpCase("int_input_special", lambda m, x: (m.lgamma(x), m.asinh(x), m.erfinv(x)), make=lambda r: [np.array([1, 2, 0, -1])], grad=False),
    OpCase("special_methods", lambda m, a: a.asinh() + a.lgamma() + a.digamma() + a.erfinv() + a.atanh() + (a + 1).acosh() + a.erfc(),
           [S], domain=(0.2, 0.9)),
    OpCase("special_aliases", lambda m, a: m.arcsinh(a) + m.arctanh(a) + a.arcsinh() + m.arccosh(a + 2), [S], domain=(-0.8, 0.8)),
    # binary
    OpCase("copysign", lambda m, a, b: m.copysign(a, b), [S, S], noncontig=True),
    OpCase("copysign_bcast_scalar", lambda m, a, b: a.copysign(b) + m.copysign(a, -1.0), make=_two(S, (4,))),
    OpCase("copysign_int", lambda m, x: m.copysign(x, -1), make=lambda r: [r.integers(-3, 3, S)], grad=False),
    OpCase("hypot", lambda m, a, b: m.hypot(a, b), [S, S], noncontig=True),
    OpCase("hypot_bcast", lambda m, a, b: a.hypot(b), make=_two((3, 1), (4,))),
    OpCase("logaddexp", lambda m, a, b: m.logaddexp(a, b), [S, S], noncontig=True),
    OpCase("logaddexp_bcast_0d", lambda m, a, b: a.logaddexp(b), make=_two(S, ())),
    OpCase("logaddexp_extreme", lambda m, a, b: m.logaddexp(a, b) + m.logaddexp2(a, b),
           make=lambda r: [np.array([-1000.0, 1000.0, 0.0, -50.0]), np.array([-1000.0, 999.0, -800.0, 40.0])]),
    OpCase("logaddexp2", lambda m, a, b: m.logaddexp2(a, b), [S, S], noncontig=True),
    OpCase("logaddexp2_method", lambda m, a, b: a.logaddexp2(b), make=_two((2, 1, 3), (4, 1))),
    OpCase("xlogy", lambda m, a, b: m.xlogy(a, b), make=_two(S, S, 0.2, 3.0), noncontig=True),
    OpCase("xlogy_zeros", lambda m, a, b: m.xlogy(a * (a > 1.0), b), make=_two(S, S, 0.2, 3.0), gradcheck=False),
    OpCase("xlogy_scalar_and_method", lambda m, a, b: a.xlogy(b) + m.xlogy(a, 2.0) + m.xlogy(2, b), make=_two((4,), (3, 4), 0.2, 3.0)),
    # the chainrule.special namespace
    OpCase("special_namespace_aliases", lambda m, a: m.special.expit(a) + m.special.gammaln(a) + m.special.psi(a) + m.special.digamma(a)
           + m.special.polygamma(1, a) + m.special.erf(a) + m.special.erfc(a) + m.special.erfinv(a * 0.5) + m.special.logit(a * 0.5)
           + m.special.sinc(a) + m.special.exp2(a) + m.special.expm1(a) + m.special.log1p(a) + m.special.round(a).detach(), [S], domain=(0.2, 1.5)),
    OpCase("special_softmax_logsumexp", lambda m, a: (m.special.softmax(a, 1), m.special.log_softmax(a, dim=0), m.special.logsumexp(a, 1)), [S]),
    OpCase("special_xlogy_xlog1py", lambda m, a, b: (m.special.xlogy(a, b), m.special.xlog1py(a, b), m.special.xlog1py(a * 0, b - 5)), make=_two(S, S, 0.2, 3.0)),
    OpCase("special_multigammaln", lambda m, a: (m.special.multigammaln(a, 1), m.special.multigammaln(a, 3)), [S], domain=(1.1, 4.0)),
    OpCase("special_ndtr_ndtri", lambda m, a: (m.special.ndtr(a), m.special.ndtri(m.special.ndtr(a))), [S], dtypes=("float32", "float64")),
    # (far left, PyTorch's own float32 gradient is off by ~1e-4 relative: float64 there, float32 nearer 0)
    OpCase("special_log_ndtr", lambda m, a: m.special.log_ndtr(a), make=lambda r: [np.concatenate([r.uniform(-60, 10, 60), [-37.0, -36.9, 0.0, 1e-9]])],
           dtypes=("float64",)),
    OpCase("special_log_ndtr_f32", lambda m, a: m.special.log_ndtr(a), [S], domain=(-8.0, 8.0)),
    OpCase("special_log_ndtr_tight", lambda m, a: m.special.log_ndtr(a), make=lambda r: [r.uniform(-60, 30, 200)], dtypes=("float64",), rtol=1e-12, atol=1e-300, gradcheck=False),
    OpCase("special_entr", lambda m, a: m.special.entr(a), make=lambda r: [np.array([0.5, 1.0, 2.0, 0.25])]),
    OpCase("special_entr_edges", lambda m, a: m.special.entr(a), make=lambda r: [np.array([-1.0, 0.0, np.inf])], grad=False),
    OpCase("erfc_tails", lambda m, a: m.erfc(a), make=lambda r: [np.concatenate([r.uniform(-8, 27, 300), [2.0, 6.0, -2.0, -6.0]])], dtypes=("float64",), rtol=1e-12, atol=1e-300, gradcheck=False),
    # incomplete gamma: gradient for x only (PyTorch defines none for a); PyTorch is good to ~1e-9 near a ≈ x ≈ 20
    OpCase("igamma", lambda m, x: (lambda a: (m.igamma(a, x), m.igammac(a, x), a.igamma(x), m.special.gammaincc(a, x)))(m.tensor(_SHAPES_A, dtype=x.dtype)),
           make=lambda r: [r.uniform(0.05, 40.0, (4, 5))], dtypes=("float32", "float64"), rtol=1e-5, atol=1e-8),
    OpCase("igamma_bcast_method_inplace", lambda m, x: (lambda a: (a.clone().igammac_(x), a.clone().igamma_(x[0]), m.special.gammainc(a[:, :1], x)))(m.tensor(_SHAPES_A, dtype=x.dtype)),
           make=lambda r: [r.uniform(0.1, 6.0, (4, 5))]),
    OpCase("igamma_edges", lambda m, a, x: (m.igamma(a, x), m.igammac(a, x)),
           make=lambda r: [np.array([0.0, 0.5, 1.0, 2.0, -1.0, 1.0, 0.0, 3.0, 1e3]), np.array([1.0, 0.0, np.inf, 10.0, 1.0, -1.0, 0.0, 1e-300, 1e3 + 30])],
           grad=False, dtypes=("float64",), rtol=1e-9, atol=1e-300),
    OpCase("igamma_0d", lambda m, x: (m.igamma(m.tensor(1.5, dtype=x.dtype), x), m.igammac(m.tensor(5.0, dtype=x.dtype), x)), [()], domain=(0.5, 4.0)),
    OpCase("binary_special_empty", lambda m, a, b: m.hypot(a, b) + m.logaddexp(a, b), [(0, 4), (4,)], gradcheck=False),
]
