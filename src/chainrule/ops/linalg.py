"""Linear algebra: matmul (and its 2-D/batched/vector forms mm, bmm, mv, dot), outer, inner, einsum.

``MatMul`` follows ``np.matmul``, whose 1-D and broadcast-batch rules are PyTorch's. Its backward
returns gradients in the broadcast batch shape; the engine sums them back to each input's shape.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from .. import _dtype
from . import elementwise as _ew
from . import shape as _shape
from ._util import Function, tensor_cls

__all__ = ["matmul", "mm", "bmm", "mv", "outer", "dot", "inner", "einsum"]


class MatMul(Function):
    """out = a @ b  (1-D operands as vectors; batch dims broadcast).
    VJP: ga = g @ bᵀ,  gb = aᵀ @ g  (1-D operands: outer products and vector-matrix products)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.nd = (a.ndim, b.ndim)
        if ctx.needs_input_grad[1]:  # b a transposed view (x @ W.T): gb is made to transpose back to C order
            f = b.flags
            ctx.b_t = f.f_contiguous and not f.c_contiguous
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b if ctx.needs_input_grad[0] else None)
        return np.matmul(a, b)

    @staticmethod
    def jvp(ctx: Any, ta: Any, tb: Any) -> Any:
        """ẏ = ȧ @ b + a @ ḃ  (bilinear)."""
        a, b = ctx.saved_tensors
        xp = ctx.xp
        ya = None if ta is None else xp.matmul(ta, b)
        yb = None if tb is None else xp.matmul(a, tb)
        return yb if ya is None else (ya if yb is None else ya + yb)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        xp = ctx.xp
        nda, ndb = ctx.nd
        if nda == 2 and ndb == 2:  # the common case: two GEMMs
            if a is None:
                gb = None
            elif ctx.b_t:
                gb = (g.T @ a).T
            else:
                gb = a.T @ g
            return (None if b is None else g @ b.T), gb
        ga = gb = None
        if nda == 1 and ndb == 1:  # dot product: g is 0-d
            return (g * b if b is not None else None), (g * a if a is not None else None)
        if b is not None:
            if ndb == 1:  # out (..., n) = a (..., n, k) · b (k)
                ga = g[..., None] * b
            elif nda == 1:  # out (..., m) = a (k) · b (..., k, m)
                ga = xp.matmul(b, g[..., None])[..., 0]
            else:
                ga = xp.matmul(g, xp.swapaxes(b, -1, -2))
        if a is not None:
            if nda == 1:
                gb = a[:, None] * g[..., None, :]
            elif ndb == 1:
                gb = xp.matmul(g.reshape(-1), a.reshape(-1, a.shape[-1]))
            elif ndb == 2 and nda > 2:  # batched a times one matrix b: one GEMM over all rows
                gb = xp.matmul(a.reshape(-1, a.shape[-1]).T, g.reshape(-1, g.shape[-1]))
            else:
                gb = xp.matmul(xp.swapaxes(a, -1, -2), g)
        return ga, gb


def _dtype_name(x: Any) -> str:
    return str(_dtype.from_numpy_dtype(x.dtype)).split(".")[-1]


def _shape_x(s: tuple[int, ...]) -> str:
    return "x".join(str(n) for n in s)


def _check_operands(op: str, a: Any, b: Any) -> tuple[Any, Any]:
    try:
        x, y = a._data, b._data
    except AttributeError:
        bad = b if hasattr(a, "_data") else a
        raise TypeError(f"{op}(): argument must be Tensor, not {type(bad).__name__}") from None
    if x.dtype != y.dtype:
        raise RuntimeError(
            f"{op}: expected m1 and m2 to have the same dtype, but got: {_dtype_name(x)} != {_dtype_name(y)}; "
            "cast one operand, e.g. b.to(a.dtype)"
        )
    return x, y


