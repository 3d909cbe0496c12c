"""What every linalg function shares: the LinAlgError class, input checks with PyTorch's wording,
transposes of the last two dims, and the search for the batch element that made LAPACK fail."""

from __future__ import annotations

import collections
from typing import Any

import numpy as np

from ..ops._util import check_tensor

__all__ = ["LinAlgError"]


class LinAlgError(RuntimeError):
    """Raised when a matrix has no inverse / factorization (singular, not positive-definite ...).

    A ``RuntimeError`` subclass, as ``torch.linalg.LinAlgError`` is, so ``except RuntimeError`` catches it.
    """

    __module__ = "chainrule.linalg"


_LEGACY = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
           "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}  # fmt: skip


def legacy_name(x: np.ndarray) -> str:
    """PyTorch's legacy type name of an array's dtype (Long, Float ...), as its linalg messages use."""
    return _LEGACY.get(x.dtype.name, x.dtype.name)


def mT(x: np.ndarray) -> np.ndarray:
    """Transpose of the last two dims (a view)."""
    return np.swapaxes(x, -1, -2)


def np_dtype(x: Any) -> np.dtype:
    """The NumPy dtype of an array or of a Tensor's array (backward formulas see either)."""
    return getattr(x, "_data", x).dtype


def eye_like(x: Any, n: int | None = None) -> np.ndarray:
    """The identity (n × n, default x's last dim) in x's NumPy dtype: a constant for array or Tensor formulas."""
    return np.eye(x.shape[-1] if n is None else n, dtype=np_dtype(x))


def check_float(op: str, x: Any, arg: str = "A", kernel: str | None = None) -> np.ndarray:
    """The array of tensor ``x`` after checking it is float32/float64 (what LAPACK works on). With ``kernel``,
    an integer input gets PyTorch's NotImplementedError naming that kernel, as those functions do."""
    check_tensor(x, op, arg)
    a = x._data
    if a.dtype.kind != "f":
        if kernel is not None:
            raise NotImplementedError(f'"{kernel}" not implemented for \'{legacy_name(a)}\'')
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {legacy_name(a)}")
    if a.dtype.itemsize < 4:
        raise RuntimeError(f"{op}: Low precision dtypes not supported. Got {legacy_name(a)}")
    return a


def check_matrix(op: str, x: Any, arg: str = "A", square: bool = False, kernel: str | None = None) -> np.ndarray:
    """``check_float`` plus: at least 2 dims, and square last two dims when asked."""
    a = check_float(op, x, arg, kernel)
    if a.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor {arg} must have at least 2 dimensions.")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"{op}: {arg} must be batches of square matrices, but they are {a.shape[-2]} by {a.shape[-1]} matrices"
        )
    return a


def check_same_dtype(op: str, a: np.ndarray, b: np.ndarray) -> None:
    """Two operands of a linalg function must share a dtype (PyTorch does not promote here)."""
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"{op}: Expected A and B to have the same dtype, but found A of type {legacy_name(a)} and B of type "
            f"{legacy_name(b)} instead; cast one, e.g. B.to(A.dtype)"
        )


def batch_prefix(batch_shape: tuple[int, ...], index: int) -> str:
    """``"(Batch element k): "`` for a failing matrix of a batch, ``""`` for a single matrix."""
    return f"(Batch element {index}): " if batch_shape else ""


def first_failure(a: np.ndarray, fails: Any) -> int:
    """Flat index of the first matrix of the batch ``a`` (..., m, n) for which ``fails(matrix)`` is true."""
    flat = a.reshape((-1,) + a.shape[-2:])
    for k, m in enumerate(flat):
        if fails(m):
            return k
    return 0


def zero_pivot(m: np.ndarray) -> int:
    """1-based index of the first zero pivot of LU with partial pivoting (LAPACK getrf's ``info``), else 0."""
    u = np.array(m, dtype=np.float64)
    n = u.shape[0]
    for j in range(n):
        p = j + int(np.argmax(np.abs(u[j:, j])))
        if u[p, j] == 0:
            return j + 1
        u[[j, p]] = u[[p, j]]
        u[j + 1 :, j:] -= np.outer(u[j + 1 :, j] / u[j, j], u[j, j:])
    return 0


def not_pd_order(m: np.ndarray) -> int:
    """Order of the first leading minor of ``m`` that is not positive-definite (potrf's ``info``), else 0."""
    for k in range(1, m.shape[0] + 1):
        try:
            np.linalg.cholesky(m[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return 0


def return_tuple(name: str, fields: list[str], doc: str) -> type:
    """A named tuple printed as ``torch.return_types.<name>`` is (``fields`` read by name or index)."""
    base = collections.namedtuple(name, fields)  # type: ignore[misc]

    def __repr__(self: Any) -> str:
        body = ",\n".join(f"{f}={getattr(self, f)!r}" for f in fields)
        return f"chainrule.return_types.{name}(\n{body})"

    return type(name, (base,), {"__slots__": (), "__doc__": doc, "__repr__": __repr__})
