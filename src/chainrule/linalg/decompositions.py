"""Matrix decompositions and their gradients: ``cholesky`` (+ ``cholesky_ex``), ``qr``, ``svd``/``svdvals``,
``eigh``/``eigvalsh``. Batched over leading dims; the forward is LAPACK through NumPy.

The gradients of U/V and of eigenvectors divide by differences of singular values/eigenvalues: they
are finite only for distinct ones (PyTorch has the same limit)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops._util import Function, make
from ._common import (
    LinAlgError,
    batch_prefix,
    check_matrix,
    eye_like,
    first_failure,
    mT,
    not_pd_order,
    np_dtype,
    return_tuple,
)

__all__ = ["cholesky", "cholesky_ex", "qr", "svd", "svdvals", "eigh", "eigvalsh"]


# The VJPs below are written with ``xp`` (``ctx.xp``): NumPy for first-order backward, the recorded Tensor
# namespace under ``create_graph=True`` (then the saved factors are the op's own outputs, connected to the graph).


def _t(x: Any, xp: Any) -> Any:
    """Xᵀ over the last two dims."""
    return xp.swapaxes(x, -1, -2)


def _sym(x: Any, xp: Any = np) -> Any:
    """(X + Xᵀ)/2: the gradient of a function of a symmetric matrix, as PyTorch reports it."""
    return 0.5 * (x + _t(x, xp))


def _phi(x: Any, xp: Any) -> Any:
    """Φ(X): the lower triangle of X with its diagonal halved (arrays: halved in place, no n×n mask)."""
    if xp.is_tensor:
        return xp.tril(x) - 0.5 * (x * eye_like(x))
    out = np.tril(x)
    np.einsum("...ii->...i", out)[...] *= 0.5
    return out


def _used(g: Any) -> bool:
    """Whether the gradient of an output can be other than zero (a recorded one always can)."""
    return bool(getattr(g, "_requires_grad", False)) or bool(np.any(getattr(g, "_data", g)))


class Cholesky(Function):
    """L = chol(A), A = L Lᵀ with L lower triangular, read from A's lower triangle (``upper``: A = Uᵀ U from
    the upper triangle, U = Lᵀ).
    From L⁻¹ dA L⁻ᵀ = L⁻¹dL + (L⁻¹dL)ᵀ with L⁻¹dL lower: L⁻¹dL = Φ(L⁻¹ dA L⁻ᵀ)  (Φ: tril, diagonal halved).
    VJP: gA = sym(L⁻ᵀ Φ(Lᵀ G) L⁻¹),  sym(X) = (X + Xᵀ)/2  (G the gradient of L; of Lᵀ when ``upper``)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, upper: bool) -> Any:
        read = mT(a) if upper else a  # the triangle PyTorch reads: lower, or upper for ``upper``
        try:
            low = np.linalg.cholesky(read)
        except np.linalg.LinAlgError:
            raise _not_pd("linalg.cholesky", read) from None
        ctx.upper = upper
        out = mT(low).copy() if upper else low
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (out,) = ctx.saved_tensors
        xp = ctx.xp
        low = _t(out, xp) if ctx.upper else out
        if ctx.upper:
            g = _t(g, xp)
        lt = _t(low, xp)
        y = xp.linalg.solve(lt, _phi(lt @ g, xp))  # L⁻ᵀ Φ(Lᵀ G)
        return _sym(_t(xp.linalg.solve(lt, _t(y, xp)), xp), xp), None  # (L⁻ᵀ Yᵀ)ᵀ = Y L⁻¹


def _not_pd(op: str, a: np.ndarray) -> LinAlgError:
    k = first_failure(a, lambda m: not_pd_order(m) > 0)
    order = not_pd_order(a.reshape((-1,) + a.shape[-2:])[k])
    return LinAlgError(
        f"{op}: {batch_prefix(a.shape[:-2], k)}The factorization could not be completed because the input is not "
        f"positive-definite (the leading minor of order {order} is not positive-definite)."
    )


def _copyltu(m: Any, xp: Any) -> Any:
    """The symmetric matrix whose lower triangle (diagonal included) is that of M."""
    low = xp.tril(m, -1)
    return low + _t(low, xp) + m * eye_like(m)


def _qr_tall_vjp(q: Any, r: Any, gq: Any, gr: Any, xp: Any) -> Any:
    """gA of A = Q R with A (m, n), m ≥ n, Q (m, n), R (n, n):
    M = R G_Rᵀ − G_Qᵀ Q,   gA = (G_Q + Q copyltu(M)) R⁻ᵀ."""
    m = r @ _t(gr, xp) - _t(gq, xp) @ q
    b = gq + q @ _copyltu(m, xp)
    return _t(xp.linalg.solve(r, _t(b, xp)), xp)  # B R⁻ᵀ = (R⁻¹ Bᵀ)ᵀ