def _matmul_error(op: str, x: Any, y: Any) -> RuntimeError:
    """PyTorch's message for operands whose inner (or batch) sizes disagree."""
    sa, sb = x.shape, y.shape
    if x.ndim == 0 or y.ndim == 0:
        return RuntimeError(
            f"{op}: both arguments to matmul need to be at least 1D, but they are {x.ndim}D and {y.ndim}D"
        )
    if x.ndim == 1 and y.ndim == 1:
        return RuntimeError(
            f"{op}: inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have the same "
            f"number of elements, but got {sa[0]} and {sb[0]} elements respectively"
        )
    if y.ndim == 1:
        return RuntimeError(
            f"{op}: size mismatch, got input ({sa[-2]}), mat ({_shape_x(sa[-2:])}), vec ({sb[0]})"
        )
    ma = (1, sa[0]) if x.ndim == 1 else sa[-2:]
    if ma[1] != sb[-2]:
        return RuntimeError(
            f"{op}: mat1 and mat2 shapes cannot be multiplied ({_shape_x(ma)} and {_shape_x(sb[-2:])})"
        )
    ba, bb = sa[:-2], sb[:-2]
    n = max(len(ba), len(bb))
    pa, pb = (1,) * (n - len(ba)) + ba, (1,) * (n - len(bb)) + bb
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and 1 not in (pa[i], pb[i]):
            return RuntimeError(
                f"{op}: The size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) at "
                f"non-singleton dimension {i}; batch shapes {list(ba)} and {list(bb)} do not broadcast"
            )
    return RuntimeError(f"{op}: shapes {list(sa)} and {list(sb)} cannot be multiplied")


def _apply_matmul(op: str, a: Any, b: Any) -> Any:
    x, y = _check_operands(op, a, b)
    try:
        return MatMul.apply(a, b)  # np.matmul rejects 0-d operands and every size mismatch
    except ValueError:
        raise _matmul_error(op, x, y) from None


def matmul(input: Any, other: Any) -> Any:  # noqa: A002
    """Matrix product with PyTorch's rules: 1-D·1-D is a dot product; batch dims broadcast."""
    return _apply_matmul("matmul", input, other)


def mm(input: Any, mat2: Any) -> Any:  # noqa: A002
    """Product of two 2-D matrices (no broadcasting)."""
    x, y = _check_operands("mm", input, mat2)
    if x.ndim != 2:
        raise RuntimeError(f"mm: self must be a matrix; expected a 2-D tensor, got {x.ndim}-D")
    if y.ndim != 2:
        raise RuntimeError(f"mm: mat2 must be a matrix; expected a 2-D tensor, got {y.ndim}-D")
    return _apply_matmul("mm", input, mat2)


def bmm(input: Any, mat2: Any) -> Any:  # noqa: A002
    """Batched product of 3-D tensors with equal batch sizes: (b, n, k) @ (b, k, m)."""
    x, y = _check_operands("bmm", input, mat2)
    if x.ndim != 3:
        raise RuntimeError(f"bmm: batch1 must be a 3D tensor; got {x.ndim}-D")
    if y.ndim != 3:
        raise RuntimeError(f"bmm: batch2 must be a 3D tensor; got {y.ndim}-D")
    if y.shape[:2] != (x.shape[0], x.shape[2]):
        raise RuntimeError(
            f"bmm: Expected size for first two dimensions of batch2 tensor to be: "
            f"[{x.shape[0]}, {x.shape[2]}] but got: [{y.shape[0]}, {y.shape[1]}]."
        )
    return _apply_matmul("bmm", input, mat2)


def mv(input: Any, vec: Any) -> Any:  # noqa: A002
    """Matrix-vector product: (n, k) @ (k,) -> (n,)."""
    x, y = _check_operands("mv", input, vec)
    if x.ndim != 2 or y.ndim != 1:
        raise RuntimeError(f"mv: vector + matrix @ vector expected, got 1, {x.ndim}, {y.ndim}")
    return _apply_matmul("mv", input, vec)


def dot(input: Any, tensor: Any) -> Any:  # noqa: A002
    """Inner product of two 1-D tensors of the same length."""
    T = tensor_cls()
    if not isinstance(input, T) or not isinstance(tensor, T):
        raise TypeError("dot(): arguments must be Tensors")
    x, y = input._data, tensor._data
    if x.ndim != 1 or y.ndim != 1:
        raise RuntimeError(f"dot: 1D tensors expected, but got {x.ndim}D and {y.ndim}D tensors")
    if x.dtype != y.dtype:
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found {_legacy_name(x)} and {_legacy_name(y)}"
        )
    return _apply_matmul("dot", input, tensor)


