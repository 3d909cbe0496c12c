"""Op cases for chainrule.linalg's decompositions: cholesky, qr, svd/svdvals, eigh/eigvalsh.

Inputs keep the spectra well apart (SPD by construction for cholesky/eigh, Gaussian matrices whose singular
values are distinct for svd). Outputs compared with PyTorch are gauge-invariant where the decomposition is
unique only up to signs: |U|, |V|, |eigenvectors| or products such as U Vᵀ."""

from __future__ import annotations

import numpy as np

from .harness import OpCase


def spd(m, x):
    """A symmetric positive-definite matrix built differentiably from any square x: x xᵀ + n I."""
    n = x.shape[-1]
    return x @ x.mT + n * m.eye(n, dtype=x.dtype)


def sym(x):
    return (x + x.mT) / 2


def gauss(*shape: int):
    return lambda rng: [rng.standard_normal(shape)]


def distinct_sv(*shape: int):
    """Random U diag(s) Vᵀ of ``shape`` whose singular values s are 1, 1.5, 2, ... (well apart, none zero)."""

    def make(rng):
        *batch, m, n = shape
        k = min(m, n)
        u = np.linalg.qr(rng.standard_normal((*batch, m, k)))[0]
        v = np.linalg.qr(rng.standard_normal((*batch, n, k)))[0]
        s = 1.0 + 0.5 * np.arange(k)[::-1]
        return [(u * s) @ np.swapaxes(v, -1, -2)]

    return make


def spd_input(*batch: int, n: int = 3):
    """An SPD matrix handed directly to the op (its gradient then is PyTorch's symmetric one)."""

    def make(rng):
        x = rng.standard_normal((*batch, n, n))
        return [x @ np.swapaxes(x, -1, -2) + n * np.eye(n)]

    return make


def _svd_abs(m, a, full=False):
    u, s, vh = m.linalg.svd(a, full_matrices=full)
    k = s.shape[-1]
    return u[..., :k].abs(), s, vh[..., :k, :].abs()


def _eigh_abs(m, a, uplo="L"):
    w, v = m.linalg.eigh(a, UPLO=uplo)
    return w, v.abs()


F64 = ("float32", "float64")
T = 1e-5  # float32 LAPACK builds differ in the last bits

