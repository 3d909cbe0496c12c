"""Matrix functions: ``matrix_exp``, ``matrix_power``, ``pinv``, ``matrix_rank``, ``lstsq``.

``matrix_exp`` is scaling and squaring of a Taylor polynomial; its gradient is the upper-right block of
the exponential of a block-triangular matrix. ``pinv``'s gradient is the constant-rank formula of Golub
and Pereyra; ``lstsq`` is ``pinv(A) @ B`` (the minimum-norm least-squares solution) and inherits it."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops import linalg as _mm
from ..ops import reduce as _red
from ..ops import shape as _shape
from ..ops._util import Function, check_tensor, make
from ._common import check_matrix, legacy_name, mT, np_dtype, return_tuple
from .solvers import inv

__all__ = ["matrix_exp", "matrix_power", "pinv", "matrix_rank", "lstsq"]

_TAYLOR_DEGREE = 18  # with ‖X‖₁ ≤ 1/2 the truncation error is below 2⁻¹⁹/19! — far under float64's epsilon


def expm(a: np.ndarray) -> np.ndarray:
    """exp(A) for a stack of square matrices: exp(A) = exp(A/2ˢ)^(2ˢ), the inner one a Taylor polynomial in
    Horner form, with s per matrix chosen so that ‖A/2ˢ‖₁ ≤ 1/2."""
    n = a.shape[-1]
    if a.size == 0:
        return a.copy()
    norm1 = np.abs(a).sum(axis=-2).max(axis=-1)
    with np.errstate(divide="ignore"):
        s = np.maximum(0, np.ceil(np.log2(np.maximum(norm1, 1e-300) / 0.5))).astype(np.int64)
    x = a / np.exp2(s)[..., None, None].astype(a.dtype)
    eye = np.eye(n, dtype=a.dtype)
    e = eye + x / _TAYLOR_DEGREE
    for k in range(_TAYLOR_DEGREE - 1, 0, -1):
        e = eye + (x @ e) / k
    for i in range(int(s.max(initial=0))):
        e = np.where((s > i)[..., None, None], e @ e, e)
    return e


class MatrixExp(Function):
    """E = exp(A) = Σₖ Aᵏ/k!  (A (..., n, n)).
    VJP: gA = the upper-right n×n block of exp([[Aᵀ, G], [0, Aᵀ]])  (the adjoint of the Fréchet derivative;
    recorded with ``linalg.matrix_exp`` itself under ``create_graph``)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any) -> Any:
        ctx.save_for_backward(a)
        return expm(a)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (a,) = ctx.saved_tensors
        xp = ctx.xp
        n = a.shape[-1]
        shape = np.broadcast_shapes(tuple(a.shape), tuple(g.shape))
        at = xp.broadcast_to(xp.swapaxes(a, -1, -2), shape)
        top = xp.concatenate([at, xp.broadcast_to(g, shape)], axis=-1)
        bottom = xp.concatenate([np.zeros(shape, np_dtype(a)), at], axis=-1)
        big = xp.concatenate([top, bottom], axis=-2)
        return (xp.linalg.matrix_exp if xp.is_tensor else expm)(big)[..., :n, n:]


