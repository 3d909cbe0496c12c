"""``chainrule.cpu.amp``: PyTorch's legacy CPU AMP names, computing in full precision (see ``chainrule.amp``)."""

from __future__ import annotations

from typing import Any

from .. import _dtype
from ..amp import GradScaler as _GradScaler
from ..amp import autocast as _autocast

__all__ = ["autocast", "GradScaler"]


class autocast(_autocast):  # noqa: N801 - PyTorch's name
    """``chainrule.cpu.amp.autocast(enabled=True, dtype=bfloat16)``: ``autocast("cpu", ...)``; casts nothing."""

    def __init__(self, enabled: bool = True, dtype: Any = _dtype.bfloat16, cache_enabled: bool = True) -> None:
        super().__init__("cpu", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_GradScaler):
    """``chainrule.cpu.amp.GradScaler(...)``: ``chainrule.amp.GradScaler("cpu", ...)``, a pass-through."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        super().__init__("cpu", init_scale, growth_factor, backoff_factor, growth_interval, enabled)
