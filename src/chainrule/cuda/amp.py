"""``chainrule.cuda.amp``: PyTorch's legacy CUDA AMP names, computing in full precision (see ``chainrule.amp``)."""

from __future__ import annotations

from typing import Any

from .. import _dtype
from ..amp import GradScaler as _GradScaler
from ..amp import autocast as _autocast
from ..amp import custom_bwd, custom_fwd

__all__ = ["autocast", "GradScaler", "custom_fwd", "custom_bwd"]


class autocast(_autocast):  # noqa: N801 - PyTorch's name
    """``chainrule.cuda.amp.autocast(enabled=True, dtype=float16)``: ``autocast("cuda", ...)``; casts nothing."""

    def __init__(self, enabled: bool = True, dtype: Any = _dtype.float16, cache_enabled: bool = True) -> None:
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(_GradScaler):
    """``chainrule.cuda.amp.GradScaler(...)``: ``chainrule.amp.GradScaler("cuda", ...)``, a pass-through."""

    def __init__(self, init_scale: float = 2.0**16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled)