class QR(Function):
    """A = Q R, Q with orthonormal columns, R upper triangular (mode 'reduced', 'complete' or 'r').
    VJP (m ≥ n): M = R G_Rᵀ − G_Qᵀ Q,  gA = (G_Q + Q copyltu(M)) R⁻ᵀ  (copyltu: symmetric from the lower triangle).
    Wide A = [X | Y] (m < n), R = [U | V]: gY = Q G_V, gX = the tall VJP of X = Q U with G_Q + Y G_Vᵀ, G_U.
    Not differentiable for mode 'r' (no Q) or mode 'complete' with m > n (Q's extra columns are not unique)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, mode: str) -> Any:
        m, n = a.shape[-2:]
        if mode == "r":
            r = np.linalg.qr(a, mode="r") if a.size else np.zeros(a.shape[:-2] + (min(m, n), n), a.dtype)
            q = np.zeros((0,), a.dtype)
        elif a.size:
            q, r = np.linalg.qr(a, mode=mode)
        else:
            k = m if mode == "complete" else min(m, n)
            q = np.broadcast_to(np.eye(m, k, dtype=a.dtype), a.shape[:-2] + (m, k)).copy()
            r = np.zeros(a.shape[:-2] + (k, n), a.dtype)
        ctx.mode = mode
        ctx.save_for_backward(a, q, r)
        return q, r

    @staticmethod
    def backward(ctx: Any, gq: Any, gr: Any) -> Any:
        a, q, r = ctx.saved_tensors
        m, n = a.shape[-2:]
        if ctx.mode == "r":
            raise RuntimeError(
                "linalg.qr: The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr."
            )
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("linalg.qr: The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        xp = ctx.xp
        if m >= n:
            return _qr_tall_vjp(q, r, gq, gr, xp), None
        y, gu, gv = a[..., m:], gr[..., :m], gr[..., m:]
        gx = _qr_tall_vjp(q, r[..., :m], gq + y @ _t(gv, xp), gu, xp)
        return xp.concatenate([gx, q @ gv], axis=-1), None


def _inv_gaps(v: Any, xp: Any) -> Any:
    """F with F_ij = 1/(v_j − v_i) off the diagonal and 0 on it (inf where two values coincide)."""
    d = v[..., None, :] - v[..., :, None]
    eye = np.eye(v.shape[-1], dtype=bool)
    zero, one = np.zeros((), np_dtype(v)), np.ones((), np_dtype(v))
    with np.errstate(divide="ignore"):
        return xp.where(eye, zero, one / xp.where(eye, one, d))


class SVD(Function):
    """A = U diag(S) Vᵀ (A (m, n), k = min(m, n); ``full_matrices`` pads U, Vᵀ to square).
    With J = Uᵀ G_U, K = Vᵀ G_V (k×k) and F_ij = 1/(s_j² − s_i²) (0 on the diagonal):
    VJP: gA = U [(F∘(J − Jᵀ)) S + S (F∘(K − Kᵀ)) + diag(G_S)] Vᵀ
              + (I − U Uᵀ) G_U S⁻¹ Vᵀ + U S⁻¹ G_Vᵀ (I − V Vᵀ)   (the last two only for m > k, resp. n > k).
    With ``full_matrices`` the gradient of the padding columns is dropped (they are not unique)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, full_matrices: bool) -> Any:
        m, n = a.shape[-2:]
        if a.size:
            u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        else:
            k = min(m, n)
            b = a.shape[:-2]
            s = np.zeros(b + (k,), a.dtype)
            u = np.broadcast_to(np.eye(m, m if full_matrices else k, dtype=a.dtype), b + (m, m if full_matrices else k)).copy()
            vh = np.broadcast_to(np.eye(n if full_matrices else k, n, dtype=a.dtype), b + (n if full_matrices else k, n)).copy()
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx: Any, gu: Any, gs: Any, gvh: Any) -> Any:
        u, s, vh = ctx.saved_tensors
        xp = ctx.xp
        k = s.shape[-1]
        if u.shape[-1] != k:
            u, gu = u[..., :k], gu[..., :k]
        if vh.shape[-2] != k:
            vh, gvh = vh[..., :k, :], gvh[..., :k, :]
        v, gv = _t(vh, xp), _t(gvh, xp)
        inner = gs[..., :, None] * eye_like(s)
        use_u, use_v = _used(gu), _used(gv)
        if use_u or use_v:
            f = _inv_gaps(s * s, xp)
        if use_u:
            j = _t(u, xp) @ gu
            inner = inner + (f * (j - _t(j, xp))) * s[..., None, :]
        if use_v:
            kk = vh @ gv
            inner = inner + s[..., :, None] * (f * (kk - _t(kk, xp)))
        ga = u @ inner @ vh
        m, n = u.shape[-2], vh.shape[-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            if use_u and m > k:
                gus = gu / s[..., None, :]
                ga = ga + (gus - u @ (_t(u, xp) @ gus)) @ vh
            if use_v and n > k:
                gvs = gv / s[..., None, :]
                ga = ga + u @ _t(gvs - v @ (vh @ gvs), xp)
        return ga, None


class Eigh(Function):
    """A = V diag(λ) Vᵀ for symmetric A (eigenvalues ascending; A read from its ``UPLO`` triangle).
    With F_ij = 1/(λ_j − λ_i) (0 on the diagonal):
    VJP: gA = sym(V (diag(G_λ) + F∘(Vᵀ G_V)) Vᵀ),  sym(X) = (X + Xᵀ)/2."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, uplo: str) -> Any:
        w, v = np.linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx: Any, gw: Any, gv: Any) -> Any:
        w, v = ctx.saved_tensors
        xp = ctx.xp
        inner = gw[..., :, None] * eye_like(w)
        if _used(gv):
            inner = inner + _inv_gaps(w, xp) * (_t(v, xp) @ gv)
        return _sym(v @ inner @ _t(v, xp), xp), None


CholeskyEx = return_tuple("linalg_cholesky_ex", ["L", "info"], "``(L, info)`` returned by ``linalg.cholesky_ex``.")
QRResult = return_tuple("linalg_qr", ["Q", "R"], "``(Q, R)`` returned by ``linalg.qr``.")
SVDResult = return_tuple("linalg_svd", ["U", "S", "Vh"], "``(U, S, Vh)`` returned by ``linalg.svd``.")
EighResult = return_tuple("linalg_eigh", ["eigenvalues", "eigenvectors"], "``(eigenvalues, eigenvectors)`` of ``linalg.eigh``.")


def cholesky(A: Any, *, upper: bool = False) -> Any:
    """L with A = L Lᵀ (``upper``: U with A = Uᵀ U) for symmetric positive-definite A (..., n, n);
    ``LinAlgError`` naming the first leading minor that is not positive-definite."""
    check_matrix("linalg.cholesky", A, square=True)
    return Cholesky.apply(A, bool(upper))


def cholesky_ex(A: Any, *, upper: bool = False, check_errors: bool = False) -> Any:
    """``(L, info)``: ``info`` (int32, batch shape) is 0 or the order of the first leading minor that is not
    positive-definite; raises only when ``check_errors``."""
    a = check_matrix("linalg.cholesky_ex", A, square=True)
    read = mT(a) if upper else a
    try:
        np.linalg.cholesky(read)
    except np.linalg.LinAlgError:
        if check_errors:
            raise _not_pd("linalg.cholesky_ex", read) from None
        flat = read.reshape((-1,) + a.shape[-2:])
        info = np.array([not_pd_order(m) for m in flat], dtype=np.int32).reshape(a.shape[:-2])
        return CholeskyEx(make(np.full(a.shape, np.nan, a.dtype)), make(info))
    return CholeskyEx(Cholesky.apply(A, bool(upper)), make(np.zeros(a.shape[:-2], np.int32)))


def qr(A: Any, mode: str = "reduced") -> Any:
    """``(Q, R)`` with A = Q R; ``mode`` 'reduced' (Q (m, k)), 'complete' (Q (m, m)) or 'r' (Q empty)."""
    check_matrix("linalg.qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', or 'complete'"
        )
    return QRResult(*QR.apply(A, mode))


def svd(A: Any, full_matrices: bool = True, *, driver: Any = None) -> Any:
    """``(U, S, Vh)`` with A = U diag(S) Vh, S descending; ``full_matrices=False`` gives the reduced form."""
    check_matrix("linalg.svd", A)
    return SVDResult(*SVD.apply(A, bool(full_matrices)))


def svdvals(A: Any, *, driver: Any = None) -> Any:
    """Singular values of A (..., m, n), descending: shape (..., min(m, n))."""
    check_matrix("linalg.svd", A)
    return SVD.apply(A, False)[1]


def _check_uplo(UPLO: str) -> str:
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO


def eigh(A: Any, UPLO: str = "L") -> Any:
    """``(eigenvalues, eigenvectors)`` of symmetric A (..., n, n), eigenvalues ascending; only the ``UPLO``
    triangle ('L' or 'U') of A is read."""
    check_matrix("linalg.eigh", A, square=True, kernel="linalg_eigh_cpu")
    return EighResult(*Eigh.apply(A, _check_uplo(UPLO)))


def eigvalsh(A: Any, UPLO: str = "L") -> Any:
    """Eigenvalues (ascending) of symmetric A (..., n, n)."""
    check_matrix("linalg.eigh", A, square=True, kernel="linalg_eigh_cpu")
    return Eigh.apply(A, _check_uplo(UPLO))[0]
