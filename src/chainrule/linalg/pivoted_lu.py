"""LU with partial pivoting: ``lu_factor`` (+ ``lu_factor_ex``), ``lu``, ``lu_solve``, ``lu_unpack``.

NumPy has no LU, so the factorization is written here: Doolittle elimination over the columns, each step
vectorized over the batch, with LAPACK getrf's pivot choice (the first largest |entry| of the column).
``LUFactor`` is the one primitive (its gradient below); unpacking and solving are compositions of
triangle extraction and triangular solves, so their gradients follow."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops import arrange as _arr
from ..ops import elementwise as _ew
from ..ops import linalg as _mm
from ..ops import shape as _shape
from ..ops._util import Function, check_tensor, make
from ._common import batch_prefix, legacy_name, mT, np_dtype, return_tuple
from .solvers import solve_triangular

__all__ = ["lu_factor", "lu_factor_ex", "lu", "lu_solve", "lu_unpack"]


def factorize(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(packed LU, pivots (1-based, int32), perm) of A (..., m, n) with A[perm] = L U: L unit lower
    (m, k) in the strict lower triangle, U (k, n) in the upper one, k = min(m, n)."""
    m, n = a.shape[-2:]
    k = min(m, n)
    b = int(np.prod(a.shape[:-2]))
    lu_ = a.reshape((b, m, n)).copy()
    piv = np.zeros((b, k), np.int32)
    perm = np.tile(np.arange(m), (b, 1))
    rows = np.arange(b)
    for j in range(k):
        p = j + np.argmax(np.abs(lu_[:, j:, j]), axis=1)
        piv[:, j] = p + 1
        lu_[rows, j], lu_[rows, p] = lu_[rows, p], lu_[rows, j].copy()
        perm[rows, j], perm[rows, p] = perm[rows, p], perm[rows, j].copy()
        d = lu_[:, j, j]
        zero = d == 0  # a zero pivot: the column below is zero too, LAPACK leaves it unscaled
        lu_[:, j + 1 :, j] /= np.where(zero, 1, d)[:, None]
        lu_[:, j + 1 :, j + 1 :] -= lu_[:, j + 1 :, j : j + 1] * lu_[:, j : j + 1, j + 1 :]
    batch = a.shape[:-2]
    return lu_.reshape(a.shape), piv.reshape(batch + (k,)), perm.reshape(batch + (m,))


# The VJP is written with ``xp`` (``ctx.xp``): NumPy for first-order backward, the recorded Tensor namespace
# under ``create_graph=True`` (then ``packed`` is the op's own output, connected to the graph).


def _unpack_arrays(packed: Any, xp: Any = np) -> tuple[Any, Any]:
    m, n = packed.shape[-2:]
    k = min(m, n)
    low = xp.tril(packed[..., :, :k], -1) + np.eye(m, k, dtype=np_dtype(packed))
    return low, xp.triu(packed[..., :k, :])


def _tri_solve(t: Any, b: Any, xp: Any = np) -> Any:
    """T⁻¹ B for a triangular T (nan where T is singular, as a triangular solve by substitution gives)."""
    try:
        return xp.linalg.solve(t, b)
    except (np.linalg.LinAlgError, RuntimeError):
        return np.full(np.broadcast_shapes(t.shape[:-2], b.shape[:-2]) + tuple(b.shape[-2:]), np.nan, np_dtype(b))


def _square_vjp(low: Any, up: Any, gl: Any, gu: Any, xp: Any) -> Any:
    """gĀ of Ā = L U (square): M = tril(Lᵀ G_L, −1) + triu(G_U Uᵀ),  gĀ = L⁻ᵀ M U⁻ᵀ."""
    m = xp.tril(_mt(low, xp) @ gl, -1) + xp.triu(gu @ _mt(up, xp))
    return _mt(_tri_solve(up, _mt(_tri_solve(_mt(low, xp), m, xp), xp), xp), xp)


def _mt(x: Any, xp: Any) -> Any:
    return xp.swapaxes(x, -1, -2)


