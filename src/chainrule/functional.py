"""``torch.functional``: the module PyTorch keeps its Python-level tensor functions in.

Scripts import it by that name (``import torch.functional as F``) and call ``F.split``, ``F.einsum``,
``F.norm`` ...; each name here is the same function as the top-level one (``chainrule.einsum`` and so on).
``chain_matmul`` lives here too: the product of N matrices, PyTorch's deprecated spelling of
``linalg.multi_dot``.
"""

from __future__ import annotations

import warnings
from typing import Any

from . import (  # noqa: F401  (the same objects as the top-level names, ``out=`` included)
    atleast_1d,
    atleast_2d,
    atleast_3d,
    block_diag,
    broadcast_shapes,
    broadcast_tensors,
    cartesian_prod,
    cdist,
    einsum,
    linalg,
    lu,
    meshgrid,
    norm,
    split,
    tensordot,
    unique,
    unique_consecutive,
    unravel_index,
)
from ._out import write_out

__all__ = [
    "atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "broadcast_shapes", "broadcast_tensors",
    "cartesian_prod", "cdist", "chain_matmul", "einsum", "lu", "meshgrid", "norm", "split", "tensordot",
    "unique", "unique_consecutive", "unravel_index",
]


def chain_matmul(*matrices: Any, out: Any = None) -> Any:
    """``torch.chain_matmul(A1, ..., An)``: the matrix product ``A1 @ A2 @ ... @ An`` of 2-D tensors.

    Deprecated in PyTorch (it warns, as PyTorch does) in favour of ``linalg.multi_dot([A1, ..., An])``, which
    it calls for two or more matrices; one matrix gives a copy of it. The gradient is multi_dot's (each factor's
    VJP is the product of the others around the incoming gradient).
    """
    warnings.warn(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
        "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple "
        "parameters.",
        UserWarning,
        stacklevel=2,
    )
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices; got none")
    for i, m in enumerate(matrices):
        if m.dim() != 2:
            raise RuntimeError(
                f"chain_matmul: Tensor dimension is {m.dim()}, expected 2 instead (matrix {i} has shape "
                f"{tuple(m.shape)})"
            )
    result = matrices[0].clone() if len(matrices) == 1 else linalg.multi_dot(list(matrices))
    return result if out is None else write_out("chain_matmul", result, out)
