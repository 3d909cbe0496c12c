"""NumPy's spellings of the reduction keywords, which PyTorch also accepts: ``axis`` for ``dim`` and
``keepdims`` for ``keepdim`` (``x.sum(axis=1)``, ``torch.cat(xs, axis=0)``, ``x.mean(1, keepdims=True)``)."""

from __future__ import annotations

from typing import Any


def numpy_names(dim: Any, keepdim: Any, axis: Any, keepdims: Any, op: str, dim_default: Any = None) -> tuple[Any, Any]:
    """``(dim, keepdim)`` after applying the NumPy aliases ``axis`` and ``keepdims`` when given.

    TypeError (Python's wording) when ``dim`` is given both ways."""
    if axis is not None:
        if dim is not dim_default and dim != dim_default:
            raise TypeError(f"{op}() got multiple values for argument 'dim' (axis is its NumPy spelling)")
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, keepdim