class LUFactor(Function):
    """A[perm] = L U, i.e. A = P L U  (L unit lower (m, k), U upper (k, n), k = min(m, n)), packed in one
    (m, n) matrix beside the pivots. From L⁻¹ dĀ U⁻¹ = L⁻¹dL + dU U⁻¹ (strictly lower + upper), for square A:
    VJP: gĀ = L⁻ᵀ [tril(Lᵀ G_L, −1) + triu(G_U Uᵀ)] U⁻ᵀ, then gA = gĀ with the row permutation undone.
    Tall (m > n): L = [L₁; L₂] with L₂ = Ā₂ U⁻¹:  gĀ₂ = G_L₂ U⁻ᵀ and G_U ← G_U − L₂ᵀ G_L₂ U⁻ᵀ.
    Wide (m < n): U = [U₁ U₂] with U₂ = L⁻¹ Ā₂:  gĀ₂ = L⁻ᵀ G_U₂ and G_L ← G_L − L⁻ᵀ G_U₂ U₂ᵀ.
    (G_L, G_U: the gradient of the packed output's strict lower and upper parts.)"""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any) -> Any:
        with np.errstate(divide="ignore", invalid="ignore"):
            packed, piv, perm = factorize(a)
        ctx.save_for_backward(packed, perm)
        ctx.mark_non_differentiable(piv)
        return packed, piv

    @staticmethod
    def backward(ctx: Any, g: Any, gpiv: Any) -> Any:
        packed, perm = ctx.saved_tensors
        xp = ctx.xp
        m, n = packed.shape[-2:]
        k = min(m, n)
        low, up = _unpack_arrays(packed, xp)
        gl, gu = xp.tril(g[..., :, :k], -1), xp.triu(g[..., :k, :])
        with np.errstate(divide="ignore", invalid="ignore"):
            if m > n:
                l1, l2, gl1, gl2 = low[..., :k, :], low[..., k:, :], gl[..., :k, :], gl[..., k:, :]
                ga2 = _mt(_tri_solve(up, _mt(gl2, xp), xp), xp)  # G_L₂ U⁻ᵀ = (U⁻¹ G_L₂ᵀ)ᵀ
                gbar = xp.concatenate([_square_vjp(l1, up, gl1, gu - _mt(l2, xp) @ ga2, xp), ga2], axis=-2)
            elif m < n:
                u1, u2, gu1, gu2 = up[..., :, :k], up[..., :, k:], gu[..., :, :k], gu[..., :, k:]
                ga2 = _tri_solve(_mt(low, xp), gu2, xp)  # L⁻ᵀ G_U₂
                gbar = xp.concatenate([_square_vjp(low, u1, gl - ga2 @ _mt(u2, xp), gu1, xp), ga2], axis=-1)
            else:
                gbar = _square_vjp(low, up, gl, gu, xp)
        return xp.take_at(gbar, _unpermute_index(perm))


def _unpermute_index(perm: np.ndarray) -> tuple[Any, ...]:
    """The index that undoes the row order ``perm`` (rows of A[perm] back to A's rows), batch dims included:
    gA = gĀ[b…, perm⁻¹, :]."""
    inv = np.argsort(perm, axis=-1)
    nb = inv.ndim - 1
    batch = tuple(np.arange(b).reshape((1,) * i + (b,) + (1,) * (nb - i)) for i, b in enumerate(perm.shape[:-1]))
    return (*batch, inv)


LUFactorResult = return_tuple("linalg_lu_factor", ["LU", "pivots"], "``(LU, pivots)`` of ``linalg.lu_factor``.")
LUFactorEx = return_tuple("linalg_lu_factor_ex", ["LU", "pivots", "info"], "``(LU, pivots, info)`` of ``lu_factor_ex``.")
LUResult = return_tuple("linalg_lu", ["P", "L", "U"], "``(P, L, U)`` returned by ``linalg.lu``.")
LUUnpack = return_tuple("lu_unpack", ["P", "L", "U"], "``(P, L, U)`` returned by ``lu_unpack``.")


def _check_lu_input(op: str, A: Any, pivot: bool) -> np.ndarray:
    a = check_tensor(A, op, "A")._data
    if a.ndim < 2:
        raise RuntimeError(f"torch.lu_factor: Expected tensor with 2 or more dimensions. Got size: {list(a.shape)} instead")
    if a.dtype.kind != "f":
        raise NotImplementedError(f'"lu_cpu" not implemented for \'{legacy_name(a)}\'')
    if not pivot:
        raise RuntimeError(f"{op}: LU without pivoting is not implemented on the CPU")
    return a


def _info(packed: np.ndarray) -> np.ndarray:
    """1-based index of the first zero on U's diagonal (getrf's ``info``), 0 where there is none."""
    d = np.diagonal(packed, axis1=-2, axis2=-1) == 0
    if d.shape[-1] == 0:
        return np.zeros(d.shape[:-1], np.int32)
    return np.where(d.any(axis=-1), np.argmax(d, axis=-1) + 1, 0).astype(np.int32)


def lu_factor_ex(A: Any, *, pivot: bool = True, check_errors: bool = False) -> Any:
    """``(LU, pivots, info)``: the packed factors of A[perm] = L U, LAPACK's 1-based row swaps, and ``info``
    (int32, batch shape) = 0 or the index of the first zero on U's diagonal."""
    _check_lu_input("linalg.lu_factor_ex", A, pivot)
    packed, piv = LUFactor.apply(A)
    info = _info(packed._data)
    if check_errors and info.any():
        raise _singular("torch.linalg.lu_factor_ex", info)
    return LUFactorEx(packed, piv, make(info))