class MatrixPower(Function):
    """P = Aᵏ for an integer k ≥ 0 (A⁰ = I).
    VJP: gA = Σ_{j=0}^{k-1} (Aᵀ)ʲ G (Aᵀ)^{k-1-j}."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, k: int) -> Any:
        ctx.k = k
        ctx.save_for_backward(a)
        out = np.linalg.matrix_power(a, k)
        return out.copy() if out is a else out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (a,) = ctx.saved_tensors
        xp = ctx.xp
        k = ctx.k
        at = xp.swapaxes(a, -1, -2)
        powers: list[Any] = [None, at]  # (Aᵀ)ʲ; None stands for the identity
        for _ in range(k - 2):
            powers.append(powers[-1] @ at)
        ga = xp.zeros_like(a)
        for j in range(k):
            left, right = powers[j], powers[k - 1 - j]
            term = g if left is None else left @ g
            ga = ga + (term if right is None else term @ right)
        return ga, None


class Pinv(Function):
    """X = A⁺, the Moore–Penrose pseudo-inverse (A (..., m, n) -> X (..., n, m)); singular values (``hermitian``:
    |eigenvalues|) at or below tol = max(atol, rtol·σ_max) count as zero.
    VJP (constant rank): gA = −Xᵀ G Xᵀ + (I − A X) Gᵀ X Xᵀ + Xᵀ X Gᵀ (I − X A)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, atol: Any, rtol: Any, hermitian: bool) -> Any:
        m, n = a.shape[-2:]
        if a.size == 0:
            x = np.zeros(a.shape[:-2] + (n, m), a.dtype)
        elif hermitian:
            w, v = np.linalg.eigh(a)
            x = (v * _pinv_values(np.abs(w), w, atol, rtol)[..., None, :]) @ mT(v)
        else:
            u, s, vh = np.linalg.svd(a, full_matrices=False)
            x = mT(vh) @ (_pinv_values(s, s, atol, rtol)[..., :, None] * mT(u))
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, x = ctx.saved_tensors
        xp = ctx.xp
        xt, gt = xp.swapaxes(x, -1, -2), xp.swapaxes(g, -1, -2)
        ax, xa = a @ x, x @ a
        ga = -(xt @ g @ xt) + (gt - ax @ gt) @ (x @ xt) + (xt @ x) @ (gt - gt @ xa)
        return ga, None, None, None


def _pinv_values(mag: np.ndarray, vals: np.ndarray, atol: Any, rtol: Any) -> np.ndarray:
    """1/v for the values whose magnitude exceeds tol = max(atol, rtol·max magnitude), 0 for the others."""
    tol = np.maximum(atol, rtol * mag.max(axis=-1, initial=0.0))[..., None]
    keep = mag > tol
    with np.errstate(divide="ignore"):
        return np.where(keep, 1.0 / np.where(keep, vals, 1.0), 0.0).astype(vals.dtype)


def _tolerances(a: np.ndarray, atol: Any, rtol: Any) -> tuple[Any, Any]:
    """PyTorch's defaults: rtol = eps·max(m, n) unless atol > 0 is given alone (then rtol = 0)."""
    at = 0.0 if atol is None else (atol._data if hasattr(atol, "_data") else atol)
    if rtol is None:
        given = atol is not None and np.any(np.asarray(at) > 0)
        rt: Any = 0.0 if given else np.finfo(a.dtype).eps * max(a.shape[-2:])
    else:
        rt = rtol._data if hasattr(rtol, "_data") else rtol
    return np.asarray(at, dtype=a.dtype), np.asarray(rt, dtype=a.dtype)


def matrix_exp(A: Any) -> Any:
    """exp(A) = Σₖ Aᵏ/k! of each square matrix of A (..., n, n)."""
    check_matrix("linalg.matrix_exp", A, square=True)
    return MatrixExp.apply(A)


def matrix_power(A: Any, n: int) -> Any:
    """Aⁿ for an integer n: A⁰ = I, negative n is (A⁻¹)^|n| (``LinAlgError`` if A is singular). n ≥ 0 works
    for integer matrices too."""
    a = check_tensor(A, "linalg.matrix_power", "A")._data
    if a.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"linalg.matrix_power: A must be batches of square matrices, but they are {a.shape[-2]} by "
            f"{a.shape[-1]} matrices"
        )
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg.matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        return MatrixPower.apply(inv(A), -int(n))
    return MatrixPower.apply(A, int(n))


def pinv(A: Any, *, atol: Any = None, rtol: Any = None, hermitian: bool = False, rcond: Any = None) -> Any:
    """Moore–Penrose pseudo-inverse of A (..., m, n) -> (..., n, m). Singular values ≤ max(atol, rtol·σ_max)
    are treated as zero (default rtol = eps·max(m, n)); ``hermitian`` uses the eigendecomposition."""
    a = check_tensor(A, "linalg.pinv", "A")._data
    if a.ndim < 2 or a.dtype.kind != "f" or a.dtype.itemsize < 4:
        raise RuntimeError(
            f"linalg.pinv({legacy_name(a)}{{{list(a.shape)}}}): expected a tensor with 2 or more dimensions of float, "
            "double, cfloat or cdouble types"
        )
    if rcond is not None:  # the older name of rtol
        rtol = rcond
    at, rt = _tolerances(a, atol, rtol)
    return Pinv.apply(A, at, rt, bool(hermitian))


