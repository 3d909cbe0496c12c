"""``chainrule.backends.mkldnn``: oneDNN is not used (chainrule's kernels are NumPy's); ``enabled`` is a flag."""

from __future__ import annotations

__all__ = ["enabled", "is_available"]

enabled: bool = True


def is_available() -> bool:
    """Always False: chainrule does not use oneDNN."""
    return False
