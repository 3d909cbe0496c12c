"""The rest of ``torch.linalg`` that is a composition of other ops (their gradients come from those):
``cond``, ``vander``, ``tensorinv``, ``tensorsolve`` and the ``matmul`` alias."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..ops import elementwise as _ew
from ..ops import linalg as _mm
from ..ops import shape as _shape
from ..ops._util import check_tensor, make
from ._common import check_matrix
from .decompositions import SVD
from .norms import matrix_norm
from .solvers import inv, inv_ex, solve

__all__ = ["cond", "vander", "tensorinv", "tensorsolve", "matmul"]


def cond(A: Any, p: Any = None) -> Any:
    """Condition number κ_p(A) = ‖A‖_p ‖A⁻¹‖_p. p None/2/-2: σ_max/σ_min (σ_min/σ_max for -2), for any
    (..., m, n); other p ('fro', 'nuc', inf, -inf, 1, -1) need square A and give inf where A is singular."""
    if p is None or p in (2, -2):
        a = check_matrix("linalg.cond", A)
        s = SVD.apply(A, False)[1] if a.size else make(np.zeros(a.shape[:-2] + (0,), a.dtype))
        hi, lo = _shape.narrow(s, -1, 0, 1), _shape.narrow(s, -1, s.shape[-1] - 1, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = _ew.div(hi, lo) if p != -2 else _ew.div(lo, hi)
        return _shape.squeeze(out, -1)
    a = check_matrix(f"linalg.cond(ord={p})", A)
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"linalg.cond(ord={p}): A must be batches of square matrices, but they are {a.shape[-2]} by "
            f"{a.shape[-1]} matrices"
        )
    singular = inv_ex(A).info._data > 0
    if not singular.any():
        return _ew.mul(matrix_norm(A, p), matrix_norm(inv(A), p))
    eye = make(np.eye(a.shape[-1], dtype=a.dtype))  # stands in for the singular ones, whose κ is inf
    safe = _ew.where(make(singular[..., None, None]), eye, A)
    return _ew.where(make(singular), math.inf, _ew.mul(matrix_norm(A, p), matrix_norm(inv(safe), p)))


def vander(x: Any, *, N: int | None = None) -> Any:
    """Vandermonde matrix with increasing powers: out[..., i, j] = x[..., i]^j, j < N (default N = len)."""
    check_tensor(x, "linalg.vander", "x")
    d = x._data
    if N is not None and (isinstance(N, bool) or not isinstance(N, (int, np.integer))):
        raise TypeError(f"linalg_vander(): argument 'N' must be int, not {type(N).__name__}")
    n = (d.shape[-1] if d.ndim else 1) if N is None else int(N)
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    powers = make(np.arange(n, dtype=d.dtype if d.dtype.kind == "f" else np.int64))
    return _ew.pow(_shape.unsqueeze(x, -1), powers)


def tensorinv(A: Any, ind: int = 2) -> Any:
    """X with tensordot(A, X, ind) = I: A's first ``ind`` dims against the rest, as one square matrix inverted;
    X has shape A.shape[ind:] + A.shape[:ind]."""
    a = check_tensor(A, "linalg.tensorinv", "A")._data
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = a.shape[:ind], a.shape[ind:]
    if math.prod(rows) != math.prod(cols):
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[ind:]) == prod(self.shape[:ind]), but got "
            f"{math.prod(cols)} != {math.prod(rows)}"
        )
    return _shape.reshape(inv(_shape.reshape(A, (math.prod(rows), math.prod(cols)))), (*cols, *rows))


def tensorsolve(A: Any, B: Any, dims: Any = None) -> Any:
    """X with tensordot(A, X, X.ndim) = B: A's leading B.ndim dims (after moving ``dims`` of A to the end)
    against the rest, solved as one square system; X has shape A.shape[B.ndim:]."""
    check_tensor(A, "linalg.tensorsolve", "A")
    check_tensor(B, "linalg.tensorsolve", "B")
    if dims is not None:
        dims = tuple(dims)
        A = _shape.movedim(A, dims, tuple(range(-len(dims), 0)))
    a, b = A._data, B._data
    lead, rest = a.shape[: b.ndim], a.shape[b.ndim :]
    if math.prod(rest) != math.prod(lead):
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == prod(self.shape[:other.ndim]), "
            f"but got {math.prod(rest)} != {math.prod(lead)}"
        )
    flat = _shape.reshape(A, (math.prod(lead), math.prod(rest)))
    return _shape.reshape(solve(flat, _shape.reshape(B, (-1,))), rest)


def matmul(input: Any, other: Any) -> Any:  # noqa: A002
    """``chainrule.matmul`` under its linalg name."""
    return _mm.matmul(input, other)
