"""``chainrule.linalg``: PyTorch's ``torch.linalg`` — decompositions, solves, inverses, norms and matrix
functions, batched over leading dims (..., m, n) and differentiable where PyTorch is.

Each differentiable primitive is one ``Function`` whose docstring states its vector-Jacobian product:
``solvers.py`` (inv, det, slogdet, solve, solve_triangular), ``decompositions.py`` (cholesky, qr, svd,
eigh), ``functions.py`` (matrix_exp, matrix_power, pinv, lstsq, matrix_rank), ``products.py`` (cross,
multi_dot, vecdot), ``norms.py`` (vector/matrix norms, composed), ``composites.py`` (cond, vander,
tensorinv, tensorsolve), ``pivoted_lu.py`` (lu_factor, lu, lu_solve),
``householder.py`` (householder_product, geqrf, ormqr). Failures of a factorization raise
``LinAlgError``, a ``RuntimeError`` as in PyTorch.
"""

from __future__ import annotations

from ._common import LinAlgError
from .composites import cond, matmul, tensorinv, tensorsolve, vander
from .decompositions import cholesky, cholesky_ex, eigh, eigvalsh, qr, svd, svdvals
from .functions import lstsq, matrix_exp, matrix_power, matrix_rank, pinv
from .householder import householder_product
from .norms import matrix_norm, norm, vector_norm
from .pivoted_lu import lu, lu_factor, lu_factor_ex, lu_solve
from .products import cross, diagonal, multi_dot, vecdot
from .solvers import det, inv, inv_ex, slogdet, solve, solve_ex, solve_triangular

__all__ = [
    "LinAlgError", "cholesky", "cholesky_ex", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "inv_ex",
    "lstsq", "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr",
    "slogdet", "solve", "solve_ex", "solve_triangular", "svd", "svdvals", "vecdot", "vector_norm",
    "cond", "matmul", "tensorinv", "tensorsolve", "vander", "lu", "lu_factor", "lu_factor_ex", "lu_solve",
    "householder_product",
]  # fmt: skip
