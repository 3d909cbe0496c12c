"""Householder reflectors: ``geqrf`` (QR in LAPACK's compact form), ``householder_product`` (= ``orgqr``)
and ``ormqr``. A reflector is Hᵢ = I − τᵢ vᵢ vᵢᵀ with vᵢ = (0, …, 0, 1, A[i+1:, i]); Q = H₁ H₂ ⋯ H_k.

``householder_product`` and ``ormqr`` apply the reflectors one by one with differentiable ops, so their
gradients (to A, τ and C) come from those ops; ``geqrf`` is not differentiable, as in PyTorch."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops import arrange as _arr
from ..ops import elementwise as _ew
from ..ops import linalg as _mm
from ..ops import shape as _shape
from ..ops._util import check_tensor, make
from ._common import legacy_name, mT, return_tuple

__all__ = ["householder_product", "geqrf", "orgqr", "ormqr"]

GeqrfResult = return_tuple("geqrf", ["a", "tau"], "``(a, tau)`` returned by ``geqrf``.")


def geqrf(input: Any) -> Any:  # noqa: A002
    """``(a, tau)``: A = Q R with R in a's upper triangle and Q's reflectors below it and in ``tau``
    (LAPACK's geqrf). Not differentiable."""
    a = check_tensor(input, "geqrf", "input")._data
    if a.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    if a.dtype.kind != "f":
        raise RuntimeError(f"torch.geqrf: Expected a floating point or complex tensor as input. Got {legacy_name(a)}")
    k = min(a.shape[-2:])
    if a.size == 0:
        return GeqrfResult(make(a.copy()), make(np.zeros(a.shape[:-2] + (k,), a.dtype)))
    h, tau = np.linalg.qr(a, mode="raw")
    return GeqrfResult(make(np.ascontiguousarray(mT(h)).astype(a.dtype)), make(tau.astype(a.dtype)))


def _reflectors(op: str, A: Any, tau: Any) -> tuple[Any, int]:
    """V whose columns are the vᵢ (unit diagonal, A's strict lower triangle), and the count k of τ."""
    a = check_tensor(A, op, "input")._data
    t = check_tensor(tau, op, "tau")._data
    if a.ndim < 2:
        raise RuntimeError(f"torch.{op}: input must have at least 2 dimensions.")
    if a.dtype != t.dtype:
        raise RuntimeError(f"torch.{op}: tau dtype {legacy_name(t)} does not match input dtype {legacy_name(a)}")
    if t.shape[:-1] != a.shape[:-2]:
        raise RuntimeError(
            f"torch.{op}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got {list(t.shape[:-1])}"
        )
    m, n = a.shape[-2:]
    eye = make(np.eye(m, n, dtype=a.dtype))
    return _ew.add(_arr.tril(A, -1), eye), t.shape[-1]


def _column(v: Any, i: int) -> Any:
    return _shape.narrow(v, -1, i, 1)


def _tau(tau: Any, i: int) -> Any:
    return _shape.unsqueeze(_shape.narrow(tau, -1, i, 1), -1)  # (..., 1, 1)


def householder_product(A: Any, tau: Any) -> Any:
    """The first n columns of Q = H₁ ⋯ H_k, Hᵢ = I − τᵢ vᵢ vᵢᵀ, from A (..., m, n) (m ≥ n) and τ (..., k) (k ≤ n):
    Q is built right to left, Q ← Q − τᵢ vᵢ (vᵢᵀ Q), starting from the first n columns of I."""
    op = "linalg.householder_product"
    a = check_tensor(A, op, "input")._data
    if a.ndim >= 2 and a.shape[-2] < a.shape[-1]:
        raise RuntimeError(f"torch.{op}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    if a.ndim >= 2 and tau._data.shape[-1] > a.shape[-1]:
        raise RuntimeError(f"torch.{op}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    v, k = _reflectors(op, A, tau)
    m, n = a.shape[-2:]
    q = make(np.broadcast_to(np.eye(m, n, dtype=a.dtype), a.shape).copy())
    for i in reversed(range(k)):
        vi = _column(v, i)
        q = _ew.sub(q, _mm.matmul(_ew.mul(_tau(tau, i), vi), _mm.matmul(_shape.transpose(vi, -1, -2), q)))
    return q


orgqr = householder_product


def ormqr(input: Any, tau: Any, other: Any, left: bool = True, transpose: bool = False) -> Any:  # noqa: A002
    """Q·C, Qᵀ·C, C·Q or C·Qᵀ (``left``/``transpose``) for C = ``other`` and Q = H₁ ⋯ H_k (m × m) from ``geqrf``'s
    (input, tau), each reflector applied in turn: Hᵢ C = C − τᵢ vᵢ (vᵢᵀ C), C Hᵢ = C − (C vᵢ) τᵢ vᵢᵀ."""
    op = "ormqr"
    a = check_tensor(input, op, "input")._data
    c = check_tensor(other, op, "other")._data
    m = a.shape[-2] if a.ndim >= 2 else 0
    if left and c.shape[-2] != m:
        raise RuntimeError(f"torch.{op}: other.shape[-2] must be equal to input.shape[-2]")
    if not left and c.shape[-1] != m:
        raise RuntimeError(f"torch.{op}: other.shape[-1] must be equal to input.shape[-2]")
    v, k = _reflectors(op, input, tau)
    side = -2 if left else -1
    if k != min(c.shape[side], a.shape[-1]):
        raise RuntimeError(
            f"torch.{op}: tau.shape[-1] must be equal to min(other.shape[{side}], input.shape[-1])"
        )
    # Q C applies H_k first; Qᵀ C applies H_1 first; C Q applies H_1 first; C Qᵀ applies H_k first.
    order = range(k) if left == transpose else reversed(range(k))
    out = other
    for i in order:
        vi, ti = _column(v, i), _tau(tau, i)
        if left:
            out = _ew.sub(out, _mm.matmul(_ew.mul(ti, vi), _mm.matmul(_shape.transpose(vi, -1, -2), out)))
        else:
            out = _ew.sub(out, _mm.matmul(_ew.mul(_mm.matmul(out, vi), ti), _shape.transpose(vi, -1, -2)))
    return out
