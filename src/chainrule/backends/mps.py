"""``chainrule.backends.mps``: Apple's Metal backend is neither built nor available (chainrule uses the CPU)."""

from __future__ import annotations

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """Always False: chainrule computes on the CPU."""
    return False


def is_built() -> bool:
    """Always False: chainrule has no Metal backend."""
    return False
