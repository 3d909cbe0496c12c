"""``Parameter``: a Tensor that a Module registers as trainable when assigned as an attribute."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor, _init

__all__ = ["Parameter", "Buffer", "is_lazy", "UninitializedParameter", "UninitializedBuffer"]


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


class UninitializedTensorMixin:
    """Behaviour shared by the placeholders of lazy modules: no shape until ``materialize``."""

    __slots__ = ()
    cls_to_become: type = Tensor

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Give the placeholder storage of ``shape`` (uninitialized values) and turn it into ``cls_to_become``.

        The object keeps its identity, so optimizers and containers that hold it see the new values.
        """
        from .. import _dtype
        from .._device import check_device

        check_device(device, f"{type(self).__name__}.materialize")
        dt = _dtype.to_dtype(dtype).np if dtype is not None else self._data.dtype  # type: ignore[attr-defined]
        shape = (shape,) if isinstance(shape, int) else tuple(int(d) for d in shape)
        self._data = np.empty(shape, dtype=dt)  # type: ignore[attr-defined]
        self.__class__ = self.cls_to_become  # type: ignore[assignment]

    @property
    def shape(self) -> Any:
        """Unknown until materialized: raises RuntimeError, as PyTorch."""
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
            "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call "
            "`forward` to initialize the parameters before accessing their attributes."
        )

    def size(self, dim: int | None = None) -> Any:
        """Unknown until materialized (see ``shape``)."""
        return self.shape

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A ``Parameter`` whose shape is not known yet (lazy modules); ``materialize`` makes it a Parameter.

    Example:
        >>> import chainrule.nn as nn
        >>> p = nn.UninitializedParameter()
        >>> p.materialize((2, 3))
        >>> type(p).__name__, tuple(p.shape)
        ('Parameter', (2, 3))
    """

    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        from .. import _dtype
        from .._device import check_device

        check_device(device, "UninitializedParameter")
        dt = _dtype.to_dtype(dtype).np if dtype is not None else _dtype.get_default_dtype().np
        super().__init__(Tensor._make(np.empty((0,), dtype=dt)), requires_grad)

    def __new__(cls, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> UninitializedParameter:
        return Tensor.__new__(cls)

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (UninitializedParameter, (self._requires_grad, None, self.dtype))

    def __deepcopy__(self, memo: dict[int, Any]) -> UninitializedParameter:
        p = UninitializedParameter(self._requires_grad, dtype=self.dtype)
        memo[id(self)] = p
        return p


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is not known yet (lazy norm layers); ``materialize`` makes it a Tensor.

    ``persistent`` is accepted for PyTorch compatibility; pass it to ``register_buffer`` to take effect.
    """

    __slots__ = ()
    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, device: Any = None, dtype: Any = None, persistent: bool = True) -> None:
        from .. import _dtype
        from .._device import check_device

        check_device(device, "UninitializedBuffer")
        dt = _dtype.to_dtype(dtype).np if dtype is not None else _dtype.get_default_dtype().np
        _init(self, np.empty((0,), dtype=dt))
        if requires_grad:
            self.requires_grad_(True)

    def __new__(cls, *args: Any, **kwargs: Any) -> UninitializedBuffer:
        return Tensor.__new__(cls)

    def __deepcopy__(self, memo: dict[int, Any]) -> UninitializedBuffer:
        b = UninitializedBuffer(self._requires_grad, dtype=self.dtype)
        memo[id(self)] = b
        return b


def is_lazy(param: Any) -> bool:
    """True for an ``UninitializedParameter`` or ``UninitializedBuffer`` (not yet materialized)."""
    return isinstance(param, UninitializedTensorMixin)
