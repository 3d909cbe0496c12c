"""Process-wide settings scripts touch: default device, matmul precision, determinism, constants.

chainrule computes on the CPU in full precision with deterministic NumPy kernels, so each setting
is stored and reported back truthfully, and none of them changes a result: ``set_default_device``
accepts only the CPU, ``set_float32_matmul_precision`` records the precision (float32 matmuls stay
IEEE float32), ``use_deterministic_algorithms`` records the mode (every op already is deterministic).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from ._device import check_device, cpu, device

__all__ = [
    "inf", "nan", "pi", "e", "newaxis",
    "set_default_device", "get_default_device", "set_default_tensor_type",
    "set_float32_matmul_precision", "get_float32_matmul_precision",
    "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
    "get_deterministic_debug_mode", "is_autocast_enabled",
]

inf: float = math.inf
nan: float = math.nan
pi: float = math.pi
e: float = math.e
newaxis: None = None

_state: dict[str, Any] = {"precision": "highest", "deterministic": False, "warn_only": False}


def set_default_device(device: Any) -> None:  # noqa: A002
    """Set the device new tensors are made on: only ``'cpu'`` (or None, the default) exists in chainrule.

    ``'cuda'``/``'mps'`` raise the CPU-only RuntimeError, as every ``device=`` argument does.
    """
    if device is not None:
        check_device(device, "set_default_device")


def get_default_device() -> device:
    """The device new tensors are made on: always ``device(type='cpu')``."""
    return cpu


def set_default_tensor_type(t: Any) -> None:
    """Legacy ``torch.set_default_tensor_type(torch.DoubleTensor)``: sets the default floating dtype.

    Accepts ``FloatTensor``/``DoubleTensor`` (or their names); CUDA tensor types raise the CPU-only error.
    """
    from . import _dtype

    name = t if isinstance(t, str) else getattr(t, "__name__", repr(t))
    kind = name.rsplit(".", 1)[-1]
    if ".cuda." in f".{name}" or name.startswith("cuda."):
        check_device("cuda", "set_default_tensor_type")
    dtypes = {"FloatTensor": _dtype.float32, "DoubleTensor": _dtype.float64}
    if kind not in dtypes:
        raise TypeError(f"set_default_tensor_type: only floating-point types are supported as the default type; "
                        f"expected FloatTensor or DoubleTensor, got {name}")
    _dtype.set_default_dtype(dtypes[kind])


def set_float32_matmul_precision(precision: str) -> None:
    """Record ``'highest'``, ``'high'`` or ``'medium'`` (PyTorch's TF32/bfloat16 matmul switch).

    chainrule's float32 matmuls are always IEEE float32 (the ``'highest'`` behaviour) whatever is set;
    ``backends.cuda.matmul.allow_tf32`` follows the setting, as in PyTorch. Other values warn and are ignored.
    """
    if precision not in ("highest", "high", "medium"):
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      f"set_float32_matmul_precision call has no effect.", UserWarning, stacklevel=2)
        return
    _state["precision"] = precision
    from .backends import cuda as _cuda

    _cuda.matmul.allow_tf32 = precision != "highest"


def get_float32_matmul_precision() -> str:
    """The precision last set by :func:`set_float32_matmul_precision` (``'highest'`` by default)."""
    return _state["precision"]


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record the deterministic-algorithms mode. Every chainrule op is deterministic already."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms: expected a bool mode, got {type(mode).__name__}")
    _state["deterministic"], _state["warn_only"] = mode, bool(warn_only) and mode


def are_deterministic_algorithms_enabled() -> bool:
    """Whether :func:`use_deterministic_algorithms` turned the mode on (False by default)."""
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether the deterministic mode was turned on with ``warn_only=True``."""
    return _state["warn_only"]


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """``'default'``/0 (off), ``'warn'``/1 (warn only), ``'error'``/2 (on), as PyTorch maps them."""
    modes = {"default": 0, "warn": 1, "error": 2}
    level = modes.get(debug_mode, debug_mode) if isinstance(debug_mode, str) else debug_mode
    if level not in (0, 1, 2):
        raise RuntimeError(f"set_deterministic_debug_mode: invalid mode {debug_mode!r}; expected one of "
                           f"'default', 'warn', 'error' or 0, 1, 2")
    use_deterministic_algorithms(level > 0, warn_only=level == 1)


def get_deterministic_debug_mode() -> int:
    """0 when the deterministic mode is off, 1 when it only warns, 2 when it is on."""
    return 0 if not _state["deterministic"] else 1 if _state["warn_only"] else 2


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Always False: chainrule's autocast regions compute in the tensors' own dtypes (no casting happens)."""
    return False
