"""``chainrule.cuda``: truthful CPU answers for the CUDA calls device-selecting scripts make.

``is_available()`` is False and ``device_count()`` 0, so ``device = "cuda" if
chainrule.cuda.is_available() else "cpu"`` picks the CPU. Seeding, synchronizing, cache clearing and
peak-memory resets are no-ops and the memory queries report 0 bytes, so training scripts that log
GPU memory run unchanged. Calls that need an actual GPU (``current_device``, ``get_device_name``,
``set_device`` ...) raise the CPU-only RuntimeError. ``chainrule.cuda.amp`` holds the legacy AMP names;
``cuda.FloatTensor`` & co. exist for type switches (building one raises).
"""

from __future__ import annotations

from typing import Any

from .._device import check_device
from .._typed_tensors import CUDA_TYPES as _CUDA_TYPES

__all__ = [
    "is_available", "device_count", "is_initialized", "init", "manual_seed", "manual_seed_all", "seed", "seed_all",
    "synchronize", "empty_cache", "ipc_collect", "memory_allocated", "max_memory_allocated", "memory_reserved",
    "max_memory_reserved", "reset_peak_memory_stats", "reset_max_memory_allocated", "reset_max_memory_cached",
    "memory_cached", "max_memory_cached", "is_bf16_supported", "current_device", "get_device_name",
    "get_device_capability", "get_device_properties", "set_device", "mem_get_info", "get_arch_list", "device", "amp",
    *_CUDA_TYPES,
]

globals().update(_CUDA_TYPES)


def is_available() -> bool:
    """Always False: chainrule computes on the CPU."""
    return False


def device_count() -> int:
    """0 CUDA devices."""
    return 0


def is_initialized() -> bool:
    """False: CUDA is never initialized."""
    return False


def manual_seed(seed: int) -> None:
    """No-op (there is no CUDA generator), kept so seeding scripts run unchanged."""


manual_seed_all = manual_seed


def seed() -> None:
    """No-op: there is no CUDA generator to seed."""


seed_all = seed


def synchronize(device: Any = None) -> None:
    """No-op: CPU computation is synchronous."""


def empty_cache() -> None:
    """No-op: there is no CUDA memory cache."""


def ipc_collect() -> None:
    """No-op: there is no CUDA IPC memory."""


def memory_allocated(device: Any = None) -> int:
    """0 bytes of GPU memory in use."""
    return 0


def max_memory_allocated(device: Any = None) -> int:
    """0 bytes of GPU memory at peak."""
    return 0


def memory_reserved(device: Any = None) -> int:
    """0 bytes of GPU memory reserved."""
    return 0


def max_memory_reserved(device: Any = None) -> int:
    """0 bytes of GPU memory reserved at peak."""
    return 0


memory_cached, max_memory_cached = memory_reserved, max_memory_reserved


def reset_peak_memory_stats(device: Any = None) -> None:
    """No-op: there are no GPU memory statistics."""


reset_max_memory_allocated = reset_max_memory_cached = reset_peak_memory_stats


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: there is no CUDA device."""
    return False


def get_arch_list() -> list[str]:
    """[]: chainrule is built for no CUDA architecture."""
    return []


def _no_gpu(op: str) -> None:
    check_device("cuda", f"chainrule.cuda.{op}")


def init() -> None:
    """Raises the CPU-only RuntimeError: there is no CUDA to initialize."""
    _no_gpu("init")


def current_device() -> int:
    """Raises the CPU-only RuntimeError: there is no current CUDA device."""
    _no_gpu("current_device")
    return 0  # pragma: no cover - _no_gpu raises


def get_device_name(device: Any = None) -> str:
    """Raises the CPU-only RuntimeError: there is no CUDA device to name."""
    _no_gpu("get_device_name")
    return ""  # pragma: no cover


def get_device_capability(device: Any = None) -> tuple[int, int]:
    """Raises the CPU-only RuntimeError."""
    _no_gpu("get_device_capability")
    return (0, 0)  # pragma: no cover


def get_device_properties(device: Any = None) -> Any:
    """Raises the CPU-only RuntimeError."""
    _no_gpu("get_device_properties")


def set_device(device: Any) -> None:
    """Raises the CPU-only RuntimeError: there is no CUDA device to select."""
    _no_gpu("set_device")


def mem_get_info(device: Any = None) -> tuple[int, int]:
    """Raises the CPU-only RuntimeError: there is no GPU memory to query."""
    _no_gpu("mem_get_info")
    return (0, 0)  # pragma: no cover


class device:  # noqa: N801 - PyTorch's name
    """``with chainrule.cuda.device(0):`` raises the CPU-only RuntimeError (there is no device to switch to)."""

    def __init__(self, device: Any) -> None:  # noqa: A002
        _no_gpu("device")


def __getattr__(name: str) -> Any:
    """``chainrule.cuda.amp`` is imported on first use."""
    if name == "amp":
        import importlib

        return importlib.import_module(f"{__name__}.amp")
    raise AttributeError(f"module 'chainrule.cuda' has no attribute '{name}'")
