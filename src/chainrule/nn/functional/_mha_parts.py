"""Small pieces of ``multi_head_attention_forward``: the projections as one GEMM over all rows, PyTorch's
checks of separate projection weights, the appended bias key/zero-attention column, and ``static_k``/``static_v``
in the projected layout."""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from ...ops.arrange import cat
from .linear import linear, pad


def _linear_rows(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    """``linear`` of a (A, B, E) input as one (A·B, E) matrix: its gradient ∂L/∂x = g W is then one GEMM,
    not a batch of A small ones (NumPy's matmul of a 3-D by a 2-D array loops over the leading dim, and
    each small GEMM is split over BLAS's threads: several times slower with two threads)."""
    if x.ndim != 3:
        return linear(x, w, b)
    a, bb, e = x.shape
    return linear(x.reshape(a * bb, e), w, b).reshape(a, bb, w.shape[0])


def _check_proj(query: Tensor, key: Tensor, value: Tensor, ws: tuple[Any, ...], bs: tuple[Any, ...]) -> None:
    """PyTorch's checks of separate projection weights (Eq, Eq), (Eq, Ek), (Eq, Ev) and biases (Eq,)."""
    eq = query.shape[-1]
    for name, x, w, b in zip(("query", "key", "value"), (query, key, value), ws, bs):
        if w is None:
            raise AssertionError(f"use_separate_proj_weight is True but {name[0]}_proj_weight is None")
        if tuple(w.shape) != (eq, x.shape[-1]):
            raise AssertionError(f"expecting {name} weights shape of {(eq, x.shape[-1])}, but got {tuple(w.shape)}")
        if b is not None and tuple(b.shape) != (eq,):
            raise AssertionError(f"expecting {name} bias shape of {(eq,)}, but got {tuple(b.shape)}")


def _cat(a: Tensor, b: Tensor, dim: int) -> Tensor:
    return cat([a, b], dim)


def _pad1(mask: Tensor | None) -> Tensor | None:
    """A mask with one more (zero = attend) column for the appended key."""
    if mask is None:
        return None
    return pad(mask, (0, 1))


def _from_static(t: Tensor, bsz: int, num_heads: int, head_dim: int, bf: bool, name: str) -> Tensor:
    """static_k/static_v (N·H, S, D) in the layout of the projected keys: (S, N, E) or (N, S, E)."""
    if t.ndim != 3 or t.shape[0] != bsz * num_heads or t.shape[2] != head_dim:
        raise AssertionError(
            f"expecting {name} of shape ({bsz * num_heads}, S, {head_dim}) (N·num_heads, S, head_dim), "
            f"but got {tuple(t.shape)}"
        )
    s = t.shape[1]
    t = t.reshape(bsz, num_heads, s, head_dim)
    t = t.permute(0, 2, 1, 3) if bf else t.permute(2, 0, 1, 3)
    return t.reshape(*((bsz, s) if bf else (s, bsz)), num_heads * head_dim)
