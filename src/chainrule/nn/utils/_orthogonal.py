"""The orthogonal parametrization behind ``parametrizations.orthogonal`` (PyTorch's three maps).

For a tall ``X`` (n ≥ k; a wide one is transposed first and the result back):
- ``matrix_exp``: ``Q = exp(A)[:, :k]`` with the skew-symmetric ``A = L − Lᵀ``, L the lower triangle of X
  padded to n × n;
- ``cayley``: ``Q = (I − A/2)⁻¹ (I + A/2)[:, :k]`` with the same A;
- ``householder``: ``Q = H₁⋯H_k`` from the reflectors below the diagonal of X (τᵢ = 2 / (1 + ‖aᵢ‖²)),
  columns signed by X's (integer-cast) diagonal.
With the dynamic trivialization a buffer ``base`` (n × n orthogonal) multiplies Q on the left.
All maps are compositions of chainrule ops, so gradients reach X by the chain rule.
"""

from __future__ import annotations

from enum import Enum, auto

import numpy as np

from ..._creation import eye, randn, zeros_like
from ..._finfo import finfo
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...linalg.aliases import matrix_exp
from ...linalg.householder import geqrf, householder_product
from ...linalg.solvers import solve
from ...ops.arrange import cat
from ..module import Module


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


def _is_orthogonal(q: Tensor) -> bool:
    n, k = q.shape[-2], q.shape[-1]
    eps = 10.0 * n * finfo(q.dtype).eps
    return bool(np.allclose(np.swapaxes(q._data, -1, -2) @ q._data, np.eye(k), rtol=1e-5, atol=eps))


def _make_orthogonal(a: Tensor) -> Tensor:
    """The Q of ``a = QR`` (a tall) normalized so that diag(R) ≥ 0."""
    x, tau = geqrf(a)
    q = householder_product(x, tau)
    return q * Tensor._make(np.sign(np.diagonal(x._data, axis1=-2, axis2=-1))[..., None, :].astype(q._data.dtype))


class _Orthogonal(Module):
    """Maps an unconstrained matrix (batch) to one with orthonormal columns (rows if wide)."""

    def __init__(self, weight: Tensor, orthogonal_map: _OrthMaps, *, use_trivialization: bool = True) -> None:
        super().__init__()
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:  # noqa: N803 - the math's name
        """Q from X by the chosen map (``base @ Q`` with the trivialization)."""
        n, k = X.shape[-2], X.shape[-1]
        transposed = n < k
        if transposed:
            X, n, k = X.mT, k, n  # noqa: N806
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            X = X.tril()  # noqa: N806
            if n != k:
                X = cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)  # noqa: N806
            A = X - X.mH  # noqa: N806
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = matrix_exp(A)  # noqa: N806
            else:
                Id = eye(n, dtype=A.dtype)  # noqa: N806
                Q = solve(Id - 0.5 * A, Id + 0.5 * A)  # noqa: N806
            if n != k:
                Q = Q[..., :k]  # noqa: N806
        else:
            A = X.tril(diagonal=-1)  # noqa: N806
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = householder_product(A, tau)  # noqa: N806
            signs = np.trunc(np.diagonal(X._data, axis1=-2, axis2=-1)).astype(Q._data.dtype)  # no gradient
            Q = Q * Tensor._make(signs[..., None, :])  # noqa: N806
        if hasattr(self, "base"):
            Q = self.base @ Q  # noqa: N806
        return Q.mT if transposed else Q

    def right_inverse(self, Q: Tensor) -> Tensor:  # noqa: N803
        """An X whose image is Q: with the trivialization, ``base`` becomes Q (completed to n × n and made
        orthogonal by QR if needed) and X = −I; else (householder only) X holds Q's QR reflectors."""
        with no_grad():
            if Q.shape != self.shape:
                raise ValueError(
                    f"Expected a matrix or batch of matrices of shape {self.shape}. Got a tensor of shape {Q.shape}."
                )
            q_init = Q
            n, k = Q.shape[-2], Q.shape[-1]
            transpose = n < k
            if transpose:
                Q, n, k = Q.mT, k, n  # noqa: N806
            if not hasattr(self, "base"):
                if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                    raise NotImplementedError(
                        "It is not possible to assign to the matrix exponential or the Cayley parametrizations "
                        "when use_trivialization=False."
                    )
                a, tau = geqrf(Q)
                arr = a._data.copy()
                diag = np.sign(np.diagonal(arr, axis1=-2, axis2=-1)).copy()
                diag[tau._data == 0.0] *= -1  # LAPACK skipped that reflection: keep the identity there
                idx = np.arange(min(arr.shape[-2:]))
                arr[..., idx, idx] = diag
                out = Tensor._make(arr)
                return out.mT if transpose else out
            if n == k:
                Q = _make_orthogonal(Q) if not _is_orthogonal(Q) else Q.clone()  # noqa: N806
            else:
                N = randn(*(tuple(Q.shape[:-2]) + (n, n - k)), dtype=Q.dtype)  # noqa: N806
                Q = _make_orthogonal(cat([Q, N], dim=-1))  # noqa: N806
            self.base = Q
            neg_id = zeros_like(q_init)
            m = min(neg_id.shape[-2:])
            neg_id._data[..., np.arange(m), np.arange(m)] = -1.0
            return neg_id
