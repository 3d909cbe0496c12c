"""Inverse, determinants and linear solves: ``inv``, ``inv_ex``, ``det``, ``slogdet``, ``logdet``, ``solve``,
``solve_ex``, ``solve_triangular``. All batched over leading dims (..., n, n); the forward is LAPACK through NumPy."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype
from ..ops import copy as _copy
from ..ops import elementwise as _ew
from ..ops import shape as _shape
from ..ops._util import Function, broadcast_error, check_tensor, make
from ._common import (
    LinAlgError,
    batch_prefix,
    check_matrix,
    check_same_dtype,
    eye_like,
    first_failure,
    mT,
    np_dtype,
    return_tuple,
    zero_pivot,
)

__all__ = ["inv", "inv_ex", "det", "slogdet", "logdet", "solve", "solve_ex", "solve_triangular"]


def _singular_inv(op: str, a: np.ndarray) -> LinAlgError:
    k = first_failure(a, lambda m: zero_pivot(m) > 0)
    piv = zero_pivot(a.reshape((-1,) + a.shape[-2:])[k])
    return LinAlgError(
        f"{op}: {batch_prefix(a.shape[:-2], k)}The diagonal element {piv} is zero, the inversion could not be "
        "completed because the input matrix is singular."
    )


def _inverse(op: str, a: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise _singular_inv(op, a) from None


class Inv(Function):
    """X = A⁻¹  (A (..., n, n)).
    VJP: gA = −Xᵀ G Xᵀ   (from dX = −X dA X)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any) -> Any:
        x = _inverse("linalg.inv", a)
        ctx.save_for_backward(x)
        return x

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        xt = ctx.xp.swapaxes(x, -1, -2)
        return -(xt @ g @ xt)


def cofactor(a: Any, xp: Any = np, d: Any = None) -> Any:
    """det(A)·A⁻ᵀ (the cofactor matrix), also where A is singular: with A = U S Vᵀ it is
    det(U)det(Vᵀ) U diag(Π_{j≠i} s_j) Vᵀ, the products taken without dividing by a zero s_i.
    ``d`` is det(A) when known; with the Tensor namespace both forms are recorded (the singular one through
    ``linalg.svd``, its sign det(U)det(Vᵀ) a constant)."""
    try:
        inv = xp.linalg.inv(a)
    except (np.linalg.LinAlgError, LinAlgError):
        return _cofactor_svd(a, xp)
    det = np.linalg.det(a) if d is None else d
    return det[..., None, None] * xp.swapaxes(inv, -1, -2)


def _cofactor_svd(a: Any, xp: Any) -> Any:
    u, s, vt = xp.linalg.svd(a)
    n = s.shape[-1]
    before, after = [None] * n, [None] * n  # Π_{j<i} s_j and Π_{j>i} s_j (None: the empty product)
    for i in range(1, n):
        before[i] = s[..., i - 1] if before[i - 1] is None else before[i - 1] * s[..., i - 1]
        j = n - 1 - i
        after[j] = s[..., j + 1] if after[j + 1] is None else after[j + 1] * s[..., j + 1]
    ones = np.ones(tuple(s.shape[:-1]), np_dtype(s))
    others = xp.stack([_times(b, c, ones) for b, c in zip(before, after)], axis=-1) if n else s
    sign = np.linalg.det(getattr(u, "_data", u)) * np.linalg.det(getattr(vt, "_data", vt))  # ±1, constant
    return sign[..., None, None] * ((u * others[..., None, :]) @ vt)


def _times(b: Any, c: Any, one: Any) -> Any:
    """b·c with None standing for 1."""
    if b is None:
        return one if c is None else c
    return b if c is None else b * c


class Det(Function):
    """d = det(A).
    VJP: gA = g·det(A)·A⁻ᵀ  (Jacobi's formula), i.e. g times the cofactor matrix, which stays finite
    for a singular A (computed there from the SVD; recorded under ``create_graph`` as well, through
    ``linalg.inv`` or ``linalg.svd``, so second derivatives exist at a singular A too). PyTorch's first-order
    backward returns zeros at an exactly singular A, its ``create_graph`` backward the cofactors, as here:
    they are the true derivative, and the limit of the gradient at nearby invertible matrices."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any) -> Any:
        d = np.asarray(np.linalg.det(a))
        ctx.save_for_backward(a, d)
        return d

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, d = ctx.saved_tensors
        return g[..., None, None] * cofactor(a, ctx.xp, d)


class SlogDet(Function):
    """(sign, logabsdet) = (sign det A, log|det A|).
    VJP: gA = g_logabsdet · A⁻ᵀ  (the sign is piecewise constant: no gradient); recorded with ``linalg.inv``."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any) -> Any:
        sign, logabs = (np.asarray(r) for r in np.linalg.slogdet(a))
        ctx.save_for_backward(a)
        ctx.mark_non_differentiable(sign)
        return sign, logabs

    @staticmethod
    def backward(ctx: Any, gsign: Any, glog: Any) -> Any:
        (a,) = ctx.saved_tensors
        xp = ctx.xp
        if xp.is_tensor:
            return glog[..., None, None] * xp.swapaxes(xp.linalg.inv(a), -1, -2)
        try:
            inv_t = mT(np.linalg.inv(a))
        except np.linalg.LinAlgError:  # singular: log|det| = -inf, its derivative blows up as PyTorch's
            with np.errstate(divide="ignore", invalid="ignore"):
                inv_t = cofactor(a) / np.linalg.det(a)[..., None, None]
        return glog[..., None, None] * inv_t