def _legacy_name(x: Any) -> str:
    names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
             "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}  # fmt: skip
    return names.get(x.dtype.name, x.dtype.name)


def outer(input: Any, vec2: Any) -> Any:  # noqa: A002
    """Outer product of two 1-D tensors: out[i, j] = input[i]·vec2[j]."""
    for name, t in (("self", input), ("vec2", vec2)):
        nd = t._data.ndim if isinstance(t, tensor_cls()) else -1
        if nd != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {nd}-D")
    return _ew.mul(_shape.unsqueeze(input, 1), vec2)


def inner(input: Any, other: Any) -> Any:  # noqa: A002
    """Sum of products over the last dims: out[..., ...'] = Σₖ input[..., k]·other[...', k]."""
    x, y = input._data, other._data
    if x.ndim == 0 or y.ndim == 0:
        return _ew.mul(input, other)
    if x.dtype != y.dtype:
        raise RuntimeError(f"inner(): both inputs should have same dtype, got {_dtype_name(x)} and {_dtype_name(y)}")
    if x.shape[-1] != y.shape[-1]:
        raise RuntimeError(
            f"inner() the last dimension must match on both input tensors but got shapes "
            f"{list(x.shape)} and {list(y.shape)}"
        )
    la, lb = string.ascii_letters[: x.ndim - 1], string.ascii_letters[x.ndim - 1 : x.ndim + y.ndim - 2]
    return einsum(f"{la}Z,{lb}Z->{la}{lb}", input, other)


class Einsum(Function):
    """out = einsum(ins → out, *xs)  (explicit letters; ``...`` already expanded).
    VJP: gxᵢ = einsum(out, ins without i → insᵢ)(g, xs without xᵢ), broadcast over letters only xᵢ has;
    a letter repeated in insᵢ (a diagonal) is written back through identity matrices: einsum(…, I → insᵢ)."""

    _array_op = True
    _graph_backward = True

    @staticmethod
    def forward(ctx: Any, spec: Any, *xs: Any) -> Any:
        ins, out = spec
        ctx.spec = spec
        ctx.save_for_backward(*xs)
        return np.einsum(",".join(ins) + "->" + out, *xs, optimize=len(xs) > 1)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        xs = ctx.saved_tensors
        xp = ctx.xp
        ins, out = ctx.spec
        grads: list[Any] = [None]
        for i, (x, sub) in enumerate(zip(xs, ins)):
            if not ctx.needs_input_grad[i + 1]:
                grads.append(None)
                continue
            others = [out, *(s for j, s in enumerate(ins) if j != i)]
            arrays = [g, *(y for j, y in enumerate(xs) if j != i)]
            seen = set("".join(others))
            uniq = "".join(dict.fromkeys(sub))
            target = "".join(c for c in uniq if c in seen)
            r = xp.einsum(",".join(others) + "->" + target, *arrays, optimize=len(arrays) > 2)
            missing = tuple(k for k, c in enumerate(uniq) if c not in seen)
            if missing:
                r = xp.expand_dims(r, missing)
            size = {c: n for c, n in zip(sub, x.shape)}
            ushape = tuple(size[c] for c in uniq)
            shrink = tuple(k for k, n in enumerate(ushape) if n == 1 and r.shape[k] != 1)
            if shrink:  # a size-1 dim of x that broadcast against a larger one
                r = xp.sum(r, axis=shrink, keepdims=True)
            if tuple(r.shape) != ushape:
                r = xp.broadcast_to(r, ushape)
            if len(uniq) < len(sub):  # repeated letter (a diagonal): write into that diagonal
                r = _onto_diagonal(xp, r, uniq, sub, size, "".join(ins) + out)
            grads.append(r)
        return tuple(grads)


