"""``chainrule.cpu``: the CPU device module (available, one device, synchronous) and ``cpu.amp``."""

from __future__ import annotations

from typing import Any

from . import amp

__all__ = ["is_available", "device_count", "current_device", "synchronize", "is_initialized", "set_device", "amp"]


def is_available() -> bool:
    """True: chainrule always has the CPU."""
    return True


def device_count() -> int:
    """1: the CPU counts as one device."""
    return 1


def current_device() -> str:
    """'cpu'."""
    return "cpu"


def is_initialized() -> bool:
    """True: the CPU needs no initialization."""
    return True


def synchronize(device: Any = None) -> None:
    """No-op: CPU computation is synchronous."""


def set_device(device: Any) -> None:
    """No-op: there is only one CPU device."""
