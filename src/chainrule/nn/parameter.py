"""``Parameter``: a Tensor that a Module registers as trainable when assigned as an attribute."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor, _init

__all__ = ["Parameter", "Buffer", "is_lazy"]


class Parameter(Tensor):
    """A leaf tensor that requires grad and is listed by ``Module.parameters()``.

    ``Parameter(t)`` shares ``t``'s memory, as in PyTorch.
    """

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            arr = np.empty((0,), dtype=np.float32)
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            arr = np.asarray(data)
        _init(self, arr)
        if requires_grad:
            self.requires_grad_(True)

    def __new__(cls, data: Any = None, requires_grad: bool = True) -> Parameter:
        return Tensor.__new__(cls)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (Parameter, (Tensor._make(self._data), self._requires_grad))

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        p = Parameter(Tensor._make(self._data.copy()), self._requires_grad)
        if self._grad is not None:
            p._grad = Tensor._make(self._grad._data.copy())
        memo[id(self)] = p
        return p


class Buffer(Tensor):
    """Marks a tensor to be registered as a buffer when assigned to a Module (``persistent`` flag)."""

    def __init__(self, data: Any = None, *, persistent: bool = True) -> None:
        arr = data._data if isinstance(data, Tensor) else np.asarray(data if data is not None else [])
        _init(self, arr)
        self.persistent = persistent

    def __new__(cls, data: Any = None, *, persistent: bool = True) -> Buffer:
        return Tensor.__new__(cls)


def is_lazy(param: Any) -> bool:
    """Always False: chainrule has no lazy (uninitialized) parameters."""
    return False