def _singular(op: str, info: np.ndarray) -> RuntimeError:
    k = int(np.argmax(info.reshape(-1) > 0))
    i = int(info.reshape(-1)[k])
    return RuntimeError(
        f"{op}: {batch_prefix(info.shape, k)}U[{i},{i}] is zero and using it on lu_solve would result in a division "
        "by zero. If you still want to perform the factorization, consider calling linalg.lu(A, pivot) or "
        "linalg.lu_factor_ex(A, pivot)"
    )


def lu_factor(A: Any, *, pivot: bool = True) -> Any:
    """``(LU, pivots)`` of A (..., m, n) with partial pivoting; a RuntimeError if U has a zero on its diagonal
    (use ``lu_factor_ex`` or ``lu`` for singular matrices)."""
    _check_lu_input("linalg.lu_factor", A, pivot)
    packed, piv = LUFactor.apply(A)
    info = _info(packed._data)
    if info.any():
        raise _singular("torch.linalg.lu_factor", info)
    return LUFactorResult(packed, piv)


def _perm_from_pivots(piv: np.ndarray, m: int) -> np.ndarray:
    """The row order ``perm`` (A[perm] = L U) that LAPACK's sequential swaps ``piv`` (1-based) make."""
    flat = piv.reshape((int(np.prod(piv.shape[:-1])), piv.shape[-1])).astype(np.int64) - 1
    perm = np.tile(np.arange(m), (flat.shape[0], 1))
    rows = np.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        perm[rows, j], perm[rows, p] = perm[rows, p], perm[rows, j].copy()
    return perm.reshape(piv.shape[:-1] + (m,))


def _perm_matrix(perm: np.ndarray, dtype: Any) -> np.ndarray:
    """P with A = P L U, i.e. P[perm[i], i] = 1."""
    m = perm.shape[-1]
    p = np.zeros(perm.shape + (m,), dtype)
    np.put_along_axis(p, perm[..., :, None], 1, axis=-1)
    return mT(p)


def lu_unpack(LU_data: Any, LU_pivots: Any, unpack_data: bool = True, unpack_pivots: bool = True) -> Any:
    """``(P, L, U)`` from the packed factors (L unit lower (m, k), U upper (k, n)); an empty tensor for a part
    not asked for. Differentiable with respect to ``LU_data``."""
    packed = check_tensor(LU_data, "lu_unpack", "LU_data")._data
    m, n = packed.shape[-2:]
    k = min(m, n)
    empty = make(np.zeros((0,), packed.dtype))
    low = up = empty
    if unpack_data:
        eye = make(np.eye(m, k, dtype=packed.dtype))
        low = _ew.add(_arr.tril(_shape.narrow(LU_data, -1, 0, k), -1), eye)
        up = _arr.triu(_shape.narrow(LU_data, -2, 0, k))
    p = empty
    if unpack_pivots:
        p = make(_perm_matrix(_perm_from_pivots(LU_pivots._data, m), packed.dtype))
    return LUUnpack(p, low, up)


def lu(A: Any, *, pivot: bool = True) -> Any:
    """``(P, L, U)`` with A = P L U: P a permutation, L unit lower (m, k), U upper (k, n), k = min(m, n).
    Works for singular A too."""
    _check_lu_input("linalg.lu", A, pivot)
    packed, piv = LUFactor.apply(A)
    return LUResult(*lu_unpack(packed, piv))


def lu_solve(LU: Any, pivots: Any, B: Any, *, left: bool = True, adjoint: bool = False) -> Any:
    """X with A X = B from A's ``lu_factor`` (``adjoint``: Aᵀ X = B; ``left=False``: X A = B), B (..., n, k):
    the permutation, then two triangular solves. Differentiable with respect to ``LU`` and ``B``."""
    op = "linalg.lu_solve"
    a = check_tensor(LU, op, "LU")._data
    b = check_tensor(B, op, "B")._data
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"torch.{op}: A must be batches of square matrices, but they are {a.shape[-2]} by {a.shape[-1]} matrices"
        )
    if b.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor B must have at least 2 dimensions.")
    if not left:  # X A = B  <=>  Aᵀ Xᵀ = Bᵀ
        xt = lu_solve(LU, pivots, _shape.transpose(B, -1, -2), adjoint=not adjoint)
        return _shape.transpose(xt, -1, -2)
    p, low, up = lu_unpack(LU, pivots)
    if adjoint:  # Aᵀ = Uᵀ Lᵀ Pᵀ:  X = P L⁻ᵀ U⁻ᵀ B
        y = solve_triangular(_shape.transpose(up, -1, -2), B, upper=False)
        z = solve_triangular(_shape.transpose(low, -1, -2), y, upper=True, unitriangular=True)
        return _mm.matmul(p, z)
    y = solve_triangular(low, _mm.matmul(_shape.transpose(p, -1, -2), B), upper=False, unitriangular=True)
    return solve_triangular(up, y, upper=True)
