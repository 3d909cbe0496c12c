"""Ops that combine or rearrange tensors, composed from the differentiable primitives (so their
gradients need no hand-written rule): meshgrid, cartesian_prod, kron, block_diag, atleast_Nd,
dstack, column_stack, tensordot, the addmm family, trace, cross, rot90, diff, tril/triu_indices;
and diag_embed, one small primitive.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _dtype
from ._util import Function, _cast_to, check_tensor, make, norm_dim, shape_str, tensor_cls
from .elementwise import add, mul, sub
from .index import index_select
from .linalg import bmm, mm, mv
from .reduce import sum as _sum
from .shape import (
    _diag_of,
    _diag_view,
    cat,
    diagonal,
    expand,
    flip,
    narrow,
    permute,
    reshape,
    stack,
    transpose,
)

__all__ = [
    "meshgrid", "cartesian_prod", "kron", "block_diag", "atleast_1d", "atleast_2d", "atleast_3d",
    "dstack", "column_stack", "tensordot", "addmm", "addmv", "addbmm", "baddbmm", "trace", "cross",
    "rot90", "diff", "diag_embed", "tril_indices", "triu_indices",
]  # fmt: skip


class DiagEmbed(Function):
    """out[..., i, i + offset] = x[..., i] over output dims d1, d2 (0 elsewhere).   VJP: gx = diagonal of g."""

    _jvp_linear = True  # JVP: ẏ = op(ẋ), the op applied to the tangents (a linear map)
    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, x: Any, offset: int, d1: int, d2: int, shape: tuple[int, ...]) -> Any:
        ctx.args = (offset, d1, d2)
        out = np.zeros(shape, x.dtype)
        _diag_view(out, offset, d1, d2)[...] = x
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if ctx.xp.is_tensor:
            return _diag_of(g, *ctx.args), None, None, None, None
        return _diag_view(g, *ctx.args).copy(), None, None, None, None


def _tensors(args: Sequence[Any], op: str) -> list[Any]:
    """``f(a, b, c)`` or ``f([a, b, c])`` as a list of Tensors."""
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        args = args[0]
    T = tensor_cls()
    for i, x in enumerate(args):
        if not isinstance(x, T):
            raise TypeError(f"{op}(): expected Tensor as element {i} in argument 0, but got {type(x).__name__}")
    return list(args)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Any, ...]:
    """Coordinate grids from 1-D tensors: 'ij' (default) gives shape (n₀, n₁, …); 'xy' swaps the first two."""
    xs = _tensors(tensors, "meshgrid")
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    if not xs:
        raise RuntimeError("meshgrid: expects a non-empty TensorList")
    for x in xs:
        if x._data.ndim > 1:
            raise RuntimeError(f"meshgrid: Expected 0D or 1D tensor in the tensor list but got: {x._data.ndim}D tensor")
        if x._data.dtype != xs[0]._data.dtype:
            raise RuntimeError("meshgrid: expects all tensors to have the same dtype")
    swap = indexing == "xy" and len(xs) >= 2
    order = [1, 0, *range(2, len(xs))] if swap else list(range(len(xs)))
    sizes = [max(x._data.size, 1) if x._data.ndim == 0 else x._data.shape[0] for x in xs]
    shape = [sizes[i] for i in order]
    out = []
    for i, x in enumerate(xs):
        pos = order.index(i)
        view = [1] * len(xs)
        view[pos] = sizes[i]
        out.append(expand(reshape(x, view), shape))
    return tuple(out)


def cartesian_prod(*tensors: Any) -> Any:
    """All tuples of one element from each 1-D tensor, as rows of a (Πnᵢ, k) tensor (1-D for one input)."""
    xs = _tensors(tensors, "cartesian_prod")
    for x in xs:
        if x._data.ndim != 1:
            raise RuntimeError(f"cartesian_prod: Expect a 1D vector, but got shape {shape_str(x._data.shape)}")
    if len(xs) == 1:
        return xs[0]
    return stack([reshape(g, -1) for g in meshgrid(*xs, indexing="ij")], 1)


def kron(input: Any, other: Any) -> Any:  # noqa: A002
    """Kronecker product: out[i·m + k] = input[i]·other[k] in every dim (shapes padded with leading 1s)."""
    a, b = check_tensor(input, "kron"), check_tensor(other, "kron", "other")
    nd = max(a._data.ndim, b._data.ndim)
    sa = (1,) * (nd - a._data.ndim) + a._data.shape
    sb = (1,) * (nd - b._data.ndim) + b._data.shape
    inter_a = [s for d in sa for s in (d, 1)]
    inter_b = [s for d in sb for s in (1, d)]
    prod = mul(reshape(a, inter_a), reshape(b, inter_b))
    return reshape(prod, [x * y for x, y in zip(sa, sb)])


def block_diag(*tensors: Any) -> Any:
    """The tensors (0-d, 1-D as one row, or 2-D) placed along the diagonal of one matrix, 0 elsewhere."""
    xs = _tensors(tensors, "block_diag")
    if not xs:
        return make(np.zeros((1, 0), np.float32))
    mats = []
    for i, x in enumerate(xs):
        nd = x._data.ndim
        if nd > 2:
            raise RuntimeError(
                f"block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has {nd} dimensions"
            )
        mats.append(reshape(x, 1, 1) if nd == 0 else reshape(x, 1, -1) if nd == 1 else x)
    common = _dtype.result_type(*mats)
    mats = [_cast_to(m, common) for m in mats]
    cols = sum(m._data.shape[1] for m in mats)
    dt = common.np
    rows, left = [], 0
    for m in mats:
        r, c = m._data.shape
        parts = [make(np.zeros((r, left), dt)), m, make(np.zeros((r, cols - left - c), dt))]
        rows.append(cat(parts, 1))
        left += c
    return cat(rows, 0)


_ATLEAST = {  # (ndim wanted, ndim had) -> new shape from the old one
    (1, 0): lambda s: (1,),
    (2, 0): lambda s: (1, 1),
    (2, 1): lambda s: (1, *s),
    (3, 0): lambda s: (1, 1, 1),
    (3, 1): lambda s: (1, *s, 1),
    (3, 2): lambda s: (*s, 1),
}


def _atleast(nd: int, tensors: tuple[Any, ...], op: str) -> Any:
    single = len(tensors) == 1 and not isinstance(tensors[0], (list, tuple))
    out = []
    for x in _tensors(tensors, op):
        s = x._data.shape
        out.append(reshape(x, _ATLEAST[nd, len(s)](s)) if len(s) < nd else x)
    return out[0] if single else tuple(out)


def atleast_1d(*tensors: Any) -> Any:
    """Each input viewed with at least 1 dim (0-d → (1,)); one tensor in, one out, else a tuple."""
    return _atleast(1, tensors, "atleast_1d")


def atleast_2d(*tensors: Any) -> Any:
    """Each input viewed with at least 2 dims (0-d → (1, 1), (n,) → (1, n))."""
    return _atleast(2, tensors, "atleast_2d")


def atleast_3d(*tensors: Any) -> Any:
    """Each input viewed with at least 3 dims (0-d → (1, 1, 1), (n,) → (1, n, 1), (m, n) → (m, n, 1))."""
    return _atleast(3, tensors, "atleast_3d")


def dstack(tensors: Sequence[Any]) -> Any:
    """Concatenate along dim 2 after ``atleast_3d``."""
    xs = _tensors((tensors,), "dstack")
    return cat([atleast_3d(x) for x in xs], 2)


def column_stack(tensors: Sequence[Any]) -> Any:
    """Stack as columns: 0-d and 1-D tensors become (n, 1) columns, then concatenate along dim 1."""
    xs = _tensors((tensors,), "column_stack")
    return cat([reshape(x, -1, 1) if x._data.ndim <= 1 else x for x in xs], 1)


def tensordot(a: Any, b: Any, dims: Any = 2, out: Any = None) -> Any:
    """Sum of products over ``dims``: an int n (last n of a with first n of b) or two lists of dims."""
    a, b = check_tensor(a, "tensordot", "a"), check_tensor(b, "tensordot", "b")
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(dims, tensor_cls()):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        n = operator.index(dims)
        if n < 0:
            raise RuntimeError(f"tensordot: tensordot expects dims >= 0, but got dims={n}")
        if n > min(na, nb):
            raise RuntimeError(f"tensordot: tensordot expects dims < ndim_a or ndim_b, but got dims={n}")
        da, db = list(range(na - n, na)), list(range(n))
    else:
        if len(dims) != 2:
            raise RuntimeError("tensordot: expects dims to be an int or a pair of lists of dims")
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
        if len(da) != len(db):
            raise RuntimeError(f"tensordot: both dimension lists should have same length; got {da} and {db}")
        da = [norm_dim(d, na, "tensordot") for d in da]
        db = [norm_dim(d, nb, "tensordot") for d in db]
    for i, j in zip(da, db):
        if a._data.shape[i] != b._data.shape[j]:
            raise RuntimeError(
                f"tensordot: contracted dimensions need to match, but first has size {a._data.shape[i]} in dim {i} "
                f"and second has size {b._data.shape[j]} in dim {j}"
            )
    free_a = [d for d in range(na) if d not in da]
    free_b = [d for d in range(nb) if d not in db]
    k = int(np.prod([a._data.shape[d] for d in da], dtype=np.int64))
    sa = [a._data.shape[d] for d in free_a]
    sb = [b._data.shape[d] for d in free_b]
    am = reshape(permute(a, *free_a, *da), int(np.prod(sa, dtype=np.int64)), k)
    bm = reshape(permute(b, *db, *free_b), k, int(np.prod(sb, dtype=np.int64)))
    return reshape(mm(am, bm), *sa, *sb)


def _scaled_sum(input: Any, prod: Any, beta: Any, alpha: Any) -> Any:
    """β·input + α·prod (input ignored when β = 0, so its nan/inf do not propagate)."""
    if alpha != 1:
        prod = mul(prod, alpha)
    if beta == 0:
        return prod
    return add(input if beta == 1 else mul(input, beta), prod)


def addmm(input: Any, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:  # noqa: A002
    """β·input + α·(mat1 @ mat2) for matrices; ``input`` broadcasts to the product's shape."""
    return _scaled_sum(input, mm(mat1, mat2), beta, alpha)