def matrix_rank(A: Any, *, atol: Any = None, rtol: Any = None, hermitian: bool = False, tol: Any = None) -> Any:
    """Number of singular values (``hermitian``: |eigenvalues|) above max(atol, rtol·σ_max); int64, batch shape."""
    a = check_matrix("linalg.matrix_rank", A)
    if tol is not None:  # the older name of atol
        atol, rtol = tol, 0.0 if rtol is None else rtol
    at, rt = _tolerances(a, atol, rtol)
    if a.size == 0:
        return make(np.zeros(a.shape[:-2], np.int64))
    s = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
    tol_ = np.maximum(at, rt * s.max(axis=-1))[..., None]
    return make((s > tol_).sum(axis=-1).astype(np.int64))


LstsqResult = return_tuple(
    "linalg_lstsq", ["solution", "residuals", "rank", "singular_values"],
    "``(solution, residuals, rank, singular_values)`` returned by ``linalg.lstsq``.",
)  # fmt: skip

_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A: Any, B: Any, rcond: float | None = None, *, driver: str | None = None) -> Any:
    """Least squares: X minimising ‖A X − B‖ (the minimum-norm one when A is rank-deficient), computed as
    pinv(A) @ B with singular values ≤ rcond·σ_max dropped (default rcond = eps·max(m, n)).

    Returns ``(solution, residuals, rank, singular_values)`` as PyTorch on CPU: ``rank`` for the drivers
    gelsy (default), gelsd and gelss; ``singular_values`` for gelsd/gelss; ``residuals`` (squared residual
    norms per column) for drivers other than gelsy when m > n and every A has full rank; else empty."""
    op = "torch.linalg.lstsq"
    a = check_matrix(op, A)
    check_tensor(B, op, "B")
    b = B._data
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"{op}: Expected input and other to have the same dtype, but got input's dtype {legacy_name(a)} and "
            f"other's dtype {legacy_name(b)}"
        )
    drv = "gelsy" if driver is None else driver
    if drv not in _DRIVERS:
        raise RuntimeError(f"{op}: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    if not (a.ndim >= b.ndim and a.ndim - b.ndim <= 1):
        raise RuntimeError(f"{op}: input.dim() must be greater or equal to other.dim() and (input.dim() - other.dim()) <= 1")
    vector = b.ndim == a.ndim - 1
    if vector:
        B = _shape.unsqueeze(B, -1)
        b = B._data
    if a.shape[-2] != b.shape[-2]:
        raise RuntimeError(f"{op}: input.size(-2) should match other.size(-2)")
    m, n = a.shape[-2:]
    rc = np.finfo(a.dtype).eps * max(m, n) if rcond is None or rcond < 0 else rcond
    at, rt = np.asarray(0.0, a.dtype), np.asarray(rc, a.dtype)
    x = _mm.matmul(Pinv.apply(A, at, rt, False), B)
    empty = make(np.zeros((0,), a.dtype))
    s = np.linalg.svd(a, compute_uv=False) if a.size else np.zeros(a.shape[:-2] + (0,), a.dtype)
    rank_arr = (s > rc * s.max(axis=-1, initial=0.0)[..., None]).sum(axis=-1).astype(np.int64)
    rank = make(np.zeros((0,), np.int64)) if drv == "gels" else make(rank_arr)
    svals = make(s) if drv in ("gelsd", "gelss") else empty
    residuals = empty
    if drv != "gelsy" and m > n and np.all(rank_arr == n):
        r = _mm.matmul(A, x) - B
        residuals = _red.sum(r * r, dim=-2)  # a vector B keeps its column: shape (..., 1), as PyTorch
    if vector:
        x = _shape.squeeze(x, -1)
    return LstsqResult(x, residuals, rank, svals)