class Solve(Function):
    """X = A⁻¹ B  (A (..., n, n), B (..., n, k); batch dims broadcast).
    VJP: gB = A⁻ᵀ G,  gA = −gB Xᵀ."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        x = np.linalg.solve(a, b)
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, x = ctx.saved_tensors
        xp = ctx.xp
        gb = xp.linalg.solve(xp.swapaxes(a, -1, -2), g)
        return (-(gb @ xp.swapaxes(x, -1, -2)) if ctx.needs_input_grad[0] else None), gb


def _tri(a: Any, upper: bool, unit: bool, xp: Any = np) -> Any:
    """The triangle of ``a`` that a triangular solve reads (its diagonal set to 1 when ``unit``)."""
    if unit:
        strict = xp.triu(a, 1) if upper else xp.tril(a, -1)
        return strict + eye_like(strict)
    return xp.triu(a) if upper else xp.tril(a)


class SolveTriangular(Function):
    """X = T⁻¹ B with T the upper (or lower) triangle of A (unit diagonal when ``unitriangular``).
    VJP: gB = T⁻ᵀ G,  gA = triangle(−gB Xᵀ)  (strict triangle when ``unitriangular``: A's diagonal is unread).
    Recorded: T is taken again from A, so the second derivative reaches A through it."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, upper: bool, unit: bool) -> Any:
        t = _tri(a, upper, unit)
        with np.errstate(divide="ignore", invalid="ignore"):
            try:
                x = np.linalg.solve(t, b)
            except np.linalg.LinAlgError:  # a zero on the diagonal: LAPACK's trsm gives inf/nan, no error
                x = np.full(np.broadcast_shapes(t.shape[:-2], b.shape[:-2]) + b.shape[-2:], np.nan, a.dtype)
        ctx.upper, ctx.unit = upper, unit
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, x = ctx.saved_tensors
        xp = ctx.xp
        t = _tri(a, ctx.upper, ctx.unit, xp)
        gb = xp.linalg.solve(xp.swapaxes(t, -1, -2), g)
        ga = None
        if ctx.needs_input_grad[0]:
            k = 1 if ctx.unit else 0
            ga = -(gb @ xp.swapaxes(x, -1, -2))
            ga = xp.triu(ga, k) if ctx.upper else xp.tril(ga, -k)
        return ga, gb, None, None


InvEx = return_tuple("linalg_inv_ex", ["inverse", "info"], "``(inverse, info)`` returned by ``linalg.inv_ex``.")
SlogdetResult = return_tuple("linalg_slogdet", ["sign", "logabsdet"], "``(sign, logabsdet)`` of ``linalg.slogdet``.")
SolveEx = return_tuple("linalg_solve_ex", ["result", "info"], "``(result, info)`` returned by ``linalg.solve_ex``.")


def inv(A: Any) -> Any:
    """Inverse of each square matrix of ``A`` (..., n, n); ``LinAlgError`` if one is singular."""
    check_matrix("linalg.inv", A, square=True)
    return Inv.apply(A)


def inv_ex(A: Any, *, check_errors: bool = False) -> Any:
    """``(inverse, info)``: ``info`` (int32, batch shape) is 0 or the 1-based index of the zero pivot that
    makes a matrix singular (whose ``inverse`` is then all inf); raises only when ``check_errors``."""
    a = check_matrix("linalg.inv_ex", A, square=True)
    try:
        return InvEx(Inv.apply(A), make(np.zeros(a.shape[:-2], np.int32)))
    except LinAlgError:
        if check_errors:
            raise _singular_inv("linalg.inv_ex", a) from None
    flat = a.reshape((-1,) + a.shape[-2:])
    info = np.array([zero_pivot(m) for m in flat], dtype=np.int32).reshape(a.shape[:-2])
    bad = (info > 0)[..., None, None]
    x = np.where(bad, np.inf, np.linalg.inv(np.where(bad, np.eye(a.shape[-1], dtype=a.dtype), a))).astype(a.dtype)
    return InvEx(make(x), make(info))


def det(A: Any) -> Any:
    """Determinant of each square matrix of ``A`` (..., n, n) -> (...)."""
    check_matrix("linalg.det", A, square=True)
    return Det.apply(A)


def slogdet(A: Any) -> Any:
    """``(sign, logabsdet)`` with det(A) = sign·exp(logabsdet); stable where det over/underflows."""
    check_matrix("linalg.slogdet", A, square=True)
    return SlogdetResult(*SlogDet.apply(A))


def logdet(input: Any) -> Any:  # noqa: A002
    """log det(A): nan where det(A) < 0, -inf where det(A) = 0 (as PyTorch)."""
    check_matrix("logdet", input, square=True)
    sign, logabs = SlogDet.apply(input)
    s = sign._data
    if not np.any(s < 0):
        return logabs
    return _ew.add(logabs, make(np.where(s < 0, np.nan, 0.0).astype(s.dtype)))  # log|det| is -inf already at 0


def _is_vector_rhs(a: np.ndarray, b: np.ndarray) -> bool:
    """PyTorch's rule: B is a (batch of) vector(s) when it is 1-D or has A's batch shape plus one dim."""
    return b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])


