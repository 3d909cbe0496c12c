"""``GradScaler``: loss scaling for float16 training; a pass-through here, as PyTorch's disabled scaler.

Loss scaling protects float16 gradients from underflow. chainrule's gradients are computed in the
parameters' own dtype (float32 unless you chose otherwise), so nothing is scaled: the object keeps
PyTorch's API and answers exactly like a PyTorch scaler that is disabled (``is_enabled()`` False).
"""

from __future__ import annotations

from typing import Any

__all__ = ["GradScaler"]


class GradScaler:
    """``scaler.scale(loss).backward(); scaler.unscale_(opt); scaler.step(opt); scaler.update()`` works.

    ``scale(x)`` returns ``x``, ``step(optimizer)`` returns ``optimizer.step()``, ``unscale_`` and
    ``update`` do nothing, ``get_scale()`` is 1.0 and ``state_dict()`` is ``{}``. The constructor takes
    PyTorch's arguments and keeps the growth settings for their getters.
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True) -> None:
        if growth_factor <= 1.0:
            raise ValueError(f"GradScaler: the growth factor must be > 1.0, got {growth_factor}")
        if not 0.0 < backoff_factor < 1.0:
            raise ValueError(f"GradScaler: the backoff factor must be < 1.0 and > 0, got {backoff_factor}")
        self._device = device
        self._init_scale = float(init_scale)
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = int(growth_interval)

    def scale(self, outputs: Any) -> Any:
        """Returns ``outputs`` unchanged (a tensor or a nested list/tuple of tensors)."""
        return outputs

    def unscale_(self, optimizer: Any) -> None:
        """No-op: the gradients were never scaled."""

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """``optimizer.step(*args, **kwargs)``; its return value (e.g. a closure's loss)."""
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale: Any = None) -> None:
        """No-op: there is no scale to grow or back off."""

    def get_scale(self) -> float:
        """1.0: nothing is scaled."""
        return 1.0

    def is_enabled(self) -> bool:
        """False: this scaler never scales (PyTorch's disabled scaler)."""
        return False

    def get_growth_factor(self) -> float:
        """The ``growth_factor`` given to the constructor."""
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        """Set the growth factor (kept for the getter)."""
        self._growth_factor = float(new_factor)

    def get_backoff_factor(self) -> float:
        """The ``backoff_factor`` given to the constructor."""
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        """Set the backoff factor (kept for the getter)."""
        self._backoff_factor = float(new_factor)

    def get_growth_interval(self) -> int:
        """The ``growth_interval`` given to the constructor."""
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        """Set the growth interval (kept for the getter)."""
        self._growth_interval = int(new_interval)

    def state_dict(self) -> dict[str, Any]:
        """``{}``, as PyTorch's disabled scaler returns."""
        return {}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Accepts a scaler state (e.g. from a PyTorch checkpoint) and ignores it: nothing is scaled here."""
        if not isinstance(state_dict, dict):
            raise TypeError(f"GradScaler.load_state_dict: expected a dict, got {type(state_dict).__name__}")
