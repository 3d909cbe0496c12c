"""``Variable``: PyTorch's pre-0.4 wrapper, kept (as PyTorch keeps it) so old programs run.

Since PyTorch 0.4 a Tensor *is* a Variable: ``Variable(t)`` is ``t.detach()`` (the same values,
shared, with no history), and ``Variable(t, requires_grad=True)`` a leaf of it with gradients
switched on. Every Tensor is an instance of ``Variable``. New code should use Tensors directly.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        from .._tensor import Tensor

        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(tensor, requires_grad=False, volatile=False)``: ``tensor.detach()``, a leaf sharing
    its values, with ``requires_grad`` as asked — what PyTorch returns since Tensors and Variables merged."""

    def __new__(cls, data: Any = None, requires_grad: bool = False, volatile: bool = False) -> Any:  # type: ignore[misc]
        from .._tensor import Tensor

        if data is None:
            from .._creation import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        return out.requires_grad_(True) if requires_grad else out