CASES = [
    # cholesky
    OpCase("linalg_cholesky", lambda m, x: m.linalg.cholesky(spd(m, x)), make=gauss(3, 3), noncontig=True, atol=T),
    OpCase("linalg_cholesky_upper", lambda m, x: m.linalg.cholesky(spd(m, x), upper=True), make=gauss(2, 4, 4), atol=T),
    OpCase("linalg_cholesky_direct", lambda m, a: m.linalg.cholesky(a), make=spd_input(2), gradcheck=False, atol=T,
           dtypes=F64),  # fmt: skip
    OpCase("linalg_cholesky_direct_upper", lambda m, a: m.linalg.cholesky(a, upper=True), make=spd_input(), gradcheck=False, atol=T),
    OpCase("linalg_cholesky_ex", lambda m, x: m.linalg.cholesky_ex(spd(m, x)), make=gauss(3, 3), atol=T),
    OpCase("cholesky", lambda m, x: m.cholesky(spd(m, x)), make=gauss(3, 3), atol=T),
    OpCase("cholesky_method_upper", lambda m, x: spd(m, x).cholesky(True), make=gauss(3, 3), atol=T),
    OpCase("cholesky_solve", lambda m, x, b: m.cholesky_solve(b, m.linalg.cholesky(spd(m, x))), make=lambda r: [
        r.standard_normal((2, 3, 3)), r.standard_normal((3, 2))], atol=T),  # fmt: skip
    OpCase("cholesky_solve_upper_method", lambda m, x, b: b.cholesky_solve(m.linalg.cholesky(spd(m, x), upper=True), True),
           make=lambda r: [r.standard_normal((3, 3)), r.standard_normal((3, 4))], atol=T),  # fmt: skip
    OpCase("cholesky_inverse", lambda m, x: m.cholesky_inverse(m.linalg.cholesky(spd(m, x))), make=gauss(3, 3), atol=T),
    OpCase("cholesky_inverse_upper_method", lambda m, x: m.linalg.cholesky(spd(m, x), upper=True).cholesky_inverse(True),
           make=gauss(2, 3, 3), atol=T),  # fmt: skip
    # qr
    OpCase("linalg_qr_square", lambda m, a: m.linalg.qr(a), make=gauss(3, 3), noncontig=True, atol=T),
    OpCase("linalg_qr_tall", lambda m, a: m.linalg.qr(a), make=gauss(2, 5, 3), atol=T, dtypes=F64),
    OpCase("linalg_qr_wide", lambda m, a: m.linalg.qr(a), make=gauss(3, 5), atol=T, dtypes=F64),
    OpCase("linalg_qr_complete_wide", lambda m, a: m.linalg.qr(a, mode="complete"), make=gauss(2, 3, 4), atol=T),
    OpCase("linalg_qr_complete_tall", lambda m, a: m.linalg.qr(a, mode="complete"), make=gauss(4, 3), grad=False, atol=T),
    OpCase("linalg_qr_r", lambda m, a: m.linalg.qr(a, mode="r")[1], make=gauss(4, 3), grad=False, atol=T),
    # svd
    OpCase("linalg_svd_square", lambda m, a: _svd_abs(m, a), make=distinct_sv(3, 3), noncontig=True, atol=T),
    OpCase("linalg_svd_tall", lambda m, a: _svd_abs(m, a), make=distinct_sv(2, 5, 3), atol=T, dtypes=F64),
    OpCase("linalg_svd_wide", lambda m, a: _svd_abs(m, a), make=distinct_sv(3, 5), atol=T, dtypes=F64),
    OpCase("linalg_svd_full_tall", lambda m, a: _svd_abs(m, a, full=True), make=distinct_sv(5, 3), atol=T),
    OpCase("linalg_svd_full_wide", lambda m, a: _svd_abs(m, a, full=True), make=distinct_sv(2, 3, 4), atol=T),
    OpCase("linalg_svd_polar", lambda m, a: (lambda u, s, vh: u @ vh)(*m.linalg.svd(a, full_matrices=False)),
           make=distinct_sv(4, 3), atol=T),  # fmt: skip
    OpCase("linalg_svd_s_only", lambda m, a: m.linalg.svd(a)[1], make=distinct_sv(2, 3, 4), atol=T),
    OpCase("linalg_svdvals", lambda m, a: m.linalg.svdvals(a), make=distinct_sv(2, 4, 3), noncontig=True, atol=T),
    OpCase("svd_toplevel", lambda m, a: (lambda u, s, v: (u.abs(), s, v.abs()))(*m.svd(a)), make=distinct_sv(4, 3), atol=T),
    OpCase("svd_method", lambda m, a: (lambda u, s, v: (u @ v.mT, s))(*a.svd()), make=distinct_sv(3, 4), atol=T),
    # eigh
    OpCase("linalg_eigh", lambda m, x: _eigh_abs(m, sym(x)), make=gauss(4, 4), noncontig=True, atol=T),
    OpCase("linalg_eigh_batched_upper", lambda m, x: _eigh_abs(m, sym(x), "U"), make=gauss(2, 3, 3), atol=T, dtypes=F64),
    OpCase("linalg_eigh_direct", lambda m, a: _eigh_abs(m, a), make=spd_input(2), gradcheck=False, atol=T, dtypes=F64),
    OpCase("linalg_eigh_projector", lambda m, x: (lambda w, v: v[..., :1] @ v[..., :1].mT)(*m.linalg.eigh(spd(m, x))),
           make=gauss(3, 3), atol=T),  # fmt: skip
    OpCase("linalg_eigvalsh", lambda m, x: m.linalg.eigvalsh(sym(x)), make=gauss(2, 3, 3), atol=T),
    OpCase("linalg_eigvalsh_upper", lambda m, a: m.linalg.eigvalsh(a, UPLO="U"), make=spd_input(), gradcheck=False, atol=T),
]
