"""``chainrule.backends.cudnn``: cuDNN's switches, as plain flags (cuDNN is not available on the CPU).

``chainrule.backends.cudnn.deterministic = True`` and ``benchmark = False`` are the usual lines of a
reproducible script; they are stored and read back, and change nothing (every chainrule op is
deterministic and there is no kernel autotuning). Defaults are PyTorch's.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

__all__ = ["enabled", "benchmark", "benchmark_limit", "deterministic", "allow_tf32", "is_available", "version",
           "is_acceptable", "flags"]

enabled: bool = True
benchmark: bool = False
benchmark_limit: int | None = None
deterministic: bool = False
allow_tf32: bool = True


def is_available() -> bool:
    """Always False: chainrule does not use cuDNN."""
    return False


def version() -> None:
    """None: no cuDNN library is loaded (PyTorch's answer without cuDNN)."""
    return None


def is_acceptable(tensor: object) -> bool:
    """False: no tensor can go to cuDNN."""
    return False


@contextlib.contextmanager
def flags(enabled: bool = False, benchmark: bool = False, deterministic: bool = False,  # noqa: A002
          allow_tf32: bool = True) -> Iterator[None]:
    """Set the four flags inside a ``with`` block and restore them after it."""
    mod = sys.modules[__name__]
    saved = (mod.enabled, mod.benchmark, mod.deterministic, mod.allow_tf32)
    mod.enabled, mod.benchmark, mod.deterministic, mod.allow_tf32 = enabled, benchmark, deterministic, allow_tf32
    try:
        yield
    finally:
        mod.enabled, mod.benchmark, mod.deterministic, mod.allow_tf32 = saved
