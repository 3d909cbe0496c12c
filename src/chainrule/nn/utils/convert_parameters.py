"""``parameters_to_vector`` / ``vector_to_parameters``: a model's parameters as one flat vector and back."""

from __future__ import annotations

from collections.abc import Iterable

from ..._tensor import Tensor
from ...ops.shape import cat, reshape

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated, in order (differentiable, as in PyTorch)."""
    return cat([reshape(p, (-1,)) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Point each parameter's data at the next slice of ``vec`` (the parameters then share its memory)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__module__}.{type(vec).__name__}")
    data = vec._data
    pointer = 0
    for param in parameters:
        n = param._data.size
        if pointer + n > data.shape[0]:
            raise RuntimeError(
                f"vector_to_parameters: the vector is too short; expected at least {pointer + n} elements, "
                f"got {data.shape[0]}"
            )
        param.data = Tensor._make(data[pointer : pointer + n].reshape(param._data.shape))
        pointer += n