def _onto_diagonal(xp: Any, r: Any, uniq: str, sub: str, size: dict[str, int], used: str) -> Any:
    """The array of subscripts ``sub`` (letters repeated) that holds ``r`` (subscripts ``uniq``) on its
    diagonals and zeros elsewhere: each repeat of a letter c gets a fresh letter c', tied to c by I_cc'
    (arrays: written in place into the diagonal view of zeros, the same result without the products)."""
    if not xp.is_tensor:
        full_arr = np.zeros(tuple(size[c] for c in sub), dtype=r.dtype)
        np.einsum(sub + "->" + uniq, full_arr)[...] = r
        return full_arr
    fresh = iter(c for c in string.ascii_letters if c not in used)
    first: set[str] = set()
    terms, eyes, full = [uniq], [], ""
    dtype = r._data.dtype if hasattr(r, "_data") else r.dtype
    for c in sub:
        if c in first:
            c2 = next(fresh)
            terms.append(c + c2)
            eyes.append(np.eye(size[c], dtype=dtype))
            full += c2
        else:
            first.add(c)
            full += c
    return xp.einsum(",".join(terms) + "->" + full, r, *eyes)


_LETTERS = string.ascii_letters


def _einsum_error(msg: str) -> RuntimeError:
    return RuntimeError(f"einsum(): {msg}")


def _parse_einsum(equation: str, shapes: list[tuple[int, ...]]) -> tuple[tuple[str, ...], str]:
    """Explicit-letter input terms and output term, with ``...`` expanded and sizes checked."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(shapes):
        raise _einsum_error("fewer operands were provided than specified in the equation")
    if len(terms) < len(shapes):
        raise _einsum_error("more operands were provided than specified in the equation")
    for k, c in enumerate(eq):
        if c not in _LETTERS and c not in ",.->":
            raise _einsum_error(
                f"invalid subscript given at index {k} in the equation string, subscripts must be in [a-zA-Z]"
            )
    used = set(eq) & set(_LETTERS)
    free = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for i, (t, s) in enumerate(zip(terms, shapes)):
        if "..." in t:
            n_ell = max(n_ell, len(s) - (len(t) - 3))
        elif len(t) != len(s):
            raise _einsum_error(
                f"the number of subscripts in the equation ({len(t)}) does not match the number of "
                f"dimensions ({len(s)}) for operand {i} and no ellipsis was given"
            )
    ell = "".join(free[:n_ell])
    ins = []
    for t, s in zip(terms, shapes):
        if "..." in t:
            k = len(s) - (len(t) - 3)
            if k < 0:
                raise _einsum_error(f"operand has {len(s)} dims, fewer than the subscripts in '{t}'")
            t = t.replace("...", ell[n_ell - k :] if k else "")
        ins.append(t)
    if arrow:
        out = rhs.replace("...", ell)
        for c in out:
            if out.count(c) > 1:
                raise _einsum_error(f"output subscript {c} appears more than once in the output")
            if not any(c in t for t in ins):
                raise _einsum_error(f"output subscript {c} does not appear in the equation for any input operand")
    else:
        body = "".join(terms).replace("...", "")
        out = ell + "".join(sorted(c for c in set(body) if body.count(c) == 1))
    sizes: dict[str, int] = {}
    for i, (t, s) in enumerate(zip(ins, shapes)):
        own: dict[str, int] = {}
        for c, n in zip(t, s):
            if c in own and own[c] != n:
                raise _einsum_error(f"subscript {c} is repeated for operand {i} but the sizes don't match, {own[c]} != {n}")
            own[c] = n
            prev = sizes.get(c)
            if prev is not None and prev != n and 1 not in (prev, n):
                raise _einsum_error(
                    f"subscript {c} has size {n} for operand {i} which does not broadcast with previously seen size {prev}"
                )
            sizes[c] = n if prev is None or prev == 1 else prev
    return tuple(ins), out


def einsum(equation: str, *operands: Any) -> Any:
    """Einstein summation, e.g. ``einsum('bij,bjk->bik', a, b)``; supports ``...`` and implicit output."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    T = tensor_cls()
    for k, t in enumerate(operands):
        if not isinstance(t, T):
            raise TypeError(f"einsum(): operand {k} must be a Tensor, not {type(t).__name__}")
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): equation must be a str, not {type(equation).__name__}")
    spec = _parse_einsum(equation, [t._data.shape for t in operands])
    for t in operands[1:]:
        if t._data.dtype != operands[0]._data.dtype:
            raise RuntimeError(
                f"einsum(): expected all operands to have the same dtype, got {_dtype_name(operands[0]._data)} "
                f"and {_dtype_name(t._data)}; cast them first"
            )
    return Einsum.apply(spec, *operands)
