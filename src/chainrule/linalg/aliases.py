"""The top-level spellings PyTorch keeps beside ``torch.linalg``: ``inverse``, ``det``, ``logdet``, ``slogdet``,
``cholesky``, ``svd`` (the old U, S, V convention), ``pinverse``, ``matrix_power``, ``matrix_exp``; and the
``TensorLinalgMethods`` mixin giving Tensor ``x.inverse()``, ``x.det()`` ... ."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops import shape as _shape
from ..ops._util import make
from . import decompositions as _dec
from . import functions as _fun
from . import householder as _hh
from . import norms as _norms
from . import pivoted_lu as _lu
from . import solvers as _sol
from ._common import check_matrix, return_tuple

__all__ = [
    "inverse", "det", "logdet", "slogdet", "cholesky", "cholesky_solve", "cholesky_inverse", "svd", "pinverse",
    "matrix_power", "matrix_exp", "adjoint", "lu", "lu_unpack", "lu_solve", "dist",
    "geqrf", "orgqr", "ormqr",
]  # fmt: skip

SVDResult = return_tuple("svd", ["U", "S", "V"], "``(U, S, V)`` returned by ``svd`` (A = U diag(S) Vᵀ).")


def inverse(input: Any) -> Any:  # noqa: A002
    """``linalg.inv``: the inverse of each square matrix."""
    return _sol.inv(input)


def det(input: Any) -> Any:  # noqa: A002
    """``linalg.det``: the determinant of each square matrix."""
    return _sol.det(input)


def logdet(input: Any) -> Any:  # noqa: A002
    """log det(A) (nan where det < 0, -inf where det = 0)."""
    return _sol.logdet(input)


def slogdet(input: Any) -> Any:  # noqa: A002
    """``linalg.slogdet``: ``(sign, logabsdet)``."""
    return _sol.slogdet(input)


def cholesky(input: Any, upper: bool = False) -> Any:  # noqa: A002
    """``linalg.cholesky`` (the older top-level spelling, ``upper`` positional)."""
    return _dec.cholesky(input, upper=upper)


def cholesky_solve(B: Any, L: Any, upper: bool = False) -> Any:
    """X with A X = B for A = L Lᵀ (``upper``: A = Uᵀ U) given its Cholesky factor: two triangular solves,
    L Y = B then Lᵀ X = Y (gradients through both, to B and to L)."""
    low = _shape.transpose(L, -1, -2) if upper else L
    y = _sol.solve_triangular(low, B, upper=False)
    return _sol.solve_triangular(_shape.transpose(low, -1, -2), y, upper=True)


def cholesky_inverse(L: Any, upper: bool = False) -> Any:
    """A⁻¹ for A = L Lᵀ (``upper``: A = Uᵀ U) given its Cholesky factor (``cholesky_solve`` of the identity)."""
    a = check_matrix("cholesky_inverse", L, "input", square=True)
    eye = make(np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape).copy())
    return cholesky_solve(eye, L, upper)


def svd(input: Any, some: bool = True, compute_uv: bool = True) -> Any:  # noqa: A002
    """``(U, S, V)`` with A = U diag(S) Vᵀ — V, not Vᵀ as ``linalg.svd`` returns; ``some=False`` gives full U, V.
    ``compute_uv=False`` returns zero-filled U (m, m) and V (n, n), as PyTorch does."""
    a = check_matrix("linalg.svd", input)
    if not compute_uv:
        m, n = a.shape[-2:]
        s = _dec.svdvals(input)
        return SVDResult(make(np.zeros(a.shape[:-2] + (m, m), a.dtype)), s, make(np.zeros(a.shape[:-2] + (n, n), a.dtype)))
    u, s, vh = _dec.svd(input, full_matrices=not some)
    return SVDResult(u, s, _shape.transpose(vh, -1, -2))


def pinverse(input: Any, rcond: float = 1e-15) -> Any:  # noqa: A002
    """``linalg.pinv`` with relative tolerance ``rcond``."""
    return _fun.pinv(input, rtol=rcond)


def matrix_power(input: Any, n: int) -> Any:  # noqa: A002
    """``linalg.matrix_power``: Aⁿ (negative n: (A⁻¹)^|n|)."""
    return _fun.matrix_power(input, n)


def matrix_exp(input: Any) -> Any:  # noqa: A002
    """``linalg.matrix_exp``: exp(A)."""
    return _fun.matrix_exp(input)


LUWithInfo = return_tuple("_lu_with_info", ["LU", "pivots", "info"], "``(LU, pivots, info)`` of ``lu(get_infos=True)``.")


def lu(A: Any, pivot: bool = True, get_infos: bool = False) -> Any:
    """The older ``torch.lu``: ``(LU, pivots)`` (``get_infos``: with ``info``, and no error for singular A)."""
    if get_infos:
        return LUWithInfo(*_lu.lu_factor_ex(A, pivot=pivot))
    return _lu.lu_factor(A, pivot=pivot)


lu_unpack = _lu.lu_unpack


def lu_solve(b: Any, LU_data: Any, LU_pivots: Any) -> Any:
    """The older ``torch.lu_solve(b, LU_data, LU_pivots)``: ``linalg.lu_solve(LU_data, LU_pivots, b)``."""
    return _lu.lu_solve(LU_data, LU_pivots, b)


dist = _norms.dist
geqrf, orgqr, ormqr = _hh.geqrf, _hh.orgqr, _hh.ormqr


def adjoint(input: Any) -> Any:  # noqa: A002
    """The conjugate transpose of the last two dims; for real tensors the transpose ``mT`` (a view)."""
    return _conj_t(input, "tensor.adjoint() is only supported on matrices or batches of matrices")


def _conj_t(x: Any, msg: str, matrices_only: bool = False) -> Any:
    nd = x._data.ndim
    if nd == 0:  # PyTorch allows (and deprecates) a 0-d tensor: it is its own transpose
        return _shape.reshape(x, ())
    if nd == 1 or (matrices_only and nd != 2):
        hint = " For batches of matrices, consider using tensor.mH" if matrices_only and nd > 2 else ""
        raise RuntimeError(f"{msg}. Got {nd}-D tensor.{hint}")
    return _shape.transpose(x, -2, -1)


class TensorLinalgMethods:
    """Tensor methods that call ``chainrule.linalg`` (mixed into ``Tensor``)."""

    __slots__ = ()

    @property
    def mH(self) -> Any:  # noqa: N802 - PyTorch's name
        """Conjugate transpose of the last two dims (real tensors: ``mT``)."""
        return _conj_t(self, "tensor.mH is only supported on matrices or batches of matrices")

    @property
    def H(self) -> Any:  # noqa: N802 - PyTorch's name
        """Conjugate transpose of a matrix (2-D tensor; real tensors: ``T``)."""
        return _conj_t(self, "tensor.H is only supported on matrices (2-D tensors)", matrices_only=True)

    def adjoint(self) -> Any:
        """Conjugate transpose of the last two dims (real tensors: ``mT``)."""
        return adjoint(self)

    def lu(self, pivot: bool = True, get_infos: bool = False) -> Any:
        """``chainrule.lu(self, pivot, get_infos)``: the packed LU factors and pivots."""
        return lu(self, pivot, get_infos)

    def lu_solve(self, LU_data: Any, LU_pivots: Any) -> Any:  # noqa: N803 - PyTorch's names
        """``chainrule.lu_solve(self, LU_data, LU_pivots)``."""
        return lu_solve(self, LU_data, LU_pivots)

    def dist(self, other: Any, p: float = 2) -> Any:
        """``chainrule.dist(self, other, p)``: ‖self − other‖_p."""
        return _norms.dist(self, other, p)

    def geqrf(self) -> Any:
        """``chainrule.geqrf(self)``: QR in LAPACK's compact form."""
        return _hh.geqrf(self)

    def orgqr(self, input2: Any) -> Any:
        """``linalg.householder_product(self, input2)``."""
        return _hh.householder_product(self, input2)

    def ormqr(self, input2: Any, input3: Any, left: bool = True, transpose: bool = False) -> Any:
        """``chainrule.ormqr(self, input2, input3, left, transpose)``."""
        return _hh.ormqr(self, input2, input3, left, transpose)

    def inverse(self) -> Any:
        """``linalg.inv(self)``."""
        return _sol.inv(self)

    def det(self) -> Any:
        """``linalg.det(self)``."""
        return _sol.det(self)

    def logdet(self) -> Any:
        """log det(self)."""
        return _sol.logdet(self)

    def slogdet(self) -> Any:
        """``linalg.slogdet(self)``: ``(sign, logabsdet)``."""
        return _sol.slogdet(self)

    def pinverse(self, rcond: float = 1e-15) -> Any:
        """``linalg.pinv(self, rtol=rcond)``."""
        return _fun.pinv(self, rtol=rcond)

    def matrix_power(self, n: int) -> Any:
        """``linalg.matrix_power(self, n)``."""
        return _fun.matrix_power(self, n)

    def matrix_exp(self) -> Any:
        """``linalg.matrix_exp(self)``."""
        return _fun.matrix_exp(self)

    def cholesky(self, upper: bool = False) -> Any:
        """``linalg.cholesky(self, upper=upper)``."""
        return _dec.cholesky(self, upper=upper)

    def cholesky_solve(self, input2: Any, upper: bool = False) -> Any:
        """``chainrule.cholesky_solve(self, input2, upper)``: solve with the Cholesky factor ``input2``."""
        return cholesky_solve(self, input2, upper)

    def cholesky_inverse(self, upper: bool = False) -> Any:
        """``chainrule.cholesky_inverse(self, upper)``."""
        return cholesky_inverse(self, upper)

    def svd(self, some: bool = True, compute_uv: bool = True) -> Any:
        """``chainrule.svd(self, some, compute_uv)``: ``(U, S, V)``."""
        return svd(self, some, compute_uv)
