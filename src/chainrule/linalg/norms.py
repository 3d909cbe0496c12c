"""Norms: ``vector_norm``, ``matrix_norm`` and the dispatching ``norm``, composed from differentiable ops.

Matrix norms (over the two dims ``dim`` = (r, c)):
  'fro' = √Σ aᵢⱼ²          'nuc' = Σ σᵢ            2 / -2 = σ_max / σ_min
  1 / -1 = max / min over columns of Σᵢ |aᵢⱼ|      inf / -inf = max / min over rows of Σⱼ |aᵢⱼ|
Their gradients come from the ops they are built of (``Norm``, ``SVD``, ``abs``, ``sum``, ``amax``)."""

from __future__ import annotations

import math
from typing import Any

from .. import _dtype
from ..ops import copy as _copy
from ..ops import elementwise as _ew
from ..ops import reduce as _red
from ..ops import shape as _shape
from ..ops._util import check_tensor, norm_dim
from ._common import _LEGACY, check_float, legacy_name
from .decompositions import SVD

__all__ = ["vector_norm", "matrix_norm", "norm", "dist"]

_MATRIX_ORDS = ("fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf)


def _cast(op: str, x: Any, dtype: Any) -> Any:
    """``x`` checked to be floating, then cast to ``dtype`` (which must not narrow it), as PyTorch."""
    a = x._data
    if a.dtype.kind != "f":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {legacy_name(a)}")
    if dtype is None:
        return x
    dt = _dtype.to_dtype(dtype)
    if not dt.is_floating_point:
        raise RuntimeError(f"{op}: dtype should be floating point or complex, but got {_LEGACY.get(dt.name, dt.name)}")
    if dt.itemsize < a.dtype.itemsize:
        raise RuntimeError(
            f"{op}: the dtype of the input ({legacy_name(a)}) should be convertible without narrowing to the "
            f"specified dtype ({_LEGACY.get(dt.name, dt.name)})"
        )
    return _copy.cast(x, dt)


def vector_norm(x: Any, ord: float = 2, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:  # noqa: A002
    """‖x‖_ord = (Σ|xᵢ|^ord)^(1/ord) over ``dim`` (default: all elements); ord may be inf, -inf or 0."""
    op = "linalg.vector_norm"
    check_tensor(x, op, "x")
    if isinstance(ord, str) or isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' must be Number, not {type(ord).__name__}")
    x = _cast(op, x, dtype)
    if isinstance(dim, (list, tuple)) and len(dim) == 0:
        dim = None
    return _red.norm(x, float(ord), dim, keepdim)


def _two_dims(op: str, A: Any, dim: Any) -> tuple[int, int]:
    nd = A._data.ndim
    if not isinstance(dim, (list, tuple)) or len(dim) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {dim if not isinstance(dim, (list, tuple)) else ' '.join(map(str, dim))}")
    d0, d1 = norm_dim(dim[0], nd, op), norm_dim(dim[1], nd, op)
    if d0 == d1:
        raise RuntimeError(f"{op}: dims must be different. Got ({dim[0]}, {dim[1]})")
    return d0, d1


def _singular_values(A: Any, d0: int, d1: int) -> Any:
    """σ(A) over the plane (d0, d1), as the last dim of the result."""
    moved = _shape.movedim(A, (d0, d1), (-2, -1))
    if moved._data.size == 0:
        k = min(moved._data.shape[-2:])
        return _ew.mul(_red.sum(moved, dim=(-2, -1)), 0.0).unsqueeze(-1).expand(*moved._data.shape[:-2], k)
    return SVD.apply(moved, False)[1]


def matrix_norm(A: Any, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *, dtype: Any = None) -> Any:  # noqa: A002
    """Matrix norm over the two dims ``dim``: ord 'fro', 'nuc', 2, -2 (via singular values), 1, -1 (column
    sums), inf, -inf (row sums)."""
    op = "linalg.matrix_norm"
    check_tensor(A, op)
    A = _cast(op, A, dtype)
    a = check_float(op, A)
    if a.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    d0, d1 = _two_dims(op, A, dim)
    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"{op}: Order {ord} not supported.")
    elif isinstance(ord, bool) or not isinstance(ord, (int, float)) or ord not in _MATRIX_ORDS:
        raise RuntimeError(f"{op}: Order {ord} not supported.")
    if ord == "fro":
        return _red.norm(A, 2.0, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        s = _singular_values(A, d0, d1)
        if ord == "nuc":
            out = _red.sum(s, dim=-1)
        elif s._data.shape[-1] == 0:
            out = _red.sum(s, dim=-1)  # an empty matrix has norm 0 (PyTorch)
        else:
            out = _red.amax(s, dim=-1) if ord == 2 else _red.amin(s, dim=-1)
        if keepdim:
            for d in sorted((d0, d1)):
                out = _shape.unsqueeze(out, d)
        return out
    summed, across = (d0, d1) if abs(ord) == 1 else (d1, d0)  # 1: column sums, inf: row sums
    sums = _red.sum(_ew.abs(A), dim=summed, keepdim=True)
    if sums._data.size == 0 or a.shape[across] == 0:
        out = _red.sum(sums, dim=across, keepdim=True)
    else:
        out = _red.amax(sums, dim=across, keepdim=True) if ord > 0 else _red.amin(sums, dim=across, keepdim=True)
    return out if keepdim else _shape.squeeze(out, (d0, d1))


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:  # noqa: A002
    """Vector or matrix norm, as ``dim`` and ``ord`` say: ``dim`` of length 1 (or an int) is a vector norm,
    of length 2 a matrix norm; with ``dim=None`` and ``ord=None`` the 2-norm of all elements; with only
    ``ord`` the input must be 1-D (vector norm) or 2-D (matrix norm)."""
    op = "linalg.norm"
    check_tensor(A, op)
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        if len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
        raise RuntimeError(f"{op}: If dim is specified, it must be of length 1 or 2. Got {list(dims)}")
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    nd = A._data.ndim
    if nd not in (1, 2):
        raise RuntimeError(f"{op}: If dim is not specified but ord is, the input must be 1D or 2D. Got {nd}D.")
    if isinstance(ord, str) or nd == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    return vector_norm(A, ord, None, keepdim, dtype=dtype)


def dist(input: Any, other: Any, p: float = 2) -> Any:  # noqa: A002
    """‖input − other‖_p over all elements (the two broadcast): PyTorch's top-level ``dist``."""
    check_tensor(input, "dist", "input")
    return vector_norm(_ew.sub(input, other), p)
