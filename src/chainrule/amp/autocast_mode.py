"""``autocast``: a region where PyTorch would cast to a lower precision; chainrule computes in full precision."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ["autocast", "is_autocast_available", "custom_fwd", "custom_bwd"]

_DEVICE_TYPES = ("cpu", "cuda", "mps", "xpu", "hpu", "xla", "mtia", "meta", "ipu", "privateuseone")


class autocast:  # noqa: N801 - PyTorch's name
    """``with chainrule.autocast("cpu", dtype=chainrule.bfloat16): ...`` or ``@autocast("cuda")``.

    Accepts PyTorch's arguments (``device_type``, ``dtype``, ``enabled``, ``cache_enabled``) and checks
    them as PyTorch does, then runs the region unchanged: no op inside is cast to a lower precision, so
    a float32 model stays float32 (documented: chainrule has no reduced-precision compute).
    """

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"autocast: expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type.partition(":")[0] not in _DEVICE_TYPES:
            raise RuntimeError(f"autocast: invalid device string: '{device_type}'; expected e.g. 'cpu' or 'cuda'")
        if not isinstance(enabled, bool):
            raise TypeError(f"autocast: expected a bool `enabled`, got {type(enabled).__name__}")
        self.device = device_type
        self.fast_dtype = dtype
        self._enabled = enabled
        self._cache_enabled = cache_enabled

    def __enter__(self) -> autocast:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Use as a decorator: ``func`` runs inside the region."""

        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return run


def is_autocast_available(device_type: str) -> bool:
    """True for the device types an ``autocast`` region accepts ('cpu', 'cuda', ...)."""
    return device_type.partition(":")[0] in _DEVICE_TYPES


def custom_fwd(fwd: Callable[..., Any] | None = None, *, device_type: str = "cuda",
               cast_inputs: Any = None) -> Any:
    """Decorator for a custom Function's ``forward``: left as it is (there is no casting to undo)."""
    if fwd is None:
        return lambda f: f
    return fwd


def custom_bwd(bwd: Callable[..., Any] | None = None, *, device_type: str = "cuda") -> Any:
    """Decorator for a custom Function's ``backward``: left as it is."""
    if bwd is None:
        return lambda f: f
    return bwd