def addmv(input: Any, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:  # noqa: A002
    """β·input + α·(mat @ vec)."""
    return _scaled_sum(input, mv(mat, vec), beta, alpha)


def addbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:  # noqa: A002
    """β·input + α·Σ_b batch1[b] @ batch2[b]."""
    return _scaled_sum(input, _sum(bmm(batch1, batch2), 0), beta, alpha)


def baddbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:  # noqa: A002
    """β·input + α·(batch1 @ batch2) per batch."""
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha)


def trace(input: Any) -> Any:  # noqa: A002
    """Sum of the main diagonal of a matrix (integers sum to int64)."""
    x = check_tensor(input, "trace")
    if x._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x._data.ndim}")
    return _sum(diagonal(x))


def cross(input: Any, other: Any, dim: int | None = None) -> Any:  # noqa: A002
    """Cross product of 3-vectors along ``dim`` (default: the first dim of size 3), with broadcasting."""
    a, b = check_tensor(input, "cross"), check_tensor(other, "cross", "other")
    if a._data.ndim != b._data.ndim:
        raise RuntimeError(
            f"cross: inputs dimensions {a._data.ndim} and {b._data.ndim} must match; shapes "
            f"{shape_str(a._data.shape)} and {shape_str(b._data.shape)}"
        )
    try:
        shape = np.broadcast_shapes(a._data.shape, b._data.shape)
    except ValueError:
        raise RuntimeError(
            f"cross: shapes {shape_str(a._data.shape)} and {shape_str(b._data.shape)} do not broadcast"
        ) from None
    if dim is None:
        d = next((i for i, s in enumerate(shape) if s == 3), None)
        if d is None:
            raise RuntimeError(f"cross: no dimension of size 3 in input; shape {shape_str(shape)}")
    else:
        d = norm_dim(dim, len(shape), "cross")
        if a._data.shape[d] != 3 or b._data.shape[d] != 3:
            raise RuntimeError(
                f"linalg.cross: inputs dimension {d} must have length 3. Got {a._data.shape[d]} and {b._data.shape[d]}"
            )
    i1, i2 = make(np.array([1, 2, 0])), make(np.array([2, 0, 1]))
    return sub(
        mul(index_select(a, d, i1), index_select(b, d, i2)),
        mul(index_select(a, d, i2), index_select(b, d, i1)),
    )


