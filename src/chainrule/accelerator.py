"""``chainrule.accelerator``: there is no accelerator; chainrule computes on the CPU.

``is_available()`` is False, ``current_accelerator()`` None and ``device_count()`` 0 (PyTorch's CPU
answers); the memory queries report 0 and the housekeeping calls do nothing, so a script's
``device = acc if (acc := chainrule.accelerator.current_accelerator()) else 'cpu'`` picks the CPU.
"""

from __future__ import annotations

from typing import Any

from ._device import check_device

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index", "set_device_index",
           "synchronize", "empty_cache", "memory_allocated", "max_memory_allocated", "reset_peak_memory_stats"]


def is_available() -> bool:
    """Always False: chainrule has no accelerator."""
    return False


def current_accelerator(check_available: bool = False) -> None:
    """None: there is no accelerator device."""
    return None


def device_count() -> int:
    """0 accelerator devices."""
    return 0


def current_device_index() -> int:
    """Raises: there is no accelerator whose index could be current (the CPU-only RuntimeError)."""
    check_device("cuda", "accelerator.current_device_index")
    return 0  # pragma: no cover - check_device raises


def set_device_index(device: Any) -> None:
    """Raises the CPU-only RuntimeError: there is no accelerator to select."""
    check_device("cuda", "accelerator.set_device_index")


def synchronize(device: Any = None) -> None:
    """No-op: CPU computation is synchronous."""


def empty_cache() -> None:
    """No-op: there is no accelerator memory cache."""


def memory_allocated(device_index: Any = None) -> int:
    """0 bytes of accelerator memory."""
    return 0


def max_memory_allocated(device_index: Any = None) -> int:
    """0 bytes of accelerator memory at peak."""
    return 0


def reset_peak_memory_stats(device_index: Any = None) -> None:
    """No-op: there are no accelerator memory statistics."""