def solve(A: Any, B: Any, *, left: bool = True) -> Any:
    """X with A X = B (``left=False``: X A = B); A (..., n, n), B (..., n, k) or a vector (..., n);
    batch dims broadcast. ``LinAlgError`` if A is singular."""
    op = "linalg.solve"
    a = check_matrix(op, A, square=True)
    check_tensor(B, op, "B")
    b = B._data
    check_same_dtype(op, a, b)
    vector = _is_vector_rhs(a, b)
    if vector:
        B = _shape.unsqueeze(B, -1)  # (PyTorch then rejects a vector with left=False)
        b = B._data
    n = a.shape[-1]
    if b.ndim < 2 or (b.shape[-2] if left else b.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        rows, cols = (b.shape[0], 1) if b.ndim == 1 else b.shape[-2:]
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation {eq} ({n}x{n} and {rows}x{cols})")
    if vector and not left:
        raise RuntimeError(
            f"{op}: Vector broadcasting of the left hand side is not supported for left=False. In this case "
            "linalg.solve is equivalent to B / A.squeeze(-1)"
        )
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise broadcast_error(op, b.shape[:-2], a.shape[:-2]) from None  # (PyTorch names B's batch first)
    try:
        if left:
            x = Solve.apply(A, B)
        else:  # X A = B  <=>  Aᵀ Xᵀ = Bᵀ
            x = _shape.transpose(Solve.apply(_shape.transpose(A, -1, -2), _shape.transpose(B, -1, -2)), -1, -2)
    except np.linalg.LinAlgError:
        raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is singular.") from None
    if vector:
        x = _shape.squeeze(x, -1)
    return x


def solve_ex(A: Any, B: Any, *, left: bool = True, check_errors: bool = False) -> Any:
    """``(result, info)`` of ``solve``; ``info`` (int32, A's batch shape) is 0 or the 1-based index of the zero
    pivot of a singular A (whose ``result`` entries are then nan); raises only when ``check_errors``."""
    a = check_matrix("linalg.solve_ex", A, square=True)
    try:
        return SolveEx(solve(A, B, left=left), make(np.zeros(a.shape[:-2], np.int32)))
    except LinAlgError:
        if check_errors:
            raise
    flat = a.reshape((-1,) + a.shape[-2:])
    info = np.array([zero_pivot(m) for m in flat], dtype=np.int32).reshape(a.shape[:-2])
    bad = info > 0
    safe = np.where(bad[..., None, None], np.eye(a.shape[-1], dtype=a.dtype), a)  # the same shapes, solvable
    x = solve(make(safe), B.detach(), left=left)._data.copy()
    rows = bad.reshape(bad.shape + (1,) * (x.ndim - bad.ndim))  # A's batch dims lead the result's
    x[np.broadcast_to(rows, x.shape)] = np.nan
    return SolveEx(make(x), make(info))


def solve_triangular(A: Any, B: Any, *, upper: bool, left: bool = True, unitriangular: bool = False) -> Any:
    """X with T X = B (``left=False``: X T = B), T the upper/lower triangle of A (..., n, n); B (..., n, k).
    The other triangle of A is not read; ``unitriangular`` takes T's diagonal as ones."""
    op = "linalg.solve_triangular"
    a = check_matrix(op, A, square=True, kernel="triangular_solve_cpu")
    b = check_matrix(op, B, "B", kernel="triangular_solve_cpu")
    if b.dtype != a.dtype:  # PyTorch computes in A's dtype here
        B = _copy.cast(B, _dtype.from_numpy_dtype(a.dtype))
        b = B._data
    n = a.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"{op}: Incompatible shapes of A and B for the equation {eq} ({n}x{n} and {b.shape[-2]}x{b.shape[-1]})"
        )
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise broadcast_error(op, b.shape[:-2], a.shape[:-2]) from None
    if left:
        return SolveTriangular.apply(A, B, bool(upper), bool(unitriangular))
    at, bt = _shape.transpose(A, -1, -2), _shape.transpose(B, -1, -2)
    return _shape.transpose(SolveTriangular.apply(at, bt, not upper, bool(unitriangular)), -1, -2)