def rot90(input: Any, k: int = 1, dims: Sequence[int] = (0, 1)) -> Any:  # noqa: A002
    """Rotate by 90°·k in the plane of ``dims`` (from the first dim towards the second)."""
    x = check_tensor(input, "rot90")
    dims = list(dims)
    nd = x._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"rot90: expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = norm_dim(dims[0], nd, "rot90"), norm_dim(dims[1], nd, "rot90")
    if d0 == d1:
        raise RuntimeError(f"rot90: expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k = operator.index(k) % 4
    if k == 1:
        return transpose(flip(x, d1), d0, d1)
    if k == 2:
        return flip(x, d0, d1)
    if k == 3:
        return transpose(flip(x, d0), d0, d1)
    from .copy import clone

    return clone(x)


def diff(input: Any, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Any:  # noqa: A002
    """The n-th forward difference out[i] = x[i+1] − x[i] along ``dim`` (bool: x[i+1] ≠ x[i])."""
    x = check_tensor(input, "diff")
    if x._data.ndim == 0:
        raise RuntimeError("diff: diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"diff: order must be non-negative but got {n}")
    d = norm_dim(dim, x._data.ndim, "diff")
    parts = [p for p in (prepend, x, append) if p is not None]
    if len(parts) > 1:
        parts = [check_tensor(p, "diff", "prepend/append") for p in parts]
        x = cat(parts, d)
    for _ in range(n):
        m = x._data.shape[d]
        if m == 0:
            break
        hi, lo = narrow(x, d, 1, m - 1), narrow(x, d, 0, m - 1)
        if x._data.dtype == np.bool_:
            from .compare import ne

            x = ne(hi, lo)
        else:
            x = sub(hi, lo)
    return x


def diag_embed(input: Any, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Any:  # noqa: A002
    """Matrices whose diagonal ``offset`` (over output dims dim1, dim2) holds the last dim of ``input``."""
    x = check_tensor(input, "diag_embed")
    nd = x._data.ndim + 1
    d1, d2 = norm_dim(dim1, nd, "diag_embed"), norm_dim(dim2, nd, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diag_embed: diagonal dimensions cannot be identical {dim1}, {dim2}")
    lead = list(x._data.shape[:-1]) if x._data.ndim else []
    n = (x._data.shape[-1] if x._data.ndim else 1) + abs(int(offset))
    shape = lead.copy()
    for d in sorted((d1, d2)):
        shape.insert(d, n)
    return DiagEmbed.apply(x if x._data.ndim else reshape(x, 1), int(offset), d1, d2, tuple(shape))


def _tri_indices(row: int, col: int, offset: int, dtype: Any, upper: bool, op: str) -> Any:
    if row < 0 or col < 0:
        raise RuntimeError(f"{op}: row must be non-negative, got {row}; col must be non-negative, got {col}")
    r, c = (np.triu_indices if upper else np.tril_indices)(row, offset, col)
    dt = _dtype.int64 if dtype is None else _dtype.to_dtype(dtype, op)
    return make(np.stack([r, c]).astype(dt.np))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None, layout: Any = None) -> Any:
    """The (2, N) row/column indices of the lower triangle (diagonal ``offset``) of a row × col matrix."""
    return _tri_indices(row, col, offset, dtype, False, "tril_indices")


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None, layout: Any = None) -> Any:
    """The (2, N) row/column indices of the upper triangle (diagonal ``offset``) of a row × col matrix."""
    return _tri_indices(row, col, offset, dtype, True, "triu_indices")
